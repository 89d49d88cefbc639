//! Indexing ops: `take`, `take_along_axis`, `put_along_axis`, `gather`, the `scatter`
//! family, `slice_update` (static and dynamic), `slice_dynamic`, `masked_scatter` and
//! [`r#where`](fn.where.html).
//!
//! For NumPy-style `a[1:3, ..., None]` indexing, see [`Array::index`] and
//! [`Array::index_put`], which take a list of [`Idx`].
//!
//! Naming follows MLX's C++ API: a `_single` suffix takes one index array for one axis,
//! the plain name a list of index arrays for a list of axes; `scatter_add_axis` is the
//! along-axis form (like [`put_along_axis`], but adding).
//!
//! **Index arrays are kept in bounds.** MLX does not check the entries of index arrays:
//! one outside its axis reads or writes outside the array's buffer (garbage, or a crash
//! of the process, in Python MLX too). Every index array that enters an op of this
//! module is first made safe lazily, inside the graph, and in-range entries (negative
//! ones counting from the end, as in MLX) keep their meaning:
//! - an index of a single element (`take`, `take_along_axis`, `put_along_axis`, the
//!   gathers and scatters along axes of block size 1, array indexing) is taken modulo
//!   the axis size, so an out-of-range one wraps around (NumPy's `mode="wrap"`); this
//!   costs one elementwise op, and none for index dtypes too narrow to go out of range
//!   or for an evaluated index array whose entries are all in range (checked on the
//!   host, about a nanosecond per entry, for up to 16,384 entries);
//! - the start of a block (gathers and scatters of larger blocks, dynamic slices) is
//!   clamped so that the block lies inside the axis (JAX's behaviour).
//!
//! (Under `compile` with `shapeless = true` the bounds are those of the shapes traced
//! first.)
//!
//! ```
//! use mlxrs::{Array, ops::{take, take_axis}};
//! let a = Array::from_slice(&[10i32, 20, 30, 40], &[2, 2])?;
//! let i = Array::from_slice(&[3i32, 0], &[2])?;
//! assert_eq!(take(&a, &i)?.to_vec::<i32>()?, [40, 10]);
//! assert_eq!(take_axis(&a, &Array::from_slice(&[1i32], &[1])?, 0)?.to_vec::<i32>()?, [30, 40]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use crate::ffi::VectorArray;
use crate::ffi::mlx_op;
use crate::stream::current_raw;
use crate::{Array, Error, Result};

use super::guards::{
    along, dynamic_start, each_in_bounds, fail_closed, gather_window, scatter_window, wrap_index,
};

pub use crate::array::{Idx, s};

/// Elements of the flattened `a` at `indices` (the result has the shape of `indices`).
///
/// Python: `mlx.core.take(a, indices)` (no axis).
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `indices` is not of an integer dtype, or `a` is
/// empty and `indices` is not.
pub fn take(a: &Array, indices: &Array) -> Result<Array> {
    // The flattened size is taken in `i64`: arrays past `i32::MAX` elements are guarded too.
    let n = i64::try_from(a.size()).unwrap_or(i64::MAX);
    fail_closed("take", wrap_index(indices, n)?, indices.clone(), |i| {
        mlx_op!(mlx_take(a.as_raw(), i.as_raw(), current_raw()?))
    })
}

/// Slices of `a` along `axis` at `indices`: `take_axis(a, i, 1)` is `a[:, i]`.
///
/// Python: `mlx.core.take(a, indices, axis)`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when that axis is empty and `indices` is not; MLX's error
/// ([`Error::Backend`]) when `indices` is not of an integer dtype or `axis` is out of
/// range.
pub fn take_axis(a: &Array, indices: &Array, axis: i32) -> Result<Array> {
    fail_closed(
        "take_axis",
        along("take_axis", a, indices, axis)?,
        indices.clone(),
        |i| mlx_op!(mlx_take_axis(a.as_raw(), i.as_raw(), axis, current_raw()?)),
    )
}

/// Elements of `a` at `indices` along `axis`, where `indices` broadcasts against `a`
/// (the companion of [`argsort_axis`](super::argsort_axis) and friends).
///
/// Python: `mlx.core.take_along_axis`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when axis `axis` of `a` is empty and `indices` is not (MLX
/// 0.32 reads outside the buffer then); MLX's error ([`Error::Backend`]) when `indices`
/// is not of an integer dtype, does not have as many dimensions as `a` or does not
/// broadcast against it, or `axis` is out of range.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{argsort_axis, take_along_axis}};
/// let a = Array::from_slice(&[3i32, 1, 2, 0], &[2, 2])?;
/// let sorted = take_along_axis(&a, &argsort_axis(&a, 1)?, 1)?;
/// assert_eq!(sorted.to_vec::<i32>()?, [1, 3, 0, 2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn take_along_axis(a: &Array, indices: &Array, axis: i32) -> Result<Array> {
    fail_closed(
        "take_along_axis",
        along("take_along_axis", a, indices, axis)?,
        indices.clone(),
        |i| {
            mlx_op!(mlx_take_along_axis(
                a.as_raw(),
                i.as_raw(),
                axis,
                current_raw()?
            ))
        },
    )
}

/// Elements of the flattened `a` at the 1-D `indices` (Python's `axis=None`: `a` is
/// flattened first, then indexed along its only axis).
///
/// Python: `mlx.core.take_along_axis(a, indices, axis=None)`.
///
/// # Errors
/// As for [`take_along_axis`] along axis 0 of the flattened `a`: MLX's error when
/// `indices` is not 1-dimensional or not of an integer dtype.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::take_along_axis_flat};
/// let a = Array::from_slice(&[3i32, 1, 2, 0, 5, 4], &[2, 3])?;
/// let idx = Array::from_slice(&[2i32, 0, 4], &[3])?;
/// assert_eq!(take_along_axis_flat(&a, &idx)?.to_vec::<i32>()?, [2, 3, 5]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn take_along_axis_flat(a: &Array, indices: &Array) -> Result<Array> {
    take_along_axis(&a.reshape(&[-1])?, indices, 0)
}

/// A copy of `a` with `values` written at `indices` along `axis` (the inverse of
/// [`take_along_axis`]).
///
/// Python: `mlx.core.put_along_axis`.
///
/// # Errors
/// As for [`take_along_axis`] (MLX 0.32 writes outside the buffer for an empty axis).
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::put_along_axis};
/// let a = Array::zeros(&[2, 3], mlxrs::Dtype::Int32)?;
/// let idx = Array::from_slice(&[2i32, 0], &[2, 1])?;
/// let out = put_along_axis(&a, &idx, &Array::from(7i32), 1)?;
/// assert_eq!(out.to_vec::<i32>()?, [0, 0, 7, 7, 0, 0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn put_along_axis(a: &Array, indices: &Array, values: &Array, axis: i32) -> Result<Array> {
    fail_closed(
        "put_along_axis",
        along("put_along_axis", a, indices, axis)?,
        indices.clone(),
        |i| {
            mlx_op!(mlx_put_along_axis(
                a.as_raw(),
                i.as_raw(),
                values.as_raw(),
                axis,
                current_raw()?
            ))
        },
    )
}

/// A copy of `a` with `values` written at the 1-D `indices` of the flattened `a`; the
/// result has `a`'s shape (Python's `axis=None`).
///
/// Python: `mlx.core.put_along_axis(a, indices, values, axis=None)`.
///
/// # Errors
/// As for [`put_along_axis`] along axis 0 of the flattened `a`: MLX's error when
/// `indices` is not 1-dimensional or not of an integer dtype, or `values` does not
/// broadcast against it.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::put_along_axis_flat};
/// let a = Array::from_slice(&[3i32, 1, 2, 0, 5, 4], &[2, 3])?;
/// let idx = Array::from_slice(&[2i32, 0, 4], &[3])?;
/// let out = put_along_axis_flat(&a, &idx, &Array::from_slice(&[7i32, 8, 9], &[3])?)?;
/// assert_eq!((out.shape(), out.to_vec::<i32>()?), (&[2, 3][..], vec![8, 1, 7, 0, 9, 4]));
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn put_along_axis_flat(a: &Array, indices: &Array, values: &Array) -> Result<Array> {
    put_along_axis(&a.reshape(&[-1])?, indices, values, 0)?.reshape(a.shape())
}

/// A copy of `a` with `values` *added* at `indices` along `axis` (duplicates
/// accumulate).
///
/// C++: `mlx::core::scatter_add_axis`.
///
/// # Errors
/// As for [`put_along_axis`].
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::scatter_add_axis};
/// let a = Array::zeros(&[1, 3], mlxrs::Dtype::Int32)?;
/// let idx = Array::from_slice(&[0i32, 0, 2], &[1, 3])?;
/// let out = scatter_add_axis(&a, &idx, &Array::from_slice(&[1i32, 2, 3], &[1, 3])?, 1)?;
/// assert_eq!(out.to_vec::<i32>()?, [3, 0, 3]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn scatter_add_axis(a: &Array, indices: &Array, values: &Array, axis: i32) -> Result<Array> {
    fail_closed(
        "scatter_add_axis",
        along("scatter_add_axis", a, indices, axis)?,
        indices.clone(),
        |i| {
            mlx_op!(mlx_scatter_add_axis(
                a.as_raw(),
                i.as_raw(),
                values.as_raw(),
                axis,
                current_raw()?
            ))
        },
    )
}

/// Gathers slices of `a`: `indices[i]` (all broadcast to one shape `B`) index axis
/// `axes[i]`, and at each index a block of `slice_sizes` (one entry per axis of `a`) is
/// taken. The result has shape `B ++ slice_sizes`.
///
/// C++: `mlx::core::gather`; the primitive behind indexing.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `indices` and `axes` differ in length, an axis
/// is out of range or given twice, the index arrays are not of an integer dtype or do not
/// broadcast together, or `slice_sizes` does not have one entry per axis of `a`, each
/// between 0 and that axis's size.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::gather};
/// let a = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[3, 2])?;
/// let rows = Array::from_slice(&[2i32, 0], &[2])?;
/// let g = gather(&a, &[rows], &[0], &[1, 2])?;
/// assert_eq!(g.shape(), &[2, 1, 2]);
/// assert_eq!(g.to_vec::<i32>()?, [5, 6, 1, 2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn gather(a: &Array, indices: &[Array], axes: &[i32], slice_sizes: &[i32]) -> Result<Array> {
    let window = |axis| gather_window(a, slice_sizes, axis);
    let checked = each_in_bounds(a, indices, axes, window)?;
    fail_closed("gather", checked, indices.to_vec(), |i| {
        let i = VectorArray::from_arrays(&i)?;
        mlx_op!(mlx_gather(
            a.as_raw(),
            i.as_raw(),
            axes.as_ptr(),
            axes.len(),
            slice_sizes.as_ptr(),
            slice_sizes.len(),
            current_raw()?
        ))
    })
}

/// [`gather`] with one index array for one axis.
///
/// # Errors
/// As for [`gather`].
pub fn gather_single(a: &Array, indices: &Array, axis: i32, slice_sizes: &[i32]) -> Result<Array> {
    let window = |axis| gather_window(a, slice_sizes, axis);
    let checked = each_in_bounds(a, std::slice::from_ref(indices), &[axis], window)?;
    fail_closed("gather_single", checked, vec![indices.clone()], |i| {
        mlx_op!(mlx_gather_single(
            a.as_raw(),
            i[0].as_raw(),
            axis,
            slice_sizes.as_ptr(),
            slice_sizes.len(),
            current_raw()?
        ))
    })
}

macro_rules! scatter_ops {
    ($($(#[$m:meta])* $name:ident, $single:ident => $sys:ident, $sys_single:ident;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `indices` and `axes`
        /// differ in length, an axis is out of range or given twice, the index arrays are
        /// not of an integer dtype or do not broadcast together, or `updates` does not have
        /// the shape `B ++ block` described above.
        pub fn $name(a: &Array, indices: &[Array], updates: &Array, axes: &[i32]) -> Result<Array> {
            let checked = each_in_bounds(a, indices, axes, |ax| scatter_window(a, updates, ax))?;
            fail_closed(stringify!($name), checked, indices.to_vec(), |i| {
                let i = VectorArray::from_arrays(&i)?;
                mlx_op!($sys(a.as_raw(),
                    i.as_raw(),
                    updates.as_raw(),
                    axes.as_ptr(),
                    axes.len(),
                    current_raw()?))
            })
        }

        #[doc = concat!("[`", stringify!($name), "`] with one index array for one axis.")]
        ///
        /// # Errors
        #[doc = concat!("As for [`", stringify!($name), "`].")]
        pub fn $single(a: &Array, indices: &Array, updates: &Array, axis: i32) -> Result<Array> {
            let checked = each_in_bounds(a, std::slice::from_ref(indices), &[axis], |ax| {
                scatter_window(a, updates, ax)
            })?;
            fail_closed(stringify!($single), checked, vec![indices.clone()], |i| {
                mlx_op!($sys_single(a.as_raw(),
                    i[0].as_raw(),
                    updates.as_raw(),
                    axis,
                    current_raw()?))
            })
        }
    )*};
}

scatter_ops! {
    /// A copy of `a` with blocks of `updates` written at `indices`: `indices[i]` (all
    /// broadcast to one shape `B`) index axis `axes[i]`, and `updates` has shape
    /// `B ++ block` with one block dimension per axis of `a`. Where indices repeat, which
    /// write wins is unspecified. The inverse of [`gather`].
    ///
    /// C++: `mlx::core::scatter`; Python's `a[idx] = v` uses it.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, ops::{scatter, scatter_add_single}};
    /// let a = Array::zeros(&[3, 2], mlxrs::Dtype::Int32)?;
    /// let rows = Array::from_slice(&[2i32], &[1])?;
    /// let upd = Array::from_slice(&[7i32, 8], &[1, 1, 2])?;
    /// assert_eq!(scatter(&a, &[rows.clone()], &upd, &[0])?.to_vec::<i32>()?, [0, 0, 0, 0, 7, 8]);
    /// let twice = Array::from_slice(&[1i32, 1], &[2])?;
    /// let ones = Array::ones(&[2, 1, 2], mlxrs::Dtype::Int32)?;
    /// assert_eq!(scatter_add_single(&a, &twice, &ones, 0)?.to_vec::<i32>()?, [0, 0, 2, 2, 0, 0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    scatter, scatter_single => mlx_scatter, mlx_scatter_single;
    /// Like [`scatter`], but adds the updates (duplicates accumulate).
    ///
    /// C++: `mlx::core::scatter_add`; Python's `a.at[idx].add(v)`.
    scatter_add, scatter_add_single => mlx_scatter_add, mlx_scatter_add_single;
    /// Like [`scatter`], but multiplies by the updates.
    ///
    /// C++: `mlx::core::scatter_prod`; Python's `a.at[idx].multiply(v)`.
    scatter_prod, scatter_prod_single => mlx_scatter_prod, mlx_scatter_prod_single;
    /// Like [`scatter`], but keeps the maximum of the current value and the updates.
    ///
    /// C++: `mlx::core::scatter_max`; Python's `a.at[idx].maximum(v)`.
    scatter_max, scatter_max_single => mlx_scatter_max, mlx_scatter_max_single;
    /// Like [`scatter`], but keeps the minimum of the current value and the updates.
    ///
    /// C++: `mlx::core::scatter_min`; Python's `a.at[idx].minimum(v)`.
    scatter_min, scatter_min_single => mlx_scatter_min, mlx_scatter_min_single;
}

/// A copy of `a` whose elements where `mask` is true are replaced, in row-major order,
/// by consecutive elements of `src` (flattened); `mask` broadcasts to `a`.
///
/// C++: `mlx::core::masked_scatter`; Python's `a[mask] = src`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `mask` is not a `bool` array, has more
/// dimensions than `a` or does not broadcast to it, or `src` does not fit the masked
/// positions.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::masked_scatter};
/// let a = Array::zeros(&[4], mlxrs::Dtype::Int32)?;
/// let mask = Array::from_slice(&[true, false, true, false], &[4])?;
/// let out = masked_scatter(&a, &mask, &Array::from_slice(&[5i32, 6], &[2])?)?;
/// assert_eq!(out.to_vec::<i32>()?, [5, 0, 6, 0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn masked_scatter(a: &Array, mask: &Array, src: &Array) -> Result<Array> {
    mlx_op!(mlx_masked_scatter(
        a.as_raw(),
        mask.as_raw(),
        src.as_raw(),
        current_raw()?
    ))
}

/// `start`, `stop` and `strides` of `op` (`slice`, `slice_update`, ...): equal lengths,
/// and no zero stride (MLX 0.32.2 divides by it, SIGFPE; found by the `ops` fuzz target).
pub(crate) fn check_slice_lengths(
    op: &str,
    start: &[i32],
    stop: &[i32],
    strides: &[i32],
) -> Result<()> {
    if start.len() != stop.len() || start.len() != strides.len() {
        return Err(Error::invalid(
            "start/stop/strides",
            format!(
                "{op} needs equal lengths, got {}, {} and {}",
                start.len(),
                stop.len(),
                strides.len()
            ),
        ));
    }
    if strides.contains(&0) {
        return Err(Error::invalid(
            "strides",
            format!("{op}: a slice step cannot be zero, got {strides:?}"),
        ));
    }
    Ok(())
}

macro_rules! slice_updates {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        pub fn $name(
            src: &Array,
            update: &Array,
            start: &[i32],
            stop: &[i32],
            strides: &[i32],
        ) -> Result<Array> {
            check_slice_lengths(stringify!($name), start, stop, strides)?;
            mlx_op!($sys(src.as_raw(),
                update.as_raw(),
                start.as_ptr(),
                start.len(),
                stop.as_ptr(),
                stop.len(),
                strides.as_ptr(),
                strides.len(),
                current_raw()?))
        }
    )*};
}

slice_updates! {
    /// A copy of `src` with the slice `start[i]..stop[i]` step `strides[i]` (one entry
    /// per axis, as for [`slice`](super::slice)) replaced by `update`, which broadcasts
    /// to the slice's shape.
    ///
    /// C++: `mlx::core::slice_update`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the three slices differ in length or a stride is 0;
    /// MLX's error
    /// ([`Error::Backend`]) when they do not have one entry per axis of `src`, or `update`
    /// does not broadcast to the slice.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, ops::{slice_update, slice_update_add}};
    /// let a = Array::zeros(&[2, 3], mlxrs::Dtype::Int32)?;
    /// let b = slice_update(&a, &Array::from(1i32), &[0, 1], &[2, 3], &[1, 1])?;
    /// assert_eq!(b.to_vec::<i32>()?, [0, 1, 1, 0, 1, 1]);
    /// let c = slice_update_add(&b, &Array::from(5i32), &[1, 0], &[2, 3], &[1, 2])?;
    /// assert_eq!(c.to_vec::<i32>()?, [0, 1, 1, 5, 1, 6]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    slice_update => mlx_slice_update;
    /// Like [`slice_update`], but adds `update` to the slice.
    ///
    /// # Errors
    /// As for [`slice_update`].
    slice_update_add => mlx_slice_update_add;
    /// Like [`slice_update`], but multiplies the slice by `update`.
    ///
    /// # Errors
    /// As for [`slice_update`].
    slice_update_prod => mlx_slice_update_prod;
    /// Like [`slice_update`], but keeps the elementwise maximum with `update`.
    ///
    /// # Errors
    /// As for [`slice_update`].
    slice_update_max => mlx_slice_update_max;
    /// Like [`slice_update`], but keeps the elementwise minimum with `update`.
    ///
    /// # Errors
    /// As for [`slice_update`].
    slice_update_min => mlx_slice_update_min;
}

/// The block of shape `slice_size` (one entry per axis of `a`) starting at the
/// positions held in the integer array `start` along `axes`; the start is read when the
/// graph runs, so it may be computed.
///
/// Python: `mlx.core.slice(a, start_indices, axes, slice_size)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `start` is not of an integer dtype or does not
/// have one entry per axis in `axes`, or `slice_size` does not have one entry per axis of
/// `a`, each at most that axis's size.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::slice_dynamic};
/// let a = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[3, 2])?;
/// let row = slice_dynamic(&a, &Array::from_slice(&[2i32], &[1])?, &[0], &[1, 2])?;
/// assert_eq!(row.to_vec::<i32>()?, [5, 6]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn slice_dynamic(a: &Array, start: &Array, axes: &[i32], slice_size: &[i32]) -> Result<Array> {
    let checked = dynamic_start(a, start, axes, |axis| gather_window(a, slice_size, axis))?;
    fail_closed("slice_dynamic", checked, start.clone(), |s| {
        mlx_op!(mlx_slice_dynamic(
            a.as_raw(),
            s.as_raw(),
            axes.as_ptr(),
            axes.len(),
            slice_size.as_ptr(),
            slice_size.len(),
            current_raw()?
        ))
    })
}

/// A copy of `src` with `update` written at the positions held in the integer array
/// `start` along `axes` (read when the graph runs).
///
/// Python: `mlx.core.slice_update(a, update, start_indices, axes)`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `update` has more dimensions than `src`; MLX's error
/// ([`Error::Backend`]) when `start` is not of an integer dtype or does not have one
/// entry per axis in `axes`, or `update` does not broadcast to a block of `src`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::slice_update_dynamic};
/// let a = Array::zeros(&[3, 3], mlxrs::Dtype::Float32)?;
/// let b = slice_update_dynamic(&a, &Array::ones(&[1, 2], mlxrs::Dtype::Float32)?,
///                              &Array::from_slice(&[1i32, 1], &[2])?, &[0, 1])?;
/// assert_eq!(b.to_vec::<f32>()?, [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn slice_update_dynamic(
    src: &Array,
    update: &Array,
    start: &Array,
    axes: &[i32],
) -> Result<Array> {
    // MLX 0.32 writes outside its buffers (heap corruption, then abort) for an update of
    // more dimensions than `src`; such an update cannot broadcast to a block of `src`.
    if update.ndim() > src.ndim() {
        return Err(Error::ShapeMismatch {
            op: "slice_update_dynamic",
            reason: format!(
                "update of shape {:?} has more dimensions than src of shape {:?}",
                update.shape(),
                src.shape()
            ),
        });
    }
    // `update` broadcasts against the block: align its shape to the right of `src`'s.
    let checked = dynamic_start(src, start, axes, |axis| {
        let lead = src.ndim().checked_sub(update.ndim())?;
        Some(axis.checked_sub(lead).map_or(1, |k| update.shape()[k]))
    })?;
    fail_closed("slice_update_dynamic", checked, start.clone(), |s| {
        mlx_op!(mlx_slice_update_dynamic(
            src.as_raw(),
            update.as_raw(),
            s.as_raw(),
            axes.as_ptr(),
            axes.len(),
            current_raw()?
        ))
    })
}

/// Elements of `x` where `condition` is true and of `y` elsewhere, broadcasting all
/// three.
///
/// Python: `mlx.core.where` (a Rust keyword, hence the raw identifier: call it as
/// `ops::r#where`).
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `condition`, `x` and `y` do not broadcast
/// together.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops};
/// let c = Array::from_slice(&[true, false, true], &[3])?;
/// let x = Array::from_slice(&[1i32, 2, 3], &[3])?;
/// let out = ops::r#where(&c, &x, &Array::from(0i32))?;
/// assert_eq!(out.to_vec::<i32>()?, [1, 0, 3]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn r#where(condition: &Array, x: &Array, y: &Array) -> Result<Array> {
    mlx_op!(mlx_where(
        condition.as_raw(),
        x.as_raw(),
        y.as_raw(),
        current_raw()?
    ))
}
