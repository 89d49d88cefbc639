//! Elementwise arithmetic and math functions.

use super::{binary, unary};
use crate::error::mlx_call;
use crate::stream::current_raw;
use crate::{Array, Result};

binary! {
    /// `a + b`, broadcasting.
    ///
    /// ```
    /// use mlxrs::{Array, ops::add};
    /// let c = add(&Array::from_slice(&[1.0f32, 2.0], &[2]).unwrap(), &Array::from(10.0f32)).unwrap();
    /// assert_eq!(c.to_vec::<f32>().unwrap(), vec![11.0, 12.0]);
    /// ```
    add => mlx_add;
    /// `a - b`, broadcasting.
    subtract => mlx_subtract;
    /// `a * b`, broadcasting.
    multiply => mlx_multiply;
    /// `a / b`, broadcasting (true division).
    divide => mlx_divide;
    /// `floor(a / b)`, broadcasting.
    floor_divide => mlx_floor_divide;
    /// `a % b` with the sign of `b` (Python semantics).
    remainder => mlx_remainder;
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
    /// ```
    /// let y = mlxrs::ops::exp(&mlxrs::Array::from(0.0f32)).unwrap();
    /// assert_eq!(y.item::<f32>().unwrap(), 1.0);
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
pub fn softmax(a: &Array, precise: bool) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_softmax(
        out.as_out(),
        a.as_raw(),
        precise,
        current_raw()?
    ))?;
    Ok(out)
}

/// Softmax along `axis`.
///
/// ```
/// use mlxrs::{Array, ops::softmax_axis};
/// let p = softmax_axis(&Array::from_slice(&[0.0f32, 0.0], &[1, 2]).unwrap(), -1, false).unwrap();
/// assert_eq!(p.to_vec::<f32>().unwrap(), vec![0.5, 0.5]);
/// ```
pub fn softmax_axis(a: &Array, axis: i32, precise: bool) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_softmax_axis(
        out.as_out(),
        a.as_raw(),
        axis,
        precise,
        current_raw()?
    ))?;
    Ok(out)
}

/// Softmax along `axes`.
pub fn softmax_axes(a: &Array, axes: &[i32], precise: bool) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_softmax_axes(
        out.as_out(),
        a.as_raw(),
        axes.as_ptr(),
        axes.len(),
        precise,
        current_raw()?
    ))?;
    Ok(out)
}
