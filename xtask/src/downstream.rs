//! `cargo xtask downstream`: the README's "Using mlxrs from your crate", done by a new
//! crate outside the workspace.
//!
//! `mlxrs`, `mlxrs-macros` and `mlxrs-sys` are packaged (`cargo package`, as they would
//! be published) and unpacked into a fresh temporary folder, so nothing of this checkout
//! (its `third_party/`) is within their reach. A new crate depends on `mlxrs` by path to
//! the unpacked package (the registry's copy, without the registry), with the README's
//! one-line `build.rs` (read from the README itself, so the two cannot drift apart) and
//! nothing else, and builds offline from the cargo cache:
//!
//! 1. with no variable set, mlxrs-sys's build script fetches the pinned MLX wheel and
//!    mlx-c's sources into a fresh cache (`MLXRS_CACHE_DIR`, under `target/downstream/`)
//!    and builds mlx-c there; the binary runs without `LD_LIBRARY_PATH` (a
//!    `value_and_grad` and a matmul whose numbers it checks);
//! 2. with `MLXRS_USE_PYTHON_MLX=1` in a new venv holding the pinned Python MLX, it
//!    builds against that MLX (its binary must load the venv's `libmlx`) and runs;
//! 3. with `MLXRS_USE_PYTHON_MLX=1` and a Python whose MLX is another version, the build
//!    fails naming both versions; with `MLXRS_NO_FETCH=1` and nothing given, it fails
//!    saying what to provide.

use crate::{Result, cargo, project_root, run_cmd, setup};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The downstream crate's `main.rs`: exits non-zero unless the numbers are right.
const MAIN_RS: &str = r#"use mlxrs::transforms::value_and_grad;
use mlxrs::{Array, Result, ops};

fn main() -> Result<()> {
    // f(x) = sum(x^2) at x = [1, 2, 3]: value 14, gradient 2x = [2, 4, 6].
    let f = value_and_grad(
        |x: &[Array]| Ok(vec![ops::sum(&ops::square(&x[0])?, false)?]),
        &[0],
    )?;
    let x = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
    let (values, grads) = f(&[x])?;
    let value = values[0].item::<f32>()?;
    let grad = grads[0].to_vec::<f32>()?;
    // [[1, 2], [3, 4]] @ [[5, 6], [7, 8]] = [[19, 22], [43, 50]].
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    let b = Array::from_slice(&[5.0f32, 6.0, 7.0, 8.0], &[2, 2])?;
    let product = ops::matmul(&a, &b)?.to_vec::<f32>()?;
    println!("value {value}, grad {grad:?}, matmul {product:?}");
    if value != 14.0 || grad != [2.0, 4.0, 6.0] || product != [19.0, 22.0, 43.0, 50.0] {
        eprintln!("downstream: wrong numbers");
        std::process::exit(1);
    }
    Ok(())
}
"#;

/// `cargo xtask downstream`
pub fn run(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        return Err(format!("downstream: unexpected arguments {args:?}"));
    }
    setup::setup(setup::natural_backend())?;
    let python_mlx = setup::python_mlx_wheels()?;
    let root = project_root();
    let readme = fs::read_to_string(root.join("README.md"))
        .map_err(|e| format!("cannot read README.md: {e}"))?;
    let build_rs = readme_build_rs(&readme)?;

    let dir = std::env::temp_dir().join(format!("mlxrs-downstream-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let result = build_and_run(&root, &dir, &build_rs, &python_mlx);
    let _ = fs::remove_dir_all(&dir);
    result?;
    eprintln!(
        "downstream: a crate outside the workspace built and ran as the README says (fetching \
         into a fresh cache, and with MLXRS_USE_PYTHON_MLX=1 in a venv)"
    );
    Ok(())
}

fn build_and_run(root: &Path, dir: &Path, build_rs: &str, python_mlx: &[PathBuf]) -> Result<()> {
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    // A target dir of its own that persists between runs (the dependencies build once).
    let target = root.join("target").join("downstream");

    // The packages as they would be published.
    let package_target = target.join("package-build");
    run_cmd(
        cargo()
            .current_dir(root)
            .args([
                "package",
                "--quiet",
                "--offline",
                "--no-verify",
                "--allow-dirty",
                "-p",
                "mlxrs-sys",
                "-p",
                "mlxrs-macros",
                "-p",
                "mlxrs",
            ])
            .env("CARGO_TARGET_DIR", &package_target),
    )?;
    let vendor = dir.join("vendor");
    fs::create_dir_all(&vendor).map_err(|e| e.to_string())?;
    let mut unpacked = std::collections::BTreeMap::new();
    for entry in fs::read_dir(package_target.join("package")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".crate") else {
            continue;
        };
        let krate = ["mlxrs-sys", "mlxrs-macros", "mlxrs"]
            .into_iter()
            .find(|k| stem.strip_prefix(k).is_some_and(|v| v.starts_with("-0")))
            .ok_or_else(|| format!("unexpected package {name}"))?;
        run_cmd(
            Command::new("tar")
                .arg("xzf")
                .arg(&path)
                .arg("-C")
                .arg(&vendor),
        )?;
        unpacked.insert(krate, vendor.join(stem));
    }
    let path_of = |k: &str| {
        unpacked
            .get(k)
            .map(|p| p.display().to_string())
            .ok_or_else(|| format!("cargo package made no {k} package"))
    };
    if unpacked
        .get("mlxrs-sys")
        .is_some_and(|p| p.join("../third_party").exists() || !p.join("pins.toml").is_file())
    {
        return Err("the packaged mlxrs-sys must hold pins.toml and see no third_party/".into());
    }
    // An empty [workspace] table keeps the crate out of any workspace above the temp dir.
    // mlxrs names its siblings by version, as on the registry; [patch] serves them from
    // the unpacked packages.
    write(
        "Cargo.toml",
        &format!(
            "[package]\nname = \"mlxrs-downstream\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\nmlxrs = {{ path = {:?} }}\n\n\
             [patch.crates-io]\nmlxrs-sys = {{ path = {:?} }}\nmlxrs-macros = {{ path = {:?} }}\n\n\
             [workspace]\n",
            path_of("mlxrs")?,
            path_of("mlxrs-sys")?,
            path_of("mlxrs-macros")?,
        ),
    )?;
    write("build.rs", build_rs)?;
    write("src/main.rs", MAIN_RS)?;
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;

    let cache = target.join("cache");
    let _ = fs::remove_dir_all(&cache);
    let build = |envs: &[(&str, &std::ffi::OsStr)]| {
        let mut cmd = cargo();
        cmd.current_dir(dir)
            .args(["build", "--offline", "--quiet"])
            .env("CARGO_TARGET_DIR", &target)
            .env("MLXRS_CACHE_DIR", &cache);
        for var in [
            "LD_LIBRARY_PATH",
            "RUSTFLAGS",
            "MLXRS_THIRD_PARTY",
            "MLX_DIR",
            "MLX_C_SRC",
            "MLXRS_MLX_C_DIR",
            "MLXRS_NO_FETCH",
            "MLXRS_USE_PYTHON_MLX",
            "MLXRS_BACKEND",
            "PYTHON",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd
    };
    let bin = target.join("debug").join("mlxrs-downstream");
    let run_bin = || {
        run_cmd(
            Command::new(&bin)
                .current_dir(dir)
                .env_remove("LD_LIBRARY_PATH")
                .env_remove("DYLD_LIBRARY_PATH"),
        )
    };

    // 1. Nothing given: the build script fetches into the (fresh) cache.
    eprintln!(
        "downstream: 1. no MLX given: mlxrs-sys fetches the pins into {}",
        cache.display()
    );
    run_cmd(&mut build(&[]))?;
    run_bin()?;

    // 2. MLXRS_USE_PYTHON_MLX=1 in a venv holding the pinned Python MLX.
    let venv = target.join("venv");
    let _ = fs::remove_dir_all(&venv);
    run_cmd(
        Command::new(setup::python_exe())
            .args(["-m", "venv"])
            .arg(&venv),
    )?;
    let venv_python = venv.join("bin").join("python");
    run_cmd(
        Command::new(&venv_python)
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--no-index",
                "--no-deps",
            ])
            .args(python_mlx),
    )?;
    let path = std::env::join_paths(std::iter::once(venv.join("bin")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .map_err(|e| e.to_string())?;
    eprintln!(
        "downstream: 2. MLXRS_USE_PYTHON_MLX=1 in the venv {}",
        venv.display()
    );
    run_cmd(&mut build(&[
        ("MLXRS_USE_PYTHON_MLX", "1".as_ref()),
        ("VIRTUAL_ENV", venv.as_os_str()),
        ("PATH", path.as_os_str()),
    ]))?;
    let dynamic = Command::new("readelf")
        .arg("-d")
        .arg(&bin)
        .output()
        .map_err(|e| format!("cannot run readelf: {e}"))?;
    let dynamic = String::from_utf8_lossy(&dynamic.stdout);
    let venv_lib = venv.canonicalize().unwrap_or(venv.clone());
    if !dynamic.contains(&venv_lib.display().to_string()) {
        return Err(format!(
            "downstream: built with MLXRS_USE_PYTHON_MLX=1, the binary's run path does not name \
             the venv's MLX ({}):\n{dynamic}",
            venv_lib.display()
        ));
    }
    run_bin()?;

    // 3. The errors a user meets: another Python MLX version, and fetching turned off.
    let fake = dir.join("fake-python");
    write(
        "fake-python",
        "#!/bin/sh\necho 0.31.9\necho /nonexistent/site-packages/mlx\n",
    )?;
    make_executable(&fake)?;
    expect_build_error(
        build(&[
            ("MLXRS_USE_PYTHON_MLX", "1".as_ref()),
            ("PYTHON", fake.as_os_str()),
        ]),
        &["Python MLX 0.31.9", "pinned to MLX 0.32.2"],
    )?;
    let empty_cache = target.join("empty-cache");
    let _ = fs::remove_dir_all(&empty_cache);
    expect_build_error(
        build(&[
            ("MLXRS_NO_FETCH", "1".as_ref()),
            ("MLXRS_CACHE_DIR", empty_cache.as_os_str()),
        ]),
        &["MLXRS_NO_FETCH is set", "MLX_DIR=", "MLXRS_MLX_C_DIR="],
    )?;
    Ok(())
}

fn make_executable(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Runs a build that must fail, with every one of `needles` in its output.
fn expect_build_error(mut cmd: Command, needles: &[&str]) -> Result<()> {
    let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        return Err(format!(
            "downstream: a build that must fail succeeded (expected {needles:?})"
        ));
    }
    for n in needles {
        if !text.contains(n) {
            return Err(format!(
                "downstream: the failed build's message lacks `{n}`:\n{text}"
            ));
        }
    }
    eprintln!("downstream: failed as it must, saying {needles:?}");
    Ok(())
}

/// The `build.rs` the README's "Using mlxrs from your crate" shows: the first
/// ```` ```rust ```` block of that section whose first line is `// build.rs`.
fn readme_build_rs(readme: &str) -> Result<String> {
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Using mlxrs from your crate"))
        .ok_or("README.md has no section \"Using mlxrs from your crate\"")?;
    section
        .split("```rust\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .find(|code| code.starts_with("// build.rs\n"))
        .map(str::to_string)
        .ok_or_else(|| {
            "README.md's \"Using mlxrs from your crate\" shows no ```rust block starting \
             `// build.rs`"
                .into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_script_comes_from_the_readme_section() {
        let readme = "# x\n\n## Other\n```rust\n// build.rs\nfn wrong() {}\n```\n\
                      ## Using mlxrs from your crate\n\ntext\n```rust\nfn main() {}\n```\n\
                      ```rust\n// build.rs\nfn main() { rpath(); }\n```\n## Next\n";
        assert_eq!(
            readme_build_rs(readme).unwrap(),
            "// build.rs\nfn main() { rpath(); }\n"
        );
        assert!(readme_build_rs("## Using mlxrs from your crate\nnone\n").is_err());
    }

    #[test]
    fn the_committed_readme_shows_an_rpath_build_script() {
        let readme = fs::read_to_string(project_root().join("README.md")).unwrap();
        let code = readme_build_rs(&readme).unwrap();
        assert!(
            code.contains("DEP_MLXRS_LIB_DIR") && code.contains("-rpath"),
            "{code}"
        );
    }
}
