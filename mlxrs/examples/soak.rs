//! The full soak (`cargo xtask soak [--iterations N]`): transform calls (value_and_grad,
//! a compiled step, vmap, custom_vjp) and op errors in a loop, with MLX's active memory
//! and the process's resident set sampled as it runs. Prints the curve, writes it as SVG,
//! and fails if either ends above its bound.
//!
//! ```text
//! cargo run --release --example soak -- [--iterations N] [--svg PATH]
//! ```
//! The default, 25,000 iterations, is 100,000 transform calls and 100,000 errors.

#[path = "../tests/reliability/soak.rs"]
mod soak;

type BoxResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// MLX's active memory must end at or below its baseline: every array freed.
const ACTIVE_BOUND: i64 = 0;
/// The resident set may grow by at most this much after the warm-up (allocator slack).
const RSS_BOUND: i64 = 16 << 20;

fn main() -> BoxResult<()> {
    let mut iterations = 25_000usize;
    let mut svg = std::path::PathBuf::from("soak.svg");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--iterations" => iterations = args.next().ok_or("--iterations N")?.parse()?,
            "--svg" => svg = args.next().ok_or("--svg PATH")?.into(),
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let started = std::time::Instant::now();
    let report = soak::run(500, iterations, 50)?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{:>10} {:>14} {:>12}",
        "iteration", "active bytes", "RSS KiB"
    );
    for s in &report.samples {
        println!("{:>10} {:>14} {:>12}", s.iteration, s.active, s.rss >> 10);
    }
    println!(
        "soak: {} transform calls and {} op errors in {seconds:.1} s; active memory {:+} bytes \
         (bound {ACTIVE_BOUND:+}), resident set {:+} KiB (bound {:+} KiB) from the baseline after \
         the warm-up",
        iterations * soak::TRANSFORMS_PER_ITERATION,
        iterations * soak::ERRORS_PER_ITERATION,
        report.active_growth(),
        report.rss_growth() >> 10,
        RSS_BOUND >> 10,
    );
    plot(&svg, &report.samples)?;
    println!("plot: {}", svg.display());
    if report.active_growth() > ACTIVE_BOUND || report.rss_growth() > RSS_BOUND {
        return Err("soak: memory did not return to its baseline within the bound".into());
    }
    Ok(())
}

/// MLX's active memory (KiB) and the resident set (MiB) against iterations, as SVG.
fn plot(path: &std::path::Path, samples: &[soak::Sample]) -> BoxResult<()> {
    use plotters::prelude::*;
    let root = SVGBackend::new(path, (960, 360)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(480);
    let last = samples.last().map_or(1, |s| s.iteration.max(1)) as f64;
    let series = [
        (
            left,
            "MLX active memory (KiB)",
            samples
                .iter()
                .map(|s| (s.iteration as f64, s.active as f64 / 1024.0))
                .collect::<Vec<_>>(),
            BLUE,
        ),
        (
            right,
            "resident set (MiB)",
            samples
                .iter()
                .map(|s| (s.iteration as f64, s.rss as f64 / 1048576.0))
                .collect(),
            RED,
        ),
    ];
    for (area, title, points, color) in series {
        let high = points.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0) * 1.1;
        let mut chart = ChartBuilder::on(&area)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..last, 0f64..high)?;
        chart.configure_mesh().x_desc("iteration").draw()?;
        chart.draw_series(LineSeries::new(points, &color))?;
    }
    root.present()?;
    Ok(())
}
