//! Helpers shared by the test modules.

use mlxrs::{Array, Error, Result};

/// Asserts `|actual - expected| <= atol + rtol * |expected|` elementwise (MLX's
/// `assert_allclose` in python/tests/mlx_tests.py), with the same length.
pub fn assert_allclose(actual: &Array, expected: &[f32], rtol: f32, atol: f32) -> Result<()> {
    let got = actual.to_vec::<f32>()?;
    assert_eq!(
        got.len(),
        expected.len(),
        "length differs: got {got:?}, expected {expected:?}"
    );
    for (i, (&g, &e)) in got.iter().zip(expected).enumerate() {
        assert!(
            (g - e).abs() <= atol + rtol * e.abs(),
            "element {i}: got {g}, expected {e} (all: {got:?})"
        );
    }
    Ok(())
}

/// MLX's message of an `Error::Backend`; panics (failing the test) on `Ok` or on any other
/// variant.
pub fn backend_message<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::Backend(msg)) => msg,
        other => panic!("expected Err(Error::Backend(..)), got {other:?}"),
    }
}

/// The two messages MLX gives for the shape errors used throughout these tests.
pub const MATMUL_MESSAGE: &str = "[matmul] Last dimension of first input with shape (2,3) must \
     match second to last dimension of second input with shape (4,2).";
/// See [`MATMUL_MESSAGE`].
pub const BROADCAST_MESSAGE: &str = "[broadcast_shapes] Shapes (2,3) and (4) cannot be broadcast.";
