//! What all single optimizers share (Python's `Optimizer` base class): the step count,
//! the learning rate and its schedule, the per-parameter state, and how gradients are
//! checked and applied. Each optimizer supplies its update rule as a [`Rule`].

use std::collections::BTreeMap;

use super::{LearningRate, ParamMap, Schedule, check_learning_rate, weak_int};
use crate::{Array, Error, Result, ops};

/// The state of one parameter: slot name (`m`, `v`, ...) → array.
pub(crate) type Slots = BTreeMap<String, Array>;

/// What an update sees besides the gradient and the parameter.
pub(crate) struct Ctx<'a> {
    /// The step count after this update's increment (Python's `self.step` inside
    /// `apply_single`), a `uint64` scalar.
    pub step: &'a Array,
    /// The learning rate in use (Python's `self.learning_rate`).
    pub lr: Option<&'a Array>,
}

impl Ctx<'_> {
    /// The learning rate in `like`'s dtype (Python: `self.learning_rate.astype(g.dtype)`).
    pub fn lr_as(&self, name: &str, like: &Array) -> Result<Array> {
        match self.lr {
            Some(lr) => lr.astype(like.dtype()),
            None => Err(no_learning_rate(name)),
        }
    }
}

fn no_learning_rate(name: &str) -> Error {
    Error::invalid(
        "learning_rate",
        format!("`{name}` has no learning rate (its state holds no `learning_rate`)"),
    )
}

/// One optimizer's per-parameter update (Python's `init_single` / `apply_single`).
pub(crate) trait Rule {
    /// The Python class name.
    const NAME: &'static str;
    /// Every slot name a parameter's state may hold.
    const SLOTS: &'static [&'static str];
    /// The slots of parameter `p` and their shapes (created as zeros of `p`'s dtype).
    fn slots(&self, p: &Array) -> Vec<(&'static str, Vec<i32>)>;
    /// The updated parameter; writes the new slot values into `s`.
    fn apply_single(&self, g: &Array, p: &Array, s: &mut Slots, ctx: &Ctx<'_>) -> Result<Array>;
}

/// The slot `name` of `s` (present: [`Base::apply`] checks every slot first).
pub(crate) fn slot<'a>(s: &'a Slots, name: &str) -> Result<&'a Array> {
    s.get(name)
        .ok_or_else(|| Error::invalid("state", format!("no state entry `{name}`")))
}

/// Step, learning rate (and schedule), and per-parameter state.
pub(crate) struct Base {
    step: Array,
    lr: Option<Array>,
    schedule: Option<Schedule>,
    /// Whether the state must hold a `learning_rate`.
    has_lr: bool,
    params: BTreeMap<String, Slots>,
    initialized: bool,
}

impl Base {
    /// A fresh state: step 0, and the learning rate (a schedule's value at step 0).
    pub fn new(name: &str, lr: Option<LearningRate>) -> Result<Base> {
        let step = Array::from(0u64);
        let (lr, schedule) = match lr {
            None => (None, None),
            Some(LearningRate::Value(v)) => {
                check_learning_rate(name, v)?;
                (Some(Array::from(v as f32)), None)
            }
            Some(LearningRate::Schedule(s)) => (Some(s.at(&step)?), Some(s)),
        };
        Ok(Base {
            step,
            has_lr: lr.is_some(),
            lr,
            schedule,
            params: BTreeMap::new(),
            initialized: false,
        })
    }

    pub fn init<R: Rule>(&mut self, rule: &R, parameters: &ParamMap) -> Result<()> {
        init_into(&mut self.params, rule, parameters)?;
        self.initialized = true;
        Ok(())
    }

    pub fn apply<R: Rule>(
        &mut self,
        rule: &R,
        gradients: &ParamMap,
        parameters: &ParamMap,
    ) -> Result<ParamMap> {
        let name = R::NAME;
        for (k, g) in gradients {
            let p = parameters.get(k).ok_or_else(|| {
                Error::invalid(
                    "gradients",
                    format!("`{name}`: gradient `{k}` has no parameter of that name"),
                )
            })?;
            if g.shape() != p.shape() {
                return Err(Error::ShapeMismatch {
                    op: name,
                    reason: format!(
                        "the gradient of `{k}` has shape {:?}, the parameter {:?}",
                        g.shape(),
                        p.shape()
                    ),
                });
            }
        }
        // Work on a copy (array clones are cheap): on error the state stays as it was.
        let mut states = self.params.clone();
        if !self.initialized {
            init_into(&mut states, rule, gradients)?;
        }
        for k in gradients.keys() {
            let p = &parameters[k];
            let s = states.get(k).ok_or_else(|| {
                Error::invalid(
                    "gradients",
                    format!(
                        "`{name}`: gradient `{k}` has no optimizer state (the state was \
                         initialized for other parameters; call `init` with every parameter)"
                    ),
                )
            })?;
            for (slot, shape) in rule.slots(p) {
                match s.get(slot) {
                    None => {
                        return Err(Error::invalid(
                            "state",
                            format!("`{name}`: the state of `{k}` lacks `{slot}`"),
                        ));
                    }
                    Some(a) if a.shape() != shape.as_slice() => {
                        return Err(Error::ShapeMismatch {
                            op: name,
                            reason: format!(
                                "the state `{k}.{slot}` has shape {:?}, expected {shape:?} for \
                                 the parameter of shape {:?}",
                                a.shape(),
                                p.shape()
                            ),
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        let lr = match &self.schedule {
            Some(s) => Some(s.at(&self.step)?),
            None => self.lr.clone(),
        };
        let step = ops::add(&self.step, &weak_int(1, &self.step)?)?;
        let ctx = Ctx {
            step: &step,
            lr: lr.as_ref(),
        };
        let mut out = ParamMap::new();
        for (k, g) in gradients {
            let s = states
                .get_mut(k)
                .ok_or_else(|| Error::invalid("gradients", format!("no state for `{k}`")))?;
            out.insert(k.clone(), rule.apply_single(g, &parameters[k], s, &ctx)?);
        }
        self.params = states;
        self.lr = lr;
        self.step = step;
        self.initialized = true;
        Ok(out)
    }

    pub fn state(&self) -> ParamMap {
        let mut m = ParamMap::new();
        m.insert("step".into(), self.step.clone());
        if let Some(lr) = &self.lr {
            m.insert("learning_rate".into(), lr.clone());
        }
        for (p, slots) in &self.params {
            for (s, a) in slots {
                m.insert(format!("{p}.{s}"), a.clone());
            }
        }
        m
    }

    pub fn set_state<R: Rule>(&mut self, state: &ParamMap) -> Result<()> {
        let name = R::NAME;
        let scalar = |key: &str| -> Result<Option<Array>> {
            match state.get(key) {
                Some(a) if a.ndim() != 0 => Err(Error::invalid(
                    "state",
                    format!(
                        "`{name}`: `{key}` should be a scalar, got shape {:?}",
                        a.shape()
                    ),
                )),
                a => Ok(a.cloned()),
            }
        };
        let step = scalar("step")?
            .ok_or_else(|| Error::invalid("state", format!("`{name}`: the state lacks `step`")))?;
        let lr = scalar("learning_rate")?;
        if self.has_lr && lr.is_none() {
            return Err(Error::invalid(
                "state",
                format!("`{name}`: the state lacks `learning_rate`"),
            ));
        }
        let mut params: BTreeMap<String, Slots> = BTreeMap::new();
        for (k, a) in state {
            if k == "step" || k == "learning_rate" {
                continue;
            }
            let (p, s) = k
                .rsplit_once('.')
                .filter(|(_, s)| R::SLOTS.contains(s))
                .ok_or_else(|| {
                    Error::invalid(
                        "state",
                        format!(
                            "`{name}`: unknown state entry `{k}` (expected `step`, \
                             `learning_rate` or `<parameter>.<slot>` with a slot in {:?})",
                            R::SLOTS
                        ),
                    )
                })?;
            params
                .entry(p.to_string())
                .or_default()
                .insert(s.to_string(), a.clone());
        }
        self.step = step;
        self.lr = lr;
        self.params = params;
        self.initialized = false;
        Ok(())
    }

    pub fn step(&self) -> Array {
        self.step.clone()
    }

    pub fn learning_rate(&self, name: &str) -> Result<Array> {
        self.lr.clone().ok_or_else(|| no_learning_rate(name))
    }

    pub fn set_learning_rate(&mut self, name: &str, lr: f32) -> Result<()> {
        check_learning_rate(name, lr.into())?;
        self.lr = Some(Array::from(lr));
        Ok(())
    }
}

/// Python's `init`: zero slots for every parameter whose state is missing or empty.
fn init_into<R: Rule>(
    states: &mut BTreeMap<String, Slots>,
    rule: &R,
    parameters: &ParamMap,
) -> Result<()> {
    for (k, p) in parameters {
        if states.get(k).is_some_and(|s| !s.is_empty()) {
            continue;
        }
        let mut s = Slots::new();
        for (slot, shape) in rule.slots(p) {
            s.insert(slot.to_string(), Array::zeros(shape.as_slice(), p.dtype())?);
        }
        states.insert(k.clone(), s);
    }
    Ok(())
}

/// Implements [`Optimizer`](super::Optimizer) for `$t { options: $o, base: Base }`,
/// `$o: Rule`.
macro_rules! impl_optimizer {
    ($t:ty, $o:ty) => {
        impl $crate::optimizers::Optimizer for $t {
            fn name(&self) -> &'static str {
                <$o as $crate::optimizers::base::Rule>::NAME
            }
            fn init(&mut self, parameters: &$crate::optimizers::ParamMap) -> $crate::Result<()> {
                self.base.init(&self.options, parameters)
            }
            fn apply_gradients(
                &mut self,
                gradients: &$crate::optimizers::ParamMap,
                parameters: &$crate::optimizers::ParamMap,
            ) -> $crate::Result<$crate::optimizers::ParamMap> {
                self.base.apply(&self.options, gradients, parameters)
            }
            fn state(&self) -> $crate::optimizers::ParamMap {
                self.base.state()
            }
            fn set_state(&mut self, state: &$crate::optimizers::ParamMap) -> $crate::Result<()> {
                self.base.set_state::<$o>(state)
            }
            fn step(&self) -> $crate::Result<$crate::Array> {
                Ok(self.base.step())
            }
            fn learning_rate(&self) -> $crate::Result<$crate::Array> {
                self.base.learning_rate(self.name())
            }
            fn set_learning_rate(&mut self, lr: f32) -> $crate::Result<()> {
                self.base.set_learning_rate(self.name(), lr)
            }
        }
    };
}

pub(crate) use impl_optimizer;
