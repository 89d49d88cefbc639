//! Elementwise comparisons (results are `bool` arrays).

use super::{binary, unary};

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
