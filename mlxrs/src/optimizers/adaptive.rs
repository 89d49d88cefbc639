//! RMSprop, Adagrad and AdaDelta (Python: `optim.RMSprop`, `optim.Adagrad`,
//! `optim.AdaDelta`).

use super::base::{Base, Ctx, Rule, Slots, impl_optimizer, slot};
use super::{LearningRate, sadd, smul};
use crate::{Array, Error, Result, ops};

/// `Err` naming `optimizer` unless `eps > 0`.
fn check_eps(optimizer: &str, eps: f64) -> Result<()> {
    if eps > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            "eps",
            format!("`{optimizer}` epsilon should be > 0, got {eps}"),
        ))
    }
}

/// `p - lr * g / (sqrt(v) + eps)`.
fn scaled_step(p: &Array, g: &Array, v: &Array, eps: f64, lr: &Array) -> Result<Array> {
    let denom = sadd(&ops::sqrt(v)?, eps)?;
    ops::subtract(p, &ops::divide(&ops::multiply(lr, g)?, &denom)?)
}

/// [`RMSprop`]'s hyperparameters; [`Default`] is Python's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RMSpropOptions {
    /// The smoothing constant `alpha` (default 0.99, must be `>= 0`).
    pub alpha: f64,
    /// Added to the denominator (default 1e-8, must be `> 0`).
    pub eps: f64,
}

impl Default for RMSpropOptions {
    fn default() -> Self {
        RMSpropOptions {
            alpha: 0.99,
            eps: 1e-8,
        }
    }
}

/// RMSprop (Python: `optim.RMSprop`): `v = alpha v + (1 - alpha) g^2`,
/// `w = w - lr g / (sqrt(v) + eps)`. State per parameter: `v`.
pub struct RMSprop {
    options: RMSpropOptions,
    base: Base,
}

impl RMSprop {
    /// RMSprop with Python's defaults.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate.
    pub fn new(learning_rate: impl Into<LearningRate>) -> Result<RMSprop> {
        RMSprop::with_options(learning_rate, RMSpropOptions::default())
    }

    /// RMSprop with the given hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a bad learning rate, `alpha < 0` or `eps <= 0`
    /// (as Python).
    pub fn with_options(
        learning_rate: impl Into<LearningRate>,
        options: RMSpropOptions,
    ) -> Result<RMSprop> {
        if options.alpha < 0.0 || options.alpha.is_nan() {
            return Err(Error::invalid(
                "alpha",
                format!("`RMSprop` alpha should be >= 0, got {}", options.alpha),
            ));
        }
        check_eps("RMSprop", options.eps)?;
        Ok(RMSprop {
            options,
            base: Base::new("RMSprop", Some(learning_rate.into()))?,
        })
    }

    /// The hyperparameters.
    pub fn options(&self) -> &RMSpropOptions {
        &self.options
    }
}

impl Rule for RMSpropOptions {
    const NAME: &'static str = "RMSprop";
    const SLOTS: &'static [&'static str] = &["v"];

    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)> {
        vec![("v", p.shape().to_vec())]
    }

    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array> {
        let lr = ctx.lr_as(Self::NAME, g)?;
        let v = ops::add(
            &smul(self.alpha, slot(s, "v")?)?,
            &smul(1.0 - self.alpha, &ops::square(g)?)?,
        )?;
        s.insert("v".into(), v.clone());
        scaled_step(p, g, &v, self.eps, &lr)
    }
}

impl_optimizer!(RMSprop, RMSpropOptions);

/// [`Adagrad`]'s hyperparameters; [`Default`] is Python's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdagradOptions {
    /// Added to the denominator (default 1e-8, must be `> 0`).
    pub eps: f64,
}

impl Default for AdagradOptions {
    fn default() -> Self {
        AdagradOptions { eps: 1e-8 }
    }
}

/// Adagrad (Python: `optim.Adagrad`): `v = v + g^2`, `w = w - lr g / (sqrt(v) + eps)`.
/// State per parameter: `v`.
pub struct Adagrad {
    options: AdagradOptions,
    base: Base,
}

impl Adagrad {
    /// Adagrad with Python's defaults.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate.
    pub fn new(learning_rate: impl Into<LearningRate>) -> Result<Adagrad> {
        Adagrad::with_options(learning_rate, AdagradOptions::default())
    }

    /// Adagrad with the given hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a bad learning rate or `eps <= 0` (as Python).
    pub fn with_options(
        learning_rate: impl Into<LearningRate>,
        options: AdagradOptions,
    ) -> Result<Adagrad> {
        check_eps("Adagrad", options.eps)?;
        Ok(Adagrad {
            options,
            base: Base::new("Adagrad", Some(learning_rate.into()))?,
        })
    }

    /// The hyperparameters.
    pub fn options(&self) -> &AdagradOptions {
        &self.options
    }
}

impl Rule for AdagradOptions {
    const NAME: &'static str = "Adagrad";
    const SLOTS: &'static [&'static str] = &["v"];

    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)> {
        vec![("v", p.shape().to_vec())]
    }

    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array> {
        let lr = ctx.lr_as(Self::NAME, g)?;
        let v = ops::add(slot(s, "v")?, &ops::square(g)?)?;
        s.insert("v".into(), v.clone());
        scaled_step(p, g, &v, self.eps, &lr)
    }
}

impl_optimizer!(Adagrad, AdagradOptions);

/// [`AdaDelta`]'s hyperparameters; [`Default`] is Python's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdaDeltaOptions {
    /// The running-average coefficient `rho` (default 0.9, must be `>= 0`).
    pub rho: f64,
    /// Added inside the square roots (default 1e-6, must be `> 0`).
    pub eps: f64,
}

impl Default for AdaDeltaOptions {
    fn default() -> Self {
        AdaDeltaOptions {
            rho: 0.9,
            eps: 1e-6,
        }
    }
}

/// AdaDelta with a learning rate (Python: `optim.AdaDelta`):
/// `v = rho v + (1 - rho) g^2`, `d = sqrt(u + eps) / sqrt(v + eps) g`,
/// `u = rho u + (1 - rho) d^2`, `w = w - lr d`. State per parameter: `v`, `u`.
pub struct AdaDelta {
    options: AdaDeltaOptions,
    base: Base,
}

impl AdaDelta {
    /// AdaDelta with Python's defaults.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate.
    pub fn new(learning_rate: impl Into<LearningRate>) -> Result<AdaDelta> {
        AdaDelta::with_options(learning_rate, AdaDeltaOptions::default())
    }

    /// AdaDelta with the given hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a bad learning rate, `rho < 0` or `eps <= 0` (as
    /// Python).
    pub fn with_options(
        learning_rate: impl Into<LearningRate>,
        options: AdaDeltaOptions,
    ) -> Result<AdaDelta> {
        if options.rho < 0.0 || options.rho.is_nan() {
            return Err(Error::invalid(
                "rho",
                format!("`AdaDelta` rho should be >= 0, got {}", options.rho),
            ));
        }
        check_eps("AdaDelta", options.eps)?;
        Ok(AdaDelta {
            options,
            base: Base::new("AdaDelta", Some(learning_rate.into()))?,
        })
    }

    /// The hyperparameters.
    pub fn options(&self) -> &AdaDeltaOptions {
        &self.options
    }
}

impl Rule for AdaDeltaOptions {
    const NAME: &'static str = "AdaDelta";
    const SLOTS: &'static [&'static str] = &["v", "u"];

    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)> {
        vec![("v", p.shape().to_vec()), ("u", p.shape().to_vec())]
    }

    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array> {
        let lr = ctx.lr_as(Self::NAME, g)?;
        let (rho, eps) = (self.rho, self.eps);
        let v = ops::add(
            &smul(rho, slot(s, "v")?)?,
            &smul(1.0 - rho, &ops::square(g)?)?,
        )?;
        let u = slot(s, "u")?;
        let ratio = ops::divide(&ops::sqrt(&sadd(u, eps)?)?, &ops::sqrt(&sadd(&v, eps)?)?)?;
        let d = ops::multiply(&ratio, g)?;
        let u = ops::add(&smul(rho, u)?, &smul(1.0 - rho, &ops::square(&d)?)?)?;
        s.insert("v".into(), v);
        s.insert("u".into(), u);
        ops::subtract(p, &ops::multiply(&lr, &d)?)
    }
}

impl_optimizer!(AdaDelta, AdaDeltaOptions);
