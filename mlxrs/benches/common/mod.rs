//! The benchmark workloads, defined once: criterion benches (`dispatch`, `handles`,
//! `transforms`, `compute`) and the `runner` used by `cargo xtask bench` share them.
//! `xtask/bench/runner.py` (Python MLX) and `xtask/bench/runner.cpp` (C++ MLX) implement
//! the same workloads under the same ids; keep the three in step.

#![allow(dead_code)]

use mlxrs::ops::{
    add, logsumexp_axis, matmul, maximum, mean, multiply, reshape, sin, softmax_axis, subtract,
    sum, sum_axis,
};
use mlxrs::transforms::{compile, eval, grad, value_and_grad};
use mlxrs::{Array, Dtype, Result};

/// One iteration of a workload.
pub type Step = Box<dyn FnMut() -> Result<()>>;

/// How a workload is set up: its id (without the `gpu_` prefix) to one iteration.
type Setup = fn(&str) -> Result<Step>;

/// A function of arrays, boxed.
type BoxedFn = Box<dyn Fn(&[Array]) -> Result<Vec<Array>>>;

/// Which criterion group a workload belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Chains of tiny ops (binding overhead, eval scheduling).
    Dispatch,
    /// Creating, cloning, reading back arrays.
    Handles,
    /// Autodiff and compile of tiny functions; MLP training steps.
    Transforms,
    /// Kernels: matmul, softmax, layer norm, add.
    Compute,
}

/// A workload: id (fixed across reports), group, whether it is pinned to one CPU by
/// `cargo xtask bench` (latency-bound ones), and how to set it up.
pub struct Workload {
    /// The fixed id, e.g. `dispatch_chain100_n1024`.
    pub id: String,
    /// The criterion group.
    pub group: Group,
    /// Whether `xtask bench` runs it pinned to one CPU (latency workloads) or on all.
    pub pinned: bool,
    /// Whether `--quick` skips it.
    pub slow: bool,
    /// Builds the state and returns one iteration; given the id without its `gpu_` prefix.
    pub setup: Setup,
}

impl Workload {
    /// Builds this workload's state and returns one iteration (on the default device).
    pub fn start(&self) -> Result<Step> {
        (self.setup)(base_id(&self.id))
    }
}

/// A workload id without the `gpu_` prefix of the GPU set: the setups parse the rest.
pub fn base_id(id: &str) -> &str {
    id.strip_prefix("gpu_").unwrap_or(id)
}

/// Deterministic test data: `sin(0.37·i + phase)` in the given shape (the Python and C++
/// runners compute the same values).
pub fn data(shape: &[i32], phase: f32) -> Result<Array> {
    let n: i32 = shape.iter().product();
    let i = Array::arange(0.0, n as f64, 1.0, Dtype::Float32)?;
    let v = sin(&add(
        &multiply(&i, &Array::from(0.37f32))?,
        &Array::from(phase),
    )?)?;
    let v = reshape(&v, shape)?;
    v.eval()?;
    Ok(v)
}

fn number_after(id: &str, key: &str) -> usize {
    let rest = &id[id.find(key).map(|i| i + key.len()).unwrap_or(id.len())..];
    rest.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

fn dispatch_chain(id: &str) -> Result<Step> {
    let len = number_after(id, "chain");
    let n = number_after(id, "_n") as i32;
    let x = Array::ones(&[n], Dtype::Float32)?;
    x.eval()?;
    let one = Array::from(1.0f32);
    let evaluate = id.starts_with("dispatch");
    Ok(Box::new(move || {
        let mut y = x.clone();
        for _ in 0..len {
            y = add(&y, &one)?;
        }
        if evaluate {
            eval(&[&y])?;
        }
        Ok(())
    }))
}

fn sum_of_squares(xs: &[Array]) -> Result<Vec<Array>> {
    Ok(vec![sum(&multiply(&xs[0], &xs[0])?, false)?])
}

fn tiny_input() -> Result<Array> {
    let x = Array::from_slice(&[1.5f32], &[1])?;
    x.eval()?;
    Ok(x)
}

fn value_and_grad_tiny(_: &str) -> Result<Step> {
    let vag = value_and_grad(sum_of_squares, &[0])?;
    let x = tiny_input()?;
    Ok(Box::new(move || {
        let (v, g) = vag(std::slice::from_ref(&x))?;
        eval(&[&v[0], &g[0]])
    }))
}

fn grad_tiny(_: &str) -> Result<Step> {
    let g = grad(sum_of_squares, &[0])?;
    let x = tiny_input()?;
    Ok(Box::new(move || {
        let d = g(std::slice::from_ref(&x))?;
        eval(&[&d[0]])
    }))
}

fn grad_grad_tiny(_: &str) -> Result<Step> {
    let g = grad(sum_of_squares, &[0])?;
    let gg = grad(move |xs: &[Array]| Ok(vec![sum(&g(xs)?[0], false)?]), &[0])?;
    let x = tiny_input()?;
    Ok(Box::new(move || {
        let d = gg(std::slice::from_ref(&x))?;
        eval(&[&d[0]])
    }))
}

fn compiled_value_and_grad_tiny(_: &str) -> Result<Step> {
    let vag = value_and_grad(sum_of_squares, &[0])?;
    let f = compile(
        move |xs: &[Array]| {
            let (mut v, g) = vag(xs)?;
            v.extend(g);
            Ok(v)
        },
        false,
    )?;
    let x = tiny_input()?;
    Ok(Box::new(move || {
        let out = f(std::slice::from_ref(&x))?;
        eval(&[&out[0], &out[1]])
    }))
}

/// MLP 784-256-256-10, ReLU, softmax cross-entropy against one-hot labels, SGD (lr 0.1).
/// Inputs of the step: w1, b1, w2, b2, w3, b3, x, y; outputs: the six new parameters
/// and the loss.
pub fn mlp_loss(p: &[Array]) -> Result<Vec<Array>> {
    let zero = Array::from(0.0f32);
    let h1 = maximum(&add(&matmul(&p[6], &p[0])?, &p[1])?, &zero)?;
    let h2 = maximum(&add(&matmul(&h1, &p[2])?, &p[3])?, &zero)?;
    let logits = add(&matmul(&h2, &p[4])?, &p[5])?;
    let picked = sum_axis(&multiply(&logits, &p[7])?, -1, false)?;
    let loss = mean(
        &subtract(&logsumexp_axis(&logits, -1, false)?, &picked)?,
        false,
    )?;
    Ok(vec![loss])
}

fn mlp_params(batch: i32) -> Result<Vec<Array>> {
    let scale = |a: Array, s: f32| multiply(&a, &Array::from(s));
    let mut p = vec![
        scale(data(&[784, 256], 0.1)?, 0.05)?,
        Array::zeros(&[256], Dtype::Float32)?,
        scale(data(&[256, 256], 0.2)?, 0.06)?,
        Array::zeros(&[256], Dtype::Float32)?,
        scale(data(&[256, 10], 0.3)?, 0.06)?,
        Array::zeros(&[10], Dtype::Float32)?,
        data(&[batch, 784], 0.4)?,
    ];
    // one-hot labels: class i % 10 for row i
    let eye = Array::eye(10, 10, 0, Dtype::Float32)?;
    let rows: Vec<Array> = (0..batch)
        .map(|i| mlxrs::ops::slice(&eye, &[i % 10, 0], &[i % 10 + 1, 10], &[1, 1]))
        .collect::<Result<_>>()?;
    p.push(mlxrs::ops::concatenate(&rows, 0)?);
    let refs: Vec<&Array> = p.iter().collect();
    eval(&refs)?;
    Ok(p)
}

/// One SGD step as a function of (params, x, y) -> (new params, loss).
fn mlp_step_fn() -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static> {
    let vag = value_and_grad(mlp_loss, &[0, 1, 2, 3, 4, 5])?;
    let lr = Array::from(0.1f32);
    Ok(move |p: &[Array]| {
        let (loss, grads) = vag(p)?;
        let mut out = Vec::with_capacity(7);
        for (w, g) in p.iter().zip(&grads) {
            out.push(subtract(w, &multiply(g, &lr)?)?);
        }
        out.push(loss[0].clone());
        Ok(out)
    })
}

fn mlp_step(id: &str) -> Result<Step> {
    let batch = number_after(id, "_b") as i32;
    let mut p = mlp_params(batch)?;
    let step: BoxedFn = if id.ends_with("_compiled") {
        Box::new(compile(mlp_step_fn()?, false)?)
    } else {
        Box::new(mlp_step_fn()?)
    };
    Ok(Box::new(move || {
        let out = step(&p)?;
        let refs: Vec<&Array> = out.iter().collect();
        eval(&refs)?;
        // the six parameters are replaced; the loss (7th output) is dropped; x, y stay
        for (slot, new) in p.iter_mut().zip(out.into_iter().take(6)) {
            *slot = new;
        }
        Ok(())
    }))
}

/// ReLU as a layer (Python: `nn.ReLU()`), for the `nn.Sequential` MLP.
use mlxrs::nn::ReLU as Relu;

/// One Adam (lr 1e-3) training step through `nn::TrainStep` (compiled for ids ending in
/// `_compiled`): the step evaluates the loss, the new parameters and the state.
fn train_step<M>(
    id: &str,
    mut model: M,
    loss: impl Fn(&M, &[Array]) -> Result<Array> + 'static,
    batch: Vec<Array>,
) -> Result<Step>
where
    M: mlxrs::nn::Module + Clone + 'static,
{
    let optimizer = mlxrs::optimizers::Adam::new(1e-3)?;
    let mut step = if id.ends_with("_compiled") {
        mlxrs::nn::TrainStep::new(&model, optimizer, loss)?
    } else {
        mlxrs::nn::TrainStep::eager(&model, optimizer, loss)?
    };
    Ok(Box::new(move || {
        let _loss = step.step(&mut model, &batch)?;
        Ok(())
    }))
}

/// The flagship model of examples/train_digits: MLP 64-256-256-10 (an `nn::Sequential`
/// of `nn::Linear` with ReLU between), mean cross-entropy against labels `i % 10`.
fn train_mlp(id: &str) -> Result<Step> {
    use mlxrs::nn::losses::{CrossEntropyOptions, Reduction, cross_entropy};
    use mlxrs::nn::{Linear, Sequential, UnaryLayer};
    let batch = number_after(id, "_b") as i32;
    mlxrs::random::seed(0)?;
    let model = Sequential::new()
        .with(Linear::new(64, 256, true)?)
        .with(Relu)
        .with(Linear::new(256, 256, true)?)
        .with(Relu)
        .with(Linear::new(256, 10, true)?);
    let x = data(&[batch, 64], 0.4)?;
    let labels: Vec<i32> = (0..batch).map(|i| i % 10).collect();
    let y = Array::from_slice(&labels, &[batch as usize])?;
    let loss = |m: &Sequential, xs: &[Array]| {
        let options = CrossEntropyOptions {
            reduction: Reduction::Mean,
            ..Default::default()
        };
        cross_entropy(&m.forward(&xs[0])?, &xs[1], options)
    };
    train_step(id, model, loss, vec![x, y])
}

/// A 2-layer `nn::TransformerEncoder` (4 heads, MLP 4·width, pre-norm, no dropout, no
/// mask), mean squared error against a fixed target.
fn train_transformer(id: &str) -> Result<Step> {
    use mlxrs::nn::losses::{MseLossOptions, mse_loss};
    use mlxrs::nn::{Activation, TransformerEncoder};
    let (batch, seq, dims) = (
        number_after(id, "_b") as i32,
        number_after(id, "_s") as i32,
        number_after(id, "_d") as i32,
    );
    mlxrs::random::seed(0)?;
    let model = TransformerEncoder::new(2, dims, 4, None, 0.0, Activation::relu(), true, false)?;
    let x = data(&[batch, seq, dims], 0.5)?;
    let target = data(&[batch, seq, dims], 0.6)?;
    let loss = |m: &TransformerEncoder, xs: &[Array]| {
        mse_loss(&m.forward(&xs[0], None)?, &xs[1], MseLossOptions::default())
    };
    train_step(id, model, loss, vec![x, target])
}

/// `matmul_<dtype>_<n>`: the product of two `n`×`n` `data()` inputs cast to `f32`, `f16`
/// or `bf16`.
fn matmul_bench(id: &str) -> Result<Step> {
    let parts: Vec<&str> = id.split('_').collect();
    let dtype = match parts.get(1) {
        Some(&"f32") => Dtype::Float32,
        Some(&"f16") => Dtype::Float16,
        Some(&"bf16") => Dtype::Bfloat16,
        _ => {
            return Err(mlxrs::Error::invalid(
                "workload",
                format!("no dtype in `{id}`"),
            ));
        }
    };
    let n = number_after(id, &format!("{}_", parts[1])) as i32;
    let (mut a, mut b) = (data(&[n, n], 0.0)?, data(&[n, n], 1.0)?);
    if dtype != Dtype::Float32 {
        a = a.astype(dtype)?;
        b = b.astype(dtype)?;
        eval(&[&a, &b])?;
    }
    Ok(Box::new(move || matmul(&a, &b)?.eval()))
}

/// The `N`×`M` shape that ends an id such as `softmax_4096x4096`.
fn shape_nxm(id: &str) -> Result<[i32; 2]> {
    let last = id.rsplit('_').next().unwrap_or(id);
    let dims: Vec<i32> = last.split('x').filter_map(|d| d.parse().ok()).collect();
    match dims.as_slice() {
        [n, m] if *n > 0 && *m > 0 => Ok([*n, *m]),
        _ => Err(mlxrs::Error::invalid(
            "workload",
            format!("`{id}` does not end in a shape NxM"),
        )),
    }
}

fn softmax_bench(id: &str) -> Result<Step> {
    let x = data(&shape_nxm(id)?, 0.0)?;
    Ok(Box::new(move || softmax_axis(&x, -1, false)?.eval()))
}

fn layer_norm_bench(id: &str) -> Result<Step> {
    let x = data(&shape_nxm(id)?, 0.0)?;
    Ok(Box::new(move || {
        mlxrs::fast::layer_norm(&x, None, None, 1e-5)?.eval()
    }))
}

/// The GPU set's layer norm: with weight `data([M], 0.2)` and bias `data([M], 0.3)`.
fn layer_norm_affine_bench(id: &str) -> Result<Step> {
    let [n, m] = shape_nxm(id)?;
    let x = data(&[n, m], 0.0)?;
    let (w, b) = (data(&[m], 0.2)?, data(&[m], 0.3)?);
    Ok(Box::new(move || {
        mlxrs::fast::layer_norm(&x, Some(&w), Some(&b), 1e-5)?.eval()
    }))
}

/// RMS norm with weight `data([M], 0.2)`.
fn rms_norm_bench(id: &str) -> Result<Step> {
    let [n, m] = shape_nxm(id)?;
    let x = data(&[n, m], 0.0)?;
    let w = data(&[m], 0.2)?;
    Ok(Box::new(move || {
        mlxrs::fast::rms_norm(&x, Some(&w), 1e-5)?.eval()
    }))
}

fn add_bench(id: &str) -> Result<Step> {
    let shape = shape_nxm(id)?;
    let (a, b) = (data(&shape, 0.0)?, data(&shape, 1.0)?);
    Ok(Box::new(move || add(&a, &b)?.eval()))
}

/// `sdpa_b<B>_h<H>_s<S>_d<D>`: fused attention, no mask, scale `1/sqrt(D)`, with q, k, v
/// `data([B, H, S, D], 0, 1, 2)` in `bf16`.
fn sdpa_bench(id: &str) -> Result<Step> {
    let shape = ["_b", "_h", "_s", "_d"].map(|k| number_after(id, k) as i32);
    let input = |phase: f32| -> Result<Array> {
        let a = data(&shape, phase)?.astype(Dtype::Bfloat16)?;
        a.eval()?;
        Ok(a)
    };
    let (q, k, v) = (input(0.0)?, input(1.0)?, input(2.0)?);
    let options = mlxrs::fast::AttentionOptions::new(1.0 / (shape[3] as f32).sqrt());
    Ok(Box::new(move || {
        mlxrs::fast::scaled_dot_product_attention(&q, &k, &v, &options)?.eval()
    }))
}

fn to_vec_bench(id: &str) -> Result<Step> {
    let n = number_after(id, "to_vec_") as i32;
    let a = data(&[n], 0.0)?;
    Ok(Box::new(move || {
        std::hint::black_box(a.to_vec::<f32>()?);
        Ok(())
    }))
}

fn from_slice_bench(id: &str) -> Result<Step> {
    let n = number_after(id, "from_slice_");
    let v: Vec<f32> = (0..n).map(|i| i as f32).collect();
    Ok(Box::new(move || {
        drop(std::hint::black_box(Array::from_slice(&v, &[v.len()])?));
        Ok(())
    }))
}

fn clone_drop_bench(_: &str) -> Result<Step> {
    let a = tiny_input()?;
    Ok(Box::new(move || {
        drop(std::hint::black_box(a.clone()));
        Ok(())
    }))
}

fn item_bench(_: &str) -> Result<Step> {
    let a = tiny_input()?;
    Ok(Box::new(move || {
        std::hint::black_box(a.item::<f32>()?);
        Ok(())
    }))
}

/// The all-MiniLM-L6-v2 folder (`MLXRS_MINILM`, else third_party/minilm/), when
/// `cargo xtask setup --models` has fetched it.
pub fn minilm_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("MLXRS_MINILM")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../third_party/minilm")
        });
    dir.join("model.safetensors").is_file().then_some(dir)
}

/// The bench batch of `bert_*_b<B>`: `B` sentences of 16 tokens (`[CLS]`, 14 ids from
/// a fixed formula, `[SEP]`), the same in the Python runner.
pub fn bert_ids(batch: usize) -> Vec<Vec<u32>> {
    (0..batch)
        .map(|i| {
            let mut s = vec![101u32];
            s.extend((0..14).map(|j| 1000 + ((i * 131 + j * 37) % 20000) as u32));
            s.push(102);
            s
        })
        .collect()
}

/// Sentence embeddings of a batch with all-MiniLM-L6-v2 (`bert_b32`, `bert_q8_b32`:
/// 8-bit weights, group size 64): forward, mean pooling, normalisation, eval.
fn bert_bench(id: &str) -> Result<Step> {
    use mlxrs::models::bert::{SentenceEmbedder, pad_batch};
    let dir = minilm_dir().ok_or_else(|| {
        mlxrs::Error::invalid("model", "no all-MiniLM-L6-v2 (cargo xtask setup --models)")
    })?;
    let mut e = SentenceEmbedder::load(dir)?;
    if id.contains("_q8") {
        e.quantize(Some(64), Some(8))?;
    }
    let (ids, mask) = pad_batch(&bert_ids(number_after(id, "_b")), 0)?;
    Ok(Box::new(move || e.embed_batch(&ids, &mask)?.eval()))
}

/// Every workload, in report order.
pub fn all() -> Vec<Workload> {
    let mut w = Vec::new();
    let mut push = |id: String, group, pinned, slow, setup| {
        w.push(Workload {
            id,
            group,
            pinned,
            slow,
            setup,
        })
    };
    for len in [1, 10, 100, 1000] {
        for n in [1, 1024] {
            push(
                format!("dispatch_chain{len}_n{n}"),
                Group::Dispatch,
                true,
                false,
                dispatch_chain as fn(&str) -> Result<Step>,
            );
        }
    }
    for n in [1, 1024] {
        push(
            format!("build_chain1000_n{n}"),
            Group::Dispatch,
            true,
            false,
            dispatch_chain,
        );
    }
    push(
        "value_and_grad_tiny".into(),
        Group::Transforms,
        true,
        false,
        value_and_grad_tiny,
    );
    push(
        "grad_tiny".into(),
        Group::Transforms,
        true,
        false,
        grad_tiny,
    );
    push(
        "grad_grad_tiny".into(),
        Group::Transforms,
        true,
        false,
        grad_grad_tiny,
    );
    push(
        "compiled_value_and_grad_tiny".into(),
        Group::Transforms,
        true,
        false,
        compiled_value_and_grad_tiny,
    );
    for id in [
        "mlp_step_b32",
        "mlp_step_b32_compiled",
        "mlp_step_b256",
        "mlp_step_b256_compiled",
    ] {
        push(id.into(), Group::Transforms, false, false, mlp_step);
    }
    for id in [
        "train_mlp_b32",
        "train_mlp_b32_compiled",
        "train_mlp_b256",
        "train_mlp_b256_compiled",
    ] {
        push(id.into(), Group::Transforms, false, false, train_mlp);
    }
    for id in [
        "train_transformer_b8_s64_d128",
        "train_transformer_b8_s64_d128_compiled",
    ] {
        push(id.into(), Group::Transforms, false, true, train_transformer);
    }
    for n in [256, 512, 1024, 2048, 4096] {
        push(
            format!("matmul_f32_{n}"),
            Group::Compute,
            false,
            n >= 4096,
            matmul_bench,
        );
    }
    for n in [1024, 2048] {
        push(
            format!("matmul_bf16_{n}"),
            Group::Compute,
            false,
            n >= 2048,
            matmul_bench,
        );
    }
    // Sentence embeddings: only where the model has been fetched.
    if minilm_dir().is_some() {
        for id in ["bert_b1", "bert_b32", "bert_q8_b1", "bert_q8_b32"] {
            push(id.into(), Group::Compute, false, false, bert_bench);
        }
    }
    push(
        "softmax_4096x4096".into(),
        Group::Compute,
        false,
        false,
        softmax_bench,
    );
    push(
        "layer_norm_4096x4096".into(),
        Group::Compute,
        false,
        false,
        layer_norm_bench,
    );
    push(
        "add_4096x4096".into(),
        Group::Compute,
        false,
        false,
        add_bench,
    );
    for n in [1, 1000, 1_000_000, 10_000_000] {
        push(
            format!("to_vec_{n}"),
            Group::Handles,
            true,
            n >= 10_000_000,
            to_vec_bench,
        );
    }
    // criterion-only handle workloads (no Python/C++ twin)
    for n in [1, 1000, 1_000_000, 10_000_000] {
        push(
            format!("from_slice_{n}"),
            Group::Handles,
            true,
            false,
            from_slice_bench,
        );
    }
    push(
        "clone_drop".into(),
        Group::Handles,
        true,
        false,
        clone_drop_bench,
    );
    push("item_1".into(), Group::Handles, true, false, item_bench);
    w
}

/// The GPU set (`cargo xtask bench --device gpu`): ids prefixed `gpu_`, in report order.
/// Kernels at sizes that fill a datacenter GPU, then the latency and training rows of
/// [`all`] under the prefix. Nothing here is pinned (`xtask` decides for a GPU run);
/// `--quick` skips the 8192 products and the Transformer step.
pub fn gpu() -> Vec<Workload> {
    let mut w = Vec::new();
    let mut push = |id: String, group, slow, setup: Setup| {
        w.push(Workload {
            id: format!("gpu_{id}"),
            group,
            pinned: false,
            slow,
            setup,
        })
    };
    for dtype in ["f32", "f16", "bf16"] {
        for n in [1024, 2048, 4096, 8192] {
            push(
                format!("matmul_{dtype}_{n}"),
                Group::Compute,
                n >= 8192,
                matmul_bench,
            );
        }
    }
    let kernels: [(&str, Setup); 4] = [
        ("softmax", softmax_bench),
        ("layer_norm", layer_norm_affine_bench),
        ("rms_norm", rms_norm_bench),
        ("add", add_bench),
    ];
    for (name, setup) in kernels {
        push(format!("{name}_8192x8192"), Group::Compute, false, setup);
    }
    for d in [64, 128] {
        push(
            format!("sdpa_b8_h16_s1024_d{d}"),
            Group::Compute,
            false,
            sdpa_bench,
        );
    }
    for id in [
        "dispatch_chain1_n1",
        "dispatch_chain10_n1",
        "dispatch_chain100_n1",
        "dispatch_chain1000_n1",
        "dispatch_chain1000_n1024",
    ] {
        push(id.into(), Group::Dispatch, false, dispatch_chain);
    }
    push(
        "value_and_grad_tiny".into(),
        Group::Transforms,
        false,
        value_and_grad_tiny,
    );
    push("grad_tiny".into(), Group::Transforms, false, grad_tiny);
    push(
        "compiled_value_and_grad_tiny".into(),
        Group::Transforms,
        false,
        compiled_value_and_grad_tiny,
    );
    for id in ["mlp_step_b256", "mlp_step_b256_compiled"] {
        push(id.into(), Group::Transforms, false, mlp_step);
    }
    push(
        "train_mlp_b256_compiled".into(),
        Group::Transforms,
        false,
        train_mlp,
    );
    push(
        "train_transformer_b8_s64_d128_compiled".into(),
        Group::Transforms,
        true,
        train_transformer,
    );
    if minilm_dir().is_some() {
        for id in ["bert_b1", "bert_b32", "bert_q8_b32"] {
            push(id.into(), Group::Compute, false, bert_bench);
        }
    }
    w
}

/// Registers the workloads of `group` with criterion.
pub fn criterion_group(c: &mut criterion::Criterion, group: Group) {
    let mut g = c.benchmark_group(format!("{group:?}").to_lowercase());
    g.sample_size(20);
    for w in all().into_iter().filter(|w| w.group == group) {
        let mut step = match w.start() {
            Ok(s) => s,
            Err(e) => panic!("setting up {} failed: {e}", w.id),
        };
        if let Some(t) = throughput(&w.id) {
            g.throughput(t);
        }
        g.bench_function(&w.id, |b| b.iter(|| step().expect("workload step")));
    }
    g.finish();
}

/// What one iteration of a workload moves or computes, for criterion's rate column:
/// floating-point operations for matmul (criterion prints them as "elem/s", read
/// FLOP/s), bytes read and written for the bandwidth-bound rows, ops for the chains.
fn throughput(id: &str) -> Option<criterion::Throughput> {
    use criterion::Throughput::{Bytes, Elements};
    const N: u64 = 4096 * 4096;
    if let Some(rest) = id.strip_prefix("matmul_") {
        let n: u64 = rest.rsplit('_').next()?.parse().ok()?;
        return Some(Elements(2 * n * n * n));
    }
    match id {
        "add_4096x4096" => Some(Bytes(3 * 4 * N)),
        "softmax_4096x4096" | "layer_norm_4096x4096" => Some(Bytes(2 * 4 * N)),
        _ if id.contains("chain") => Some(Elements(number_after(id, "chain") as u64)),
        _ => None,
    }
}
