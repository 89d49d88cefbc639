//! Neural networks: Python MLX's `mlx.nn`.
//!
//! Layers, losses, activations and initializers with Python's names, constructor
//! defaults and parameter names, so that weights move between Python MLX and mlxrs
//! unchanged. Built on mlxrs's public API only.

pub mod activations;
pub mod init;
pub mod losses;

pub use activations::*;

use std::collections::BTreeMap;

use crate::Array;

/// Parameters (or gradients, or optimizer state) by their dotted names, as Python MLX's
/// `tree_flatten` spells them (`layers.0.weight`). The currency between models,
/// gradients, optimizers and weight files.
pub type ParamMap = BTreeMap<String, Array>;
