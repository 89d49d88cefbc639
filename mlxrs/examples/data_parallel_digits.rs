//! Data-parallel training of the flagship digits MLP over several processes, with MLX's
//! own distributed engine (`mlxrs::distributed`, backend `ring` by default).
//!
//! ```text
//! cargo build --release --example data_parallel_digits
//! cargo xtask launch -n 2 -- target/release/examples/data_parallel_digits [--epochs N]
//!     [--batch-size N] [--lr F] [--seed N] [--data PATH] [--min-accuracy F]
//! ```
//!
//! Every rank reads the same data, splits it with the same seed into 1,500 training and
//! 297 test images (as `train_digits` does) and builds the same MLP 64-256-256-10 from
//! the same seed. Each step, the global batch (32 images by default, in the same random
//! order on every rank) is cut into one contiguous shard per rank (sizes differing by at
//! most one); each rank computes the
//! gradients of its shard's mean loss, [`nn::average_gradients`] averages them over the
//! group (one `all_sum` for the whole model: 85,002 floats, under the 32 MiB batching
//! size), and every rank applies the same Adam update, so the weights stay identical on
//! every rank — the example checks it at the end (an `all_max` and an `all_min` of every
//! weight agree) and rank 0 reports the test accuracy. Started without a launcher, it
//! trains alone (a singleton group) and is then plain full-batch training.

#[path = "support/digits.rs"]
mod digits;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use digits::models::{self, Arch};
use mlxrs::distributed::{self, Backend};
use mlxrs::nn::{self, Module};
use mlxrs::optimizers::{Adam, Optimizer};
use mlxrs::{Array, random};

type BoxResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: data_parallel_digits [--epochs N] [--batch-size N] [--lr F] \
[--seed N] [--data PATH] [--backend any|ring|mpi|nccl|jaccl] [--min-accuracy F]";

struct Args {
    epochs: usize,
    batch_size: usize,
    lr: f32,
    seed: u64,
    data: Option<PathBuf>,
    backend: Backend,
    min_accuracy: Option<f64>,
}

fn parse_args() -> BoxResult<Args> {
    let mut a = Args {
        epochs: 20,
        batch_size: 32,
        lr: 1e-3,
        seed: 0,
        data: None,
        backend: Backend::Any,
        min_accuracy: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--epochs" => a.epochs = value()?.parse()?,
            "--batch-size" => a.batch_size = value()?.parse()?,
            "--lr" => a.lr = value()?.parse()?,
            "--seed" => a.seed = value()?.parse()?,
            "--data" => a.data = Some(PathBuf::from(value()?)),
            "--backend" => a.backend = value()?.parse()?,
            "--min-accuracy" => a.min_accuracy = Some(value()?.parse()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}").into()),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("data_parallel_digits: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> BoxResult<()> {
    let args = parse_args()?;
    let group = distributed::init(false, args.backend)?;
    let (rank, size) = (group.rank()? as usize, group.size()? as usize);
    if args.batch_size < size {
        return Err(format!(
            "--batch-size {} is smaller than the {size} ranks",
            args.batch_size
        )
        .into());
    }
    let path = args
        .data
        .clone()
        .unwrap_or_else(digits::default_digits_path);
    let all = digits::read_digits(&path)?;
    let (train, test) = digits::split(&all, 1500, args.seed);
    random::seed(args.seed)?;
    let mut model = models::build(Arch::Mlp, train.side)?;
    if rank == 0 {
        println!(
            "8x8 digits: {} train / {} test images; model mlp; Adam lr {}, global batch {} over \
             {size} rank(s) ({} per rank), {} epochs, seed {}",
            train.len(),
            test.len(),
            args.lr,
            args.batch_size,
            args.batch_size.div_ceil(size),
            args.epochs,
            args.seed
        );
    }
    let mut optimizer = Adam::new(args.lr)?;
    let grad_fn = nn::value_and_grad(models::loss);
    let mut rng = digits::Rng::new(args.seed ^ 0x5EED);
    let started = Instant::now();
    let mut accuracy = 0.0;
    for epoch in 1..=args.epochs {
        let order = rng.permutation(train.len());
        let (mut total, mut seen) = (0.0f64, 0usize);
        for global in order.chunks(args.batch_size) {
            if global.len() < size {
                // Too few rows for one per rank: every rank skips this batch alike.
                continue;
            }
            // This rank's contiguous shard of the global batch (sizes differ by at most 1).
            let shard = &global[rank * global.len() / size..(rank + 1) * global.len() / size];
            let (x, y) = train.batch(shard)?;
            let (loss, grads) = grad_fn(&model, &[x, y])?;
            let grads =
                nn::average_gradients(&grads, Some(&group), nn::DEFAULT_ALL_REDUCE_SIZE, None)?;
            optimizer.update(&mut model, &grads)?;
            let mut pending: Vec<Array> = model.parameters().into_values().collect();
            pending.push(loss.clone());
            mlxrs::eval(&pending.iter().collect::<Vec<_>>())?;
            total += f64::from(loss.item::<f32>()?) * global.len() as f64;
            seen += global.len();
        }
        // The mean training loss over all ranks.
        let mean = distributed::all_sum(
            &Array::from((total / seen.max(1) as f64) as f32),
            Some(&group),
        )?
        .item::<f32>()?
            / size as f32;
        accuracy = models::accuracy(&model, &test)?;
        if rank == 0 {
            println!(
                "epoch {epoch:>2}: train loss {mean:.4}, test accuracy {accuracy:.4} ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    // Every rank must hold the same weights.
    let mut worst = 0.0f32;
    for (name, w) in model.parameters() {
        let hi = distributed::all_max(&w, Some(&group))?;
        let lo = distributed::all_min(&w, Some(&group))?;
        let spread = mlxrs::ops::max(&(&hi - &lo)?, false)?.item::<f32>()?;
        if spread != 0.0 {
            return Err(
                format!("rank {rank}: weight {name} differs between ranks by {spread}").into(),
            );
        }
        worst = worst.max(spread);
    }
    if rank == 0 {
        println!(
            "trained in {:.1} s on {size} rank(s); weights identical on every rank (max spread {worst})",
            started.elapsed().as_secs_f64()
        );
        println!("test accuracy: {accuracy:.4}");
    }
    if let Some(min) = args.min_accuracy {
        if accuracy < min {
            return Err(
                format!("test accuracy {accuracy:.4} is below --min-accuracy {min}").into(),
            );
        }
    }
    Ok(())
}
