//! `Linear` and `Identity` (mlx/nn/layers/linear.py).

use super::{check_input, positive, quantized, uniform};
use crate::nn::{Module, Param, UnaryLayer};
use crate::ops::{self, QuantizeOptions};
use crate::{Array, Result};

/// The identity: returns its input (Python: `nn.Identity`).
///
/// # Examples
/// ```
/// use mlxrs::nn::{Identity, UnaryLayer};
/// let x = mlxrs::Array::from_slice(&[1.0f32, 2.0], &[2])?;
/// assert_eq!(Identity::new().forward(&x)?.to_vec::<f32>()?, [1.0, 2.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
pub struct Identity {
    #[module(training)]
    training: bool,
}

impl Identity {
    /// A new identity layer.
    pub fn new() -> Identity {
        Identity { training: true }
    }
}

impl Default for Identity {
    fn default() -> Self {
        Identity::new()
    }
}

impl UnaryLayer for Identity {
    fn forward(&self, x: &Array) -> Result<Array> {
        Ok(x.clone())
    }
}

/// `y = x Wᵀ + b` (Python: `nn.Linear(input_dims, output_dims, bias=True)`): `weight`
/// `[output_dims, input_dims]` and `bias` `[output_dims]`, both drawn from
/// `U(-1/√input_dims, 1/√input_dims)`, float32.
///
/// After [`quantize`](crate::nn::quantize) (or [`Linear::quantize_in_place`]) the layer
/// computes as Python's `QuantizedLinear`: `weight` holds the packed weights and `scales`
/// and `biases` the quantization parameters, all frozen, under Python's names.
///
/// # Examples
/// ```
/// use mlxrs::nn::{Linear, Module, UnaryLayer};
/// let layer = Linear::new(3, 2, true)?;
/// let y = layer.forward(&mlxrs::Array::ones(&[4, 3], mlxrs::Dtype::Float32)?)?;
/// assert_eq!(y.shape(), &[4, 2]);
/// assert_eq!(layer.parameters().len(), 2);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
#[module(quantize)]
pub struct Linear {
    /// `[output_dims, input_dims]` (packed `uint32` when quantized).
    pub weight: Param,
    /// `[output_dims]`, when the layer has a bias.
    pub bias: Option<Param>,
    /// The quantization scales (quantized layers only).
    pub scales: Option<Param>,
    /// The quantization biases (quantized affine layers only).
    pub biases: Option<Param>,
    #[module(skip)]
    quantization: Option<QuantizeOptions>,
    #[module(training)]
    training: bool,
}

impl Linear {
    /// A new layer with Python's initialisation.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a dimension that is
    /// not positive.
    pub fn new(input_dims: i32, output_dims: i32, bias: bool) -> Result<Linear> {
        positive("input_dims", "Linear", input_dims.into())?;
        positive("output_dims", "Linear", output_dims.into())?;
        let scale = (1.0 / f64::from(input_dims)).sqrt() as f32;
        let weight = Param::new(uniform(scale, &[output_dims, input_dims])?);
        let bias = if bias {
            Some(Param::new(uniform(scale, &[output_dims])?))
        } else {
            None
        };
        Ok(Linear {
            weight,
            bias,
            scales: None,
            biases: None,
            quantization: None,
            training: true,
        })
    }

    /// The input dimension the layer expects.
    pub fn input_dims(&self) -> i32 {
        match self.quantization {
            Some(q) => quantized::unpacked_dims(&self.weight, q),
            None => self.weight.shape()[1],
        }
    }

    /// Whether the layer holds quantized weights.
    pub fn is_quantized(&self) -> bool {
        self.quantization.is_some()
    }

    /// Quantizes the weights in place, as Python's `QuantizedLinear.from_linear` (mode
    /// affine; `group_size` 64 and `bits` 4 by default): `weight`, `scales` and `biases`
    /// become frozen, `bias` keeps its state. A second call changes nothing.
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
}

impl UnaryLayer for Linear {
    fn forward(&self, x: &Array) -> Result<Array> {
        if let (Some(q), Some(scales)) = (self.quantization, &self.scales) {
            return quantized::quantized_linear(
                "Linear",
                x,
                (
                    &self.weight,
                    scales,
                    self.biases.as_deref(),
                    self.bias.as_deref(),
                ),
                q,
            );
        }
        check_input("Linear", x, None, Some(self.input_dims()))?;
        let wt = ops::transpose(&self.weight)?;
        match &self.bias {
            Some(b) => ops::addmm(b, x, &wt, 1.0, 1.0),
            None => ops::matmul(x, &wt),
        }
    }
}
