//! [`ndarray`] interop (feature `ndarray`): [`Array`] from any `ndarray` array or view,
//! and back.
//!
//! | direction | call | copies? |
//! |---|---|---|
//! | `ndarray` → mlxrs | [`from_ndarray`] (also `Array::try_from(&a)`) | one copy into MLX's memory (MLX owns its buffers); any layout: strided, sliced, reversed, broadcast views are read in logical order |
//! | mlxrs → `ndarray` | [`to_ndarray`] | one copy, any layout |
//! | mlxrs → `ndarray` view | [`as_ndarray_view`] | none: borrows the evaluated, row-contiguous data of the array |
//!
//! Element types: those both crates have (`bool`, `u8`..`u64`, `i8`..`i64`,
//! [`half::f16`], [`half::bf16`], `f32`, `f64`, [`Complex64`](crate::Complex64)).
//!
//! ```
//! use mlxrs::interop::ndarray::{from_ndarray, to_ndarray};
//! let a = ndarray::arr2(&[[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
//! let x = from_ndarray(&a.t())?;                 // a transposed (strided) view
//! assert_eq!(x.shape(), &[3, 2]);
//! let back = to_ndarray::<f32>(&(&x * 2.0)?)?;
//! assert_eq!(back, ndarray::arr2(&[[2.0f32, 8.0], [4.0, 10.0], [6.0, 12.0]]).into_dyn());
//! # Ok::<(), mlxrs::Error>(())
//! ```

use ndarray::{ArrayBase, ArrayD, ArrayViewD, Data, Dimension, IxDyn};

use crate::{Array, ArrayElement, Error, Result};

/// An [`Array`] holding a copy of `a`'s elements, in `a`'s logical (row-major) order and
/// shape, whatever its memory layout.
///
/// # Errors
/// [`Error::InvalidArgument`] when a dimension does not fit in MLX's `i32`.
pub fn from_ndarray<T, S, D>(a: &ArrayBase<S, D>) -> Result<Array>
where
    T: ArrayElement,
    S: Data<Elem = T>,
    D: Dimension,
{
    let shape = a
        .shape()
        .iter()
        .map(|&d| {
            i32::try_from(d).map_err(|_| {
                Error::invalid(
                    "a",
                    format!("from_ndarray: dimension {d} does not fit in i32"),
                )
            })
        })
        .collect::<Result<Vec<i32>>>()?;
    match a.as_slice() {
        // Standard layout: one contiguous copy.
        Some(data) => Array::from_slice(data, &shape),
        // Any other layout: gather in logical order.
        None => Array::from_vec(a.iter().copied().collect(), &shape),
    }
}

/// A new `ndarray` array with `x`'s shape and elements (evaluating `x`).
///
/// # Errors
/// [`Error::DtypeMismatch`] if `T` is not `x`'s element type; MLX's error if evaluation
/// fails.
pub fn to_ndarray<T: ArrayElement>(x: &Array) -> Result<ArrayD<T>> {
    let shape: Vec<usize> = x.shape().iter().map(|&d| d as usize).collect();
    let data = x.to_vec::<T>()?;
    ArrayD::from_shape_vec(IxDyn(&shape), data)
        .map_err(|e| Error::invalid("x", format!("to_ndarray: {e}")))
}

/// A zero-copy `ndarray` view of `x`'s data, valid while `x` is borrowed (evaluating `x`).
///
/// ```
/// let x = mlxrs::Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3])?;
/// let v = mlxrs::interop::ndarray::as_ndarray_view::<i32>(&x)?;
/// assert_eq!(v[[1, 2]], 6);
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// [`Error::DtypeMismatch`] if `T` is not the element type; [`Error::InvalidArgument`]
/// if the data is not row-contiguous (a transposed or broadcast view: use
/// [`to_ndarray`], or [`ops::contiguous`](crate::ops::contiguous) first).
pub fn as_ndarray_view<T: ArrayElement>(x: &Array) -> Result<ArrayViewD<'_, T>> {
    let shape: Vec<usize> = x.shape().iter().map(|&d| d as usize).collect();
    let data = x.as_slice::<T>()?;
    ArrayViewD::from_shape(IxDyn(&shape), data)
        .map_err(|e| Error::invalid("x", format!("as_ndarray_view: {e}")))
}

impl<T, S, D> TryFrom<&ArrayBase<S, D>> for Array
where
    T: ArrayElement,
    S: Data<Elem = T>,
    D: Dimension,
{
    type Error = Error;

    /// As [`from_ndarray`].
    fn try_from(a: &ArrayBase<S, D>) -> Result<Array> {
        from_ndarray(a)
    }
}
