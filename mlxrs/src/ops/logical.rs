//! Elementwise logical and bitwise operations.
//!
//! Logical ops take any dtype (zero is false) and return `bool` arrays; bitwise ops and
//! shifts take integer or `bool` arrays and keep the promoted dtype.
//!
//! ```
//! use mlxrs::{Array, ops::{bitwise_xor, left_shift, logical_and, logical_not}};
//! let a = Array::from_slice(&[true, true, false], &[3])?;
//! let b = Array::from_slice(&[true, false, false], &[3])?;
//! assert_eq!(logical_and(&a, &b)?.to_vec::<bool>()?, [true, false, false]);
//! assert_eq!(logical_not(&a)?.to_vec::<bool>()?, [false, false, true]);
//! let x = Array::from_slice(&[0b1100i32, 0b1010], &[2])?;
//! let y = Array::from_slice(&[0b1010i32, 1], &[2])?;
//! assert_eq!(bitwise_xor(&x, &y)?.to_vec::<i32>()?, [0b0110, 0b1011]);
//! assert_eq!(left_shift(&x, &y)?.to_vec::<i32>()?, [12 << 10, 20]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use super::{binary, unary};

binary! {
    /// Logical and.
    logical_and => mlx_logical_and;
    /// Logical or.
    logical_or => mlx_logical_or;
    /// Logical exclusive or.
    logical_xor => mlx_logical_xor;
    /// Bitwise and.
    bitwise_and => mlx_bitwise_and;
    /// Bitwise or.
    bitwise_or => mlx_bitwise_or;
    /// Bitwise exclusive or.
    bitwise_xor => mlx_bitwise_xor;
    /// `a << b`.
    left_shift => mlx_left_shift;
    /// `a >> b`.
    right_shift => mlx_right_shift;
}

unary! {
    /// Logical not.
    logical_not => mlx_logical_not;
    /// Bitwise not.
    bitwise_invert => mlx_bitwise_invert;
}
