//! Loads the weights `train_digits` saved (strictly: exactly the model's names and
//! shapes) and classifies test images, printing each as ASCII art with the predicted
//! and the true label, then the accuracy over the whole test set.
//!
//! ```text
//! cargo xtask example train_digits      # writes target/train_digits.safetensors
//! cargo xtask example classify_digits -- [--weights PATH] [--count N] [--seed N]
//!     [--device cpu|gpu] [--data PATH | --mnist DIR]
//! ```
//!
//! The test images are those `train_digits` held out with the same `--seed` (or
//! MNIST's test set with `--mnist DIR`). The architecture (MLP or CNN) follows the
//! weights.

#[path = "support/digits.rs"]
mod digits;

use std::path::PathBuf;
use std::process::ExitCode;

use digits::models;
use mlxrs::Device;

type BoxResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: classify_digits [--weights PATH] [--count N] [--seed N] \
[--device cpu|gpu] [--data PATH | --mnist DIR]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("classify_digits: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> BoxResult<()> {
    let mut weights = digits::target_dir().join("train_digits.safetensors");
    let (mut count, mut seed) = (8usize, 0u64);
    let (mut data, mut mnist, mut device): (Option<PathBuf>, Option<PathBuf>, Option<String>) =
        (None, None, None);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--weights" => weights = value("--weights")?.into(),
            "--count" => count = value("--count")?.parse()?,
            "--seed" => seed = value("--seed")?.parse()?,
            "--data" => data = Some(value("--data")?.into()),
            "--mnist" => mnist = Some(value("--mnist")?.into()),
            "--device" => device = Some(value("--device")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}").into()),
        }
    }
    match device.as_deref() {
        None => {}
        Some("cpu") => Device::set_default(&Device::cpu())?,
        Some("gpu") => Device::set_default(&Device::gpu())?,
        Some(other) => return Err(format!("unknown device `{other}` (cpu or gpu)").into()),
    }
    let test = match &mnist {
        Some(dir) => digits::read_mnist(dir)?.1,
        None => {
            let path = data.unwrap_or_else(digits::default_digits_path);
            digits::split(&digits::read_digits(&path)?, 1500, seed).1
        }
    };
    if !weights.is_file() {
        return Err(format!(
            "no weights at {} (run `cargo xtask example train_digits` first, or pass --weights)",
            weights.display()
        )
        .into());
    }
    let model = models::load(&weights, test.side)?;
    println!("weights: {}", weights.display());

    let shown: Vec<usize> = (0..count.min(test.len())).collect();
    let (x, _) = test.batch(&shown)?;
    let predicted = models::predict(&model, &x)?;
    for (&i, p) in shown.iter().zip(&predicted) {
        let truth = test.labels[i];
        let mark = if *p == truth { "" } else { "  <- wrong" };
        println!("\ntest image {i}: predicted {p} (true {truth}){mark}");
        print!("{}", digits::ascii(test.image(i), test.side));
    }
    let accuracy = models::accuracy(&model, &test)?;
    println!("\ntest accuracy: {accuracy:.4} ({} images)", test.len());
    Ok(())
}
