//! Elementwise arithmetic and math functions.
//!
//! Binary ops broadcast their operands (NumPy's rules) and promote them to a common
//! dtype. Integer division by zero never crashes: [`floor_divide`], [`remainder`] and
//! [`divmod`] give 0 there.
//!
//! ```
//! use mlxrs::{Array, ops::{add, floor_divide, sqrt, square}};
//! let a = Array::from_slice(&[1.0f32, 4.0, 9.0], &[3])?;
//! assert_eq!(sqrt(&a)?.to_vec::<f32>()?, [1.0, 2.0, 3.0]);
//! assert_eq!(add(&a, &Array::from(1.0f32))?.to_vec::<f32>()?, [2.0, 5.0, 10.0]);
//! assert_eq!(square(&a)?.to_vec::<f32>()?, [1.0, 16.0, 81.0]);
//! let q = floor_divide(&Array::from_slice(&[7i32, 1], &[2])?, &Array::from_slice(&[2i32, 0], &[2])?)?;
//! assert_eq!(q.to_vec::<i32>()?, [3, 0]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use super::{binary, unary};
use crate::ffi::VectorArray;
use crate::ffi::{mlx_call, mlx_op};
use crate::stream::current_raw;
use crate::{Array, Result};

binary! {
    /// `a + b`, broadcasting.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, ops::add};
    /// let c = add(&Array::from_slice(&[1.0f32, 2.0], &[2])?, &Array::from(10.0f32))?;
    /// assert_eq!(c.to_vec::<f32>()?, vec![11.0, 12.0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    add => mlx_add;
    /// `a - b`, broadcasting.
    subtract => mlx_subtract;
    /// `a * b`, broadcasting.
    multiply => mlx_multiply;
    /// `a / b`, broadcasting (true division).
    divide => mlx_divide;
    /// `a ** b`, broadcasting.
    power => mlx_power;
    /// Elementwise maximum.
    maximum => mlx_maximum;
    /// Elementwise minimum.
    minimum => mlx_minimum;
    /// `log(exp(a) + exp(b))`, computed stably.
    logaddexp => mlx_logaddexp;
    /// Quadrant-aware `atan(a / b)`.
    arctan2 => mlx_arctan2;
}

unary! {
    /// `-a`.
    negative => mlx_negative;
    /// `+a` (a copy).
    positive => mlx_positive;
    /// `|a|`.
    abs => mlx_abs;
    /// `a * a`.
    square => mlx_square;
    /// Square root.
    sqrt => mlx_sqrt;
    /// `1 / sqrt(a)`.
    rsqrt => mlx_rsqrt;
    /// `1 / a`.
    reciprocal => mlx_reciprocal;
    /// `e^a`.
    ///
    /// # Examples
    /// ```
    /// let y = mlxrs::ops::exp(&mlxrs::Array::from(0.0f32))?;
    /// assert_eq!(y.item::<f32>()?, 1.0);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    exp => mlx_exp;
    /// `e^a - 1`, accurate near 0.
    expm1 => mlx_expm1;
    /// Natural logarithm.
    log => mlx_log;
    /// Base-2 logarithm.
    log2 => mlx_log2;
    /// Base-10 logarithm.
    log10 => mlx_log10;
    /// `log(1 + a)`, accurate near 0.
    log1p => mlx_log1p;
    /// Sine.
    sin => mlx_sin;
    /// Cosine.
    cos => mlx_cos;
    /// Tangent.
    tan => mlx_tan;
    /// Inverse sine.
    arcsin => mlx_arcsin;
    /// Inverse cosine.
    arccos => mlx_arccos;
    /// Inverse tangent.
    arctan => mlx_arctan;
    /// Hyperbolic sine.
    sinh => mlx_sinh;
    /// Hyperbolic cosine.
    cosh => mlx_cosh;
    /// Hyperbolic tangent.
    tanh => mlx_tanh;
    /// Inverse hyperbolic sine.
    arcsinh => mlx_arcsinh;
    /// Inverse hyperbolic cosine.
    arccosh => mlx_arccosh;
    /// Inverse hyperbolic tangent.
    arctanh => mlx_arctanh;
    /// The logistic function `1 / (1 + e^-a)`.
    sigmoid => mlx_sigmoid;
    /// The Gauss error function.
    erf => mlx_erf;
    /// The inverse of [`erf`].
    erfinv => mlx_erfinv;
    /// Sign (-1, 0 or 1).
    sign => mlx_sign;
    /// Round toward negative infinity.
    floor => mlx_floor;
    /// Round toward positive infinity.
    ceil => mlx_ceil;
    /// Round toward zero.
    trunc => mlx_trunc;
    /// Radians to degrees.
    degrees => mlx_degrees;
    /// Degrees to radians.
    radians => mlx_radians;
    /// Complex conjugate.
    conjugate => mlx_conjugate;
    /// Real part.
    real => mlx_real;
    /// Imaginary part.
    imag => mlx_imag;
    /// The value, with gradients stopped (its gradient is zero).
    stop_gradient => mlx_stop_gradient;
}

/// Softmax over all elements (`precise`: accumulate in float32 for half inputs).
///
/// # Errors
/// Only if MLX reports a failure: MLX accepts an array of any shape.
pub fn softmax(a: &Array, precise: bool) -> Result<Array> {
    mlx_op!(mlx_softmax(a.as_raw(), precise, current_raw()?))
}

/// Softmax along `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range
/// (any axis, for a 0-dimensional `a`).
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::softmax_axis};
/// let p = softmax_axis(&Array::from_slice(&[0.0f32, 0.0], &[1, 2])?, -1, false)?;
/// assert_eq!(p.to_vec::<f32>()?, vec![0.5, 0.5]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn softmax_axis(a: &Array, axis: i32, precise: bool) -> Result<Array> {
    super::guards::named(
        "softmax",
        mlx_op!(mlx_softmax_axis(a.as_raw(), axis, precise, current_raw()?)),
    )
}

/// Softmax along `axes`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range or
/// given twice (any axis, for a 0-dimensional `a`).
pub fn softmax_axes(a: &Array, axes: &[i32], precise: bool) -> Result<Array> {
    super::guards::named(
        "softmax",
        mlx_op!(mlx_softmax_axes(
            a.as_raw(),
            axes.as_ptr(),
            axes.len(),
            precise,
            current_raw()?
        )),
    )
}

/// Clips the values of `a` to `[a_min, a_max]`; either bound may be `None` (not both).
///
/// Python: `mlx.core.clip`. The bounds broadcast against `a`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when both bounds are `None`
/// or the bounds do not broadcast against `a`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::clip};
/// let a = Array::from_slice(&[-2.0f32, 0.5, 3.0], &[3])?;
/// let c = clip(&a, Some(&Array::from(0.0f32)), Some(&Array::from(1.0f32)))?;
/// assert_eq!(c.to_vec::<f32>()?, [0.0, 0.5, 1.0]);
/// let lower_only = clip(&a, Some(&Array::from(0.0f32)), None)?;
/// assert_eq!(lower_only.to_vec::<f32>()?, [0.0, 0.5, 3.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn clip(a: &Array, a_min: Option<&Array>, a_max: Option<&Array>) -> Result<Array> {
    super::guards::named(
        "clip",
        mlx_op!(mlx_clip(
            a.as_raw(),
            crate::ffi::opt_array(a_min),
            crate::ffi::opt_array(a_max),
            current_raw()?
        )),
    )
}

/// Rounds to `decimals` decimal places (half to even; negative `decimals` rounds to
/// tens, hundreds, ...).
///
/// Python: `mlx.core.round`.
///
/// # Errors
/// Only if MLX reports a failure.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::round};
/// let a = Array::from_slice(&[1.25f32, 2.5, -0.5], &[3])?;
/// assert_eq!(round(&a, 0)?.to_vec::<f32>()?, [1.0, 2.0, -0.0]);
/// assert_eq!(round(&a, 1)?.to_vec::<f32>()?, [1.2, 2.5, -0.5]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn round(a: &Array, decimals: i32) -> Result<Array> {
    mlx_op!(mlx_round(a.as_raw(), decimals, current_raw()?))
}

/// Replaces NaN with `nan`, +∞ with `posinf` and -∞ with `neginf` (`None`: the largest
/// and smallest finite values of the dtype).
///
/// Python: `mlx.core.nan_to_num`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a complex `a`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::nan_to_num};
/// let a = Array::from_slice(&[f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1.0], &[4])?;
/// let b = nan_to_num(&a, 0.0, Some(9.0), None)?;
/// assert_eq!(b.to_vec::<f32>()?, [0.0, 9.0, f32::MIN, 1.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn nan_to_num(a: &Array, nan: f32, posinf: Option<f32>, neginf: Option<f32>) -> Result<Array> {
    mlx_op!(mlx_nan_to_num(
        a.as_raw(),
        nan,
        crate::ffi::opt_float(posinf),
        crate::ffi::opt_float(neginf),
        current_raw()?
    ))
}

/// The quotient and remainder of `a / b`: `(floor_divide(a, b), remainder(a, b))`,
/// computed together.
///
/// Python: `mlx.core.divmod`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `a` and `b` do not
/// broadcast together, or either is complex.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::divmod};
/// let (q, r) = divmod(&Array::from_slice(&[7i32, -7], &[2])?, &Array::from(2i32))?;
/// assert_eq!(q.to_vec::<i32>()?, [3, -4]);
/// assert_eq!(r.to_vec::<i32>()?, [1, 1]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn divmod(a: &Array, b: &Array) -> Result<(Array, Array)> {
    if let Some(guard) = IntDivisionGuard::new(a, b)? {
        let (q, r) = divmod_raw(a, &guard.divisor)?;
        return Ok((
            guard.apply(&q, Part::Quotient)?,
            guard.apply(&r, Part::Remainder)?,
        ));
    }
    divmod_raw(a, b)
}

fn divmod_raw(a: &Array, b: &Array) -> Result<(Array, Array)> {
    let mut out = VectorArray::empty();
    mlx_call!(mlx_divmod(
        out.as_out(),
        a.as_raw(),
        b.as_raw(),
        current_raw()?
    ))?;
    let mut parts = out.to_arrays()?.into_iter();
    match (parts.next(), parts.next()) {
        (Some(q), Some(r)) => Ok((q, r)),
        _ => Err(crate::Error::Backend(
            "[divmod] expected two outputs".to_string(),
        )),
    }
}

/// `inputs`, returned unchanged but made to depend on `dependencies`: evaluating an
/// output also evaluates every dependency (and a gradient flows through them).
///
/// Python: `mlx.core.depends`.
///
/// # Errors
/// [`Error::EmptyInput`](crate::Error::EmptyInput) (context "depends: inputs") for no
/// inputs, which MLX itself does not check (it crashes).
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::depends};
/// let x = Array::from(1.0f32);
/// let side = Array::from(2.0f32);
/// let out = depends(&[x], &[side])?;
/// assert_eq!(out.len(), 1);
/// assert_eq!(out[0].item::<f32>()?, 1.0);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn depends(inputs: &[Array], dependencies: &[Array]) -> Result<Vec<Array>> {
    // MLX 0.32.2 dereferences the first input unchecked (a segfault in Python too).
    if inputs.is_empty() {
        return Err(crate::Error::empty_input("depends: inputs"));
    }
    let inputs = VectorArray::from_arrays(inputs)?;
    let deps = VectorArray::from_arrays(dependencies)?;
    let mut out = VectorArray::empty();
    mlx_call!(mlx_depends(out.as_out(), inputs.as_raw(), deps.as_raw()))?;
    out.to_arrays()
}

/// Integer division traps on the CPU (SIGFPE, killing the process, in Python MLX too)
/// for a zero divisor and for `MIN / -1`. For integer operands mlxrs divides by 1 in
/// those places and puts NumPy's results there: 0 for a zero divisor, and for `-1` the
/// wrapping negation as quotient and 0 as remainder; so a safe call never aborts.
struct IntDivisionGuard {
    /// Where the divisor is 0.
    zero: Array,
    /// Where the divisor is -1 (signed divisors only).
    minus_one: Option<Array>,
    /// The divisor with 1 in both places.
    divisor: Array,
}

/// Which result of a division a guard fixes up.
#[derive(Clone, Copy)]
enum Part {
    Quotient,
    Remainder,
}

impl IntDivisionGuard {
    fn new(a: &Array, b: &Array) -> Result<Option<IntDivisionGuard>> {
        let int = |d: crate::Dtype| d.is_integer() || d == crate::Dtype::Bool;
        if !int(a.dtype()) || !int(b.dtype()) {
            return Ok(None);
        }
        let zero = super::equal(b, &Array::zeros_like(b)?)?;
        let signed = matches!(
            b.dtype(),
            crate::Dtype::Int8 | crate::Dtype::Int16 | crate::Dtype::Int32 | crate::Dtype::Int64
        );
        let minus_one = if signed {
            Some(super::equal(b, &Array::from(-1i32).astype(b.dtype())?)?)
        } else {
            None
        };
        let replace = match &minus_one {
            Some(m) => super::logical_or(&zero, m)?,
            None => zero.clone(),
        };
        let divisor = super::r#where(&replace, &Array::ones_like(b)?, b)?;
        Ok(Some(IntDivisionGuard {
            zero,
            minus_one,
            divisor,
        }))
    }

    /// `r`, computed with [`Self::divisor`], fixed up where the divisor was 0 or -1.
    fn apply(&self, r: &Array, part: Part) -> Result<Array> {
        let zeros = Array::zeros_like(r)?;
        let r = match (&self.minus_one, part) {
            // a / 1 = a, so the quotient by -1 is its negation (wrapping for MIN).
            (Some(m), Part::Quotient) => super::r#where(m, &super::negative(r)?, r)?,
            (Some(m), Part::Remainder) => super::r#where(m, &zeros, r)?,
            (None, _) => r.clone(),
        };
        super::r#where(&self.zero, &zeros, &r)
    }
}

fn int_safe(
    a: &Array,
    b: &Array,
    part: Part,
    op: fn(&Array, &Array) -> Result<Array>,
) -> Result<Array> {
    match IntDivisionGuard::new(a, b)? {
        Some(guard) => guard.apply(&op(a, &guard.divisor)?, part),
        None => op(a, b),
    }
}

fn floor_divide_raw(a: &Array, b: &Array) -> Result<Array> {
    mlx_op!(mlx_floor_divide(a.as_raw(), b.as_raw(), current_raw()?))
}

pub(crate) fn remainder_raw(a: &Array, b: &Array) -> Result<Array> {
    mlx_op!(mlx_remainder(a.as_raw(), b.as_raw(), current_raw()?))
}

/// `floor(a / b)`, broadcasting. For integer operands a zero divisor gives 0 (see
/// [`remainder`]), never a crash. Note: MLX 0.32 rounds integer quotients toward zero
/// here (`-7 // 2` is `-3`, as in Python MLX); [`divmod`] floors.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `a` and `b` do not
/// broadcast together, or either is complex.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::floor_divide};
/// let q = floor_divide(&Array::from_slice(&[7i32, 9, 5], &[3])?, &Array::from_slice(&[2i32, 2, 0], &[3])?)?;
/// assert_eq!(q.to_vec::<i32>()?, [3, 4, 0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn floor_divide(a: &Array, b: &Array) -> Result<Array> {
    int_safe(a, b, Part::Quotient, floor_divide_raw)
}

/// `a % b` with the sign of `b` (Python semantics), broadcasting.
///
/// Integer division by zero makes the CPU raise SIGFPE, which kills the process (Python
/// MLX crashes so). For integer operands mlxrs puts 0 where the divisor is 0 (NumPy's
/// result), at the cost of three more elementwise ops; floats follow IEEE (NaN).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `a` and `b` do not
/// broadcast together, or either is complex.
pub fn remainder(a: &Array, b: &Array) -> Result<Array> {
    int_safe(a, b, Part::Remainder, remainder_raw)
}
