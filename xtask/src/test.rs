//! `cargo xtask test` and `cargo xtask leak-check`.

use crate::{Result, cargo, docsrs, from_python, oracle, project_root, run_cmd, setup};
use std::path::PathBuf;
use std::process::Command;

/// The optional interop features, on in every lint and test run.
const INTEROP_FEATURES: &str = "mlxrs/ndarray,mlxrs/safetensors";

/// `cargo xtask test [--backend B] [--gpu] [--no-lint] [--oracle] [-- <cargo test args>]`
///
/// `--oracle`: after the test suites, the differential suite against Python MLX
/// (`cargo xtask oracle`).
pub fn run(args: &[String]) -> Result<()> {
    let mut backend = None;
    let mut gpu = false;
    let mut lint = true;
    let mut with_oracle = false;
    let mut with_models = false;
    let mut extra = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--gpu" => gpu = true,
            "--no-lint" => lint = false,
            "--oracle" => with_oracle = true,
            "--models" => with_models = true,
            "--backend" => backend = Some(it.next().ok_or("--backend needs a value")?.clone()),
            "--" => extra.extend(it.by_ref().cloned()),
            other => return Err(format!("test: unknown option `{other}`")),
        }
    }
    // The sentence-embedding tests need the MiniLM model (83 MB): fetched only when asked,
    // and then required; without it they skip with a note.
    let with_models = with_models
        || std::env::var("MLXRS_REQUIRE_MODELS").is_ok_and(|v| !v.is_empty() && v != "0");
    let setup = setup::setup(backend.as_deref().unwrap_or(setup::natural_backend()))?;
    // The training test learns the digits; it requires them when this variable is set.
    let digits = setup::digits()?;
    let root = project_root();
    std::env::set_current_dir(&root).map_err(|e| e.to_string())?;

    if lint {
        run_cmd(cargo().args(["fmt", "--all", "--", "--check"]))?;
        run_cmd(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            "mlxrs/gpu-tests,mlxrs/ndarray,mlxrs/safetensors",
            "--",
            "-D",
            "warnings",
        ]))?;
        run_cmd(
            cargo()
                .args(["doc", "--workspace", "--no-deps"])
                .args(["--features", INTEROP_FEATURES])
                .env("RUSTDOCFLAGS", "-D warnings"),
        )?;
        // The docs as docs.rs builds them: no native library at hand.
        docsrs::run(&[])?;
        // docs/FROM_PYTHON.md against mlxrs's sources and Python's mlx.core.
        from_python::run(&[])?;
    }

    // GPU suites: only where MLX was set up with a GPU backend, or when asked.
    let gpu = gpu || setup.backend != "cpu";
    let mut test = cargo();
    test.args(["test", "--workspace", "--features", INTEROP_FEATURES]);
    // The suites run on the CPU device on every backend (they use float64 and other
    // CPU-only features); the GPU suite picks the GPU with its own streams.
    if std::env::var_os("MLXRS_DEFAULT_DEVICE").is_none() {
        test.env("MLXRS_DEFAULT_DEVICE", "cpu");
    }
    test.env("MLXRS_DIGITS", &digits);
    if with_models {
        // The model tests compare with a NumPy forward pass: the pinned NumPy is
        // installed with Python MLX into third_party/python.
        test.env("MLXRS_MINILM", setup::minilm()?)
            .env("MLXRS_REQUIRE_MODELS", "1")
            .env("PYTHONPATH", setup::python_mlx()?);
    }
    if with_oracle {
        // The tests that run Python MLX themselves (weights and state moving between the
        // two) find the oracle's pinned copy, and fail rather than skip without it.
        let python_path = setup::python_mlx()?;
        test.env("PYTHONPATH", &python_path)
            .env("MLXRS_REQUIRE_PYTHON", "1");
    }
    if gpu {
        test.args(["--features", "mlxrs/gpu-tests"]);
    }
    if !extra.is_empty() {
        test.arg("--").args(&extra);
    }
    run_cmd(&mut test)?;

    let acceptance = acceptance_dir();
    match &acceptance {
        Some(dir) => eprintln!(
            "test: acceptance tests from {} ran as mlxrs's `acceptance` suite",
            dir.display()
        ),
        None => eprintln!("test: no ../shared/acceptance folder; acceptance suite empty"),
    }
    if gpu {
        eprintln!("test: GPU suites ran (backend {})", setup.backend);
    } else {
        eprintln!(
            "test: GPU suites skipped (MLX set up for the `cpu` backend; pass --gpu to force)"
        );
    }
    eprintln!("test: all passed");
    if with_oracle {
        oracle::run_oracle(None)?;
    }
    Ok(())
}

fn acceptance_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("MLXRS_ACCEPTANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("../shared/acceptance"));
    dir.is_dir().then_some(dir)
}

/// Runs every mlxrs test binary under valgrind's memcheck and fails on a definite leak.
pub fn leak_check(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        return Err(format!("leak-check: unexpected arguments {args:?}"));
    }
    setup::setup(setup::natural_backend())?;
    if Command::new("valgrind").arg("--version").output().is_err() {
        return Err("leak-check needs valgrind (Debian/Ubuntu: `apt-get install valgrind`)".into());
    }
    let root = project_root();
    // Build the test binaries and ask cargo where they are.
    let out = cargo()
        .current_dir(&root)
        .args([
            "test",
            "--package",
            "mlxrs",
            "--no-run",
            "--message-format=json",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "building the tests failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut binaries = Vec::new();
    for line in text.lines() {
        if !line.contains("\"profile\"") || !line.contains("\"test\":true") {
            continue;
        }
        if let Some(start) = line.find("\"executable\":\"") {
            let rest = &line[start + 14..];
            if let Some(end) = rest.find('"') {
                binaries.push(rest[..end].to_string());
            }
        }
    }
    if binaries.is_empty() {
        return Err("cargo reported no test binaries for mlxrs".into());
    }
    for bin in binaries {
        run_cmd(
            Command::new("valgrind")
                .args([
                    "--leak-check=full",
                    // Deep enough to reach MPI_Init from Open MPI's component loading
                    // (the `openmpi_init_once` suppression).
                    "--num-callers=50",
                    "--errors-for-leak-kinds=definite",
                    "--show-leak-kinds=definite",
                    "--error-exitcode=97",
                ])
                .arg(format!(
                    "--suppressions={}",
                    root.join("xtask/valgrind.supp").display()
                ))
                .arg(&bin)
                // The 10,000-round thread test runs 200 rounds under valgrind, the
                // reliability binary's stress and soak-lite fewer too; valgrind holds
                // freed memory back, so the soak's resident-set bound is left out.
                .env("MLXRS_THREAD_ROUNDS", "200")
                .env("MLXRS_STRESS_ROUNDS", "6")
                .env("MLXRS_SOAK_ITERATIONS", "100")
                .env("MLXRS_SOAK_SKIP_RSS", "1")
                // valgrind serialises threads; two test threads keep it tractable.
                .args(["--test-threads", "2"]),
        )?;
    }
    eprintln!("leak-check: no definite leaks");
    Ok(())
}
