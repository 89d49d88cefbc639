//! Methods on [`Array`] for common ops, as on Python's `mx.array`: `a.sum(false)` is
//! [`ops::sum(&a, false)`](ops::sum), `a.reshape(&[2, 3])` is
//! [`ops::reshape`]. Each method delegates to the free function of the same name in
//! [`crate::ops`] (see there for the details).
//!
//! The comparisons are methods too, returning `bool` arrays: [`Array::eq`],
//! [`Array::ne`], [`Array::lt`], [`Array::le`], [`Array::gt`], [`Array::ge`]. `Array`
//! implements neither `PartialEq` nor `PartialOrd`, so `a.eq(&b)` is always this
//! elementwise comparison.

use crate::{Array, Dtype, Operand, Result, Shape, ops};

/// `fn name(&self) -> Result<Array>` delegating to `ops::name`.
macro_rules! unary_methods {
    ($($name:ident: $doc:literal;)*) => {$(
        #[doc = concat!($doc, " See [`ops::", stringify!($name), "`].")]
        ///
        /// # Errors
        #[doc = concat!(
            "MLX's error ([`Error::Backend`](crate::Error::Backend)) if [`ops::",
            stringify!($name),
            "`] rejects the input."
        )]
        pub fn $name(&self) -> Result<Array> {
            ops::$name(self)
        }
    )*};
}

/// `fn name(&self, other: impl Operand) -> Result<Array>` delegating to `ops::$op`.
macro_rules! binary_methods {
    ($($name:ident => $op:ident: $doc:literal;)*) => {$(
        #[doc = concat!($doc, " `other` is an array or a Rust scalar ([`Operand`]). See [`ops::", stringify!($op), "`].")]
        ///
        /// # Errors
        #[doc = concat!(
            "MLX's error ([`Error::Backend`](crate::Error::Backend)) if [`ops::",
            stringify!($op),
            "`] rejects the operands (e.g. shapes that do not fit together)."
        )]
        pub fn $name(&self, other: impl Operand) -> Result<Array> {
            other.with_array(self, |o| ops::$op(self, o))
        }
    )*};
}

/// The three forms of a reduction.
macro_rules! reduction_methods {
    ($($name:ident, $axis:ident, $axes:ident: $doc:literal;)*) => {$(
        #[doc = concat!($doc, " over all elements. See [`ops::", stringify!($name), "`].")]
        ///
        /// # Errors
        #[doc = concat!(
            "MLX's error ([`Error::Backend`](crate::Error::Backend)) if [`ops::",
            stringify!($name),
            "`] rejects the input."
        )]
        pub fn $name(&self, keepdims: bool) -> Result<Array> {
            ops::$name(self, keepdims)
        }

        #[doc = concat!($doc, " along `axis`. See [`ops::", stringify!($axis), "`].")]
        ///
        /// # Errors
        /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `axis` is out of bounds.
        pub fn $axis(&self, axis: i32, keepdims: bool) -> Result<Array> {
            ops::$axis(self, axis, keepdims)
        }

        #[doc = concat!($doc, " along `axes`. See [`ops::", stringify!($axes), "`].")]
        ///
        /// # Errors
        /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if an axis is out of bounds
        /// or repeated.
        pub fn $axes(&self, axes: &[i32], keepdims: bool) -> Result<Array> {
            ops::$axes(self, axes, keepdims)
        }
    )*};
}

/// Elementwise math, reductions, shape changes, sorting, indexing and comparisons as
/// methods.
///
/// ```
/// use mlxrs::{Array, Dtype};
/// let a = Array::arange(0.0, 6.0, 1.0, Dtype::Float32)?.reshape(&[2, 3])?;
/// assert_eq!(a.sum(false)?.item::<f32>()?, 15.0);
/// assert_eq!(a.sum_axes(&[1], false)?.to_vec::<f32>()?, [3.0, 12.0]);
/// assert_eq!(a.t()?.shape(), &[3, 2]);
/// assert_eq!(a.matmul(&a.t()?)?.to_vec::<f32>()?, [5.0, 14.0, 14.0, 50.0]);
/// assert_eq!(a.max_axis(0, false)?.to_vec::<f32>()?, [3.0, 4.0, 5.0]);
/// assert_eq!(a.gt(&Array::from(2.0f32))?.sum(false)?.item::<i32>()?, 3);
/// assert_eq!(a.flatten()?.exp()?.log()?.shape(), &[6]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
impl Array {
    unary_methods! {
        abs: "Elementwise `|a|`.";
        exp: "Elementwise `e^a`.";
        expm1: "Elementwise `e^a - 1`.";
        log: "Elementwise natural logarithm.";
        log2: "Elementwise base-2 logarithm.";
        log10: "Elementwise base-10 logarithm.";
        log1p: "Elementwise `log(1 + a)`.";
        sqrt: "Elementwise square root.";
        rsqrt: "Elementwise `1 / sqrt(a)`.";
        square: "Elementwise `a * a`.";
        reciprocal: "Elementwise `1 / a`.";
        sin: "Elementwise sine.";
        cos: "Elementwise cosine.";
        tanh: "Elementwise hyperbolic tangent.";
        sigmoid: "Elementwise logistic function.";
        floor: "Elementwise floor.";
        ceil: "Elementwise ceiling.";
        sign: "Elementwise sign.";
        negative: "Elementwise `-a`.";
        conjugate: "Elementwise complex conjugate.";
        isnan: "Whether each element is NaN.";
        squeeze: "Removes all axes of size 1.";
        stop_gradient: "The value with gradients stopped.";
    }

    /// Elementwise complex conjugate (Python's `a.conj()`). See [`ops::conjugate`].
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn conj(&self) -> Result<Array> {
        ops::conjugate(self)
    }

    binary_methods! {
        matmul => matmul: "Matrix product `self @ other`.";
        power => power: "Elementwise `self ** other`.";
        maximum => maximum: "Elementwise maximum.";
        minimum => minimum: "Elementwise minimum.";
        eq => equal: "Elementwise `self == other` (a `bool` array).";
        ne => not_equal: "Elementwise `self != other` (a `bool` array).";
        lt => less: "Elementwise `self < other` (a `bool` array).";
        le => less_equal: "Elementwise `self <= other` (a `bool` array).";
        gt => greater: "Elementwise `self > other` (a `bool` array).";
        ge => greater_equal: "Elementwise `self >= other` (a `bool` array).";
    }

    reduction_methods! {
        sum, sum_axis, sum_axes: "Sum";
        mean, mean_axis, mean_axes: "Mean";
        prod, prod_axis, prod_axes: "Product";
        max, max_axis, max_axes: "Maximum";
        min, min_axis, min_axes: "Minimum";
        all, all_axis, all_axes: "Whether all elements are true";
        any, any_axis, any_axes: "Whether any element is true";
        logsumexp, logsumexp_axis, logsumexp_axes: "`log(sum(exp(a)))`";
    }

    /// Variance of all elements with `ddof` delta degrees of freedom. See [`ops::var`].
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn var(&self, keepdims: bool, ddof: i32) -> Result<Array> {
        ops::var(self, keepdims, ddof)
    }

    /// Variance along `axis`. See [`ops::var_axis`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `axis` is out of bounds.
    pub fn var_axis(&self, axis: i32, keepdims: bool, ddof: i32) -> Result<Array> {
        ops::var_axis(self, axis, keepdims, ddof)
    }

    /// Variance along `axes`. See [`ops::var_axes`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if an axis is out of bounds or
    /// repeated.
    pub fn var_axes(&self, axes: &[i32], keepdims: bool, ddof: i32) -> Result<Array> {
        ops::var_axes(self, axes, keepdims, ddof)
    }

    /// Standard deviation of all elements. See [`ops::std`].
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn std(&self, keepdims: bool, ddof: i32) -> Result<Array> {
        ops::std(self, keepdims, ddof)
    }

    /// Standard deviation along `axis`. See [`ops::std_axis`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `axis` is out of bounds.
    pub fn std_axis(&self, axis: i32, keepdims: bool, ddof: i32) -> Result<Array> {
        ops::std_axis(self, axis, keepdims, ddof)
    }

    /// Standard deviation along `axes`. See [`ops::std_axes`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if an axis is out of bounds or
    /// repeated.
    pub fn std_axes(&self, axes: &[i32], keepdims: bool, ddof: i32) -> Result<Array> {
        ops::std_axes(self, axes, keepdims, ddof)
    }

    /// Index of the largest element of the flattened array. See [`ops::argmax`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if the array is empty.
    pub fn argmax(&self, keepdims: bool) -> Result<Array> {
        ops::argmax(self, keepdims)
    }

    /// Indices of the largest elements along `axis`. See [`ops::argmax_axis`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if the array is empty or
    /// `axis` is out of bounds.
    pub fn argmax_axis(&self, axis: i32, keepdims: bool) -> Result<Array> {
        ops::argmax_axis(self, axis, keepdims)
    }

    /// Index of the smallest element of the flattened array. See [`ops::argmin`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if the array is empty.
    pub fn argmin(&self, keepdims: bool) -> Result<Array> {
        ops::argmin(self, keepdims)
    }

    /// Indices of the smallest elements along `axis`. See [`ops::argmin_axis`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if the array is empty or
    /// `axis` is out of bounds.
    pub fn argmin_axis(&self, axis: i32, keepdims: bool) -> Result<Array> {
        ops::argmin_axis(self, axis, keepdims)
    }

    /// The same data with a new shape (one dimension may be `-1`). See
    /// [`ops::reshape`].
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize` dimension
    /// does not fit in `i32`; MLX's error ([`Error::Backend`](crate::Error::Backend)) when
    /// `shape` does not hold the array's number of elements or has more than one `-1`.
    pub fn reshape(&self, shape: impl Shape) -> Result<Array> {
        ops::reshape(self, shape)
    }

    /// All axes flattened into one (Python's `a.flatten()`). See [`ops::flatten`] for
    /// a range of axes.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn flatten(&self) -> Result<Array> {
        ops::flatten(self, 0, -1)
    }

    /// Removes the given axes of size 1. See [`ops::squeeze_axes`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if an axis is out of bounds,
    /// repeated, or not of size 1.
    pub fn squeeze_axes(&self, axes: &[i32]) -> Result<Array> {
        ops::squeeze_axes(self, axes)
    }

    /// Inserts an axis of size 1 at `axis`. See [`ops::expand_dims`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `axis` is out of bounds
    /// for the result (which has one more dimension).
    pub fn expand_dims(&self, axis: i32) -> Result<Array> {
        ops::expand_dims(self, axis)
    }

    /// Reverses the axes. See [`ops::transpose`].
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn transpose(&self) -> Result<Array> {
        ops::transpose(self)
    }

    /// Permutes the axes. See [`ops::transpose_axes`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) unless `axes` names every
    /// axis exactly once.
    pub fn transpose_axes(&self, axes: &[i32]) -> Result<Array> {
        ops::transpose_axes(self, axes)
    }

    /// The matrix transpose: the last two axes swapped (batch axes stay). An array with
    /// fewer than two axes is returned as is. (Python's `a.T` reverses *all* axes: that
    /// is [`Array::transpose`].)
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn t(&self) -> Result<Array> {
        if self.ndim() < 2 {
            Ok(self.clone())
        } else {
            ops::swapaxes(self, -2, -1)
        }
    }

    /// Swaps two axes. See [`ops::swapaxes`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if either axis is out of
    /// bounds.
    pub fn swapaxes(&self, axis1: i32, axis2: i32) -> Result<Array> {
        ops::swapaxes(self, axis1, axis2)
    }

    /// Moves axis `source` to `destination`. See [`ops::moveaxis`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if either axis is out of
    /// bounds.
    pub fn moveaxis(&self, source: i32, destination: i32) -> Result<Array> {
        ops::moveaxis(self, source, destination)
    }

    /// Broadcasts to `shape`. See [`ops::broadcast_to`].
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize` dimension
    /// does not fit in `i32`; MLX's error ([`Error::Backend`](crate::Error::Backend)) if
    /// `shape` has a negative dimension or the array does not broadcast to it.
    pub fn broadcast_to(&self, shape: impl Shape) -> Result<Array> {
        ops::broadcast_to(self, shape)
    }

    /// Splits into `num_splits` equal parts along `axis`. See [`ops::split`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `axis` is out of bounds,
    /// `num_splits` is not positive, or it does not divide the size of `axis`.
    pub fn split(&self, num_splits: i32, axis: i32) -> Result<Vec<Array>> {
        ops::split(self, num_splits, axis)
    }

    /// Diagonal `k` of a matrix, or a diagonal matrix from a vector. See [`ops::diag`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) unless the array is 1-D or
    /// 2-D.
    pub fn diag(&self, k: i32) -> Result<Array> {
        ops::diag(self, k)
    }

    /// Diagonal `offset` of the matrices formed by `axis1` and `axis2`. See
    /// [`ops::diagonal`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if the array has fewer than
    /// two dimensions, or `axis1` and `axis2` are out of bounds or the same axis.
    pub fn diagonal(&self, offset: i32, axis1: i32, axis2: i32) -> Result<Array> {
        ops::diagonal(self, offset, axis1, axis2)
    }

    /// The bytes reinterpreted as `dtype`. See [`ops::view`].
    ///
    /// # Errors
    /// As for [`ops::view`]: [`Error::InvalidArgument`](crate::Error::InvalidArgument) for
    /// a view as [`Dtype::Bool`] of a non-`bool` array; MLX's error
    /// ([`Error::Backend`](crate::Error::Backend)) when the size in bytes of the last axis
    /// is not a multiple of the new element size, or for a 0-dimensional array and a
    /// `dtype` of another size.
    pub fn view(&self, dtype: Dtype) -> Result<Array> {
        ops::view(self, dtype)
    }

    /// Rounds to `decimals` decimal places. See [`ops::round`].
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn round(&self, decimals: i32) -> Result<Array> {
        ops::round(self, decimals)
    }

    /// Sorted along the last axis (Python's default `axis=-1`). See [`ops::sort`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a 0-dimensional array.
    pub fn sort(&self) -> Result<Array> {
        ops::sort(self)
    }

    /// The flattened array, sorted (Python's `axis=None`). See [`ops::sort_flat`].
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn sort_flat(&self) -> Result<Array> {
        ops::sort_flat(self)
    }

    /// Sorted along `axis` (Python's default is `-1`). See [`ops::sort_axis`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `axis` is out of bounds.
    pub fn sort_axis(&self, axis: i32) -> Result<Array> {
        ops::sort_axis(self, axis)
    }

    /// Indices that sort along the last axis (Python's default `axis=-1`). See
    /// [`ops::argsort`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a 0-dimensional array.
    pub fn argsort(&self) -> Result<Array> {
        ops::argsort(self)
    }

    /// Indices that sort the flattened array (Python's `axis=None`). See
    /// [`ops::argsort_flat`].
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn argsort_flat(&self) -> Result<Array> {
        ops::argsort_flat(self)
    }

    /// Indices that sort along `axis`. See [`ops::argsort_axis`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `axis` is out of bounds.
    pub fn argsort_axis(&self, axis: i32) -> Result<Array> {
        ops::argsort_axis(self, axis)
    }

    /// Elements of the flattened array at `indices`. See [`ops::take`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `indices` is not of an
    /// integer type, or is non-empty while the array is empty. Positions are not
    /// bounds-checked.
    pub fn take(&self, indices: &Array) -> Result<Array> {
        ops::take(self, indices)
    }

    /// Slices along `axis` at `indices`. See [`ops::take_axis`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `axis` is out of bounds,
    /// `indices` is not of an integer type, or `indices` is non-empty while the axis has
    /// size 0. Positions are not bounds-checked.
    pub fn take_axis(&self, indices: &Array, axis: i32) -> Result<Array> {
        ops::take_axis(self, indices, axis)
    }

    /// Cumulative sum along `axis`, or of the flattened array for `None`. See
    /// [`ops::cumsum`] and [`ops::cumsum_axis`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `axis` is out of bounds.
    pub fn cumsum(&self, axis: Option<i32>, reverse: bool, inclusive: bool) -> Result<Array> {
        match axis {
            Some(axis) => ops::cumsum_axis(self, axis, reverse, inclusive, None),
            None => ops::cumsum(self, reverse, inclusive, None),
        }
    }

    /// Cumulative product along `axis`, or of the flattened array for `None`. See
    /// [`ops::cumprod`] and [`ops::cumprod_axis`].
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if `axis` is out of bounds.
    pub fn cumprod(&self, axis: Option<i32>, reverse: bool, inclusive: bool) -> Result<Array> {
        match axis {
            Some(axis) => ops::cumprod_axis(self, axis, reverse, inclusive, None),
            None => ops::cumprod(self, reverse, inclusive, None),
        }
    }
}
