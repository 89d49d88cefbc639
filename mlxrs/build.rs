//! Embeds the MLX library folder (from mlxrs-sys's `DEP_MLXC_LIB_DIR`) as an rpath of
//! every test, example and bench of this package, passes it on to the crates that
//! depend on mlxrs (`DEP_MLXRS_LIB_DIR`, through `links = "mlxrs"`), and collects the acceptance tests of
//! `../shared/acceptance` (or `MLXRS_ACCEPTANCE_DIR`) into the `acceptance` test suite.

use std::env;
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_MLXC_LIB_DIR");
    if let Ok(dir) = env::var("DEP_MLXC_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        // Dependents' build scripts read it as DEP_MLXRS_LIB_DIR.
        println!("cargo:lib_dir={dir}");
    }

    // mlxrs-sys linked OpenBLAS ahead of the wheel's reference BLAS (DEP_MLXC_BLAS is its
    // path, or "reference").
    println!("cargo:rustc-check-cfg=cfg(mlxrs_openblas)");
    println!("cargo:rerun-if-env-changed=DEP_MLXC_BLAS");
    if env::var("DEP_MLXC_BLAS").is_ok_and(|b| b != "reference") {
        println!("cargo:rustc-cfg=mlxrs_openblas");
    }

    // mlxrs-sys built mlx-c with the error-format fix (compat/mlxrs_mlx_error_fix.h).
    println!("cargo:rustc-check-cfg=cfg(mlxrs_mlx_error_fixed)");
    println!("cargo:rerun-if-env-changed=DEP_MLXC_ERROR_FORMAT_FIXED");
    if env::var("DEP_MLXC_ERROR_FORMAT_FIXED").is_ok_and(|v| v == "1") {
        println!("cargo:rustc-cfg=mlxrs_mlx_error_fixed");
    }

    println!("cargo:rerun-if-env-changed=MLXRS_ACCEPTANCE_DIR");
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = env::var_os("MLXRS_ACCEPTANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../shared/acceptance"));
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut modules = String::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        files.sort();
        for f in files {
            println!("cargo:rerun-if-changed={}", f.display());
            let stem = f
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .replace(['-', '.'], "_");
            let path = f.canonicalize().unwrap_or(f);
            let _ = writeln!(
                modules,
                "#[path = {:?}]\nmod {stem};",
                path.display().to_string()
            );
        }
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default()).join("acceptance.rs");
    let _ = std::fs::write(out, modules);
}
