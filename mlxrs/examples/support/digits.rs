//! What the `train_digits` and `classify_digits` examples (and the training test in
//! `tests/it/train.rs`) share: the data sets, the fixed-seed split and batching.
//!
//! The digits are scikit-learn's copy of the UCI 8×8 handwritten digits (1,797 samples;
//! each line of `digits.csv.gz` is 64 pixel values 0..16, then the label), fetched into
//! `third_party/digits/` by `cargo xtask setup --data`. MNIST (28×28, from its four IDX
//! files) is the alternative. Pixels are scaled to [0, 1].

#![allow(dead_code)] // each user takes what it needs

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use mlxrs::{Array, Result};

/// The data-reading error: a message naming the file and the problem.
#[derive(Debug)]
pub struct DataError(pub String);

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DataError {}

fn err<T>(msg: impl Into<String>) -> std::result::Result<T, DataError> {
    Err(DataError(msg.into()))
}

/// Images (row-major, `side`×`side` pixels in [0, 1], one image after the other) and
/// their labels 0..=9.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// `len() * side * side` pixel values.
    pub images: Vec<f32>,
    /// One label per image.
    pub labels: Vec<i32>,
    /// The image side: 8 for the digits, 28 for MNIST.
    pub side: usize,
}

impl Dataset {
    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Pixels per image.
    pub fn features(&self) -> usize {
        self.side * self.side
    }

    /// The pixels of image `i`.
    pub fn image(&self, i: usize) -> &[f32] {
        &self.images[i * self.features()..(i + 1) * self.features()]
    }

    /// The images at `indices`, in that order.
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        let mut images = Vec::with_capacity(indices.len() * self.features());
        for &i in indices {
            images.extend_from_slice(self.image(i));
        }
        Dataset {
            images,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            side: self.side,
        }
    }

    /// The images at `indices` as arrays: `x` of shape `[n, side·side]` (float32) and
    /// `y` of shape `[n]` (int32).
    pub fn batch(&self, indices: &[usize]) -> Result<(Array, Array)> {
        let f = self.features();
        let mut x = Vec::with_capacity(indices.len() * f);
        for &i in indices {
            x.extend_from_slice(self.image(i));
        }
        let y: Vec<i32> = indices.iter().map(|&i| self.labels[i]).collect();
        Ok((
            Array::from_slice(&x, &[indices.len(), f])?,
            Array::from_slice(&y, &[indices.len()])?,
        ))
    }

    /// Every image, as [`batch`](Dataset::batch) gives them.
    pub fn all(&self) -> Result<(Array, Array)> {
        let every: Vec<usize> = (0..self.len()).collect();
        self.batch(&every)
    }
}

/// The workspace folder (above mlxrs/).
fn workspace() -> &'static Path {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest)
}

/// Where `cargo xtask setup --data` puts the digits (`MLXRS_THIRD_PARTY` moves
/// third_party/, as for the native dependencies).
pub fn default_digits_path() -> PathBuf {
    std::env::var_os("MLXRS_THIRD_PARTY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("third_party"))
        .join("digits/digits.csv.gz")
}

/// Where the examples write their outputs: `CARGO_TARGET_DIR`, else target/.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
}

/// Reads the whole file, gunzipping it when its name ends in `.gz`.
fn read_maybe_gz(path: &Path) -> std::result::Result<Vec<u8>, DataError> {
    let raw = std::fs::read(path).or_else(|e| {
        err(format!(
            "cannot read {}: {e}{}",
            path.display(),
            if e.kind() == std::io::ErrorKind::NotFound {
                " (run `cargo xtask setup --data`, or pass `--data PATH`)"
            } else {
                ""
            }
        ))
    })?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .or_else(|e| err(format!("{}: not a valid gzip file: {e}", path.display())))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Reads scikit-learn's `digits.csv.gz` (or the same CSV uncompressed).
pub fn read_digits(path: &Path) -> std::result::Result<Dataset, DataError> {
    let bytes = read_maybe_gz(path)?;
    let text =
        String::from_utf8(bytes).or_else(|_| err(format!("{}: not UTF-8 text", path.display())))?;
    let mut images = Vec::new();
    let mut labels = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let values: Vec<f32> = line
            .split(',')
            .map(|v| v.trim().parse::<f32>())
            .collect::<std::result::Result<_, _>>()
            .or_else(|e| err(format!("{}:{}: {e}", path.display(), n + 1)))?;
        if values.len() != 65 {
            return err(format!(
                "{}:{}: expected 65 values (64 pixels and the label), got {}",
                path.display(),
                n + 1,
                values.len()
            ));
        }
        let label = values[64];
        if !(0.0..=9.0).contains(&label) || label.fract() != 0.0 {
            return err(format!(
                "{}:{}: the label {label} is not a digit",
                path.display(),
                n + 1
            ));
        }
        if let Some(p) = values[..64].iter().find(|p| !(0.0..=16.0).contains(*p)) {
            return err(format!(
                "{}:{}: the pixel value {p} is outside 0..16",
                path.display(),
                n + 1
            ));
        }
        images.extend(values[..64].iter().map(|p| p / 16.0));
        labels.push(label as i32);
    }
    if labels.is_empty() {
        return err(format!("{}: no samples", path.display()));
    }
    Ok(Dataset {
        images,
        labels,
        side: 8,
    })
}

/// Reads one IDX file (`name` or `name.gz` in `dir`): its dimensions and bytes.
fn read_idx(dir: &Path, name: &str) -> std::result::Result<(Vec<usize>, Vec<u8>), DataError> {
    let plain = dir.join(name);
    let path = if plain.is_file() {
        plain
    } else {
        dir.join(format!("{name}.gz"))
    };
    let bytes = read_maybe_gz(&path)?;
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 {
        return err(format!(
            "{}: not an IDX file of unsigned bytes",
            path.display()
        ));
    }
    let ndim = bytes[3] as usize;
    let header = 4 + 4 * ndim;
    if bytes.len() < header {
        return err(format!("{}: truncated header", path.display()));
    }
    let dims: Vec<usize> = (0..ndim)
        .map(|k| {
            let b = &bytes[4 + 4 * k..8 + 4 * k];
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
        })
        .collect();
    let count: usize = dims.iter().product();
    if bytes.len() != header + count {
        return err(format!(
            "{}: dimensions {dims:?} need {count} bytes of data, the file has {}",
            path.display(),
            bytes.len() - header
        ));
    }
    Ok((dims, bytes[header..].to_vec()))
}

fn read_mnist_part(dir: &Path, prefix: &str) -> std::result::Result<Dataset, DataError> {
    let (idims, pixels) = read_idx(dir, &format!("{prefix}-images-idx3-ubyte"))?;
    let (ldims, labels) = read_idx(dir, &format!("{prefix}-labels-idx1-ubyte"))?;
    if idims.len() != 3 || idims[1] != idims[2] || ldims.len() != 1 || ldims[0] != idims[0] {
        return err(format!(
            "{}: {prefix} images {idims:?} and labels {ldims:?} do not match",
            dir.display()
        ));
    }
    if let Some(l) = labels.iter().find(|&&l| l > 9) {
        return err(format!(
            "{}: {prefix} label {l} is not a digit",
            dir.display()
        ));
    }
    Ok(Dataset {
        images: pixels.iter().map(|&p| f32::from(p) / 255.0).collect(),
        labels: labels.iter().map(|&l| i32::from(l)).collect(),
        side: idims[1],
    })
}

/// Reads MNIST from the four IDX files in `dir` (`train-images-idx3-ubyte`,
/// `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each
/// possibly `.gz`): (train, test).
pub fn read_mnist(dir: &Path) -> std::result::Result<(Dataset, Dataset), DataError> {
    Ok((
        read_mnist_part(dir, "train")?,
        read_mnist_part(dir, "t10k")?,
    ))
}

/// SplitMix64: a tiny, fixed pseudo-random sequence, so that the split and the batch
/// order depend on the seed alone (not on MLX's generator or the platform).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The sequence of `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `0..n` in a random order (Fisher–Yates).
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            p.swap(i, j);
        }
        p
    }
}

/// A fixed-seed split: `n_train` random samples for training, the rest for testing.
pub fn split(data: &Dataset, n_train: usize, seed: u64) -> (Dataset, Dataset) {
    let order = Rng::new(seed).permutation(data.len());
    let n_train = n_train.min(data.len());
    (
        data.subset(&order[..n_train]),
        data.subset(&order[n_train..]),
    )
}

/// An ASCII rendering of one image, two characters per pixel.
pub fn ascii(image: &[f32], side: usize) -> String {
    const SHADES: [&str; 5] = ["  ", "..", "::", "##", "@@"];
    let mut s = String::new();
    for row in image.chunks(side) {
        for &p in row {
            let k = ((p.clamp(0.0, 1.0) * 4.0).round()) as usize;
            s.push_str(SHADES[k]);
        }
        s.push('\n');
    }
    s
}

/// The models: both are an [`nn::Sequential`], so their weights are named as Python's
/// `nn.Sequential` names them (`layers.0.weight`, `layers.2.bias`, ...): the MLP loads
/// into `nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
/// nn.Linear(256, 10))` unchanged.
pub mod models {
    use mlxrs::nn::losses::{CrossEntropyOptions, Reduction, cross_entropy};
    use mlxrs::nn::{self, Conv2d, Linear, MaxPool2d, Module, Sequential, UnaryLayer};
    use mlxrs::{Array, Error, Result, ops};

    /// ReLU as a layer: Python's `nn.ReLU()`.
    pub use mlxrs::nn::ReLU as Relu;

    /// `[n, side·side]` → `[n, side, side, 1]`: flat images to the NHWC input of a
    /// convolution (no parameters).
    #[derive(Debug, Clone, Copy, Module)]
    pub struct ToImage {
        side: i32,
    }

    impl UnaryLayer for ToImage {
        fn forward(&self, x: &Array) -> Result<Array> {
            ops::reshape(x, &[-1, self.side, self.side, 1])
        }
    }

    /// `[n, ...]` → `[n, rest]` (no parameters).
    #[derive(Debug, Clone, Copy, Module)]
    pub struct Flatten;

    impl UnaryLayer for Flatten {
        fn forward(&self, x: &Array) -> Result<Array> {
            let n = x.shape().first().copied().unwrap_or(0);
            ops::reshape(x, &[n, -1])
        }
    }

    /// Which network.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Arch {
        /// `side²`-256-256-10 with ReLU between (the flagship).
        Mlp,
        /// Two 3×3 convolutions (16 and 32 channels, padding 1) each with ReLU and 2×2
        /// max pooling, then one linear layer to the 10 classes.
        Cnn,
    }

    impl std::str::FromStr for Arch {
        type Err = Error;
        fn from_str(s: &str) -> Result<Arch> {
            match s {
                "mlp" => Ok(Arch::Mlp),
                "cnn" => Ok(Arch::Cnn),
                other => Err(Error::invalid(
                    "model",
                    format!("unknown model `{other}` (expected mlp or cnn)"),
                )),
            }
        }
    }

    impl Arch {
        /// The network's name on the command line.
        pub fn name(self) -> &'static str {
            match self {
                Arch::Mlp => "mlp",
                Arch::Cnn => "cnn",
            }
        }

        /// The architecture whose weights these are: a 4-dimensional weight is a
        /// convolution's.
        pub fn of_weights(weights: &nn::ParamMap) -> Arch {
            if weights.values().any(|w| w.ndim() == 4) {
                Arch::Cnn
            } else {
                Arch::Mlp
            }
        }
    }

    /// A freshly initialized network for `side`×`side` images (MLX's global random
    /// generator draws the weights: seed it first for a reproducible start).
    pub fn build(arch: Arch, side: usize) -> Result<Sequential> {
        let side = side as i32;
        Ok(match arch {
            Arch::Mlp => Sequential::new()
                .with(Linear::new(side * side, 256, true)?)
                .with(Relu)
                .with(Linear::new(256, 256, true)?)
                .with(Relu)
                .with(Linear::new(256, 10, true)?),
            Arch::Cnn => {
                let pooled = side / 4;
                Sequential::new()
                    .with(ToImage { side })
                    .with(Conv2d::new(1, 16, (3, 3))?.padding((1, 1)))
                    .with(Relu)
                    .with(MaxPool2d::new((2, 2), None, (0, 0))?)
                    .with(Conv2d::new(16, 32, (3, 3))?.padding((1, 1)))
                    .with(Relu)
                    .with(MaxPool2d::new((2, 2), None, (0, 0))?)
                    .with(Flatten)
                    .with(Linear::new(32 * pooled * pooled, 10, true)?)
            }
        })
    }

    /// The network saved at `path` by `train_digits` (or by Python MLX from the same
    /// `nn.Sequential`), for `side`×`side` images: the architecture follows the weights
    /// (a 4-dimensional weight is a convolution's), which load strictly.
    pub fn load(path: &std::path::Path, side: usize) -> Result<Sequential> {
        let (arrays, _) = mlxrs::io::load_safetensors(path)?;
        let weights: nn::ParamMap = arrays.into_iter().collect();
        let mut model = build(Arch::of_weights(&weights), side)?;
        model.load_weights(path)?;
        Ok(model)
    }

    /// The mean cross-entropy of the network's logits for `xs[0]` against the labels
    /// `xs[1]` (Python: `nn.losses.cross_entropy(model(x), y, reduction="mean")`).
    pub fn loss(model: &Sequential, xs: &[Array]) -> Result<Array> {
        let options = CrossEntropyOptions {
            reduction: Reduction::Mean,
            ..Default::default()
        };
        cross_entropy(&model.forward(&xs[0])?, &xs[1], options)
    }

    /// The predicted class of each row of `x`.
    pub fn predict(model: &Sequential, x: &Array) -> Result<Vec<i32>> {
        let logits = model.forward(x)?;
        ops::argmax_axis(&logits, -1, false)?
            .astype(mlxrs::Dtype::Int32)?
            .to_vec::<i32>()
    }

    /// The share of `data` the network classifies correctly.
    pub fn accuracy(model: &Sequential, data: &super::Dataset) -> Result<f64> {
        let mut right = 0usize;
        let every: Vec<usize> = (0..data.len()).collect();
        for chunk in every.chunks(2000) {
            let (x, _) = data.batch(chunk)?;
            let predicted = predict(model, &x)?;
            right += chunk
                .iter()
                .zip(&predicted)
                .filter(|(i, p)| data.labels[**i] == **p)
                .count();
        }
        Ok(right as f64 / data.len().max(1) as f64)
    }

    /// One pass over `data` in random batches of `batch_size` (the last one smaller),
    /// through `step`; calls `progress` after each batch with its loss. Returns the mean
    /// training loss.
    pub fn train_epoch(
        step: &mut nn::TrainStep,
        model: &mut Sequential,
        data: &super::Dataset,
        batch_size: usize,
        rng: &mut super::Rng,
        mut progress: impl FnMut(f32),
    ) -> Result<f32> {
        let order = rng.permutation(data.len());
        let mut total = 0.0f64;
        for chunk in order.chunks(batch_size.max(1)) {
            let (x, y) = data.batch(chunk)?;
            let loss = step.step(model, &[x, y])?.item::<f32>()?;
            total += f64::from(loss) * chunk.len() as f64;
            progress(loss);
        }
        Ok((total / data.len().max(1) as f64) as f32)
    }
}
