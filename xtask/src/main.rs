//! `cargo xtask`: repository automation for mlxrs.
//!
//! Run `cargo xtask help` for the list of commands.

mod bench;
mod bindgen;
mod coverage;
mod docsrs;
mod downstream;
/// The pinned artifacts: parsing, fetching, checking, unpacking; shared with mlxrs-sys's
/// build script.
#[path = "../../mlxrs-sys/build/fetch.rs"]
pub mod fetch;
mod from_python;
mod fuzz;
mod launch;
mod oracle;
mod pins;
mod sanitize;
mod setup;
mod test;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The error type of every task: a message for the user.
pub type Result<T, E = String> = std::result::Result<T, E>;

const HELP: &str = "\
cargo xtask <command> [options]

commands:
  setup [--backend cpu|cuda|metal] [--python] [--data] [--models]
                                     fetch the pinned native dependencies into third_party/
                                     (--python: also Python MLX, the oracle and bench rival;
                                     --data: also the digits data set of train_digits;
                                     --models: also all-MiniLM-L6-v2, 83 MB, for embed)
                                     (checks every sha256; a second run does nothing)
  bindgen [--check]                  regenerate mlxrs-sys's committed bindings from the pinned
                                     mlx-c headers (--check: fail if the committed file differs)
  test [--gpu] [--no-lint] [--oracle] [--models] [-- <cargo test args>]
                                     setup, then fmt, clippy, docs, and every test suite of the
                                     workspace (GPU suites only where MLX reports a GPU, or --gpu;
                                     --oracle: then the differential suite against Python MLX;
                                     --models or MLXRS_REQUIRE_MODELS=1: fetch the MiniLM model
                                     and require its tests, which otherwise skip without it)
  oracle [--filter S]                the differential suite alone: mlxrs and Python MLX compute
                                     the same cases (those whose op contains S), compared with
                                     per-dtype tolerances; files in target/oracle/
  coverage                           which mlx-c functions (ops, linalg, fft, random, fast, io,
                                     export) the safe API calls; fails on an unlisted gap; then
                                     which names of Python MLX's mlx.nn, losses, init,
                                     optimizers and utils mlxrs has (`nn: wrapped N of M`)
  bench [--compare python,cpp] [--quick] [--filter S] [--rounds N] [--device cpu|gpu]
        [--set cpu|gpu] [--runners DIR] [--out DIR]
                                     mlxrs vs Python MLX vs C++ MLX, interleaved; writes
                                     target/bench-report.{md,json,svg} (--device gpu: the gpu_*
                                     set on the GPU, target/bench-report-gpu.*; --set gpu on the
                                     CPU: that set on the CPU; --runners DIR: prebuilt runners,
                                     nothing built, Python from PYTHON with its own PYTHONPATH;
                                     --out: the reports' folder)
  bench --build-runners DIR          build mlxrs's and the C++ runner, copy them with runner.py
                                     to DIR (mlxrs-runner, cpp-runner, runner.py) for --runners
  example <name> [-- <args>]         setup, then run mlxrs's example <name> (release build;
                                     train_digits and classify_digits also fetch the digits,
                                     embed and semantic_search the MiniLM model)
  docsrs                             build mlxrs-sys's and mlxrs's docs as docs.rs does (DOCS_RS=1,
                                     no MLX or mlx-c), failing on any warning; check that
                                     `cargo package --list` holds the files a registry build needs
  downstream                         a new crate outside the workspace uses mlxrs as the README's
                                     `Using mlxrs from your crate` says, builds offline and runs
                                     (a value_and_grad and a matmul, numbers checked)
  launch -n N [--backend ring|mpi] [--hostfile FILE] [--verbose] [--timeout SECS] [--print]
         [--env K=V]... -- CMD...
                                     start a distributed MLX job as mlx.launch does: N local
                                     ranks with MLX_RANK/MLX_HOSTFILE (free loopback ports),
                                     or one rank per hostfile host (ssh), or mpirun; output
                                     prefixed [rank]; a failing rank stops all (docs/DISTRIBUTED.md)
  from-python                        check docs/FROM_PYTHON.md: its Rust paths exist in mlxrs and
                                     every function of Python's mlx.core has a row
  fuzz --time SECONDS [TARGET]       the cargo-fuzz targets of fuzz/ (ops, load_npy,
                                     load_safetensors, load_gguf; nightly and cargo-fuzz),
                                     each for SECONDS from the seed corpus fuzz/corpus/; a
                                     crash lands in fuzz/artifacts/ (make it a regression input)
  leak-check                         run the mlxrs test suites under valgrind's leak checker
  soak [--iterations N]              the full soak (release): N iterations (default 25,000) of
                                     4 transform calls and 4 op errors each, sampling MLX's
                                     active memory and the RSS; prints the curve, writes
                                     target/soak.svg, fails unless both return to the baseline
                                     within their bounds (docs/RELIABILITY.md)
  tidy                               repository invariants (layers, pins agree)
  tsan [-- FILTER...]                the thread tests under ThreadSanitizer (nightly, -Zbuild-std;
                                     mlx-c instrumented too); fails on any reported race
  sanitize [-- FILTER...]            every mlxrs test suite under AddressSanitizer and
                                     LeakSanitizer (nightly); fails on any report
  help                               this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    };
    let result = match cmd.as_str() {
        "setup" => setup::run(rest).map(|_| ()),
        "bindgen" => bindgen::run(rest),
        "test" => test::run(rest),
        "leak-check" => test::leak_check(rest),
        "example" => example(rest),
        "launch" => launch::run(rest),
        "soak" => soak(rest),
        "fuzz" => fuzz::run(rest),
        "bench" => bench::run(rest),
        "tidy" => tidy::run(rest),
        "tsan" => sanitize::tsan(rest),
        "sanitize" => sanitize::asan(rest),
        "coverage" => coverage::run(rest),
        "docsrs" => docsrs::run(rest),
        "downstream" => downstream::run(rest),
        "from-python" => from_python::run(rest),
        "oracle" => oracle::run(rest),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("xtask: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask example <name> [-- args]`: setup, then `cargo run --release --example`.
fn example(args: &[String]) -> Result<()> {
    let Some((name, rest)) = args.split_first() else {
        return Err("example: which one? (e.g. `cargo xtask example quickstart`)".into());
    };
    setup::setup(setup::natural_backend())?;
    if name.contains("digits") {
        setup::digits()?;
    }
    if ["embed", "semantic_search"].contains(&name.as_str()) {
        setup::minilm()?;
    }
    let mut cmd = cargo();
    cmd.current_dir(project_root()).args([
        "run",
        "--quiet",
        "--release",
        "--package",
        "mlxrs",
        "--example",
        name,
    ]);
    let rest: Vec<&String> = rest.iter().skip_while(|a| a.as_str() == "--").collect();
    if !rest.is_empty() {
        cmd.arg("--").args(rest);
    }
    run_cmd(&mut cmd)
}

/// `cargo xtask soak [--iterations N]`: the soak example in release, its plot written to
/// `target/soak.svg`.
fn soak(args: &[String]) -> Result<()> {
    let iterations = match args {
        [] => "25000".to_string(),
        [flag, n] if flag == "--iterations" && n.parse::<usize>().is_ok() => n.clone(),
        _ => return Err(format!("soak: expected [--iterations N], got {args:?}")),
    };
    let svg = project_root().join("target").join("soak.svg");
    example(&[
        "soak".into(),
        "--".into(),
        "--iterations".into(),
        iterations,
        "--svg".into(),
        svg.to_string_lossy().into_owned(),
    ])
}

/// The workspace root (the folder holding the top-level Cargo.toml).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// `third_party/`, or `MLXRS_THIRD_PARTY` when set.
pub fn third_party() -> PathBuf {
    std::env::var_os("MLXRS_THIRD_PARTY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("third_party"))
}

/// The cargo that runs us.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs a command to completion, echoing it; a non-zero exit is an error.
pub fn run_cmd(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {}", show(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", show(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(cmd)))
    }
}

fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}
