//! Gradients of a model: Python's `nn.value_and_grad(model, loss_fn)`.

use std::rc::Rc;

use super::{Module, ParamMap};
use crate::{Array, Result, transforms};

/// A function computing `loss_fn(model, inputs)` and its gradients with respect to the
/// model's trainable parameters (Python: `nn.value_and_grad(model, loss_fn)`), built on
/// [`transforms::value_and_grad`]: `let (loss, grads) = step(&model, &[x, y])?;` with
/// `grads` keyed as [`Module::trainable_parameters`]. Frozen parameters are constants.
///
/// Each call differentiates a copy of `model` whose trainable parameters are the
/// transform's inputs; the model itself is not changed (BatchNorm's running statistics,
/// which clones share, are updated as in Python).
///
/// # With `compile`
/// [`transforms::compile`] takes a function of arrays: pass the parameters as arrays
/// and rebuild the model inside, e.g.
/// ```
/// use mlxrs::nn::{self, Linear, Module, ParamMap, UnaryLayer};
/// use mlxrs::{Array, Dtype, ops, transforms};
/// let model = Linear::new(2, 1, true)?;
/// let names: Vec<String> = model.trainable_parameters().into_keys().collect();
/// let step = nn::value_and_grad(|m: &Linear, xs: &[Array]| ops::sum(&m.forward(&xs[0])?, false));
/// let (m, n) = (model.clone(), names.clone());
/// let compiled = transforms::compile(
///     move |xs: &[Array]| {
///         let mut m = m.clone();
///         let params: ParamMap = n.iter().cloned().zip(xs[..n.len()].iter().cloned()).collect();
///         m.update(&params)?;
///         let (loss, grads) = step(&m, &xs[n.len()..])?;
///         Ok(std::iter::once(loss).chain(grads.into_values()).collect())
///     },
///     false,
/// )?;
/// let mut args: Vec<Array> = model.trainable_parameters().into_values().collect();
/// args.push(Array::ones(&[3, 2], Dtype::Float32)?);
/// let out = compiled(&args)?; // [loss, grad of each name, in `names` order]
/// assert_eq!(out[1].shape(), &[1]); // d loss / d bias = 3
/// assert_eq!(out[1].item::<f32>()?, 3.0);
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// The returned function fails with `loss_fn`'s error, and with
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when the loss is not a
/// scalar.
pub fn value_and_grad<M, F>(loss_fn: F) -> impl Fn(&M, &[Array]) -> Result<(Array, ParamMap)>
where
    M: Module + Clone + 'static,
    F: Fn(&M, &[Array]) -> Result<Array> + 'static,
{
    let loss_fn = Rc::new(loss_fn);
    move |model: &M, inputs: &[Array]| {
        let trainable = model.trainable_parameters();
        if trainable.is_empty() {
            return Ok((loss_fn(model, inputs)?, ParamMap::new()));
        }
        let names: Vec<String> = trainable.keys().cloned().collect();
        let n = names.len();
        let (base, f, keys) = (model.clone(), loss_fn.clone(), names.clone());
        let vg = transforms::value_and_grad(
            move |xs: &[Array]| {
                let mut m = base.clone();
                let params: ParamMap = keys.iter().cloned().zip(xs[..n].iter().cloned()).collect();
                m.update(&params)?;
                Ok(vec![f(&m, &xs[n..])?])
            },
            &(0..n as i32).collect::<Vec<_>>(),
        )?;
        let mut args: Vec<Array> = trainable.into_values().collect();
        args.extend(inputs.iter().cloned());
        let (mut values, grads) = vg(&args)?;
        Ok((values.remove(0), names.into_iter().zip(grads).collect()))
    }
}
