//! Fused implementations of common layers (`mx.fast`): normalizations, rotary
//! embeddings, attention, cross entropy, and custom Metal/CUDA kernels.
//!
//! Each function computes the same as its composition of plain ops, in one kernel where
//! the backend has one (on the CPU MLX falls back to the composed ops).
//!
//! ```
//! use mlxrs::{Array, fast::{self, AttentionMask, AttentionOptions}};
//! // One query attending over two keys; a causal mask aligned bottom-right lets the
//! // single (last) query see both keys.
//! let q = Array::from_slice(&[1.0f32, 0.0], &[1, 1, 1, 2])?;
//! let k = Array::from_slice(&[1.0f32, 0.0, 0.0, 1.0], &[1, 1, 2, 2])?;
//! let v = Array::from_slice(&[10.0f32, 20.0], &[1, 1, 2, 1])?;
//! let o = fast::scaled_dot_product_attention(
//!     &q, &k, &v, &AttentionOptions::new(0.0).mask(AttentionMask::Causal))?;
//! assert_eq!(o.to_vec::<f32>()?, [15.0]); // scale 0: equal weights
//! # Ok::<(), mlxrs::Error>(())
//! ```

mod kernel;

pub use kernel::{CudaKernel, CudaKernelConfig, MetalKernel, MetalKernelConfig};

#[cfg(doc)]
use crate::Error;
use crate::ffi::{mlx_op, opt_array, opt_float};
use crate::stream::current_raw;
use crate::{Array, Result};

/// Layer normalization over the last axis, with optional scale `weight` and `bias`
/// (Python: `mx.fast.layer_norm`).
///
/// # Errors
/// MLX's error when `weight` or `bias` does not match the last axis of `x`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, fast::layer_norm};
/// let y = layer_norm(&Array::from_slice(&[1.0f32, 3.0], &[1, 2])?, None, None, 1e-5)?;
/// let v = y.to_vec::<f32>()?;
/// assert!((v[0] + 1.0).abs() < 1e-3 && (v[1] - 1.0).abs() < 1e-3);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn layer_norm(
    x: &Array,
    weight: Option<&Array>,
    bias: Option<&Array>,
    eps: f32,
) -> Result<Array> {
    mlx_op!(mlx_fast_layer_norm(
        x.as_raw(),
        opt_array(weight),
        opt_array(bias),
        eps,
        current_raw()?
    ))
}

/// Root-mean-square normalization over the last axis, with optional scale `weight`
/// (Python: `mx.fast.rms_norm`).
///
/// # Errors
/// MLX's error when `weight` does not match the last axis of `x`.
pub fn rms_norm(x: &Array, weight: Option<&Array>, eps: f32) -> Result<Array> {
    mlx_op!(mlx_fast_rms_norm(
        x.as_raw(),
        opt_array(weight),
        eps,
        current_raw()?
    ))
}

/// Rotary positional encoding (Python: `mx.fast.rope` with an integer `offset`).
///
/// `a` has shape `[B, *, T, D]`; its first `dims` features are rotated (consecutive pairs
/// when `traditional`, else the two halves), by angles `scale * (offset + t) * θ_i` with
/// `θ_i = base^(-2i/dims)`, or the given `freqs` (then `base` must be `None`).
///
/// # Errors
/// MLX's error for fewer than 3 dimensions, or when `base` and `freqs` are both given or
/// both absent.
///
/// # Examples
/// ```
/// use mlxrs::{Array, fast::rope};
/// // Position 0 is not rotated.
/// let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[1, 1, 4])?;
/// let y = rope(&x, 4, false, Some(10000.0), 1.0, 0, None)?;
/// assert_eq!(y.to_vec::<f32>()?, [1.0, 2.0, 3.0, 4.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn rope(
    a: &Array,
    dims: i32,
    traditional: bool,
    base: Option<f32>,
    scale: f32,
    offset: i32,
    freqs: Option<&Array>,
) -> Result<Array> {
    mlx_op!(mlx_fast_rope(
        a.as_raw(),
        dims,
        traditional,
        opt_float(base),
        scale,
        offset,
        opt_array(freqs),
        current_raw()?
    ))
}

/// [`rope`] with the offset given as an array (Python: `mx.fast.rope` with an array
/// `offset`): a scalar, or one offset per batch element.
///
/// # Errors
/// As for [`rope`], and MLX's error for an offset of the wrong shape.
pub fn rope_dynamic(
    a: &Array,
    dims: i32,
    traditional: bool,
    base: Option<f32>,
    scale: f32,
    offset: &Array,
    freqs: Option<&Array>,
) -> Result<Array> {
    mlx_op!(mlx_fast_rope_dynamic(
        a.as_raw(),
        dims,
        traditional,
        opt_float(base),
        scale,
        offset.as_raw(),
        opt_array(freqs),
        current_raw()?
    ))
}

/// The mask of [`scaled_dot_product_attention`], Python's `mask` argument.
#[derive(Debug, Clone, Copy, Default)]
pub enum AttentionMask<'a> {
    /// No mask (`None`).
    #[default]
    None,
    /// A causal mask (`"causal"`), aligned bottom-right: the last query sees every key.
    Causal,
    /// A boolean mask (`true` = attend) or an additive one, broadcastable to
    /// `[B, N, T_q, T_kv]`.
    Array(&'a Array),
}

/// The keyword arguments of [`scaled_dot_product_attention`].
///
/// ```
/// use mlxrs::fast::{AttentionMask, AttentionOptions};
/// let options = AttentionOptions::new(0.125).mask(AttentionMask::Causal);
/// assert_eq!(options.scale, 0.125);
/// assert!(options.sinks.is_none() && !options.force_fused);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AttentionOptions<'a> {
    /// The factor applied to the queries, typically `1 / sqrt(D)`.
    pub scale: f32,
    /// The mask; none by default.
    pub mask: AttentionMask<'a>,
    /// Optional attention sinks, one logit per query head.
    pub sinks: Option<&'a Array>,
    /// Use a fused kernel regardless of MLX's heuristics, and fail where none exists.
    pub force_fused: bool,
}

impl<'a> AttentionOptions<'a> {
    /// Options with `scale`, no mask, no sinks.
    pub fn new(scale: f32) -> Self {
        AttentionOptions {
            scale,
            mask: AttentionMask::None,
            sinks: None,
            force_fused: false,
        }
    }

    /// With `mask`.
    #[must_use]
    pub fn mask(mut self, mask: AttentionMask<'a>) -> Self {
        self.mask = mask;
        self
    }

    /// With attention `sinks`.
    #[must_use]
    pub fn sinks(mut self, sinks: &'a Array) -> Self {
        self.sinks = Some(sinks);
        self
    }

    /// With `force_fused`.
    #[must_use]
    pub fn force_fused(mut self, force_fused: bool) -> Self {
        self.force_fused = force_fused;
        self
    }
}

/// Multi-head attention `softmax(scale · q kᵀ + mask) v` (Python:
/// `mx.fast.scaled_dot_product_attention`), with grouped- and multi-query attention:
/// `queries` `[B, N_q, T_q, D]`, `keys` and `values` `[B, N_kv, T_kv, D]` with `N_q` a
/// multiple of `N_kv` (not pre-tiled). The softmax runs in `float32`.
///
/// # Errors
/// MLX's error for incompatible shapes or mask, or `force_fused` where no fused kernel
/// exists; [`Error::InvalidArgument`] for keys or values
/// without heads (MLX divides by their number).
pub fn scaled_dot_product_attention(
    queries: &Array,
    keys: &Array,
    values: &Array,
    options: &AttentionOptions<'_>,
) -> Result<Array> {
    // MLX 0.32.2 divides the query heads by the key heads: none is a SIGFPE (in Python
    // MLX too).
    let heads = |a: &Array| a.ndim().checked_sub(3).map(|i| a.shape()[i]);
    if heads(keys) == Some(0) || heads(values) == Some(0) {
        return Err(crate::Error::invalid(
            "keys/values",
            format!(
                "scaled_dot_product_attention needs at least one key/value head, got shapes {:?} and {:?}",
                keys.shape(),
                values.shape()
            ),
        ));
    }
    let (mode, mask) = match options.mask {
        AttentionMask::None => (c"", None),
        AttentionMask::Causal => (c"causal", None),
        AttentionMask::Array(m) => (c"array", Some(m)),
    };
    mlx_op!(mlx_fast_scaled_dot_product_attention(
        queries.as_raw(),
        keys.as_raw(),
        values.as_raw(),
        options.scale,
        mode.as_ptr(),
        opt_array(mask),
        opt_array(options.sinks),
        options.force_fused,
        current_raw()?
    ))
}

/// Cross entropy with class indices as targets (Python: `mx.fast.cross_entropy`):
/// `logsumexp(logits, -1) - logits[..., targets]`, in `float32`, with the shape of
/// `targets`. Fused on CUDA; composed of plain ops elsewhere.
///
/// # Errors
/// MLX's error when the shape of `targets` is not that of `logits` without its last
/// axis.
///
/// # Examples
/// ```
/// use mlxrs::{Array, fast::cross_entropy};
/// let logits = Array::from_slice(&[0.0f32, 0.0], &[1, 2])?;
/// let loss = cross_entropy(&logits, &Array::from_slice(&[1i32], &[1])?)?;
/// assert!((loss.to_vec::<f32>()?[0] - 2f32.ln()).abs() < 1e-6);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn cross_entropy(logits: &Array, targets: &Array) -> Result<Array> {
    // The targets index the last axis: kept in bounds as index arrays are (see
    // `ops::indexing`), since MLX reads outside `logits` for an out-of-range class.
    // (The general form: the fused CUDA kernel need not wrap negative classes.)
    use crate::ops::guards::{fail_closed, in_bounds};
    let checked = match logits.shape().last() {
        Some(&n) => in_bounds(targets, &[n.into()], &[1])?,
        None => in_bounds(targets, &[], &[])?,
    };
    fail_closed("cross_entropy", checked, targets.clone(), |t| {
        mlx_op!(mlx_fast_cross_entropy(
            logits.as_raw(),
            t.as_raw(),
            current_raw()?
        ))
    })
}
