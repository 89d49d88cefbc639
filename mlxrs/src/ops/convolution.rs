//! Convolutions: `conv1d`/`conv2d`/`conv3d`, their transposes, and `conv_general`.
//!
//! Layouts follow MLX (channels last): the input is `(N, spatial..., C_in)` and the
//! weight `(C_out, kernel spatial..., C_in / groups)`; for the transposed convolutions
//! the weight is `(C_out, kernel spatial..., C_in / groups)` too. Strides, padding and
//! dilation come in a small options struct whose `Default` is Python's defaults; set
//! only what differs:
//!
//! ```
//! use mlxrs::{Array, Dtype, ops::{conv2d, Conv2dOptions}};
//! let x = Array::ones(&[1, 4, 4, 1], Dtype::Float32)?;
//! let w = Array::ones(&[1, 3, 3, 1], Dtype::Float32)?;
//! let y = conv2d(&x, &w, Conv2dOptions { padding: (1, 1), ..Default::default() })?;
//! assert_eq!(y.shape(), &[1, 4, 4, 1]);
//! assert_eq!(y.to_vec::<f32>()?[..4], [4.0, 6.0, 6.0, 4.0]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use crate::ffi::mlx_op;
use crate::stream::current_raw;
use crate::{Array, Result};

/// Options of [`conv1d`]; `Default` is stride 1, padding 0, dilation 1, 1 group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conv1dOptions {
    /// Step of the kernel over the input.
    pub stride: i32,
    /// Zeros added on both sides of the spatial axis.
    pub padding: i32,
    /// Spacing between kernel elements.
    pub dilation: i32,
    /// Number of groups the input channels are split into.
    pub groups: i32,
}

impl Default for Conv1dOptions {
    fn default() -> Self {
        Self {
            stride: 1,
            padding: 0,
            dilation: 1,
            groups: 1,
        }
    }
}

/// Options of [`conv2d`], per spatial axis `(height, width)`; `Default` is stride
/// `(1, 1)`, padding `(0, 0)`, dilation `(1, 1)`, 1 group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conv2dOptions {
    /// Step of the kernel over the input.
    pub stride: (i32, i32),
    /// Zeros added on both sides of each spatial axis.
    pub padding: (i32, i32),
    /// Spacing between kernel elements.
    pub dilation: (i32, i32),
    /// Number of groups the input channels are split into.
    pub groups: i32,
}

impl Default for Conv2dOptions {
    fn default() -> Self {
        Self {
            stride: (1, 1),
            padding: (0, 0),
            dilation: (1, 1),
            groups: 1,
        }
    }
}

/// Options of [`conv3d`], per spatial axis `(depth, height, width)`; `Default` is
/// stride 1, padding 0, dilation 1 on each axis, 1 group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conv3dOptions {
    /// Step of the kernel over the input.
    pub stride: (i32, i32, i32),
    /// Zeros added on both sides of each spatial axis.
    pub padding: (i32, i32, i32),
    /// Spacing between kernel elements.
    pub dilation: (i32, i32, i32),
    /// Number of groups the input channels are split into.
    pub groups: i32,
}

impl Default for Conv3dOptions {
    fn default() -> Self {
        Self {
            stride: (1, 1, 1),
            padding: (0, 0, 0),
            dilation: (1, 1, 1),
            groups: 1,
        }
    }
}

/// Options of [`conv_transpose1d`]; `Default` is stride 1, padding 0, dilation 1,
/// output padding 0, 1 group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvTranspose1dOptions {
    /// Stride of the (forward) convolution being transposed.
    pub stride: i32,
    /// Padding of the convolution being transposed.
    pub padding: i32,
    /// Spacing between kernel elements.
    pub dilation: i32,
    /// Extra size added to one side of the output.
    pub output_padding: i32,
    /// Number of groups the input channels are split into.
    pub groups: i32,
}

impl Default for ConvTranspose1dOptions {
    fn default() -> Self {
        Self {
            stride: 1,
            padding: 0,
            dilation: 1,
            output_padding: 0,
            groups: 1,
        }
    }
}

/// Options of [`conv_transpose2d`], per spatial axis; `Default` as for
/// [`ConvTranspose1dOptions`] on each axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvTranspose2dOptions {
    /// Stride of the (forward) convolution being transposed.
    pub stride: (i32, i32),
    /// Padding of the convolution being transposed.
    pub padding: (i32, i32),
    /// Spacing between kernel elements.
    pub dilation: (i32, i32),
    /// Extra size added to one side of the output.
    pub output_padding: (i32, i32),
    /// Number of groups the input channels are split into.
    pub groups: i32,
}

impl Default for ConvTranspose2dOptions {
    fn default() -> Self {
        Self {
            stride: (1, 1),
            padding: (0, 0),
            dilation: (1, 1),
            output_padding: (0, 0),
            groups: 1,
        }
    }
}

/// Options of [`conv_transpose3d`], per spatial axis; `Default` as for
/// [`ConvTranspose1dOptions`] on each axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvTranspose3dOptions {
    /// Stride of the (forward) convolution being transposed.
    pub stride: (i32, i32, i32),
    /// Padding of the convolution being transposed.
    pub padding: (i32, i32, i32),
    /// Spacing between kernel elements.
    pub dilation: (i32, i32, i32),
    /// Extra size added to one side of the output.
    pub output_padding: (i32, i32, i32),
    /// Number of groups the input channels are split into.
    pub groups: i32,
}

impl Default for ConvTranspose3dOptions {
    fn default() -> Self {
        Self {
            stride: (1, 1, 1),
            padding: (0, 0, 0),
            dilation: (1, 1, 1),
            output_padding: (0, 0, 0),
            groups: 1,
        }
    }
}

/// Options of [`conv_general`]. Each list holds one entry per spatial axis, or a single
/// entry used for all of them, or is empty for the default (stride 1, padding 0,
/// dilation 1). `Default` is all empty, 1 group, no flip.
///
/// ```
/// use mlxrs::ops::ConvGeneralOptions;
/// let o = ConvGeneralOptions { stride: &[2], padding_lo: &[1, 0], ..Default::default() };
/// assert_eq!(o.groups, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvGeneralOptions<'a> {
    /// Step of the kernel over the input.
    pub stride: &'a [i32],
    /// Zeros added before each spatial axis.
    pub padding_lo: &'a [i32],
    /// Zeros added after each spatial axis.
    pub padding_hi: &'a [i32],
    /// Spacing between kernel elements.
    pub kernel_dilation: &'a [i32],
    /// Spacing between input elements (a fractionally strided, or transposed,
    /// convolution).
    pub input_dilation: &'a [i32],
    /// Number of groups the input channels are split into.
    pub groups: i32,
    /// Flip the kernel spatially: a true convolution instead of a cross-correlation.
    pub flip: bool,
}

impl Default for ConvGeneralOptions<'_> {
    fn default() -> Self {
        Self {
            stride: &[],
            padding_lo: &[],
            padding_hi: &[],
            kernel_dilation: &[],
            input_dilation: &[],
            groups: 1,
            flip: false,
        }
    }
}

/// 1-D convolution (cross-correlation) of `input` `(N, L, C_in)` with `weight`
/// `(C_out, K, C_in / groups)`.
///
/// Python: `mlx.core.conv1d`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `input` is not of shape
/// `(N, L, C_in)` or `weight` not of shape `(C_out, K, C_in / groups)`, the dtypes are
/// not floating-point, a stride or dilation is not positive, or the padded input is
/// smaller than the kernel.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{conv1d, Conv1dOptions}};
/// let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[1, 4, 1])?;
/// let w = Array::from_slice(&[1.0f32, -1.0], &[1, 2, 1])?;
/// let y = conv1d(&x, &w, Conv1dOptions::default())?;
/// assert_eq!(y.to_vec::<f32>()?, [-1.0, -1.0, -1.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn conv1d(input: &Array, weight: &Array, options: Conv1dOptions) -> Result<Array> {
    let o = options;
    mlx_op!(mlx_conv1d(
        input.as_raw(),
        weight.as_raw(),
        o.stride,
        o.padding,
        o.dilation,
        positive_groups(o.groups)?,
        current_raw()?
    ))
}

/// 2-D convolution of `input` `(N, H, W, C_in)` with `weight`
/// `(C_out, KH, KW, C_in / groups)`.
///
/// Python: `mlx.core.conv2d`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `input` is not of shape
/// `(N, H, W, C_in)` or `weight` not of shape `(C_out, KH, KW, C_in / groups)`, the
/// dtypes are not floating-point, a stride or dilation is not positive, or the padded
/// input is smaller than the kernel.
pub fn conv2d(input: &Array, weight: &Array, options: Conv2dOptions) -> Result<Array> {
    let o = options;
    mlx_op!(mlx_conv2d(
        input.as_raw(),
        weight.as_raw(),
        o.stride.0,
        o.stride.1,
        o.padding.0,
        o.padding.1,
        o.dilation.0,
        o.dilation.1,
        positive_groups(o.groups)?,
        current_raw()?
    ))
}

/// 3-D convolution of `input` `(N, D, H, W, C_in)` with `weight`
/// `(C_out, KD, KH, KW, C_in / groups)`.
///
/// Python: `mlx.core.conv3d`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `input` is not of shape
/// `(N, D, H, W, C_in)` or `weight` not of shape `(C_out, KD, KH, KW, C_in / groups)`,
/// the dtypes are not floating-point, a stride or dilation is not positive, or the padded
/// input is smaller than the kernel.
pub fn conv3d(input: &Array, weight: &Array, options: Conv3dOptions) -> Result<Array> {
    let o = options;
    mlx_op!(mlx_conv3d(
        input.as_raw(),
        weight.as_raw(),
        o.stride.0,
        o.stride.1,
        o.stride.2,
        o.padding.0,
        o.padding.1,
        o.padding.2,
        o.dilation.0,
        o.dilation.1,
        o.dilation.2,
        positive_groups(o.groups)?,
        current_raw()?
    ))
}

/// 1-D transposed convolution of `input` `(N, L, C_in)` with `weight`
/// `(C_out, K, C_in / groups)`.
///
/// Python: `mlx.core.conv_transpose1d`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `input` is not of shape
/// `(N, L, C_in)` or `weight` not of shape `(C_out, K, C_in / groups)`, the dtypes are
/// not floating-point, or a stride or dilation is not positive.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{conv_transpose1d, ConvTranspose1dOptions}};
/// let x = Array::from_slice(&[1.0f32, 2.0], &[1, 2, 1])?;
/// let w = Array::from_slice(&[1.0f32, 1.0], &[1, 2, 1])?;
/// let y = conv_transpose1d(&x, &w, ConvTranspose1dOptions::default())?;
/// assert_eq!(y.to_vec::<f32>()?, [1.0, 3.0, 2.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn conv_transpose1d(
    input: &Array,
    weight: &Array,
    options: ConvTranspose1dOptions,
) -> Result<Array> {
    let o = options;
    mlx_op!(mlx_conv_transpose1d(
        input.as_raw(),
        weight.as_raw(),
        o.stride,
        o.padding,
        o.dilation,
        o.output_padding,
        positive_groups(o.groups)?,
        current_raw()?
    ))
}

/// 2-D transposed convolution of `input` `(N, H, W, C_in)` with `weight`
/// `(C_out, KH, KW, C_in / groups)`.
///
/// Python: `mlx.core.conv_transpose2d`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `input` is not of shape
/// `(N, H, W, C_in)` or `weight` not of shape `(C_out, KH, KW, C_in / groups)`, the
/// dtypes are not floating-point, or a stride or dilation is not positive.
pub fn conv_transpose2d(
    input: &Array,
    weight: &Array,
    options: ConvTranspose2dOptions,
) -> Result<Array> {
    let o = options;
    mlx_op!(mlx_conv_transpose2d(
        input.as_raw(),
        weight.as_raw(),
        o.stride.0,
        o.stride.1,
        o.padding.0,
        o.padding.1,
        o.dilation.0,
        o.dilation.1,
        o.output_padding.0,
        o.output_padding.1,
        positive_groups(o.groups)?,
        current_raw()?
    ))
}

/// 3-D transposed convolution of `input` `(N, D, H, W, C_in)` with `weight`
/// `(C_out, KD, KH, KW, C_in / groups)`.
///
/// Python: `mlx.core.conv_transpose3d`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `input` is not of shape
/// `(N, D, H, W, C_in)` or `weight` not of shape `(C_out, KD, KH, KW, C_in / groups)`,
/// the dtypes are not floating-point, or a stride or dilation is not positive.
pub fn conv_transpose3d(
    input: &Array,
    weight: &Array,
    options: ConvTranspose3dOptions,
) -> Result<Array> {
    let o = options;
    mlx_op!(mlx_conv_transpose3d(
        input.as_raw(),
        weight.as_raw(),
        o.stride.0,
        o.stride.1,
        o.stride.2,
        o.padding.0,
        o.padding.1,
        o.padding.2,
        o.dilation.0,
        o.dilation.1,
        o.dilation.2,
        o.output_padding.0,
        o.output_padding.1,
        o.output_padding.2,
        positive_groups(o.groups)?,
        current_raw()?
    ))
}

/// General N-D convolution with separate low/high padding, kernel and input dilation,
/// groups and optional kernel flip.
///
/// Python: `mlx.core.conv_general` (Python's `padding=(lo, hi)` is `padding_lo` and
/// `padding_hi` here).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `input` and `weight` do
/// not have the same rank (1 to 3 spatial axes, channels last) or matching channels, an
/// option list has more than one entry but not one per spatial axis, the dtypes are not
/// floating-point, a stride or dilation is not positive, or the padded input is smaller
/// than the kernel.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::{conv_general, ConvGeneralOptions}};
/// let x = Array::from_slice(&[1.0f32, 2.0, 3.0], &[1, 3, 1])?;
/// let w = Array::from_slice(&[1.0f32, 10.0], &[1, 2, 1])?;
/// let o = ConvGeneralOptions { padding_lo: &[1], flip: true, ..Default::default() };
/// // A true convolution: y[i] = x[i] * 1 + x[i - 1] * 10.
/// assert_eq!(conv_general(&x, &w, o)?.to_vec::<f32>()?, [1.0, 12.0, 23.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn conv_general(
    input: &Array,
    weight: &Array,
    options: ConvGeneralOptions<'_>,
) -> Result<Array> {
    let o = options;
    mlx_op!(mlx_conv_general(
        input.as_raw(),
        weight.as_raw(),
        o.stride.as_ptr(),
        o.stride.len(),
        o.padding_lo.as_ptr(),
        o.padding_lo.len(),
        o.padding_hi.as_ptr(),
        o.padding_hi.len(),
        o.kernel_dilation.as_ptr(),
        o.kernel_dilation.len(),
        o.input_dilation.as_ptr(),
        o.input_dilation.len(),
        positive_groups(o.groups)?,
        o.flip,
        current_raw()?
    ))
}

/// `groups` as MLX takes it, after the check MLX 0.32.2 lacks: 0 groups divides by zero
/// in its shape checks (SIGFPE, in Python MLX too).
fn positive_groups(groups: i32) -> Result<i32> {
    if groups < 1 {
        return Err(crate::Error::invalid(
            "groups",
            format!("conv: the number of groups must be at least 1, got {groups}"),
        ));
    }
    Ok(groups)
}
