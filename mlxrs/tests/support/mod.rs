//! The helpers of every test binary (`it`, `io`, `transforms`), written once; each
//! binary's `main.rs` includes this file as its `support` module.

#![allow(
    dead_code,
    reason = "each test binary uses a part of the shared helpers"
)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use mlxrs::{Array, Complex64, Error, Result};

/// Asserts `|actual - expected| <= atol + rtol * |expected|` elementwise (MLX's
/// `assert_allclose` in python/tests/mlx_tests.py), with the same length.
#[track_caller]
pub fn assert_allclose(actual: &Array, expected: &[f32], rtol: f32, atol: f32) -> Result<()> {
    assert_close(&actual.to_vec::<f32>()?, expected, rtol, atol, "array");
    Ok(())
}

/// As [`assert_allclose`], on plain slices; `what` names the value in the message.
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

/// Asserts a complex array equals `expected` (re, im) pairs within `atol`.
pub fn assert_complex(actual: &Array, expected: &[(f32, f32)], atol: f32) -> Result<()> {
    let got = actual.to_vec::<Complex64>()?;
    assert_eq!(got.len(), expected.len(), "got {got:?}");
    for (i, (g, &(re, im))) in got.iter().zip(expected).enumerate() {
        assert!(
            (g.re - re).abs() <= atol && (g.im - im).abs() <= atol,
            "element {i}: got {g:?}, expected ({re}, {im}) (all: {got:?})"
        );
    }
    Ok(())
}

/// MLX's message of an `Error::Backend`; panics (failing the test) on `Ok` or on any other
/// variant.
#[track_caller]
pub fn backend_message<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::Backend(msg)) => msg,
        other => panic!("expected Err(Error::Backend(..)), got {other:?}"),
    }
}

/// The error of a result that must have failed.
#[track_caller]
pub fn expect_err<T>(r: Result<T>, what: &str) -> Error {
    match r {
        Ok(_) => panic!("{what}: expected an error, got Ok"),
        Err(e) => e,
    }
}

/// The two messages MLX gives for the shape errors used throughout these tests.
pub const MATMUL_MESSAGE: &str = "[matmul] Last dimension of first input with shape (2,3) must \
     match second to last dimension of second input with shape (4,2).";
/// See [`MATMUL_MESSAGE`].
pub const BROADCAST_MESSAGE: &str = "[broadcast_shapes] Shapes (2,3) and (4) cannot be broadcast.";

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

/// `enable_compile`/`disable_compile` switch MLX's process-wide compile mode, and
/// compile's trace counts depend on it: every test of a binary that compiles holds this
/// lock, so the tests may run on parallel threads.
static COMPILE_LOCK: Mutex<()> = Mutex::new(());

/// Takes [`COMPILE_LOCK`] (a failed test elsewhere must not poison the others).
pub fn compile_lock() -> MutexGuard<'static, ()> {
    COMPILE_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("mlxrs-tests-{}-{tag}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether this process computes on the GPU by default (the GPU run sets
/// `MLXRS_DEFAULT_DEVICE=gpu`, docs/GPU.md).
pub fn default_is_gpu() -> bool {
    mlxrs::Device::default_device()
        .and_then(|d| d.device_type())
        .is_ok_and(|t| t == mlxrs::DeviceType::Gpu)
}

/// In the GPU run, a test that needs what MLX's GPU backends lack (float64, or an op MLX
/// runs only on the CPU) calls this first: on a GPU default device it appends the test's
/// name and `why` to the file `MLXRS_SKIP_LOG` names (the run counts those lines) and
/// returns `true`, and the test returns early. Everywhere else it returns `false`.
pub fn skip_on_gpu(why: &str) -> bool {
    if !default_is_gpu() {
        return false;
    }
    let name = std::thread::current()
        .name()
        .unwrap_or("(unnamed test)")
        .to_string();
    eprintln!("skipped on the GPU: {name}: {why}");
    if let Some(path) = std::env::var_os("MLXRS_SKIP_LOG") {
        use std::io::Write;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path);
        if let Ok(mut f) = file {
            let _ = writeln!(f, "{name}: {why}");
        }
    }
    true
}
