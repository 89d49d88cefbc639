//! `cargo xtask bench [--compare python,cpp] [--quick] [--filter S]`: mlxrs, Python MLX
//! and C++ MLX on the same workloads, interleaved in one run, one table.
//!
//! Each contender is a long-lived runner process speaking one line protocol (see
//! mlxrs/benches/runner.rs). Latency-bound workloads run in runners pinned to CPU 0 (the
//! caller and MLX's worker thread then share a core, for all three alike); compute-bound
//! ones in unpinned runners. Rounds interleave the contenders, rotating their order, and
//! the report keeps the median over rounds.

use crate::{Result, cargo, project_root, run_cmd, setup};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// A contender: name and how to start its runner.
struct Contender {
    name: &'static str,
    command: Vec<String>,
    env: Vec<(String, String)>,
}

/// A running runner process.
struct Runner {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Runner {
    fn start(c: &Contender, pinned: bool) -> Result<Runner> {
        let mut argv = c.command.clone();
        if pinned && Command::new("taskset").arg("--version").output().is_ok() {
            argv.splice(
                0..0,
                ["taskset".to_string(), "-c".to_string(), "0".to_string()],
            );
        }
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in &c.env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start the {} runner: {e}", c.name))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Runner {
            child,
            stdin,
            stdout,
        })
    }

    fn ask(&mut self, line: &str) -> Result<String> {
        writeln!(self.stdin, "{line}").map_err(|e| format!("runner: {e}"))?;
        self.stdin.flush().map_err(|e| format!("runner: {e}"))?;
        let mut reply = String::new();
        self.stdout
            .read_line(&mut reply)
            .map_err(|e| format!("runner: {e}"))?;
        if reply.is_empty() {
            return Err("a runner exited".into());
        }
        Ok(reply.trim().to_string())
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.stdin.flush();
        let _ = self.child.wait();
    }
}

/// One row of the report.
struct Row {
    workload: String,
    /// median ns per contender (mlxrs, python, cpp), None where not run
    ns: [Option<f64>; 3],
}

/// The options of `cargo xtask bench`.
struct Options {
    compare: Vec<String>,
    quick: bool,
    filter: Option<String>,
    rounds: Option<usize>,
    /// The runners' default device: `cpu` or `gpu`.
    device: String,
    /// Which workload set: `cpu` (today's) or `gpu` (the `gpu_*` ids).
    set: String,
    /// Prebuilt runners (`--runners DIR`): nothing is set up or built.
    runners: Option<PathBuf>,
    /// Where the reports go.
    out: PathBuf,
}

fn parse_options(args: &[String]) -> Result<Options> {
    let mut o = Options {
        compare: vec!["python".to_string(), "cpp".to_string()],
        quick: false,
        filter: None,
        rounds: None,
        device: "cpu".into(),
        set: String::new(),
        runners: None,
        out: project_root().join("target"),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("bench: {name} needs a value"))
        };
        match a.as_str() {
            "--quick" => o.quick = true,
            "--compare" => {
                o.compare = value("--compare (python,cpp)")?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "--filter" => o.filter = Some(value("--filter")?),
            "--rounds" => {
                let n = value("--rounds")?;
                o.rounds = Some(
                    n.parse()
                        .map_err(|_| format!("--rounds: `{n}` is not a number"))?,
                );
            }
            "--device" => o.device = value("--device (cpu or gpu)")?,
            "--set" => o.set = value("--set (cpu or gpu)")?,
            "--runners" => o.runners = Some(PathBuf::from(value("--runners DIR")?)),
            "--out" => o.out = PathBuf::from(value("--out DIR")?),
            other => return Err(format!("bench: unknown option `{other}`")),
        }
    }
    for c in &o.compare {
        if c != "python" && c != "cpp" {
            return Err(format!("bench: unknown contender `{c}` (python, cpp)"));
        }
    }
    if o.set.is_empty() {
        o.set = o.device.clone();
    }
    for (name, v) in [("--device", &o.device), ("--set", &o.set)] {
        if v != "cpu" && v != "gpu" {
            return Err(format!("bench: {name} `{v}`: expected cpu or gpu"));
        }
    }
    if o.device == "gpu" && o.set == "cpu" {
        return Err("bench: --device gpu runs the GPU set only (leave out --set cpu)".into());
    }
    Ok(o)
}

/// `cargo xtask bench --build-runners DIR`: builds mlxrs's release runner and the C++
/// runner here and copies them, with the Python runner, to `DIR/mlxrs-runner`,
/// `DIR/cpp-runner` and `DIR/runner.py`, for `cargo xtask bench --runners DIR` on a
/// machine without our toolchain or third_party/ (the runners then need a libmlx on the
/// loader path there, and `PYTHONPATH` holding Python MLX).
pub fn build_runners(dir: &Path) -> Result<()> {
    setup::setup("cpu")?;
    let root = project_root();
    let mlxrs = mlxrs_runner(&root)?;
    let cpp = cpp_runner(&root, &crate::third_party())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let python = root.join("xtask/bench/runner.py");
    for (from, name) in [
        (Path::new(&mlxrs), "mlxrs-runner"),
        (Path::new(&cpp), "cpp-runner"),
        (python.as_path(), "runner.py"),
    ] {
        let to = dir.join(name);
        std::fs::copy(from, &to)
            .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    }
    eprintln!(
        "bench: runners in {} (mlxrs-runner, cpp-runner, runner.py)",
        dir.display()
    );
    Ok(())
}

pub fn run(args: &[String]) -> Result<()> {
    if let Some(i) = args.iter().position(|a| a == "--build-runners") {
        let dir = args
            .get(i + 1)
            .ok_or("bench: --build-runners needs a folder")?;
        if args.len() != 2 {
            return Err("bench: --build-runners DIR takes no other option".into());
        }
        return build_runners(Path::new(dir));
    }
    let o = parse_options(args)?;
    let (compare, quick, filter) = (&o.compare, o.quick, &o.filter);
    let gpu_set = o.set == "gpu";
    let device_env = ("MLXRS_BENCH_DEVICE".to_string(), o.device.clone());
    let root = project_root();
    let mut contenders = Vec::new();
    match &o.runners {
        Some(dir) => {
            // Prebuilt: no setup, no cargo, no g++; Python from `PYTHON` with the
            // environment's own PYTHONPATH.
            let exe = |name: &str| -> Result<String> {
                let p = dir.join(name);
                if p.is_file() {
                    Ok(p.display().to_string())
                } else {
                    Err(format!(
                        "bench --runners: no {} (make it with `cargo xtask bench --build-runners DIR`)",
                        p.display()
                    ))
                }
            };
            contenders.push(Contender {
                name: "mlxrs",
                command: vec![exe("mlxrs-runner")?, "--serve".into()],
                env: vec![device_env.clone()],
            });
            if compare.iter().any(|c| c == "python") {
                let python = std::env::var("PYTHON")
                    .ok()
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| "python3".into());
                contenders.push(Contender {
                    name: "python",
                    command: vec![python, exe("runner.py")?],
                    env: vec![device_env.clone()],
                });
            }
            if compare.iter().any(|c| c == "cpp") {
                contenders.push(Contender {
                    name: "cpp",
                    command: vec![exe("cpp-runner")?],
                    env: vec![device_env.clone()],
                });
            }
        }
        None => {
            setup::setup("cpu")?;
            let tp = crate::third_party();
            contenders.push(Contender {
                name: "mlxrs",
                command: vec![mlxrs_runner(&root)?, "--serve".into()],
                env: vec![device_env.clone()],
            });
            if compare.iter().any(|c| c == "python") {
                let py = setup::python_mlx()?;
                contenders.push(Contender {
                    name: "python",
                    command: vec![
                        setup::python_exe(),
                        root.join("xtask/bench/runner.py").display().to_string(),
                    ],
                    env: vec![
                        ("PYTHONPATH".into(), py.display().to_string()),
                        device_env.clone(),
                    ],
                });
            }
            if compare.iter().any(|c| c == "cpp") {
                contenders.push(Contender {
                    name: "cpp",
                    command: vec![cpp_runner(&root, &tp)?],
                    env: vec![device_env.clone()],
                });
            }
        }
    }

    // The workload list comes from mlxrs's runner: (id, pinned, slow).
    let workloads = list_workloads(&contenders[0], gpu_set)?;
    if !workloads
        .iter()
        .any(|(id, _, _)| base_id(id).starts_with("bert"))
    {
        eprintln!(
            "bench: the bert_* rows are skipped: no all-MiniLM-L6-v2 model in third_party/minilm \
             (fetch it with `cargo xtask setup --models`)"
        );
    }
    // Latency rows are pinned to one CPU on a CPU run only.
    let pin = o.device == "cpu";
    let workloads: Vec<(String, bool)> = workloads
        .into_iter()
        .filter(|(id, _, slow)| {
            !(quick && *slow) && filter.as_ref().is_none_or(|f| id.contains(f.as_str()))
        })
        .map(|(id, pinned, _)| (id, pinned && pin))
        .collect();
    let rounds = o.rounds.unwrap_or(if quick { 3 } else { 5 }).max(1);
    let (target_ms, samples) = if quick { ("120", "5") } else { ("300", "7") };

    let mut runners: Vec<[Runner; 2]> = contenders
        .iter()
        .map(|c| Ok([Runner::start(c, pin)?, Runner::start(c, false)?]))
        .collect::<Result<_>>()?;
    let mut results: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); contenders.len()]; workloads.len()];
    for round in 0..rounds {
        eprintln!("bench: round {}/{rounds}", round + 1);
        for (w, (id, pinned)) in workloads.iter().enumerate() {
            let n = contenders.len();
            for k in 0..n {
                let c = (k + round + w) % n; // rotate who goes first
                let runner = &mut runners[c][if *pinned { 0 } else { 1 }];
                let reply = runner.ask(&format!("run {id} {target_ms} {samples}"))?;
                if let Some(ns) = reply
                    .strip_prefix("ok ")
                    .and_then(|v| v.parse::<f64>().ok())
                {
                    results[w][c].push(ns);
                } else if reply.starts_with("err") {
                    eprintln!("bench: {} {id}: {reply}", contenders[c].name);
                }
            }
            // free the big buffers of this workload before the next one
            for r in runners.iter_mut() {
                let _ = r[if *pinned { 0 } else { 1 }].ask(&format!("drop {id}"));
            }
        }
    }
    // Peak resident memory of each contender's runners (the larger of its two).
    let mut rss = Vec::new();
    for (c, pair) in contenders.iter().zip(runners.iter_mut()) {
        let kib = pair
            .iter_mut()
            .filter_map(|r| r.ask("rss").ok()?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        rss.push(format!("{} {} MiB", c.name, kib / 1024));
    }
    // What each contender runs on, for the GPU report's header.
    let mut devices = Vec::new();
    if gpu_set {
        for (c, pair) in contenders.iter().zip(runners.iter_mut()) {
            let d = pair[1].ask("device").unwrap_or_else(|e| format!("? ({e})"));
            devices.push(format!("{} {d}", c.name));
        }
    }
    drop(runners);

    let rows: Vec<Row> = workloads
        .iter()
        .enumerate()
        .map(|(w, (id, _))| {
            let mut ns = [None; 3];
            for (c, contender) in contenders.iter().enumerate() {
                let slot = match contender.name {
                    "mlxrs" => 0,
                    "python" => 1,
                    _ => 2,
                };
                ns[slot] = median(&results[w][c]);
            }
            Row {
                workload: id.clone(),
                ns,
            }
        })
        .collect();
    let info = Runner::start(&contenders[0], false)?.ask("info")?;
    let md = if gpu_set {
        let header = format!(
            "{}\n\nmlxrs: {info}\n\n{PEAKS}\n\npeak resident memory of the runners (host): {}",
            gpu_header(&devices, rounds, quick),
            rss.join(", ")
        );
        markdown_gpu(&header, &rows)
    } else {
        let header = format!(
            "{}\n\nmlxrs: {info}; Python MLX: as shipped (the wheel's reference BLAS, glibc defaults); \
             C++ MLX: same libmlx, built with mlxrs's BLAS and allocator configuration\n\n\
             peak resident memory of the runners: {}",
            machine_header(rounds, quick),
            rss.join(", ")
        );
        markdown(&header, &rows)
    };
    print!("{md}");
    let stem = if gpu_set {
        "bench-report-gpu"
    } else {
        "bench-report"
    };
    let target = &o.out;
    std::fs::create_dir_all(target)
        .map_err(|e| format!("cannot create {}: {e}", target.display()))?;
    let write = |ext: &str, text: String| {
        let path = target.join(format!("{stem}.{ext}"));
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write("md", md.clone())?;
    write("json", json(&rows, gpu_set))?;
    write("svg", svg(&rows))?;
    eprintln!(
        "bench: wrote {0}/{stem}.md, {0}/{stem}.json, {0}/{stem}.svg",
        if o.runners.is_none() && o.out == root.join("target") {
            "target".to_string()
        } else {
            target.display().to_string()
        }
    );
    Ok(())
}

fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    Some(if s.len() % 2 == 1 {
        s[s.len() / 2]
    } else {
        (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
    })
}

/// A workload id without the `gpu_` prefix of the GPU set.
fn base_id(id: &str) -> &str {
    id.strip_prefix("gpu_").unwrap_or(id)
}

/// Whether a workload is latency-bound (pinned to one CPU on a CPU run) and whether
/// `--quick` skips it, by the fixed naming rules shared with mlxrs/benches/common
/// (latency workloads pinned; 4096 matmul, bf16 2048, 10^7 to_vec and the Transformer
/// training steps skipped by --quick; in the GPU set the 8192 products and the
/// Transformer step).
fn classify(id: &str) -> (bool, bool) {
    let b = base_id(id);
    let compute = b.starts_with("matmul")
        || b.starts_with("bert")
        || b.starts_with("mlp_step")
        || b.starts_with("train_")
        || b.starts_with("sdpa_")
        || b.starts_with("rms_norm_")
        || b.contains("4096x4096")
        || b.contains("8192x8192");
    let slow = if id.starts_with("gpu_") {
        (b.starts_with("matmul_") && b.ends_with("_8192")) || b.starts_with("train_transformer")
    } else {
        b == "matmul_f32_4096"
            || b == "matmul_bf16_2048"
            || b == "to_vec_10000000"
            || b.starts_with("train_transformer")
    };
    (!compute, slow)
}

fn list_workloads(mlxrs: &Contender, gpu_set: bool) -> Result<Vec<(String, bool, bool)>> {
    // The runner prints ids; pinning and slowness follow `classify`.
    let mut r = Runner::start(mlxrs, false)?;
    let ids = r.ask(if gpu_set { "list gpu" } else { "list" })?;
    Ok(ids
        .split_whitespace()
        .filter(|id| !id.starts_with("from_slice_") && *id != "clone_drop" && *id != "item_1")
        .map(|id| {
            let (pinned, slow) = classify(id);
            (id.to_string(), pinned, slow)
        })
        .collect())
}

/// Builds mlxrs's runner (release, as `cargo bench` does) and returns its path.
fn mlxrs_runner(root: &Path) -> Result<String> {
    let out = cargo()
        .current_dir(root)
        .args([
            "bench",
            "--package",
            "mlxrs",
            "--bench",
            "runner",
            "--no-run",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("building mlxrs's bench runner failed".into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter(|l| l.contains("\"name\":\"runner\"") && l.contains("\"executable\":\""))
        .filter_map(|l| {
            let start = l.find("\"executable\":\"")? + 14;
            let end = l[start..].find('"')? + start;
            Some(l[start..end].to_string())
        })
        .next_back()
        .ok_or_else(|| "cargo did not report the runner executable".into())
}

/// Compiles the C++ runner with the system g++ against third_party's MLX (no cmake).
fn cpp_runner(root: &Path, tp: &Path) -> Result<String> {
    let src = root.join("xtask/bench/runner.cpp");
    let backend = std::fs::read_to_string(tp.join("BACKEND")).unwrap_or_else(|_| "cpu".into());
    let mlx = tp.join(format!("mlx-{}/mlx", backend.trim()));
    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let exe: PathBuf = out_dir.join("cpp_runner");
    // Always rebuilt (a few seconds): its configuration follows the environment.
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "g++".into());
    let lib = mlx.join("lib");
    let mut cmd = Command::new(cxx);
    cmd.args(["-O2", "-std=c++20"])
        .arg(format!("-I{}", mlx.join("include").display()))
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib.display()))
        .arg("-lmlx")
        .arg(format!("-Wl,-rpath,{}", lib.display()));
    // The floor runs in mlxrs's configuration: the same BLAS and allocator tuning.
    if cfg!(all(target_os = "linux", target_env = "gnu"))
        && std::env::var("MLXRS_MALLOC").as_deref() != Ok("system")
    {
        cmd.arg("-DMLXRS_MALLOC_TUNING");
    }
    if std::env::var("MLXRS_BLAS").as_deref() != Ok("reference") {
        if let Some(blas) = std::env::var_os("MLXRS_BLAS")
            .map(PathBuf::from)
            .or_else(setup::openblas_path)
        {
            cmd.arg("-Wl,--no-as-needed")
                .arg(blas)
                .arg("-Wl,--as-needed");
        }
    }
    run_cmd(&mut cmd)?;
    Ok(exe.display().to_string())
}

fn machine_header(rounds: usize, quick: bool) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown CPU")
        .to_string();
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!(
        "machine: {model}, {cpus} CPUs, {} {}; MLX 0.32.2 (mlx-cpu wheel); {rounds} interleaved rounds{}",
        std::env::consts::OS,
        std::env::consts::ARCH,
        if quick { " (--quick)" } else { "" }
    )
}

fn fmt_ns(ns: Option<f64>) -> String {
    match ns {
        None => "-".into(),
        Some(v) if v >= 1e9 => format!("{:.2} s", v / 1e9),
        Some(v) if v >= 1e6 => format!("{:.2} ms", v / 1e6),
        Some(v) if v >= 1e3 => format!("{:.2} µs", v / 1e3),
        Some(v) => format!("{v:.0} ns"),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? / b?)
}

/// mlxrs's rate for a workload whose work is known: GFLOP/s for matmul, GB/s (bytes
/// read and written) for the bandwidth-bound rows, time per op for the chains.
fn rate(workload: &str, ns: Option<f64>) -> String {
    let Some(ns) = ns else { return "-".into() };
    let n4096 = 4096.0 * 4096.0;
    let digits = |key: &str| -> Option<f64> {
        let rest = &workload[workload.find(key)? + key.len()..];
        let d: String = rest.chars().take_while(char::is_ascii_digit).collect();
        d.parse().ok()
    };
    if workload.starts_with("matmul_") {
        let n = workload
            .rsplit('_')
            .next()
            .and_then(|n| n.parse::<f64>().ok());
        return n.map_or("-".into(), |n| {
            format!("{:.1} GFLOP/s", 2.0 * n * n * n / ns)
        });
    }
    if workload.starts_with("bert") {
        // sentences per second: the batch size over the time per batch
        return digits("_b").map_or("-".into(), |b| format!("{:.0} sentences/s", b * 1e9 / ns));
    }
    match workload {
        "add_4096x4096" => format!("{:.1} GB/s", 3.0 * 4.0 * n4096 / ns),
        "softmax_4096x4096" | "layer_norm_4096x4096" => {
            format!("{:.2} GB/s", 2.0 * 4.0 * n4096 / ns)
        }
        _ if workload.contains("chain") => {
            digits("chain").map_or("-".into(), |len| fmt_ns(Some(ns / len)) + "/op")
        }
        _ => "-".into(),
    }
}

fn markdown(header: &str, rows: &[Row]) -> String {
    let mut s = format!(
        "{header}\n\n| workload | mlxrs | Python MLX as shipped | C++ MLX | mlxrs/python | mlxrs/cpp | mlxrs rate |\n|---|---:|---:|---:|---:|---:|---:|\n"
    );
    for r in rows {
        let f = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.3}"));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.workload,
            fmt_ns(r.ns[0]),
            fmt_ns(r.ns[1]),
            fmt_ns(r.ns[2]),
            f(ratio(r.ns[0], r.ns[1])),
            f(ratio(r.ns[0], r.ns[2])),
            rate(&r.workload, r.ns[0])
        );
    }
    s
}

/// The figures the GPU report's "fraction of peak" column divides by.
const PEAKS: &str = "fraction of peak: of the NVIDIA H200 SXM datasheet's dense figures, \
                     989 TFLOP/s bf16/f16 (matmul f16/bf16, sdpa), 494.7 TFLOP/s TF32 (matmul \
                     f32: MLX's CUDA backend multiplies f32 in TF32 by default), 4.8 TB/s HBM3e \
                     (softmax, norms, add)";
const PEAK_BF16: f64 = 989e12;
const PEAK_TF32: f64 = 494.7e12;
const PEAK_HBM: f64 = 4.8e12;

fn gpu_header(devices: &[String], rounds: usize, quick: bool) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let host = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown CPU");
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    // nvidia-smi where there is one: the GPU's name, memory and driver.
    let smi = Command::new("nvidia-smi")
        .args([
            "--query-gpu=name,memory.total,driver_version",
            "--format=csv,noheader",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .replace('\n', "; ")
        })
        .filter(|s| !s.is_empty());
    format!(
        "machine: {}; host {host}, {cpus} CPUs, {} {}; MLX 0.32.2; {rounds} interleaved rounds{}\n\n\
         default device of the runners: {}",
        smi.map_or("no nvidia-smi".into(), |s| format!("GPU {s} (nvidia-smi)")),
        std::env::consts::OS,
        std::env::consts::ARCH,
        if quick { " (--quick)" } else { "" },
        devices.join("; ")
    )
}

/// What one iteration of a GPU-set workload computes (flop) or moves (bytes read and
/// written), and the datasheet peak it is measured against.
#[derive(Debug, PartialEq)]
enum Work {
    Flop { flop: f64, peak: f64 },
    Bytes { bytes: f64, peak: f64 },
}

/// The `N`×`M` shape that ends an id such as `add_8192x8192`.
fn shape_nxm(id: &str) -> Option<(f64, f64)> {
    let (n, m) = id.rsplit('_').next()?.split_once('x')?;
    Some((n.parse().ok()?, m.parse().ok()?))
}

/// The number right after `key` in `id` (`sdpa_b8_h16...`, `_h` → 16).
fn number_after(id: &str, key: &str) -> Option<f64> {
    let rest = &id[id.find(key)? + key.len()..];
    let d: String = rest.chars().take_while(char::is_ascii_digit).collect();
    d.parse().ok()
}

fn gpu_work(id: &str) -> Option<Work> {
    let b = base_id(id);
    if let Some(rest) = b.strip_prefix("matmul_") {
        let (dtype, n) = rest.split_once('_')?;
        let n: f64 = n.parse().ok()?;
        let peak = match dtype {
            "f32" => PEAK_TF32,
            "f16" | "bf16" => PEAK_BF16,
            _ => return None,
        };
        return Some(Work::Flop {
            flop: 2.0 * n * n * n,
            peak,
        });
    }
    if b.starts_with("sdpa_") {
        // q·kᵀ and p·v: 2·S·S·D each per head
        let [batch, heads, s, d] = ["_b", "_h", "_s", "_d"].map(|k| number_after(b, k));
        return Some(Work::Flop {
            flop: 4.0 * batch? * heads? * s? * s? * d?,
            peak: PEAK_BF16,
        });
    }
    let (n, m) = shape_nxm(b)?;
    // f32: add reads two and writes one; the row-wise kernels read one and write one
    let passes = if b.starts_with("add_") {
        3.0
    } else if ["softmax_", "layer_norm_", "rms_norm_"]
        .iter()
        .any(|p| b.starts_with(p))
    {
        2.0
    } else {
        return None;
    };
    Some(Work::Bytes {
        bytes: passes * 4.0 * n * m,
        peak: PEAK_HBM,
    })
}

/// `x` with three significant digits (no exponent).
fn sig3(x: f64) -> String {
    let digits = if x > 0.0 {
        (2 - x.log10().floor() as i32).max(0) as usize
    } else {
        2
    };
    format!("{x:.digits$}")
}

/// mlxrs's rate on a GPU-set workload and its fraction of the datasheet peak: TFLOP/s for
/// matmul and sdpa, GB/s for the bandwidth rows; per op for the chains, sentences/s for
/// BERT (no peak).
fn gpu_rate(id: &str, ns: Option<f64>) -> (String, String) {
    let none = || ("-".to_string(), "-".to_string());
    let Some(ns) = ns else { return none() };
    let b = base_id(id);
    match gpu_work(id) {
        Some(Work::Flop { flop, peak }) => {
            let per_s = flop * 1e9 / ns;
            (
                format!("{} TFLOP/s", sig3(per_s / 1e12)),
                format!("{:.3}", per_s / peak),
            )
        }
        Some(Work::Bytes { bytes, peak }) => {
            let per_s = bytes * 1e9 / ns;
            (
                format!("{} GB/s", sig3(per_s / 1e9)),
                format!("{:.3}", per_s / peak),
            )
        }
        None if b.starts_with("bert") || b.contains("chain") => {
            (rate(b, Some(ns)), "-".to_string())
        }
        None => none(),
    }
}

fn markdown_gpu(header: &str, rows: &[Row]) -> String {
    let mut s = format!(
        "{header}\n\n| workload | mlxrs | Python MLX | C++ MLX | mlxrs/python | mlxrs/cpp | mlxrs rate | fraction of peak |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
    );
    for r in rows {
        let f = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.3}"));
        let (rate, peak) = gpu_rate(&r.workload, r.ns[0]);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {rate} | {peak} |",
            r.workload,
            fmt_ns(r.ns[0]),
            fmt_ns(r.ns[1]),
            fmt_ns(r.ns[2]),
            f(ratio(r.ns[0], r.ns[1])),
            f(ratio(r.ns[0], r.ns[2])),
        );
    }
    s
}

/// The report's rows as JSON; the GPU set's rows also carry mlxrs's rate and its
/// fraction of peak.
fn json(rows: &[Row], gpu_set: bool) -> String {
    let num = |x: Option<f64>| x.map_or("null".into(), |v| format!("{v:.1}"));
    let rat = |x: Option<f64>| x.map_or("null".into(), |v| format!("{v:.4}"));
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            let extra = if gpu_set {
                let (rate, peak) = gpu_rate(&r.workload, r.ns[0]);
                let peak = if peak == "-" { "null".into() } else { peak };
                format!(", \"mlxrs_rate\": \"{rate}\", \"peak_fraction\": {peak}")
            } else {
                String::new()
            };
            format!(
                "  {{\"workload\": \"{}\", \"mlxrs_ns\": {}, \"python_ns\": {}, \"cpp_ns\": {}, \"ratio\": {}, \"ratio_cpp\": {}{extra}}}",
                r.workload,
                num(r.ns[0]),
                num(r.ns[1]),
                num(r.ns[2]),
                rat(ratio(r.ns[0], r.ns[1])),
                rat(ratio(r.ns[0], r.ns[2]))
            )
        })
        .collect();
    format!("[\n{}\n]\n", items.join(",\n"))
}

/// Horizontal bars of mlxrs/python and mlxrs/cpp per workload, log scale (1 = parity).
fn svg(rows: &[Row]) -> String {
    let (left, width, bar, gap) = (230.0, 520.0, 7.0, 6.0);
    let h = 60.0 + rows.len() as f64 * (2.0 * bar + gap);
    // log2 scale from 1/8 to 8
    let x = |r: f64| left + width / 2.0 + (r.log2().clamp(-3.0, 3.0) / 3.0) * (width / 2.0);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"10\">\n\
         <text x=\"10\" y=\"16\" font-size=\"13\">mlxrs time ratio (log scale; left of the line = mlxrs faster)</text>\n\
         <rect x=\"{}\" y=\"24\" width=\"10\" height=\"8\" fill=\"#3b7dd8\"/><text x=\"{}\" y=\"32\">mlxrs / Python MLX</text>\n\
         <rect x=\"{}\" y=\"24\" width=\"10\" height=\"8\" fill=\"#e08a2c\"/><text x=\"{}\" y=\"32\">mlxrs / C++ MLX</text>\n",
        left + width + 20.0,
        left,
        left + 14.0,
        left + 160.0,
        left + 174.0
    );
    for tick in [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0] {
        let tx = x(tick);
        let _ = writeln!(
            s,
            "<line x1=\"{tx}\" y1=\"40\" x2=\"{tx}\" y2=\"{}\" stroke=\"{}\"/><text x=\"{}\" y=\"{}\">{tick}</text>",
            h - 10.0,
            if tick == 1.0 { "#000" } else { "#ddd" },
            tx - 8.0,
            h - 1.0
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = 46.0 + i as f64 * (2.0 * bar + gap);
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + bar + 3.0,
            r.workload
        );
        for (k, (rat, color)) in [
            (ratio(r.ns[0], r.ns[1]), "#3b7dd8"),
            (ratio(r.ns[0], r.ns[2]), "#e08a2c"),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(v) = rat {
                let (a, b) = (x(1.0), x(v));
                let _ = writeln!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{bar}\" fill=\"{color}\"><title>{v:.3}</title></rect>",
                    a.min(b),
                    y + k as f64 * bar,
                    (a - b).abs().max(1.0)
                );
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_reports_have_the_fixed_keys() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        let rows = vec![Row {
            workload: "grad_tiny".into(),
            ns: [Some(10.0), Some(20.0), None],
        }];
        let j = json(&rows, false);
        for key in [
            "\"workload\"",
            "\"mlxrs_ns\"",
            "\"python_ns\"",
            "\"cpp_ns\"",
            "\"ratio\": 0.5000",
            "\"ratio_cpp\": null",
        ] {
            assert!(j.contains(key), "{j}");
        }
        assert!(svg(&rows).starts_with("<svg"));
        assert!(markdown("h", &rows).contains("| grad_tiny | 10 ns | 20 ns | - | 0.500 | - | - |"));
    }

    #[test]
    fn rates_follow_the_work_of_each_workload() {
        // 2·1024³ flop in 10 ms: 214.7 GFLOP/s
        assert_eq!(rate("matmul_f32_1024", Some(1e7)), "214.7 GFLOP/s");
        // 3 × 64 MiB in 10 ms: 20.1 GB/s
        assert_eq!(rate("add_4096x4096", Some(1e7)), "20.1 GB/s");
        assert_eq!(rate("dispatch_chain100_n1", Some(400_000.0)), "4.00 µs/op");
        assert_eq!(rate("build_chain1000_n1024", Some(500_000.0)), "500 ns/op");
        assert_eq!(rate("grad_tiny", Some(1.0)), "-");
        // 32 sentences in 20 ms
        assert_eq!(rate("bert_q8_b32", Some(2e7)), "1600 sentences/s");
        assert_eq!(rate("matmul_f32_1024", None), "-");
    }

    #[test]
    fn gpu_rates_and_fractions_of_peak() {
        // 2·8192³ = 1.0995e12 flop in 2 ms: 549.8 TFLOP/s, 0.556 of 989
        assert_eq!(
            gpu_rate("gpu_matmul_bf16_8192", Some(2e6)),
            ("550 TFLOP/s".to_string(), "0.556".to_string())
        );
        assert_eq!(gpu_rate("gpu_matmul_f16_8192", Some(2e6)).1, "0.556");
        // f32 against TF32: 2·1024³ in 10 µs = 214.7 TFLOP/s, 0.434 of 494.7
        assert_eq!(
            gpu_rate("gpu_matmul_f32_1024", Some(1e4)),
            ("215 TFLOP/s".to_string(), "0.434".to_string())
        );
        // sdpa: 4·8·16·1024²·64 = 3.436e10 flop in 100 µs: 343.6 TFLOP/s, 0.347 of 989
        assert_eq!(
            gpu_rate("gpu_sdpa_b8_h16_s1024_d64", Some(1e5)),
            ("344 TFLOP/s".to_string(), "0.347".to_string())
        );
        // add: 3 × 256 MiB in 200 µs = 4026.5 GB/s, 0.839 of 4.8 TB/s
        assert_eq!(
            gpu_rate("gpu_add_8192x8192", Some(2e5)),
            ("4027 GB/s".to_string(), "0.839".to_string())
        );
        // the row-wise kernels: 2 × 256 MiB in 1 ms = 536.9 GB/s
        for id in [
            "gpu_softmax_8192x8192",
            "gpu_layer_norm_8192x8192",
            "gpu_rms_norm_8192x8192",
        ] {
            assert_eq!(
                gpu_rate(id, Some(1e6)),
                ("537 GB/s".to_string(), "0.112".to_string()),
                "{id}"
            );
        }
        // slow rates keep three significant digits
        assert_eq!(
            gpu_rate("gpu_matmul_f32_1024", Some(1e8)).0,
            "0.0215 TFLOP/s"
        );
        assert_eq!(
            gpu_rate("gpu_dispatch_chain1000_n1", Some(5.8e6)),
            ("5.80 µs/op".to_string(), "-".to_string())
        );
        assert_eq!(gpu_rate("gpu_bert_q8_b32", Some(2e7)).0, "1600 sentences/s");
        assert_eq!(
            gpu_rate("gpu_grad_tiny", Some(1e4)),
            ("-".into(), "-".into())
        );
        assert_eq!(
            gpu_rate("gpu_add_8192x8192", None),
            ("-".into(), "-".into())
        );
        let rows = vec![Row {
            workload: "gpu_add_8192x8192".into(),
            ns: [Some(2e5), Some(4e5), None],
        }];
        assert!(
            markdown_gpu("h", &rows).contains(
                "| gpu_add_8192x8192 | 200.00 µs | 400.00 µs | - | 0.500 | - | 4027 GB/s | 0.839 |"
            ),
            "{}",
            markdown_gpu("h", &rows)
        );
        let j = json(&rows, true);
        assert!(
            j.contains("\"mlxrs_rate\": \"4027 GB/s\", \"peak_fraction\": 0.839"),
            "{j}"
        );
        assert!(!json(&rows, false).contains("peak_fraction"));
    }

    #[test]
    fn ids_parse_into_shapes_and_classes() {
        assert_eq!(shape_nxm("softmax_8192x4096"), Some((8192.0, 4096.0)));
        assert_eq!(shape_nxm("layer_norm_4096"), None);
        assert_eq!(number_after("sdpa_b8_h16_s1024_d128", "_d"), Some(128.0));
        assert_eq!(number_after("sdpa_b8_h16", "_s"), None);
        assert_eq!(base_id("gpu_bert_b1"), "bert_b1");
        assert_eq!(
            gpu_work("gpu_matmul_f64_1024"),
            None,
            "no peak for an unknown dtype"
        );
        // (pinned, slow)
        assert_eq!(classify("dispatch_chain1_n1"), (true, false));
        assert_eq!(classify("gpu_dispatch_chain1_n1"), (true, false));
        assert_eq!(classify("gpu_matmul_f32_8192"), (false, true));
        assert_eq!(classify("gpu_matmul_bf16_2048"), (false, false));
        assert_eq!(classify("matmul_bf16_2048"), (false, true));
        assert_eq!(classify("gpu_rms_norm_8192x8192"), (false, false));
        assert_eq!(classify("gpu_sdpa_b8_h16_s1024_d64"), (false, false));
        assert_eq!(
            classify("gpu_train_transformer_b8_s64_d128_compiled"),
            (false, true)
        );
    }

    #[test]
    fn options_pick_the_device_and_the_set() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = parse_options(&args(&["--device", "gpu", "--runners", "/tmp/r"])).unwrap();
        assert_eq!((o.device.as_str(), o.set.as_str()), ("gpu", "gpu"));
        assert_eq!(o.runners, Some(PathBuf::from("/tmp/r")));
        let o = parse_options(&args(&["--set", "gpu", "--filter", "gpu_add"])).unwrap();
        assert_eq!((o.device.as_str(), o.set.as_str()), ("cpu", "gpu"));
        let o = parse_options(&[]).unwrap();
        assert_eq!((o.device.as_str(), o.set.as_str()), ("cpu", "cpu"));
        let e = parse_options(&args(&["--device", "tpu"])).err().unwrap();
        assert!(e.contains("--device `tpu`"), "{e}");
        let e = parse_options(&args(&["--device", "gpu", "--set", "cpu"]))
            .err()
            .unwrap();
        assert!(e.contains("GPU set only"), "{e}");
        let e = parse_options(&args(&["--runners"])).err().unwrap();
        assert!(e.contains("--runners DIR needs a value"), "{e}");
    }
}
