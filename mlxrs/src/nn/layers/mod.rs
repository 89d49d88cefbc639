//! The layers of Python MLX's `mlx.nn` (mlx/nn/layers/*.py): same constructor
//! defaults, parameter names, shapes, dtypes and initialisations.

mod containers;
mod convolution;
mod dropout;
mod embedding;
mod linear;
mod normalization;
mod pooling;
mod quantized;
mod transformer;

pub use containers::Sequential;
pub use convolution::{Conv1d, Conv2d};
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use linear::{Identity, Linear};
pub use normalization::{BatchNorm, LayerNorm, RMSNorm, RunningStat};
pub use pooling::{AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d};
pub use quantized::{QuantizePredicate, QuantizedEmbedding, QuantizedLinear, quantize};
pub use transformer::{
    Activation, AttentionDims, MultiHeadAttention, TransformerEncoder, TransformerEncoderLayer,
};

use crate::{Array, Dtype, Error, Result, random};

/// `U(-scale, scale)` of `shape`, float32: Python's `mx.random.uniform(-scale, scale, shape)`.
pub(crate) fn uniform(scale: f32, shape: &[i32]) -> Result<Array> {
    random::uniform(
        &Array::from(-scale),
        &Array::from(scale),
        shape,
        Dtype::Float32,
        None,
    )
}

/// An [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) for `layer` when `x` is not `ndim`-dimensional with last
/// dimension `last` (either check skipped when `None`).
pub(crate) fn check_input(
    layer: &'static str,
    x: &Array,
    ndim: Option<&[usize]>,
    last: Option<i32>,
) -> Result<()> {
    if let Some(ndims) = ndim {
        if !ndims.contains(&x.ndim()) {
            let want: Vec<String> = ndims.iter().map(ToString::to_string).collect();
            return Err(Error::ShapeMismatch {
                op: layer,
                reason: format!(
                    "expected an input with {} dimensions, got shape {:?}",
                    want.join(" or "),
                    x.shape()
                ),
            });
        }
    }
    if let Some(n) = last {
        if x.shape().last() != Some(&n) {
            return Err(Error::ShapeMismatch {
                op: layer,
                reason: format!(
                    "expected an input whose last dimension is {n}, got shape {:?}",
                    x.shape()
                ),
            });
        }
    }
    Ok(())
}

/// An [`Error::InvalidArgument`](crate::Error::InvalidArgument) unless `value` is positive.
pub(crate) fn positive(name: &'static str, layer: &str, value: i64) -> Result<()> {
    if value <= 0 {
        return Err(Error::invalid(
            name,
            format!("{layer}: must be positive, got {value}"),
        ));
    }
    Ok(())
}
