//! Unit tests of the Rust-side checks in `views.rs` (no MLX calls).

use super::views::check_strided_bounds;

#[test]
fn strided_views_must_stay_inside_the_array() {
    // Sliding windows of 3 over 5 elements reach 0..=4.
    assert!(check_strided_bounds(5, &[3, 3], &[1, 1], 0).is_ok());
    assert!(check_strided_bounds(5, &[3, 3], &[2, 1], 0).is_err());
    // A backwards view starting at the end.
    assert!(check_strided_bounds(5, &[5], &[-1], 4).is_ok());
    assert!(check_strided_bounds(5, &[5], &[-1], 3).is_err());
    // Empty views touch nothing.
    assert!(check_strided_bounds(0, &[0, 7], &[100, 100], 50).is_ok());
    let err = check_strided_bounds(4, &[2], &[1, 1], 0).unwrap_err();
    assert!(err.to_string().starts_with("invalid `strides`"));
}
