//! `cargo xtask downstream`: the README's "Using mlxrs from your crate", done by a new
//! crate outside the workspace.
//!
//! The crate lives in a fresh temporary folder, depends on `mlxrs` and `mlxrs-sys` by path
//! (the README's git dependency, pointed at this checkout), uses the README's `build.rs`
//! (read from the README itself, so the two cannot drift apart) and the variable the
//! README names (`MLXRS_THIRD_PARTY`), builds offline from the cargo cache with a copy of
//! the workspace's `Cargo.lock`, and runs its binary without `LD_LIBRARY_PATH`: a
//! `value_and_grad` and a matmul whose numbers it checks.

use crate::{Result, cargo, project_root, run_cmd, setup, third_party};
use std::fs;
use std::path::Path;

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
    let root = project_root();
    let readme = fs::read_to_string(root.join("README.md"))
        .map_err(|e| format!("cannot read README.md: {e}"))?;
    let build_rs = readme_build_rs(&readme)?;

    let dir = std::env::temp_dir().join(format!("mlxrs-downstream-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let result = build_and_run(&root, &dir, &build_rs);
    let _ = fs::remove_dir_all(&dir);
    result?;
    eprintln!("downstream: a crate outside the workspace built and ran as the README says");
    Ok(())
}

fn build_and_run(root: &Path, dir: &Path, build_rs: &str) -> Result<()> {
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    // An empty [workspace] table keeps the crate out of any workspace above the temp dir.
    write(
        "Cargo.toml",
        &format!(
            "[package]\nname = \"mlxrs-downstream\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\nmlxrs = {{ path = {:?} }}\n\
             mlxrs-sys = {{ path = {:?} }}\n\n[workspace]\n",
            root.join("mlxrs").display().to_string(),
            root.join("mlxrs-sys").display().to_string(),
        ),
    )?;
    write("build.rs", build_rs)?;
    write("src/main.rs", MAIN_RS)?;
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;

    // A target dir of its own that persists between runs (mlx-c is built once).
    let target = root.join("target").join("downstream");
    run_cmd(
        cargo()
            .current_dir(dir)
            .args(["build", "--offline", "--quiet"])
            .env("MLXRS_THIRD_PARTY", third_party())
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("LD_LIBRARY_PATH")
            .env_remove("RUSTFLAGS"),
    )?;
    let bin = target.join("debug").join("mlxrs-downstream");
    run_cmd(
        std::process::Command::new(&bin)
            .current_dir(dir)
            .env_remove("LD_LIBRARY_PATH")
            .env_remove("DYLD_LIBRARY_PATH"),
    )
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
            code.contains("DEP_MLXC_LIB_DIR") && code.contains("-rpath"),
            "{code}"
        );
    }
}
