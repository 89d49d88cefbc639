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

pub fn run(args: &[String]) -> Result<()> {
    let mut compare = vec!["python".to_string(), "cpp".to_string()];
    let mut quick = false;
    let mut filter: Option<String> = None;
    let mut rounds_arg: Option<usize> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--compare" => {
                let list = it.next().ok_or("--compare needs a value (python,cpp)")?;
                compare = list
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "--filter" => filter = Some(it.next().ok_or("--filter needs a value")?.clone()),
            "--rounds" => {
                let n = it.next().ok_or("--rounds needs a value")?;
                rounds_arg = Some(
                    n.parse()
                        .map_err(|_| format!("--rounds: `{n}` is not a number"))?,
                );
            }
            other => return Err(format!("bench: unknown option `{other}`")),
        }
    }
    for c in &compare {
        if c != "python" && c != "cpp" {
            return Err(format!("bench: unknown contender `{c}` (python, cpp)"));
        }
    }
    setup::setup("cpu")?;
    let root = project_root();
    let tp = crate::third_party();
    let mut contenders = vec![Contender {
        name: "mlxrs",
        command: vec![mlxrs_runner(&root)?, "--serve".into()],
        env: vec![],
    }];
    if compare.iter().any(|c| c == "python") {
        let py = setup::python_mlx()?;
        contenders.push(Contender {
            name: "python",
            command: vec![
                setup::python_exe(),
                root.join("xtask/bench/runner.py").display().to_string(),
            ],
            env: vec![("PYTHONPATH".into(), py.display().to_string())],
        });
    }
    if compare.iter().any(|c| c == "cpp") {
        contenders.push(Contender {
            name: "cpp",
            command: vec![cpp_runner(&root, &tp)?],
            env: vec![],
        });
    }

    // The workload list comes from mlxrs's runner: (id, pinned, slow).
    let workloads = list_workloads(&contenders[0])?;
    if !workloads.iter().any(|(id, _, _)| id.starts_with("bert")) {
        eprintln!(
            "bench: the bert_* rows are skipped: no all-MiniLM-L6-v2 model in third_party/minilm \
             (fetch it with `cargo xtask setup --models`)"
        );
    }
    let workloads: Vec<(String, bool)> = workloads
        .into_iter()
        .filter(|(id, _, slow)| {
            !(quick && *slow) && filter.as_ref().is_none_or(|f| id.contains(f.as_str()))
        })
        .map(|(id, pinned, _)| (id, pinned))
        .collect();
    let rounds = rounds_arg.unwrap_or(if quick { 3 } else { 5 }).max(1);
    let (target_ms, samples) = if quick { ("120", "5") } else { ("300", "7") };

    let mut runners: Vec<[Runner; 2]> = contenders
        .iter()
        .map(|c| Ok([Runner::start(c, true)?, Runner::start(c, false)?]))
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
    let header = format!(
        "{}\n\nmlxrs: {info}; Python MLX: as shipped (the wheel's reference BLAS, glibc defaults); \
         C++ MLX: same libmlx, built with mlxrs's BLAS and allocator configuration\n\n\
         peak resident memory of the runners: {}",
        machine_header(rounds, quick),
        rss.join(", ")
    );
    let md = markdown(&header, &rows);
    print!("{md}");
    let target = root.join("target");
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    std::fs::write(target.join("bench-report.md"), &md).map_err(|e| e.to_string())?;
    std::fs::write(target.join("bench-report.json"), json(&rows)).map_err(|e| e.to_string())?;
    std::fs::write(target.join("bench-report.svg"), svg(&rows)).map_err(|e| e.to_string())?;
    eprintln!(
        "bench: wrote target/bench-report.md, target/bench-report.json, target/bench-report.svg"
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

fn list_workloads(mlxrs: &Contender) -> Result<Vec<(String, bool, bool)>> {
    // The runner prints ids; pinning and slowness follow fixed naming rules shared with
    // mlxrs/benches/common (latency workloads pinned; 4096 matmul, bf16 2048, 10^7
    // to_vec and the Transformer training steps skipped by --quick).
    let mut r = Runner::start(mlxrs, false)?;
    let ids = r.ask("list")?;
    Ok(ids
        .split_whitespace()
        .filter(|id| !id.starts_with("from_slice_") && *id != "clone_drop" && *id != "item_1")
        .map(|id| {
            let compute = id.starts_with("matmul")
                || id.starts_with("bert")
                || id.starts_with("mlp_step")
                || id.starts_with("train_")
                || id.contains("4096x4096");
            let slow = id == "matmul_f32_4096"
                || id == "matmul_bf16_2048"
                || id == "to_vec_10000000"
                || id.starts_with("train_transformer");
            (id.to_string(), !compute, slow)
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

fn json(rows: &[Row]) -> String {
    let num = |x: Option<f64>| x.map_or("null".into(), |v| format!("{v:.1}"));
    let rat = |x: Option<f64>| x.map_or("null".into(), |v| format!("{v:.4}"));
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "  {{\"workload\": \"{}\", \"mlxrs_ns\": {}, \"python_ns\": {}, \"cpp_ns\": {}, \"ratio\": {}, \"ratio_cpp\": {}}}",
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
        let j = json(&rows);
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
}
