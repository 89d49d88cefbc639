//! Quantization: `quantize`, `dequantize`, the quantized matrix products
//! (`quantized_matmul`, `gather_qmm`, `qqmm`, `gather_qqmm`) and float8 conversion
//! (`to_fp8`, `from_fp8`).
//!
//! The group size, bit width and mode travel together in [`QuantizeOptions`], whose
//! `Default` is Python's: affine mode with MLX's default group size (64) and bits (4).
//! The modes (Python's `mode` strings) are listed in [`QuantizationMode`].
//!
//! ```
//! use mlxrs::{Dtype, ops::{dequantize, quantize, QuantizeOptions}};
//! let w = mlxrs::Array::arange(0.0, 64.0, 1.0, Dtype::Float32)?.reshape(&[2, 32])?;
//! let opts = QuantizeOptions { group_size: Some(32), bits: Some(8), ..Default::default() };
//! let (wq, scales, biases) = quantize(&w, opts, None)?;
//! assert_eq!(wq.dtype(), Dtype::Uint32);
//! let back = dequantize(&wq, &scales, biases.as_ref(), opts, None, None)?;
//! let err = mlxrs::ops::max(&mlxrs::ops::abs(&(&back - &w)?)?, false)?.item::<f32>()?;
//! assert!(err < 0.1);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use std::ffi::CStr;

use crate::ffi::VectorArray;
use crate::ffi::mlx_call;
use crate::ffi::{mlx_op, opt_array, opt_dtype, opt_int};
use crate::stream::current_raw;
use crate::{Array, Dtype, Error, Result};

/// A quantization format (Python's `mode` strings). The supported group sizes and bit
/// widths (defaults marked *) are:
///
/// | mode     | group size        | bits                 | scales         | biases |
/// |----------|-------------------|----------------------|----------------|--------|
/// | `Affine` | 32, 64*, 128      | 2, 3, 4*, 5, 6, 8    | same as input  | yes    |
/// | `Mxfp4`  | 32*               | 4*                   | e8m0           | no     |
/// | `Mxfp8`  | 32*               | 8*                   | e8m0           | no     |
/// | `Nvfp4`  | 16*               | 4*                   | e4m3           | no     |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum QuantizationMode {
    /// Per-group scale and bias, integers packed into `uint32` (`"affine"`, the default).
    #[default]
    Affine,
    /// OCP microscaling 4-bit float, E2M1 with an E8M0 scale (`"mxfp4"`).
    Mxfp4,
    /// OCP microscaling 8-bit float, E4M3 with an E8M0 scale (`"mxfp8"`).
    Mxfp8,
    /// NVIDIA 4-bit float, E2M1 with an E4M3 scale (`"nvfp4"`).
    Nvfp4,
}

impl QuantizationMode {
    /// MLX's name for the mode (`"affine"`, `"mxfp4"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            QuantizationMode::Affine => "affine",
            QuantizationMode::Mxfp4 => "mxfp4",
            QuantizationMode::Mxfp8 => "mxfp8",
            QuantizationMode::Nvfp4 => "nvfp4",
        }
    }

    fn as_c_str(self) -> &'static CStr {
        match self {
            QuantizationMode::Affine => c"affine",
            QuantizationMode::Mxfp4 => c"mxfp4",
            QuantizationMode::Mxfp8 => c"mxfp8",
            QuantizationMode::Nvfp4 => c"nvfp4",
        }
    }
}

/// Group size, bit width and mode of a quantized matrix. `None` picks the mode's
/// default (see [`QuantizationMode`]). `Default` is affine with both defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QuantizeOptions {
    /// Number of consecutive elements of a row sharing one scale (and bias).
    pub group_size: Option<i32>,
    /// Bits per quantized element.
    pub bits: Option<i32>,
    /// The quantization format.
    pub mode: QuantizationMode,
}

impl QuantizeOptions {
    /// `mode` with its default group size and bits. `qqmm`'s Python default is
    /// `QuantizeOptions::new(QuantizationMode::Nvfp4)`.
    pub fn new(mode: QuantizationMode) -> Self {
        Self {
            group_size: None,
            bits: None,
            mode,
        }
    }
}

/// Quantizes `w` (two or more dimensions, the last divisible by the group size) along
/// its last axis. Returns `(w_q, scales, biases)`; `biases` is `Some` in
/// [`QuantizationMode::Affine`] only. `global_scale` is an optional per-input `float32`
/// scale for `Nvfp4`.
///
/// Python: `mlx.core.quantize`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `w` has fewer than 2 dimensions or is not
/// floating-point, its last axis is not divisible by the group size, or the group size or
/// bit width is not supported by the mode (see [`QuantizationMode`]).
pub fn quantize(
    w: &Array,
    options: QuantizeOptions,
    global_scale: Option<&Array>,
) -> Result<(Array, Array, Option<Array>)> {
    let mut out = VectorArray::empty();
    mlx_call!(mlx_quantize(
        out.as_out(),
        w.as_raw(),
        opt_int(group_size(&options)?),
        opt_int(options.bits),
        options.mode.as_c_str().as_ptr(),
        opt_array(global_scale),
        current_raw()?
    ))?;
    let mut parts = out.to_arrays()?.into_iter();
    match (parts.next(), parts.next(), parts.next()) {
        (Some(wq), Some(scales), biases) => Ok((wq, scales, biases)),
        _ => Err(Error::Backend(
            "[quantize] expected at least two outputs".to_string(),
        )),
    }
}

/// Reconstructs a matrix from [`quantize`]'s output, as `dtype` (`None`: the dtype of
/// `scales` in affine mode, `bfloat16` in the floating-point modes). `options` must be
/// the ones `w` was quantized with.
///
/// Python: `mlx.core.dequantize`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `w` is not a `uint32` array of 2 or more
/// dimensions, the shapes of `scales` and `biases` do not match `w` under `options` (e.g.
/// other options than the ones `w` was quantized with), `biases` is `None` in affine
/// mode, or the group size or bit width is not supported.
pub fn dequantize(
    w: &Array,
    scales: &Array,
    biases: Option<&Array>,
    options: QuantizeOptions,
    global_scale: Option<&Array>,
    dtype: Option<Dtype>,
) -> Result<Array> {
    mlx_op!(mlx_dequantize(
        w.as_raw(),
        scales.as_raw(),
        opt_array(biases),
        opt_int(group_size(&options)?),
        opt_int(options.bits),
        options.mode.as_c_str().as_ptr(),
        opt_array(global_scale),
        opt_dtype(dtype),
        current_raw()?
    ))
}

/// `x @ dequantize(w).T` (or `x @ dequantize(w)` when `!transpose`) without
/// materializing the dequantized matrix.
///
/// Python: `mlx.core.quantized_matmul` (default `transpose = true`).
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when the last dimension of `x` does not match the
/// dequantized `w`, the shapes of `w`, `scales` and `biases` do not match under
/// `options`, or `x` is not floating-point.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::{matmul, quantize, quantized_matmul, swapaxes, QuantizeOptions}};
/// let w = Array::ones(&[4, 64], Dtype::Float32)?;
/// let x = Array::ones(&[1, 64], Dtype::Float32)?;
/// let (wq, s, b) = quantize(&w, QuantizeOptions::default(), None)?;
/// let y = quantized_matmul(&x, &wq, &s, b.as_ref(), true, QuantizeOptions::default())?;
/// assert_eq!(y.shape(), &[1, 4]);
/// assert!((y.to_vec::<f32>()?[0] - 64.0).abs() < 1e-3);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn quantized_matmul(
    x: &Array,
    w: &Array,
    scales: &Array,
    biases: Option<&Array>,
    transpose: bool,
    options: QuantizeOptions,
) -> Result<Array> {
    mlx_op!(mlx_quantized_matmul(
        x.as_raw(),
        w.as_raw(),
        scales.as_raw(),
        opt_array(biases),
        transpose,
        opt_int(group_size(&options)?),
        opt_int(options.bits),
        options.mode.as_c_str().as_ptr(),
        current_raw()?
    ))
}

/// [`quantized_matmul`] with matrix-level gather: `x[lhs_indices] @ w[rhs_indices]`
/// over the batch dimensions (`None` uses the batch as is). `sorted_indices` promises
/// that `rhs_indices` is sorted.
///
/// Python: `mlx.core.gather_qmm`.
///
/// # Errors
/// As for [`quantized_matmul`], and MLX's error ([`Error::Backend`]) when an index array
/// is not of an integer dtype or does not fit the batch dimensions.
#[allow(clippy::too_many_arguments)]
pub fn gather_qmm(
    x: &Array,
    w: &Array,
    scales: &Array,
    biases: Option<&Array>,
    lhs_indices: Option<&Array>,
    rhs_indices: Option<&Array>,
    transpose: bool,
    options: QuantizeOptions,
    sorted_indices: bool,
) -> Result<Array> {
    let lhs = super::guards::batch_in_bounds(lhs_indices, x)?;
    let rhs = super::guards::batch_in_bounds(rhs_indices, w)?;
    let checked = lhs.and_then(|l| rhs.map(|r| (l, r)));
    let raw = (lhs_indices.cloned(), rhs_indices.cloned());
    let group_size = group_size(&options)?;
    super::guards::fail_closed("gather_qmm", checked, raw, |(lhs, rhs)| {
        mlx_op!(mlx_gather_qmm(
            x.as_raw(),
            w.as_raw(),
            scales.as_raw(),
            opt_array(biases),
            opt_array(lhs.as_ref()),
            opt_array(rhs.as_ref()),
            transpose,
            opt_int(group_size),
            opt_int(options.bits),
            options.mode.as_c_str().as_ptr(),
            sorted_indices,
            current_raw()?
        ))
    })
}

/// Matrix product with both operands quantized: `x` is quantized on the fly, `w` is
/// either quantized already (pass `w_scales`) or quantized here (`w_scales = None`).
/// Python's default mode is `Nvfp4` (`QuantizeOptions::new(QuantizationMode::Nvfp4)`);
/// `global_scale_x`/`global_scale_w` are the optional `float32` scales of that mode.
///
/// Python: `mlx.core.qqmm`. MLX implements it only on some GPUs; elsewhere it is an
/// `Err`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) where MLX has no implementation (e.g. on the CPU,
/// `"[QQMatmul] NYI for the general case"`), for inputs that are not 2-dimensional or not
/// floating-point, a quantized `w` without `w_scales`, or (in
/// [`QuantizationMode::Nvfp4`]) only one of the two global scales.
pub fn qqmm(
    x: &Array,
    w: &Array,
    w_scales: Option<&Array>,
    options: QuantizeOptions,
    global_scale_x: Option<&Array>,
    global_scale_w: Option<&Array>,
) -> Result<Array> {
    mlx_op!(mlx_qqmm(
        x.as_raw(),
        w.as_raw(),
        opt_array(w_scales),
        opt_int(group_size(&options)?),
        opt_int(options.bits),
        options.mode.as_c_str().as_ptr(),
        opt_array(global_scale_x),
        opt_array(global_scale_w),
        current_raw()?
    ))
}

/// [`qqmm`] with matrix-level gather over the batch dimensions, as in [`gather_qmm`].
///
/// Python: `mlx.core.gather_qqmm`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) where MLX has no implementation (e.g. on the CPU), or
/// as for [`qqmm`] and [`gather_qmm`].
#[allow(clippy::too_many_arguments)]
pub fn gather_qqmm(
    x: &Array,
    w: &Array,
    scales_w: Option<&Array>,
    lhs_indices: Option<&Array>,
    rhs_indices: Option<&Array>,
    options: QuantizeOptions,
    global_scale_x: Option<&Array>,
    global_scale_w: Option<&Array>,
    sorted_indices: bool,
) -> Result<Array> {
    mlx_op!(mlx_gather_qqmm(
        x.as_raw(),
        w.as_raw(),
        opt_array(scales_w),
        opt_array(lhs_indices),
        opt_array(rhs_indices),
        opt_int(group_size(&options)?),
        opt_int(options.bits),
        options.mode.as_c_str().as_ptr(),
        opt_array(global_scale_x),
        opt_array(global_scale_w),
        sorted_indices,
        current_raw()?
    ))
}

/// Converts a floating-point array to E4M3 float8, stored as `uint8`.
///
/// Python: `mlx.core.to_fp8`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `x` is not of a real floating-point dtype.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::{from_fp8, to_fp8}};
/// let x = Array::from_slice(&[1.0f32, -2.0, 0.5], &[3])?;
/// let q = to_fp8(&x)?;
/// assert_eq!(q.dtype(), Dtype::Uint8);
/// assert_eq!(from_fp8(&q, Dtype::Float32)?.to_vec::<f32>()?, [1.0, -2.0, 0.5]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn to_fp8(x: &Array) -> Result<Array> {
    mlx_op!(mlx_to_fp8(x.as_raw(), current_raw()?))
}

/// Converts E4M3 float8 values (stored as `uint8`) to the floating-point `dtype`
/// (Python's default is `bfloat16`).
///
/// Python: `mlx.core.from_fp8`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `x` is not a `uint8` array or `dtype` is not a
/// real floating-point type.
pub fn from_fp8(x: &Array, dtype: Dtype) -> Result<Array> {
    mlx_op!(mlx_from_fp8(x.as_raw(), dtype.to_sys(), current_raw()?))
}

/// The group size as mlx-c takes it, after the check MLX 0.32.2 lacks: a group size of
/// 0 divides by zero (SIGFPE, in Python MLX too).
fn group_size(options: &QuantizeOptions) -> Result<Option<i32>> {
    if let Some(g) = options.group_size.filter(|&g| g < 1) {
        return Err(crate::Error::invalid(
            "group_size",
            format!("quantize: the group size must be at least 1, got {g}"),
        ));
    }
    Ok(options.group_size)
}
