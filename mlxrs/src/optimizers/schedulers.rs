//! Learning-rate schedules (Python: `mlx/optimizers/schedulers.py`).

use std::rc::Rc;

use super::{weak, weak_int};
use crate::{Array, Error, Result, ops};

/// A schedule: a function of the step count (a `uint64` scalar array, as the optimizers
/// pass it) giving a value, usually the learning rate. Python: a callable
/// `schedule(step)`. Clones share the function.
///
/// ```
/// use mlxrs::{Array, optimizers::{Schedule, exponential_decay}};
/// let s = exponential_decay(0.1, 0.5);
/// assert_eq!(s.at(&Array::from(2u64))?.item::<f32>()?, 0.025);
/// // Any function of the step is a schedule.
/// let double = Schedule::new(|step| step.astype(mlxrs::Dtype::Float32)? * 2.0);
/// assert_eq!(double.at(&Array::from(3u64))?.item::<f32>()?, 6.0);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Clone)]
pub struct Schedule(Rc<ScheduleFn>);

/// The function behind a [`Schedule`].
type ScheduleFn = dyn Fn(&Array) -> Result<Array>;

impl Schedule {
    /// A schedule from a function of the step.
    pub fn new(f: impl Fn(&Array) -> Result<Array> + 'static) -> Schedule {
        Schedule(Rc::new(f))
    }

    /// The value at `step` (Python: `schedule(step)`).
    ///
    /// # Errors
    /// The function's error.
    pub fn at(&self, step: &Array) -> Result<Array> {
        (self.0)(step)
    }
}

impl std::fmt::Debug for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schedule(..)")
    }
}

/// `init * decay_rate ** step` (Python: `optim.exponential_decay`).
///
/// ```
/// use mlxrs::{Array, optimizers::exponential_decay};
/// let v = exponential_decay(1e-1, 0.9).at(&Array::from(5u64))?.item::<f32>()?;
/// assert!((v - 0.1 * 0.9f32.powi(5)).abs() < 1e-7);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn exponential_decay(init: f64, decay_rate: f64) -> Schedule {
    Schedule::new(move |step| {
        let decay = ops::power(&weak(decay_rate, step)?, step)?;
        ops::multiply(&weak(init, &decay)?, &decay)
    })
}

/// `init * decay_rate ** (step // step_size)` (Python: `optim.step_decay`).
///
/// # Errors
/// [`Error::InvalidArgument`] when `step_size < 1`.
///
/// ```
/// use mlxrs::{Array, optimizers::step_decay};
/// let s = step_decay(1e-1, 0.9, 10)?;
/// assert!((s.at(&Array::from(21u64))?.item::<f32>()? - 0.081).abs() < 1e-7);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn step_decay(init: f64, decay_rate: f64, step_size: i64) -> Result<Schedule> {
    if step_size < 1 {
        return Err(Error::invalid(
            "step_size",
            format!("step_decay needs a step size greater than 0, got {step_size}"),
        ));
    }
    Ok(Schedule::new(move |step| {
        let k = ops::floor_divide(step, &weak_int(step_size, step)?)?;
        let decay = ops::power(&weak(decay_rate, &k)?, &k)?;
        ops::multiply(&weak(init, &decay)?, &decay)
    }))
}

/// Cosine decay from `init` to `end` over `decay_steps` steps, constant after (Python:
/// `optim.cosine_decay(init, decay_steps, end=0.0)`).
///
/// # Errors
/// [`Error::InvalidArgument`] when `decay_steps < 1`.
///
/// ```
/// use mlxrs::{Array, optimizers::cosine_decay};
/// let s = cosine_decay(1.0, 10, 0.0)?;
/// assert!((s.at(&Array::from(5u64))?.item::<f32>()? - 0.5).abs() < 1e-6);
/// assert!(s.at(&Array::from(15u64))?.item::<f32>()?.abs() < 1e-6);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn cosine_decay(init: f64, decay_steps: i64, end: f64) -> Result<Schedule> {
    if decay_steps < 1 {
        return Err(Error::invalid(
            "decay_steps",
            format!("cosine_decay needs decay steps greater than 0, got {decay_steps}"),
        ));
    }
    Ok(Schedule::new(move |step| {
        let s = ops::minimum(step, &weak_int(decay_steps, step)?)?;
        let angle = ops::multiply(&weak(std::f64::consts::PI / decay_steps as f64, &s)?, &s)?;
        let cos = ops::cos(&angle)?;
        let decay = super::smul(0.5, &super::sadd(&cos, 1.0)?)?;
        let scaled = ops::multiply(&decay, &weak(init - end, &decay)?)?;
        ops::add(&weak(end, &scaled)?, &scaled)
    }))
}

/// Joins schedules: schedule `i + 1` takes over at `boundaries[i]` and sees the steps
/// since that boundary (Python: `optim.join_schedules`).
///
/// # Errors
/// [`Error::InvalidArgument`] when `schedules` is empty or `boundaries` does not hold
/// one boundary fewer than there are schedules.
///
/// ```
/// use mlxrs::{Array, optimizers::{cosine_decay, join_schedules, linear_schedule}};
/// let warmup = linear_schedule(0.0, 1e-1, 10)?;
/// let s = join_schedules(vec![warmup, cosine_decay(1e-1, 200, 0.0)?], &[10])?;
/// assert!((s.at(&Array::from(5u64))?.item::<f32>()? - 0.05).abs() < 1e-7);
/// assert!((s.at(&Array::from(10u64))?.item::<f32>()? - 0.1).abs() < 1e-7);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn join_schedules(schedules: Vec<Schedule>, boundaries: &[i64]) -> Result<Schedule> {
    if schedules.is_empty() {
        return Err(Error::invalid(
            "schedules",
            "join_schedules needs at least 1 schedule to join",
        ));
    }
    if schedules.len() != boundaries.len() + 1 {
        return Err(Error::invalid(
            "boundaries",
            format!(
                "join_schedules received {} boundaries but expected {}",
                boundaries.len(),
                schedules.len() - 1
            ),
        ));
    }
    let boundaries = boundaries.to_vec();
    Ok(Schedule::new(move |step| {
        let mut output = schedules[0].at(step)?;
        for (&boundary, schedule) in boundaries.iter().zip(&schedules[1..]) {
            let b = weak_int(boundary, step)?;
            let later = schedule.at(&ops::subtract(step, &b)?)?;
            output = ops::r#where(&ops::less(step, &b)?, &output, &later)?;
        }
        Ok(output)
    }))
}

/// Linear from `init` to `end` over `steps` steps, `end` after (Python:
/// `optim.linear_schedule`).
///
/// # Errors
/// [`Error::InvalidArgument`] when `steps < 1`.
///
/// ```
/// use mlxrs::{Array, optimizers::linear_schedule};
/// let s = linear_schedule(0.0, 1.0, 4)?;
/// assert_eq!(s.at(&Array::from(1u64))?.item::<f32>()?, 0.25);
/// assert_eq!(s.at(&Array::from(9u64))?.item::<f32>()?, 1.0);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn linear_schedule(init: f64, end: f64, steps: i64) -> Result<Schedule> {
    if steps < 1 {
        return Err(Error::invalid(
            "steps",
            format!("linear_schedule needs steps greater than 0, got {steps}"),
        ));
    }
    Ok(Schedule::new(move |step| {
        let s = ops::minimum(step, &weak_int(steps, step)?)?;
        let slope = ops::multiply(&s, &weak((end - init) / steps as f64, &s)?)?;
        super::sadd(&slope, init)
    }))
}
