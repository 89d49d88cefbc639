//! `cargo xtask tsan` and `cargo xtask sanitize`: the test suites under ThreadSanitizer
//! and AddressSanitizer.
//!
//! The Rust code (mlxrs and, through `-Zbuild-std`, the standard library) and mlx-c (built
//! from source with `-fsanitize=thread`) are instrumented; libmlx comes prebuilt from the
//! wheel and is not, but TSan still intercepts its threads, mutexes, condition variables
//! and allocations. A report of a data race, a lock-order inversion or a signal-unsafe call
//! anywhere fails the run.

use std::process::Command;

use crate::{Result, project_root, run_cmd, setup};

/// The suites TSan runs by default: the thread suite and the per-thread error tests.
const TSAN_FILTERS: &[&str] = &["threads::", "errors::threads"];

/// Which sanitizer.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Thread,
    Address,
}

/// `cargo xtask tsan [-- <test filters>]`: the thread tests under ThreadSanitizer.
pub fn tsan(args: &[String]) -> Result<()> {
    let filters = filters(args, "tsan")?;
    let filters = if filters.is_empty() {
        TSAN_FILTERS.iter().map(|s| s.to_string()).collect()
    } else {
        filters
    };
    run(Kind::Thread, &["--test", "it"], &filters)?;
    eprintln!(
        "tsan: ThreadSanitizer found no data race in the tests matching {filters:?} \
         (mlxrs, std and mlx-c instrumented; libmlx's threads and locks intercepted)"
    );
    Ok(())
}

/// `cargo xtask sanitize [-- <test filters>]`: every mlxrs test suite under
/// AddressSanitizer (with LeakSanitizer).
pub fn asan(args: &[String]) -> Result<()> {
    let filters = filters(args, "sanitize")?;
    run(Kind::Address, &["--tests"], &filters)?;
    eprintln!(
        "sanitize: AddressSanitizer and LeakSanitizer found no invalid access and no leak in \
         mlxrs's test suites (mlxrs, std and mlx-c instrumented)"
    );
    Ok(())
}

fn filters(args: &[String], cmd: &str) -> Result<Vec<String>> {
    match args.split_first() {
        None => Ok(Vec::new()),
        Some((first, rest)) if first == "--" => Ok(rest.to_vec()),
        Some(_) => Err(format!(
            "{cmd}: unexpected arguments {args:?} (use `-- FILTER...`)"
        )),
    }
}

fn run(kind: Kind, targets: &[&str], filters: &[String]) -> Result<()> {
    setup::setup(setup::natural_backend())?;
    let root = project_root();
    ensure_rust_src()?;
    let host = host_triple()?;
    let (name, flag) = match kind {
        Kind::Thread => ("tsan", "thread"),
        Kind::Address => ("asan", "address"),
    };
    let mut test = nightly_cargo();
    test.current_dir(&root)
        .args([
            "test",
            "-Zbuild-std",
            "--target",
            &host,
            "--package",
            "mlxrs",
            "--features",
            "ndarray,safetensors",
        ])
        .args(targets)
        .arg("--")
        .args(filters)
        .env("RUSTFLAGS", format!("-Zsanitizer={flag}"))
        .env("RUSTDOCFLAGS", format!("-Zsanitizer={flag}"))
        .env("CFLAGS", format!("-fsanitize={flag}"))
        .env("CXXFLAGS", format!("-fsanitize={flag}"))
        .env("CARGO_TARGET_DIR", root.join("target").join(name))
        // The sanitizers hold freed memory back (quarantine): the reliability binary's
        // soak-lite leaves its resident-set bound out, and checks MLX's active memory.
        .env("MLXRS_SOAK_SKIP_RSS", "1");
    match kind {
        Kind::Thread => test.env(
            "TSAN_OPTIONS",
            format!(
                "halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions={}",
                root.join("xtask/tsan.supp").display()
            ),
        ),
        Kind::Address => test
            .env(
                "ASAN_OPTIONS",
                "detect_leaks=1 halt_on_error=1 detect_odr_violation=0",
            )
            .env(
                "LSAN_OPTIONS",
                format!("suppressions={}", root.join("xtask/lsan.supp").display()),
            ),
    };
    run_cmd(&mut test)
}

/// `cargo +nightly`, free of the stable toolchain that `cargo xtask` runs under.
pub(crate) fn nightly_cargo() -> Command {
    let mut c = Command::new("cargo");
    c.arg("+nightly")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO");
    c
}

/// `-Zbuild-std` needs the nightly toolchain's `rust-src` component.
fn ensure_rust_src() -> Result<()> {
    let out = Command::new("rustup")
        .args(["component", "list", "--toolchain", "nightly", "--installed"])
        .output()
        .map_err(|e| format!("tsan needs rustup with a nightly toolchain: {e}"))?;
    if !out.status.success() {
        return Err("tsan needs a nightly toolchain (`rustup toolchain install nightly`)".into());
    }
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.starts_with("rust-src"))
    {
        return Ok(());
    }
    run_cmd(Command::new("rustup").args(["component", "add", "rust-src", "--toolchain", "nightly"]))
}

/// The host target triple, which `-Zbuild-std` needs spelled out.
fn host_triple() -> Result<String> {
    let out = Command::new("rustc")
        .args(["+nightly", "-vV"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .ok_or_else(|| "rustc -vV printed no host triple".into())
}
