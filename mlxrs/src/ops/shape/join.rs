//! Joining and splitting arrays: concatenate, stack, split, unstack, tile and repeat.

use crate::ffi::VectorArray;
use crate::ffi::{mlx_call, mlx_op};
use crate::stream::current_raw;
use crate::{Array, Result};

/// Joins arrays along `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an empty `arrays`, arrays
/// whose ranks differ or whose shapes differ outside `axis`, or an `axis` out of range.
pub fn concatenate(arrays: &[Array], axis: i32) -> Result<Array> {
    let v = VectorArray::from_arrays(arrays)?;
    mlx_op!(mlx_concatenate_axis(v.as_raw(), axis, current_raw()?))
}

/// Stacks arrays along a new axis `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an empty `arrays`, arrays
/// whose shapes differ, or an `axis` out of range.
pub fn stack(arrays: &[Array], axis: i32) -> Result<Array> {
    let v = VectorArray::from_arrays(arrays)?;
    mlx_op!(mlx_stack_axis(v.as_raw(), axis, current_raw()?))
}

/// Splits into `num_splits` equal parts along `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `num_splits` is not
/// positive or does not divide the size of `axis`, or `axis` is out of range.
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

/// Joins arrays after flattening each one: Python's `mx.concatenate(arrays, axis=None)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an empty `arrays`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::concatenate_flat};
/// let a = Array::from_slice(&[1i32, 2, 3, 4], &[2, 2])?;
/// let b = Array::from_slice(&[5i32], &[1])?;
/// assert_eq!(concatenate_flat(&[a, b])?.to_vec::<i32>()?, [1, 2, 3, 4, 5]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn concatenate_flat(arrays: &[Array]) -> Result<Array> {
    let v = VectorArray::from_arrays(arrays)?;
    mlx_op!(mlx_concatenate(v.as_raw(), current_raw()?))
}

/// Splits along `axis` at the given indices: `indices = [2, 3]` gives `a[:2]`, `a[2:3]`
/// and `a[3:]` (Python's `mx.split(a, [2, 3], axis)`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::split_sections};
/// let parts = split_sections(&Array::arange(0.0, 6.0, 1.0, Dtype::Int32)?, &[2, 3], 0)?;
/// assert_eq!(parts.len(), 3);
/// assert_eq!(parts[2].to_vec::<i32>()?, [3, 4, 5]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn split_sections(a: &Array, indices: &[i32], axis: i32) -> Result<Vec<Array>> {
    let mut out = VectorArray::empty();
    mlx_call!(mlx_split_sections(
        out.as_out(),
        a.as_raw(),
        indices.as_ptr(),
        indices.len(),
        axis,
        current_raw()?
    ))?;
    out.to_arrays()
}

/// The slices along `axis`, each without that axis (Python's `mx.unstack`; Python's
/// default axis is 0).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range
/// (any axis, for a 0-dimensional `a`).
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::unstack};
/// let rows = unstack(&Array::from_slice(&[1i32, 2, 3, 4], &[2, 2])?, 1)?;
/// assert_eq!(rows[0].to_vec::<i32>()?, [1, 3]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn unstack(a: &Array, axis: i32) -> Result<Vec<Array>> {
    let mut out = VectorArray::empty();
    mlx_call!(mlx_unstack_axis(
        out.as_out(),
        a.as_raw(),
        axis,
        current_raw()?
    ))?;
    out.to_arrays()
}

/// Repeats the whole array `reps[i]` times along axis `i` (NumPy's `tile`).
///
/// Python: `mlx.core.tile`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative entry in
/// `reps`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::tile};
/// let a = Array::from_slice(&[1i32, 2], &[2])?;
/// assert_eq!(tile(&a, &[2])?.to_vec::<i32>()?, [1, 2, 1, 2]);
/// assert_eq!(tile(&a, &[2, 1])?.shape(), &[2, 2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn tile(a: &Array, reps: &[i32]) -> Result<Array> {
    mlx_op!(mlx_tile(
        a.as_raw(),
        reps.as_ptr(),
        reps.len(),
        current_raw()?
    ))
}

/// Repeats each element `repeats` times, flattening first (Python's
/// `mx.repeat(a, repeats)` with no axis).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative `repeats`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{repeat, repeat_axis}};
/// let a = Array::from_slice(&[1i32, 2, 3, 4], &[2, 2])?;
/// assert_eq!(repeat(&a, 2)?.to_vec::<i32>()?, [1, 1, 2, 2, 3, 3, 4, 4]);
/// assert_eq!(repeat_axis(&a, 2, 0)?.to_vec::<i32>()?, [1, 2, 1, 2, 3, 4, 3, 4]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn repeat(a: &Array, repeats: i32) -> Result<Array> {
    mlx_op!(mlx_repeat(a.as_raw(), repeats, current_raw()?))
}

/// Repeats each element `repeats` times along `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative `repeats`, or
/// an `axis` out of range.
pub fn repeat_axis(a: &Array, repeats: i32, axis: i32) -> Result<Array> {
    mlx_op!(mlx_repeat_axis(a.as_raw(), repeats, axis, current_raw()?))
}
