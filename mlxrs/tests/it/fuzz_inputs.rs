//! Replays the fuzz targets' inputs in the normal suites: the committed seed corpus
//! (`fuzz/corpus/<target>/`) and every crash the fuzzers found (`fuzz/regressions/<target>/`,
//! each fixed in mlxrs), through the same code the targets run. Each must end in `Ok` or
//! `Err`; a crash fails the whole binary, which is the point.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use mlxrs::Result;

#[path = "../../../fuzz/decode/ops.rs"]
mod ops_decoder;

/// The files under `fuzz/<kind>/<target>/` (none when the folder does not exist).
fn inputs(kind: &str, target: &str) -> std::io::Result<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(kind)
        .join(target);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    files.retain(|p| p.is_file());
    files.sort();
    Ok(files)
}

/// Every input of `target`, seeds and regressions: (path, bytes).
fn all(target: &str) -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    for kind in ["corpus", "regressions"] {
        for path in inputs(kind, target)? {
            let bytes = std::fs::read(&path)?;
            out.push((path, bytes));
        }
    }
    Ok(out)
}

fn read_all(arrays: &HashMap<String, mlxrs::Array>) {
    for a in arrays.values() {
        let _ = a.as_bytes();
    }
}

#[test]
fn fuzz_inputs_of_every_target_replay_without_a_crash() -> Result<()> {
    let mut counts = Vec::new();
    for target in ["ops", "load_npy", "load_safetensors", "load_gguf"] {
        let inputs = all(target)?;
        assert!(!inputs.is_empty(), "no seed corpus for {target}");
        let mut loaded = 0;
        for (_path, bytes) in &inputs {
            let cursor = std::io::Cursor::new(bytes.as_slice());
            match target {
                "ops" => ops_decoder::run(bytes),
                "load_npy" => {
                    if let Ok(a) = mlxrs::io::load_from_reader(cursor) {
                        let _ = a.as_bytes();
                        loaded += 1;
                    }
                }
                "load_safetensors" => {
                    if let Ok((arrays, _)) = mlxrs::io::load_safetensors_from_reader(cursor) {
                        read_all(&arrays);
                        loaded += 1;
                    }
                }
                _ => {
                    if let Ok((arrays, _)) = mlxrs::io::load_gguf_from_reader(cursor) {
                        read_all(&arrays);
                        loaded += 1;
                    }
                }
            }
        }
        counts.push((target, inputs.len(), loaded));
    }
    // The seeds include valid files written by Python MLX: they load.
    for &(target, n, loaded) in &counts[1..] {
        assert!(loaded >= 2, "{target}: {loaded} of {n} inputs loaded");
    }
    Ok(())
}

#[test]
fn crashes_the_fuzzers_found_are_errors() -> Result<()> {
    use mlxrs::{Array, Dtype, Error};
    // `ops` fuzz target: a zero slice step made MLX 0.32.2 divide by zero (SIGFPE in
    // normalize_slice); fuzz/regressions/ops/slice-zero-stride-sigfpe.
    let a = Array::arange(0.0, 6.0, 1.0, Dtype::Float32)?;
    let err = mlxrs::slice(&a, &[0], &[6], &[0]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                name: "strides",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "invalid `strides`: slice: a slice step cannot be zero, got [0]"
    );
    let err = mlxrs::slice_update(&a, &Array::from(1.0f32), &[0], &[6], &[0]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                name: "strides",
                ..
            }
        ),
        "{err}"
    );
    // Non-zero steps, negative ones included, keep MLX's meaning: a[5:0:-2] = [5, 3, 1].
    let b = mlxrs::slice(&a, &[5], &[0], &[-2])?;
    assert_eq!(b.to_vec::<f32>()?, [5.0, 3.0, 1.0]);
    Ok(())
}
