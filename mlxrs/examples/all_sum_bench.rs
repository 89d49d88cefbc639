//! The cost of one `all_sum` of 1 KiB .. 64 MiB of `float32` over the group, as measured
//! for docs/DISTRIBUTED.md:
//!
//! ```text
//! cargo build --release --example all_sum_bench
//! cargo xtask launch -n 2 -- target/release/examples/all_sum_bench
//! ```
//!
//! For each size, every rank builds the array, synchronizes with a small `all_sum`, then
//! times `reps` evaluations of `all_sum(x)` (a new lazy op each time); rank 0 prints the
//! median time per `all_sum` and the bus bandwidth (bytes / time). docs/DISTRIBUTED.md
//! has the Python MLX script that measures the same thing the same way.

use std::time::Instant;

use mlxrs::distributed::{self, Backend};
use mlxrs::{Array, Dtype, ops};

fn main() -> mlxrs::Result<()> {
    let group = distributed::init(false, Backend::Any)?;
    let rank = group.rank()?;
    if rank == 0 {
        println!("ranks: {}", group.size()?);
        println!("| size | median µs | GB/s |");
        println!("|---:|---:|---:|");
    }
    let tick = Array::from(1.0f32);
    for kib in [1usize, 16, 256, 4096, 65536] {
        let n = (kib * 1024 / 4) as i32;
        let x = ops::full(&[n], &Array::from(rank as f32 + 1.0), Some(Dtype::Float32))?;
        x.eval()?;
        let reps = if kib >= 4096 { 10 } else { 50 };
        let mut times = Vec::with_capacity(reps);
        for _ in 0..reps + 3 {
            distributed::all_sum(&tick, Some(&group))?.eval()?;
            let start = Instant::now();
            let y = distributed::all_sum(&x, Some(&group))?;
            y.eval()?;
            times.push(start.elapsed().as_secs_f64());
        }
        let mut times = times.split_off(3);
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        if rank == 0 {
            let size = if kib >= 1024 {
                format!("{} MiB", kib / 1024)
            } else {
                format!("{kib} KiB")
            };
            println!(
                "| {size} | {:.1} | {:.2} |",
                median * 1e6,
                (kib * 1024) as f64 / median / 1e9
            );
        }
    }
    Ok(())
}
