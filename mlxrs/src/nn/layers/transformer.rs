//! `MultiHeadAttention`, `TransformerEncoderLayer`, `TransformerEncoder`
//! (mlx/nn/layers/transformer.py).

use std::fmt;
use std::rc::Rc;

use super::{Dropout, LayerNorm, Linear, check_input, positive};
use crate::fast::{self, AttentionMask, AttentionOptions};
use crate::nn::{Module, UnaryLayer};
use crate::{Array, Dtype, Error, Result, ops, transforms};

/// Multi-head attention (Python: `nn.MultiHeadAttention(dims, num_heads,
/// query_input_dims=None, key_input_dims=None, value_input_dims=None, value_dims=None,
/// value_output_dims=None, bias=False)`): `query_proj`, `key_proj`, `value_proj` and
/// `out_proj` [`Linear`] layers, attention by
/// [`fast::scaled_dot_product_attention`].
///
/// # Examples
/// ```
/// use mlxrs::nn::MultiHeadAttention;
/// let mha = MultiHeadAttention::new(8, 2)?;
/// let x = mlxrs::Array::ones(&[1, 5, 8], mlxrs::Dtype::Float32)?;
/// let mask = MultiHeadAttention::create_additive_causal_mask(5, mlxrs::Dtype::Float32)?;
/// assert_eq!(mha.forward(&x, &x, &x, Some(&mask))?.shape(), &[1, 5, 8]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
pub struct MultiHeadAttention {
    /// Queries → `dims`.
    pub query_proj: Linear,
    /// Keys → `dims`.
    pub key_proj: Linear,
    /// Values → `value_dims`.
    pub value_proj: Linear,
    /// `value_dims` → `value_output_dims`.
    pub out_proj: Linear,
    /// The number of heads.
    pub num_heads: i32,
}

/// The optional sizes of [`MultiHeadAttention::with_options`] (`None`: Python's
/// defaults).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttentionDims {
    /// Query input size (default `dims`).
    pub query_input_dims: Option<i32>,
    /// Key input size (default `dims`).
    pub key_input_dims: Option<i32>,
    /// Value input size (default: the key input size).
    pub value_input_dims: Option<i32>,
    /// Value projection size (default `dims`).
    pub value_dims: Option<i32>,
    /// Output size (default `dims`).
    pub value_output_dims: Option<i32>,
}

impl MultiHeadAttention {
    /// `MultiHeadAttention(dims, num_heads)` with Python's defaults (no biases).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when `dims` is not divisible by `num_heads`.
    pub fn new(dims: i32, num_heads: i32) -> Result<MultiHeadAttention> {
        MultiHeadAttention::with_options(dims, num_heads, AttentionDims::default(), false)
    }

    /// Every option (Python's keyword arguments).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when `dims` is not divisible by `num_heads`, or a size is
    /// not positive.
    pub fn with_options(
        dims: i32,
        num_heads: i32,
        d: AttentionDims,
        bias: bool,
    ) -> Result<MultiHeadAttention> {
        positive("num_heads", "MultiHeadAttention", num_heads.into())?;
        if dims % num_heads != 0 {
            return Err(Error::invalid(
                "num_heads",
                format!(
                    "MultiHeadAttention: the feature dimensions should be divisible by the number of heads ({dims} % {num_heads} != 0)"
                ),
            ));
        }
        let q_in = d.query_input_dims.unwrap_or(dims);
        let k_in = d.key_input_dims.unwrap_or(dims);
        let v_in = d.value_input_dims.unwrap_or(k_in);
        let v_dims = d.value_dims.unwrap_or(dims);
        let v_out = d.value_output_dims.unwrap_or(dims);
        Ok(MultiHeadAttention {
            query_proj: Linear::new(q_in, dims, bias)?,
            key_proj: Linear::new(k_in, dims, bias)?,
            value_proj: Linear::new(v_in, v_dims, bias)?,
            out_proj: Linear::new(v_dims, v_out, bias)?,
            num_heads,
        })
    }

    /// Attention of `queries` `[B, L, q_in]` over `keys` `[B, S, k_in]` and `values`
    /// `[B, S, v_in]`; `mask` is additive (float) or boolean (`true` attends), broadcast
    /// to `[B, heads, L, S]`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) naming the projection whose input has the wrong last
    /// dimension, or for inputs that are not 3-dimensional; MLX's error for a mask that
    /// does not broadcast.
    pub fn forward(
        &self,
        queries: &Array,
        keys: &Array,
        values: &Array,
        mask: Option<&Array>,
    ) -> Result<Array> {
        for x in [queries, keys, values] {
            check_input("MultiHeadAttention", x, Some(&[3]), None)?;
        }
        let heads = |x: &Array| -> Result<Array> {
            let x = ops::unflatten(x, -1, &[self.num_heads, -1])?;
            ops::transpose_axes(&x, &[0, 2, 1, 3])
        };
        let q = heads(&self.query_proj.forward(queries)?)?;
        let k = heads(&self.key_proj.forward(keys)?)?;
        let v = heads(&self.value_proj.forward(values)?)?;
        let scale = (1.0 / f64::from(q.shape()[3])).sqrt() as f32;
        let mut opts = AttentionOptions::new(scale);
        if let Some(m) = mask {
            opts = opts.mask(AttentionMask::Array(m));
        }
        let out = fast::scaled_dot_product_attention(&q, &k, &v, &opts)?;
        let out = ops::flatten(&ops::transpose_axes(&out, &[0, 2, 1, 3])?, -2, -1)?;
        self.out_proj.forward(&out)
    }

    /// An `[n, n]` additive causal mask: 0 on and below the diagonal, the smallest finite
    /// value of `dtype` above it (Python:
    /// `nn.MultiHeadAttention.create_additive_causal_mask(N, dtype=mx.float32)`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a `dtype` that is not a floating-point type.
    pub fn create_additive_causal_mask(n: i32, dtype: Dtype) -> Result<Array> {
        let min = match dtype {
            Dtype::Float32 => f64::from(f32::MIN),
            Dtype::Float16 => -65504.0,
            Dtype::Bfloat16 => -3.389_531_389_251_535_5e38,
            Dtype::Float64 => f64::MIN,
            other => {
                return Err(Error::invalid(
                    "dtype",
                    format!(
                        "create_additive_causal_mask: expected a floating-point dtype, got {other}"
                    ),
                ));
            }
        };
        let idx = Array::arange(0.0, f64::from(n), 1.0, Dtype::Int32)?;
        let rows = ops::expand_dims(&idx, 1)?;
        let cols = ops::expand_dims(&idx, 0)?;
        let mask = ops::less(&rows, &cols)?.astype(dtype)?;
        let min = if dtype == Dtype::Float64 {
            Array::from(min)
        } else {
            Array::from(min as f32).astype(dtype)?
        };
        ops::multiply(&mask, &min)
    }
}

/// The activation of the Transformer layers: a cheap-to-clone function (Python passes a
/// callable; the default is `nn.relu`).
#[derive(Clone)]
pub struct Activation(Rc<ActivationFn>);

/// The function inside an [`Activation`].
type ActivationFn = dyn Fn(&Array) -> Result<Array>;

impl Activation {
    /// Wraps `f`.
    pub fn new(f: impl Fn(&Array) -> Result<Array> + 'static) -> Activation {
        Activation(Rc::new(f))
    }

    /// `max(x, 0)` (Python: `nn.relu`).
    pub fn relu() -> Activation {
        Activation::new(|x| ops::maximum(x, &Array::from(0.0f32).astype(x.dtype())?))
    }

    /// Applies the function.
    ///
    /// # Errors
    /// The function's error.
    pub fn apply(&self, x: &Array) -> Result<Array> {
        (self.0)(x)
    }
}

impl fmt::Debug for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Activation")
    }
}

/// One Transformer encoder block (Python: `nn.TransformerEncoderLayer(dims, num_heads,
/// mlp_dims=None, dropout=0.0, activation=relu, norm_first=True)`): `attention`, `ln1`,
/// `ln2`, `linear1` (`dims` → `mlp_dims`, default `4·dims`), `linear2`, `dropout1`,
/// `dropout2`.
#[derive(Debug, Clone, Module)]
pub struct TransformerEncoderLayer {
    /// Self-attention.
    pub attention: MultiHeadAttention,
    /// The first LayerNorm.
    pub ln1: LayerNorm,
    /// The second LayerNorm.
    pub ln2: LayerNorm,
    /// `dims` → `mlp_dims`.
    pub linear1: Linear,
    /// `mlp_dims` → `dims`.
    pub linear2: Linear,
    /// After attention.
    pub dropout1: Dropout,
    /// Inside the MLP.
    pub dropout2: Dropout,
    /// The MLP's activation.
    #[module(skip)]
    pub activation: Activation,
    /// Pre-norm (`true`, Python's default) or post-norm.
    pub norm_first: bool,
}

impl TransformerEncoderLayer {
    /// Every option (Python's arguments); `mlp_dims` `None` is `4·dims`.
    ///
    /// # Errors
    /// As [`MultiHeadAttention::new`] and [`Dropout::new`].
    pub fn new(
        dims: i32,
        num_heads: i32,
        mlp_dims: Option<i32>,
        dropout: f32,
        activation: Activation,
        norm_first: bool,
    ) -> Result<TransformerEncoderLayer> {
        let mlp_dims = mlp_dims.unwrap_or(dims * 4);
        Ok(TransformerEncoderLayer {
            attention: MultiHeadAttention::new(dims, num_heads)?,
            ln1: LayerNorm::new(dims)?,
            ln2: LayerNorm::new(dims)?,
            linear1: Linear::new(dims, mlp_dims, true)?,
            linear2: Linear::new(mlp_dims, dims, true)?,
            dropout1: Dropout::new(dropout)?,
            dropout2: Dropout::new(dropout)?,
            activation,
            norm_first,
        })
    }

    /// Applies the block to `x` `[B, L, dims]` with an optional attention `mask`.
    ///
    /// # Errors
    /// As [`MultiHeadAttention::forward`].
    pub fn forward(&self, x: &Array, mask: Option<&Array>) -> Result<Array> {
        let mlp = |y: &Array| -> Result<Array> {
            let y = self.linear1.forward(y)?;
            let y = self.activation.apply(&y)?;
            let y = self.dropout2.forward(&y)?;
            self.linear2.forward(&y)
        };
        if self.norm_first {
            let y = self.ln1.forward(x)?;
            let y = self.attention.forward(&y, &y, &y, mask)?;
            let x = ops::add(x, &self.dropout1.forward(&y)?)?;
            let y = mlp(&self.ln2.forward(&x)?)?;
            ops::add(&x, &y)
        } else {
            let y = self.attention.forward(x, x, x, mask)?;
            let x = self
                .ln1
                .forward(&ops::add(x, &self.dropout1.forward(&y)?)?)?;
            let y = mlp(&x)?;
            self.ln2.forward(&ops::add(&x, &y)?)
        }
    }
}

/// A stack of [`TransformerEncoderLayer`]s and a final LayerNorm `ln` (Python:
/// `nn.TransformerEncoder(num_layers, dims, num_heads, mlp_dims=None, dropout=0.0,
/// activation=relu, norm_first=True, checkpoint=False)`); parameters `layers.N.*` and
/// `ln.*`.
///
/// # Examples
/// ```
/// use mlxrs::nn::{Activation, Module, TransformerEncoder};
/// let enc = TransformerEncoder::new(2, 8, 2, None, 0.0, Activation::relu(), true, false)?;
/// assert!(enc.parameters().contains_key("layers.1.attention.query_proj.weight"));
/// let y = enc.forward(&mlxrs::Array::ones(&[1, 3, 8], mlxrs::Dtype::Float32)?, None)?;
/// assert_eq!(y.shape(), &[1, 3, 8]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
pub struct TransformerEncoder {
    /// The blocks.
    pub layers: Vec<TransformerEncoderLayer>,
    /// The final LayerNorm.
    pub ln: LayerNorm,
    /// Recompute each block in the backward pass (gradient checkpointing).
    pub checkpoint: bool,
}

impl TransformerEncoder {
    /// Every option (Python's arguments).
    ///
    /// # Errors
    /// As [`TransformerEncoderLayer::new`].
    #[allow(clippy::too_many_arguments, reason = "Python's constructor arguments")]
    pub fn new(
        num_layers: usize,
        dims: i32,
        num_heads: i32,
        mlp_dims: Option<i32>,
        dropout: f32,
        activation: Activation,
        norm_first: bool,
        checkpoint: bool,
    ) -> Result<TransformerEncoder> {
        let layers = (0..num_layers)
            .map(|_| {
                TransformerEncoderLayer::new(
                    dims,
                    num_heads,
                    mlp_dims,
                    dropout,
                    activation.clone(),
                    norm_first,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(TransformerEncoder {
            layers,
            ln: LayerNorm::new(dims)?,
            checkpoint,
        })
    }

    /// Applies every block, then `ln`.
    ///
    /// # Errors
    /// As [`TransformerEncoderLayer::forward`].
    pub fn forward(&self, x: &Array, mask: Option<&Array>) -> Result<Array> {
        let mut x = x.clone();
        for layer in &self.layers {
            x = if self.checkpoint {
                // As Python's `nn.utils.checkpoint`: the block's trainable parameters are
                // inputs of the checkpointed function, so gradients reach them.
                let params = layer.trainable_parameters();
                let names: Vec<String> = params.keys().cloned().collect();
                let n = names.len();
                let l = layer.clone();
                let f = transforms::checkpoint(move |xs: &[Array]| {
                    let mut l = l.clone();
                    l.update(&names.iter().cloned().zip(xs[..n].iter().cloned()).collect())?;
                    Ok(vec![l.forward(&xs[n], xs.get(n + 1))?])
                })?;
                let mut args: Vec<Array> = params.into_values().collect();
                args.push(x);
                args.extend(mask.cloned());
                f(&args)?.remove(0)
            } else {
                layer.forward(&x, mask)?
            };
        }
        self.ln.forward(&x)
    }
}
