//! Activation functions and their layers: Python MLX's `mlx.nn.layers.activations`.
//!
//! Every function of Python's `mlx.nn` (`nn.relu`, `nn.gelu`, ...) is a function here
//! with the same name and formula, re-exported at [`crate::nn`]; Python's keyword
//! arguments become ordinary arguments, in Python's order (their Python defaults are
//! named in each function's docs). Every activation class (`nn.ReLU`, `nn.GELU`, ...) is
//! a struct with Python's class name, a `new` constructor taking Python's arguments (and
//! [`Default`] with Python's defaults where the constructor cannot fail) and
//! `forward(&self, x)`, which is Python's `__call__`.
//!
//! Python scalars combine with arrays as in Python: a float scalar takes the array's
//! floating-point dtype (`relu6` of a `float16` array stays `float16`), an integer array
//! with a float scalar gives `float32`. Python compiles most of these functions
//! (`mx.compile(shapeless=True)`); mlxrs builds the same graph uncompiled: wrap a model
//! in [`compile`](crate::transforms::compile) to fuse it.
//!
//! | Python | mlxrs function | Python class | mlxrs struct |
//! |---|---|---|---|
//! | `sigmoid(x)` | [`sigmoid`] | `Sigmoid()` | [`Sigmoid`] |
//! | `relu(x)` | [`relu`] | `ReLU()` | [`ReLU`] |
//! | `relu2(x)` | [`relu2`] | `ReLU2()` | [`ReLU2`] |
//! | `relu6(x)` | [`relu6`] | `ReLU6()` | [`ReLU6`] |
//! | `leaky_relu(x, negative_slope=0.01)` | [`leaky_relu`] | `LeakyReLU(negative_slope=1e-2)` | [`LeakyReLU`] |
//! | `log_softmax(x, axis=-1)` | [`log_softmax`] | `LogSoftmax()` | [`LogSoftmax`] |
//! | `elu(x, alpha=1.0)` | [`elu`] | `ELU(alpha=1.0)` | [`ELU`] |
//! | `softmax(x, axis=-1)` | [`softmax`] | `Softmax()` | [`Softmax`] |
//! | `softplus(x)` | [`softplus`] | `Softplus()` | [`Softplus`] |
//! | `softsign(x)` | [`softsign`] | `Softsign()` | [`Softsign`] |
//! | `softshrink(x, lambd=0.5)` | [`softshrink`] | `Softshrink(lambd=0.5)` | [`Softshrink`] |
//! | `celu(x, alpha=1.0)` | [`celu`] | `CELU(alpha=1.0)` | [`CELU`] |
//! | `silu(x)` | [`silu`] | `SiLU()` | [`SiLU`] |
//! | `log_sigmoid(x)` | [`log_sigmoid`] | `LogSigmoid()` | [`LogSigmoid`] |
//! | `gelu(x)` | [`gelu`] | `GELU(approx="none")` | [`GELU`] |
//! | `gelu_approx(x)` | [`gelu_approx`] | `GELU(approx="precise")` | [`GELU`] |
//! | `gelu_fast_approx(x)` | [`gelu_fast_approx`] | `GELU(approx="fast")` | [`GELU`] |
//! | `glu(x, axis=-1)` | [`glu`] | `GLU(axis=-1)` | [`GLU`] |
//! | `step(x, threshold=0.0)` | [`step`] | `Step(threshold=0.0)` | [`Step`] |
//! | `selu(x)` | [`selu`] | `SELU()` | [`SELU`] |
//! | `prelu(x, alpha)` | [`prelu`] | `PReLU(num_parameters=1, init=0.25)` | [`PReLU`] |
//! | `mish(x)` | [`mish`] | `Mish()` | [`Mish`] |
//! | `hardswish(x)` | [`hardswish`] | `Hardswish()` | [`Hardswish`] |
//! | `hard_tanh(x, min_val=-1.0, max_val=1.0)` | [`hard_tanh`] | `HardTanh()` | [`HardTanh`] |
//! | `hard_shrink(x, lambd=0.5)` | [`hard_shrink`] | `HardShrink(lambd=0.5)` | [`HardShrink`] |
//! | `softmin(x, axis=-1)` | [`softmin`] | `Softmin()` | [`Softmin`] |
//! | `tanh(x)` | [`tanh`] | `Tanh()` | [`Tanh`] |
//!
//! ```
//! use mlxrs::{Array, nn};
//! let x = Array::from_slice(&[-2.0f32, 0.5, 3.0], &[3])?;
//! assert_eq!(nn::relu(&x)?.to_vec::<f32>()?, [0.0, 0.5, 3.0]);
//! assert_eq!(nn::LeakyReLU::new(0.1).forward(&x)?.to_vec::<f32>()?, [-0.2, 0.5, 3.0]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::nn::{Module, UnaryLayer};
use crate::{Array, Dtype, Error, Result, ops};

/// Python's float scalar `v` next to the array `like` (a "weak" scalar): it takes the
/// array's dtype when that is inexact, else it is a `float32`.
pub(crate) fn weak_float(v: f32, like: &Array) -> Result<Array> {
    match like.dtype() {
        d @ (Dtype::Float16 | Dtype::Bfloat16 | Dtype::Float64 | Dtype::Complex64) => {
            Array::from(v).astype(d)
        }
        _ => Ok(Array::from(v)),
    }
}

/// Python's integer scalar `v` next to the array `like`: it takes the array's dtype
/// (an `int32` next to a `bool` array).
pub(crate) fn weak_int(v: i32, like: &Array) -> Result<Array> {
    match like.dtype() {
        Dtype::Bool => Ok(Array::from(v)),
        d => Array::from(v).astype(d),
    }
}

/// The logistic sigmoid `1 / (1 + exp(-x))`, elementwise.
///
/// Python: `mlx.nn.sigmoid`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x` (e.g. a complex array).
pub fn sigmoid(x: &Array) -> Result<Array> {
    ops::sigmoid(x)
}

/// The rectified linear unit `max(x, 0)`.
///
/// Python: `mlx.nn.relu`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
///
/// # Examples
/// ```
/// let y = mlxrs::nn::relu(&mlxrs::Array::from_slice(&[-1.0f32, 2.0], &[2])?)?;
/// assert_eq!(y.to_vec::<f32>()?, [0.0, 2.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn relu(x: &Array) -> Result<Array> {
    x.maximum(0)
}

/// ReLU²: `max(x, 0)²`.
///
/// Python: `mlx.nn.relu2`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn relu2(x: &Array) -> Result<Array> {
    ops::square(&x.maximum(0)?)
}

/// ReLU capped at 6: `min(max(x, 0), 6)`.
///
/// Python: `mlx.nn.relu6`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn relu6(x: &Array) -> Result<Array> {
    x.maximum(0)?.minimum(6.0)
}

/// The leaky rectified linear unit `max(negative_slope * x, x)` (Python's default
/// `negative_slope` is `0.01`).
///
/// Python: `mlx.nn.leaky_relu`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn leaky_relu(x: &Array, negative_slope: f32) -> Result<Array> {
    (negative_slope * x)?.maximum(x)
}

/// Log-softmax along `axis`: `x - logsumexp(x)`, computed after shifting by the
/// (gradient-stopped) maximum (Python's default `axis` is `-1`).
///
/// Python: `mlx.nn.log_softmax`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) for an `axis` out of range.
pub fn log_softmax(x: &Array, axis: i32) -> Result<Array> {
    let shifted = (x - &ops::stop_gradient(&x.max_axis(axis, true)?)?)?;
    &shifted - &shifted.logsumexp_axis(axis, true)?
}

/// The exponential linear unit: `x` where `x > 0`, else `alpha * (exp(x) - 1)`
/// (Python's default `alpha` is `1.0`).
///
/// Python: `mlx.nn.elu`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn elu(x: &Array, alpha: f32) -> Result<Array> {
    let negative = (alpha * (x.exp()? - 1)?)?;
    ops::r#where(&x.gt(0)?, x, &negative)
}

/// Softmax along `axis` (Python's default `axis` is `-1`).
///
/// Python: `mlx.nn.softmax` (`mx.softmax(x, axis=axis)`).
///
/// # Errors
/// MLX's error ([`Error::Backend`]) for an `axis` out of range.
pub fn softmax(x: &Array, axis: i32) -> Result<Array> {
    ops::softmax_axis(x, axis, false)
}

/// Softplus `log(1 + exp(x))`, computed as `logaddexp(x, 0)`.
///
/// Python: `mlx.nn.softplus`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn softplus(x: &Array) -> Result<Array> {
    ops::logaddexp(x, &weak_int(0, x)?)
}

/// Softsign `x / (1 + |x|)`.
///
/// Python: `mlx.nn.softsign`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn softsign(x: &Array) -> Result<Array> {
    ops::divide(x, &(1 + &x.abs()?)?)
}

/// Soft shrinkage: `x - sign(x) * lambd` where `|x| > lambd`, else 0 (Python's default
/// `lambd` is `0.5`).
///
/// Python: `mlx.nn.softshrink`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn softshrink(x: &Array, lambd: f32) -> Result<Array> {
    let shrunk = (x - &(x.sign()? * lambd)?)?;
    ops::r#where(&x.abs()?.gt(lambd)?, &shrunk, &weak_int(0, &shrunk)?)
}

/// The continuously differentiable exponential linear unit
/// `max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)` (Python's default `alpha` is
/// `1.0`).
///
/// Python: `mlx.nn.celu`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn celu(x: &Array, alpha: f32) -> Result<Array> {
    let negative = (alpha * ((x.minimum(0.0)? / alpha)?.exp()? - 1)?)?;
    x.maximum(0.0)? + negative
}

/// The sigmoid linear unit (Swish) `x * sigmoid(x)`.
///
/// Python: `mlx.nn.silu`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn silu(x: &Array) -> Result<Array> {
    x * &x.sigmoid()?
}

/// `log(sigmoid(x))`, computed as `-softplus(-x)`.
///
/// Python: `mlx.nn.log_sigmoid`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn log_sigmoid(x: &Array) -> Result<Array> {
    ops::negative(&softplus(&(-x)?)?)
}

/// The Gaussian error linear unit `x * Φ(x)`, exact: `x * (1 + erf(x / √2)) / 2`.
///
/// Python: `mlx.nn.gelu`. See [`gelu_approx`] and [`gelu_fast_approx`].
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
///
/// # Examples
/// ```
/// let y = mlxrs::nn::gelu(&mlxrs::Array::from(1.0f32))?;
/// assert!((y.item::<f32>()? - 0.841_344_7).abs() < 1e-6);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn gelu(x: &Array) -> Result<Array> {
    let erf = ops::erf(&(x / std::f32::consts::SQRT_2)?)?;
    (x * &(1 + erf)?)? / 2
}

/// The tanh approximation of [`gelu`] (maximum absolute error below 0.0005 on
/// `[-6, 6]`): `0.5 * x * (1 + tanh(√(2/π) * (x + 0.044715 * x³)))`.
///
/// Python: `mlx.nn.gelu_approx`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn gelu_approx(x: &Array) -> Result<Array> {
    let c = (2.0 / std::f64::consts::PI).sqrt() as f32;
    let cubic = (0.044715 * x.power(3)?)?;
    let inner = (c * (x + cubic)?)?;
    (0.5 * x)? * (1 + inner.tanh()?)?
}

/// The sigmoid approximation of [`gelu`] (maximum absolute error below 0.015 on
/// `[-6, 6]`): `x * sigmoid(1.702 * x)`.
///
/// Python: `mlx.nn.gelu_fast_approx`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn gelu_fast_approx(x: &Array) -> Result<Array> {
    x * &(1.702 * x)?.sigmoid()?
}

/// The gated linear unit: splits `axis` into halves `a` and `b` and returns
/// `a * sigmoid(b)` (Python's default `axis` is `-1`).
///
/// Python: `mlx.nn.glu`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when the `axis` dimension cannot be split into two
/// equal halves, or `axis` is out of range.
pub fn glu(x: &Array, axis: i32) -> Result<Array> {
    let halves = ops::split(x, 2, axis)?;
    &halves[0] * &halves[1].sigmoid()?
}

/// The binary step: 1 where `x >= threshold`, else 0, as `int32` (Python's default
/// `threshold` is `0.0`).
///
/// Python: `mlx.nn.step`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn step(x: &Array, threshold: f32) -> Result<Array> {
    ops::r#where(&x.ge(threshold)?, &Array::from(1i32), &Array::from(0i32))
}

/// The scaled exponential linear unit `1.0507 * elu(x, 1.67326)`.
///
/// Python: `mlx.nn.selu`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn selu(x: &Array) -> Result<Array> {
    elu(x, 1.67326)? * 1.0507
}

/// The parametric ReLU `max(0, x) + alpha * min(0, x)`, with `alpha` an array
/// (broadcast against `x`).
///
/// Python: `mlx.nn.prelu`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `alpha` does not broadcast against `x`.
pub fn prelu(x: &Array, alpha: &Array) -> Result<Array> {
    let zero = weak_int(0, x)?;
    let positive = ops::maximum(&zero, x)?;
    let negative = ops::minimum(&zero, x)?;
    positive + (alpha * negative)?
}

/// Mish `x * tanh(softplus(x))`.
///
/// Python: `mlx.nn.mish`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn mish(x: &Array) -> Result<Array> {
    x * &softplus(x)?.tanh()?
}

/// Hard swish `x * min(max(x + 3, 0), 6) / 6`.
///
/// Python: `mlx.nn.hardswish`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn hardswish(x: &Array) -> Result<Array> {
    let max_x_3 = (x + 3)?.maximum(0)?;
    (x * &max_x_3.minimum(6)?)? / 6
}

/// Hard tanh `min(max(x, min_val), max_val)` (Python's defaults: `min_val = -1.0`,
/// `max_val = 1.0`).
///
/// Python: `mlx.nn.hard_tanh`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn hard_tanh(x: &Array, min_val: f32, max_val: f32) -> Result<Array> {
    x.maximum(min_val)?.minimum(max_val)
}

/// Hard shrinkage: `x` where `|x| > lambd`, else 0 (Python's default `lambd` is `0.5`).
///
/// Python: `mlx.nn.hard_shrink`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn hard_shrink(x: &Array, lambd: f32) -> Result<Array> {
    ops::r#where(&x.abs()?.gt(lambd)?, x, &weak_int(0, x)?)
}

/// Softmin along `axis`: `softmax(-x)` (Python's default `axis` is `-1`).
///
/// Python: `mlx.nn.softmin`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) for an `axis` out of range.
pub fn softmin(x: &Array, axis: i32) -> Result<Array> {
    ops::softmax_axis(&(-x)?, axis, false)
}

/// The hyperbolic tangent.
///
/// Python: `mlx.nn.tanh`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) if it rejects `x`.
pub fn tanh(x: &Array) -> Result<Array> {
    ops::tanh(x)
}

/// Activation layers without parameters or settings: unit structs whose `forward`
/// applies one function.
macro_rules! plain_layers {
    ($($(#[$m:meta])* $name:ident => $f:ident;)*) => {$(
        $(#[$m])*
        #[doc = concat!("\n\nPython: `mlx.nn.", stringify!($name), "`. `forward` is [`", stringify!($f), "`].")]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Module)]
        pub struct $name;

        impl $name {
            #[doc = concat!("A new `", stringify!($name), "` (Python: `nn.", stringify!($name), "()`).")]
            pub fn new() -> Self {
                $name
            }

            #[doc = concat!("Applies [`", stringify!($f), "`] to `x` (Python's `__call__`).")]
            ///
            /// # Errors
            /// MLX's error ([`Error::Backend`]) if it rejects `x`.
            pub fn forward(&self, x: &Array) -> Result<Array> {
                $f(x)
            }
        }
    )*};
}

plain_layers! {
    /// Applies the logistic sigmoid.
    Sigmoid => sigmoid;
    /// Applies Mish.
    Mish => mish;
    /// Applies the rectified linear unit.
    ReLU => relu;
    /// Applies ReLU².
    ReLU2 => relu2;
    /// Applies ReLU capped at 6.
    ReLU6 => relu6;
    /// Applies softplus.
    Softplus => softplus;
    /// Applies softsign.
    Softsign => softsign;
    /// Applies the sigmoid linear unit (Swish).
    SiLU => silu;
    /// Applies log-sigmoid.
    LogSigmoid => log_sigmoid;
    /// Applies the hyperbolic tangent.
    Tanh => tanh;
    /// Applies hard swish.
    Hardswish => hardswish;
    /// Applies the scaled exponential linear unit.
    #[allow(clippy::upper_case_acronyms, reason = "Python's class name")]
    SELU => selu;
}

/// Softmax over the last axis, `x -> softmax(x, -1)`.
///
/// Python: `mlx.nn.Softmax`. `forward` is [`softmax`] with `axis = -1`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Module)]
pub struct Softmax;

/// Log-softmax over the last axis.
///
/// Python: `mlx.nn.LogSoftmax`. `forward` is [`log_softmax`] with `axis = -1`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Module)]
pub struct LogSoftmax;

/// Softmin over the last axis.
///
/// Python: `mlx.nn.Softmin`. `forward` is [`softmin`] with `axis = -1`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Module)]
pub struct Softmin;

/// Hard tanh with Python's bounds `[-1, 1]`.
///
/// Python: `mlx.nn.HardTanh` (its constructor takes no arguments). `forward` is
/// [`hard_tanh`] with `min_val = -1.0`, `max_val = 1.0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Module)]
pub struct HardTanh;

macro_rules! fixed_layers {
    ($($name:ident => $body:expr;)*) => {$(
        impl $name {
            #[doc = concat!("A new `", stringify!($name), "` (Python: `nn.", stringify!($name), "()`).")]
            pub fn new() -> Self {
                $name
            }

            /// Applies the activation to `x` (Python's `__call__`).
            ///
            /// # Errors
            /// MLX's error ([`Error::Backend`]) if it rejects `x`.
            pub fn forward(&self, x: &Array) -> Result<Array> {
                let f: fn(&Array) -> Result<Array> = $body;
                f(x)
            }
        }
    )*};
}

fixed_layers! {
    Softmax => |x| softmax(x, -1);
    LogSoftmax => |x| log_softmax(x, -1);
    Softmin => |x| softmin(x, -1);
    HardTanh => |x| hard_tanh(x, -1.0, 1.0);
}

/// The leaky rectified linear unit with slope `negative_slope` below zero.
///
/// Python: `mlx.nn.LeakyReLU(negative_slope=1e-2)`. `forward` is [`leaky_relu`].
#[derive(Clone, Copy, Debug, PartialEq, Module)]
pub struct LeakyReLU {
    /// The slope for negative inputs (Python's `negative_slope`, default `0.01`).
    pub negative_slope: f32,
}

impl LeakyReLU {
    /// A leaky ReLU with slope `negative_slope` (Python's default: `0.01`, also
    /// [`LeakyReLU::default`]).
    pub fn new(negative_slope: f32) -> Self {
        LeakyReLU { negative_slope }
    }

    /// Applies [`leaky_relu`] to `x`.
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`]) if it rejects `x`.
    pub fn forward(&self, x: &Array) -> Result<Array> {
        leaky_relu(x, self.negative_slope)
    }
}

impl Default for LeakyReLU {
    fn default() -> Self {
        LeakyReLU::new(0.01)
    }
}

/// Activation layers with one `f32` setting.
macro_rules! scalar_layers {
    ($($(#[$m:meta])* $name:ident($field:ident = $default:expr) => $f:ident, $what:literal;)*) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Module)]
        pub struct $name {
            #[doc = concat!($what, " (Python's `", stringify!($field), "`, default `", stringify!($default), "`).")]
            pub $field: f32,
        }

        impl $name {
            #[doc = concat!("A new `", stringify!($name), "` with this `", stringify!($field),
                "` (Python's default: `", stringify!($default), "`, also [`", stringify!($name), "::default`]).")]
            pub fn new($field: f32) -> Self {
                $name { $field }
            }

            #[doc = concat!("Applies [`", stringify!($f), "`] to `x` (Python's `__call__`).")]
            ///
            /// # Errors
            /// MLX's error ([`Error::Backend`]) if it rejects `x`.
            pub fn forward(&self, x: &Array) -> Result<Array> {
                $f(x, self.$field)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::new($default)
            }
        }
    )*};
}

scalar_layers! {
    /// The exponential linear unit.
    ///
    /// Python: `mlx.nn.ELU(alpha=1.0)`. `forward` is [`elu`].
    #[allow(clippy::upper_case_acronyms, reason = "Python's class name")]
    ELU(alpha = 1.0) => elu, "The scale of the negative part";
    /// The continuously differentiable exponential linear unit.
    ///
    /// Python: `mlx.nn.CELU(alpha=1.0)`. `forward` is [`celu`].
    #[allow(clippy::upper_case_acronyms, reason = "Python's class name")]
    CELU(alpha = 1.0) => celu, "The scale and smoothness of the negative part";
    /// Soft shrinkage.
    ///
    /// Python: `mlx.nn.Softshrink(lambd=0.5)`. `forward` is [`softshrink`].
    Softshrink(lambd = 0.5) => softshrink, "The shrinkage threshold";
    /// Hard shrinkage.
    ///
    /// Python: `mlx.nn.HardShrink(lambd=0.5)`. `forward` is [`hard_shrink`].
    HardShrink(lambd = 0.5) => hard_shrink, "The shrinkage threshold";
    /// The binary step.
    ///
    /// Python: `mlx.nn.Step(threshold=0.0)`. `forward` is [`step`].
    Step(threshold = 0.0) => step, "The threshold at and above which the output is 1";
}

/// The gated linear unit along `axis`.
///
/// Python: `mlx.nn.GLU(axis=-1)`. `forward` is [`glu`].
#[allow(clippy::upper_case_acronyms, reason = "Python's class name")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Module)]
pub struct GLU {
    /// The axis split into halves (Python's `axis`, default `-1`).
    pub axis: i32,
}

impl GLU {
    /// A GLU splitting `axis` (Python's default: `-1`, also [`GLU::default`]).
    pub fn new(axis: i32) -> Self {
        GLU { axis }
    }

    /// Applies [`glu`] to `x`.
    ///
    /// # Errors
    /// As [`glu`].
    pub fn forward(&self, x: &Array) -> Result<Array> {
        glu(x, self.axis)
    }
}

impl Default for GLU {
    fn default() -> Self {
        GLU::new(-1)
    }
}

/// The parametric ReLU, with one learned slope per channel (or one shared slope).
///
/// Python: `mlx.nn.PReLU(num_parameters=1, init=0.25)`; its only parameter is `weight`.
/// `forward` is [`prelu`] with `alpha = weight`.
///
/// ```
/// use mlxrs::{Array, nn::PReLU};
/// let p = PReLU::new(1, 0.25)?;
/// let y = p.forward(&Array::from_slice(&[-4.0f32, 2.0], &[2])?)?;
/// assert_eq!(y.to_vec::<f32>()?, [-1.0, 2.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Clone, Debug, Module)]
pub struct PReLU {
    /// The negative slopes, shape `[num_parameters]`, `float32` (Python's `weight`).
    pub weight: Array,
}

impl PReLU {
    /// A PReLU with `num_parameters` slopes, all `init` (Python's defaults: `1` and
    /// `0.25`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming PReLU when `num_parameters` is negative.
    pub fn new(num_parameters: i32, init: f32) -> Result<Self> {
        if num_parameters < 0 {
            return Err(Error::invalid(
                "num_parameters",
                format!("PReLU needs a non-negative number of parameters, got {num_parameters}"),
            ));
        }
        Ok(PReLU {
            weight: Array::full(&[num_parameters], init)?,
        })
    }

    /// Applies [`prelu`] to `x` with the slopes `weight`.
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`]) when `weight` does not broadcast against `x`.
    pub fn forward(&self, x: &Array) -> Result<Array> {
        prelu(x, &self.weight)
    }
}

/// Which formula [`GELU`] applies (Python's `approx` strings).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum GeluApprox {
    /// The exact [`gelu`] (Python: `"none"`).
    #[default]
    None,
    /// The tanh approximation [`gelu_approx`] (Python: `"precise"`, or its alias `"tanh"`).
    Precise,
    /// The sigmoid approximation [`gelu_fast_approx`] (Python: `"fast"`).
    Fast,
}

impl GeluApprox {
    /// Python's name (`"none"`, `"precise"`, `"fast"`).
    pub fn as_str(self) -> &'static str {
        match self {
            GeluApprox::None => "none",
            GeluApprox::Precise => "precise",
            GeluApprox::Fast => "fast",
        }
    }
}

impl fmt::Display for GeluApprox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GeluApprox {
    type Err = Error;

    /// Python's strings: `"none"`, `"precise"`, `"tanh"` (an alias of `"precise"`),
    /// `"fast"`.
    ///
    /// ```
    /// use mlxrs::nn::GeluApprox;
    /// assert_eq!("tanh".parse::<GeluApprox>()?, GeluApprox::Precise);
    /// assert!("exact".parse::<GeluApprox>().is_err());
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "none" => Ok(GeluApprox::None),
            "precise" | "tanh" => Ok(GeluApprox::Precise),
            "fast" => Ok(GeluApprox::Fast),
            other => Err(Error::invalid(
                "approx",
                format!(
                    "GELU's approximation should be in ['none', 'precise', 'tanh', 'fast'] but '{other}' was given"
                ),
            )),
        }
    }
}

/// The Gaussian error linear unit, exact or approximated.
///
/// Python: `mlx.nn.GELU(approx="none")`. `forward` is [`gelu`], [`gelu_approx`] or
/// [`gelu_fast_approx`] depending on `approx`.
#[allow(clippy::upper_case_acronyms, reason = "Python's class name")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Module)]
pub struct GELU {
    /// Which formula (Python's `approx`, default `"none"`).
    #[module(skip)]
    pub approx: GeluApprox,
}

impl GELU {
    /// A GELU with this approximation (Python's default: [`GeluApprox::None`], also
    /// [`GELU::default`]). Python's strings parse with `"tanh".parse::<GeluApprox>()?`.
    pub fn new(approx: GeluApprox) -> Self {
        GELU { approx }
    }

    /// Applies the chosen formula to `x`.
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`]) if it rejects `x`.
    pub fn forward(&self, x: &Array) -> Result<Array> {
        match self.approx {
            GeluApprox::None => gelu(x),
            GeluApprox::Precise => gelu_approx(x),
            GeluApprox::Fast => gelu_fast_approx(x),
        }
    }
}

/// Every activation layer is a [`UnaryLayer`], so it fits in a
/// [`Sequential`](crate::nn::Sequential).
macro_rules! unary_layers {
    ($($name:ident),*) => {$(
        impl UnaryLayer for $name {
            fn forward(&self, x: &Array) -> Result<Array> {
                $name::forward(self, x)
            }
        }
    )*};
}

unary_layers!(
    Softmax, LogSoftmax, Softmin, HardTanh, LeakyReLU, GLU, PReLU, GELU, Sigmoid, Mish, ReLU,
    ReLU2, ReLU6, Softplus, Softsign, SiLU, LogSigmoid, Tanh, Hardswish, SELU, ELU, CELU,
    Softshrink, HardShrink, Step
);
