//! Array creation: constants, ranges, triangular and diagonal matrices, coordinate
//! grids and window functions.
//!
//! The free functions [`zeros`], [`ones`], [`full`], [`arange`], [`linspace`], [`eye`]
//! and [`identity`] are Python's spellings of the matching `Array` constructors.
//!
//! ```
//! use mlxrs::{Array, Dtype, ops::{eye, tril, triu}};
//! let a = Array::full::<f32>(&[2, 2], 1.0)?;
//! assert_eq!(tril(&a, 0)?.to_vec::<f32>()?, [1.0, 0.0, 1.0, 1.0]);
//! assert_eq!(triu(&a, 1)?.to_vec::<f32>()?, [0.0, 1.0, 0.0, 0.0]);
//! assert_eq!(eye(2, 2, 0, Dtype::Int32)?.to_vec::<i32>()?, [1, 0, 0, 1]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use std::ffi::CStr;

use crate::ffi::VectorArray;
use crate::ffi::{mlx_call, mlx_op};
use crate::stream::current_raw;
use crate::{Array, Dtype, Result, Shape};

/// Zeros of `shape` and `dtype` (Python's `mx.zeros`; same as [`Array::zeros`]).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative dimension;
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize` dimension of
/// `shape` does not fit in `i32`.
pub fn zeros(shape: impl Shape, dtype: Dtype) -> Result<Array> {
    Array::zeros(shape, dtype)
}

/// Ones of `shape` and `dtype` (Python's `mx.ones`; same as [`Array::ones`]).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative dimension;
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize` dimension of
/// `shape` does not fit in `i32`.
pub fn ones(shape: impl Shape, dtype: Dtype) -> Result<Array> {
    Array::ones(shape, dtype)
}

/// `vals` broadcast to `shape`, as `dtype` (`None`: the dtype of `vals`).
///
/// Python: `mlx.core.full`. See [`Array::full`] for a Rust scalar value.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `vals` does not broadcast
/// to `shape` or a dimension is negative;
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize` dimension of
/// `shape` does not fit in `i32`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::full};
/// let a = full(&[2, 2], &Array::from_slice(&[1i32, 2], &[2])?, None)?;
/// assert_eq!(a.to_vec::<i32>()?, [1, 2, 1, 2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn full(shape: impl Shape, vals: &Array, dtype: Option<Dtype>) -> Result<Array> {
    let dims = shape.dims()?;
    let dtype = dtype.unwrap_or_else(|| vals.dtype());
    mlx_op!(mlx_full(
        dims.as_ptr(),
        dims.len(),
        vals.as_raw(),
        dtype.to_sys(),
        current_raw()?
    ))
}

/// Zeros with the shape and dtype of `a` (Python's `mx.zeros_like`).
///
/// # Errors
/// Only if MLX reports a failure.
pub fn zeros_like(a: &Array) -> Result<Array> {
    Array::zeros_like(a)
}

/// Ones with the shape and dtype of `a` (Python's `mx.ones_like`).
///
/// # Errors
/// Only if MLX reports a failure.
pub fn ones_like(a: &Array) -> Result<Array> {
    Array::ones_like(a)
}

/// Zeros with the shape of `a` and the given `dtype`.
///
/// # Errors
/// Only if MLX reports a failure.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::zeros_like_dtype};
/// let z = zeros_like_dtype(&Array::from_slice(&[1.5f32, 2.5], &[2])?, Dtype::Int32)?;
/// assert_eq!(z.to_vec::<i32>()?, [0, 0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn zeros_like_dtype(a: &Array, dtype: Dtype) -> Result<Array> {
    mlx_op!(mlx_zeros_like_dtype(
        a.as_raw(),
        dtype.to_sys(),
        current_raw()?
    ))
}

/// Ones with the shape of `a` and the given `dtype`.
///
/// # Errors
/// Only if MLX reports a failure.
pub fn ones_like_dtype(a: &Array, dtype: Dtype) -> Result<Array> {
    mlx_op!(mlx_ones_like_dtype(
        a.as_raw(),
        dtype.to_sys(),
        current_raw()?
    ))
}

/// `[start, stop)` in steps of `step` (Python's `mx.arange`; same as [`Array::arange`]).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a zero `step`, or bounds
/// that give no finite length (NaN or infinite).
pub fn arange(start: f64, stop: f64, step: f64, dtype: Dtype) -> Result<Array> {
    Array::arange(start, stop, step, dtype)
}

/// `num` evenly spaced values from `start` to `stop` inclusive (Python's `mx.linspace`;
/// same as [`Array::linspace`]).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative `num`.
pub fn linspace(start: f64, stop: f64, num: i32, dtype: Dtype) -> Result<Array> {
    Array::linspace(start, stop, num, dtype)
}

/// `num` evenly spaced values from `start` to `stop`, which is included only when
/// `endpoint`.
///
/// Python: `mlx.core.linspace(start, stop, num, endpoint, dtype)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative `num`.
///
/// # Examples
/// ```
/// use mlxrs::{Dtype, ops::linspace_endpoint};
/// let a = linspace_endpoint(0.0, 1.0, 4, false, Dtype::Float32)?;
/// assert_eq!(a.to_vec::<f32>()?, [0.0, 0.25, 0.5, 0.75]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn linspace_endpoint(
    start: f64,
    stop: f64,
    num: i32,
    endpoint: bool,
    dtype: Dtype,
) -> Result<Array> {
    mlx_op!(mlx_linspace_endpoint(
        start,
        stop,
        num,
        endpoint,
        dtype.to_sys(),
        current_raw()?
    ))
}

/// An `n × m` matrix with ones on diagonal `k` (Python's `mx.eye`; same as
/// [`Array::eye`]).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative `n` or `m`.
pub fn eye(n: i32, m: i32, k: i32, dtype: Dtype) -> Result<Array> {
    Array::eye(n, m, k, dtype)
}

/// The `n × n` identity matrix (Python's `mx.identity`; same as [`Array::identity`]).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative `n`.
pub fn identity(n: i32, dtype: Dtype) -> Result<Array> {
    Array::identity(n, dtype)
}

/// An `n × m` matrix with ones at and below diagonal `k` (0 = main, positive = above)
/// and zeros elsewhere.
///
/// Python: `mlx.core.tri`.
///
/// # Errors
/// Only if MLX reports a failure (negative sizes give an empty matrix).
///
/// # Examples
/// ```
/// use mlxrs::{Dtype, ops::tri};
/// assert_eq!(tri(2, 3, 0, Dtype::Int32)?.to_vec::<i32>()?, [1, 0, 0, 1, 1, 0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn tri(n: i32, m: i32, k: i32, dtype: Dtype) -> Result<Array> {
    mlx_op!(mlx_tri(n, m, k, dtype.to_sys(), current_raw()?))
}

/// The lower triangle (at and below diagonal `k`) of the last two axes; the rest is
/// zeroed.
///
/// Python: `mlx.core.tril` (default `k = 0`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `x` has fewer than 2
/// dimensions.
pub fn tril(x: &Array, k: i32) -> Result<Array> {
    mlx_op!(mlx_tril(x.as_raw(), k, current_raw()?))
}

/// The upper triangle (at and above diagonal `k`) of the last two axes; the rest is
/// zeroed.
///
/// Python: `mlx.core.triu` (default `k = 0`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `x` has fewer than 2
/// dimensions.
pub fn triu(x: &Array, k: i32) -> Result<Array> {
    mlx_op!(mlx_triu(x.as_raw(), k, current_raw()?))
}

/// Diagonal `k` of a matrix, or, for a vector, a square matrix with the vector on
/// diagonal `k`.
///
/// Python: `mlx.core.diag`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `a` is neither 1- nor
/// 2-dimensional.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::diag};
/// let v = Array::from_slice(&[1i32, 2], &[2])?;
/// let m = diag(&v, 0)?;
/// assert_eq!(m.to_vec::<i32>()?, [1, 0, 0, 2]);
/// assert_eq!(diag(&m, 0)?.to_vec::<i32>()?, [1, 2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn diag(a: &Array, k: i32) -> Result<Array> {
    mlx_op!(mlx_diag(a.as_raw(), k, current_raw()?))
}

/// Diagonal `offset` of the matrices formed by `axis1` and `axis2`; the diagonal
/// becomes the last axis.
///
/// Python: `mlx.core.diagonal` (defaults `offset = 0`, `axis1 = 0`, `axis2 = 1`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `a` has fewer than 2
/// dimensions, or `axis1` and `axis2` are out of range or the same axis.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::diagonal};
/// let m = Array::from_slice(&[1i32, 2, 3, 4], &[2, 2])?;
/// assert_eq!(diagonal(&m, 1, 0, 1)?.to_vec::<i32>()?, [2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn diagonal(a: &Array, offset: i32, axis1: i32, axis2: i32) -> Result<Array> {
    mlx_op!(mlx_diagonal(
        a.as_raw(),
        offset,
        axis1,
        axis2,
        current_raw()?
    ))
}

/// How [`meshgrid`] orders its outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MeshgridIndexing {
    /// Cartesian indexing (Python's `"xy"`, the default): the first two output axes
    /// are swapped.
    #[default]
    Xy,
    /// Matrix indexing (`"ij"`): output axis `i` follows input `i`.
    Ij,
}

impl MeshgridIndexing {
    /// MLX's name: `"xy"` or `"ij"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MeshgridIndexing::Xy => "xy",
            MeshgridIndexing::Ij => "ij",
        }
    }

    fn as_c_str(self) -> &'static CStr {
        match self {
            MeshgridIndexing::Xy => c"xy",
            MeshgridIndexing::Ij => c"ij",
        }
    }
}

/// Coordinate grids from 1-D coordinate arrays. With `sparse`, each output keeps size 1
/// on all axes but its own (broadcastable instead of materialized).
///
/// Python: `mlx.core.meshgrid(*arrays, sparse, indexing)`.
///
/// # Errors
/// Only if MLX reports a failure (arrays of more than one dimension are flattened first).
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{meshgrid, MeshgridIndexing}};
/// let x = Array::from_slice(&[1i32, 2, 3], &[3])?;
/// let y = Array::from_slice(&[4i32, 5], &[2])?;
/// let g = meshgrid(&[x, y], false, MeshgridIndexing::Xy)?;
/// assert_eq!(g[0].shape(), &[2, 3]);
/// assert_eq!(g[0].to_vec::<i32>()?, [1, 2, 3, 1, 2, 3]);
/// assert_eq!(g[1].to_vec::<i32>()?, [4, 4, 4, 5, 5, 5]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn meshgrid(arrays: &[Array], sparse: bool, indexing: MeshgridIndexing) -> Result<Vec<Array>> {
    let v = VectorArray::from_arrays(arrays)?;
    let mut out = VectorArray::empty();
    mlx_call!(mlx_meshgrid(
        out.as_out(),
        v.as_raw(),
        sparse,
        indexing.as_c_str().as_ptr(),
        current_raw()?
    ))?;
    out.to_arrays()
}

macro_rules! window {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// Only if MLX reports a failure; any `m` is accepted (`m <= 0` gives an empty
        /// array).
        pub fn $name(m: i32) -> Result<Array> {
            mlx_op!($sys(m, current_raw()?))
        }
    )*};
}

window! {
    /// The Bartlett (triangular) window of `m` points (`float32`).
    ///
    /// Python: `mlx.core.bartlett`.
    ///
    /// # Examples
    /// ```
    /// let w = mlxrs::ops::bartlett(5)?;
    /// assert_eq!(w.to_vec::<f32>()?, [0.0, 0.5, 1.0, 0.5, 0.0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    bartlett => mlx_bartlett;
    /// The Blackman window of `m` points (`float32`).
    ///
    /// Python: `mlx.core.blackman`.
    blackman => mlx_blackman;
    /// The Hamming window of `m` points (`float32`).
    ///
    /// Python: `mlx.core.hamming`.
    hamming => mlx_hamming;
    /// The Hann window of `m` points (`float32`).
    ///
    /// Python: `mlx.core.hanning`.
    hanning => mlx_hanning;
}
