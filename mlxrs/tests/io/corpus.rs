//! Regression inputs in `tests/io_corpus/`: every file there (inputs that once crashed a
//! loader, found by `fuzz.rs`, and hand-made malformed files) must load as `Ok` or `Err`
//! through every loader of its format, by path and through a reader, without a crash.

use std::io::Cursor;
use std::path::PathBuf;

use mlxrs::{Array, Result, io};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/io_corpus")
}

fn touch(a: &Array) {
    if let Ok(bytes) = a.as_bytes() {
        std::hint::black_box(bytes.len());
    }
}

fn files(extension: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(corpus_dir())? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == extension) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[test]
fn npy_corpus_loads_without_crashing() -> Result<()> {
    for path in files("npy")? {
        let bytes = std::fs::read(&path)?;
        eprintln!("{}", path.display());
        if let Ok(a) = io::load_from_reader(Cursor::new(&bytes)) {
            touch(&a);
        }
        if let Ok(a) = io::load(&path) {
            touch(&a);
        }
    }
    Ok(())
}

#[test]
fn safetensors_corpus_loads_without_crashing() -> Result<()> {
    for path in files("safetensors")? {
        let bytes = std::fs::read(&path)?;
        eprintln!("{}", path.display());
        if let Ok((arrays, _)) = io::load_safetensors_from_reader(Cursor::new(&bytes)) {
            arrays.values().for_each(touch);
        }
        if let Ok((arrays, _)) = io::load_safetensors(&path) {
            arrays.values().for_each(touch);
        }
    }
    Ok(())
}

#[test]
fn gguf_corpus_loads_without_crashing() -> Result<()> {
    // MLX maps GGUF files read-write: load a writable copy.
    let dir = crate::support::TempDir::new("corpus-gguf");
    for path in files("gguf")? {
        eprintln!("{}", path.display());
        let copy = dir.join("copy.gguf");
        std::fs::copy(&path, &copy)?;
        if let Ok((arrays, _)) = io::load_gguf(&copy) {
            arrays.values().for_each(touch);
        }
    }
    Ok(())
}
