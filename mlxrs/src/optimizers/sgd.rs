//! Stochastic gradient descent (Python: `optim.SGD`).

use super::base::{Base, Ctx, Rule, Slots, impl_optimizer, slot};
use super::{LearningRate, smul};
use crate::{Array, Error, Result, ops};

/// [`SGD`]'s hyperparameters; [`Default`] is Python's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SGDOptions {
    /// The momentum strength `mu` (Python default 0).
    pub momentum: f64,
    /// The weight decay (L2 penalty) added to the gradient (default 0).
    pub weight_decay: f64,
    /// Dampening for momentum `tau` (default 0).
    pub dampening: f64,
    /// Nesterov momentum (default false; needs a momentum and zero dampening).
    pub nesterov: bool,
}

impl Default for SGDOptions {
    fn default() -> Self {
        SGDOptions {
            momentum: 0.0,
            weight_decay: 0.0,
            dampening: 0.0,
            nesterov: false,
        }
    }
}

/// Stochastic gradient descent with optional momentum, dampening, weight decay and
/// Nesterov momentum (Python: `optim.SGD`):
/// `v = mu v + (1 - tau) g`, `w = w - lr v`. State per parameter: `v`.
///
/// ```
/// use mlxrs::{Array, nn::ParamMap, optimizers::{Optimizer, SGD}};
/// let params = ParamMap::from([("w".to_string(), Array::from(1.0f32))]);
/// let grads = ParamMap::from([("w".to_string(), Array::from(0.5f32))]);
/// let mut opt = SGD::new(0.1)?;
/// assert_eq!(opt.apply_gradients(&grads, &params)?["w"].item::<f32>()?, 0.95);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[allow(clippy::upper_case_acronyms, reason = "Python's name")]
pub struct SGD {
    options: SGDOptions,
    base: Base,
}

impl SGD {
    /// SGD with Python's defaults (no momentum).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate.
    pub fn new(learning_rate: impl Into<LearningRate>) -> Result<SGD> {
        SGD::with_options(learning_rate, SGDOptions::default())
    }

    /// SGD with the given hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate, or Nesterov
    /// momentum without a positive momentum and zero dampening (as Python).
    pub fn with_options(
        learning_rate: impl Into<LearningRate>,
        options: SGDOptions,
    ) -> Result<SGD> {
        if options.nesterov && (options.momentum <= 0.0 || options.dampening != 0.0) {
            return Err(Error::invalid(
                "nesterov",
                "`SGD` Nesterov momentum requires a momentum and zero dampening",
            ));
        }
        Ok(SGD {
            options,
            base: Base::new("SGD", Some(learning_rate.into()))?,
        })
    }

    /// The hyperparameters.
    pub fn options(&self) -> &SGDOptions {
        &self.options
    }
}

impl Rule for SGDOptions {
    const NAME: &'static str = "SGD";
    const SLOTS: &'static [&'static str] = &["v"];

    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)> {
        vec![("v", p.shape().to_vec())]
    }

    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array> {
        let mut g = g.clone();
        if self.weight_decay != 0.0 {
            g = ops::add(&g, &smul(self.weight_decay, p)?)?;
        }
        if self.momentum <= 0.0 {
            let lr = ctx.lr_as(Self::NAME, &g)?;
            return ops::subtract(p, &ops::multiply(&lr, &g)?);
        }
        let mut v = smul(self.momentum, slot(s, "v")?)?;
        if self.dampening > 0.0 {
            v = ops::add(&v, &smul(1.0 - self.dampening, &g)?)?;
        } else {
            v = ops::add(&v, &g)?;
        }
        let update = if self.nesterov {
            ops::add(&g, &smul(self.momentum, &v)?)?
        } else {
            v.clone()
        };
        s.insert("v".into(), v);
        let lr = ctx.lr_as(Self::NAME, &g)?;
        ops::subtract(p, &ops::multiply(&lr, &update)?)
    }
}

impl_optimizer!(SGD, SGDOptions);
