//! `cargo xtask gpu-bundle [--out DIR] [--chunk-mib N] [--no-model]`: everything a CUDA
//! machine without a Rust toolchain and without internet needs for the GPU run, built
//! here and packed into chunks small enough for one transfer each.
//!
//! The bundle is one `tar.xz` holding
//! - `bin/`: the release test binaries (the GPU suite, the acceptance, core and transform
//!   suites), the examples, the bench runners and this xtask itself (for `bench`);
//! - `lib/`: the OpenBLAS the binaries link (and its Fortran runtime), as on this machine;
//! - `wheels/`: the pinned `mlx-cuda-13` wheel (the CUDA `libmlx`) and Python MLX's `mlx`
//!   wheel for CPython 3.12 (the bench's rival);
//! - `third_party/digits`, `third_party/minilm`: the data and the model;
//! - `BUILD_ROOT`: the checkout the binaries were built in (their compiled-in paths).
//!
//! It is split into `DIR/p0/`, `DIR/p1/`, ... of at most `--chunk-mib` MiB (default 56)
//! with `DIR/SHA256SUMS`; `xtask/gpu/run.sh` joins, checks and runs them there
//! (docs/GPU.md).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cargo, pins, project_root, run_cmd, setup, third_party};

/// The test suites the GPU run executes (`mlxrs/tests/<name>`).
const SUITES: &[&str] = &["gpu", "acceptance", "it", "transforms"];
/// The examples the GPU run executes.
const EXAMPLES: &[&str] = &["train_digits", "embed", "quickstart", "info"];
/// Features of the bundle's build: the GPU suite and what the core suite tests.
const FEATURES: &str = "mlxrs/gpu-tests,mlxrs/ndarray,mlxrs/safetensors";

pub fn run(args: &[String]) -> Result<()> {
    let root = project_root();
    let mut out = root.join("target/gpu-bundle");
    let mut chunk_mib: u64 = 56;
    let mut model = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => out = PathBuf::from(it.next().ok_or("--out needs a folder")?),
            "--chunk-mib" => {
                let v = it.next().ok_or("--chunk-mib needs a number")?;
                chunk_mib = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=63).contains(n))
                    .ok_or_else(|| format!("--chunk-mib: `{v}` is not a number in 1..=63"))?;
            }
            "--no-model" => model = false,
            other => return Err(format!("gpu-bundle: unknown option `{other}`")),
        }
    }
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Err("gpu-bundle: builds for Linux x86_64 only (the CUDA wheel's platform)".into());
    }

    // What the binaries link and read.
    setup::setup("cpu")?;
    let digits = setup::digits()?;
    let digits_dir = digits.parent().ok_or("digits: no folder")?.to_path_buf();
    let minilm = if model { Some(setup::minilm()?) } else { None };
    let wheels = gpu_wheels()?;

    let stage = out.join("stage");
    let _ = fs::remove_dir_all(&out);
    for d in ["bin", "lib", "wheels", "third_party"] {
        fs::create_dir_all(stage.join(d)).map_err(|e| format!("{}: {e}", stage.display()))?;
    }

    // Release builds.
    let mut binaries = test_binaries(&root)?;
    binaries.extend(example_binaries(&root)?);
    binaries.push(xtask_binary(&root)?);
    for (name, path) in &binaries {
        copy(path, &stage.join("bin").join(name))?;
    }
    crate::bench::build_runners(&stage.join("bin"))?;
    strip_all(&stage.join("bin"))?;

    // OpenBLAS as the binaries link it (mlxrs-sys links it ahead of the wheel's reference
    // BLAS), with the Fortran runtime it needs: neither is on the CUDA machine.
    if let Some(blas) = setup::openblas_path() {
        for lib in shared_closure(&blas)? {
            let name = lib.file_name().ok_or("library without a name")?.to_owned();
            copy(&lib, &stage.join("lib").join(name))?;
        }
        // The name the binaries ask for.
        let real = fs::canonicalize(&blas).map_err(|e| e.to_string())?;
        copy(&real, &stage.join("lib/libopenblas.so.0"))?;
    }
    for w in &wheels {
        copy(
            w,
            &stage.join("wheels").join(w.file_name().unwrap_or_default()),
        )?;
    }
    copy_dir(&digits_dir, &stage.join("third_party/digits"))?;
    if let Some(m) = &minilm {
        copy_dir(m, &stage.join("third_party/minilm"))?;
    }
    fs::write(stage.join("BUILD_ROOT"), format!("{}\n", root.display()))
        .map_err(|e| e.to_string())?;

    // One archive, split into chunks.
    let archive = out.join("bundle.tar.xz");
    eprintln!("gpu-bundle: packing {}", archive.display());
    run_cmd(
        Command::new("tar")
            .env("XZ_OPT", "-1 -T0")
            .arg("-cJf")
            .arg(&archive)
            .arg("-C")
            .arg(&stage)
            .arg("."),
    )?;
    let sum = crate::fetch::sha256_of(&archive)?;
    let chunks = split(&archive, &out, chunk_mib * 1024 * 1024)?;
    fs::write(out.join("SHA256SUMS"), format!("{sum}  bundle.tar.xz\n"))
        .map_err(|e| e.to_string())?;
    fs::remove_file(&archive).map_err(|e| e.to_string())?;
    fs::remove_dir_all(&stage).map_err(|e| e.to_string())?;
    let size: u64 = chunks
        .iter()
        .map(|c| fs::metadata(c).map(|m| m.len()).unwrap_or(0))
        .sum();
    eprintln!(
        "gpu-bundle: {} MiB in {} chunks under {} (sha256 {sum})",
        size / (1024 * 1024),
        chunks.len(),
        out.display()
    );
    let rel = out
        .strip_prefix(&root)
        .unwrap_or(&out)
        .display()
        .to_string();
    for (i, _) in chunks.iter().enumerate() {
        println!("{rel}/p{i}");
    }
    Ok(())
}

/// The pinned CUDA wheel and Python MLX's wheel for CPython 3.12 (the CUDA machine's
/// Python), fetched and checked.
fn gpu_wheels() -> Result<Vec<PathBuf>> {
    let pins = pins::load(&third_party().join("pins.toml"))?;
    let cuda = pins
        .iter()
        .find(|a| a.opt("backend") == Some("cuda") && a.opt("platform") == Some("linux-x86_64"))
        .ok_or("pins.toml: no cuda wheel for linux-x86_64")?;
    let python = pins
        .iter()
        .find(|a| {
            a.opt("role") == Some("python")
                && a.opt("platform") == Some("linux-x86_64")
                && a.opt("python") == Some("3.12")
        })
        .ok_or("pins.toml: no Python MLX wheel for CPython 3.12 on linux-x86_64")?;
    [cuda, python]
        .into_iter()
        .map(setup::downloaded_wheel)
        .collect()
}

/// Builds the suites of [`SUITES`] in release and returns `(suite, executable)`.
fn test_binaries(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut cmd = cargo();
    cmd.current_dir(root).args([
        "test",
        "--release",
        "--no-run",
        "--package",
        "mlxrs",
        "--features",
        FEATURES,
        "--message-format=json-render-diagnostics",
    ]);
    for s in SUITES {
        cmd.args(["--test", s]);
    }
    let found = executables(&mut cmd, |target| SUITES.contains(&target))?;
    for s in SUITES {
        if !found.iter().any(|(n, _)| n == s) {
            return Err(format!("gpu-bundle: cargo built no test binary `{s}`"));
        }
    }
    Ok(found)
}

/// Builds the examples of [`EXAMPLES`] in release.
fn example_binaries(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut cmd = cargo();
    cmd.current_dir(root).args([
        "build",
        "--release",
        "--package",
        "mlxrs",
        "--message-format=json-render-diagnostics",
    ]);
    for e in EXAMPLES {
        cmd.args(["--example", e]);
    }
    let found = executables(&mut cmd, |target| EXAMPLES.contains(&target))?;
    if found.len() != EXAMPLES.len() {
        return Err(format!(
            "gpu-bundle: built {} of the {} examples",
            found.len(),
            EXAMPLES.len()
        ));
    }
    Ok(found)
}

/// This xtask in release (the GPU run uses its `bench`).
fn xtask_binary(root: &Path) -> Result<(String, PathBuf)> {
    let mut cmd = cargo();
    cmd.current_dir(root).args([
        "build",
        "--release",
        "--package",
        "xtask",
        "--message-format=json-render-diagnostics",
    ]);
    executables(&mut cmd, |t| t == "xtask")?
        .into_iter()
        .next()
        .ok_or_else(|| "gpu-bundle: cargo built no xtask binary".to_string())
}

/// Runs a cargo command with JSON messages and returns the executables of the targets
/// `want` accepts, by target name.
fn executables(cmd: &mut Command, want: impl Fn(&str) -> bool) -> Result<Vec<(String, PathBuf)>> {
    eprintln!("$ {}", crate::show(cmd));
    let out = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("gpu-bundle: cargo failed ({})", out.status));
    }
    let mut found = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if !line.contains("\"reason\":\"compiler-artifact\"") {
            continue;
        }
        let (Some(name), Some(exe)) = (json_str(line, "name"), json_str(line, "executable")) else {
            continue;
        };
        if want(&name) && !found.iter().any(|(n, _): &(String, PathBuf)| *n == name) {
            found.push((name, PathBuf::from(exe)));
        }
    }
    Ok(found)
}

/// The first string value of `"key":"..."` in one line of cargo's JSON (target names and
/// paths hold no escaped quotes).
fn json_str(line: &str, key: &str) -> Option<String> {
    let pat = format!("\"{key}\":\"");
    let start = line.find(&pat)? + pat.len();
    let end = line[start..].find('"')? + start;
    Some(line[start..end].replace("\\\\", "\\"))
}

/// `lib` and the libraries it needs that a CUDA machine's base image may lack (everything
/// `ldd` resolves outside libc, libm, libstdc++, libgcc and the loader).
fn shared_closure(lib: &Path) -> Result<Vec<PathBuf>> {
    let out = Command::new("ldd")
        .arg(lib)
        .output()
        .map_err(|e| format!("cannot run ldd: {e}"))?;
    let mut libs = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some((name, rest)) = line.trim().split_once(" => ") else {
            continue;
        };
        let system = [
            "libc.so",
            "libm.so",
            "libstdc++",
            "libgcc_s",
            "ld-linux",
            "libpthread",
            "libdl.so",
        ];
        if system.iter().any(|s| name.starts_with(s)) {
            continue;
        }
        if let Some(path) = rest
            .split_whitespace()
            .next()
            .filter(|p| p.starts_with('/'))
        {
            libs.push(PathBuf::from(path));
        }
    }
    Ok(libs)
}

fn strip_all(dir: &Path) -> Result<()> {
    for e in fs::read_dir(dir).map_err(|e| e.to_string())? {
        let p = e.map_err(|e| e.to_string())?.path();
        let mut magic = [0u8; 4];
        let elf = fs::File::open(&p)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
            .is_ok()
            && magic == *b"\x7fELF";
        if !elf {
            continue; // runner.py
        }
        // Debug info is most of a test binary's size; symbols stay for backtraces.
        run_cmd(Command::new("strip").arg("--strip-debug").arg(&p))?;
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for e in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let e = e.map_err(|e| e.to_string())?;
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest)?;
        } else {
            copy(&p, &dest)?;
        }
    }
    Ok(())
}

/// Splits `file` into `out/p<i>/<file name>.<i>` of at most `size` bytes each.
fn split(file: &Path, out: &Path, size: u64) -> Result<Vec<PathBuf>> {
    use std::io::{Read, Write};
    let name = file
        .file_name()
        .ok_or("no file name")?
        .to_string_lossy()
        .to_string();
    let mut input = fs::File::open(file).map_err(|e| e.to_string())?;
    let mut chunks = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let i = chunks.len();
        let dir = out.join(format!("p{i}"));
        let path = dir.join(format!("{name}.{i:02}"));
        let mut written = 0u64;
        let mut output: Option<fs::File> = None;
        while written < size {
            let want = buf.len().min((size - written) as usize);
            let n = input.read(&mut buf[..want]).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            if output.is_none() {
                fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                output = Some(fs::File::create(&path).map_err(|e| e.to_string())?);
            }
            if let Some(o) = output.as_mut() {
                o.write_all(&buf[..n]).map_err(|e| e.to_string())?;
            }
            written += n as u64;
        }
        if output.is_none() {
            break;
        }
        chunks.push(path);
        if written < size {
            break;
        }
    }
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_cuts_at_the_size_and_keeps_every_byte() {
        let dir = std::env::temp_dir().join(format!("mlxrs-split-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.bin");
        let bytes: Vec<u8> = (0..2_500_000u32).map(|i| (i * 7 % 251) as u8).collect();
        fs::write(&file, &bytes).unwrap();
        let chunks = split(&file, &dir, 1_000_000).unwrap();
        assert_eq!(chunks.len(), 3);
        assert!(chunks[0].ends_with("p0/a.bin.00"));
        assert!(chunks[2].ends_with("p2/a.bin.02"));
        let sizes: Vec<u64> = chunks
            .iter()
            .map(|c| fs::metadata(c).unwrap().len())
            .collect();
        assert_eq!(sizes, [1_000_000, 1_000_000, 500_000]);
        let joined: Vec<u8> = chunks.iter().flat_map(|c| fs::read(c).unwrap()).collect();
        assert_eq!(joined, bytes);
        // An exact multiple makes no empty last chunk.
        let exact = dir.join("b.bin");
        fs::write(&exact, &bytes[..2_000_000]).unwrap();
        assert_eq!(split(&exact, &dir.join("b"), 1_000_000).unwrap().len(), 2);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn json_str_reads_cargo_messages() {
        let line = r#"{"reason":"compiler-artifact","target":{"kind":["test"],"name":"gpu"},"executable":"/x/target/release/deps/gpu-0123","fresh":true}"#;
        assert_eq!(json_str(line, "name").as_deref(), Some("gpu"));
        assert_eq!(
            json_str(line, "executable").as_deref(),
            Some("/x/target/release/deps/gpu-0123")
        );
        assert_eq!(json_str(line, "missing"), None);
    }
}
