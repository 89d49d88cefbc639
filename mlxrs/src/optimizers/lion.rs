//! Lion (Python: `optim.Lion`).

use super::adam::check_betas;
use super::base::{Base, Ctx, Rule, Slots, impl_optimizer, slot};
use super::{LearningRate, smul, ssub};
use crate::{Array, Result, ops};

/// [`Lion`]'s hyperparameters; [`Default`] is Python's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LionOptions {
    /// `(beta1, beta2)` of the update direction and the momentum (default
    /// `[0.9, 0.99]`, each in `[0, 1)`).
    pub betas: [f64; 2],
    /// The weight decay `lambda` (default 0).
    pub weight_decay: f64,
}

impl Default for LionOptions {
    fn default() -> Self {
        LionOptions {
            betas: [0.9, 0.99],
            weight_decay: 0.0,
        }
    }
}

/// Lion (Python: `optim.Lion`): `c = b1 m + (1 - b1) g`, `m = b2 m + (1 - b2) g`,
/// `w = w (1 - lr lambda) - lr sign(c)`. State per parameter: `m`.
pub struct Lion {
    options: LionOptions,
    base: Base,
}

impl Lion {
    /// Lion with Python's defaults.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a negative or
    /// non-finite learning rate.
    pub fn new(learning_rate: impl Into<LearningRate>) -> Result<Lion> {
        Lion::with_options(learning_rate, LionOptions::default())
    }

    /// Lion with the given hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a bad learning rate
    /// or a beta outside `[0, 1)` (as Python).
    pub fn with_options(
        learning_rate: impl Into<LearningRate>,
        options: LionOptions,
    ) -> Result<Lion> {
        check_betas("Lion", options.betas)?;
        Ok(Lion {
            options,
            base: Base::new("Lion", Some(learning_rate.into()))?,
        })
    }

    /// The hyperparameters.
    pub fn options(&self) -> &LionOptions {
        &self.options
    }
}

impl Rule for LionOptions {
    const NAME: &'static str = "Lion";
    const SLOTS: &'static [&'static str] = &["m"];

    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)> {
        vec![("m", p.shape().to_vec())]
    }

    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array> {
        let lr = ctx.lr_as(Self::NAME, g)?;
        let [b1, b2] = self.betas;
        let m = slot(s, "m")?;
        let c = ops::add(&smul(b1, m)?, &smul(1.0 - b1, g)?)?;
        let m = ops::add(&smul(b2, m)?, &smul(1.0 - b2, g)?)?;
        s.insert("m".into(), m);
        let mut p = p.clone();
        if self.weight_decay > 0.0 {
            p = ops::multiply(&ssub(1.0, &smul(self.weight_decay, &lr)?)?, &p)?;
        }
        ops::subtract(&p, &ops::multiply(&lr, &ops::sign(&c)?)?)
    }
}

impl_optimizer!(Lion, LionOptions);
