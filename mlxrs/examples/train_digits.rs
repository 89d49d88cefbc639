//! The README's main job: train a classifier of handwritten digits and save it.
//!
//! `cargo xtask example train_digits` fetches the data (scikit-learn's copy of the UCI
//! 8×8 digits, 1,797 images, pinned in third_party/pins.toml), splits it with a fixed seed
//! into 1,500 training and 297 test images, and trains an MLP 64-256-256-10 (ReLU between,
//! an `nn::Sequential` of `nn::Linear`, weights named as Python's `nn.Sequential` names
//! them) with Adam (lr 1e-3, batch 32) through a compiled training step
//! (`nn::TrainStep`). Each epoch shows a progress bar, then the training loss and the test
//! accuracy. At the end it writes a loss/accuracy plot (SVG) and the weights
//! (`.safetensors`, loadable by `classify_digits` and by Python MLX), and prints
//! `test accuracy: 0.XXXX` as its last line.
//!
//! ```text
//! cargo xtask example train_digits -- [--model mlp|cnn] [--epochs N] [--batch-size N]
//!     [--lr F] [--seed N] [--device cpu|gpu] [--data PATH | --mnist DIR]
//!     [--out PATH] [--plot PATH] [--no-compile] [--min-accuracy F]
//! ```
//!
//! `--mnist DIR` trains on MNIST instead (the four IDX files, optionally gzipped, with
//! their own 60,000/10,000 split). `--min-accuracy F` makes the run fail when the final
//! test accuracy is below F (CI uses it). The same seed gives the same run.

#[path = "support/digits.rs"]
mod digits;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use digits::models::{self, Arch};
use indicatif::{ProgressBar, ProgressStyle};
use mlxrs::nn::{Module, TrainStep};
use mlxrs::optimizers::Adam;
use mlxrs::{Device, random};

type BoxResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: train_digits [--model mlp|cnn] [--epochs N] [--batch-size N] [--lr F] \
[--seed N] [--device cpu|gpu] [--data PATH | --mnist DIR] [--out PATH] [--plot PATH] \
[--no-compile] [--min-accuracy F]";

struct Args {
    arch: Arch,
    epochs: usize,
    batch_size: usize,
    lr: f32,
    seed: u64,
    device: Option<String>,
    data: Option<PathBuf>,
    mnist: Option<PathBuf>,
    out: PathBuf,
    plot: PathBuf,
    compile: bool,
    min_accuracy: Option<f64>,
}

fn parse_args() -> BoxResult<Args> {
    let mut a = Args {
        arch: Arch::Mlp,
        epochs: 20,
        batch_size: 32,
        lr: 1e-3,
        seed: 0,
        device: None,
        data: None,
        mnist: None,
        out: digits::target_dir().join("train_digits.safetensors"),
        plot: digits::target_dir().join("train_digits.svg"),
        compile: true,
        min_accuracy: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--model" => a.arch = value("--model")?.parse()?,
            "--epochs" => a.epochs = value("--epochs")?.parse()?,
            "--batch-size" => a.batch_size = value("--batch-size")?.parse()?,
            "--lr" => a.lr = value("--lr")?.parse()?,
            "--seed" => a.seed = value("--seed")?.parse()?,
            "--device" => a.device = Some(value("--device")?),
            "--data" => a.data = Some(value("--data")?.into()),
            "--mnist" => a.mnist = Some(value("--mnist")?.into()),
            "--out" => a.out = value("--out")?.into(),
            "--plot" => a.plot = value("--plot")?.into(),
            "--no-compile" => a.compile = false,
            "--min-accuracy" => a.min_accuracy = Some(value("--min-accuracy")?.parse()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}").into()),
        }
    }
    if a.batch_size == 0 || a.epochs == 0 {
        return Err("--epochs and --batch-size must be positive".into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("train_digits: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> BoxResult<()> {
    let args = parse_args()?;
    match args.device.as_deref() {
        None => {}
        Some("cpu") => Device::set_default(&Device::cpu())?,
        Some("gpu") => Device::set_default(&Device::gpu())?,
        Some(other) => return Err(format!("unknown device `{other}` (cpu or gpu)").into()),
    }
    let (train, test, source) = match &args.mnist {
        Some(dir) => {
            let (train, test) = digits::read_mnist(dir)?;
            (train, test, format!("MNIST from {}", dir.display()))
        }
        None => {
            let path = args
                .data
                .clone()
                .unwrap_or_else(digits::default_digits_path);
            let all = digits::read_digits(&path)?;
            let (train, test) = digits::split(&all, 1500, args.seed);
            (train, test, "8x8 digits".to_string())
        }
    };
    random::seed(args.seed)?;
    let mut model = models::build(args.arch, train.side)?;
    let n_params: usize = model
        .parameters()
        .values()
        .map(|p| p.shape().iter().product::<i32>() as usize)
        .sum();
    println!(
        "{source}: {} train / {} test images; model {} ({n_params} parameters); Adam lr {}, \
         batch {}, {} epochs, seed {}, device {}, {} step",
        train.len(),
        test.len(),
        args.arch.name(),
        args.lr,
        args.batch_size,
        args.epochs,
        args.seed,
        Device::default_device()?,
        if args.compile { "compiled" } else { "eager" },
    );

    let optimizer = Adam::new(args.lr)?;
    let mut step = if args.compile {
        TrainStep::new(&model, optimizer, models::loss)?
    } else {
        TrainStep::eager(&model, optimizer, models::loss)?
    };
    let mut rng = digits::Rng::new(args.seed ^ 0x5EED);
    let batches = train.len().div_ceil(args.batch_size) as u64;
    let style = ProgressStyle::with_template("epoch {prefix:>2} [{bar:30}] {pos}/{len} {msg}")?
        .progress_chars("=> ");
    let (mut losses, mut accuracies) = (Vec::new(), Vec::new());
    let started = Instant::now();
    for epoch in 1..=args.epochs {
        let bar = ProgressBar::new(batches).with_style(style.clone());
        bar.set_prefix(epoch.to_string());
        let loss = models::train_epoch(
            &mut step,
            &mut model,
            &train,
            args.batch_size,
            &mut rng,
            |l| {
                bar.set_message(format!("loss {l:.4}"));
                bar.inc(1);
            },
        )?;
        bar.finish_and_clear();
        let accuracy = models::accuracy(&model, &test)?;
        println!(
            "epoch {epoch:>2}: train loss {loss:.4}, test accuracy {accuracy:.4} ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
        losses.push(loss);
        accuracies.push(accuracy);
    }
    let seconds = started.elapsed().as_secs_f64();

    for path in [&args.out, &args.plot] {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
    }
    model.save_weights(&args.out)?;
    plot(&args.plot, &losses, &accuracies)?;
    let accuracy = accuracies.last().copied().unwrap_or(0.0);
    // Paths below the working directory are shown relative to it.
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = |p: &std::path::Path| p.strip_prefix(&cwd).unwrap_or(p).display().to_string();
    println!(
        "trained in {seconds:.1} s; weights: {}; plot: {}",
        shown(&args.out),
        shown(&args.plot)
    );
    println!("test accuracy: {accuracy:.4}");
    if let Some(min) = args.min_accuracy {
        if accuracy < min {
            return Err(
                format!("test accuracy {accuracy:.4} is below --min-accuracy {min}").into(),
            );
        }
    }
    Ok(())
}

/// Training loss and test accuracy per epoch, side by side, as SVG.
fn plot(path: &std::path::Path, losses: &[f32], accuracies: &[f64]) -> BoxResult<()> {
    use plotters::prelude::*;
    let root = SVGBackend::new(path, (960, 360)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(480);
    let epochs = losses.len().max(2) as u32;
    let max_loss = losses.iter().copied().fold(0.0f32, f32::max).max(1e-3) * 1.05;
    let mut chart = ChartBuilder::on(&left)
        .caption("training loss", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(48)
        .build_cartesian_2d(1u32..epochs, 0f32..max_loss)?;
    chart.configure_mesh().x_desc("epoch").draw()?;
    chart.draw_series(LineSeries::new(
        losses.iter().enumerate().map(|(i, l)| (i as u32 + 1, *l)),
        &BLUE,
    ))?;
    let low = accuracies.iter().copied().fold(1.0f64, f64::min).min(0.9) - 0.02;
    let mut chart = ChartBuilder::on(&right)
        .caption("test accuracy", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(48)
        .build_cartesian_2d(1u32..epochs, low.max(0.0)..1.0f64)?;
    chart.configure_mesh().x_desc("epoch").draw()?;
    chart.draw_series(LineSeries::new(
        accuracies
            .iter()
            .enumerate()
            .map(|(i, a)| (i as u32 + 1, *a)),
        &RED,
    ))?;
    root.present()?;
    Ok(())
}
