//! Padding: [`pad`], [`pad_axes`], [`pad_symmetric`] and their [`PadMode`].

use std::ffi::CStr;

use crate::ffi::mlx_op;
use crate::stream::current_raw;
use crate::{Array, Result};

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
    crate::ops::guards::named(
        "pad",
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
        )),
    )
}

/// Pads every axis with `pad_width` elements on both sides (Python's integer
/// `pad_width`).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a negative `pad_width`, or
/// a mode the shape does not allow (e.g. [`PadMode::Reflect`] on an empty axis).
pub fn pad_symmetric(a: &Array, pad_width: i32, pad_value: &Array, mode: PadMode) -> Result<Array> {
    crate::ops::guards::named(
        "pad",
        mlx_op!(mlx_pad_symmetric(
            a.as_raw(),
            pad_width,
            pad_value.as_raw(),
            mode.as_c_str().as_ptr(),
            current_raw()?
        )),
    )
}
