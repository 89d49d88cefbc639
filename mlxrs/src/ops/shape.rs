//! Shape manipulation: reshape, transpose, broadcast, concatenate, slice.

use super::unary;
use crate::error::mlx_call;
use crate::stream::current_raw;
use crate::vector::VectorArray;
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
/// ```
/// use mlxrs::{Array, ops::reshape};
/// let a = Array::arange(0.0, 6.0, 1.0, mlxrs::Dtype::Float32).unwrap();
/// assert_eq!(reshape(&a, &[2, -1]).unwrap().shape(), &[2, 3]);
/// ```
pub fn reshape(a: &Array, shape: impl Shape) -> Result<Array> {
    let dims = shape.dims()?;
    let mut out = Array::empty();
    mlx_call!(mlx_reshape(
        out.as_out(),
        a.as_raw(),
        dims.as_ptr(),
        dims.len(),
        current_raw()?
    ))?;
    Ok(out)
}

/// Permutes the axes.
pub fn transpose_axes(a: &Array, axes: &[i32]) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_transpose_axes(
        out.as_out(),
        a.as_raw(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))?;
    Ok(out)
}

/// Swaps two axes.
pub fn swapaxes(a: &Array, axis1: i32, axis2: i32) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_swapaxes(
        out.as_out(),
        a.as_raw(),
        axis1,
        axis2,
        current_raw()?
    ))?;
    Ok(out)
}

/// Moves axis `source` to position `destination`.
pub fn moveaxis(a: &Array, source: i32, destination: i32) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_moveaxis(
        out.as_out(),
        a.as_raw(),
        source,
        destination,
        current_raw()?
    ))?;
    Ok(out)
}

/// Removes the given axes (each must have size 1).
pub fn squeeze_axes(a: &Array, axes: &[i32]) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_squeeze_axes(
        out.as_out(),
        a.as_raw(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))?;
    Ok(out)
}

/// Inserts an axis of size 1 at `axis`.
pub fn expand_dims(a: &Array, axis: i32) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_expand_dims(
        out.as_out(),
        a.as_raw(),
        axis,
        current_raw()?
    ))?;
    Ok(out)
}

/// Inserts axes of size 1 at `axes`.
pub fn expand_dims_axes(a: &Array, axes: &[i32]) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_expand_dims_axes(
        out.as_out(),
        a.as_raw(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))?;
    Ok(out)
}

/// Broadcasts to `shape`.
pub fn broadcast_to(a: &Array, shape: impl Shape) -> Result<Array> {
    let dims = shape.dims()?;
    let mut out = Array::empty();
    mlx_call!(mlx_broadcast_to(
        out.as_out(),
        a.as_raw(),
        dims.as_ptr(),
        dims.len(),
        current_raw()?
    ))?;
    Ok(out)
}

/// Flattens axes `start_axis..=end_axis` into one.
pub fn flatten(a: &Array, start_axis: i32, end_axis: i32) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_flatten(
        out.as_out(),
        a.as_raw(),
        start_axis,
        end_axis,
        current_raw()?
    ))?;
    Ok(out)
}

/// A row-contiguous copy (or a column-contiguous one where `allow_col_major` and the
/// input already is).
pub fn contiguous(a: &Array, allow_col_major: bool) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_contiguous(
        out.as_out(),
        a.as_raw(),
        allow_col_major,
        current_raw()?
    ))?;
    Ok(out)
}

/// Joins arrays along `axis`.
pub fn concatenate(arrays: &[Array], axis: i32) -> Result<Array> {
    let v = VectorArray::from_arrays(arrays);
    let mut out = Array::empty();
    mlx_call!(mlx_concatenate_axis(
        out.as_out(),
        v.as_raw(),
        axis,
        current_raw()?
    ))?;
    Ok(out)
}

/// Stacks arrays along a new axis `axis`.
pub fn stack(arrays: &[Array], axis: i32) -> Result<Array> {
    let v = VectorArray::from_arrays(arrays);
    let mut out = Array::empty();
    mlx_call!(mlx_stack_axis(
        out.as_out(),
        v.as_raw(),
        axis,
        current_raw()?
    ))?;
    Ok(out)
}

/// Splits into `num_splits` equal parts along `axis`.
pub fn split(a: &Array, num_splits: i32, axis: i32) -> Result<Vec<Array>> {
    let mut out = VectorArray::empty();
    mlx_call!(mlx_split(
        out.as_out(),
        a.as_raw(),
        num_splits,
        axis,
        current_raw()?
    ))?;
    out.to_arrays()
}

/// The sub-array `start[i]..stop[i]` in steps of `strides[i]` along each axis.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] when the three slices differ in length.
pub fn slice(a: &Array, start: &[i32], stop: &[i32], strides: &[i32]) -> Result<Array> {
    if start.len() != stop.len() || start.len() != strides.len() {
        return Err(crate::Error::invalid(
            "start/stop/strides",
            format!(
                "slice needs equal lengths, got {}, {} and {}",
                start.len(),
                stop.len(),
                strides.len()
            ),
        ));
    }
    let mut out = Array::empty();
    mlx_call!(mlx_slice(
        out.as_out(),
        a.as_raw(),
        start.as_ptr(),
        start.len(),
        stop.as_ptr(),
        stop.len(),
        strides.as_ptr(),
        strides.len(),
        current_raw()?
    ))?;
    Ok(out)
}
