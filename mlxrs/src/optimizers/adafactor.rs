//! Adafactor (Python: `optim.Adafactor`).

use super::base::{Base, Ctx, Rule, Slots, impl_optimizer, slot};
use super::{LearningRate, sadd, smul, ssub, weak};
use crate::{Array, Error, Result, ops};

/// [`Adafactor`]'s hyperparameters, the learning rate among them; [`Default`] is
/// Python's defaults.
#[derive(Clone, Debug)]
pub struct AdafactorOptions {
    /// The learning rate (default `None`: the relative step size is used; required
    /// when `relative_step` is false).
    pub learning_rate: Option<LearningRate>,
    /// `(eps1, eps2)`: added to the squared gradients, and the floor of the parameter
    /// scale (default `(1e-30, 1e-3)`).
    pub eps: (f64, f64),
    /// Clips the unscaled update at this RMS (default 1).
    pub clip_threshold: f64,
    /// The exponent of the squared-gradient running average's coefficient (default -0.8).
    pub decay_rate: f64,
    /// Uses a first moment with this coefficient (default `None`).
    pub beta_1: Option<f64>,
    /// The weight decay (default 0).
    pub weight_decay: f64,
    /// Scales the learning rate by `max(eps2, RMS(w))` (default true).
    pub scale_parameter: bool,
    /// Ignores `learning_rate` and uses the relative step size (default true).
    pub relative_step: bool,
    /// With `relative_step`, grows the step size with the step count (default false).
    pub warmup_init: bool,
}

impl Default for AdafactorOptions {
    fn default() -> Self {
        AdafactorOptions {
            learning_rate: None,
            eps: (1e-30, 1e-3),
            clip_threshold: 1.0,
            decay_rate: -0.8,
            beta_1: None,
            weight_decay: 0.0,
            scale_parameter: true,
            relative_step: true,
            warmup_init: false,
        }
    }
}

/// Adafactor (Python: `optim.Adafactor`), with factored second moments for parameters
/// of 2 or more dimensions. State per parameter: `exp_avg_sq_row` and `exp_avg_sq_col`
/// (2+ dimensions) or `exp_avg_sq`, and `exp_avg` with `beta_1`; `learning_rate` only
/// when one is given.
pub struct Adafactor {
    options: AdafactorOptions,
    base: Base,
}

impl Adafactor {
    /// Adafactor with Python's defaults (relative step size, no learning rate).
    ///
    /// # Errors
    /// Not expected in practice.
    pub fn new() -> Result<Adafactor> {
        Adafactor::with_options(AdafactorOptions::default())
    }

    /// Adafactor with the given hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate, or none
    /// with `relative_step` false (Python fails at the first update instead).
    pub fn with_options(options: AdafactorOptions) -> Result<Adafactor> {
        if !options.relative_step && options.learning_rate.is_none() {
            return Err(Error::invalid(
                "learning_rate",
                "`Adafactor` needs a learning rate when `relative_step` is false",
            ));
        }
        let base = Base::new("Adafactor", options.learning_rate.clone())?;
        Ok(Adafactor { options, base })
    }

    /// The hyperparameters.
    pub fn options(&self) -> &AdafactorOptions {
        &self.options
    }
}

/// `sqrt(mean(square(x)))`.
fn rms(x: &Array) -> Result<Array> {
    ops::sqrt(&ops::mean(&ops::square(x)?, false)?)
}

impl AdafactorOptions {
    fn compute_learning_rate(&self, ctx: &Ctx<'_>, parameter_rms: &Array) -> Result<Array> {
        let step = ctx.step;
        let size = if self.relative_step {
            let r = ops::rsqrt(step)?;
            let min_step = if self.warmup_init {
                smul(1e-6, step)?
            } else {
                weak(1e-2, &r)?
            };
            ops::minimum(&min_step, &r)?
        } else {
            ctx.lr_as("Adafactor", parameter_rms)?
        };
        let size = size.astype(parameter_rms.dtype())?;
        let scale = if self.scale_parameter {
            ops::maximum(&weak(self.eps.1, parameter_rms)?, parameter_rms)?
        } else {
            weak(1.0, &size)?
        };
        ops::multiply(&scale, &size)
    }
}

impl Rule for AdafactorOptions {
    const NAME: &'static str = "Adafactor";
    const SLOTS: &'static [&'static str] =
        &["exp_avg_sq_row", "exp_avg_sq_col", "exp_avg_sq", "exp_avg"];

    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)> {
        let shape = p.shape();
        let mut out = Vec::new();
        if shape.len() >= 2 {
            let n = shape.len();
            out.push(("exp_avg_sq_row", shape[..n - 1].to_vec()));
            let mut col = shape[..n - 2].to_vec();
            col.push(shape[n - 1]);
            out.push(("exp_avg_sq_col", col));
        } else {
            out.push(("exp_avg_sq", shape.to_vec()));
        }
        if self.beta_1.is_some() {
            out.push(("exp_avg", shape.to_vec()));
        }
        out
    }

    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array> {
        let factored = g.ndim() >= 2;
        let parameter_rms = rms(p)?;
        let learning_rate = self.compute_learning_rate(ctx, &parameter_rms)?;
        let decay = ops::power(ctx.step, &weak(self.decay_rate, ctx.step)?)?;
        let beta_2 = ssub(1.0, &decay.astype(parameter_rms.dtype())?)?;
        let one_minus_beta_2 = ssub(1.0, &beta_2)?;
        let update = sadd(&ops::square(g)?, self.eps.0)?;
        let mut update = if factored {
            let row = ops::add(
                &ops::multiply(&beta_2, slot(s, "exp_avg_sq_row")?)?,
                &ops::multiply(&one_minus_beta_2, &ops::mean_axis(&update, -1, false)?)?,
            )?;
            let col = ops::add(
                &ops::multiply(&beta_2, slot(s, "exp_avg_sq_col")?)?,
                &ops::multiply(&one_minus_beta_2, &ops::mean_axis(&update, -2, false)?)?,
            )?;
            let r_factor = ops::rsqrt(&ops::divide(&row, &ops::mean_axis(&row, -1, true)?)?)?;
            let c_factor = ops::rsqrt(&col)?;
            let approx = ops::multiply(
                &ops::expand_dims(&r_factor, -1)?,
                &ops::expand_dims(&c_factor, -2)?,
            )?;
            s.insert("exp_avg_sq_row".into(), row);
            s.insert("exp_avg_sq_col".into(), col);
            ops::multiply(&approx, g)?
        } else {
            let avg = ops::add(
                &ops::multiply(&beta_2, slot(s, "exp_avg_sq")?)?,
                &ops::multiply(&one_minus_beta_2, &update)?,
            )?;
            let out = ops::multiply(&ops::rsqrt(&avg)?, g)?;
            s.insert("exp_avg_sq".into(), avg);
            out
        };
        let clip = ops::divide(&rms(&update)?, &weak(self.clip_threshold, &update)?)?;
        update = ops::divide(&update, &ops::maximum(&weak(1.0, &clip)?, &clip)?)?;
        update = ops::multiply(&learning_rate, &update)?;
        if let Some(beta_1) = self.beta_1 {
            let avg = ops::add(
                &smul(beta_1, slot(s, "exp_avg")?)?,
                &smul(1.0 - beta_1, &update)?,
            )?;
            s.insert("exp_avg".into(), avg.clone());
            update = avg;
        }
        let mut p = p.clone();
        if self.weight_decay != 0.0 {
            let decay = ops::multiply(&p, &smul(-self.weight_decay, &learning_rate)?)?;
            p = ops::add(&p, &decay)?;
        }
        ops::subtract(&p, &update)
    }
}

impl_optimizer!(Adafactor, AdafactorOptions);
