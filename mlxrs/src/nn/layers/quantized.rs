//! Quantized layers and `quantize` (mlx/nn/layers/quantized.py).

use super::{Embedding, Linear, check_input, positive};
use crate::nn::{Module, Param, UnaryLayer};
use crate::ops::{self, QuantizationMode, QuantizeOptions};
use crate::{Array, Dtype, Error, Result};

/// Quantizes `w` with Python's affine defaults (`group_size` 64, `bits` 4): the options
/// used, the packed weights, the scales and the biases.
pub(crate) fn quantize_weight(
    w: &Array,
    group_size: Option<i32>,
    bits: Option<i32>,
) -> Result<(QuantizeOptions, Array, Array, Option<Array>)> {
    let opts = QuantizeOptions {
        group_size: Some(group_size.unwrap_or(64)),
        bits: Some(bits.unwrap_or(4)),
        mode: QuantizationMode::Affine,
    };
    let (wq, scales, biases) = ops::quantize(w, opts, None)?;
    Ok((opts, wq, scales, biases))
}

/// The unpacked column count of packed `uint32` weights.
pub(crate) fn unpacked_dims(w: &Array, opts: QuantizeOptions) -> i32 {
    w.shape()[1] * 32 / opts.bits.unwrap_or(4)
}

/// `x Wᵀ (+ bias)` with quantized `W`: Python's `QuantizedLinear.__call__`.
pub(crate) fn quantized_linear(
    layer: &'static str,
    x: &Array,
    (w, scales, biases, bias): (&Array, &Array, Option<&Array>, Option<&Array>),
    opts: QuantizeOptions,
) -> Result<Array> {
    check_input(layer, x, None, Some(unpacked_dims(w, opts)))?;
    let y = ops::quantized_matmul(x, w, scales, biases, true, opts)?;
    match bias {
        Some(b) => ops::add(&y, b),
        None => Ok(y),
    }
}

/// Rows `x` of a quantized table: Python's `QuantizedEmbedding.__call__`.
pub(crate) fn quantized_lookup(
    layer: &'static str,
    x: &Array,
    (w, scales, biases): (&Array, &Array, Option<&Array>),
    opts: QuantizeOptions,
) -> Result<Array> {
    check_indices(layer, x)?;
    let rows = |a: &Array| ops::take_axis(a, x, 0);
    let biases = biases.map(rows).transpose()?;
    ops::dequantize(&rows(w)?, &rows(scales)?, biases.as_ref(), opts, None, None)
}

/// An [`Error::DtypeMismatch`](crate::Error::DtypeMismatch) for `layer` unless `x` holds integers.
pub(crate) fn check_indices(layer: &'static str, x: &Array) -> Result<()> {
    if x.dtype().is_integer() {
        return Ok(());
    }
    Err(Error::DtypeMismatch {
        op: layer,
        expected: Dtype::Int32,
        got: x.dtype(),
    })
}

/// A linear layer with quantized weights (Python: `nn.QuantizedLinear(input_dims,
/// output_dims, bias=True, group_size=64, bits=4)`): parameters `weight` (packed
/// `uint32`), `scales`, `biases` (affine mode) and `bias`.
///
/// # Examples
/// ```
/// use mlxrs::nn::{Module, QuantizedLinear, UnaryLayer};
/// let q = QuantizedLinear::new(64, 8, true, None, None)?;
/// assert!(q.trainable_parameters().is_empty()); // frozen, as in Python
/// let y = q.forward(&mlxrs::Array::ones(&[2, 64], mlxrs::Dtype::Float32)?)?;
/// assert_eq!(y.shape(), &[2, 8]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
pub struct QuantizedLinear {
    /// Packed weights, `[output_dims, input_dims * bits / 32]` `uint32`.
    pub weight: Param,
    /// `[output_dims, input_dims / group_size]`.
    pub scales: Param,
    /// `[output_dims, input_dims / group_size]` (affine mode).
    pub biases: Option<Param>,
    /// `[output_dims]`, when the layer has a bias.
    pub bias: Option<Param>,
    #[module(skip)]
    options: QuantizeOptions,
    #[module(training)]
    training: bool,
}

impl QuantizedLinear {
    /// A new layer as Python builds it: a random weight with [`Linear`]'s
    /// initialisation, quantized, a zero bias, and every parameter frozen.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a dimension that is not positive; MLX's error when
    /// `input_dims` is not a multiple of `group_size`.
    pub fn new(
        input_dims: i32,
        output_dims: i32,
        bias: bool,
        group_size: Option<i32>,
        bits: Option<i32>,
    ) -> Result<QuantizedLinear> {
        positive("input_dims", "QuantizedLinear", input_dims.into())?;
        positive("output_dims", "QuantizedLinear", output_dims.into())?;
        let linear = Linear::new(input_dims, output_dims, false)?;
        let mut q = QuantizedLinear::from_linear(&linear, group_size, bits)?;
        if bias {
            q.bias = Some(Param::new(Array::zeros(&[output_dims], Dtype::Float32)?));
        }
        q.freeze()?;
        Ok(q)
    }

    /// Quantizes `linear`'s weights (Python: `QuantizedLinear.from_linear`): `weight`,
    /// `scales` and `biases` are frozen; the bias is copied with its state.
    ///
    /// # Errors
    /// MLX's error when the weights cannot be quantized with these settings.
    pub fn from_linear(
        linear: &Linear,
        group_size: Option<i32>,
        bits: Option<i32>,
    ) -> Result<QuantizedLinear> {
        if linear.is_quantized() {
            return Err(Error::invalid(
                "linear",
                "QuantizedLinear::from_linear: the layer is already quantized",
            ));
        }
        let (options, w, scales, biases) = quantize_weight(&linear.weight, group_size, bits)?;
        Ok(QuantizedLinear {
            weight: Param::frozen(w),
            scales: Param::frozen(scales),
            biases: biases.map(Param::frozen),
            bias: linear.bias.clone(),
            options,
            training: true,
        })
    }

    /// The group size and bit width.
    pub fn options(&self) -> QuantizeOptions {
        self.options
    }
}

impl UnaryLayer for QuantizedLinear {
    fn forward(&self, x: &Array) -> Result<Array> {
        quantized_linear(
            "QuantizedLinear",
            x,
            (
                &self.weight,
                &self.scales,
                self.biases.as_deref(),
                self.bias.as_deref(),
            ),
            self.options,
        )
    }
}

/// An embedding table with quantized weights (Python: `nn.QuantizedEmbedding(
/// num_embeddings, dims, group_size=64, bits=4)`): parameters `weight`, `scales` and
/// `biases`, frozen.
#[derive(Debug, Clone, Module)]
pub struct QuantizedEmbedding {
    /// Packed weights, `[num_embeddings, dims * bits / 32]` `uint32`.
    pub weight: Param,
    /// `[num_embeddings, dims / group_size]`.
    pub scales: Param,
    /// `[num_embeddings, dims / group_size]` (affine mode).
    pub biases: Option<Param>,
    #[module(skip)]
    options: QuantizeOptions,
    #[module(training)]
    training: bool,
}

impl QuantizedEmbedding {
    /// A new table as Python builds it: [`Embedding`]'s initialisation, quantized, frozen.
    ///
    /// # Errors
    /// As [`Embedding::new`]; MLX's error when `dims` is not a multiple of `group_size`.
    pub fn new(
        num_embeddings: i32,
        dims: i32,
        group_size: Option<i32>,
        bits: Option<i32>,
    ) -> Result<QuantizedEmbedding> {
        let e = Embedding::new(num_embeddings, dims)?;
        QuantizedEmbedding::from_embedding(&e, group_size, bits)
    }

    /// Quantizes `embedding`'s table (Python: `QuantizedEmbedding.from_embedding`).
    ///
    /// # Errors
    /// MLX's error when the table cannot be quantized with these settings.
    pub fn from_embedding(
        embedding: &Embedding,
        group_size: Option<i32>,
        bits: Option<i32>,
    ) -> Result<QuantizedEmbedding> {
        if embedding.is_quantized() {
            return Err(Error::invalid(
                "embedding",
                "QuantizedEmbedding::from_embedding: the table is already quantized",
            ));
        }
        let (options, w, scales, biases) = quantize_weight(&embedding.weight, group_size, bits)?;
        Ok(QuantizedEmbedding {
            weight: Param::frozen(w),
            scales: Param::frozen(scales),
            biases: biases.map(Param::frozen),
            options,
            training: true,
        })
    }

    /// `x Wᵀ` with the quantized table (Python: `as_linear`).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when the last dimension of `x` is not `dims`.
    pub fn as_linear(&self, x: &Array) -> Result<Array> {
        quantized_linear(
            "QuantizedEmbedding",
            x,
            (&self.weight, &self.scales, self.biases.as_deref(), None),
            self.options,
        )
    }
}

impl UnaryLayer for QuantizedEmbedding {
    fn forward(&self, x: &Array) -> Result<Array> {
        quantized_lookup(
            "QuantizedEmbedding",
            x,
            (&self.weight, &self.scales, self.biases.as_deref()),
            self.options,
        )
    }
}

/// The layer filter of [`quantize`]: `(path, module) -> quantize it?`.
pub type QuantizePredicate<'a> = &'a dyn Fn(&str, &dyn Module) -> bool;

/// Quantizes every [`Linear`] and [`Embedding`] of `model` in place (Python:
/// `nn.quantize(model, group_size=64, bits=4, class_predicate=...)`), mode affine. Each
/// quantized layer gets Python's `QuantizedLinear` / `QuantizedEmbedding` parameters
/// (`weight`, `scales`, `biases`, and `bias`) under the same path; weights saved
/// afterwards load into a Python model quantized the same way.
///
/// `predicate(path, module)` picks the layers (all quantizable ones when `None`); use
/// [`Module::type_name`] to tell layers apart.
///
/// # Errors
/// MLX's error when a picked layer cannot be quantized with these settings (e.g. a last
/// dimension not divisible by `group_size`); layers quantized before it stay so.
///
/// # Examples
/// ```
/// use mlxrs::nn::{self, Linear, Module};
/// let mut layer = Linear::new(64, 4, true)?;
/// nn::quantize(&mut layer, None, None, None)?;
/// let names: Vec<String> = layer.parameters().into_keys().collect();
/// assert_eq!(names, ["bias", "biases", "scales", "weight"]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn quantize<M: Module + ?Sized>(
    model: &mut M,
    group_size: Option<i32>,
    bits: Option<i32>,
    predicate: Option<QuantizePredicate<'_>>,
) -> Result<()> {
    model.visit_modules_mut("", &mut |path, m| {
        if predicate.is_none_or(|p| p(path, &*m)) {
            m.quantize_in_place(group_size, bits)?;
        }
        Ok(())
    })
}
