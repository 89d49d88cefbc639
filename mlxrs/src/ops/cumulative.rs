//! Cumulative (scan) operations: `cumsum`, `cumprod`, `cummax`, `cummin`,
//! `logcumsumexp`.
//!
//! Each comes in two forms, as in mlx-c: `cumsum(a, ..)` scans the flattened array
//! (Python's `axis=None`) and `cumsum_axis(a, axis, ..)` scans along one axis. `reverse`
//! scans from the end; `inclusive = false` shifts the result by one (the first element
//! is the identity). Python's defaults are `reverse = false`, `inclusive = true`.
//!
//! ```
//! use mlxrs::{Array, ops::{cumsum, cumsum_axis}};
//! let a = Array::from_slice(&[1i32, 2, 3, 4], &[2, 2])?;
//! assert_eq!(cumsum(&a, false, true, None)?.to_vec::<i32>()?, [1, 3, 6, 10]);
//! assert_eq!(cumsum_axis(&a, 0, false, true, None)?.to_vec::<i32>()?, [1, 2, 4, 6]);
//! assert_eq!(cumsum_axis(&a, 1, true, false, None)?.to_vec::<i32>()?, [2, 0, 4, 0]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use crate::ffi::mlx_op;
use crate::ffi::opt_dtype;
use crate::stream::current_raw;
use crate::{Array, Dtype, Result};

/// Cumulative sum of the flattened array, accumulated and returned as `dtype` (`None`:
/// MLX's default for the input dtype).
///
/// Python: `mlx.core.cumsum(a, reverse=.., inclusive=.., dtype=..)`.
///
/// # Errors
/// Only if MLX reports a failure.
pub fn cumsum(a: &Array, reverse: bool, inclusive: bool, dtype: Option<Dtype>) -> Result<Array> {
    mlx_op!(mlx_cumsum(
        a.as_raw(),
        reverse,
        inclusive,
        opt_dtype(dtype),
        current_raw()?
    ))
    .and_then(super::guards::skip_kernel_if_empty)
}

/// Cumulative sum along `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range.
pub fn cumsum_axis(
    a: &Array,
    axis: i32,
    reverse: bool,
    inclusive: bool,
    dtype: Option<Dtype>,
) -> Result<Array> {
    mlx_op!(mlx_cumsum_axis(
        a.as_raw(),
        axis,
        reverse,
        inclusive,
        opt_dtype(dtype),
        current_raw()?
    ))
    .and_then(super::guards::skip_kernel_if_empty)
}

/// Cumulative product of the flattened array, accumulated and returned as `dtype`
/// (`None`: MLX's default for the input dtype).
///
/// Python: `mlx.core.cumprod`.
///
/// # Errors
/// Only if MLX reports a failure.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::cumprod};
/// let a = Array::from_slice(&[1i32, 2, 3, 4], &[4])?;
/// assert_eq!(cumprod(&a, false, true, None)?.to_vec::<i32>()?, [1, 2, 6, 24]);
/// assert_eq!(cumprod(&a, true, true, None)?.to_vec::<i32>()?, [24, 24, 12, 4]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn cumprod(a: &Array, reverse: bool, inclusive: bool, dtype: Option<Dtype>) -> Result<Array> {
    mlx_op!(mlx_cumprod(
        a.as_raw(),
        reverse,
        inclusive,
        opt_dtype(dtype),
        current_raw()?
    ))
    .and_then(super::guards::skip_kernel_if_empty)
}

/// Cumulative product along `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range.
pub fn cumprod_axis(
    a: &Array,
    axis: i32,
    reverse: bool,
    inclusive: bool,
    dtype: Option<Dtype>,
) -> Result<Array> {
    mlx_op!(mlx_cumprod_axis(
        a.as_raw(),
        axis,
        reverse,
        inclusive,
        opt_dtype(dtype),
        current_raw()?
    ))
    .and_then(super::guards::skip_kernel_if_empty)
}

/// `pub fn name(a, reverse, inclusive)` over `mlx_name(res, a, reverse, inclusive,
/// stream)`, a scan of the flattened array (an empty result skips the kernel).
macro_rules! scan {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// Only if MLX reports a failure.
        pub fn $name(a: &Array, reverse: bool, inclusive: bool) -> Result<Array> {
            mlx_op!($sys(a.as_raw(), reverse, inclusive, current_raw()?))
                .and_then(super::guards::skip_kernel_if_empty)
        }
    )*};
}

/// `pub fn name(a, axis, reverse, inclusive)`: the same scan along `axis`.
macro_rules! scan_axis {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of
        /// range.
        pub fn $name(a: &Array, axis: i32, reverse: bool, inclusive: bool) -> Result<Array> {
            mlx_op!($sys(a.as_raw(), axis, reverse, inclusive, current_raw()?))
                .and_then(super::guards::skip_kernel_if_empty)
        }
    )*};
}

scan! {
    /// Cumulative maximum of the flattened array.
    ///
    /// Python: `mlx.core.cummax`.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, ops::{cummax, cummin}};
    /// let a = Array::from_slice(&[2i32, 1, 3, 0], &[4])?;
    /// assert_eq!(cummax(&a, false, true)?.to_vec::<i32>()?, [2, 2, 3, 3]);
    /// assert_eq!(cummin(&a, false, true)?.to_vec::<i32>()?, [2, 1, 1, 0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    cummax => mlx_cummax;
    /// Cumulative minimum of the flattened array.
    ///
    /// Python: `mlx.core.cummin`.
    cummin => mlx_cummin;
    /// Cumulative `log(sum(exp(a)))` of the flattened array, computed stably.
    ///
    /// Python: `mlx.core.logcumsumexp`.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, ops::logcumsumexp};
    /// let a = Array::from_slice(&[0.0f32, 0.0], &[2])?;
    /// let out = logcumsumexp(&a, false, true)?.to_vec::<f32>()?;
    /// assert!((out[1] - 2f32.ln()).abs() < 1e-6);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    logcumsumexp => mlx_logcumsumexp;
}

scan_axis! {
    /// Cumulative maximum along `axis`.
    cummax_axis => mlx_cummax_axis;
    /// Cumulative minimum along `axis`.
    cummin_axis => mlx_cummin_axis;
    /// Cumulative `log(sum(exp(a)))` along `axis`.
    logcumsumexp_axis => mlx_logcumsumexp_axis;
}
