//! `Dropout` (mlx/nn/layers/dropout.py).

use crate::nn::{Module, UnaryLayer};
use crate::{Array, Error, Result, ops, random};

/// Zeroes each element with probability `p` in training mode and scales the rest by
/// `1 / (1 - p)`; the identity in evaluation mode (Python: `nn.Dropout(p=0.5)`).
///
/// # Examples
/// ```
/// use mlxrs::nn::{Dropout, Module, UnaryLayer};
/// let mut d = Dropout::new(0.5)?;
/// d.eval();
/// let x = mlxrs::Array::ones(&[3], mlxrs::Dtype::Float32)?;
/// assert_eq!(d.forward(&x)?.to_vec::<f32>()?, [1.0, 1.0, 1.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
pub struct Dropout {
    /// The probability of zeroing an element.
    pub p: f32,
    #[module(training)]
    training: bool,
}

impl Dropout {
    /// `Dropout(p)`; Python's default `p` is 0.5.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for `p` outside `[0, 1)`.
    pub fn new(p: f32) -> Result<Dropout> {
        if !(0.0..1.0).contains(&p) {
            return Err(Error::invalid(
                "p",
                format!("Dropout: the probability {p} is not in [0, 1)"),
            ));
        }
        Ok(Dropout { p, training: true })
    }
}

impl UnaryLayer for Dropout {
    fn forward(&self, x: &Array) -> Result<Array> {
        let keep = 1.0 - self.p;
        if keep == 1.0 || !self.training {
            return Ok(x.clone());
        }
        let mask = random::bernoulli(&Array::from(keep), Some(x.shape()), None)?;
        ops::multiply(
            &ops::multiply(&mask, x)?,
            &Array::from(1.0 / keep).astype(x.dtype())?,
        )
    }
}
