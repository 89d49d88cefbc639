//! What mlxrs's allocator tuning costs and buys: times a 4096×4096 f32 add, then prints
//! the peak and current resident memory before and after `memory::clear_cache`.
//!
//! `cargo xtask example memory_tuning`, and with `MLXRS_MALLOC=system` for glibc's
//! defaults (see docs/PERFORMANCE.md).

use std::time::Instant;

use mlxrs::ops::add;
use mlxrs::{Array, Dtype, Result, memory};

fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() -> Result<()> {
    println!("{}", mlxrs::info()?);
    let a = Array::ones(&[4096, 4096], Dtype::Float32)?;
    let b = Array::ones(&[4096, 4096], Dtype::Float32)?;
    mlxrs::transforms::eval(&[&a, &b])?;
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        add(&a, &b)?.eval()?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let ms = times[times.len() / 2];
    println!(
        "add 4096x4096 f32: median {ms:.2} ms ({:.1} GB/s)",
        3.0 * 64.0 * 1.048576 / ms
    );
    println!(
        "resident: peak {} MiB, now {} MiB; MLX active {} MiB, cache {} MiB",
        status_kib("VmHWM:") / 1024,
        status_kib("VmRSS:") / 1024,
        memory::active_memory()? >> 20,
        memory::cache_memory()? >> 20
    );
    drop((a, b));
    memory::clear_cache()?;
    println!(
        "after dropping the inputs and memory::clear_cache: now {} MiB; MLX active {} MiB, cache {} MiB",
        status_kib("VmRSS:") / 1024,
        memory::active_memory()? >> 20,
        memory::cache_memory()? >> 20
    );
    Ok(())
}
