//! mlxrs-sys's build script fails with one actionable message, not a linker mystery,
//! when MLX or mlx-c cannot be found. Each case builds mlxrs-sys in its own target
//! folder; the script stops before any native build, so this takes seconds.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Builds mlxrs-sys with `envs` and returns (success, stderr).
fn build_sys(case: &str, envs: &[(&str, &str)]) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = root()
        .join("target")
        .join(format!("xtask-build-errors-{case}"));
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root())
        .args(["build", "--quiet", "--package", "mlxrs-sys"])
        .env("CARGO_TARGET_DIR", &target);
    for var in [
        "MLX_DIR",
        "MLX_C_SRC",
        "MLXRS_MLX_C_DIR",
        "MLXRS_THIRD_PARTY",
        "MLXRS_BACKEND",
        "MLXRS_USE_PYTHON_MLX",
        "MLXRS_CACHE_DIR",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("cargo runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_wrong_mlx_dir_is_a_clear_build_error() {
    let bogus = std::env::temp_dir().join("mlxrs-no-such-mlx-dir");
    let (ok, stderr) = build_sys("mlx-dir", &[("MLX_DIR", bogus.to_str().unwrap())]);
    assert!(!ok, "the build must fail");
    assert!(stderr.contains("holds no MLXConfig.cmake"), "{stderr}");
    assert!(stderr.contains("MLX_DIR"), "{stderr}");
    assert!(stderr.contains("cargo xtask setup"), "{stderr}");
    assert!(
        !stderr.contains("undefined reference"),
        "no linker mystery: {stderr}"
    );
}

#[test]
fn nothing_found_names_setup_and_the_variables() {
    let empty =
        std::env::temp_dir().join(format!("mlxrs-empty-third-party-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    // With fetching off (with it on, the build would fetch the pins into the cache:
    // `cargo xtask downstream` tests that).
    let (ok, stderr) = build_sys(
        "nothing",
        &[
            ("MLXRS_THIRD_PARTY", empty.to_str().unwrap()),
            ("MLXRS_NO_FETCH", "1"),
        ],
    );
    assert!(!ok, "the build must fail");
    for needle in [
        "no mlx-c 0.7.0 was given or found, and MLXRS_NO_FETCH is set",
        "cargo xtask setup",
        "MLXRS_USE_PYTHON_MLX",
        "MLXRS_MLX_C_DIR",
        "MLX_C_SRC",
        "MLX_DIR",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in: {stderr}");
    }
}

#[test]
fn an_mlx_of_another_version_is_refused() {
    // A fake CMake package folder that claims another version.
    let dir = std::env::temp_dir().join(format!(
        "mlxrs-fake-mlx-{}/share/cmake/MLX",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("MLXConfig.cmake"), "# fake\n").unwrap();
    std::fs::write(
        dir.join("MLXConfigVersion.cmake"),
        "set(PACKAGE_VERSION \"0.99.0\")\n",
    )
    .unwrap();
    let (ok, stderr) = build_sys("version", &[("MLX_DIR", dir.to_str().unwrap())]);
    assert!(!ok);
    assert!(
        stderr.contains("is version 0.99.0") && stderr.contains("needs exactly MLX 0.32.2"),
        "{stderr}"
    );
}
