//! Initializers: Python MLX's `mlx.nn.init`.
//!
//! As in Python, each function takes the initializer's settings and returns the
//! initializer: a closure that takes an array and returns a new array of the same shape
//! (only the shape of its argument is used). Python's keyword arguments become ordinary
//! arguments in Python's order; their Python defaults are named in each function's
//! docs. The random initializers draw from MLX's global generator (seed it with
//! [`random::seed`]), in the same order as Python, so the same seed
//! gives the same values as Python MLX.
//!
//! | Python `mlx.nn.init` | mlxrs | the initializer |
//! |---|---|---|
//! | `constant(value, dtype=float32)` | [`constant`] | `Fn(&Array)` |
//! | `normal(mean=0.0, std=1.0, dtype=float32)` | [`normal`] | `Fn(&Array)` |
//! | `uniform(low=0.0, high=1.0, dtype=float32)` | [`uniform`] | `Fn(&Array)` |
//! | `identity(dtype=float32)` | [`identity`] | `Fn(&Array)` |
//! | `glorot_normal(dtype=float32)` | [`glorot_normal`] | `Fn(&Array, gain)` (Python's default `gain=1.0`) |
//! | `glorot_uniform(dtype=float32)` | [`glorot_uniform`] | `Fn(&Array, gain)` |
//! | `he_normal(dtype=float32)` | [`he_normal`] | `Fn(&Array, mode, gain)` (defaults `mode="fan_in"`, `gain=1.0`) |
//! | `he_uniform(dtype=float32)` | [`he_uniform`] | `Fn(&Array, mode, gain)` |
//! | `sparse(sparsity, mean=0.0, std=1.0, dtype=float32)` | [`sparse`] | `Fn(&Array)` |
//! | `orthogonal(gain=1.0, dtype=float32)` | [`orthogonal`] | `Fn(&Array)` |
//!
//! ```
//! use mlxrs::{Array, Dtype, nn::init};
//! let w = Array::zeros(&[64, 32], Dtype::Float32)?;
//! let glorot = init::glorot_uniform(Dtype::Float32);
//! let limit = (6.0f32 / (32.0 + 64.0)).sqrt();
//! let v = glorot(&w, 1.0)?;
//! assert_eq!(v.shape(), &[64, 32]);
//! assert!(v.to_vec::<f32>()?.iter().all(|x| x.abs() <= limit));
//! # Ok::<(), mlxrs::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use super::losses::py_shape;
use crate::{Array, Device, Dtype, Error, Result, Stream, linalg, ops, random};

/// An initializer filling the array's shape with `value` as `dtype` (Python's default
/// dtype: `float32`).
///
/// Python: `mlx.nn.init.constant`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, nn::init};
/// let a = init::constant(0.5, Dtype::Float32)(&Array::zeros(&[2, 2], Dtype::Float32)?)?;
/// assert_eq!(a.to_vec::<f32>()?, [0.5; 4]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn constant(value: f32, dtype: Dtype) -> impl Fn(&Array) -> Result<Array> + Clone {
    move |a: &Array| ops::full(a.shape(), &Array::from(value), Some(dtype))
}

/// An initializer drawing from a normal distribution of mean `mean` and standard
/// deviation `std`, as `dtype` (Python's defaults: `0.0`, `1.0`, `float32`).
///
/// Python: `mlx.nn.init.normal`. The initializer fails with MLX's error for a
/// non-floating `dtype`.
pub fn normal(mean: f32, std: f32, dtype: Dtype) -> impl Fn(&Array) -> Result<Array> + Clone {
    move |a: &Array| random::normal(a.shape(), dtype, mean, std, None)
}

/// An initializer drawing uniformly from `[low, high)`, as `dtype` (Python's defaults:
/// `0.0`, `1.0`, `float32`).
///
/// Python: `mlx.nn.init.uniform`. The initializer fails with MLX's error for a
/// non-floating `dtype`.
pub fn uniform(low: f32, high: f32, dtype: Dtype) -> impl Fn(&Array) -> Result<Array> + Clone {
    move |a: &Array| {
        random::uniform(
            &Array::from(low),
            &Array::from(high),
            a.shape(),
            dtype,
            None,
        )
    }
}

/// An initializer returning the identity matrix of the (square) array's size, as
/// `dtype` (Python's default: `float32`).
///
/// Python: `mlx.nn.init.identity`. The initializer fails with
/// [`Error::ShapeMismatch`] (`identity: the input array must be a square matrix but got
/// shape ...`) for an array that is not a square matrix.
pub fn identity(dtype: Dtype) -> impl Fn(&Array) -> Result<Array> + Clone {
    move |a: &Array| match a.shape() {
        &[n, m] if n == m => ops::eye(n, n, 0, dtype),
        shape => Err(Error::ShapeMismatch {
            op: "identity",
            reason: format!(
                "the input array must be a square matrix but got shape {}",
                py_shape(shape)
            ),
        }),
    }
}

/// The `(fan_in, fan_out)` of a weight array, as Python's Glorot and He initializers
/// compute them: `fan_in` is the last dimension and `fan_out` the first, both times the
/// product of the dimensions in between (the receptive field of a convolution).
///
/// Python: `mlx.nn.init._calculate_fan_in_fan_out`.
///
/// # Errors
/// [`Error::ShapeMismatch`] naming `op` for an array of fewer than 2 dimensions; an
/// [`Error::InvalidArgument`] when a fan overflows `i64`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, nn::init::fan_in_fan_out};
/// let conv = Array::zeros(&[8, 3, 3, 4], Dtype::Float32)?; // [out, kh, kw, in]
/// assert_eq!(fan_in_fan_out(&conv, "he_normal")?, (36, 72));
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn fan_in_fan_out(a: &Array, op: &'static str) -> Result<(i64, i64)> {
    let shape = a.shape();
    if shape.len() < 2 {
        return Err(Error::ShapeMismatch {
            op,
            reason: format!(
                "Glorot / He initialization requires at least 2 dimensional input but input with {} dimensions",
                shape.len()
            ),
        });
    }
    let receptive: i64 = shape[1..shape.len() - 1]
        .iter()
        .map(|&d| i64::from(d))
        .product();
    let fan_in = i64::from(shape[shape.len() - 1]).checked_mul(receptive);
    let fan_out = i64::from(shape[0]).checked_mul(receptive);
    match (fan_in, fan_out) {
        (Some(i), Some(o)) => Ok((i, o)),
        _ => Err(Error::invalid(
            "a",
            format!("{op}: the fans of shape {} overflow i64", py_shape(shape)),
        )),
    }
}

/// A Glorot (Xavier) normal initializer: the returned closure takes the array and
/// `gain` (Python's default `1.0`) and draws from a normal distribution of standard
/// deviation `gain * sqrt(2 / (fan_in + fan_out))`, as `dtype` (Python's default:
/// `float32`). See [`fan_in_fan_out`].
///
/// Python: `mlx.nn.init.glorot_normal`. The closure fails with
/// [`Error::ShapeMismatch`] for an array of fewer than 2 dimensions.
pub fn glorot_normal(dtype: Dtype) -> impl Fn(&Array, f32) -> Result<Array> + Clone {
    move |a: &Array, gain: f32| {
        let (fan_in, fan_out) = fan_in_fan_out(a, "glorot_normal")?;
        let std = f64::from(gain) * (2.0 / (fan_in + fan_out) as f64).sqrt();
        random::normal(a.shape(), dtype, 0.0, std as f32, None)
    }
}

/// A Glorot (Xavier) uniform initializer: the returned closure takes the array and
/// `gain` (Python's default `1.0`) and draws uniformly from `[-limit, limit)` with
/// `limit = gain * sqrt(6 / (fan_in + fan_out))`, as `dtype` (Python's default:
/// `float32`). See [`fan_in_fan_out`].
///
/// Python: `mlx.nn.init.glorot_uniform`. The closure fails with
/// [`Error::ShapeMismatch`] for an array of fewer than 2 dimensions.
pub fn glorot_uniform(dtype: Dtype) -> impl Fn(&Array, f32) -> Result<Array> + Clone {
    move |a: &Array, gain: f32| {
        let (fan_in, fan_out) = fan_in_fan_out(a, "glorot_uniform")?;
        let limit = f64::from(gain) * (6.0 / (fan_in + fan_out) as f64).sqrt();
        symmetric_uniform(a, limit, dtype)
    }
}

/// Uniform samples in `[-limit, limit)` of `a`'s shape.
fn symmetric_uniform(a: &Array, limit: f64, dtype: Dtype) -> Result<Array> {
    let limit = limit as f32;
    random::uniform(
        &Array::from(-limit),
        &Array::from(limit),
        a.shape(),
        dtype,
        None,
    )
}

/// Which fan the He initializers scale by (Python's `mode` strings).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FanMode {
    /// The number of inputs (Python: `"fan_in"`, the default).
    #[default]
    FanIn,
    /// The number of outputs (Python: `"fan_out"`).
    FanOut,
}

impl FanMode {
    /// Python's name (`"fan_in"`, `"fan_out"`).
    pub fn as_str(self) -> &'static str {
        match self {
            FanMode::FanIn => "fan_in",
            FanMode::FanOut => "fan_out",
        }
    }
}

impl fmt::Display for FanMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FanMode {
    type Err = Error;

    /// Python's strings `"fan_in"` and `"fan_out"`.
    ///
    /// ```
    /// use mlxrs::nn::init::FanMode;
    /// assert_eq!("fan_out".parse::<FanMode>()?, FanMode::FanOut);
    /// assert!("fan".parse::<FanMode>().is_err());
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "fan_in" => Ok(FanMode::FanIn),
            "fan_out" => Ok(FanMode::FanOut),
            other => Err(Error::invalid(
                "mode",
                format!("invalid mode '{other}', valid modes are: fan_in, fan_out"),
            )),
        }
    }
}

/// The fan `mode` picks.
fn he_fan(a: &Array, mode: FanMode, op: &'static str) -> Result<f64> {
    let (fan_in, fan_out) = fan_in_fan_out(a, op)?;
    Ok(match mode {
        FanMode::FanIn => fan_in,
        FanMode::FanOut => fan_out,
    } as f64)
}

/// A He (Kaiming) normal initializer: the returned closure takes the array, `mode`
/// (Python's default `"fan_in"`, [`FanMode::FanIn`]) and `gain` (default `1.0`), and
/// draws from a normal distribution of standard deviation `gain / sqrt(fan)`, as `dtype`
/// (Python's default: `float32`). See [`fan_in_fan_out`].
///
/// Python: `mlx.nn.init.he_normal`. The closure fails with [`Error::ShapeMismatch`] for
/// an array of fewer than 2 dimensions.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, nn::init::{FanMode, he_normal}};
/// let w = he_normal(Dtype::Float32)(&Array::zeros(&[4, 8], Dtype::Float32)?, FanMode::FanIn, 1.0)?;
/// assert_eq!((w.shape(), w.dtype()), (&[4, 8][..], Dtype::Float32));
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn he_normal(dtype: Dtype) -> impl Fn(&Array, FanMode, f32) -> Result<Array> + Clone {
    move |a: &Array, mode: FanMode, gain: f32| {
        let fan = he_fan(a, mode, "he_normal")?;
        let std = f64::from(gain) / fan.sqrt();
        random::normal(a.shape(), dtype, 0.0, std as f32, None)
    }
}

/// A He (Kaiming) uniform initializer: the returned closure takes the array, `mode`
/// (Python's default `"fan_in"`) and `gain` (default `1.0`), and draws uniformly from
/// `[-limit, limit)` with `limit = gain * sqrt(3 / fan)`, as `dtype` (Python's default:
/// `float32`). See [`fan_in_fan_out`].
///
/// Python: `mlx.nn.init.he_uniform`. The closure fails with [`Error::ShapeMismatch`] for
/// an array of fewer than 2 dimensions.
pub fn he_uniform(dtype: Dtype) -> impl Fn(&Array, FanMode, f32) -> Result<Array> + Clone {
    move |a: &Array, mode: FanMode, gain: f32| {
        let fan = he_fan(a, mode, "he_uniform")?;
        let limit = f64::from(gain) * (3.0 / fan).sqrt();
        symmetric_uniform(a, limit, dtype)
    }
}

/// A sparse initializer: normal samples (mean `mean`, standard deviation `std`, as
/// `dtype`) with `ceil(sparsity * columns)` entries of every row set to zero, chosen at
/// random per row (Python's defaults: `mean = 0.0`, `std = 1.0`, `float32`).
///
/// Python: `mlx.nn.init.sparse`. The initializer fails with [`Error::ShapeMismatch`]
/// (`sparse: only tensors with 2 dimensions are supported`) for an array that is not
/// 2-dimensional, and with [`Error::InvalidArgument`] naming `sparse` when `sparsity` is
/// not in `[0, 1]` (Python does not check, and slices from the end for negative values).
pub fn sparse(
    sparsity: f32,
    mean: f32,
    std: f32,
    dtype: Dtype,
) -> impl Fn(&Array) -> Result<Array> + Clone {
    move |a: &Array| {
        if !(0.0..=1.0).contains(&sparsity) {
            return Err(Error::invalid(
                "sparsity",
                format!("sparse's sparsity must be in [0, 1], got {sparsity}"),
            ));
        }
        let &[rows, cols] = a.shape() else {
            return Err(Error::ShapeMismatch {
                op: "sparse",
                reason: "only tensors with 2 dimensions are supported".into(),
            });
        };
        let num_zeros = (f64::from(sparsity) * f64::from(cols)).ceil() as i32;
        // Python's order of draws: the per-row random keys first, then the values.
        let order = ops::argsort_axis(
            &random::uniform(
                &Array::from(0.0f32),
                &Array::from(1.0f32),
                a.shape(),
                Dtype::Float32,
                None,
            )?,
            1,
        )?;
        let values = random::normal(a.shape(), dtype, mean, std, None)?;
        if num_zeros == 0 || rows == 0 {
            return Ok(values);
        }
        let zeroed = ops::slice(&order, &[0, 0], &[rows, num_zeros], &[1, 1])?;
        let zero = Array::from(0.0f32).astype(values.dtype())?;
        ops::put_along_axis(&values, &zeroed, &zero, 1)
    }
}

/// An orthogonal initializer: the `rows × cols` corner of the orthogonal factor of a
/// random normal square matrix (signs fixed by the diagonal of its QR's `r`), times
/// `gain`, as `dtype` (Python's defaults: `gain = 1.0`, `float32`). The QR runs on the
/// CPU, as in Python.
///
/// Python: `mlx.nn.init.orthogonal`. The initializer fails with
/// [`Error::ShapeMismatch`] (`orthogonal: initialization requires a 2D array but got a
/// 3D array`) for an array that is not 2-dimensional.
pub fn orthogonal(gain: f32, dtype: Dtype) -> impl Fn(&Array) -> Result<Array> + Clone {
    move |a: &Array| {
        let &[rows, cols] = a.shape() else {
            return Err(Error::ShapeMismatch {
                op: "orthogonal",
                reason: format!(
                    "initialization requires a 2D array but got a {}D array",
                    a.ndim()
                ),
            });
        };
        let n = rows.max(cols);
        let rmat = random::normal(&[n, n], Dtype::Float32, 0.0, 1.0, None)?;
        let (q, r) = {
            let cpu = Stream::default_for(&Device::cpu())?;
            let _on_cpu = cpu.scope();
            linalg::qr(&rmat)?
        };
        let q = (q * ops::diag(&r, 0)?.sign()?)?;
        let q = ops::slice(&q, &[0, 0], &[rows, cols], &[1, 1])?;
        (q * gain)?.astype(dtype)
    }
}
