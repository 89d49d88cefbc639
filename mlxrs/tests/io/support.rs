//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use mlxrs::{Array, Complex64, Error, Result};

/// Asserts `|actual - expected| <= atol + rtol * |expected|` elementwise, same length.
pub fn assert_allclose(actual: &Array, expected: &[f32], rtol: f32, atol: f32) -> Result<()> {
    let got = actual.to_vec::<f32>()?;
    assert_close(&got, expected, rtol, atol);
    Ok(())
}

/// As [`assert_allclose`], on plain slices.
pub fn assert_close(got: &[f32], expected: &[f32], rtol: f32, atol: f32) {
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

/// MLX's message of an `Error::Backend`; panics (failing the test) otherwise.
pub fn backend_message<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::Backend(msg)) => msg,
        other => panic!("expected Err(Error::Backend(..)), got {other:?}"),
    }
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("mlxrs-io-tests-{}-{tag}-{n}", std::process::id()));
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

/// A small deterministic generator (SplitMix64) for the mutation fuzzers.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One random mutation of `input` (bit flips, interesting bytes and integers, inserts,
/// deletes, truncation, chunk duplication).
pub fn mutate(rng: &mut SplitMix, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        if out.is_empty() {
            out.push(rng.next() as u8);
            continue;
        }
        let at = rng.below(out.len());
        match rng.below(9) {
            0 => out[at] ^= 1 << rng.below(8),
            1 => {
                out[at] =
                    [0x00, 0xff, 0x7f, 0x80, b'(', b')', b',', b'-', b'"', b'{'][rng.below(10)]
            }
            2 => out[at] = rng.next() as u8,
            3 => {
                let value: u64 = [
                    0,
                    1,
                    u64::from(u16::MAX),
                    u64::from(u32::MAX),
                    u64::MAX,
                    i64::MAX as u64,
                    1 << 31,
                    1 << 40,
                    input.len() as u64,
                    input.len() as u64 + 1,
                ][rng.below(10)];
                let width = [2usize, 4, 8][rng.below(3)];
                for (k, byte) in value.to_le_bytes()[..width].iter().enumerate() {
                    if let Some(slot) = out.get_mut(at + k) {
                        *slot = *byte;
                    }
                }
            }
            4 => out.insert(at, rng.next() as u8),
            5 => {
                let n = 1 + rng.below(8.min(out.len() - at));
                out.drain(at..at + n);
            }
            6 => out.truncate(at),
            7 => {
                let n = 1 + rng.below(16.min(out.len() - at));
                let chunk = out[at..at + n].to_vec();
                let to = rng.below(out.len());
                out.splice(to..to, chunk);
            }
            _ => {
                // An ASCII digit run, to corrupt shapes and lengths in text headers.
                let digits = b"1234567890";
                out[at] = digits[rng.below(10)];
            }
        }
    }
    out
}
