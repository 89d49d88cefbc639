//! `cargo xtask fuzz --time SECONDS [TARGET]`: the libFuzzer targets of `fuzz/` (a crate
//! outside the workspace), each for SECONDS, from the committed seed corpus.
//!
//! New inputs go to `fuzz/target/corpus/<target>/` (ignored by git) and crashes to
//! `fuzz/artifacts/<target>/`; a crash becomes a regression input in
//! `fuzz/regressions/<target>/` (replayed by mlxrs's `fuzz_inputs` test) and a fix.

use std::process::Command;

use crate::sanitize::nightly_cargo;
use crate::{Result, project_root, run_cmd, setup};

/// Every fuzz target, in the order they run.
pub const TARGETS: &[&str] = &["ops", "load_npy", "load_safetensors", "load_gguf"];

pub fn run(args: &[String]) -> Result<()> {
    let (seconds, only) = parse(args)?;
    let targets: Vec<&str> = match &only {
        Some(t) if TARGETS.contains(&t.as_str()) => vec![t.as_str()],
        Some(t) => return Err(format!("fuzz: unknown target {t:?} (targets: {TARGETS:?})")),
        None => TARGETS.to_vec(),
    };
    setup::setup(setup::natural_backend())?;
    let version = nightly_cargo().args(["fuzz", "--version"]).output();
    if !version.is_ok_and(|o| o.status.success()) {
        return Err(
            "fuzz needs cargo-fuzz on the nightly toolchain: `cargo install cargo-fuzz`".into(),
        );
    }
    let root = project_root();
    let fuzz = root.join("fuzz");
    for target in targets {
        let found = fuzz.join("target").join("corpus").join(target);
        let artifacts = fuzz.join("artifacts").join(target);
        for dir in [&found, &artifacts] {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut cmd: Command = nightly_cargo();
        cmd.current_dir(&fuzz)
            .args(["fuzz", "run", target])
            .arg(&found)
            .arg(fuzz.join("corpus").join(target))
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .args([
                "-rss_limit_mb=4096",
                "-max_len=4096",
                "-print_final_stats=1",
            ])
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .env(
                "LSAN_OPTIONS",
                format!("suppressions={}", root.join("xtask/lsan.supp").display()),
            );
        run_cmd(&mut cmd).map_err(|e| {
            format!(
                "{e}\nfuzz: {target} found a crash; the input is in {} — add it to \
                 fuzz/regressions/{target}/ and fix it",
                artifacts.display()
            )
        })?;
    }
    Ok(())
}

/// `--time SECONDS [TARGET]`, in either order.
fn parse(args: &[String]) -> Result<(u64, Option<String>)> {
    let mut seconds = None;
    let mut target = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--time" {
            let s = it.next().ok_or("fuzz: --time needs SECONDS")?;
            seconds = Some(s.parse().map_err(|_| format!("fuzz: bad --time {s:?}"))?);
        } else if target.is_none() && !a.starts_with('-') {
            target = Some(a.clone());
        } else {
            return Err(format!("fuzz: unexpected argument {a:?}"));
        }
    }
    Ok((seconds.ok_or("fuzz: --time SECONDS is required")?, target))
}
