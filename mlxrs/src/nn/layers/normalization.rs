//! `LayerNorm`, `RMSNorm`, `BatchNorm` (mlx/nn/layers/normalization.py).

use std::cell::RefCell;
use std::rc::Rc;

use super::{check_input, positive};
use crate::nn::{Module, ModuleField, Param, ParamMut, ParamRef, UnaryLayer};
use crate::{Array, Dtype, Error, Result, fast, ops};

fn check_eps(layer: &str, eps: f32) -> Result<()> {
    if eps <= 0.0 || eps.is_nan() {
        return Err(Error::invalid(
            "eps",
            format!("{layer}: must be positive, got {eps}"),
        ));
    }
    Ok(())
}

/// Layer normalization over the last axis (Python: `nn.LayerNorm(dims, eps=1e-5,
/// affine=True, bias=True)`): `weight` ones and `bias` zeros, `[dims]`.
///
/// # Examples
/// ```
/// use mlxrs::nn::{LayerNorm, UnaryLayer};
/// let ln = LayerNorm::new(2)?;
/// let y = ln.forward(&mlxrs::Array::from_slice(&[1.0f32, 3.0], &[1, 2])?)?;
/// let v = y.to_vec::<f32>()?;
/// assert!((v[0] + 1.0).abs() < 1e-3 && (v[1] - 1.0).abs() < 1e-3);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
pub struct LayerNorm {
    /// `[dims]` (affine only).
    pub weight: Option<Param>,
    /// `[dims]` (affine with bias only).
    pub bias: Option<Param>,
    /// The number of features.
    pub dims: i32,
    /// Added to the variance.
    pub eps: f32,
    #[module(training)]
    training: bool,
}

impl LayerNorm {
    /// `LayerNorm(dims)` with Python's defaults.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for `dims` not positive.
    pub fn new(dims: i32) -> Result<LayerNorm> {
        LayerNorm::with_options(dims, 1e-5, true, true)
    }

    /// Every option (Python's keyword arguments).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for `dims` or `eps` not positive.
    pub fn with_options(dims: i32, eps: f32, affine: bool, bias: bool) -> Result<LayerNorm> {
        positive("dims", "LayerNorm", dims.into())?;
        check_eps("LayerNorm", eps)?;
        let (weight, bias) = if affine {
            let w = Param::new(Array::ones(&[dims], Dtype::Float32)?);
            let b = if bias {
                Some(Param::new(Array::zeros(&[dims], Dtype::Float32)?))
            } else {
                None
            };
            (Some(w), b)
        } else {
            (None, None)
        };
        Ok(LayerNorm {
            weight,
            bias,
            dims,
            eps,
            training: true,
        })
    }
}

impl UnaryLayer for LayerNorm {
    fn forward(&self, x: &Array) -> Result<Array> {
        // Without weights any last dimension normalizes, as in Python.
        let dims = self.weight.as_ref().map(|_| self.dims);
        check_input("LayerNorm", x, None, dims)?;
        fast::layer_norm(x, self.weight.as_deref(), self.bias.as_deref(), self.eps)
    }
}

/// Root-mean-square normalization over the last axis (Python: `nn.RMSNorm(dims,
/// eps=1e-5)`): `weight` ones `[dims]`.
#[derive(Debug, Clone, Module)]
pub struct RMSNorm {
    /// `[dims]`.
    pub weight: Param,
    /// Added to the mean square.
    pub eps: f32,
    #[module(training)]
    training: bool,
}

impl RMSNorm {
    /// `RMSNorm(dims, eps)`; Python's default `eps` is `1e-5`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for `dims` or `eps` not positive.
    pub fn new(dims: i32, eps: f32) -> Result<RMSNorm> {
        positive("dims", "RMSNorm", dims.into())?;
        check_eps("RMSNorm", eps)?;
        Ok(RMSNorm {
            weight: Param::new(Array::ones(&[dims], Dtype::Float32)?),
            eps,
            training: true,
        })
    }
}

impl UnaryLayer for RMSNorm {
    fn forward(&self, x: &Array) -> Result<Array> {
        check_input("RMSNorm", x, None, Some(self.weight.shape()[0]))?;
        fast::rms_norm(x, Some(&self.weight), self.eps)
    }
}

/// A parameter that its layer updates during the forward pass, kept frozen (BatchNorm's
/// running statistics). Clones share it: a model captured by a transform's closure and
/// the model outside see the same statistics, as they would in Python.
#[derive(Debug, Clone)]
pub struct RunningStat(Rc<RefCell<Array>>);

impl RunningStat {
    /// A statistic holding `value`.
    pub fn new(value: Array) -> RunningStat {
        RunningStat(Rc::new(RefCell::new(value)))
    }

    /// The current value.
    pub fn get(&self) -> Array {
        self.0.borrow().clone()
    }

    /// Replaces the value.
    pub fn set(&self, value: Array) {
        *self.0.borrow_mut() = value;
    }
}

impl ModuleField for RunningStat {
    fn visit_field(&self, path: &str, f: &mut dyn FnMut(&str, ParamRef<'_>)) {
        let v = self.0.borrow();
        f(
            path,
            ParamRef {
                value: &v,
                frozen: true,
                freezable: false,
            },
        );
    }
    fn visit_field_mut(&mut self, path: &str, f: &mut dyn FnMut(&str, ParamMut<'_>)) {
        let mut v = self.0.borrow_mut();
        f(
            path,
            ParamMut {
                value: &mut v,
                frozen: None,
            },
        );
    }
}

/// Batch normalization over every axis but the last (Python: `nn.BatchNorm(num_features,
/// eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`) for inputs of 2 to 4
/// dimensions: `weight` ones and `bias` zeros (affine), `running_mean` zeros and
/// `running_var` ones (tracked; frozen parameters, saved in weight files). In training
/// mode it normalizes with the batch statistics and updates the running ones
/// (`(1 - momentum)·running + momentum·batch`, the variance unbiased); in evaluation mode
/// it uses the running statistics.
///
/// # Examples
/// ```
/// use mlxrs::nn::{BatchNorm, Module, UnaryLayer};
/// let bn = BatchNorm::new(2)?;
/// let x = mlxrs::Array::from_slice(&[0.0f32, 10.0, 2.0, 30.0], &[2, 2])?;
/// let y = bn.forward(&x)?; // training mode: batch statistics
/// let v = y.to_vec::<f32>()?;
/// assert!((v[0] + 1.0).abs() < 1e-3 && (v[3] - 1.0).abs() < 1e-3);
/// assert_eq!(bn.trainable_parameters().len(), 2); // weight, bias
/// assert_eq!(bn.parameters().len(), 4);           // and the running statistics
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
pub struct BatchNorm {
    /// `[num_features]` (affine only).
    pub weight: Option<Param>,
    /// `[num_features]` (affine only).
    pub bias: Option<Param>,
    /// `[num_features]` (tracked only).
    pub running_mean: Option<RunningStat>,
    /// `[num_features]` (tracked only).
    pub running_var: Option<RunningStat>,
    /// The number of features (the last axis).
    pub num_features: i32,
    /// Added to the variance.
    pub eps: f32,
    /// The running statistics' update rate.
    pub momentum: f32,
    #[module(training)]
    training: bool,
}

impl BatchNorm {
    /// `BatchNorm(num_features)` with Python's defaults.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for `num_features` not positive.
    pub fn new(num_features: i32) -> Result<BatchNorm> {
        BatchNorm::with_options(num_features, 1e-5, 0.1, true, true)
    }

    /// Every option (Python's keyword arguments).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for `num_features` or `eps` not positive.
    pub fn with_options(
        num_features: i32,
        eps: f32,
        momentum: f32,
        affine: bool,
        track_running_stats: bool,
    ) -> Result<BatchNorm> {
        positive("num_features", "BatchNorm", num_features.into())?;
        check_eps("BatchNorm", eps)?;
        let n = [num_features];
        let (weight, bias) = if affine {
            (
                Some(Param::new(Array::ones(&n, Dtype::Float32)?)),
                Some(Param::new(Array::zeros(&n, Dtype::Float32)?)),
            )
        } else {
            (None, None)
        };
        let (running_mean, running_var) = if track_running_stats {
            (
                Some(RunningStat::new(Array::zeros(&n, Dtype::Float32)?)),
                Some(RunningStat::new(Array::ones(&n, Dtype::Float32)?)),
            )
        } else {
            (None, None)
        };
        Ok(BatchNorm {
            weight,
            bias,
            running_mean,
            running_var,
            num_features,
            eps,
            momentum,
            training: true,
        })
    }
}

impl UnaryLayer for BatchNorm {
    fn forward(&self, x: &Array) -> Result<Array> {
        let has_state = self.weight.is_some() || self.running_mean.is_some();
        let features = has_state.then_some(self.num_features);
        check_input("BatchNorm", x, Some(&[2, 3, 4]), features)?;
        let axes: Vec<i32> = (0..x.ndim() as i32 - 1).collect();
        if self.training {
            let per_channel: i64 = x.shape()[..x.ndim() - 1]
                .iter()
                .map(|&d| i64::from(d))
                .product();
            if per_channel == 1 {
                return Err(Error::ShapeMismatch {
                    op: "BatchNorm",
                    reason: format!(
                        "training needs more than one value per channel, got shape {:?}",
                        x.shape()
                    ),
                });
            }
        }
        let mut mean = ops::mean_axes(x, &axes, false)?;
        let mut var = ops::var_axes(x, &axes, false, 0)?;
        if let (Some(rm), Some(rv)) = (&self.running_mean, &self.running_var) {
            if self.training {
                let mu = self.momentum;
                let unbiased = ops::var_axes(x, &axes, false, 1)?;
                rm.set(ops::add(&(&rm.get() * (1.0 - mu))?, &(&mean * mu)?)?);
                rv.set(ops::add(&(&rv.get() * (1.0 - mu))?, &(&unbiased * mu)?)?);
            } else {
                mean = rm.get();
                var = rv.get();
            }
        }
        let y = ops::multiply(&ops::subtract(x, &mean)?, &ops::rsqrt(&(&var + self.eps)?)?)?;
        match (&self.weight, &self.bias) {
            (Some(w), Some(b)) => ops::add(&ops::multiply(w, &y)?, b),
            _ => Ok(y),
        }
    }
}
