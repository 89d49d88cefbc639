//! The edge-input sweep: every mlx-c op that mlxrs wraps, called through the safe API
//! with generated edge inputs (empty arrays, zero-size dimensions, 0-d scalars, every
//! dtype, NaN/inf, integer extremes, non-contiguous and broadcast views, bad axes,
//! mismatched shapes, huge dimensions), plus the transforms and `nn`.
//!
//! The op list comes from the op headers (`cdecl::HEADERS`) of the mlx-c tree mlxrs-sys
//! compiled against, read with the same parser as `cargo xtask coverage`
//! (`xtask/src/coverage/cdecl.rs`; coverage itself reads every header), minus
//! `xtask/coverage-exclusions.txt`: an op without an entry in [`table`] (or a reasoned
//! line in [`table::EXCLUDED`]) fails the suite, so a new op is swept as soon as it
//! is wrapped.
//!
//! Every case must end in `Ok` with the shape and dtype its category's rule predicts,
//! or in an `Err` whose message names the op. A crash must not end the suite: the cases
//! run in batches, each in a child process (this binary re-executed with
//! `MLXRS_SWEEP_BATCH`); when a child dies, the cases it had not reported are re-run one
//! per child (`MLXRS_SWEEP_CASE`) to name the crashing one.

mod cases;
mod custom;
mod rust_api;
mod table;

#[path = "../../../xtask/src/coverage/cdecl.rs"]
mod cdecl;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::process::Command;
use std::time::Instant;

use cases::{Case, Kind, Outcome};

/// Cases per child process.
const BATCH: usize = 1500;

fn main() {
    if let Ok(batch) = std::env::var("MLXRS_SWEEP_BATCH") {
        let cases = table::all_cases();
        let (start, end) = match std::env::var("MLXRS_SWEEP_CASE") {
            Ok(i) => {
                let i: usize = i.parse().expect("case index");
                (i, i + 1)
            }
            Err(_) => {
                let b: usize = batch.parse().expect("batch index");
                (b * BATCH, ((b + 1) * BATCH).min(cases.len()))
            }
        };
        child(&cases, start, end);
        return;
    }
    parent();
}

/// Runs cases `start..end`, printing one line per case:
/// `case <index> ok|err|fail <detail>`, then `leak <bytes>` and `done`.
fn child(cases: &[Case], start: usize, end: usize) {
    // Panics in the cases' closures are caught (and counted as failures, or, inside a
    // transform, turned into `Err` by mlxrs); their messages need not fill stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let out = std::io::stdout();
    // Warm up MLX (streams, the CPU device, the global random key, which lives on as
    // MLX's state) before the memory baseline.
    let _ = mlxrs::Array::from_slice(&[1.0f32], &[1]).and_then(|a| a.eval());
    settle();
    let baseline = mlxrs::memory::active_memory().unwrap_or(0);
    for (i, case) in cases.iter().enumerate().take(end).skip(start) {
        let before = mlxrs::memory::active_memory().unwrap_or(0);
        let outcome = cases::run_case(case);
        let after = mlxrs::memory::active_memory().unwrap_or(0);
        if after > before {
            println!("grew {i} {} {} [{}]", after - before, case.op, case.label);
        }
        let line = match outcome {
            Outcome::Ok => format!("case {i} ok"),
            Outcome::Err(msg) => format!("case {i} err {}", one_line(&msg)),
            Outcome::Fail(msg) => format!("case {i} fail {}", one_line(&msg)),
        };
        let mut lock = out.lock();
        let _ = writeln!(lock, "{line}");
        let _ = lock.flush();
    }
    // The random key's buffer comes and goes with its last consumer, and MLX's worker
    // thread frees buffers after an eval returns: settle both (and give the worker a
    // moment) before comparing with the baseline.
    let mut after = usize::MAX;
    for _ in 0..50 {
        settle();
        after = mlxrs::memory::active_memory().unwrap_or(0);
        if after <= baseline {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    println!("leak {}", after.saturating_sub(baseline));
    println!("done");
}

/// Brings MLX to a steady state: the global random key split and evaluated a few times
/// (it lives on as MLX's state, 8 bytes), and the stream's pending work finished.
fn settle() {
    for _ in 0..3 {
        let _ = mlxrs::random::bits(&[1], 4, None).and_then(|a| a.eval());
    }
    let _ = mlxrs::stream::synchronize();
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

/// The outcome of one child: reported lines per case, whether it finished.
struct ChildRun {
    lines: Vec<(usize, String, String)>,
    leaked: usize,
    /// The cases after which MLX's active memory had grown.
    grew: Vec<String>,
    done: bool,
    status: String,
}

fn spawn(batch: usize, case: Option<usize>) -> ChildRun {
    let exe = std::env::current_exe().expect("own path");
    let mut cmd = Command::new(exe);
    cmd.env("MLXRS_SWEEP_BATCH", batch.to_string());
    if let Some(c) = case {
        cmd.env("MLXRS_SWEEP_CASE", c.to_string());
    }
    let out = cmd.output().expect("the child runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = Vec::new();
    let mut leaked = 0;
    let mut grew = Vec::new();
    let mut done = false;
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("case ") {
            let mut it = rest.splitn(3, ' ');
            let idx: usize = it.next().unwrap_or("0").parse().unwrap_or(0);
            let kind = it.next().unwrap_or("").to_string();
            let detail = it.next().unwrap_or("").to_string();
            lines.push((idx, kind, detail));
        } else if let Some(g) = l.strip_prefix("grew ") {
            grew.push(g.to_string());
        } else if let Some(b) = l.strip_prefix("leak ") {
            leaked = b.parse().unwrap_or(0);
        } else if l == "done" {
            done = true;
        }
    }
    let status = format!(
        "{:?}; stderr tail: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .join(" | ")
    );
    ChildRun {
        lines,
        leaked,
        grew,
        done: done && out.status.success(),
        status,
    }
}

fn parent() {
    let t0 = Instant::now();
    let cases = table::all_cases();
    let mut failures: Vec<String> = Vec::new();

    // Every op of the headers (minus coverage's exclusions) has sweep cases or a reasoned
    // exclusion.
    failures.extend(check_op_list(&cases));

    let n = cases.len();
    let batches = n.div_ceil(BATCH);
    // Two children at a time.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let next = &next;
    let results: Vec<ChildRun> = std::thread::scope(|s| {
        let mut handles = Vec::new();
        for _ in 0..2 {
            handles.push(s.spawn(move || {
                let mut mine = Vec::new();
                loop {
                    let b = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if b >= batches {
                        break;
                    }
                    mine.push((b, spawn(b, None)));
                }
                mine
            }));
        }
        let mut all: Vec<(usize, ChildRun)> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("runner thread"))
            .collect();
        all.sort_by_key(|(b, _)| *b);
        all.into_iter().map(|(_, r)| r).collect()
    });

    let mut reported: Vec<Option<(String, String)>> = vec![None; n];
    let mut crashed: Vec<String> = Vec::new();
    for (b, run) in results.iter().enumerate() {
        for (i, kind, detail) in &run.lines {
            reported[*i] = Some((kind.clone(), detail.clone()));
        }
        if run.leaked > 0 {
            failures.push(format!(
                "batch {b}: MLX's active memory grew by {} bytes over the batch (a leak); \
                 it grew after: {}",
                run.leaked,
                run.grew.join("; ")
            ));
        }
        if !run.done {
            // Re-run every case the child did not report, one per child, to name the crash.
            let (start, end) = (b * BATCH, ((b + 1) * BATCH).min(n));
            for i in start..end {
                if reported[i].is_some() {
                    continue;
                }
                let single = spawn(b, Some(i));
                match single.lines.first() {
                    Some((_, kind, detail)) if single.done => {
                        reported[i] = Some((kind.clone(), detail.clone()));
                    }
                    _ => {
                        crashed.push(format!(
                            "{} [{}]: {}",
                            cases[i].op, cases[i].label, single.status
                        ));
                    }
                }
            }
            if crashed.is_empty() {
                failures.push(format!(
                    "batch {b} died ({}) but every case passes alone",
                    run.status
                ));
            }
        }
    }

    let (mut bad, mut bad_err, mut bad_crash, mut edge, mut edge_crash) = (0, 0, 0, 0, 0);
    for (i, case) in cases.iter().enumerate() {
        let is_bad = matches!(case.kind, Kind::Bad);
        if is_bad {
            bad += 1;
        } else {
            edge += 1;
        }
        match &reported[i] {
            None => {
                if is_bad {
                    bad_crash += 1;
                } else {
                    edge_crash += 1;
                }
            }
            Some((kind, detail)) => match kind.as_str() {
                "ok" => {}
                "err" => {
                    if is_bad {
                        bad_err += 1;
                    }
                }
                _ => failures.push(format!("{} [{}]: {detail}", case.op, case.label)),
            },
        }
    }
    let elapsed = t0.elapsed();
    println!("bad inputs: {bad} cases, {bad_err} answered with Err, {bad_crash} crashed");
    println!("edge inputs: {edge} cases, {edge_crash} crashed");
    let ops: BTreeSet<&str> = cases.iter().map(|c| c.op).collect();
    println!(
        "sweep: {} ops, {} batches, {:.1} s",
        ops.len(),
        batches,
        elapsed.as_secs_f64()
    );
    for c in &crashed {
        println!("CRASH {c}");
    }
    // MLXRS_SWEEP_VERBOSE=1 lists every failure.
    let shown = if std::env::var_os("MLXRS_SWEEP_VERBOSE").is_some() {
        failures.len()
    } else {
        60
    };
    for f in failures.iter().take(shown) {
        println!("FAIL {f}");
    }
    if failures.len() > shown {
        println!("... and {} more failures", failures.len() - shown);
    }
    let mut fail = !failures.is_empty() || !crashed.is_empty();
    if bad < 300 || edge < 2000 {
        println!("FAIL too few cases: want at least 300 bad and 2,000 edge inputs");
        fail = true;
    }
    if fail {
        std::process::exit(1);
    }
}

/// The mlx-c functions of the op headers (`cdecl::HEADERS`) that mlxrs wraps, each with
/// at least one sweep case or an exclusion with a reason; problems as messages.
fn check_op_list(cases: &[Case]) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(dir) = headers_dir() else {
        return vec![
            "cannot find the mlx-c headers (mlxrs-sys's DEP_MLXC_INCLUDE, MLX_C_SRC or \
             third_party/mlx-c); the sweep's op list comes from them"
                .into(),
        ];
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let excl_text = std::fs::read_to_string(root.join("xtask/coverage-exclusions.txt"))
        .expect("xtask/coverage-exclusions.txt");
    let coverage_excluded: BTreeSet<&str> = excl_text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect();
    let swept: BTreeSet<&str> = cases.iter().map(|c| c.op).collect();
    let excluded: BTreeSet<&str> = table::EXCLUDED.iter().map(|(n, _)| *n).collect();
    let mut declared = BTreeSet::new();
    for h in cdecl::HEADERS {
        let path = dir.join(h);
        let Ok(text) = std::fs::read_to_string(&path) else {
            problems.push(format!("cannot read {}", path.display()));
            continue;
        };
        for f in cdecl::declared_functions(&text) {
            declared.insert(f);
        }
    }
    if declared.len() < 300 {
        problems.push(format!(
            "only {} functions declared in {}: wrong folder?",
            declared.len(),
            dir.display()
        ));
    }
    for f in &declared {
        let f = f.as_str();
        if coverage_excluded.contains(f) {
            continue;
        }
        match (swept.contains(f), excluded.contains(f)) {
            (false, false) => problems.push(format!(
                "`{f}` has no sweep entry: add cases to tests/sweep/table.rs (or a reasoned \
                 line to table::EXCLUDED)"
            )),
            (true, true) => problems.push(format!("`{f}` is both swept and excluded")),
            _ => {}
        }
    }
    // Entries on Rust APIs (transforms, nn, ...) carry paths, not mlx-c names.
    for name in swept.iter().chain(excluded.iter()) {
        if name.starts_with("mlx_") && !declared.contains(*name) {
            problems.push(format!(
                "sweep entry `{name}` names no function of the mlx-c headers"
            ));
        }
    }
    println!(
        "op list: {} mlx-c functions, {} swept, {} excluded by the sweep, {} by coverage",
        declared.len(),
        swept.iter().filter(|n| n.starts_with("mlx_")).count(),
        excluded.len(),
        // Coverage's list spans every mlx-c header; count the op headers' share only.
        coverage_excluded
            .iter()
            .filter(|n| declared.contains(**n))
            .count()
    );
    problems
}

fn headers_dir() -> Option<std::path::PathBuf> {
    let mut candidates = Vec::new();
    if let Some(inc) = option_env!("MLXRS_SWEEP_MLXC_INCLUDE") {
        candidates.push(std::path::PathBuf::from(inc).join("mlx/c"));
    }
    if let Some(src) = std::env::var_os("MLX_C_SRC") {
        candidates.push(std::path::PathBuf::from(src).join("mlx/c"));
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    candidates.push(root.join("third_party/mlx-c/mlx/c"));
    candidates.into_iter().find(|d| d.join("ops.h").is_file())
}
