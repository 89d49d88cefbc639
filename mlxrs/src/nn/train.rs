//! A whole training step (loss, gradients, optimizer update) as one function of arrays,
//! optionally compiled: the Rust form of Python's
//! `mx.compile(step, inputs=state, outputs=state)` pattern.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Module, ParamMap, value_and_grad};
use crate::optimizers::Optimizer;
use crate::{Array, Error, Result, transforms};

type StepFn = Box<dyn Fn(&[Array]) -> Result<Vec<Array>>>;

/// One training step of a model: the loss and its gradients with respect to the
/// trainable parameters ([`value_and_grad`]), then the optimizer's update, as a single
/// function whose inputs are the parameters, the optimizer state and the batch, and
/// whose outputs are the loss, the new parameters and the new optimizer state.
/// [`TrainStep::new`] compiles it ([`transforms::compile`]): MLX traces it once per
/// batch shape and then replays the fused graph, which is what Python's
///
/// ```python
/// state = [model.state, optimizer.state]
/// @partial(mx.compile, inputs=state, outputs=state)
/// def step(x, y):
///     loss, grads = nn.value_and_grad(model, loss_fn)(model, x, y)
///     optimizer.update(model, grads)
///     return loss
/// ```
///
/// does. Rust has no implicit state to capture, so the state is passed explicitly: the
/// `TrainStep` keeps the optimizer state (as a [`ParamMap`] with Python's names,
/// [`state`](TrainStep::state)) and [`step`](TrainStep::step) writes the new parameters
/// into the model. [`TrainStep::eager`] builds the same step uncompiled.
///
/// The model given to the constructor is a template: its frozen parameters, its
/// configuration (and the randomness of its Dropout layers: use [`eager`](TrainStep::eager)
/// for models that need fresh dropout masks each step) are constants of the step; the
/// trainable parameters come from the model passed to each `step`, which must have the
/// same trainable parameter names and shapes.
///
/// # Examples
/// ```
/// use mlxrs::nn::{Linear, Module, TrainStep, UnaryLayer};
/// use mlxrs::optimizers::SGD;
/// use mlxrs::{Array, ops};
/// // Fit y = 2x with one weight, plain SGD (lr 0.1) on the mean squared error.
/// let mut model = Linear::new(1, 1, false)?;
/// model.update(&[("weight".to_string(), Array::from_slice(&[0.0f32], &[1, 1])?)].into())?;
/// let mut step = TrainStep::new(&model, SGD::new(0.1)?, |m: &Linear, xs: &[Array]| {
///     ops::mean(&ops::square(&ops::subtract(&m.forward(&xs[0])?, &xs[1])?)?, false)
/// })?;
/// let x = Array::from_slice(&[1.0f32, 2.0], &[2, 1])?;
/// let y = Array::from_slice(&[2.0f32, 4.0], &[2, 1])?;
/// // loss = mean((w x - y)^2) = 2.5 (w - 2)^2 at w = 0: 10; gradient 5 (w - 2) = -10
/// let loss = step.step(&mut model, &[x, y])?;
/// assert_eq!(loss.item::<f32>()?, 10.0);
/// assert_eq!(model.parameters()["weight"].item::<f32>()?, 1.0); // 0 - 0.1 * -10
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub struct TrainStep {
    f: StepFn,
    /// The trainable parameter names, in the order of the step's inputs.
    params: Vec<String>,
    /// The optimizer state's names, in the order of the step's inputs.
    state_names: Vec<String>,
    state: ParamMap,
}

impl std::fmt::Debug for TrainStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainStep")
            .field("params", &self.params)
            .field("state", &self.state_names)
            .finish_non_exhaustive()
    }
}

impl TrainStep {
    /// The compiled step of `model` trained by `optimizer` on `loss_fn(model, batch)`
    /// (a scalar). The optimizer is initialized for the model's trainable parameters
    /// (Python: `optimizer.init(model.trainable_parameters())`, which fixes the state's
    /// layout before compiling) unless its state already covers them (a resumed run).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (`model`) when the model has no trainable parameters;
    /// the optimizer's error if it cannot be initialized; MLX's if compiling fails.
    pub fn new<M, O, F>(model: &M, optimizer: O, loss_fn: F) -> Result<TrainStep>
    where
        M: Module + Clone + 'static,
        O: Optimizer + 'static,
        F: Fn(&M, &[Array]) -> Result<Array> + 'static,
    {
        TrainStep::build(model, optimizer, loss_fn, true)
    }

    /// The same step as [`new`](TrainStep::new), not compiled: every call builds and
    /// evaluates the graph anew (Python's step without `mx.compile`).
    ///
    /// # Errors
    /// As [`new`](TrainStep::new).
    pub fn eager<M, O, F>(model: &M, optimizer: O, loss_fn: F) -> Result<TrainStep>
    where
        M: Module + Clone + 'static,
        O: Optimizer + 'static,
        F: Fn(&M, &[Array]) -> Result<Array> + 'static,
    {
        TrainStep::build(model, optimizer, loss_fn, false)
    }

    fn build<M, O, F>(model: &M, mut optimizer: O, loss_fn: F, compiled: bool) -> Result<TrainStep>
    where
        M: Module + Clone + 'static,
        O: Optimizer + 'static,
        F: Fn(&M, &[Array]) -> Result<Array> + 'static,
    {
        let trainable = model.trainable_parameters();
        if trainable.is_empty() {
            return Err(Error::invalid(
                "model",
                "TrainStep: the model has no trainable parameters",
            ));
        }
        let covered = trainable.keys().all(|k| {
            let prefix = format!("{k}.");
            optimizer.state().keys().any(|s| s.starts_with(&prefix))
        });
        if !covered {
            optimizer.init(&trainable)?;
        }
        let state = optimizer.state();
        let params: Vec<String> = trainable.keys().cloned().collect();
        let state_names: Vec<String> = state.keys().cloned().collect();

        let template = model.clone();
        let grad_fn = value_and_grad(loss_fn);
        let optimizer = Rc::new(RefCell::new(optimizer));
        let (names, snames) = (params.clone(), state_names.clone());
        let step = move |args: &[Array]| -> Result<Vec<Array>> {
            let (np, ns) = (names.len(), snames.len());
            let current: ParamMap = names
                .iter()
                .cloned()
                .zip(args[..np].iter().cloned())
                .collect();
            let state: ParamMap = snames
                .iter()
                .cloned()
                .zip(args[np..np + ns].iter().cloned())
                .collect();
            let mut m = template.clone();
            m.update(&current)?;
            let (loss, grads) = grad_fn(&m, &args[np + ns..])?;
            let mut opt = optimizer.borrow_mut();
            opt.set_state(&state)?;
            let updated = opt.apply_gradients(&grads, &current)?;
            let new_state = opt.state();
            if new_state.len() != ns || !snames.iter().all(|k| new_state.contains_key(k)) {
                return Err(Error::invalid(
                    "optimizer",
                    format!(
                        "TrainStep: `{}` changed the names of its state during a step \
                         ({:?} became {:?})",
                        opt.name(),
                        snames,
                        new_state.keys().collect::<Vec<_>>()
                    ),
                ));
            }
            let mut out = Vec::with_capacity(1 + np + ns);
            out.push(loss);
            out.extend(
                names
                    .iter()
                    .map(|k| updated.get(k).unwrap_or(&current[k]).clone()),
            );
            out.extend(snames.iter().map(|k| new_state[k].clone()));
            Ok(out)
        };
        let f: StepFn = if compiled {
            Box::new(transforms::compile(step, false)?)
        } else {
            Box::new(step)
        };
        Ok(TrainStep {
            f,
            params,
            state_names,
            state,
        })
    }

    /// Runs one step on `batch` (the inputs `loss_fn` receives): writes the updated
    /// trainable parameters into `model`, keeps the new optimizer state, and returns the
    /// loss. The loss, the parameters and the state are evaluated (one `eval`), so the
    /// graph does not grow from step to step.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (`model`) when the model's trainable parameters are not
    /// those the step was built for; errors of `loss_fn` and of the optimizer; MLX's
    /// errors (shapes that do not fit the model).
    pub fn step<M: Module>(&mut self, model: &mut M, batch: &[Array]) -> Result<Array> {
        let current = model.trainable_parameters();
        if current.len() != self.params.len()
            || !self.params.iter().all(|k| current.contains_key(k))
        {
            return Err(Error::invalid(
                "model",
                format!(
                    "TrainStep: the model's trainable parameters {:?} are not those the step \
                     was built for ({:?})",
                    current.keys().collect::<Vec<_>>(),
                    self.params
                ),
            ));
        }
        let mut args: Vec<Array> =
            Vec::with_capacity(self.params.len() + self.state.len() + batch.len());
        args.extend(self.params.iter().map(|k| current[k].clone()));
        args.extend(self.state_names.iter().map(|k| self.state[k].clone()));
        args.extend(batch.iter().cloned());
        let mut out = (self.f)(&args)?;
        let refs: Vec<&Array> = out.iter().collect();
        transforms::eval(&refs)?;
        let np = self.params.len();
        let state: Vec<Array> = out.split_off(1 + np);
        let params: Vec<Array> = out.split_off(1);
        let loss = out.remove(0);
        model.update(&self.params.iter().cloned().zip(params).collect())?;
        self.state = self.state_names.iter().cloned().zip(state).collect();
        Ok(loss)
    }

    /// The optimizer state after the last step, with Python's names
    /// (`tree_flatten(optimizer.state)`: `step`, `learning_rate`, `layers.0.weight.m`,
    /// ...); give it to an optimizer's [`set_state`](Optimizer::set_state) to continue
    /// elsewhere, or save it.
    pub fn state(&self) -> &ParamMap {
        &self.state
    }
}
