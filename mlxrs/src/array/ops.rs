//! `std::ops` operators for arrays.
//!
//! Operators return [`Result<Array>`](crate::Result), since MLX can reject the operands
//! (shapes that do not broadcast, for instance): write `(&a + &b)?`. Each operator has a
//! function twin in [`ops`](crate::ops) (`add`, `subtract`, `multiply`, `divide`,
//! `remainder`, `negative`). A Rust float scalar takes the array's floating dtype
//! (`&half_array * 2.0` stays `float16`), as Python's scalars do.

use std::ops::{Add, Div, Mul, Neg, Rem, Sub};

use crate::{Array, Dtype, Result, ops};

/// A scalar operand in the dtype an array would give it in Python.
pub(crate) fn scalar_like(like: &Array, value: f32) -> Result<Array> {
    let s = Array::from(value);
    match like.dtype() {
        d @ (Dtype::Float16 | Dtype::Bfloat16 | Dtype::Float64) => s.astype(d),
        _ => Ok(s),
    }
}

macro_rules! binary_operator {
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
        impl $trait<f32> for &Array {
            type Output = Result<Array>;
            fn $method(self, rhs: f32) -> Result<Array> {
                $func(self, &scalar_like(self, rhs)?)
            }
        }
        impl $trait<f32> for Array {
            type Output = Result<Array>;
            fn $method(self, rhs: f32) -> Result<Array> {
                $func(&self, &scalar_like(&self, rhs)?)
            }
        }
        impl $trait<&Array> for f32 {
            type Output = Result<Array>;
            fn $method(self, rhs: &Array) -> Result<Array> {
                $func(&scalar_like(rhs, self)?, rhs)
            }
        }
        impl $trait<Array> for f32 {
            type Output = Result<Array>;
            fn $method(self, rhs: Array) -> Result<Array> {
                $func(&scalar_like(&rhs, self)?, &rhs)
            }
        }
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
