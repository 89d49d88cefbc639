//! `cargo xtask tidy`: repository invariants, also run by `cargo test -p xtask`.
//!
//! - Layers (STYLE.md §1): tests, benches and examples use the public API only, never
//!   `mlxrs_sys` (or its re-export `mlxrs::sys`).
//! - Pins: `third_party/pins.toml`, mlxrs-sys's version metadata and its build script's
//!   version constants name the same MLX and mlx-c versions.

use crate::{Result, pins, project_root};
use std::path::{Path, PathBuf};

pub fn run(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        return Err(format!("tidy: unexpected arguments {args:?}"));
    }
    let problems = check(&project_root());
    if problems.is_empty() {
        eprintln!("tidy: ok");
        Ok(())
    } else {
        Err(format!(
            "tidy found {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        ))
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every problem found, one line each.
pub fn check(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    // Layers
    let mut files = Vec::new();
    for dir in [
        "mlxrs/tests",
        "mlxrs/benches",
        "mlxrs/examples",
        "mlxrs/src/nn",
        "mlxrs/src/optimizers",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("mlxrs_sys") || code.contains("mlxrs::sys") {
                problems.push(format!(
                    "{}:{}: names mlxrs-sys; only mlxrs/src's core and API files may (STYLE.md §1)",
                    f.strip_prefix(root).unwrap_or(&f).display(),
                    n + 1
                ));
            }
        }
    }
    // Pins
    match pins::load(&root.join("third_party/pins.toml")) {
        Err(e) => problems.push(e),
        Ok(pins) => {
            let version_of = |name: &str| {
                pins.iter()
                    .find(|a| a.opt("name") == Some(name))
                    .and_then(|a| a.opt("version"))
                    .unwrap_or("")
                    .to_string()
            };
            let (mlx_c, mlx) = (version_of("mlx-c"), version_of("mlx-cpu"));
            let build =
                std::fs::read_to_string(root.join("mlxrs-sys/build.rs")).unwrap_or_default();
            if !build.contains(&format!("const MLX_C_VERSION: &str = \"{mlx_c}\";")) {
                problems.push(format!(
                    "mlxrs-sys/build.rs: MLX_C_VERSION is not the pinned mlx-c {mlx_c}"
                ));
            }
            if !build.contains(&format!("const MLX_VERSION: &str = \"{mlx}\";")) {
                problems.push(format!(
                    "mlxrs-sys/build.rs: MLX_VERSION is not the pinned MLX {mlx}"
                ));
            }
            let manifest =
                std::fs::read_to_string(root.join("mlxrs-sys/Cargo.toml")).unwrap_or_default();
            if !manifest.contains(&format!("+mlx-c.{mlx_c}\"")) {
                problems.push(format!(
                    "mlxrs-sys/Cargo.toml: the version's build metadata is not +mlx-c.{mlx_c}"
                ));
            }
            for a in &pins {
                if a.opt("name")
                    .is_some_and(|n| n.starts_with("mlx-") && n != "mlx-c")
                    && a.opt("version") != Some(&mlx)
                {
                    problems.push(format!(
                        "third_party/pins.toml: {} is version {}, but the MLX pin is {mlx}",
                        a.opt("file").unwrap_or("?"),
                        a.opt("version").unwrap_or("?")
                    ));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_repository_is_tidy() {
        let problems = super::check(&crate::project_root());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
