//! Shape manipulation: reshape, transpose, broadcast, concatenate, split, pad, tile,
//! repeat, roll, flip and views.
//!
//! ```
//! use mlxrs::{Array, Dtype, ops::{reshape, swapaxes, tile}};
//! let a = reshape(&Array::arange(0.0, 6.0, 1.0, Dtype::Int32)?, &[2, 3])?;
//! assert_eq!(swapaxes(&a, 0, 1)?.to_vec::<i32>()?, [0, 3, 1, 4, 2, 5]);
//! assert_eq!(tile(&a, &[2, 1])?.shape(), &[4, 3]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

mod join;
mod pad;
mod reorder;
mod views;

pub use join::*;
pub use pad::*;
pub use reorder::*;
pub use views::*;

use super::unary;
use crate::ffi::VectorArray;
use crate::ffi::{mlx_call, mlx_op};
use crate::stream::current_raw;
use crate::{Array, Result, Shape};

unary! {
    /// Reverses the axes.
    transpose => mlx_transpose;
    /// Removes all axes of size 1.
    squeeze => mlx_squeeze;
    /// A copy of the array.
    copy => mlx_copy;
    /// At least one dimension.
    atleast_1d => mlx_atleast_1d;
    /// At least two dimensions.
    atleast_2d => mlx_atleast_2d;
    /// At least three dimensions.
    atleast_3d => mlx_atleast_3d;
}

/// The same data with a new shape (one dimension may be `-1`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `shape` does not hold as
/// many elements as `a`, or more than one dimension is `-1`;
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize` dimension of
/// `shape` does not fit in `i32`, or a dimension is below `-1` (MLX 0.32 accepts
/// `(-2, -3)` for 6 elements and makes an array of that negative shape).
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::reshape};
/// let a = Array::arange(0.0, 6.0, 1.0, mlxrs::Dtype::Float32)?;
/// assert_eq!(reshape(&a, &[2, -1])?.shape(), &[2, 3]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn reshape(a: &Array, shape: impl Shape) -> Result<Array> {
    let dims = shape.dims()?;
    no_negative_sizes("reshape", &dims)?;
    mlx_op!(mlx_reshape(
        a.as_raw(),
        dims.as_ptr(),
        dims.len(),
        current_raw()?
    ))
}

/// Rejects sizes below `-1` (the one inferred size), which MLX 0.32 turns into arrays
/// of negative shape when their product matches.
fn no_negative_sizes(op: &str, dims: &[i32]) -> crate::Result<()> {
    match dims.iter().find(|&&d| d < -1) {
        Some(d) => Err(crate::Error::invalid(
            "shape",
            format!("{op}: size {d} in {dims:?}; sizes are non-negative or -1 (inferred)"),
        )),
        None => Ok(()),
    }
}

/// Permutes the axes.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `axes` is not a
/// permutation of the axes of `a` (wrong length, an axis out of range or given twice).
pub fn transpose_axes(a: &Array, axes: &[i32]) -> Result<Array> {
    mlx_op!(mlx_transpose_axes(
        a.as_raw(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))
}

/// Swaps two axes.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range.
pub fn swapaxes(a: &Array, axis1: i32, axis2: i32) -> Result<Array> {
    mlx_op!(mlx_swapaxes(a.as_raw(), axis1, axis2, current_raw()?))
}

/// Moves axis `source` to position `destination`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range.
pub fn moveaxis(a: &Array, source: i32, destination: i32) -> Result<Array> {
    mlx_op!(mlx_moveaxis(
        a.as_raw(),
        source,
        destination,
        current_raw()?
    ))
}

/// Removes the given axes (each must have size 1).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range,
/// given twice, or whose size is not 1.
pub fn squeeze_axes(a: &Array, axes: &[i32]) -> Result<Array> {
    mlx_op!(mlx_squeeze_axes(
        a.as_raw(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))
}

/// Inserts an axis of size 1 at `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range for
/// the result.
pub fn expand_dims(a: &Array, axis: i32) -> Result<Array> {
    mlx_op!(mlx_expand_dims(a.as_raw(), axis, current_raw()?))
}

/// Inserts axes of size 1 at `axes`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range for
/// the result, or given twice.
pub fn expand_dims_axes(a: &Array, axes: &[i32]) -> Result<Array> {
    mlx_op!(mlx_expand_dims_axes(
        a.as_raw(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))
}

/// Broadcasts to `shape`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `a` does not broadcast to
/// `shape`; [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize`
/// dimension of `shape` does not fit in `i32`.
pub fn broadcast_to(a: &Array, shape: impl Shape) -> Result<Array> {
    let dims = shape.dims()?;
    mlx_op!(mlx_broadcast_to(
        a.as_raw(),
        dims.as_ptr(),
        dims.len(),
        current_raw()?
    ))
}

/// Flattens axes `start_axis..=end_axis` into one.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `start_axis` comes after
/// `end_axis` (once negative axes are resolved).
pub fn flatten(a: &Array, start_axis: i32, end_axis: i32) -> Result<Array> {
    mlx_op!(mlx_flatten(
        a.as_raw(),
        start_axis,
        end_axis,
        current_raw()?
    ))
}

/// A row-contiguous copy (or a column-contiguous one where `allow_col_major` and the
/// input already is).
///
/// # Errors
/// Only if MLX reports a failure.
pub fn contiguous(a: &Array, allow_col_major: bool) -> Result<Array> {
    mlx_op!(mlx_contiguous(a.as_raw(), allow_col_major, current_raw()?))
}

/// The sub-array `start[i]..stop[i]` in steps of `strides[i]` along each axis.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] when the three slices differ in length or a stride
/// is 0; MLX's error
/// ([`Error::Backend`](crate::Error::Backend)) when they do not have one entry per axis
/// of `a`.
pub fn slice(a: &Array, start: &[i32], stop: &[i32], strides: &[i32]) -> Result<Array> {
    super::indexing::check_slice_lengths("slice", start, stop, strides)?;
    mlx_op!(mlx_slice(
        a.as_raw(),
        start.as_ptr(),
        start.len(),
        stop.as_ptr(),
        stop.len(),
        strides.as_ptr(),
        strides.len(),
        current_raw()?
    ))
}

/// Broadcasts all arrays against each other.
///
/// Python: `mlx.core.broadcast_arrays`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when the shapes do not
/// broadcast together.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::broadcast_arrays};
/// let out = broadcast_arrays(&[Array::zeros(&[2, 1], mlxrs::Dtype::Float32)?, Array::from(1.0f32)])?;
/// assert_eq!(out[1].shape(), &[2, 1]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn broadcast_arrays(arrays: &[Array]) -> Result<Vec<Array>> {
    let v = VectorArray::from_arrays(arrays)?;
    let mut out = VectorArray::empty();
    mlx_call!(mlx_broadcast_arrays(
        out.as_out(),
        v.as_raw(),
        current_raw()?
    ))?;
    out.to_arrays()
}

/// Removes axis `axis` (it must have size 1).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range or
/// whose size is not 1.
pub fn squeeze_axis(a: &Array, axis: i32) -> Result<Array> {
    mlx_op!(mlx_squeeze_axis(a.as_raw(), axis, current_raw()?))
}

/// Splits axis `axis` into the dimensions `shape` (one may be `-1`).
///
/// Python: `mlx.core.unflatten`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `shape` is empty, has
/// more than one `-1`, or does not hold as many elements as axis `axis`, or `axis` is out
/// of range; [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize`
/// dimension of `shape` does not fit in `i32`, or a size is below `-1`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::unflatten};
/// let a = Array::zeros(&[6, 5], Dtype::Float32)?;
/// assert_eq!(unflatten(&a, 0, &[2, -1])?.shape(), &[2, 3, 5]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn unflatten(a: &Array, axis: i32, shape: impl Shape) -> Result<Array> {
    let dims = shape.dims()?;
    no_negative_sizes("unflatten", &dims)?;
    // MLX 0.32.2 infers a -1 by dividing by the product of the other sizes: with a 0
    // among them that is a division by zero (SIGFPE, in Python MLX too).
    if dims.contains(&-1) && dims.contains(&0) {
        return Err(crate::Error::invalid(
            "shape",
            format!("unflatten cannot infer the -1 in {dims:?} next to a size of 0"),
        ));
    }
    mlx_op!(mlx_unflatten(
        a.as_raw(),
        axis,
        dims.as_ptr(),
        dims.len(),
        current_raw()?
    ))
}

#[cfg(test)]
mod tests;
