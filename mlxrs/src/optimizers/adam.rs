//! Adam and its variants AdamW and Adamax (Python: `optim.Adam`, `optim.AdamW`,
//! `optim.Adamax`).

use super::base::{Base, Ctx, Rule, Slots, impl_optimizer, slot};
use super::{LearningRate, sadd, smul, ssub, weak};
use crate::{Array, Error, Result, ops};

/// `Err` naming `optimizer` unless both betas are in `[0, 1)` and `eps >= 0` (Python's
/// checks for Adam and its subclasses).
fn check_betas_eps(optimizer: &str, betas: [f64; 2], eps: f64) -> Result<()> {
    check_betas(optimizer, betas)?;
    if eps >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            "eps",
            format!("`{optimizer}` epsilon should be >= 0, got {eps}"),
        ))
    }
}

/// `Err` naming `optimizer` unless both betas are in `[0, 1)`.
pub(crate) fn check_betas(optimizer: &str, betas: [f64; 2]) -> Result<()> {
    for (i, b) in betas.iter().enumerate() {
        if !(0.0..1.0).contains(b) {
            return Err(Error::invalid(
                "betas",
                format!("`{optimizer}` beta{} should be in [0, 1), got {b}", i + 1),
            ));
        }
    }
    Ok(())
}

/// Adam's update of `p` (Python: `Adam.apply_single`).
fn adam_update(
    o: &AdamOptions,
    name: &str,
    g: &Array,
    p: &Array,
    s: &mut Slots,
    ctx: &Ctx<'_>,
) -> Result<Array> {
    let lr = ctx.lr_as(name, g)?;
    let [b1, b2] = o.betas;
    let m = ops::add(&smul(b1, slot(s, "m")?)?, &smul(1.0 - b1, g)?)?;
    let v = ops::add(
        &smul(b2, slot(s, "v")?)?,
        &smul(1.0 - b2, &ops::square(g)?)?,
    )?;
    s.insert("m".into(), m.clone());
    s.insert("v".into(), v.clone());
    if o.bias_correction {
        // c1 = lr / (1 - b1**step); c2 = rsqrt(1 - b2**step)
        let b1t = ops::power(&weak(b1, ctx.step)?, ctx.step)?;
        let c1 = ops::divide(&lr, &ssub(1.0, &b1t)?)?.astype(g.dtype())?;
        let b2t = ops::power(&weak(b2, ctx.step)?, ctx.step)?;
        let c2 = ops::rsqrt(&ssub(1.0, &b2t)?)?.astype(g.dtype())?;
        let numerator = ops::multiply(&c1, &m)?;
        let denominator = sadd(&ops::multiply(&ops::sqrt(&v)?, &c2)?, o.eps)?;
        ops::subtract(p, &ops::divide(&numerator, &denominator)?)
    } else {
        let denom = sadd(&ops::sqrt(&v)?, o.eps)?;
        ops::subtract(p, &ops::divide(&ops::multiply(&lr, &m)?, &denom)?)
    }
}

/// [`Adam`]'s hyperparameters; [`Default`] is Python's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamOptions {
    /// `(beta1, beta2)` of the running averages of the gradient and its square (default
    /// `[0.9, 0.999]`, each in `[0, 1)`).
    pub betas: [f64; 2],
    /// Added to the denominator (default 1e-8, must be `>= 0`).
    pub eps: f64,
    /// Applies bias correction (default false).
    pub bias_correction: bool,
}

impl Default for AdamOptions {
    fn default() -> Self {
        AdamOptions {
            betas: [0.9, 0.999],
            eps: 1e-8,
            bias_correction: false,
        }
    }
}

/// Adam (Python: `optim.Adam`): `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
/// `w = w - lr m / (sqrt(v) + eps)`, with optional bias correction. State per parameter:
/// `m`, `v`.
pub struct Adam {
    options: AdamOptions,
    base: Base,
}

impl Adam {
    /// Adam with Python's defaults.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate.
    pub fn new(learning_rate: impl Into<LearningRate>) -> Result<Adam> {
        Adam::with_options(learning_rate, AdamOptions::default())
    }

    /// Adam with the given hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a bad learning rate, a beta outside `[0, 1)` or
    /// `eps < 0` (as Python).
    ///
    /// ```
    /// use mlxrs::optimizers::{Adam, AdamOptions};
    /// let opts = AdamOptions { betas: [0.9, 1.5], ..Default::default() };
    /// let err = Adam::with_options(1e-3, opts).err().map(|e| e.to_string());
    /// assert_eq!(err.as_deref(), Some("invalid `betas`: `Adam` beta2 should be in [0, 1), got 1.5"));
    /// ```
    pub fn with_options(
        learning_rate: impl Into<LearningRate>,
        options: AdamOptions,
    ) -> Result<Adam> {
        check_betas_eps("Adam", options.betas, options.eps)?;
        Ok(Adam {
            options,
            base: Base::new("Adam", Some(learning_rate.into()))?,
        })
    }

    /// The hyperparameters.
    pub fn options(&self) -> &AdamOptions {
        &self.options
    }
}

impl Rule for AdamOptions {
    const NAME: &'static str = "Adam";
    const SLOTS: &'static [&'static str] = &["m", "v"];

    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)> {
        vec![("m", p.shape().to_vec()), ("v", p.shape().to_vec())]
    }

    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array> {
        adam_update(self, Self::NAME, g, p, s, ctx)
    }
}

impl_optimizer!(Adam, AdamOptions);

/// [`AdamW`]'s hyperparameters; [`Default`] is Python's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamWOptions {
    /// As [`AdamOptions::betas`] (default `[0.9, 0.999]`).
    pub betas: [f64; 2],
    /// As [`AdamOptions::eps`] (default 1e-8).
    pub eps: f64,
    /// The decoupled weight decay `lambda` (default 0.01).
    pub weight_decay: f64,
    /// Applies bias correction (default false).
    pub bias_correction: bool,
}

impl Default for AdamWOptions {
    fn default() -> Self {
        AdamWOptions {
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 0.01,
            bias_correction: false,
        }
    }
}

/// AdamW (Python: `optim.AdamW`): Adam applied to `w (1 - lr lambda)`. State per
/// parameter: `m`, `v`.
pub struct AdamW {
    options: AdamWOptions,
    base: Base,
}

impl AdamW {
    /// AdamW with Python's defaults.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate.
    pub fn new(learning_rate: impl Into<LearningRate>) -> Result<AdamW> {
        AdamW::with_options(learning_rate, AdamWOptions::default())
    }

    /// AdamW with the given hyperparameters.
    ///
    /// # Errors
    /// As [`Adam::with_options`].
    pub fn with_options(
        learning_rate: impl Into<LearningRate>,
        options: AdamWOptions,
    ) -> Result<AdamW> {
        check_betas_eps("AdamW", options.betas, options.eps)?;
        Ok(AdamW {
            options,
            base: Base::new("AdamW", Some(learning_rate.into()))?,
        })
    }

    /// The hyperparameters.
    pub fn options(&self) -> &AdamWOptions {
        &self.options
    }
}

impl Rule for AdamWOptions {
    const NAME: &'static str = "AdamW";
    const SLOTS: &'static [&'static str] = &["m", "v"];

    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)> {
        vec![("m", p.shape().to_vec()), ("v", p.shape().to_vec())]
    }

    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array> {
        let lr = ctx.lr_as(Self::NAME, g)?;
        let decayed = ops::multiply(p, &ssub(1.0, &smul(self.weight_decay, &lr)?)?)?;
        let adam = AdamOptions {
            betas: self.betas,
            eps: self.eps,
            bias_correction: self.bias_correction,
        };
        adam_update(&adam, Self::NAME, g, &decayed, s, ctx)
    }
}

impl_optimizer!(AdamW, AdamWOptions);

/// [`Adamax`]'s hyperparameters; [`Default`] is Python's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamaxOptions {
    /// `(beta1, beta2)` (default `[0.9, 0.999]`, each in `[0, 1)`).
    pub betas: [f64; 2],
    /// Added to the denominator (default 1e-8, must be `>= 0`).
    pub eps: f64,
}

impl Default for AdamaxOptions {
    fn default() -> Self {
        AdamaxOptions {
            betas: [0.9, 0.999],
            eps: 1e-8,
        }
    }
}

/// Adamax, Adam with the infinity norm (Python: `optim.Adamax`):
/// `m = b1 m + (1 - b1) g`, `v = max(b2 v, |g|)`, `w = w - lr m / (v + eps)`. State per
/// parameter: `m`, `v`.
pub struct Adamax {
    options: AdamaxOptions,
    base: Base,
}

impl Adamax {
    /// Adamax with Python's defaults.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate.
    pub fn new(learning_rate: impl Into<LearningRate>) -> Result<Adamax> {
        Adamax::with_options(learning_rate, AdamaxOptions::default())
    }

    /// Adamax with the given hyperparameters.
    ///
    /// # Errors
    /// As [`Adam::with_options`].
    pub fn with_options(
        learning_rate: impl Into<LearningRate>,
        options: AdamaxOptions,
    ) -> Result<Adamax> {
        check_betas_eps("Adamax", options.betas, options.eps)?;
        Ok(Adamax {
            options,
            base: Base::new("Adamax", Some(learning_rate.into()))?,
        })
    }

    /// The hyperparameters.
    pub fn options(&self) -> &AdamaxOptions {
        &self.options
    }
}

impl Rule for AdamaxOptions {
    const NAME: &'static str = "Adamax";
    const SLOTS: &'static [&'static str] = &["m", "v"];

    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)> {
        vec![("m", p.shape().to_vec()), ("v", p.shape().to_vec())]
    }

    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array> {
        let lr = ctx.lr_as(Self::NAME, g)?;
        let [b1, b2] = self.betas;
        let m = ops::add(&smul(b1, slot(s, "m")?)?, &smul(1.0 - b1, g)?)?;
        let v = ops::maximum(&smul(b2, slot(s, "v")?)?, &ops::abs(g)?)?;
        s.insert("m".into(), m.clone());
        s.insert("v".into(), v.clone());
        let update = ops::divide(&ops::multiply(&lr, &m)?, &sadd(&v, self.eps)?)?;
        ops::subtract(p, &update)
    }
}

impl_optimizer!(Adamax, AdamaxOptions);
