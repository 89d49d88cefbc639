//! The mlxrs side of `cargo xtask bench`: serves the workloads of `common` over a line
//! protocol shared with `xtask/bench/runner.py` and `xtask/bench/runner.cpp`:
//!
//! - `list` → the workload ids, space-separated; `list gpu` → those of the GPU set;
//! - `device` → the default device the workloads run on;
//! - `run <id> <target_ms> <samples>` → `ok <median ns per iteration>` (after a warm-up,
//!   each sample runs enough iterations to last about `target_ms / samples`), or
//!   `skip <why>` / `err <message>`;
//! - `quit`.
//!
//! `MLXRS_BENCH_DEVICE=gpu` (or `cpu`) sets the default device at start, on the thread that
//! runs the workloads (MLX keeps streams per thread).
//!
//! Without arguments (as `cargo bench` runs it) it runs every workload once, as a smoke test.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::time::Instant;

fn measure(step: &mut common::Step, target_ms: f64, samples: usize) -> mlxrs::Result<f64> {
    // warm-up, and a first estimate of one iteration; slow workloads (seconds per
    // iteration) get fewer samples instead of a run of minutes
    let t = Instant::now();
    step()?;
    let first = t.elapsed().as_secs_f64();
    let target = target_ms / 1e3;
    let (per, samples) = if first * samples as f64 > target {
        (first, ((target / first) as usize).clamp(1, samples))
    } else {
        step()?;
        (t.elapsed().as_secs_f64() / 2.0, samples)
    };
    let budget = target / samples as f64;
    let iters = ((budget / per.max(1e-9)) as usize).clamp(1, 1_000_000);
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t = Instant::now();
        for _ in 0..iters {
            step()?;
        }
        times.push(t.elapsed().as_secs_f64() * 1e9 / iters as f64);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The process's peak resident memory (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Applies `MLXRS_BENCH_DEVICE` (`cpu` or `gpu`) to this thread's default device.
fn set_device() -> Result<(), String> {
    let device = match std::env::var("MLXRS_BENCH_DEVICE").as_deref() {
        Err(_) | Ok("") => return Ok(()),
        Ok("cpu") => mlxrs::Device::cpu(),
        Ok("gpu") => mlxrs::Device::gpu(),
        Ok(other) => return Err(format!("MLXRS_BENCH_DEVICE=`{other}`: expected cpu or gpu")),
    };
    mlxrs::Device::set_default(&device).map_err(|e| format!("setting the device {device}: {e}"))
}

fn main() {
    let serve = std::env::args().any(|a| a == "--serve");
    if let Err(e) = set_device() {
        eprintln!("mlxrs bench runner: {e}");
        std::process::exit(2);
    }
    let workloads = common::all();
    let gpu_set = common::gpu();
    if !serve {
        for w in &workloads {
            if w.slow {
                continue;
            }
            match w.start().and_then(|mut s| measure(&mut s, 20.0, 1)) {
                Ok(ns) => println!("{:<32} {:>14.0} ns", w.id, ns),
                Err(e) => println!("{:<32} error: {e}", w.id),
            }
        }
        return;
    }
    let mut steps: HashMap<String, common::Step> = HashMap::new();
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let parts: Vec<&str> = line.split_whitespace().collect();
        let reply = match parts.as_slice() {
            ["rss"] => peak_rss_kib().to_string(),
            ["info"] => mlxrs::info().map_or_else(|e| format!("err {e}"), |i| i.to_string()),
            ["list"] => workloads
                .iter()
                .map(|w| w.id.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            ["list", "gpu"] => gpu_set
                .iter()
                .map(|w| w.id.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            ["device"] => mlxrs::Device::default_device()
                .map_or_else(|e| format!("err {e}"), |d| d.to_string()),
            ["run", id, ms, samples] => {
                let ms: f64 = ms.parse().unwrap_or(200.0);
                let samples: usize = samples.parse().unwrap_or(5);
                match workloads.iter().chain(&gpu_set).find(|w| w.id == *id) {
                    None => format!("skip unknown workload {id}"),
                    Some(w) => {
                        if !steps.contains_key(*id) {
                            match w.start() {
                                Ok(s) => {
                                    steps.insert(id.to_string(), s);
                                }
                                Err(e) => {
                                    let _ =
                                        writeln!(out, "err {}", e.to_string().replace('\n', " "));
                                    let _ = out.flush();
                                    continue;
                                }
                            }
                        }
                        let step = steps.get_mut(*id).expect("inserted above");
                        match measure(step, ms, samples) {
                            Ok(ns) => format!("ok {ns:.1}"),
                            Err(e) => format!("err {}", e.to_string().replace('\n', " ")),
                        }
                    }
                }
            }
            ["drop", id] => {
                steps.remove(*id);
                "ok".into()
            }
            ["quit"] | [] => break,
            _ => format!("err bad command: {line}"),
        };
        let _ = writeln!(out, "{reply}");
        let _ = out.flush();
    }
}
