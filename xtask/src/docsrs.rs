//! `cargo xtask docsrs`: the documentation of `mlxrs-sys` and `mlxrs` builds the way
//! docs.rs builds it (no native library at hand), and the packaged crates carry the files
//! a registry build needs.

use crate::{Result, cargo, project_root, run_cmd};

/// Files `cargo package --list` must show for each published crate: the build script,
/// the committed bindings and the C headers the build compiles in, the fetching code and
/// the pins it fetches, the readme.
const PACKAGED: &[(&str, &[&str])] = &[
    (
        "mlxrs-sys",
        &[
            "Cargo.toml",
            "README.md",
            "build.rs",
            "src/lib.rs",
            "src/bindings/x86_64.rs",
            "src/bindings/aarch64.rs",
            "compat/mlxrs_format_compat.h",
            "compat/mlxrs_mlx_error_fix.h",
            "build/fetch.rs",
            "pins.toml",
        ],
    ),
    (
        "mlxrs",
        &["Cargo.toml", "README.md", "build.rs", "src/lib.rs"],
    ),
];

/// `cargo xtask docsrs`
pub fn run(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        return Err(format!("docsrs: unexpected arguments {args:?}"));
    }
    let root = project_root();
    // docs.rs sets DOCS_RS=1 and has neither MLX nor mlx-c: point the build script at a
    // folder that does not exist, so that a build depending on native files fails here.
    let target = root.join("target").join("docsrs");
    let missing = target.join("no-third-party");
    run_cmd(
        cargo()
            .current_dir(&root)
            .args(["doc", "--no-deps", "--package", "mlxrs-sys"])
            .args([
                "--package",
                "mlxrs",
                "--features",
                "mlxrs/ndarray,mlxrs/safetensors",
            ])
            .env("DOCS_RS", "1")
            .env("MLXRS_THIRD_PARTY", &missing)
            .env_remove("MLXRS_MLX_C_DIR")
            .env_remove("MLX_C_SRC")
            .env_remove("MLX_DIR")
            .env("CARGO_TARGET_DIR", &target)
            .env("RUSTDOCFLAGS", "-D warnings")
            .env("RUSTFLAGS", "-D warnings"),
    )?;
    for (krate, needed) in PACKAGED {
        let out = cargo()
            .current_dir(&root)
            .args(["package", "--list", "--allow-dirty", "--package", krate])
            .output()
            .map_err(|e| format!("cannot run cargo package: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`cargo package --list --package {krate}` failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let listed = String::from_utf8_lossy(&out.stdout);
        let files: Vec<&str> = listed.lines().map(str::trim).collect();
        let absent: Vec<&&str> = needed.iter().filter(|f| !files.contains(f)).collect();
        if !absent.is_empty() {
            return Err(format!(
                "the {krate} package lacks {absent:?} (cargo package --list)"
            ));
        }
        eprintln!("docsrs: the {krate} package holds {} files", files.len());
    }
    eprintln!("docsrs: documentation builds without MLX; packages complete");
    Ok(())
}
