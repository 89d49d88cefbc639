//! The digits examples' data and models (`examples/support/digits.rs`) through the
//! library API: readers, the fixed-seed split, a short training of the flagship MLP
//! with the compiled `nn::TrainStep`, and the weights loading back on
//! `classify_digits`'s path.
//!
//! The training test needs the digits (`cargo xtask setup --data`); `cargo xtask test`
//! fetches them and sets `MLXRS_DIGITS`, which makes them required. Without either, the
//! test says it skipped.

#[path = "../../examples/support/digits.rs"]
mod example;

use std::io::Write;
use std::path::{Path, PathBuf};

use example::models::{self, Arch};
use mlxrs::nn::{Module, TrainStep};
use mlxrs::optimizers::Adam;
use mlxrs::random;

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mlxrs-it-digits-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn gzip(path: &Path, bytes: &[u8]) -> TestResult {
    let mut z =
        flate2::write::GzEncoder::new(std::fs::File::create(path)?, flate2::Compression::default());
    z.write_all(bytes)?;
    z.finish()?;
    Ok(())
}

#[test]
fn the_csv_reader_scales_pixels_and_rejects_bad_lines() -> TestResult {
    let dir = temp_dir("csv");
    let row = |pixel: u32, label: &str| {
        let mut v: Vec<String> = (0..64).map(|k| ((k + pixel) % 17).to_string()).collect();
        v.push(label.to_string());
        v.join(",")
    };
    let good = dir.join("d.csv.gz");
    gzip(
        &good,
        format!("{}\n{}\n", row(0, "3"), row(5, "9")).as_bytes(),
    )?;
    let d = example::read_digits(&good)?;
    assert_eq!((d.len(), d.side, d.labels.clone()), (2, 8, vec![3, 9]));
    // pixel k of row 0 is k % 17, scaled by 1/16
    assert_eq!(d.image(0)[16], 16.0 / 16.0);
    assert_eq!(d.image(0)[3], 3.0 / 16.0);
    assert_eq!(d.image(1)[0], 5.0 / 16.0);

    let plain = dir.join("bad.csv");
    for (text, want) in [
        ("1,2,3\n".to_string(), "expected 65 values"),
        (row(0, "10"), "is not a digit"),
        (row(0, "x"), ":1: invalid float"),
        (
            format!("{}\n{}", row(0, "1"), row(0, "2.5")),
            ":2: the label 2.5",
        ),
        (String::new(), "no samples"),
    ] {
        std::fs::write(&plain, text)?;
        let err = example::read_digits(&plain).unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
    }
    std::fs::write(&good, b"not gzip")?;
    let err = example::read_digits(&good).unwrap_err().to_string();
    assert!(err.contains("not a valid gzip file"), "{err}");
    let err = example::read_digits(&dir.join("absent.csv.gz"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("cargo xtask setup --data"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 0x08, dims.len() as u8];
    for d in dims {
        v.extend(d.to_be_bytes());
    }
    v.extend(data);
    v
}

#[test]
fn the_idx_reader_reads_mnist_files_plain_or_gzipped() -> TestResult {
    let dir = temp_dir("idx");
    // Two 2×2 training images, one test image.
    std::fs::write(
        dir.join("train-images-idx3-ubyte"),
        idx(&[2, 2, 2], &[0, 255, 51, 102, 1, 2, 3, 4]),
    )?;
    std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(&[2], &[7, 1]))?;
    gzip(
        &dir.join("t10k-images-idx3-ubyte.gz"),
        &idx(&[1, 2, 2], &[255, 0, 0, 255]),
    )?;
    gzip(&dir.join("t10k-labels-idx1-ubyte.gz"), &idx(&[1], &[4]))?;
    let (train, test) = example::read_mnist(&dir)?;
    assert_eq!(
        (train.len(), train.side, train.labels.clone()),
        (2, 2, vec![7, 1])
    );
    assert_eq!(train.image(0), [0.0, 1.0, 0.2, 0.4]);
    assert_eq!((test.len(), test.labels.clone()), (1, vec![4]));
    assert_eq!(test.image(0), [1.0, 0.0, 0.0, 1.0]);

    // Truncated data, mismatched counts and a non-digit label are errors.
    std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(&[3], &[7, 1]))?;
    let err = example::read_mnist(&dir).unwrap_err().to_string();
    assert!(
        err.contains("need 3 bytes of data, the file has 2"),
        "{err}"
    );
    std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(&[1], &[7]))?;
    let err = example::read_mnist(&dir).unwrap_err().to_string();
    assert!(err.contains("do not match"), "{err}");
    std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(&[2], &[7, 12]))?;
    let err = example::read_mnist(&dir).unwrap_err().to_string();
    assert!(err.contains("label 12 is not a digit"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[test]
fn the_split_depends_on_the_seed_alone_and_covers_every_sample() {
    let data = example::Dataset {
        images: (0..40).map(|v| v as f32).collect(),
        labels: (0..10).collect(),
        side: 2,
    };
    let (a_train, a_test) = example::split(&data, 7, 3);
    let (b_train, b_test) = example::split(&data, 7, 3);
    let (c_train, _) = example::split(&data, 7, 4);
    assert_eq!((a_train.len(), a_test.len()), (7, 3));
    assert_eq!(a_train.labels, b_train.labels);
    assert_eq!(a_test.labels, b_test.labels);
    assert_ne!(a_train.labels, c_train.labels);
    let mut all: Vec<i32> = a_train
        .labels
        .iter()
        .chain(&a_test.labels)
        .copied()
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..10).collect::<Vec<_>>());
    // images travel with their labels: image of sample k holds 4k..4k+3
    for (i, &l) in a_test.labels.iter().enumerate() {
        assert_eq!(a_test.image(i)[0], (4 * l) as f32);
    }
}

/// The digits, when present: `MLXRS_DIGITS` (set by `cargo xtask test`, then required)
/// or third_party/digits/.
fn digits_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MLXRS_DIGITS") {
        let p = PathBuf::from(p);
        assert!(p.is_file(), "MLXRS_DIGITS={} is not a file", p.display());
        return Some(p);
    }
    let p = example::default_digits_path();
    if p.is_file() {
        Some(p)
    } else {
        eprintln!(
            "skipped: no digits at {} (run `cargo xtask setup --data`)",
            p.display()
        );
        None
    }
}

/// Draws every parameter again as Linear does (`U(-1/√fan_in, 1/√fan_in)`, the fan-in
/// of the layer's weight), from explicit keys: a fixed start without reseeding MLX's
/// global generator, which other tests share (STYLE.md §10).
fn reinit_from_keys(model: &mut mlxrs::nn::Sequential) -> mlxrs::Result<()> {
    let params = model.parameters();
    let mut fresh = mlxrs::nn::ParamMap::new();
    for (k, (name, p)) in params.iter().enumerate() {
        let layer = name.rsplit_once('.').map_or("", |(l, _)| l);
        let weight = &params[&format!("{layer}.weight")];
        let fan_in: i32 = weight.shape()[1..].iter().product();
        let s = (1.0 / f64::from(fan_in)).sqrt() as f32;
        let key = random::key(k as u64)?;
        let u = random::uniform(
            &mlxrs::Array::from(-s),
            &mlxrs::Array::from(s),
            p.shape(),
            mlxrs::Dtype::Float32,
            Some(&key),
        )?;
        fresh.insert(name.clone(), u);
    }
    model.update(&fresh)
}

#[test]
fn a_short_training_learns_the_digits_and_the_weights_load_for_classify() -> TestResult {
    let Some(path) = digits_path() else {
        return Ok(());
    };
    let all = example::read_digits(&path)?;
    assert_eq!((all.len(), all.side), (1797, 8));
    let (train, test) = example::split(&all, 1500, 0);
    assert_eq!((train.len(), test.len()), (1500, 297));

    let mut model = models::build(Arch::Mlp, 8)?;
    reinit_from_keys(&mut model)?;
    let names: Vec<(String, Vec<i32>)> = model
        .parameters()
        .into_iter()
        .map(|(k, v)| (k, v.shape().to_vec()))
        .collect();
    // Python's nn.Sequential(Linear, ReLU, Linear, ReLU, Linear) names.
    assert_eq!(
        names,
        [
            ("layers.0.bias".to_string(), vec![256]),
            ("layers.0.weight".to_string(), vec![256, 64]),
            ("layers.2.bias".to_string(), vec![256]),
            ("layers.2.weight".to_string(), vec![256, 256]),
            ("layers.4.bias".to_string(), vec![10]),
            ("layers.4.weight".to_string(), vec![10, 256]),
        ]
    );
    let before = models::accuracy(&model, &test)?;
    let mut step = TrainStep::new(&model, Adam::new(1e-3)?, models::loss)?;
    let mut rng = example::Rng::new(1);
    let mut losses = Vec::new();
    for _ in 0..3 {
        losses.push(models::train_epoch(
            &mut step,
            &mut model,
            &train,
            32,
            &mut rng,
            |_| {},
        )?);
    }
    let after = models::accuracy(&model, &test)?;
    assert!(before < 0.3, "an untrained net guesses: {before}");
    assert!(after >= 0.9, "3 epochs reach 0.9 test accuracy: {after}");
    assert!(losses[2] < losses[0] && losses[2] < 0.3, "{losses:?}");

    // classify_digits's path: strict load into a fresh net, same predictions.
    let dir = temp_dir("weights");
    let file = dir.join("mlp.safetensors");
    model.save_weights(&file)?;
    let loaded = models::load(&file, 8)?;
    let (x, _) = test.all()?;
    assert_eq!(models::predict(&loaded, &x)?, models::predict(&model, &x)?);
    assert_eq!(models::accuracy(&loaded, &test)?, after);

    // A file of another net is refused, naming what differs.
    let cnn = models::build(Arch::Cnn, 8)?;
    let cnn_file = dir.join("cnn.safetensors");
    cnn.save_weights(&cnn_file)?;
    let mut mlp = models::build(Arch::Mlp, 8)?;
    let err = mlp.load_weights(&cnn_file).unwrap_err().to_string();
    assert!(err.contains("weights"), "{err}");
    assert_eq!(models::load(&cnn_file, 8)?.parameters().len(), 6); // it loads as a CNN
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
