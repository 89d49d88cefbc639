//! Elementwise logical and bitwise operations.

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
