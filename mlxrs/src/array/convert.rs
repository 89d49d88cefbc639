//! Conversions from Rust values into arrays.

use crate::{Array, ArrayElement, Complex64};

macro_rules! from_scalar {
    ($($t:ty),*) => {$(
        /// A 0-dimensional array holding the value.
        impl From<$t> for Array {
            fn from(value: $t) -> Array {
                Array::scalar(value)
            }
        }
    )*};
}

from_scalar!(
    bool,
    u8,
    u16,
    u32,
    u64,
    i8,
    i16,
    i32,
    i64,
    f32,
    f64,
    half::f16,
    half::bf16,
    Complex64
);

/// A 1-dimensional array copying the slice.
///
/// # Errors
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when the slice has more than
/// `i32::MAX` elements (MLX's limit for a dimension).
impl<T: ArrayElement> TryFrom<&[T]> for Array {
    type Error = crate::Error;
    fn try_from(data: &[T]) -> crate::Result<Array> {
        Array::from_slice(data, &[data.len()])
    }
}

/// A 1-dimensional array taking the vector's elements.
///
/// # Errors
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when the vector has more than
/// `i32::MAX` elements (MLX's limit for a dimension).
impl<T: ArrayElement> TryFrom<Vec<T>> for Array {
    type Error = crate::Error;
    fn try_from(data: Vec<T>) -> crate::Result<Array> {
        let n = data.len();
        Array::from_vec(data, &[n])
    }
}
