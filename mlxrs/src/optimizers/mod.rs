//! Optimizers: Python MLX's `mlx.optimizers`.
//!
//! Optimizers update named parameter maps ([`ParamMap`]) with Python's names, defaults
//! and update rules; their state is a named map too, with exactly the names Python's
//! `mlx.utils.tree_flatten(optimizer.state)` gives (`step`, `learning_rate`,
//! `layers.0.weight.m`, ...). The state lives in arrays (the step count and the learning
//! rate too, as in Python), so a training step can take the state in and give the new
//! state out ([`Optimizer::state`] / [`Optimizer::set_state`], for example around a
//! [`compile`](crate::transforms::compile)d step), and [`Optimizer::save_state`] /
//! [`Optimizer::load_state`] stop and resume training bit for bit, also across Python
//! MLX (`mx.save_safetensors(path, dict(tree_flatten(opt.state)))`).
//!
//! ## Constructors: Python → Rust
//!
//! Every optimizer has `new` with Python's defaults and `with_options` taking an
//! options struct whose [`Default`] is Python's defaults; both check the
//! hyperparameters as Python does (and reject a negative or non-finite constant learning
//! rate). The learning rate is a number or a [`Schedule`] (anything
//! `Into<`[`LearningRate`]`>`).
//!
//! | Python | Rust |
//! |---|---|
//! | `optim.SGD(0.1)` | `SGD::new(0.1)?` |
//! | `optim.SGD(0.1, momentum=0.9, nesterov=True)` | `SGD::with_options(0.1, SGDOptions { momentum: 0.9, nesterov: true, ..Default::default() })?` |
//! | `optim.RMSprop(lr, alpha=0.99, eps=1e-8)` | `RMSprop::with_options(lr, RMSpropOptions { alpha, eps })?` |
//! | `optim.Adagrad(lr, eps=1e-8)` | `Adagrad::with_options(lr, AdagradOptions { eps })?` |
//! | `optim.AdaDelta(lr, rho=0.9, eps=1e-6)` | `AdaDelta::with_options(lr, AdaDeltaOptions { rho, eps })?` |
//! | `optim.Adam(lr, betas=[0.9, 0.999], eps=1e-8, bias_correction=False)` | `Adam::with_options(lr, AdamOptions { betas: [0.9, 0.999], eps, bias_correction })?` |
//! | `optim.AdamW(lr, ..., weight_decay=0.01)` | `AdamW::with_options(lr, AdamWOptions { .., weight_decay })?` |
//! | `optim.Adamax(lr, betas=[0.9, 0.999], eps=1e-8)` | `Adamax::with_options(lr, AdamaxOptions { betas, eps })?` |
//! | `optim.Lion(lr, betas=[0.9, 0.99], weight_decay=0.0)` | `Lion::with_options(lr, LionOptions { betas, weight_decay })?` |
//! | `optim.Adafactor(learning_rate=None, eps=(1e-30, 1e-3), ...)` | `Adafactor::new()?`, `Adafactor::with_options(AdafactorOptions { learning_rate: Some(lr.into()), .. })?` |
//! | `optim.Muon(lr, momentum=0.95, weight_decay=0.01, nesterov=True, ns_steps=5)` | `Muon::with_options(lr, MuonOptions { .. })?` |
//! | `optim.MultiOptimizer([a, b], [lambda name, g: ...])` | `MultiOptimizer::new(vec![Box::new(a), Box::new(b)], vec![Box::new(\|name, g\| ...)])?` |
//! | `optim.cosine_decay(1e-1, 1000)` (and the other schedules) | `cosine_decay(1e-1, 1000, 0.0)?` |
//! | `opt.apply_gradients(grads, params)` | `opt.apply_gradients(&grads, &params)?` |
//! | `opt.state`, `opt.state = s` | `opt.state()`, `opt.set_state(&s)?` |
//! | `opt.learning_rate`, `opt.learning_rate = 0.1` | `opt.learning_rate()?`, `opt.set_learning_rate(0.1)?` |
//! | `optim.clip_grad_norm(grads, max_norm)` | `clip_grad_norm(&grads, max_norm)?` |
//!
//! ## Updating parameters
//!
//! [`Optimizer::apply_gradients`] returns the updated parameters for the names in the
//! gradient map (which may be a subset of the parameters), as Python's does; merge them
//! back into the model's parameters (Python's `model.update(...)`).
//!
//! ```
//! use mlxrs::{Array, nn::ParamMap, optimizers::{Adam, Optimizer}};
//! let mut params = ParamMap::new();
//! params.insert("w".into(), Array::from_slice(&[1.0f32, -2.0], &[2])?);
//! let mut grads = ParamMap::new();
//! grads.insert("w".into(), Array::from_slice(&[0.5f32, -0.5], &[2])?);
//! let mut opt = Adam::new(0.1)?;
//! let updated = opt.apply_gradients(&grads, &params)?;
//! params.extend(updated);
//! // Adam's first step (no bias correction) moves each weight against its gradient's
//! // sign by lr (1 - beta1) / sqrt(1 - beta2).
//! let d = 0.1 * 0.1 / 0.001f32.sqrt();
//! let w = params["w"].to_vec::<f32>()?;
//! assert!((w[0] - (1.0 - d)).abs() < 1e-5 && (w[1] - (-2.0 + d)).abs() < 1e-5);
//! assert_eq!(opt.state().keys().collect::<Vec<_>>(), ["learning_rate", "step", "w.m", "w.v"]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

//! ## Where mlxrs is stricter than Python
//!
//! - A negative or non-finite constant learning rate is an `Err` (Python accepts it).
//! - [`Adafactor`] with `relative_step: false` needs a learning rate when it is built
//!   (Python fails at the first update).
//! - A gradient whose name is not a parameter's, or whose shape differs from its
//!   parameter's, is an `Err` naming the optimizer and the parameter, and leaves the
//!   state as it was (Python may broadcast, or fail halfway).
//! - Inputs are never changed: Python's `SGD` (with `weight_decay`) and `Adafactor`
//!   (with `weight_decay`) update the caller's gradient or parameter arrays in place.

mod adafactor;
mod adam;
mod adaptive;
mod base;
mod clip;
mod lion;
mod multi;
mod muon;
mod schedulers;
mod sgd;

use std::path::Path;

use crate::{Array, Error, Result};

pub use crate::nn::ParamMap;
pub use adafactor::{Adafactor, AdafactorOptions};
pub use adam::{Adam, AdamOptions, AdamW, AdamWOptions, Adamax, AdamaxOptions};
pub use adaptive::{AdaDelta, AdaDeltaOptions, Adagrad, AdagradOptions, RMSprop, RMSpropOptions};
pub use clip::clip_grad_norm;
pub use lion::{Lion, LionOptions};
pub use multi::{Filter, MultiOptimizer};
pub use muon::{Muon, MuonOptions};
pub use schedulers::{
    Schedule, cosine_decay, exponential_decay, join_schedules, linear_schedule, step_decay,
};
pub use sgd::{SGD, SGDOptions};

/// What every optimizer does (Python: `mlx.optimizers.Optimizer`).
///
/// The trait is dyn compatible ([`MultiOptimizer`] holds `Box<dyn Optimizer>`, and a
/// `Box<dyn Optimizer>` is an `Optimizer` itself); the path-taking conveniences
/// [`save_state`](Optimizer::save_state) and [`load_state`](Optimizer::load_state) are
/// for sized optimizers (boxes included).
pub trait Optimizer {
    /// The optimizer's Python class name (`"Adam"`), used in error messages.
    fn name(&self) -> &'static str;

    /// Creates the state of every parameter in `parameters` that has none yet
    /// (Python: `opt.init(parameters)`). Optional: the first
    /// [`apply_gradients`](Optimizer::apply_gradients) initializes the state of the
    /// parameters it is given gradients for.
    ///
    /// # Errors
    /// Only if MLX fails to create the zero arrays.
    fn init(&mut self, parameters: &ParamMap) -> Result<()>;

    /// Applies `gradients` to `parameters` and returns the updated parameters, one per
    /// gradient (Python: `opt.apply_gradients(gradients, parameters)`). Evaluates the
    /// learning-rate schedule at the current step, then increments the step. On error
    /// the state is left as it was.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the optimizer and the parameter when a gradient
    /// has no parameter of its name, or has no state once the state was initialized for
    /// other parameters; [`Error::ShapeMismatch`] when a gradient's shape differs from its
    /// parameter's, or the parameter's state has the wrong shape; MLX's error otherwise.
    fn apply_gradients(&mut self, gradients: &ParamMap, parameters: &ParamMap) -> Result<ParamMap>;

    /// The state by Python's `tree_flatten(opt.state)` names (`step`, `learning_rate`,
    /// `<parameter>.<slot>`; for [`MultiOptimizer`] `states.<i>.<name>`).
    fn state(&self) -> ParamMap;

    /// Replaces the state (Python: `opt.state = tree_unflatten(list(state.items()))`).
    /// As in Python, the next [`apply_gradients`](Optimizer::apply_gradients) creates
    /// the state of gradients the new state lacks. Reads no array values, so it may be
    /// called inside a compiled function.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the optimizer when `state` lacks `step` (or
    /// `learning_rate`, for an optimizer that has one), when `step` or `learning_rate` is
    /// not a scalar, or when an entry is not one of the optimizer's state names.
    fn set_state(&mut self, state: &ParamMap) -> Result<()>;

    /// The number of updates applied so far, a `uint64` scalar (Python: `opt.step`).
    ///
    /// # Errors
    /// Only for an optimizer that holds no step ([`MultiOptimizer`] gives its first
    /// optimizer's).
    fn step(&self) -> Result<Array>;

    /// The current learning rate, a scalar array (Python: `opt.learning_rate`). With a
    /// schedule, it is the schedule's value at the step before the last update.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an [`Adafactor`] built without a learning rate.
    fn learning_rate(&self) -> Result<Array>;

    /// Sets the learning rate (Python: `opt.learning_rate = lr`). With a schedule, the
    /// schedule's value replaces it at the next update, as in Python.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the optimizer when `lr` is negative or not
    /// finite.
    fn set_learning_rate(&mut self, lr: f32) -> Result<()>;

    /// Updates `model`'s trainable parameters with `grads` (Python:
    /// `optimizer.update(model, gradients)`): [`apply_gradients`](Optimizer::apply_gradients)
    /// over `model.trainable_parameters()`, then `model.update(..)` with the result.
    ///
    /// ```
    /// use mlxrs::nn::{self, Linear, Module, UnaryLayer};
    /// use mlxrs::optimizers::{Optimizer, SGD};
    /// use mlxrs::{Array, Dtype, ops};
    /// let mut model = Linear::new(2, 1, true)?;
    /// let loss = nn::value_and_grad(|m: &Linear, xs: &[Array]| {
    ///     ops::mean(&ops::square(&m.forward(&xs[0])?)?, false)
    /// });
    /// let x = Array::ones(&[4, 2], Dtype::Float32)?;
    /// let mut opt = SGD::new(0.1)?;
    /// let (before, grads) = loss(&model, &[x.clone()])?;
    /// opt.update(&mut model, &grads)?;
    /// let (after, _) = loss(&model, &[x])?;
    /// assert!(after.item::<f32>()? < before.item::<f32>()?);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`apply_gradients`](Optimizer::apply_gradients) (a gradient of a name the
    /// model's trainable parameters lack, or of another shape) and
    /// [`Module::update`](crate::nn::Module::update).
    fn update<M: crate::nn::Module>(&mut self, model: &mut M, grads: &ParamMap) -> Result<()>
    where
        Self: Sized,
    {
        let new = self.apply_gradients(grads, &model.trainable_parameters())?;
        model.update(&new)
    }

    /// Saves [`state`](Optimizer::state) to a `.safetensors` file (Python:
    /// `mx.save_safetensors(path, dict(tree_flatten(opt.state)))`).
    ///
    /// # Errors
    /// As [`crate::io::save_safetensors`].
    fn save_state(&self, path: impl AsRef<Path>) -> Result<()>
    where
        Self: Sized,
    {
        let arrays = self.state().into_iter().collect();
        crate::io::save_safetensors(path, &arrays, &Default::default())
    }

    /// Loads a state saved by [`save_state`](Optimizer::save_state) (or by Python MLX)
    /// and sets it with [`set_state`](Optimizer::set_state).
    ///
    /// # Errors
    /// As [`crate::io::load_safetensors`] and [`set_state`](Optimizer::set_state).
    fn load_state(&mut self, path: impl AsRef<Path>) -> Result<()>
    where
        Self: Sized,
    {
        let (arrays, _) = crate::io::load_safetensors(path)?;
        self.set_state(&arrays.into_iter().collect())
    }
}

/// A boxed optimizer is an optimizer (so `Box<dyn Optimizer>` has
/// [`save_state`](Optimizer::save_state) and [`load_state`](Optimizer::load_state) too).
impl<O: Optimizer + ?Sized> Optimizer for Box<O> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn init(&mut self, parameters: &ParamMap) -> Result<()> {
        (**self).init(parameters)
    }
    fn apply_gradients(&mut self, gradients: &ParamMap, parameters: &ParamMap) -> Result<ParamMap> {
        (**self).apply_gradients(gradients, parameters)
    }
    fn state(&self) -> ParamMap {
        (**self).state()
    }
    fn set_state(&mut self, state: &ParamMap) -> Result<()> {
        (**self).set_state(state)
    }
    fn step(&self) -> Result<Array> {
        (**self).step()
    }
    fn learning_rate(&self) -> Result<Array> {
        (**self).learning_rate()
    }
    fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        (**self).set_learning_rate(lr)
    }
}

/// A learning rate: a number, or a [`Schedule`] evaluated at the step (Python: a float
/// or a callable). Built with `.into()` from `f32`, `f64` or a [`Schedule`].
#[derive(Clone)]
pub enum LearningRate {
    /// A constant rate (stored as a `float32` array, as Python's `mx.array(lr)`).
    Value(f64),
    /// A schedule: the rate used by an update is the schedule's value at the step count
    /// before that update.
    Schedule(Schedule),
}

impl std::fmt::Debug for LearningRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LearningRate::Value(v) => write!(f, "LearningRate::Value({v})"),
            LearningRate::Schedule(_) => write!(f, "LearningRate::Schedule(..)"),
        }
    }
}

impl From<f64> for LearningRate {
    fn from(v: f64) -> LearningRate {
        LearningRate::Value(v)
    }
}

impl From<f32> for LearningRate {
    fn from(v: f32) -> LearningRate {
        LearningRate::Value(v.into())
    }
}

impl From<Schedule> for LearningRate {
    fn from(s: Schedule) -> LearningRate {
        LearningRate::Schedule(s)
    }
}

/// `Err` unless `lr` is a finite number `>= 0`.
pub(crate) fn check_learning_rate(optimizer: &str, lr: f64) -> Result<()> {
    if lr.is_finite() && lr >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            "learning_rate",
            format!("`{optimizer}` learning rate should be finite and >= 0, got {lr}"),
        ))
    }
}

/// Python's float scalar `v` beside the array `like` (a "weak" scalar): in `like`'s
/// dtype when that is a floating dtype, else `float32`. Python rounds the double once,
/// to the array's dtype; so does this for `float32` and `float64`.
pub(crate) fn weak(v: f64, like: &Array) -> Result<Array> {
    use crate::Dtype;
    match like.dtype() {
        Dtype::Float64 => Ok(Array::from(v)),
        d @ (Dtype::Float16 | Dtype::Bfloat16 | Dtype::Complex64) => {
            Array::from(v as f32).astype(d)
        }
        _ => Ok(Array::from(v as f32)),
    }
}

/// Python's int scalar `v` beside the array `like`: in `like`'s dtype (bool: `int32`).
pub(crate) fn weak_int(v: i64, like: &Array) -> Result<Array> {
    use crate::Dtype;
    match like.dtype() {
        Dtype::Bool => Ok(Array::from(v as i32)),
        d => Array::from(v).astype(d),
    }
}

/// `s * a` with `s` a Python float.
pub(crate) fn smul(s: f64, a: &Array) -> Result<Array> {
    crate::ops::multiply(&weak(s, a)?, a)
}

/// `a + s` with `s` a Python float.
pub(crate) fn sadd(a: &Array, s: f64) -> Result<Array> {
    crate::ops::add(a, &weak(s, a)?)
}

/// `s - a` with `s` a Python float.
pub(crate) fn ssub(s: f64, a: &Array) -> Result<Array> {
    crate::ops::subtract(&weak(s, a)?, a)
}

#[cfg(test)]
mod tests;
