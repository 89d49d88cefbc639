//! Several optimizers, each for the parameters a filter picks (Python:
//! `optim.MultiOptimizer`).

use super::{Optimizer, ParamMap};
use crate::{Array, Error, Result};

/// A parameter filter of [`MultiOptimizer`]: `(name, gradient) -> bool`, with the
/// parameter's dotted name (Python: a predicate `fn(path, array)`).
pub type Filter = Box<dyn Fn(&str, &Array) -> bool>;

/// Delegates each gradient to the first optimizer whose filter accepts it; the last
/// optimizer takes the rest (Python: `optim.MultiOptimizer(optimizers, filters)`).
/// Its state is `states.<i>.<name>` for the `i`-th optimizer's state entry `<name>`.
///
/// ```
/// use mlxrs::{Array, nn::ParamMap, optimizers::{Adam, MultiOptimizer, Optimizer, SGD}};
/// let params = ParamMap::from([
///     ("bias".to_string(), Array::from(1.0f32)),
///     ("weight".to_string(), Array::from(1.0f32)),
/// ]);
/// let grads = params.clone();
/// let mut opt = MultiOptimizer::new(
///     vec![Box::new(Adam::new(0.1)?), Box::new(SGD::new(0.5)?)],
///     vec![Box::new(|name: &str, _: &Array| name.contains("weight"))],
/// )?;
/// let new = opt.apply_gradients(&grads, &params)?;
/// assert_eq!(new["bias"].item::<f32>()?, 0.5); // SGD
/// assert!(opt.state().contains_key("states.0.weight.m")); // Adam
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub struct MultiOptimizer {
    optimizers: Vec<Box<dyn Optimizer>>,
    filters: Vec<Filter>,
}

impl MultiOptimizer {
    /// One filter per optimizer but the last.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `filters.len() != optimizers.len() - 1` (or there
    /// is no optimizer).
    pub fn new(optimizers: Vec<Box<dyn Optimizer>>, filters: Vec<Filter>) -> Result<Self> {
        if optimizers.is_empty() || filters.len() != optimizers.len() - 1 {
            return Err(Error::invalid(
                "filters",
                format!(
                    "`MultiOptimizer` was given {} filters but {} needed",
                    filters.len(),
                    optimizers.len().saturating_sub(1)
                ),
            ));
        }
        Ok(MultiOptimizer {
            optimizers,
            filters,
        })
    }

    /// The optimizers, in order.
    pub fn optimizers(&self) -> &[Box<dyn Optimizer>] {
        &self.optimizers
    }

    /// `tree` split by the filters: one map per optimizer.
    fn split(&self, tree: &ParamMap) -> Vec<ParamMap> {
        let n = self.optimizers.len();
        let mut parts = vec![ParamMap::new(); n];
        for (k, a) in tree {
            let i = self.filters.iter().position(|f| f(k, a)).unwrap_or(n - 1);
            parts[i].insert(k.clone(), a.clone());
        }
        parts
    }
}

impl Optimizer for MultiOptimizer {
    fn name(&self) -> &'static str {
        "MultiOptimizer"
    }

    fn init(&mut self, parameters: &ParamMap) -> Result<()> {
        let parts = self.split(parameters);
        for (o, p) in self.optimizers.iter_mut().zip(&parts) {
            o.init(p)?;
        }
        Ok(())
    }

    fn apply_gradients(&mut self, gradients: &ParamMap, parameters: &ParamMap) -> Result<ParamMap> {
        // Check every part before updating any optimizer, so an error changes nothing.
        for k in gradients.keys() {
            if !parameters.contains_key(k) {
                return Err(Error::invalid(
                    "gradients",
                    format!("`MultiOptimizer`: gradient `{k}` has no parameter of that name"),
                ));
            }
        }
        let parts = self.split(gradients);
        let saved: Vec<ParamMap> = self.optimizers.iter().map(|o| o.state()).collect();
        let mut out = ParamMap::new();
        for (i, g) in parts.iter().enumerate() {
            match self.optimizers[i].apply_gradients(g, parameters) {
                Ok(new) => out.extend(new),
                Err(e) => {
                    for (o, s) in self.optimizers.iter_mut().zip(&saved).take(i) {
                        o.set_state(s)?;
                    }
                    return Err(e);
                }
            }
        }
        Ok(out)
    }

    fn state(&self) -> ParamMap {
        let mut m = ParamMap::new();
        for (i, o) in self.optimizers.iter().enumerate() {
            for (k, a) in o.state() {
                m.insert(format!("states.{i}.{k}"), a);
            }
        }
        m
    }

    fn set_state(&mut self, state: &ParamMap) -> Result<()> {
        let n = self.optimizers.len();
        let mut parts = vec![ParamMap::new(); n];
        for (k, a) in state {
            let part = k
                .strip_prefix("states.")
                .and_then(|rest| rest.split_once('.'))
                .and_then(|(i, name)| Some((i.parse::<usize>().ok()?, name)))
                .filter(|&(i, _)| i < n);
            match part {
                Some((i, name)) => {
                    parts[i].insert(name.to_string(), a.clone());
                }
                None => {
                    return Err(Error::invalid(
                        "state",
                        format!(
                            "`MultiOptimizer`: unknown state entry `{k}` (expected \
                             `states.<i>.<name>` with i < {n})"
                        ),
                    ));
                }
            }
        }
        let saved: Vec<ParamMap> = self.optimizers.iter().map(|o| o.state()).collect();
        for (i, p) in parts.iter().enumerate() {
            if let Err(e) = self.optimizers[i].set_state(p) {
                for (o, s) in self.optimizers.iter_mut().zip(&saved).take(i) {
                    o.set_state(s)?;
                }
                return Err(e);
            }
        }
        Ok(())
    }

    fn step(&self) -> Result<Array> {
        self.optimizers[0].step()
    }

    fn learning_rate(&self) -> Result<Array> {
        self.optimizers[0].learning_rate()
    }

    fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        for o in &mut self.optimizers {
            o.set_learning_rate(lr)?;
        }
        Ok(())
    }
}
