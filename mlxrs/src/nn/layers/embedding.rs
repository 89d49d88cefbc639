//! `Embedding` (mlx/nn/layers/embedding.py).

use super::{positive, quantized};
use crate::nn::{Module, Param, UnaryLayer};
use crate::ops::{self, QuantizeOptions};
use crate::{Array, Dtype, Result, random};

/// A lookup table of `num_embeddings` vectors of `dims` (Python:
/// `nn.Embedding(num_embeddings, dims)`): `weight` `[num_embeddings, dims]` drawn from
/// `N(0, 1/dims)` (standard deviation `√(1/dims)`), float32. `forward` takes integer
/// indices and returns `weight[x]`.
///
/// After [`quantize`](crate::nn::quantize) it computes as Python's `QuantizedEmbedding`
/// (`weight`, `scales`, `biases`, frozen).
///
/// # Examples
/// ```
/// use mlxrs::nn::{Embedding, UnaryLayer};
/// let emb = Embedding::new(10, 4)?;
/// let y = emb.forward(&mlxrs::Array::from_slice(&[1i32, 7, 7], &[3])?)?;
/// assert_eq!(y.shape(), &[3, 4]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
#[module(quantize)]
pub struct Embedding {
    /// `[num_embeddings, dims]` (packed `uint32` when quantized).
    pub weight: Param,
    /// The quantization scales (quantized layers only).
    pub scales: Option<Param>,
    /// The quantization biases (quantized affine layers only).
    pub biases: Option<Param>,
    #[module(skip)]
    quantization: Option<QuantizeOptions>,
    #[module(training)]
    training: bool,
}

impl Embedding {
    /// A new table with Python's initialisation.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a size that is not positive.
    pub fn new(num_embeddings: i32, dims: i32) -> Result<Embedding> {
        positive("num_embeddings", "Embedding", num_embeddings.into())?;
        positive("dims", "Embedding", dims.into())?;
        let scale = (1.0 / f64::from(dims)).sqrt() as f32;
        let weight = random::normal(&[num_embeddings, dims], Dtype::Float32, 0.0, scale, None)?;
        Ok(Embedding {
            weight: Param::new(weight),
            scales: None,
            biases: None,
            quantization: None,
            training: true,
        })
    }

    /// Whether the table holds quantized weights.
    pub fn is_quantized(&self) -> bool {
        self.quantization.is_some()
    }

    /// Quantizes the table in place, as Python's `QuantizedEmbedding.from_embedding`
    /// (mode affine; `group_size` 64 and `bits` 4 by default). A second call changes
    /// nothing.
    ///
    /// # Errors
    /// MLX's error when the weights cannot be quantized with these settings.
    pub fn quantize_weights(&mut self, group_size: Option<i32>, bits: Option<i32>) -> Result<()> {
        if self.quantization.is_some() {
            return Ok(());
        }
        let (opts, w, scales, biases) = quantized::quantize_weight(&self.weight, group_size, bits)?;
        self.weight = Param::frozen(w);
        self.scales = Some(Param::frozen(scales));
        self.biases = biases.map(Param::frozen);
        self.quantization = Some(opts);
        Ok(())
    }

    /// Uses the table as a linear layer: `x Wᵀ` (Python: `embedding.as_linear(x)`), e.g.
    /// for tied input and output embeddings.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when the last dimension of `x` is not `dims`.
    pub fn as_linear(&self, x: &Array) -> Result<Array> {
        if let (Some(q), Some(scales)) = (self.quantization, &self.scales) {
            return quantized::quantized_linear(
                "Embedding",
                x,
                (&self.weight, scales, self.biases.as_deref(), None),
                q,
            );
        }
        super::check_input("Embedding", x, None, Some(self.weight.shape()[1]))?;
        ops::matmul(x, &ops::transpose(&self.weight)?)
    }
}

impl UnaryLayer for Embedding {
    fn forward(&self, x: &Array) -> Result<Array> {
        if let (Some(q), Some(scales)) = (self.quantization, &self.scales) {
            return quantized::quantized_lookup(
                "Embedding",
                x,
                (&self.weight, scales, self.biases.as_deref()),
                q,
            );
        }
        quantized::check_indices("Embedding", x)?;
        ops::take_axis(&self.weight, x, 0)
    }
}
