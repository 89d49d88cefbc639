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
//! Out-of-bounds indices in *index arrays* are not checked by MLX (negative ones count
//! from the end); the values read or written for them are unspecified.
//!
//! ```
//! use mlxrs::{Array, ops::{take, take_axis}};
//! let a = Array::from_slice(&[10i32, 20, 30, 40], &[2, 2])?;
//! let i = Array::from_slice(&[3i32, 0], &[2])?;
//! assert_eq!(take(&a, &i)?.to_vec::<i32>()?, [40, 10]);
//! assert_eq!(take_axis(&a, &Array::from_slice(&[1i32], &[1])?, 0)?.to_vec::<i32>()?, [30, 40]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use crate::error::mlx_call;
use crate::stream::current_raw;
use crate::vector::VectorArray;
use crate::{Array, Error, Result};

pub use crate::array::{Idx, s};

/// Elements of the flattened `a` at `indices` (the result has the shape of `indices`).
///
/// Python: `mlx.core.take(a, indices)` (no axis).
pub fn take(a: &Array, indices: &Array) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_take(
        out.as_out(),
        a.as_raw(),
        indices.as_raw(),
        current_raw()?
    ))?;
    Ok(out)
}

/// Slices of `a` along `axis` at `indices`: `take_axis(a, i, 1)` is `a[:, i]`.
///
/// Python: `mlx.core.take(a, indices, axis)`.
pub fn take_axis(a: &Array, indices: &Array, axis: i32) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_take_axis(
        out.as_out(),
        a.as_raw(),
        indices.as_raw(),
        axis,
        current_raw()?
    ))?;
    Ok(out)
}

/// Elements of `a` at `indices` along `axis`, where `indices` broadcasts against `a`
/// (the companion of [`argsort_axis`](super::argsort_axis) and friends).
///
/// Python: `mlx.core.take_along_axis`.
///
/// ```
/// use mlxrs::{Array, ops::{argsort_axis, take_along_axis}};
/// let a = Array::from_slice(&[3i32, 1, 2, 0], &[2, 2])?;
/// let sorted = take_along_axis(&a, &argsort_axis(&a, 1)?, 1)?;
/// assert_eq!(sorted.to_vec::<i32>()?, [1, 3, 0, 2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn take_along_axis(a: &Array, indices: &Array, axis: i32) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_take_along_axis(
        out.as_out(),
        a.as_raw(),
        indices.as_raw(),
        axis,
        current_raw()?
    ))?;
    Ok(out)
}

/// A copy of `a` with `values` written at `indices` along `axis` (the inverse of
/// [`take_along_axis`]).
///
/// Python: `mlx.core.put_along_axis`.
///
/// ```
/// use mlxrs::{Array, ops::put_along_axis};
/// let a = Array::zeros(&[2, 3], mlxrs::Dtype::Int32)?;
/// let idx = Array::from_slice(&[2i32, 0], &[2, 1])?;
/// let out = put_along_axis(&a, &idx, &Array::from(7i32), 1)?;
/// assert_eq!(out.to_vec::<i32>()?, [0, 0, 7, 7, 0, 0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn put_along_axis(a: &Array, indices: &Array, values: &Array, axis: i32) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_put_along_axis(
        out.as_out(),
        a.as_raw(),
        indices.as_raw(),
        values.as_raw(),
        axis,
        current_raw()?
    ))?;
    Ok(out)
}

/// A copy of `a` with `values` *added* at `indices` along `axis` (duplicates
/// accumulate).
///
/// C++: `mlx::core::scatter_add_axis`.
///
/// ```
/// use mlxrs::{Array, ops::scatter_add_axis};
/// let a = Array::zeros(&[1, 3], mlxrs::Dtype::Int32)?;
/// let idx = Array::from_slice(&[0i32, 0, 2], &[1, 3])?;
/// let out = scatter_add_axis(&a, &idx, &Array::from_slice(&[1i32, 2, 3], &[1, 3])?, 1)?;
/// assert_eq!(out.to_vec::<i32>()?, [3, 0, 3]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn scatter_add_axis(a: &Array, indices: &Array, values: &Array, axis: i32) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_scatter_add_axis(
        out.as_out(),
        a.as_raw(),
        indices.as_raw(),
        values.as_raw(),
        axis,
        current_raw()?
    ))?;
    Ok(out)
}

/// Gathers slices of `a`: `indices[i]` (all broadcast to one shape `B`) index axis
/// `axes[i]`, and at each index a block of `slice_sizes` (one entry per axis of `a`) is
/// taken. The result has shape `B ++ slice_sizes`.
///
/// C++: `mlx::core::gather`; the primitive behind indexing.
///
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
    let indices = VectorArray::from_arrays(indices);
    let mut out = Array::empty();
    mlx_call!(mlx_gather(
        out.as_out(),
        a.as_raw(),
        indices.as_raw(),
        axes.as_ptr(),
        axes.len(),
        slice_sizes.as_ptr(),
        slice_sizes.len(),
        current_raw()?
    ))?;
    Ok(out)
}

/// [`gather`] with one index array for one axis.
pub fn gather_single(a: &Array, indices: &Array, axis: i32, slice_sizes: &[i32]) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_gather_single(
        out.as_out(),
        a.as_raw(),
        indices.as_raw(),
        axis,
        slice_sizes.as_ptr(),
        slice_sizes.len(),
        current_raw()?
    ))?;
    Ok(out)
}

macro_rules! scatter_ops {
    ($($(#[$m:meta])* $name:ident, $single:ident => $sys:ident, $sys_single:ident;)*) => {$(
        $(#[$m])*
        pub fn $name(a: &Array, indices: &[Array], updates: &Array, axes: &[i32]) -> Result<Array> {
            let indices = VectorArray::from_arrays(indices);
            let mut out = Array::empty();
            mlx_call!($sys(
                out.as_out(),
                a.as_raw(),
                indices.as_raw(),
                updates.as_raw(),
                axes.as_ptr(),
                axes.len(),
                current_raw()?
            ))?;
            Ok(out)
        }

        #[doc = concat!("[`", stringify!($name), "`] with one index array for one axis.")]
        pub fn $single(a: &Array, indices: &Array, updates: &Array, axis: i32) -> Result<Array> {
            let mut out = Array::empty();
            mlx_call!($sys_single(
                out.as_out(),
                a.as_raw(),
                indices.as_raw(),
                updates.as_raw(),
                axis,
                current_raw()?
            ))?;
            Ok(out)
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
/// ```
/// use mlxrs::{Array, ops::masked_scatter};
/// let a = Array::zeros(&[4], mlxrs::Dtype::Int32)?;
/// let mask = Array::from_slice(&[true, false, true, false], &[4])?;
/// let out = masked_scatter(&a, &mask, &Array::from_slice(&[5i32, 6], &[2])?)?;
/// assert_eq!(out.to_vec::<i32>()?, [5, 0, 6, 0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn masked_scatter(a: &Array, mask: &Array, src: &Array) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_masked_scatter(
        out.as_out(),
        a.as_raw(),
        mask.as_raw(),
        src.as_raw(),
        current_raw()?
    ))?;
    Ok(out)
}

fn check_slice_lengths(start: &[i32], stop: &[i32], strides: &[i32]) -> Result<()> {
    if start.len() != stop.len() || start.len() != strides.len() {
        return Err(Error::invalid(
            "start/stop/strides",
            format!(
                "slice_update needs equal lengths, got {}, {} and {}",
                start.len(),
                stop.len(),
                strides.len()
            ),
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
            check_slice_lengths(start, stop, strides)?;
            let mut out = Array::empty();
            mlx_call!($sys(
                out.as_out(),
                src.as_raw(),
                update.as_raw(),
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
    )*};
}

slice_updates! {
    /// A copy of `src` with the slice `start[i]..stop[i]` step `strides[i]` (one entry
    /// per axis, as for [`slice`](super::slice)) replaced by `update`, which broadcasts
    /// to the slice's shape.
    ///
    /// C++: `mlx::core::slice_update`.
    ///
    /// ```
    /// use mlxrs::{Array, ops::{slice_update, slice_update_add}};
    /// let a = Array::zeros(&[2, 3], mlxrs::Dtype::Int32)?;
    /// let b = slice_update(&a, &Array::from(1i32), &[0, 1], &[2, 3], &[1, 1])?;
    /// assert_eq!(b.to_vec::<i32>()?, [0, 1, 1, 0, 1, 1]);
    /// let c = slice_update_add(&b, &Array::from(5i32), &[1, 0], &[2, 3], &[1, 2])?;
    /// assert_eq!(c.to_vec::<i32>()?, [0, 1, 1, 5, 1, 6]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the three slices differ in length; MLX's error
    /// when `update` does not broadcast to the slice.
    slice_update => mlx_slice_update;
    /// Like [`slice_update`], but adds `update` to the slice.
    slice_update_add => mlx_slice_update_add;
    /// Like [`slice_update`], but multiplies the slice by `update`.
    slice_update_prod => mlx_slice_update_prod;
    /// Like [`slice_update`], but keeps the elementwise maximum with `update`.
    slice_update_max => mlx_slice_update_max;
    /// Like [`slice_update`], but keeps the elementwise minimum with `update`.
    slice_update_min => mlx_slice_update_min;
}

/// The block of shape `slice_size` (one entry per axis of `a`) starting at the
/// positions held in the integer array `start` along `axes`; the start is read when the
/// graph runs, so it may be computed.
///
/// Python: `mlx.core.slice(a, start_indices, axes, slice_size)`.
///
/// ```
/// use mlxrs::{Array, ops::slice_dynamic};
/// let a = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[3, 2])?;
/// let row = slice_dynamic(&a, &Array::from_slice(&[2i32], &[1])?, &[0], &[1, 2])?;
/// assert_eq!(row.to_vec::<i32>()?, [5, 6]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn slice_dynamic(a: &Array, start: &Array, axes: &[i32], slice_size: &[i32]) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_slice_dynamic(
        out.as_out(),
        a.as_raw(),
        start.as_raw(),
        axes.as_ptr(),
        axes.len(),
        slice_size.as_ptr(),
        slice_size.len(),
        current_raw()?
    ))?;
    Ok(out)
}

/// A copy of `src` with `update` written at the positions held in the integer array
/// `start` along `axes` (read when the graph runs).
///
/// Python: `mlx.core.slice_update(a, update, start_indices, axes)`.
///
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
    let mut out = Array::empty();
    mlx_call!(mlx_slice_update_dynamic(
        out.as_out(),
        src.as_raw(),
        update.as_raw(),
        start.as_raw(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))?;
    Ok(out)
}

/// Elements of `x` where `condition` is true and of `y` elsewhere, broadcasting all
/// three.
///
/// Python: `mlx.core.where` (a Rust keyword, hence the raw identifier: call it as
/// `ops::r#where`).
///
/// ```
/// use mlxrs::{Array, ops};
/// let c = Array::from_slice(&[true, false, true], &[3])?;
/// let x = Array::from_slice(&[1i32, 2, 3], &[3])?;
/// let out = ops::r#where(&c, &x, &Array::from(0i32))?;
/// assert_eq!(out.to_vec::<i32>()?, [1, 0, 3]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn r#where(condition: &Array, x: &Array, y: &Array) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_where(
        out.as_out(),
        condition.as_raw(),
        x.as_raw(),
        y.as_raw(),
        current_raw()?
    ))?;
    Ok(out)
}
