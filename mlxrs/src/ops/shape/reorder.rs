//! Reordering elements along axes: roll, flip, and differences along an axis.

use crate::ffi::mlx_op;
use crate::stream::current_raw;
use crate::{Array, Result};

/// Rolls the flattened array by `shift` positions (elements shifted past the end come
/// back at the start), keeping the shape. Python: `mx.roll(a, shift)`.
///
/// # Errors
/// Only if MLX reports a failure.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{roll, roll_axis}};
/// let a = Array::from_slice(&[1i32, 2, 3, 4], &[2, 2])?;
/// assert_eq!(roll(&a, &[1])?.to_vec::<i32>()?, [4, 1, 2, 3]);
/// assert_eq!(roll_axis(&a, &[1], 1)?.to_vec::<i32>()?, [2, 1, 4, 3]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn roll(a: &Array, shift: &[i32]) -> Result<Array> {
    mlx_op!(mlx_roll(
        a.as_raw(),
        shift.as_ptr(),
        shift.len(),
        current_raw()?
    ))
}

/// Rolls along `axis` by `shift` positions.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range.
pub fn roll_axis(a: &Array, shift: &[i32], axis: i32) -> Result<Array> {
    mlx_op!(mlx_roll_axis(
        a.as_raw(),
        shift.as_ptr(),
        shift.len(),
        axis,
        current_raw()?
    ))
}

/// Rolls along each of `axes` by the matching entry of `shift`, which needs at least one
/// entry per axis.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range, or a
/// `shift` with fewer entries than `axes`.
pub fn roll_axes(a: &Array, shift: &[i32], axes: &[i32]) -> Result<Array> {
    mlx_op!(mlx_roll_axes(
        a.as_raw(),
        shift.as_ptr(),
        shift.len(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))
}

/// Reverses the order of the elements along every axis.
///
/// Python: `mlx.core.flip(a)`.
///
/// # Errors
/// Only if MLX reports a failure.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{flip, flip_axis}};
/// let a = Array::from_slice(&[1i32, 2, 3, 4], &[2, 2])?;
/// assert_eq!(flip(&a)?.to_vec::<i32>()?, [4, 3, 2, 1]);
/// assert_eq!(flip_axis(&a, 1)?.to_vec::<i32>()?, [2, 1, 4, 3]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn flip(a: &Array) -> Result<Array> {
    mlx_op!(mlx_flip(a.as_raw(), current_raw()?))
}

/// Reverses the order of the elements along `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range.
pub fn flip_axis(a: &Array, axis: i32) -> Result<Array> {
    mlx_op!(mlx_flip_axis(a.as_raw(), axis, current_raw()?))
}

/// Reverses the order of the elements along each of `axes`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range.
pub fn flip_axes(a: &Array, axes: &[i32]) -> Result<Array> {
    mlx_op!(mlx_flip_axes(
        a.as_raw(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))
}

/// The `n`-th discrete difference along `axis` (`a[1:] - a[:-1]`, applied `n` times).
///
/// Python: `mlx.core.diff` (defaults `n = 1`, `axis = -1`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative `n`, or an
/// `axis` out of range (any axis, for a 0-dimensional `a`).
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::diff};
/// let a = Array::from_slice(&[1i32, 4, 9, 16], &[4])?;
/// assert_eq!(diff(&a, 1, -1)?.to_vec::<i32>()?, [3, 5, 7]);
/// assert_eq!(diff(&a, 2, -1)?.to_vec::<i32>()?, [2, 2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn diff(a: &Array, n: i32, axis: i32) -> Result<Array> {
    mlx_op!(mlx_diff(a.as_raw(), n, axis, current_raw()?))
}
