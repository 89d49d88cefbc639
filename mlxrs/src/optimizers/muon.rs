//! Muon (Python: `optim.Muon`).

use super::base::{Base, Ctx, Rule, Slots, impl_optimizer, slot};
use super::{LearningRate, sadd, smul};
use crate::{Array, Error, Result, linalg, ops};

/// [`Muon`]'s hyperparameters; [`Default`] is Python's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MuonOptions {
    /// The momentum strength (default 0.95).
    pub momentum: f64,
    /// The weight decay (L2 penalty) added to the gradient (default 0.01).
    pub weight_decay: f64,
    /// Nesterov momentum (default true).
    pub nesterov: bool,
    /// Newton-Schulz iterations of the orthogonalization (default 5).
    pub ns_steps: usize,
}

impl Default for MuonOptions {
    fn default() -> Self {
        MuonOptions {
            momentum: 0.95,
            weight_decay: 0.01,
            nesterov: true,
            ns_steps: 5,
        }
    }
}

/// Muon, momentum orthogonalized by Newton-Schulz (Python: `optim.Muon`). Parameters
/// of 2 or more dimensions (the latter flattened to 2) get orthogonalized updates,
/// scaled by `sqrt(max(1, rows / cols))` of their last two dimensions; others plain
/// momentum updates. State per parameter: `v`.
pub struct Muon {
    options: MuonOptions,
    base: Base,
}

impl Muon {
    /// Muon with Python's defaults.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate.
    pub fn new(learning_rate: impl Into<LearningRate>) -> Result<Muon> {
        Muon::with_options(learning_rate, MuonOptions::default())
    }

    /// Muon with the given hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative or non-finite learning rate.
    pub fn with_options(
        learning_rate: impl Into<LearningRate>,
        options: MuonOptions,
    ) -> Result<Muon> {
        Ok(Muon {
            options,
            base: Base::new("Muon", Some(learning_rate.into()))?,
        })
    }

    /// The hyperparameters.
    pub fn options(&self) -> &MuonOptions {
        &self.options
    }
}

/// Python's `Muon._zeropower_via_newtonschulz5` of the 2-D `x`.
fn newton_schulz(x: &Array, steps: usize) -> Result<Array> {
    if x.ndim() != 2 {
        return Err(Error::invalid(
            "update",
            format!(
                "`Muon` Newton-Schulz needs a 2-D array, got shape {:?}",
                x.shape()
            ),
        ));
    }
    let (a, b, c) = (3.4445, -4.7750, 2.0315f32);
    let transpose = x.shape()[0] > x.shape()[1];
    let mut x = if transpose {
        ops::transpose(x)?
    } else {
        x.clone()
    };
    let norm = linalg::norm(&x, None, None, true)?;
    x = ops::divide(&x, &sadd(&norm, 1e-7)?)?;
    for _ in 0..steps {
        let xt = ops::transpose(&x)?;
        let m = ops::matmul(&x, &xt)?;
        let bm = ops::addmm(&smul(b, &m)?, &m, &m, c, 1.0)?;
        x = ops::addmm(&smul(a, &x)?, &bm, &x, 1.0, 1.0)?;
    }
    if transpose {
        x = ops::transpose(&x)?;
    }
    Ok(x)
}

impl Rule for MuonOptions {
    const NAME: &'static str = "Muon";
    const SLOTS: &'static [&'static str] = &["v"];

    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)> {
        vec![("v", p.shape().to_vec())]
    }

    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array> {
        let mut g = g.clone();
        if self.weight_decay != 0.0 {
            g = ops::add(&g, &smul(self.weight_decay, p)?)?;
        }
        let v = smul(self.momentum, slot(s, "v")?)?;
        let v = ops::add(&v, &smul(1.0 - self.momentum, &g)?)?;
        s.insert("v".into(), v.clone());
        let mut update = if self.nesterov {
            ops::add(&smul(1.0 - self.momentum, &g)?, &smul(self.momentum, &v)?)?
        } else {
            v
        };
        let mut lr = ctx.lr_as(Self::NAME, &g)?;
        if update.ndim() >= 2 {
            let shape = update.shape().to_vec();
            if shape.len() > 2 {
                update = update.reshape(&[shape[0], -1])?;
            }
            update = newton_schulz(&update, self.ns_steps)?;
            if shape.len() > 2 {
                update = update.reshape(shape.as_slice())?;
            }
            let (rows, cols) = (shape[shape.len() - 2], shape[shape.len() - 1]);
            let scale = (rows as f64 / cols as f64).max(1.0).sqrt();
            lr = ops::multiply(&lr, &super::weak(scale, &lr)?)?;
        }
        ops::subtract(p, &ops::multiply(&lr, &update)?)
    }
}

impl_optimizer!(Muon, MuonOptions);
