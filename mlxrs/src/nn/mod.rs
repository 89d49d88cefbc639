//! Neural networks: Python MLX's `mlx.nn`.
//!
//! Layers, losses, activations and initializers with Python's names, constructor
//! defaults and parameter names, so that weights move between Python MLX and mlxrs
//! unchanged. Built on mlxrs's public API only.
//!
//! A model is a plain struct with `#[derive(Clone, Module)]` (see [`Module`]): its
//! parameters form a tree named as Python's `tree_flatten(model.parameters())` names
//! them (`layers.0.weight`), read and written as a [`ParamMap`]. [`value_and_grad`]
//! differentiates a loss with respect to the trainable parameters; [`TrainStep`] makes
//! loss, gradients and optimizer update one (compiled) step.
//!
//! ```
//! use mlxrs::nn::{self, Linear, Module, UnaryLayer};
//! use mlxrs::{Array, Dtype, ops};
//!
//! #[derive(Clone, Module)]
//! struct Mlp {
//!     l1: Linear,
//!     l2: Linear,
//! }
//! impl Mlp {
//!     fn forward(&self, x: &Array) -> mlxrs::Result<Array> {
//!         let h = self.l1.forward(x)?;
//!         self.l2.forward(&ops::maximum(&h, &Array::from(0.0f32))?)
//!     }
//! }
//! let model = Mlp { l1: Linear::new(3, 8, true)?, l2: Linear::new(8, 1, true)? };
//! let step = nn::value_and_grad(|m: &Mlp, xs: &[Array]| {
//!     ops::mean(&ops::square(&ops::subtract(&m.forward(&xs[0])?, &xs[1])?)?, false)
//! });
//! let x = Array::ones(&[4, 3], Dtype::Float32)?;
//! let y = Array::zeros(&[4, 1], Dtype::Float32)?;
//! let (loss, grads) = step(&model, &[x, y])?;
//! assert_eq!(loss.ndim(), 0);
//! assert_eq!(grads.keys().collect::<Vec<_>>(), ["l1.bias", "l1.weight", "l2.bias", "l2.weight"]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

pub mod activations;
pub mod init;
pub mod losses;

pub use activations::*;

use std::collections::BTreeMap;

use crate::Array;

mod grad;
mod layers;
mod module;
mod train;
mod utils;

pub use grad::value_and_grad;
pub use layers::{
    Activation, AvgPool1d, AvgPool2d, BatchNorm, Conv1d, Conv2d, Dropout, Embedding, Identity,
    LayerNorm, Linear, MaxPool1d, MaxPool2d, MultiHeadAttention, QuantizePredicate,
    QuantizedEmbedding, QuantizedLinear, RMSNorm, Sequential, TransformerEncoder,
    TransformerEncoderLayer, quantize,
};
pub use layers::{AttentionDims, RunningStat};
/// `#[derive(Module)]`: see [`Module`] (the derive and the trait share the name).
pub use mlxrs_macros::Module;
pub use module::{
    CloneUnaryLayer, LoadReport, Module, ModuleField, Param, ParamMut, ParamRef, UnaryLayer,
    join_path,
};
pub use train::TrainStep;
pub use utils::{DEFAULT_ALL_REDUCE_SIZE, average_gradients};

/// Parameters (or gradients, or optimizer state) by their dotted names, as Python MLX's
/// `tree_flatten` spells them (`layers.0.weight`). The currency between models,
/// gradients, optimizers and weight files.
pub type ParamMap = BTreeMap<String, Array>;
