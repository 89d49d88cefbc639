//! Elementwise comparisons (results are `bool` arrays), and whole-array equality tests.
//!
//! ```
//! use mlxrs::{Array, ops::{allclose, less}};
//! let a = Array::from_slice(&[1.0f32, 2.0], &[2])?;
//! let b = Array::from_slice(&[1.0f32, 2.000001], &[2])?;
//! assert_eq!(less(&a, &b)?.to_vec::<bool>()?, [false, true]);
//! assert!(allclose(&a, &b, 1e-5, 1e-8, false)?.item::<bool>()?);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use super::{binary, unary};
use crate::ffi::mlx_op;
use crate::stream::current_raw;
use crate::{Array, Result};

binary! {
    /// `a == b`.
    equal => mlx_equal;
    /// `a != b`.
    not_equal => mlx_not_equal;
    /// `a < b`.
    less => mlx_less;
    /// `a <= b`.
    less_equal => mlx_less_equal;
    /// `a > b`.
    greater => mlx_greater;
    /// `a >= b`.
    greater_equal => mlx_greater_equal;
}

unary! {
    /// Whether each element is NaN.
    isnan => mlx_isnan;
    /// Whether each element is ±infinity.
    isinf => mlx_isinf;
    /// Whether each element is finite.
    isfinite => mlx_isfinite;
    /// Whether each element is +infinity.
    isposinf => mlx_isposinf;
    /// Whether each element is -infinity.
    isneginf => mlx_isneginf;
}

/// Elementwise `|a - b| <= atol + rtol * |b|`, broadcasting; NaNs compare equal when
/// `equal_nan`. Python's defaults are `rtol = 1e-5`, `atol = 1e-8`, `equal_nan = false`.
///
/// Python: `mlx.core.isclose`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `a` and `b` do not
/// broadcast together.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::isclose};
/// let a = Array::from_slice(&[1.0f32, f32::NAN], &[2])?;
/// let b = Array::from_slice(&[1.0f32 + 1e-7, f32::NAN], &[2])?;
/// assert_eq!(isclose(&a, &b, 1e-5, 1e-8, true)?.to_vec::<bool>()?, [true, true]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn isclose(a: &Array, b: &Array, rtol: f64, atol: f64, equal_nan: bool) -> Result<Array> {
    mlx_op!(mlx_isclose(
        a.as_raw(),
        b.as_raw(),
        rtol,
        atol,
        equal_nan,
        current_raw()?
    ))
}

/// Whether [`isclose`] holds for all elements: a scalar `bool` array.
///
/// Python: `mlx.core.allclose`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) when `a` and `b` do not
/// broadcast together.
pub fn allclose(a: &Array, b: &Array, rtol: f64, atol: f64, equal_nan: bool) -> Result<Array> {
    mlx_op!(mlx_allclose(
        a.as_raw(),
        b.as_raw(),
        rtol,
        atol,
        equal_nan,
        current_raw()?
    ))
}

/// Whether `a` and `b` have the same shape and equal elements (dtypes may differ): a
/// scalar `bool` array. NaNs compare equal when `equal_nan`.
///
/// Python: `mlx.core.array_equal`.
///
/// # Errors
/// Only if MLX reports a failure: arrays of different shapes or dtypes compare unequal
/// rather than fail.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::array_equal};
/// let a = Array::from_slice(&[1i32, 2], &[2])?;
/// let b = Array::from_slice(&[1.0f32, 2.0], &[2])?;
/// assert!(array_equal(&a, &b, false)?.item::<bool>()?);
/// assert!(!array_equal(&a, &Array::from_slice(&[1i32, 2], &[1, 2])?, false)?.item::<bool>()?);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn array_equal(a: &Array, b: &Array, equal_nan: bool) -> Result<Array> {
    mlx_op!(mlx_array_equal(
        a.as_raw(),
        b.as_raw(),
        equal_nan,
        current_raw()?
    ))
}
