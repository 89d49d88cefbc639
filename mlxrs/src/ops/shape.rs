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

use std::ffi::CStr;

use super::unary;
use crate::ffi::VectorArray;
use crate::ffi::{mlx_call, mlx_op};
use crate::stream::current_raw;
use crate::{Array, Dtype, Result, Shape};

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
/// `shape` does not fit in `i32`.
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
    mlx_op!(mlx_reshape(
        a.as_raw(),
        dims.as_ptr(),
        dims.len(),
        current_raw()?
    ))
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

/// The sub-array `start[i]..stop[i]` in steps of `strides[i]` along each axis.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] when the three slices differ in length; MLX's error
/// ([`Error::Backend`](crate::Error::Backend)) when they do not have one entry per axis
/// of `a`.
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
/// dimension of `shape` does not fit in `i32`.
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

/// How [`pad`] fills the new elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PadMode {
    /// A constant value (Python's `"constant"`, the default).
    #[default]
    Constant,
    /// Copies of the edge values (`"edge"`).
    Edge,
    /// The reflection of the array without repeating the edge (`"reflect"`).
    Reflect,
    /// The reflection of the array repeating the edge (`"symmetric"`).
    Symmetric,
}

impl PadMode {
    /// MLX's name for the mode (`"constant"`, `"edge"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            PadMode::Constant => "constant",
            PadMode::Edge => "edge",
            PadMode::Reflect => "reflect",
            PadMode::Symmetric => "symmetric",
        }
    }

    fn as_c_str(self) -> &'static CStr {
        match self {
            PadMode::Constant => c"constant",
            PadMode::Edge => c"edge",
            PadMode::Reflect => c"reflect",
            PadMode::Symmetric => c"symmetric",
        }
    }
}

/// Pads `a` with `pad_width[i] = (before, after)` elements on axis `i`; a single pair
/// pads every axis alike. `constant_values` (cast to `a`'s dtype; `None` is 0) fills the
/// new elements in [`PadMode::Constant`].
///
/// Python: `mlx.core.pad(a, pad_width, mode, constant_values)`; Python's integer
/// `pad_width = n` is `&[(n, n)]` here.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] when `pad_width` has neither one entry nor one per
/// axis; MLX's error ([`Error::Backend`](crate::Error::Backend)) for negative widths or a
/// mode the shape does not allow (e.g. [`PadMode::Reflect`] on an empty axis).
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{pad, PadMode}};
/// let a = Array::from_slice(&[1i32, 2], &[2])?;
/// assert_eq!(pad(&a, &[(1, 2)], PadMode::Constant, None)?.to_vec::<i32>()?, [0, 1, 2, 0, 0]);
/// assert_eq!(pad(&a, &[(1, 1)], PadMode::Edge, None)?.to_vec::<i32>()?, [1, 1, 2, 2]);
/// let nines = pad(&a, &[(1, 0)], PadMode::Constant, Some(&Array::from(9i32)))?;
/// assert_eq!(nines.to_vec::<i32>()?, [9, 1, 2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn pad(
    a: &Array,
    pad_width: &[(i32, i32)],
    mode: PadMode,
    constant_values: Option<&Array>,
) -> Result<Array> {
    let ndim = a.ndim();
    let widths: Vec<(i32, i32)> = match pad_width.len() {
        1 => vec![pad_width[0]; ndim],
        n if n == ndim => pad_width.to_vec(),
        n => {
            return Err(crate::Error::invalid(
                "pad_width",
                format!("expected 1 or {ndim} (before, after) pairs, got {n}"),
            ));
        }
    };
    let axes: Vec<i32> = (0..ndim as i32).collect();
    let low: Vec<i32> = widths.iter().map(|w| w.0).collect();
    let high: Vec<i32> = widths.iter().map(|w| w.1).collect();
    let zero;
    let value = match constant_values {
        Some(v) => v,
        None => {
            zero = Array::from(0i32);
            &zero
        }
    };
    pad_axes(a, &axes, &low, &high, value, mode)
}

/// Pads the given `axes` with `low_pad_size[i]` elements before and `high_pad_size[i]`
/// after (C++'s general `pad`); see [`pad`] for the Python form.
///
/// # Errors
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `axes` when `axes`,
/// `low_pad_size` and `high_pad_size` differ in length, or an axis is out of range or
/// given twice; MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative
/// width, or a mode the shape does not allow (e.g. [`PadMode::Reflect`] on an empty
/// axis).
pub fn pad_axes(
    a: &Array,
    axes: &[i32],
    low_pad_size: &[i32],
    high_pad_size: &[i32],
    pad_value: &Array,
    mode: PadMode,
) -> Result<Array> {
    // MLX 0.32's edge padding and pad gradient index the widths by axis number, not by
    // position in `axes`, and read past the end for a subset of axes: give every axis
    // its width (0 where not padded).
    if axes.len() != low_pad_size.len() || axes.len() != high_pad_size.len() {
        return Err(crate::Error::invalid(
            "axes",
            format!(
                "pad_axes needs one low and one high width per axis, got {} axes, {} low and {} high widths",
                axes.len(),
                low_pad_size.len(),
                high_pad_size.len()
            ),
        ));
    }
    let ndim = a.ndim() as i32;
    let mut low = vec![0i32; a.ndim()];
    let mut high = vec![0i32; a.ndim()];
    let mut seen = vec![false; a.ndim()];
    for (i, &axis) in axes.iter().enumerate() {
        let ax = if axis < 0 { axis + ndim } else { axis };
        if ax < 0 || ax >= ndim {
            return Err(crate::Error::invalid(
                "axes",
                format!(
                    "pad_axes: axis {axis} is out of bounds for an array with {ndim} dimensions"
                ),
            ));
        }
        if std::mem::replace(&mut seen[ax as usize], true) {
            return Err(crate::Error::invalid(
                "axes",
                format!("pad_axes: axis {axis} appears more than once"),
            ));
        }
        low[ax as usize] = low_pad_size[i];
        high[ax as usize] = high_pad_size[i];
    }
    let all: Vec<i32> = (0..ndim).collect();
    mlx_op!(mlx_pad(
        a.as_raw(),
        all.as_ptr(),
        all.len(),
        low.as_ptr(),
        low.len(),
        high.as_ptr(),
        high.len(),
        pad_value.as_raw(),
        mode.as_c_str().as_ptr(),
        current_raw()?
    ))
}

/// Pads every axis with `pad_width` elements on both sides (Python's integer
/// `pad_width`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative `pad_width`, or
/// a mode the shape does not allow (e.g. [`PadMode::Reflect`] on an empty axis).
pub fn pad_symmetric(a: &Array, pad_width: i32, pad_value: &Array, mode: PadMode) -> Result<Array> {
    mlx_op!(mlx_pad_symmetric(
        a.as_raw(),
        pad_width,
        pad_value.as_raw(),
        mode.as_c_str().as_ptr(),
        current_raw()?
    ))
}

/// Reinterprets the bytes of `a` as `dtype`. When the item sizes differ, the last axis
/// is rescaled (it must divide evenly).
///
/// Python: `mlx.core.view`.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] for a view *as* [`Dtype::Bool`] of a non-`bool`
/// array: Rust requires every `bool` byte to be 0 or 1, which arbitrary bytes are not
/// (compare with zero instead). MLX's error ([`Error::Backend`](crate::Error::Backend))
/// when the last axis does not divide evenly, or for a 0-dimensional `a` and a `dtype`
/// of another size.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::view};
/// let a = Array::from_slice(&[1.0f32], &[1])?;
/// assert_eq!(view(&a, Dtype::Uint32)?.to_vec::<u32>()?, [0x3f80_0000]);
/// assert_eq!(view(&a, Dtype::Uint8)?.shape(), &[4]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn view(a: &Array, dtype: Dtype) -> Result<Array> {
    if dtype == Dtype::Bool && a.dtype() != Dtype::Bool {
        return Err(crate::Error::invalid(
            "dtype",
            format!(
                "view as bool of a {} array could produce bytes other than 0 and 1",
                a.dtype()
            ),
        ));
    }
    mlx_op!(mlx_view(a.as_raw(), dtype.to_sys(), current_raw()?))
}

/// A view of the elements of `a` (row-major, flattened) with the given `shape` and
/// `strides` (in elements, may be negative), starting `offset` elements in.
///
/// Python: `mlx.core.as_strided`. Python leaves out-of-range views to crash; here every
/// element the view can reach is checked to lie inside `a` first.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] when `shape` and `strides` differ in length, a
/// dimension is negative, or some element of the view would fall outside `a`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::as_strided};
/// let a = Array::arange(0.0, 5.0, 1.0, Dtype::Int32)?;
/// // Sliding windows of length 3.
/// let w = as_strided(&a, &[3, 3], &[1, 1], 0)?;
/// assert_eq!(w.to_vec::<i32>()?, [0, 1, 2, 1, 2, 3, 2, 3, 4]);
/// assert!(as_strided(&a, &[3, 3], &[2, 1], 0).is_err()); // would read past the end
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn as_strided(a: &Array, shape: &[i32], strides: &[i64], offset: usize) -> Result<Array> {
    check_strided_bounds(a.size(), shape, strides, offset)?;
    mlx_op!(mlx_as_strided(
        a.as_raw(),
        shape.as_ptr(),
        shape.len(),
        strides.as_ptr(),
        strides.len(),
        offset,
        current_raw()?
    ))
}

/// Whether a strided view of `size` elements stays inside them.
fn check_strided_bounds(size: usize, shape: &[i32], strides: &[i64], offset: usize) -> Result<()> {
    if shape.len() != strides.len() {
        return Err(crate::Error::invalid(
            "strides",
            format!(
                "expected {} strides (one per dimension of `shape`), got {}",
                shape.len(),
                strides.len()
            ),
        ));
    }
    if let Some(d) = shape.iter().find(|&&d| d < 0) {
        return Err(crate::Error::invalid(
            "shape",
            format!("dimensions must be non-negative, got {d}"),
        ));
    }
    if shape.contains(&0) {
        return Ok(());
    }
    let (mut lo, mut hi) = (offset as i128, offset as i128);
    for (&d, &s) in shape.iter().zip(strides) {
        let reach = (d as i128 - 1) * s as i128;
        if reach < 0 {
            lo += reach;
        } else {
            hi += reach;
        }
    }
    if lo < 0 || hi >= size as i128 {
        return Err(crate::Error::invalid(
            "strides",
            format!("the view reaches elements {lo}..={hi}, but the array has {size} elements"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
