//! Loss functions: Python MLX's `mlx.nn.losses`.
//!
//! ## The convention
//! Every loss is a function with Python's name. It takes the arrays Python requires,
//! positionally and in Python's order, then one options struct named after it
//! (`cross_entropy` → [`CrossEntropyOptions`]) that holds Python's keyword arguments with
//! Python's names. Each options struct implements [`Default`] with Python's defaults,
//! including the default [`Reduction`], which differs between losses as in Python; set a
//! few fields and take the rest from the default:
//!
//! ```
//! use mlxrs::Array;
//! use mlxrs::nn::losses::{CrossEntropyOptions, Reduction, cross_entropy};
//! let logits = Array::from_slice(&[2.0f32, -1.0, -1.0, 2.0], &[2, 2])?;
//! let targets = Array::from_slice(&[0i32, 1], &[2])?;
//! let per_sample = cross_entropy(&logits, &targets, CrossEntropyOptions::default())?;
//! assert_eq!(per_sample.shape(), &[2]);
//! let mean = cross_entropy(
//!     &logits,
//!     &targets,
//!     CrossEntropyOptions { reduction: Reduction::Mean, ..Default::default() },
//! )?;
//! assert!((mean.item::<f32>()? - 0.048_587_3).abs() < 1e-6);
//! # Ok::<(), mlxrs::Error>(())
//! ```
//!
//! | Python `mlx.nn.losses` | mlxrs | keywords (Python defaults) |
//! |---|---|---|
//! | `cross_entropy(logits, targets, ...)` | [`cross_entropy`] | [`CrossEntropyOptions`]: `weights=None, axis=-1, label_smoothing=0.0, reduction="none"` |
//! | `binary_cross_entropy(inputs, targets, ...)` | [`binary_cross_entropy`] | [`BinaryCrossEntropyOptions`]: `weights=None, with_logits=True, reduction="mean"` |
//! | `l1_loss(predictions, targets, ...)` | [`l1_loss`] | [`L1LossOptions`]: `reduction="mean"` |
//! | `mse_loss(predictions, targets, ...)` | [`mse_loss`] | [`MseLossOptions`]: `reduction="mean"` |
//! | `nll_loss(inputs, targets, ...)` | [`nll_loss`] | [`NllLossOptions`]: `axis=-1, reduction="none"` |
//! | `gaussian_nll_loss(inputs, targets, vars, ...)` | [`gaussian_nll_loss`] | [`GaussianNllLossOptions`]: `full=False, eps=1e-6, reduction="mean"` |
//! | `kl_div_loss(inputs, targets, ...)` | [`kl_div_loss`] | [`KlDivLossOptions`]: `axis=-1, reduction="none"` |
//! | `smooth_l1_loss(predictions, targets, ...)` | [`smooth_l1_loss`] | [`SmoothL1LossOptions`]: `beta=1.0, reduction="mean"` |
//! | `triplet_loss(anchors, positives, negatives, ...)` | [`triplet_loss`] | [`TripletLossOptions`]: `axis=-1, p=2, margin=1.0, eps=1e-6, reduction="none"` |
//! | `hinge_loss(inputs, targets, ...)` | [`hinge_loss`] | [`HingeLossOptions`]: `reduction="none"` |
//! | `huber_loss(inputs, targets, ...)` | [`huber_loss`] | [`HuberLossOptions`]: `delta=1.0, reduction="none"` |
//! | `log_cosh_loss(inputs, targets, ...)` | [`log_cosh_loss`] | [`LogCoshLossOptions`]: `reduction="none"` |
//! | `cosine_similarity_loss(x1, x2, ...)` | [`cosine_similarity_loss`] | [`CosineSimilarityLossOptions`]: `axis=1, eps=1e-8, reduction="none"` |
//! | `margin_ranking_loss(inputs1, inputs2, targets, ...)` | [`margin_ranking_loss`] | [`MarginRankingLossOptions`]: `margin=0.0, reduction="none"` |
//!
//! Python's reduction strings are the enum [`Reduction`] (`"mean"` is
//! [`Reduction::Mean`]; `"mean".parse::<Reduction>()?` parses them, and an unknown
//! string is an `Err`, as Python's `ValueError`).
//!
//! ## Errors
//! Where Python raises `ValueError` (shapes that do not match, weights whose shape is
//! not the loss's, `label_smoothing` outside `[0, 1)`), the loss returns an `Err` whose
//! message starts with the loss's name and says what Python says, e.g.
//! `cross_entropy: targets shape (2, 3) does not match logits shape (2, 3, 4)`. Errors
//! MLX raises while building the graph (shapes that do not broadcast, an axis out of
//! range) come back as [`Error::Backend`] with MLX's message.
//!
//! Python's scalars combine with the arrays as in Python (a `float16` loss stays
//! `float16`), so results and gradients match Python MLX's.

use std::fmt;
use std::str::FromStr;

use super::activations::{weak_float, weak_int};
use crate::{Array, Error, Result, linalg, ops};

/// How a loss reduces its elementwise values (Python's `reduction` strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// No reduction: the loss per element (Python: `"none"`).
    None,
    /// The mean over all elements (Python: `"mean"`).
    Mean,
    /// The sum over all elements (Python: `"sum"`).
    Sum,
}

impl Reduction {
    /// Python's name (`"none"`, `"mean"`, `"sum"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reduction::None => "none",
            Reduction::Mean => "mean",
            Reduction::Sum => "sum",
        }
    }

    /// Applies the reduction to `loss` (Python's `_reduce`).
    ///
    /// # Errors
    /// Not expected in practice: only if MLX reports a failure ([`Error::Backend`]).
    pub fn apply(self, loss: Array) -> Result<Array> {
        match self {
            Reduction::None => Ok(loss),
            Reduction::Mean => ops::mean(&loss, false),
            Reduction::Sum => ops::sum(&loss, false),
        }
    }
}

impl fmt::Display for Reduction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Reduction {
    type Err = Error;

    /// Python's strings `"none"`, `"mean"` and `"sum"`.
    ///
    /// ```
    /// use mlxrs::nn::losses::Reduction;
    /// assert_eq!("sum".parse::<Reduction>()?, Reduction::Sum);
    /// let err = "avg".parse::<Reduction>().unwrap_err();
    /// assert!(err.to_string().contains("must be one of ('none', 'mean', 'sum')"));
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "none" => Ok(Reduction::None),
            "mean" => Ok(Reduction::Mean),
            "sum" => Ok(Reduction::Sum),
            other => Err(Error::invalid(
                "reduction",
                format!("invalid reduction '{other}', must be one of ('none', 'mean', 'sum')"),
            )),
        }
    }
}

/// A shape as Python prints a tuple: `()`, `(3,)`, `(2, 3)`.
pub(crate) fn py_shape(shape: &[i32]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(i32::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// An [`Error::ShapeMismatch`] of the loss `op`.
fn shape_error(op: &'static str, reason: String) -> Error {
    Error::ShapeMismatch { op, reason }
}

/// Fails unless `a` (named `a_name`) and `b` have the same shape (Python's checks).
fn same_shape(
    op: &'static str,
    (a_name, a): (&str, &Array),
    (b_name, b): (&str, &Array),
) -> Result<()> {
    if a.shape() == b.shape() {
        return Ok(());
    }
    Err(shape_error(
        op,
        format!(
            "{a_name} shape {} does not match {b_name} shape {}",
            py_shape(a.shape()),
            py_shape(b.shape())
        ),
    ))
}

/// `loss * weights`, when the shapes agree (Python's weights check).
fn apply_weights(op: &'static str, loss: Array, weights: Option<&Array>) -> Result<Array> {
    let Some(w) = weights else {
        return Ok(loss);
    };
    if w.shape() != loss.shape() {
        return Err(shape_error(
            op,
            format!(
                "weights with shape {} is not the same as output loss with shape {}",
                py_shape(w.shape()),
                py_shape(loss.shape())
            ),
        ));
    }
    loss * w
}

/// Options of [`cross_entropy`] (Python's keyword arguments and defaults).
#[derive(Clone, Copy, Debug)]
pub struct CrossEntropyOptions<'a> {
    /// Weights for each target, of the loss's shape before reduction (default: none).
    pub weights: Option<&'a Array>,
    /// The class axis of `logits` (default `-1`).
    pub axis: i32,
    /// Label smoothing in `[0, 1)` (default `0.0`).
    pub label_smoothing: f32,
    /// The reduction (default [`Reduction::None`]).
    pub reduction: Reduction,
}

impl Default for CrossEntropyOptions<'_> {
    fn default() -> Self {
        CrossEntropyOptions {
            weights: None,
            axis: -1,
            label_smoothing: 0.0,
            reduction: Reduction::None,
        }
    }
}

/// The cross-entropy loss of unnormalized `logits` against `targets`.
///
/// Python: `mlx.nn.losses.cross_entropy`. `targets` are class indices (integers, with the
/// shape of `logits` without `axis`) or probabilities (the shape of `logits`; told apart
/// by their number of dimensions, as in Python). With label smoothing `s` the loss is
/// `logsumexp(z) - (1 - s) * score - s * mean(z)`, with `z` the logits shifted by their
/// (gradient-stopped) maximum.
///
/// # Errors
/// - [`Error::InvalidArgument`] when `label_smoothing` is outside `[0, 1)`, or `axis`
///   is out of range for `logits`;
/// - [`Error::ShapeMismatch`] (`cross_entropy: targets shape ... does not match logits
///   shape ...`) when `targets` fit neither form, or `weights` do not have the loss's
///   shape;
/// - MLX's error ([`Error::Backend`]) when class indices are not integers.
///
/// # Examples
/// ```
/// use mlxrs::Array;
/// use mlxrs::nn::losses::{CrossEntropyOptions, cross_entropy};
/// let logits = Array::from_slice(&[2.0f32, -1.0, -1.0, 2.0], &[2, 2])?;
/// let probs = Array::from_slice(&[0.9f32, 0.1, 0.1, 0.9], &[2, 2])?;
/// let loss = cross_entropy(&logits, &probs, CrossEntropyOptions::default())?;
/// for v in loss.to_vec::<f32>()? {
///     assert!((v - 0.348_587).abs() < 1e-5);
/// }
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn cross_entropy(
    logits: &Array,
    targets: &Array,
    options: CrossEntropyOptions<'_>,
) -> Result<Array> {
    const OP: &str = "cross_entropy";
    let CrossEntropyOptions {
        weights,
        axis,
        label_smoothing,
        reduction,
    } = options;
    if !(0.0..1.0).contains(&label_smoothing) {
        return Err(Error::invalid(
            "label_smoothing",
            format!("cross_entropy's label smoothing must be in [0, 1), got {label_smoothing}"),
        ));
    }
    let ndim = logits.ndim() as i32;
    if axis < -ndim || axis >= ndim {
        return Err(Error::invalid(
            "axis",
            format!(
                "cross_entropy's axis {axis} is out of range for logits with {ndim} dimensions"
            ),
        ));
    }
    let targets_as_probs = targets.ndim() == logits.ndim();
    let mut expected = logits.shape().to_vec();
    if !targets_as_probs {
        expected.remove(axis.rem_euclid(ndim) as usize);
    }
    if targets.shape() != expected.as_slice() {
        return Err(shape_error(
            OP,
            format!(
                "targets shape {} does not match logits shape {}",
                py_shape(targets.shape()),
                py_shape(logits.shape())
            ),
        ));
    }

    let logits = (logits - &ops::stop_gradient(&logits.max_axis(axis, true)?)?)?;
    let score = if targets_as_probs {
        (&logits * targets)?.sum_axis(axis, false)?
    } else {
        let idx = ops::expand_dims(targets, axis)?;
        ops::squeeze_axis(&ops::take_along_axis(&logits, &idx, axis)?, axis)?
    };
    let logsumexp = logits.logsumexp_axis(axis, false)?;
    let loss = if label_smoothing > 0.0 {
        let adjusted_score = ((1.0 - label_smoothing) * score)?;
        let mean_logits = logits.mean_axis(axis, false)?;
        let smoothed_loss = ((-mean_logits)? * label_smoothing)?;
        ((logsumexp - adjusted_score)? + smoothed_loss)?
    } else {
        (logsumexp - score)?
    };
    reduction.apply(apply_weights(OP, loss, weights)?)
}

/// Options of [`binary_cross_entropy`] (Python's keyword arguments and defaults).
#[derive(Clone, Copy, Debug)]
pub struct BinaryCrossEntropyOptions<'a> {
    /// Weights for each element, of the inputs' shape (default: none).
    pub weights: Option<&'a Array>,
    /// Whether `inputs` are logits (default `true`) or probabilities.
    pub with_logits: bool,
    /// The reduction (default [`Reduction::Mean`]).
    pub reduction: Reduction,
}

impl Default for BinaryCrossEntropyOptions<'_> {
    fn default() -> Self {
        BinaryCrossEntropyOptions {
            weights: None,
            with_logits: true,
            reduction: Reduction::Mean,
        }
    }
}

/// The binary cross-entropy loss of `inputs` (logits by default, else probabilities)
/// against binary `targets`.
///
/// Python: `mlx.nn.losses.binary_cross_entropy`. With logits the loss is
/// `logaddexp(0, x) - x * t`; with probabilities `-(t * log(p) + (1 - t) * log(1 - p))`,
/// each log clipped below at `-100`.
///
/// # Errors
/// [`Error::ShapeMismatch`] (`binary_cross_entropy: inputs shape ... does not match
/// targets shape ...`) when `inputs` and `targets` differ in shape, or `weights` do not
/// have their shape.
///
/// # Examples
/// ```
/// use mlxrs::Array;
/// use mlxrs::nn::losses::{BinaryCrossEntropyOptions, binary_cross_entropy};
/// let logits = Array::from_slice(&[0.105361f32, 0.223144, 1.20397, 0.916291], &[4])?;
/// let targets = Array::from_slice(&[0i32, 0, 1, 1], &[4])?;
/// let loss = binary_cross_entropy(&logits, &targets, BinaryCrossEntropyOptions::default())?;
/// assert!((loss.item::<f32>()? - 0.539_245).abs() < 1e-5);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn binary_cross_entropy(
    inputs: &Array,
    targets: &Array,
    options: BinaryCrossEntropyOptions<'_>,
) -> Result<Array> {
    const OP: &str = "binary_cross_entropy";
    same_shape(OP, ("inputs", inputs), ("targets", targets))?;
    let loss = if options.with_logits {
        (ops::logaddexp(&weak_float(0.0, inputs)?, inputs)? - (inputs * targets)?)?
    } else {
        let log_p = clip_below(&inputs.log()?, -100.0)?;
        let log_not_p = clip_below(&(1 - inputs)?.log()?, -100.0)?;
        let kept = (targets * &log_p)?;
        let flipped = ((1 - targets)? * log_not_p)?;
        (-(kept + flipped)?)?
    };
    options
        .reduction
        .apply(apply_weights(OP, loss, options.weights)?)
}

/// `mx.clip(a, a_min=low, a_max=None)` with a Python float bound.
fn clip_below(a: &Array, low: f32) -> Result<Array> {
    ops::clip(a, Some(&weak_float(low, a)?), None)
}

macro_rules! reduction_only {
    ($($(#[$m:meta])* $name:ident($default:ident) for $loss:literal;)*) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name {
            #[doc = concat!("The reduction (default [`Reduction::", stringify!($default), "`]).")]
            pub reduction: Reduction,
        }

        impl Default for $name {
            fn default() -> Self {
                $name { reduction: Reduction::$default }
            }
        }
    )*};
}

reduction_only! {
    /// Options of [`l1_loss`] (Python's keyword arguments and defaults).
    L1LossOptions(Mean) for "l1_loss";
    /// Options of [`mse_loss`] (Python's keyword arguments and defaults).
    MseLossOptions(Mean) for "mse_loss";
    /// Options of [`hinge_loss`] (Python's keyword arguments and defaults).
    HingeLossOptions(None) for "hinge_loss";
    /// Options of [`log_cosh_loss`] (Python's keyword arguments and defaults).
    LogCoshLossOptions(None) for "log_cosh_loss";
}

/// The L1 loss `|predictions - targets|`.
///
/// Python: `mlx.nn.losses.l1_loss`.
///
/// # Errors
/// [`Error::ShapeMismatch`] (`l1_loss: predictions shape ... does not match targets
/// shape ...`) when the shapes differ.
///
/// # Examples
/// ```
/// use mlxrs::Array;
/// use mlxrs::nn::losses::{L1LossOptions, l1_loss};
/// let p = Array::from_slice(&[1.0f32, 2.0], &[2])?;
/// let t = Array::from_slice(&[0.0f32, 4.0], &[2])?;
/// assert_eq!(l1_loss(&p, &t, L1LossOptions::default())?.item::<f32>()?, 1.5);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn l1_loss(predictions: &Array, targets: &Array, options: L1LossOptions) -> Result<Array> {
    same_shape(
        "l1_loss",
        ("predictions", predictions),
        ("targets", targets),
    )?;
    options.reduction.apply((predictions - targets)?.abs()?)
}

/// The mean squared error loss `(predictions - targets)²`.
///
/// Python: `mlx.nn.losses.mse_loss`.
///
/// # Errors
/// [`Error::ShapeMismatch`] (`mse_loss: predictions shape ... does not match targets
/// shape ...`) when the shapes differ.
pub fn mse_loss(predictions: &Array, targets: &Array, options: MseLossOptions) -> Result<Array> {
    same_shape(
        "mse_loss",
        ("predictions", predictions),
        ("targets", targets),
    )?;
    options.reduction.apply((predictions - targets)?.square()?)
}

/// Options of [`nll_loss`] (Python's keyword arguments and defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NllLossOptions {
    /// The distribution axis (default `-1`).
    pub axis: i32,
    /// The reduction (default [`Reduction::None`]).
    pub reduction: Reduction,
}

impl Default for NllLossOptions {
    fn default() -> Self {
        NllLossOptions {
            axis: -1,
            reduction: Reduction::None,
        }
    }
}

/// The negative log likelihood of class indices `targets` under log-probabilities
/// `inputs`: `-inputs[targets]` along `axis`.
///
/// Python: `mlx.nn.losses.nll_loss`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `targets` do not index `inputs` along `axis`
/// (shapes, non-integer indices, an axis out of range).
pub fn nll_loss(inputs: &Array, targets: &Array, options: NllLossOptions) -> Result<Array> {
    let axis = options.axis;
    let picked = ops::take_along_axis(inputs, &ops::expand_dims(targets, axis)?, axis)?;
    options
        .reduction
        .apply(ops::negative(&ops::squeeze_axis(&picked, axis)?)?)
}

/// Options of [`gaussian_nll_loss`] (Python's keyword arguments and defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GaussianNllLossOptions {
    /// Whether to add the constant `0.5 * log(2π)` (default `false`).
    pub full: bool,
    /// The smallest variance used, for stability (default `1e-6`).
    pub eps: f32,
    /// The reduction (default [`Reduction::Mean`]).
    pub reduction: Reduction,
}

impl Default for GaussianNllLossOptions {
    fn default() -> Self {
        GaussianNllLossOptions {
            full: false,
            eps: 1e-6,
            reduction: Reduction::Mean,
        }
    }
}

/// The negative log likelihood of `targets` under Gaussians of means `inputs` and
/// variances `vars`: `0.5 * (log(max(vars, eps)) + (targets - inputs)² / max(vars, eps))`
/// (plus `0.5 * log(2π)` with `full`).
///
/// Python: `mlx.nn.losses.gaussian_nll_loss`.
///
/// # Errors
/// [`Error::ShapeMismatch`] (`gaussian_nll_loss: inputs shape ... does not match targets
/// shape ...`, or `... vars shape ...`) when the three shapes differ.
pub fn gaussian_nll_loss(
    inputs: &Array,
    targets: &Array,
    vars: &Array,
    options: GaussianNllLossOptions,
) -> Result<Array> {
    const OP: &str = "gaussian_nll_loss";
    same_shape(OP, ("inputs", inputs), ("targets", targets))?;
    same_shape(OP, ("inputs", inputs), ("vars", vars))?;
    let vars = vars.maximum(options.eps)?;
    let sq = ((targets - inputs)?.square()? / &vars)?;
    let mut loss = (0.5 * (vars.log()? + sq)?)?;
    if options.full {
        let c = (0.5 * (2.0 * std::f64::consts::PI).ln()) as f32;
        loss = (loss + c)?;
    }
    options.reduction.apply(loss)
}

/// Options of [`kl_div_loss`] (Python's keyword arguments and defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KlDivLossOptions {
    /// The distribution axis (default `-1`).
    pub axis: i32,
    /// The reduction (default [`Reduction::None`]).
    pub reduction: Reduction,
}

impl Default for KlDivLossOptions {
    fn default() -> Self {
        KlDivLossOptions {
            axis: -1,
            reduction: Reduction::None,
        }
    }
}

/// The Kullback-Leibler divergence of log-probabilities `inputs` from log-probabilities
/// `targets`: `sum(exp(targets) * (targets - inputs))` along `axis`.
///
/// Python: `mlx.nn.losses.kl_div_loss`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when the shapes do not broadcast or `axis` is out of
/// range.
pub fn kl_div_loss(inputs: &Array, targets: &Array, options: KlDivLossOptions) -> Result<Array> {
    let terms = (targets.exp()? * (targets - inputs)?)?;
    options
        .reduction
        .apply(terms.sum_axis(options.axis, false)?)
}

/// Options of [`smooth_l1_loss`] (Python's keyword arguments and defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SmoothL1LossOptions {
    /// Where the loss turns from squared to absolute (default `1.0`).
    pub beta: f32,
    /// The reduction (default [`Reduction::Mean`]).
    pub reduction: Reduction,
}

impl Default for SmoothL1LossOptions {
    fn default() -> Self {
        SmoothL1LossOptions {
            beta: 1.0,
            reduction: Reduction::Mean,
        }
    }
}

/// The smooth L1 loss: `0.5 * d² / beta` where `d = |predictions - targets| < beta`,
/// else `d - 0.5 * beta`.
///
/// Python: `mlx.nn.losses.smooth_l1_loss`.
///
/// # Errors
/// [`Error::ShapeMismatch`] (`smooth_l1_loss: predictions shape ... does not match
/// targets shape ...`) when the shapes differ.
pub fn smooth_l1_loss(
    predictions: &Array,
    targets: &Array,
    options: SmoothL1LossOptions,
) -> Result<Array> {
    same_shape(
        "smooth_l1_loss",
        ("predictions", predictions),
        ("targets", targets),
    )?;
    let beta = options.beta;
    let diff = (predictions - targets)?.abs()?;
    let quadratic = ((0.5 * diff.square()?)? / beta)?;
    let linear = (diff.abs()? - 0.5 * beta)?;
    let loss = ops::r#where(&diff.lt(beta)?, &quadratic, &linear)?;
    options.reduction.apply(loss)
}

/// Options of [`triplet_loss`] (Python's keyword arguments and defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TripletLossOptions {
    /// The axis of the embeddings (default `-1`).
    pub axis: i32,
    /// The degree of the distance norm (default `2`).
    pub p: i32,
    /// The margin (default `1.0`).
    pub margin: f32,
    /// Added to the sum of `p`-th powers before the root (default `1e-6`).
    pub eps: f32,
    /// The reduction (default [`Reduction::None`]).
    pub reduction: Reduction,
}

impl Default for TripletLossOptions {
    fn default() -> Self {
        TripletLossOptions {
            axis: -1,
            p: 2,
            margin: 1.0,
            eps: 1e-6,
            reduction: Reduction::None,
        }
    }
}

/// The triplet loss `max(‖a - p‖ - ‖a - n‖ + margin, 0)`, with
/// `‖v‖ = (sum(|v|^p) + eps)^(1/p)` along `axis`.
///
/// Python: `mlx.nn.losses.triplet_loss`.
///
/// # Errors
/// [`Error::InvalidArgument`] when `p` is 0 (Python: `ZeroDivisionError`); MLX's error
/// ([`Error::Backend`]) when the shapes do not broadcast or `axis` is out of range.
pub fn triplet_loss(
    anchors: &Array,
    positives: &Array,
    negatives: &Array,
    options: TripletLossOptions,
) -> Result<Array> {
    let TripletLossOptions {
        axis,
        p,
        margin,
        eps,
        reduction,
    } = options;
    if p == 0 {
        return Err(Error::invalid(
            "p",
            "triplet_loss's norm degree must not be 0 (its distance takes the 1 / p power)",
        ));
    }
    let root = (1.0 / f64::from(p)) as f32;
    let distance = |other: &Array| -> Result<Array> {
        let powered = (anchors - other)?.abs()?.power(p)?;
        (powered.sum_axis(axis, false)? + eps)?.power(root)
    };
    let loss = ((distance(positives)? - distance(negatives)?)? + margin)?.maximum(0)?;
    reduction.apply(loss)
}

/// The hinge loss `max(1 - inputs * targets, 0)`, for targets in `{-1, 1}`.
///
/// Python: `mlx.nn.losses.hinge_loss`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when the shapes do not broadcast.
pub fn hinge_loss(inputs: &Array, targets: &Array, options: HingeLossOptions) -> Result<Array> {
    let loss = (1 - (inputs * targets)?)?.maximum(0)?;
    options.reduction.apply(loss)
}

/// Options of [`huber_loss`] (Python's keyword arguments and defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HuberLossOptions {
    /// Where the loss turns from squared to linear (default `1.0`).
    pub delta: f32,
    /// The reduction (default [`Reduction::None`]).
    pub reduction: Reduction,
}

impl Default for HuberLossOptions {
    fn default() -> Self {
        HuberLossOptions {
            delta: 1.0,
            reduction: Reduction::None,
        }
    }
}

/// The Huber loss: `0.5 * e²` where `|e| <= delta`, else `delta * (|e| - 0.5 * delta)`,
/// for `e = inputs - targets`.
///
/// Python: `mlx.nn.losses.huber_loss`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when the shapes do not broadcast.
pub fn huber_loss(inputs: &Array, targets: &Array, options: HuberLossOptions) -> Result<Array> {
    let delta = options.delta;
    let abs_errors = (inputs - targets)?.abs()?;
    let quadratic = abs_errors.minimum(delta)?;
    let linear = (&abs_errors - &quadratic)?;
    let loss = ((0.5 * quadratic.power(2)?)? + (delta * linear)?)?;
    options.reduction.apply(loss)
}

/// The log-cosh loss `log(cosh(inputs - targets))`, computed as
/// `logaddexp(e, -e) - log(2)`.
///
/// Python: `mlx.nn.losses.log_cosh_loss`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when the shapes do not broadcast.
pub fn log_cosh_loss(
    inputs: &Array,
    targets: &Array,
    options: LogCoshLossOptions,
) -> Result<Array> {
    let errors = (inputs - targets)?;
    let loss = (ops::logaddexp(&errors, &(-&errors)?)? - std::f32::consts::LN_2)?;
    options.reduction.apply(loss)
}

/// Options of [`cosine_similarity_loss`] (Python's keyword arguments and defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CosineSimilarityLossOptions {
    /// The embedding axis (default `1`).
    pub axis: i32,
    /// The smallest denominator, for stability (default `1e-8`).
    pub eps: f32,
    /// The reduction (default [`Reduction::None`]).
    pub reduction: Reduction,
}

impl Default for CosineSimilarityLossOptions {
    fn default() -> Self {
        CosineSimilarityLossOptions {
            axis: 1,
            eps: 1e-8,
            reduction: Reduction::None,
        }
    }
}

/// The cosine similarity `x1 · x2 / max(‖x1‖ ‖x2‖, eps)` along `axis`.
///
/// Python: `mlx.nn.losses.cosine_similarity_loss` (which returns the similarity itself,
/// not one minus it).
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when the shapes do not broadcast or `axis` is out of
/// range.
pub fn cosine_similarity_loss(
    x1: &Array,
    x2: &Array,
    options: CosineSimilarityLossOptions,
) -> Result<Array> {
    let axis = [options.axis];
    let x1_norm = linalg::norm(x1, None, Some(&axis), false)?;
    let x2_norm = linalg::norm(x2, None, Some(&axis), false)?;
    let dot = (x1 * x2)?.sum_axis(options.axis, false)?;
    let loss = (dot / (x1_norm * x2_norm)?.maximum(options.eps)?)?;
    options.reduction.apply(loss)
}

/// Options of [`margin_ranking_loss`] (Python's keyword arguments and defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MarginRankingLossOptions {
    /// The margin by which the scores should be apart (default `0.0`).
    pub margin: f32,
    /// The reduction (default [`Reduction::None`]).
    pub reduction: Reduction,
}

impl Default for MarginRankingLossOptions {
    fn default() -> Self {
        MarginRankingLossOptions {
            margin: 0.0,
            reduction: Reduction::None,
        }
    }
}

/// The margin ranking loss `max(0, -targets * (inputs1 - inputs2) + margin)`, for
/// targets in `{-1, 1}`.
///
/// Python: `mlx.nn.losses.margin_ranking_loss`.
///
/// # Errors
/// [`Error::ShapeMismatch`] (`margin_ranking_loss: the shapes of the arguments do not
/// match ...`) unless the three shapes are equal.
///
/// # Examples
/// ```
/// use mlxrs::Array;
/// use mlxrs::nn::losses::{MarginRankingLossOptions, margin_ranking_loss};
/// let x1 = Array::from_slice(&[-0.573409f32, -0.765166, -0.0638], &[3])?;
/// let x2 = Array::from_slice(&[0.75596f32, 0.225763, 0.256995], &[3])?;
/// let t = Array::from_slice(&[1i32, 1, -1], &[3])?;
/// let loss = margin_ranking_loss(&x1, &x2, &t, MarginRankingLossOptions::default())?;
/// let want = [1.32937f32, 0.990929, 0.0];
/// for (g, w) in loss.to_vec::<f32>()?.iter().zip(want) {
///     assert!((g - w).abs() < 1e-5);
/// }
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn margin_ranking_loss(
    inputs1: &Array,
    inputs2: &Array,
    targets: &Array,
    options: MarginRankingLossOptions,
) -> Result<Array> {
    if inputs1.shape() != inputs2.shape() || inputs1.shape() != targets.shape() {
        return Err(shape_error(
            "margin_ranking_loss",
            format!(
                "the shapes of the arguments do not match. The provided shapes are \
                 inputs1.shape={}, inputs2.shape={}, and targets.shape={}",
                py_shape(inputs1.shape()),
                py_shape(inputs2.shape()),
                py_shape(targets.shape())
            ),
        ));
    }
    let differences = (inputs1 - inputs2)?;
    let loss = (((-targets)? * differences)? + options.margin)?;
    let loss = ops::maximum(&weak_int(0, &loss)?, &loss)?;
    options.reduction.apply(loss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_shapes() {
        assert_eq!(py_shape(&[]), "()");
        assert_eq!(py_shape(&[3]), "(3,)");
        assert_eq!(py_shape(&[2, 3]), "(2, 3)");
    }

    #[test]
    fn reductions_parse_as_in_python() {
        for r in [Reduction::None, Reduction::Mean, Reduction::Sum] {
            assert_eq!(r.as_str().parse::<Reduction>().ok(), Some(r));
        }
        let err = "Mean".parse::<Reduction>().unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid `reduction`: invalid reduction 'Mean', must be one of ('none', 'mean', 'sum')"
        );
    }
}
