//! `Sequential` (mlx/nn/layers/containers.py).

use crate::nn::{Module, UnaryLayer};
use crate::{Array, Result};

/// Layers applied in order (Python: `nn.Sequential(*layers)`); parameters are named
/// `layers.N.*`, as in Python.
///
/// # Examples
/// ```
/// use mlxrs::nn::{Linear, Module, Sequential, UnaryLayer};
/// let mlp = Sequential::new().with(Linear::new(4, 8, true)?).with(Linear::new(8, 2, false)?);
/// let names: Vec<String> = mlp.parameters().into_keys().collect();
/// assert_eq!(names, ["layers.0.bias", "layers.0.weight", "layers.1.weight"]);
/// let y = mlp.forward(&mlxrs::Array::ones(&[3, 4], mlxrs::Dtype::Float32)?)?;
/// assert_eq!(y.shape(), &[3, 2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Default, Module)]
pub struct Sequential {
    /// The layers, first applied first.
    pub layers: Vec<Box<dyn UnaryLayer>>,
}

impl Sequential {
    /// An empty sequence (the identity).
    pub fn new() -> Sequential {
        Sequential::default()
    }

    /// The sequence with `layer` appended (builder style; Python: `nn.Sequential(*layers)`).
    #[must_use]
    pub fn with(mut self, layer: impl UnaryLayer + 'static) -> Sequential {
        self.layers.push(Box::new(layer));
        self
    }

    /// Appends `layer`.
    pub fn push(&mut self, layer: impl UnaryLayer + 'static) {
        self.layers.push(Box::new(layer));
    }
}

impl UnaryLayer for Sequential {
    fn forward(&self, x: &Array) -> Result<Array> {
        let mut x = x.clone();
        for layer in &self.layers {
            x = layer.forward(&x)?;
        }
        Ok(x)
    }
}
