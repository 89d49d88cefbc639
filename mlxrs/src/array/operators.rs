//! `std::ops` operators for arrays.
//!
//! Operators return [`Result<Array>`](crate::Result), since MLX can reject the operands
//! (shapes that do not broadcast, for instance): write `(&a + &b)?`. Each operator has a
//! function twin in [`ops`](crate::ops) (`add`, `subtract`, `multiply`, `divide`,
//! `remainder`, `negative`). Rust scalars (`f32`, `i32`; one float and one integer type,
//! so that literals like `2.0` and `1` need no suffix) combine with arrays as
//! Python's scalars do: they take the array's dtype where it can hold them
//! (`&half_array * 2.0` stays `float16`, `&int_array + 1` stays integer), and a float
//! scalar with an integer array gives `float32`.

use std::ops::{Add, Div, Mul, Neg, Rem, Sub};

use crate::{Array, Dtype, Result, ops};

/// A Rust scalar as an operand of an array operator (Python's "weak" scalars).
pub(crate) trait Scalar: Copy {
    /// The scalar in the dtype an array `like` would give it in Python.
    fn like(self, like: &Array) -> Result<Array>;
}

impl Scalar for f32 {
    fn like(self, like: &Array) -> Result<Array> {
        let s = Array::from(self);
        match like.dtype() {
            d @ (Dtype::Float16 | Dtype::Bfloat16 | Dtype::Float64 | Dtype::Complex64) => {
                s.astype(d)
            }
            _ => Ok(s),
        }
    }
}

impl Scalar for i32 {
    fn like(self, like: &Array) -> Result<Array> {
        let d = like.dtype();
        if d == Dtype::Bool {
            Ok(Array::from(self))
        } else {
            Array::from(self).astype(d)
        }
    }
}

/// The other operand of a binary [`Array`] method such as [`Array::gt`] or
/// [`Array::maximum`]: another array, or a Rust scalar (`f32`, `i32`) taken as Python
/// takes a scalar (it adopts the array's dtype where it can hold the value).
///
/// ```
/// use mlxrs::Array;
/// let a = Array::from_slice(&[1i32, 5, 3], &[3])?;
/// assert_eq!(a.gt(2)?.to_vec::<bool>()?, [false, true, true]);
/// assert_eq!(a.maximum(&Array::from(4i32))?.to_vec::<i32>()?, [4, 5, 4]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub trait Operand: sealed::Sealed {
    /// Calls `f` with the operand as an array, made like `like` for a scalar.
    #[doc(hidden)]
    fn with_array<R>(self, like: &Array, f: impl FnOnce(&Array) -> Result<R>) -> Result<R>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for &crate::Array {}
    impl Sealed for f32 {}
    impl Sealed for i32 {}
}

impl Operand for &Array {
    fn with_array<R>(self, _like: &Array, f: impl FnOnce(&Array) -> Result<R>) -> Result<R> {
        f(self)
    }
}

impl Operand for f32 {
    fn with_array<R>(self, like: &Array, f: impl FnOnce(&Array) -> Result<R>) -> Result<R> {
        f(&self.like(like)?)
    }
}

impl Operand for i32 {
    fn with_array<R>(self, like: &Array, f: impl FnOnce(&Array) -> Result<R>) -> Result<R> {
        f(&self.like(like)?)
    }
}

macro_rules! binary_operator {
    (@scalar $trait:ident, $method:ident, $func:path, $t:ty) => {
        impl $trait<$t> for &Array {
            type Output = Result<Array>;
            fn $method(self, rhs: $t) -> Result<Array> {
                $func(self, &rhs.like(self)?)
            }
        }
        impl $trait<$t> for Array {
            type Output = Result<Array>;
            fn $method(self, rhs: $t) -> Result<Array> {
                $func(&self, &rhs.like(&self)?)
            }
        }
        impl $trait<&Array> for $t {
            type Output = Result<Array>;
            fn $method(self, rhs: &Array) -> Result<Array> {
                $func(&self.like(rhs)?, rhs)
            }
        }
        impl $trait<Array> for $t {
            type Output = Result<Array>;
            fn $method(self, rhs: Array) -> Result<Array> {
                $func(&self.like(&rhs)?, &rhs)
            }
        }
    };
    ($trait:ident, $method:ident, $func:path) => {
        impl $trait<&Array> for &Array {
            type Output = Result<Array>;
            fn $method(self, rhs: &Array) -> Result<Array> {
                $func(self, rhs)
            }
        }
        impl $trait<Array> for &Array {
            type Output = Result<Array>;
            fn $method(self, rhs: Array) -> Result<Array> {
                $func(self, &rhs)
            }
        }
        impl $trait<&Array> for Array {
            type Output = Result<Array>;
            fn $method(self, rhs: &Array) -> Result<Array> {
                $func(&self, rhs)
            }
        }
        impl $trait<Array> for Array {
            type Output = Result<Array>;
            fn $method(self, rhs: Array) -> Result<Array> {
                $func(&self, &rhs)
            }
        }
        binary_operator!(@scalar $trait, $method, $func, f32);
        binary_operator!(@scalar $trait, $method, $func, i32);
    };
}

binary_operator!(Add, add, ops::add);
binary_operator!(Sub, sub, ops::subtract);
binary_operator!(Mul, mul, ops::multiply);
binary_operator!(Div, div, ops::divide);
binary_operator!(Rem, rem, ops::remainder);

impl Neg for &Array {
    type Output = Result<Array>;
    fn neg(self) -> Result<Array> {
        ops::negative(self)
    }
}

impl Neg for Array {
    type Output = Result<Array>;
    fn neg(self) -> Result<Array> {
        ops::negative(&self)
    }
}
