//! Gradient clipping (Python: `optim.clip_grad_norm`).

use super::{ParamMap, sadd, weak};
use crate::{Array, Error, Result, ops};

/// Scales `grads` down so that their global L2 norm is at most `max_norm`; returns the
/// (possibly) scaled gradients and the norm before scaling (Python:
/// `optim.clip_grad_norm(grads, max_norm)`). The scale is
/// `min(max_norm / (norm + 1e-6), 1)`.
///
/// # Errors
/// [`Error::InvalidArgument`] when `max_norm` is negative (as Python) or NaN.
///
/// ```
/// use mlxrs::{Array, nn::ParamMap, optimizers::clip_grad_norm};
/// let grads = ParamMap::from([
///     ("a".to_string(), Array::from_slice(&[3.0f32], &[1])?),
///     ("b".to_string(), Array::from_slice(&[4.0f32], &[1])?),
/// ]);
/// let (clipped, norm) = clip_grad_norm(&grads, 1.0)?;
/// assert_eq!(norm.item::<f32>()?, 5.0);
/// assert!((clipped["a"].item::<f32>()? - 0.6).abs() < 1e-6);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn clip_grad_norm(grads: &ParamMap, max_norm: f64) -> Result<(ParamMap, Array)> {
    if max_norm.is_nan() || max_norm < 0.0 {
        return Err(Error::invalid(
            "max_norm",
            format!("clip_grad_norm needs max_norm >= 0, got {max_norm}"),
        ));
    }
    let mut norm_squared: Option<Array> = None;
    for g in grads.values() {
        let s = ops::sum(&ops::square(g)?, false)?;
        norm_squared = Some(match norm_squared {
            // Python starts from 0.0: `0.0 + s` first.
            None => sadd(&s, 0.0)?,
            Some(acc) => ops::add(&acc, &s)?,
        });
    }
    let norm_squared = match norm_squared {
        Some(n) => n,
        None => Array::from(0.0f32),
    };
    let total_norm = ops::sqrt(&norm_squared)?;
    let ratio = ops::divide(&weak(max_norm, &total_norm)?, &sadd(&total_norm, 1e-6)?)?;
    let normalizer = ops::minimum(&ratio, &weak(1.0, &ratio)?)?;
    let clipped = grads
        .iter()
        .map(|(k, g)| Ok((k.clone(), ops::multiply(g, &normalizer)?)))
        .collect::<Result<ParamMap>>()?;
    Ok((clipped, total_norm))
}
