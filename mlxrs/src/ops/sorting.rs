//! Sorting and selection: `sort`, `argsort`, `partition`, `argpartition`, `topk`,
//! `searchsorted`.
//!
//! Each op comes in three forms. The plain one, `sort(a)`, works along the **last axis**,
//! as Python's default `axis=-1` does; `sort_axis(a, axis)` works along one given axis;
//! `sort_flat(a)` works on the flattened array (Python's `axis=None`), as
//! [`concatenate_flat`](super::concatenate_flat) does for `concatenate`.
//!
//! ```
//! use mlxrs::{Array, ops::{argsort, sort, sort_axis, sort_flat}};
//! let a = Array::from_slice(&[3i32, 1, 2, 0], &[2, 2])?;
//! assert_eq!(sort(&a)?.to_vec::<i32>()?, [1, 3, 0, 2]);
//! assert_eq!(sort_axis(&a, 0)?.to_vec::<i32>()?, [2, 0, 3, 1]);
//! assert_eq!(sort_flat(&a)?.to_vec::<i32>()?, [0, 1, 2, 3]);
//! assert_eq!(argsort(&a)?.to_vec::<u32>()?, [1, 0, 1, 0]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use std::ffi::CStr;

use crate::ffi::mlx_op;
use crate::stream::current_raw;
use crate::{Array, Result};

/// The array sorted ascending along its last axis.
///
/// Python: `mlx.core.sort(a)` (default `axis=-1`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a 0-dimensional array.
pub fn sort(a: &Array) -> Result<Array> {
    sort_axis(a, -1)
}

/// The array sorted ascending along `axis`.
///
/// Python: `mlx.core.sort(a, axis)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range.
pub fn sort_axis(a: &Array, axis: i32) -> Result<Array> {
    mlx_op!(mlx_sort_axis(a.as_raw(), axis, current_raw()?))
        .and_then(super::guards::skip_kernel_if_empty)
}

/// The flattened array, sorted ascending.
///
/// Python: `mlx.core.sort(a, axis=None)`.
///
/// # Errors
/// Only if MLX reports a failure.
pub fn sort_flat(a: &Array) -> Result<Array> {
    mlx_op!(mlx_sort(a.as_raw(), current_raw()?)).and_then(super::guards::skip_kernel_if_empty)
}

/// The indices (`uint32`) that sort the array along its last axis.
///
/// Python: `mlx.core.argsort(a)` (default `axis=-1`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a 0-dimensional array.
pub fn argsort(a: &Array) -> Result<Array> {
    argsort_axis(a, -1)
}

/// The indices (`uint32`) that sort the array along `axis`.
///
/// Python: `mlx.core.argsort(a, axis)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range.
pub fn argsort_axis(a: &Array, axis: i32) -> Result<Array> {
    mlx_op!(mlx_argsort_axis(a.as_raw(), axis, current_raw()?))
        .and_then(super::guards::skip_kernel_if_empty)
}

/// The indices (`uint32`) that sort the flattened array.
///
/// Python: `mlx.core.argsort(a, axis=None)`.
///
/// # Errors
/// Only if MLX reports a failure.
pub fn argsort_flat(a: &Array) -> Result<Array> {
    mlx_op!(mlx_argsort(a.as_raw(), current_raw()?)).and_then(super::guards::skip_kernel_if_empty)
}

/// The array partitioned around its `kth` element along the last axis: that element
/// lands in its sorted position, smaller ones before it and larger ones after (in no
/// given order). Negative `kth` counts from the end.
///
/// Python: `mlx.core.partition(a, kth)` (default `axis=-1`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a 0-dimensional array, or
/// a `kth` outside `-n..n`, `n` being the size of the last axis.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::partition};
/// let p = partition(&Array::from_slice(&[5i32, 1, 4, 2, 3], &[5])?, 2)?.to_vec::<i32>()?;
/// assert_eq!(p[2], 3);
/// assert!(p[..2].iter().all(|&v| v < 3) && p[3..].iter().all(|&v| v > 3));
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn partition(a: &Array, kth: i32) -> Result<Array> {
    partition_axis(a, kth, -1)
}

/// The array partitioned around its `kth` element along `axis`.
///
/// Python: `mlx.core.partition(a, kth, axis)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range, or
/// a `kth` outside `-n..n`, `n` being the size of `axis`.
pub fn partition_axis(a: &Array, kth: i32, axis: i32) -> Result<Array> {
    mlx_op!(mlx_partition_axis(a.as_raw(), kth, axis, current_raw()?))
}

/// The flattened array partitioned around its `kth` element.
///
/// Python: `mlx.core.partition(a, kth, axis=None)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a `kth` outside `-n..n`,
/// `n` being the number of elements.
pub fn partition_flat(a: &Array, kth: i32) -> Result<Array> {
    mlx_op!(mlx_partition(a.as_raw(), kth, current_raw()?))
}

/// The indices (`uint32`) that partition the array around its `kth` element along the
/// last axis.
///
/// Python: `mlx.core.argpartition(a, kth)` (default `axis=-1`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a 0-dimensional array, or
/// a `kth` outside `-n..n`, `n` being the size of the last axis.
pub fn argpartition(a: &Array, kth: i32) -> Result<Array> {
    argpartition_axis(a, kth, -1)
}

/// The indices (`uint32`) that partition the array around its `kth` element along
/// `axis`.
///
/// Python: `mlx.core.argpartition(a, kth, axis)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range, or
/// a `kth` outside `-n..n`, `n` being the size of `axis`.
pub fn argpartition_axis(a: &Array, kth: i32, axis: i32) -> Result<Array> {
    mlx_op!(mlx_argpartition_axis(a.as_raw(), kth, axis, current_raw()?))
}

/// The indices (`uint32`) that partition the flattened array around its `kth` element.
///
/// Python: `mlx.core.argpartition(a, kth, axis=None)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a `kth` outside `-n..n`,
/// `n` being the number of elements.
pub fn argpartition_flat(a: &Array, kth: i32) -> Result<Array> {
    mlx_op!(mlx_argpartition(a.as_raw(), kth, current_raw()?))
}

/// The `k` largest elements along the last axis, in no particular order.
///
/// Python: `mlx.core.topk(a, k)` (default `axis=-1`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a 0-dimensional array, or
/// a `k` that is negative or larger than the size of the last axis.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{sort, topk}};
/// let a = Array::from_slice(&[5i32, 1, 4, 2, 3, 9], &[2, 3])?;
/// assert_eq!(sort(&topk(&a, 2)?)?.to_vec::<i32>()?, [4, 5, 3, 9]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn topk(a: &Array, k: i32) -> Result<Array> {
    topk_axis(a, k, -1)
}

/// The `k` largest elements along `axis`, in no particular order.
///
/// Python: `mlx.core.topk(a, k, axis)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range, or
/// a `k` that is negative or larger than the size of `axis`.
pub fn topk_axis(a: &Array, k: i32, axis: i32) -> Result<Array> {
    mlx_op!(mlx_topk_axis(a.as_raw(), k, axis, current_raw()?))
}

/// The `k` largest elements of the flattened array, in no particular order.
///
/// Python: `mlx.core.topk(a, k, axis=None)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a `k` that is negative or
/// larger than the number of elements.
pub fn topk_flat(a: &Array, k: i32) -> Result<Array> {
    mlx_op!(mlx_topk(a.as_raw(), k, current_raw()?))
}

/// Which insertion point [`searchsorted`] reports for values equal to elements of the
/// sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Side {
    /// The first suitable index (`sorted[i-1] < v <= sorted[i]`), Python's `"left"`.
    #[default]
    Left,
    /// The last suitable index (`sorted[i-1] <= v < sorted[i]`), Python's `"right"`.
    Right,
}

impl Side {
    /// MLX's name: `"left"` or `"right"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }

    fn as_c_str(self) -> &'static CStr {
        match self {
            Side::Left => c"left",
            Side::Right => c"right",
        }
    }
}

/// The indices at which `values` would be inserted into the ascending 1-D
/// `sorted_sequence` to keep it sorted.
///
/// Python: `mlx.core.searchsorted` (default `side="left"`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `sorted_sequence` is not
/// 1-dimensional, or has more elements than the `uint32` result can index.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{searchsorted, Side}};
/// let s = Array::from_slice(&[1.0f32, 2.0, 2.0, 3.0], &[4])?;
/// let v = Array::from_slice(&[2.0f32, 0.0, 4.0], &[3])?;
/// assert_eq!(searchsorted(&s, &v, Side::Left)?.to_vec::<u32>()?, [1, 0, 4]);
/// assert_eq!(searchsorted(&s, &v, Side::Right)?.to_vec::<u32>()?, [3, 0, 4]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn searchsorted(sorted_sequence: &Array, values: &Array, side: Side) -> Result<Array> {
    mlx_op!(mlx_searchsorted(
        sorted_sequence.as_raw(),
        values.as_raw(),
        side.as_c_str().as_ptr(),
        current_raw()?
    ))
}
