//! `cargo xtask oracle [--filter S]`: the differential suite against Python MLX.
//!
//! Two halves exchange files in `target/oracle/`:
//! 1. mlxrs's `oracle` test binary (mlxrs/tests/oracle/, public API only) builds every case
//!    of its table with deterministic inputs, computes outputs and gradients, and writes
//!    `arrays.safetensors` (inputs, outputs, gradients) and `manifest.json` (op, params,
//!    dtypes, shapes, tolerances);
//! 2. xtask/oracle/oracle.py recomputes each case with Python MLX at the pinned version
//!    (installed by `setup::python_mlx`) and compares.
//!
//! The Python side prints `oracle: N ops, M cases`, one line per failure, and last
//! `P passed, F failed`. The command fails when a case failed.

use crate::{Result, cargo, project_root, setup};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `cargo xtask oracle [--filter S]`
pub fn run(args: &[String]) -> Result<()> {
    let mut filter = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--filter" => filter = Some(it.next().ok_or("--filter needs a value")?.clone()),
            other => return Err(format!("oracle: unknown option `{other}`")),
        }
    }
    run_oracle(filter.as_deref())
}

/// Builds and runs both halves; `filter` keeps the cases whose op name contains it.
pub fn run_oracle(filter: Option<&str>) -> Result<()> {
    let python_path = setup::python_mlx()?;
    let root = project_root();
    let dir = root.join("target/oracle");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

    let exe = oracle_binary(&root)?;
    eprintln!(
        "oracle: computing the cases with mlxrs into {}",
        dir.display()
    );
    let mut cmd = Command::new(&exe);
    cmd.current_dir(&root)
        .args([
            "--exact",
            "write_cases",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("MLXRS_ORACLE_DIR", &dir);
    if let Some(f) = filter {
        cmd.env("MLXRS_ORACLE_FILTER", f);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    if !out.status.success() {
        eprint!("{}", String::from_utf8_lossy(&out.stdout));
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        return Err(format!(
            "the mlxrs half of the oracle failed ({})",
            out.status
        ));
    }

    let status = Command::new(setup::python_exe())
        .arg(root.join("xtask/oracle/oracle.py"))
        .arg(&dir)
        .env("PYTHONPATH", &python_path)
        .status()
        .map_err(|e| format!("cannot start {}: {e}", setup::python_exe()))?;
    match status.code() {
        Some(0) => Ok(()),
        // Cases failed: the report above ends with the count, which stays the last line.
        Some(1) => std::process::exit(1),
        _ => Err(format!("xtask/oracle/oracle.py failed ({status})")),
    }
}

/// Builds mlxrs's `oracle` test binary and returns its path.
fn oracle_binary(root: &Path) -> Result<PathBuf> {
    let out = cargo()
        .current_dir(root)
        .args([
            "test",
            "--package",
            "mlxrs",
            "--test",
            "oracle",
            "--no-run",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("building mlxrs's oracle test binary failed".into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter(|l| l.contains("\"name\":\"oracle\"") && l.contains("\"executable\":\""))
        .filter_map(|l| {
            let start = l.find("\"executable\":\"")? + 14;
            let end = l[start..].find('"')? + start;
            Some(PathBuf::from(&l[start..end]))
        })
        .next_back()
        .ok_or_else(|| "cargo did not report the oracle executable".into())
}
