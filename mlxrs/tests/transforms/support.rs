//! Helpers shared by the transform tests.

use std::sync::{Mutex, MutexGuard};

use mlxrs::{Array, Error, Result};

/// A function of arrays, as the transforms take and return it.
pub type ArrayFn = dyn Fn(&[Array]) -> Result<Vec<Array>>;

/// The same as a plain function pointer.
pub type PlainFn = fn(&[Array]) -> Result<Vec<Array>>;

/// A 0-dimensional `f32` array.
pub fn scalar(v: f32) -> Array {
    Array::from(v)
}

/// An `f32` array of `shape` holding `data` (row-major).
pub fn arr(data: &[f32], shape: &[i32]) -> Result<Array> {
    Array::from_slice(data, shape)
}

/// A 1-dimensional `f32` array.
pub fn vec1(data: &[f32]) -> Result<Array> {
    Array::from_slice(data, &[data.len() as i32])
}

/// The elements of an `f32` array, row-major.
pub fn values(a: &Array) -> Result<Vec<f32>> {
    a.to_vec::<f32>()
}

/// Asserts `|got - want| <= atol + rtol * |want|` element by element, same length.
#[track_caller]
pub fn assert_close(got: &[f32], want: &[f32], rtol: f32, atol: f32, what: &str) {
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: got {} elements, want {}: {got:?} vs {want:?}",
        got.len(),
        want.len()
    );
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= atol + rtol * w.abs(),
            "{what}: element {i}: got {g}, want {w} (all: {got:?} vs {want:?})"
        );
    }
}

/// Asserts that an array has `shape` and (approximately) the `f32` values `want`.
#[track_caller]
pub fn assert_array(a: &Array, shape: &[i32], want: &[f32], what: &str) {
    assert_eq!(a.shape(), shape, "{what}: shape");
    let got = match values(a) {
        Ok(v) => v,
        Err(e) => panic!("{what}: reading the values failed: {e}"),
    };
    assert_close(&got, want, 1e-5, 1e-5, what);
}

/// The error of a result that must have failed.
#[track_caller]
pub fn expect_err<T>(r: Result<T>, what: &str) -> Error {
    match r {
        Ok(_) => panic!("{what}: expected an error, got Ok"),
        Err(e) => e,
    }
}

/// `enable_compile`/`disable_compile` switch MLX's process-wide compile mode, and
/// compile's trace counts depend on it: every test of this binary that compiles holds
/// this lock, so the tests may run on parallel threads.
static COMPILE_LOCK: Mutex<()> = Mutex::new(());

/// Takes [`COMPILE_LOCK`] (a failed test elsewhere must not poison the others).
pub fn compile_lock() -> MutexGuard<'static, ()> {
    COMPILE_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
