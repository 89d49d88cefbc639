//! Reductions over all elements, one axis, or several axes.
//!
//! Each reduction comes in three forms, as in mlx-c: `sum(a, keepdims)` over everything,
//! `sum_axis(a, axis, keepdims)`, and `sum_axes(a, &axes, keepdims)`; negative axes count
//! from the end. With `keepdims` the reduced axes stay, with size 1.
//!
//! ```
//! use mlxrs::{Array, ops::{max_axis, mean, sum_axes}};
//! let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
//! assert_eq!(mean(&a, false)?.item::<f32>()?, 2.5);
//! assert_eq!(max_axis(&a, -1, false)?.to_vec::<f32>()?, [2.0, 4.0]);
//! assert_eq!(max_axis(&a, -1, true)?.shape(), &[2, 1]);
//! assert_eq!(sum_axes(&a, &[0, 1], false)?.item::<f32>()?, 10.0);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use crate::ffi::{mlx_call, mlx_op};
use crate::stream::current_raw;
use crate::{Array, Dtype, Result};

macro_rules! reduction {
    ($($(#[$m:meta])* $name:ident, $axis:ident, $axes:ident => $sys:ident, $sys_axis:ident, $sys_axes:ident;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// MLX's error ([`Error::Backend`](crate::Error::Backend)) when MLX cannot reduce
        /// `a`, e.g. `max` or `min` of an empty array.
        pub fn $name(a: &Array, keepdims: bool) -> Result<Array> {
            let mut out = Array::empty();
            super::guards::named(stringify!($name), mlx_call!($sys(out.as_out(), a.as_raw(), keepdims, current_raw()?)))?;
            of_empty(stringify!($name), a, out)
        }

        #[doc = concat!("[`", stringify!($name), "`] along one axis.")]
        ///
        /// # Errors
        /// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of
        #[doc = concat!("range, or as for [`", stringify!($name), "`].")]
        pub fn $axis(a: &Array, axis: i32, keepdims: bool) -> Result<Array> {
            let mut out = Array::empty();
            super::guards::named(stringify!($name), mlx_call!($sys_axis(out.as_out(), a.as_raw(), axis, keepdims, current_raw()?)))?;
            of_empty(stringify!($name), a, out)
        }

        #[doc = concat!("[`", stringify!($name), "`] along several axes.")]
        ///
        /// # Errors
        /// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range
        #[doc = concat!("or given twice, or as for [`", stringify!($name), "`].")]
        pub fn $axes(a: &Array, axes: &[i32], keepdims: bool) -> Result<Array> {
            let mut out = Array::empty();
            super::guards::named(stringify!($name), mlx_call!($sys_axes(out.as_out(), a.as_raw(), axes.as_ptr(), axes.len(), keepdims, current_raw()?)))?;
            of_empty(stringify!($name), a, out)
        }
    )*};
}

/// A reduction of an empty `a`. MLX 0.32.2 computes the gradient of `prod` with
/// cumulative products, which kill the process with SIGFPE on empty inputs (Python MLX
/// too); the product of nothing is 1, a constant, whose gradient is the (empty) zeros.
fn of_empty(name: &str, a: &Array, out: Array) -> Result<Array> {
    if name == "prod" && a.size() == 0 {
        return Array::ones(out.shape(), out.dtype());
    }
    Ok(out)
}

reduction! {
    /// Sum of all elements.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, ops::{sum, sum_axis}};
    /// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    /// assert_eq!(sum(&a, false)?.item::<f32>()?, 10.0);
    /// assert_eq!(sum_axis(&a, 0, false)?.to_vec::<f32>()?, vec![4.0, 6.0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    sum, sum_axis, sum_axes => mlx_sum, mlx_sum_axis, mlx_sum_axes;
    /// Mean of all elements.
    mean, mean_axis, mean_axes => mlx_mean, mlx_mean_axis, mlx_mean_axes;
    /// Product of all elements.
    prod, prod_axis, prod_axes => mlx_prod, mlx_prod_axis, mlx_prod_axes;
    /// Largest element.
    max, max_axis, max_axes => mlx_max, mlx_max_axis, mlx_max_axes;
    /// Smallest element.
    min, min_axis, min_axes => mlx_min, mlx_min_axis, mlx_min_axes;
    /// Whether all elements are true (non-zero).
    all, all_axis, all_axes => mlx_all, mlx_all_axis, mlx_all_axes;
    /// Whether any element is true (non-zero).
    any, any_axis, any_axes => mlx_any, mlx_any_axis, mlx_any_axes;
    /// `log(sum(exp(a)))`, computed stably.
    logsumexp, logsumexp_axis, logsumexp_axes => mlx_logsumexp, mlx_logsumexp_axis, mlx_logsumexp_axes;
    /// Median of all elements.
    median, median_axis, median_axes => mlx_median, mlx_median_axis, mlx_median_axes;
    /// Number of non-zero elements.
    count_nonzero, count_nonzero_axis, count_nonzero_axes => mlx_count_nonzero, mlx_count_nonzero_axis, mlx_count_nonzero_axes;
}

/// Index of the largest element of the flattened array.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an empty `a`.
pub fn argmax(a: &Array, keepdims: bool) -> Result<Array> {
    super::guards::named(
        "argmax",
        mlx_op!(mlx_argmax(a.as_raw(), keepdims, current_raw()?)),
    )
}

/// Indices of the largest elements along `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range, or
/// an empty `a`.
pub fn argmax_axis(a: &Array, axis: i32, keepdims: bool) -> Result<Array> {
    super::guards::named(
        "argmax",
        mlx_op!(mlx_argmax_axis(a.as_raw(), axis, keepdims, current_raw()?)),
    )
}

/// Index of the smallest element of the flattened array.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an empty `a`.
pub fn argmin(a: &Array, keepdims: bool) -> Result<Array> {
    super::guards::named(
        "argmin",
        mlx_op!(mlx_argmin(a.as_raw(), keepdims, current_raw()?)),
    )
}

/// Indices of the smallest elements along `axis`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range, or
/// an empty `a`.
pub fn argmin_axis(a: &Array, axis: i32, keepdims: bool) -> Result<Array> {
    super::guards::named(
        "argmin",
        mlx_op!(mlx_argmin_axis(a.as_raw(), axis, keepdims, current_raw()?)),
    )
}

/// Variance of all elements with `ddof` delta degrees of freedom.
///
/// # Errors
/// Only if MLX reports a failure (an empty `a` gives NaN).
pub fn var(a: &Array, keepdims: bool, ddof: i32) -> Result<Array> {
    super::guards::named(
        "var",
        mlx_op!(mlx_var(a.as_raw(), keepdims, ddof, current_raw()?)),
    )
}

/// Variance along `axes`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range or
/// given twice.
pub fn var_axes(a: &Array, axes: &[i32], keepdims: bool, ddof: i32) -> Result<Array> {
    super::guards::named(
        "var",
        mlx_op!(mlx_var_axes(
            a.as_raw(),
            axes.as_ptr(),
            axes.len(),
            keepdims,
            ddof,
            current_raw()?
        )),
    )
}

/// Standard deviation of all elements with `ddof` delta degrees of freedom.
///
/// # Errors
/// Only if MLX reports a failure (an empty `a` gives NaN).
pub fn std(a: &Array, keepdims: bool, ddof: i32) -> Result<Array> {
    super::guards::named(
        "std",
        mlx_op!(mlx_std(a.as_raw(), keepdims, ddof, current_raw()?)),
    )
}

/// Standard deviation along `axes`.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range or
/// given twice.
pub fn std_axes(a: &Array, axes: &[i32], keepdims: bool, ddof: i32) -> Result<Array> {
    super::guards::named(
        "std",
        mlx_op!(mlx_std_axes(
            a.as_raw(),
            axes.as_ptr(),
            axes.len(),
            keepdims,
            ddof,
            current_raw()?
        )),
    )
}

/// Variance along one axis.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range.
pub fn var_axis(a: &Array, axis: i32, keepdims: bool, ddof: i32) -> Result<Array> {
    super::guards::named(
        "var",
        mlx_op!(mlx_var_axis(
            a.as_raw(),
            axis,
            keepdims,
            ddof,
            current_raw()?
        )),
    )
}

/// Standard deviation along one axis.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an `axis` out of range.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::std_axis};
/// let a = Array::from_slice(&[1.0f32, 3.0, 2.0, 2.0], &[2, 2])?;
/// assert_eq!(std_axis(&a, 1, false, 0)?.to_vec::<f32>()?, [1.0, 0.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn std_axis(a: &Array, axis: i32, keepdims: bool, ddof: i32) -> Result<Array> {
    super::guards::named(
        "std",
        mlx_op!(mlx_std_axis(
            a.as_raw(),
            axis,
            keepdims,
            ddof,
            current_raw()?
        )),
    )
}

/// The number of elements along `axes` (or, when `inverted`, its reciprocal `1 / n`) as
/// a scalar array of `dtype`, computed from the shape when the graph runs; this lets
/// shapeless [`compile`](crate::transforms::compile)d functions depend on sizes (MLX's
/// `mean` uses the inverted form).
///
/// C++: `mlx::core::number_of_elements` (Python has no binding).
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) for an axis out of range.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::number_of_elements};
/// let a = Array::zeros(&[2, 3, 4], Dtype::Float32)?;
/// let n = number_of_elements(&a, &[0, 2], false, Dtype::Int32)?;
/// assert_eq!(n.item::<i32>()?, 8);
/// let inv = number_of_elements(&a, &[0, 2], true, Dtype::Float32)?;
/// assert_eq!(inv.item::<f32>()?, 0.125);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn number_of_elements(a: &Array, axes: &[i32], inverted: bool, dtype: Dtype) -> Result<Array> {
    super::guards::named(
        "number_of_elements",
        mlx_op!(mlx_number_of_elements(
            a.as_raw(),
            axes.as_ptr(),
            axes.len(),
            inverted,
            dtype.to_sys(),
            current_raw()?
        )),
    )
}
