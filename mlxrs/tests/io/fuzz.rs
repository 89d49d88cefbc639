//! Deterministic mutation fuzzing of the loaders: 2,000 mutated inputs per format, from a
//! seed corpus of files written by mlxrs itself. Every input must give `Ok` or `Err`;
//! when a load succeeds, every array's bytes are read back (a corrupt header must not
//! yield an array whose buffer is smaller than its size). A crash kills the test binary;
//! set `MLXRS_FUZZ_LAST=<file>` to keep the input being tried, and add a crashing input
//! to `tests/io_corpus/` (see `corpus.rs`).

use std::collections::HashMap;
use std::io::Cursor;

use mlxrs::{Array, Dtype, GgufMetadata, Result, io};

use crate::support::TempDir;

/// 2,000 by default; `MLXRS_FUZZ_ITERATIONS` runs longer.
fn iterations() -> usize {
    std::env::var("MLXRS_FUZZ_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000)
}

/// The generator's seed: `base`, or `base` mixed with `MLXRS_FUZZ_SEED` for other runs.
fn rng(base: u64) -> SplitMix {
    let extra = std::env::var("MLXRS_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    SplitMix(base ^ extra.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn remember(input: &[u8]) {
    if let Ok(path) = std::env::var("MLXRS_FUZZ_LAST") {
        let _ = std::fs::write(path, input);
    }
}

fn touch(a: &Array) {
    assert!(a.shape().iter().all(|&d| d >= 0), "{:?}", a.shape());
    if let Ok(bytes) = a.as_bytes() {
        assert_eq!(bytes.len(), a.nbytes());
        std::hint::black_box(bytes.iter().map(|&b| u64::from(b)).sum::<u64>());
    }
}

fn sample_arrays() -> Result<Vec<Array>> {
    Ok(vec![
        Array::from_slice(&[1.0f32, -2.5, 3.25, 4.0, 5.0, 6.0], &[2, 3])?,
        Array::from_slice(&[7i8], &[] as &[i32])?,
        Array::from_slice(&[true, false, true], &[3])?,
        Array::from_slice(&[1u16, 2, 3, 4], &[2, 1, 2])?,
        Array::from_slice(&[1i64, -1], &[2])?,
        Array::from_slice::<f32>(&[], &[0, 3])?,
        Array::from_slice(&[half::f16::from_f32(1.5); 4], &[4])?,
    ])
}

pub fn npy_seeds() -> Result<Vec<Vec<u8>>> {
    let mut seeds = Vec::new();
    for a in sample_arrays()? {
        let mut buffer = Cursor::new(Vec::new());
        io::save_to_writer(&mut buffer, &a)?;
        seeds.push(buffer.into_inner());
    }
    Ok(seeds)
}

pub fn safetensors_seeds() -> Result<Vec<Vec<u8>>> {
    let arrays = sample_arrays()?;
    let mut seeds = Vec::new();
    let sets: [&[usize]; 3] = [&[0], &[0, 1, 2], &[3, 4, 5, 6]];
    for (i, set) in sets.iter().enumerate() {
        let map: HashMap<String, Array> = set
            .iter()
            .map(|&k| (format!("t{k}"), arrays[k].clone()))
            .collect();
        let metadata = if i == 1 {
            HashMap::from([("format".to_string(), "mlx".to_string())])
        } else {
            HashMap::new()
        };
        let mut buffer = Cursor::new(Vec::new());
        io::save_safetensors_to_writer(&mut buffer, &map, &metadata)?;
        seeds.push(buffer.into_inner());
    }
    Ok(seeds)
}

pub fn gguf_seeds(dir: &TempDir) -> Result<Vec<Vec<u8>>> {
    let arrays = HashMap::from([
        (
            "w".to_string(),
            Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?,
        ),
        ("b".to_string(), Array::from_slice(&[5i32, 6], &[2])?),
    ]);
    let metadata = HashMap::from([
        ("general.name".to_string(), GgufMetadata::from("seed")),
        (
            "tokens".to_string(),
            GgufMetadata::Strings(vec!["a".into(), "bc".into()]),
        ),
        (
            "dims".to_string(),
            GgufMetadata::Array(Array::from_slice(&[3u32, 4], &[2])?),
        ),
        ("one".to_string(), GgufMetadata::Array(Array::from(1.5f32))),
    ]);
    let mut seeds = Vec::new();
    let path = dir.join("seed.gguf");
    io::save_gguf(&path, &arrays, &metadata)?;
    seeds.push(std::fs::read(&path)?);
    io::save_gguf(&path, &arrays, &HashMap::new())?;
    seeds.push(std::fs::read(&path)?);
    io::save_gguf(&path, &HashMap::new(), &metadata)?;
    seeds.push(std::fs::read(&path)?);
    Ok(seeds)
}

#[test]
fn npy_reader_survives_mutations() -> Result<()> {
    let seeds = npy_seeds()?;
    let mut rng = rng(0x6e70_7900);
    let (mut ok, mut err) = (0, 0);
    for _ in 0..iterations() {
        let seed = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed);
        remember(&input);
        match io::load_from_reader(Cursor::new(&input)) {
            Ok(a) => {
                touch(&a);
                ok += 1;
            }
            Err(_) => err += 1,
        }
    }
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    assert!(ok > 0 && err > 0, "ok {ok}, err {err}");
    Ok(())
}

#[test]
fn safetensors_reader_survives_mutations() -> Result<()> {
    let seeds = safetensors_seeds()?;
    let mut rng = rng(0x7361_6665);
    let (mut ok, mut err) = (0, 0);
    for _ in 0..iterations() {
        let seed = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed);
        remember(&input);
        match io::load_safetensors_from_reader(Cursor::new(&input)) {
            Ok((arrays, _)) => {
                arrays.values().for_each(touch);
                ok += 1;
            }
            Err(_) => err += 1,
        }
    }
    assert!(ok > 0 && err > 0, "ok {ok}, err {err}");
    Ok(())
}

#[test]
fn npy_and_safetensors_files_survive_mutations() -> Result<()> {
    // The path loaders read lazily, through MLX's own file reader.
    let dir = TempDir::new("fuzz-files");
    let npy = npy_seeds()?;
    let st = safetensors_seeds()?;
    let mut rng = rng(0x6669_6c65);
    for i in 0..iterations() / 4 {
        let (seeds, name) = if i % 2 == 0 {
            (&npy, "x.npy")
        } else {
            (&st, "x.safetensors")
        };
        let seed = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed);
        remember(&input);
        let path = dir.join(name);
        std::fs::write(&path, &input)?;
        if i % 2 == 0 {
            if let Ok(a) = io::load(&path) {
                touch(&a);
            }
        } else if let Ok((arrays, _)) = io::load_safetensors(&path) {
            arrays.values().for_each(touch);
        }
    }
    Ok(())
}

#[test]
fn gguf_files_survive_mutations() -> Result<()> {
    let dir = TempDir::new("fuzz-gguf");
    let seeds = gguf_seeds(&dir)?;
    let mut rng = rng(0x6767_7566);
    let path = dir.join("x.gguf");
    let (mut ok, mut err) = (0, 0);
    for _ in 0..iterations() {
        let seed = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed);
        remember(&input);
        std::fs::write(&path, &input)?;
        match io::load_gguf(&path) {
            Ok((arrays, metadata)) => {
                arrays.values().for_each(touch);
                for value in metadata.values() {
                    if let GgufMetadata::Array(a) = value {
                        touch(a);
                    }
                }
                ok += 1;
            }
            Err(_) => err += 1,
        }
    }
    assert!(ok > 0 && err > 0, "ok {ok}, err {err}");
    Ok(())
}

#[test]
fn seeds_load_unchanged() -> Result<()> {
    // The corpus itself is valid.
    for seed in npy_seeds()? {
        let _ = io::load_from_reader(Cursor::new(&seed))?;
    }
    for seed in safetensors_seeds()? {
        io::load_safetensors_from_reader(Cursor::new(&seed))?;
    }
    let dir = TempDir::new("fuzz-seeds");
    for (i, seed) in gguf_seeds(&dir)?.iter().enumerate() {
        let path = dir.join(&format!("s{i}.gguf"));
        std::fs::write(&path, seed)?;
        io::load_gguf(&path)?;
    }
    let _ = Dtype::Float32;
    Ok(())
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
