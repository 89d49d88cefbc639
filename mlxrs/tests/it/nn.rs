//! `mlxrs::nn` (python/tests/test_nn.py): parameter trees and their names against
//! Python's (nn_names.txt, written by nn_names.py), initialisations, training mode,
//! update/freeze, weight files (strict and not, and round trips through Python MLX when
//! `python3` with mlx is installed), gradients of a model, the tree utilities and the
//! derive macro (trybuild cases in tests/ui/).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Command;

use mlxrs::nn::{
    self, Activation, AvgPool2d, BatchNorm, Conv1d, Conv2d, Dropout, Embedding, Identity,
    LayerNorm, Linear, MaxPool1d, MaxPool2d, Module, MultiHeadAttention, Param, ParamMap,
    QuantizedEmbedding, QuantizedLinear, RMSNorm, Sequential, TransformerEncoder,
    TransformerEncoderLayer, UnaryLayer,
};
use mlxrs::ops::Conv1dOptions;
use mlxrs::utils::{
    Tree, tree_flatten, tree_map, tree_map_with_path, tree_merge, tree_reduce, tree_unflatten,
};
use mlxrs::{Array, Dtype, Error, Result, ops};

use crate::support::assert_allclose;

/// `nn.ReLU` (the activation layers are another module's).
#[derive(Clone, Module)]
struct Relu;

impl UnaryLayer for Relu {
    fn forward(&self, x: &Array) -> Result<Array> {
        ops::maximum(x, &Array::from(0.0f32))
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mlxrs-it-nn-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(name)
}

fn err_text<T>(r: Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// The Rust model for each case of nn_names.txt.
fn named_model(case: &str) -> Result<Box<dyn Module>> {
    Ok(match case {
        "linear" => Box::new(Linear::new(5, 3, true)?),
        "linear_nobias" => Box::new(Linear::new(5, 3, false)?),
        "identity" => Box::new(Identity::new()),
        "embedding" => Box::new(Embedding::new(10, 4)?),
        "conv1d" => Box::new(Conv1d::new(4, 6, 3)?),
        "conv1d_groups" => Box::new(Conv1d::with_options(
            4,
            6,
            3,
            Conv1dOptions {
                groups: 2,
                ..Conv1dOptions::default()
            },
            false,
        )?),
        "conv2d" => Box::new(Conv2d::new(3, 4, (3, 2))?),
        "maxpool2d" => Box::new(MaxPool2d::new((2, 2), None, (0, 0))?),
        "layernorm" => Box::new(LayerNorm::new(6)?),
        "layernorm_nobias" => Box::new(LayerNorm::with_options(6, 1e-5, true, false)?),
        "layernorm_noaffine" => Box::new(LayerNorm::with_options(6, 1e-5, false, true)?),
        "rmsnorm" => Box::new(RMSNorm::new(8, 1e-5)?),
        "batchnorm" => Box::new(BatchNorm::new(4)?),
        "batchnorm_notrack" => Box::new(BatchNorm::with_options(4, 1e-5, 0.1, true, false)?),
        "batchnorm_noaffine" => Box::new(BatchNorm::with_options(4, 1e-5, 0.1, false, true)?),
        "dropout" => Box::new(Dropout::new(0.5)?),
        "mha" => Box::new(MultiHeadAttention::new(8, 2)?),
        "mha_dims" => Box::new(MultiHeadAttention::with_options(
            8,
            2,
            nn::AttentionDims {
                query_input_dims: Some(6),
                key_input_dims: Some(5),
                value_dims: Some(4),
                value_output_dims: Some(3),
                ..Default::default()
            },
            true,
        )?),
        "encoder_layer" => Box::new(TransformerEncoderLayer::new(
            8,
            2,
            None,
            0.0,
            Activation::relu(),
            true,
        )?),
        "encoder" => Box::new(TransformerEncoder::new(
            2,
            8,
            2,
            Some(16),
            0.0,
            Activation::relu(),
            true,
            false,
        )?),
        "mlp" => Box::new(
            Sequential::new()
                .with(Linear::new(4, 8, true)?)
                .with(Relu)
                .with(Linear::new(8, 8, true)?)
                .with(Relu)
                .with(Linear::new(8, 2, true)?),
        ),
        "qlinear" => Box::new(QuantizedLinear::new(64, 8, true, None, None)?),
        "qembedding" => Box::new(QuantizedEmbedding::new(16, 64, Some(32), Some(8))?),
        "quantized_seq" => {
            let mut m = Sequential::new()
                .with(Embedding::new(16, 64)?)
                .with(Linear::new(64, 32, true)?)
                .with(Linear::new(32, 8, true)?);
            nn::quantize(&mut m, Some(32), Some(4), None)?;
            Box::new(m)
        }
        other => panic!("no Rust model for case {other}"),
    })
}

#[test]
fn names_and_shapes_match_python() -> Result<()> {
    let table = include_str!("nn_names.txt");
    let mut want: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for line in table.lines() {
        let mut cols = line.split('\t');
        let case = cols.next().unwrap_or_default();
        let rest: Vec<&str> = cols.collect();
        let entry = want.entry(case).or_default();
        if rest != ["-"] {
            // name, shape, dtype (`mlx.core.float32`), trainable
            entry.push(format!(
                "{} [{}] {} {}",
                rest[0],
                rest[1],
                rest[2].trim_start_matches("mlx.core."),
                rest[3]
            ));
        }
    }
    assert!(want.len() >= 20, "the table lists {} models", want.len());
    for (case, want) in &mut want {
        let model = named_model(case)?;
        let mut got = Vec::new();
        model.visit_parameters("", &mut |name, p| {
            let shape: Vec<String> = p.value.shape().iter().map(ToString::to_string).collect();
            let trainable = if p.frozen { "False" } else { "True" };
            got.push(format!(
                "{name} [{}] {} {trainable}",
                shape.join(","),
                p.value.dtype().name()
            ));
        });
        got.sort();
        want.sort();
        assert_eq!(&got, want, "parameters of {case}");
    }
    Ok(())
}

/// Mean and standard deviation of all elements.
fn stats(a: &Array) -> Result<(f64, f64, f32, f32)> {
    let v = a.to_vec::<f32>()?;
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let var = v
        .iter()
        .map(|&x| (f64::from(x) - mean).powi(2))
        .sum::<f64>()
        / n;
    let min = v.iter().copied().fold(f32::INFINITY, f32::min);
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    Ok((mean, var.sqrt(), min, max))
}

/// `U(-s, s)`: mean 0 and standard deviation `s/√3`, within 5 standard errors.
fn assert_uniform(a: &Array, s: f64) -> Result<()> {
    assert_eq!(a.dtype(), Dtype::Float32);
    let (mean, std, min, max) = stats(a)?;
    let n = a.size() as f64;
    let sd = s / 3f64.sqrt();
    assert!(
        mean.abs() < 5.0 * sd / n.sqrt(),
        "mean {mean} for U(-{s}, {s})"
    );
    // The sample std of n uniform draws has standard error sd·√(0.2/n) (its fourth
    // central moment is 9sd⁴/5); allow 5 standard errors.
    let tol = 5.0 * sd * (0.2 / n).sqrt();
    assert!((std - sd).abs() < tol, "std {std}, expected {sd} ± {tol}");
    assert!(
        f64::from(min) >= -s && f64::from(max) <= s,
        "range [{min}, {max}] for U(-{s}, {s})"
    );
    assert!(
        f64::from(max) > 0.95 * s && f64::from(min) < -0.95 * s,
        "range [{min}, {max}]"
    );
    Ok(())
}

#[test]
fn initialisations_follow_python() -> Result<()> {
    // Linear: weight and bias U(-1/√in, 1/√in).
    let l = Linear::new(200, 300, true)?;
    assert_eq!(l.weight.shape(), &[300, 200]);
    assert_uniform(&l.weight, (1.0f64 / 200.0).sqrt())?;
    assert_uniform(
        l.bias.as_ref().map(|b| &b.value).expect("bias"),
        (1.0f64 / 200.0).sqrt(),
    )?;
    // Embedding: N(0, 1/dims).
    let e = Embedding::new(500, 64)?;
    let (mean, std, _, _) = stats(&e.weight)?;
    assert_eq!(
        (e.weight.shape(), e.weight.dtype()),
        (&[500, 64][..], Dtype::Float32)
    );
    assert!(mean.abs() < 5.0 * 0.125 / (32000f64).sqrt(), "mean {mean}");
    assert!((std - 0.125).abs() < 0.03 * 0.125, "std {std}");
    // Conv1d: U(-1/√(C_in·k), ..), zero bias; Conv2d: U(-1/√(C_in·kH·kW), ..).
    let c = Conv1d::new(8, 64, 5)?;
    assert_eq!(c.weight.shape(), &[64, 5, 8]);
    assert_uniform(&c.weight, (1.0f64 / 40.0).sqrt())?;
    assert_eq!(
        c.bias.as_ref().map(|b| b.to_vec::<f32>()).transpose()?,
        Some(vec![0.0; 64])
    );
    let c = Conv2d::new(4, 128, (3, 3))?;
    assert_eq!(c.weight.shape(), &[128, 3, 3, 4]);
    assert_uniform(&c.weight, (1.0f64 / 36.0).sqrt())?;
    // Norms: ones and zeros.
    let ln = LayerNorm::new(3)?;
    assert_eq!(
        ln.weight.as_ref().map(|w| w.to_vec::<f32>()).transpose()?,
        Some(vec![1.0; 3])
    );
    assert_eq!(
        ln.bias.as_ref().map(|w| w.to_vec::<f32>()).transpose()?,
        Some(vec![0.0; 3])
    );
    let bn = BatchNorm::new(2)?;
    let p = bn.parameters();
    assert_eq!(p["running_mean"].to_vec::<f32>()?, [0.0, 0.0]);
    assert_eq!(p["running_var"].to_vec::<f32>()?, [1.0, 1.0]);
    assert_eq!(RMSNorm::new(2, 1e-5)?.weight.to_vec::<f32>()?, [1.0, 1.0]);
    Ok(())
}

#[test]
fn layers_compute_hand_values() -> Result<()> {
    // Linear: y = x Wᵀ + b.
    let mut l = Linear::new(2, 1, true)?;
    l.update(&ParamMap::from([
        (
            "weight".to_string(),
            Array::from_slice(&[2.0f32, -1.0], &[1, 2])?,
        ),
        ("bias".to_string(), Array::from_slice(&[0.5f32], &[1])?),
    ]))?;
    let y = l.forward(&Array::from_slice(&[1.0f32, 3.0, 4.0, 1.0], &[2, 2])?)?;
    assert_allclose(&y, &[-0.5, 7.5], 0.0, 1e-6)?;
    // Pools.
    let x = Array::from_slice(&[1.0f32, 5.0, 2.0, 0.0, 3.0, 4.0], &[1, 6, 1])?;
    assert_allclose(
        &MaxPool1d::new(2, None, 0)?.forward(&x)?,
        &[5.0, 2.0, 4.0],
        0.0,
        0.0,
    )?;
    assert_allclose(
        &MaxPool1d::new(3, Some(1), 0)?.forward(&x)?,
        &[5.0, 5.0, 3.0, 4.0],
        0.0,
        0.0,
    )?;
    let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[1, 2, 2, 1])?;
    assert_allclose(
        &AvgPool2d::new((2, 2), None, (0, 0))?.forward(&x)?,
        &[2.5],
        0.0,
        1e-6,
    )?;
    // BatchNorm: training uses batch statistics and updates the running ones; eval uses
    // the running ones. Channel values [0, 2] and [10, 30]: means 1 and 20, biased
    // variances 1 and 100, unbiased 2 and 200.
    let mut bn = BatchNorm::new(2)?;
    let x = Array::from_slice(&[0.0f32, 10.0, 2.0, 30.0], &[2, 2])?;
    let y = bn.forward(&x)?;
    assert_allclose(&y, &[-1.0, -1.0, 1.0, 1.0], 0.0, 1e-4)?;
    let p = bn.parameters();
    assert_allclose(&p["running_mean"], &[0.1, 2.0], 1e-6, 1e-6)?;
    assert_allclose(&p["running_var"], &[0.9 + 0.2, 0.9 + 20.0], 1e-6, 1e-5)?;
    bn.eval();
    assert!(!bn.training());
    let y = bn.forward(&Array::from_slice(&[0.1f32, 2.0], &[1, 2])?)?;
    assert_allclose(&y, &[0.0, 0.0], 0.0, 1e-6)?;
    // Embedding rows.
    let mut e = Embedding::new(3, 2)?;
    e.update(&ParamMap::from([(
        "weight".to_string(),
        Array::from_slice(&[0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0], &[3, 2])?,
    )]))?;
    assert_allclose(
        &e.forward(&Array::from_slice(&[2i32, 0], &[2])?)?,
        &[4.0, 5.0, 0.0, 1.0],
        0.0,
        0.0,
    )?;
    assert_allclose(
        &e.as_linear(&Array::from_slice(&[1.0f32, 1.0], &[1, 2])?)?,
        &[1.0, 5.0, 9.0],
        0.0,
        0.0,
    )?;
    // The causal mask.
    let m = MultiHeadAttention::create_additive_causal_mask(2, Dtype::Float32)?;
    assert_eq!(m.to_vec::<f32>()?, [0.0, f32::MIN, 0.0, 0.0]);
    Ok(())
}

#[test]
fn dropout_obeys_training_mode() -> Result<()> {
    let mut d = Dropout::new(0.25)?;
    let x = Array::ones(&[100_000], Dtype::Float32)?;
    let y = d.forward(&x)?.to_vec::<f32>()?;
    let zeros = y.iter().filter(|&&v| v == 0.0).count() as f64 / y.len() as f64;
    // Kept values are scaled by 1/(1-p); about p of them are zero (5 standard errors).
    assert!(y.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.75).abs() < 1e-6));
    assert!(
        (zeros - 0.25).abs() < 5.0 * (0.25f64 * 0.75 / 1e5).sqrt(),
        "zero fraction {zeros}"
    );
    let mut model = Sequential::new()
        .with(Linear::new(2, 2, true)?)
        .with(d.clone());
    assert!(model.training());
    model.eval();
    assert!(!model.training());
    d.train(false);
    assert_eq!(d.forward(&x)?.to_vec::<f32>()?, vec![1.0; 100_000]);
    assert!(Dropout::new(1.0).is_err());
    Ok(())
}

#[test]
fn bad_inputs_name_the_layer_and_shapes() -> Result<()> {
    let f32s = |shape: &[i32]| Array::zeros(shape, Dtype::Float32);
    let e = err_text(Linear::new(3, 2, true)?.forward(&f32s(&[4, 5])?));
    assert!(
        e.contains("Linear") && e.contains("3") && e.contains("[4, 5]"),
        "{e}"
    );
    let e = err_text(Conv1d::new(3, 2, 2)?.forward(&f32s(&[4, 3])?));
    assert!(
        e.contains("Conv1d") && e.contains("3 dimensions") && e.contains("[4, 3]"),
        "{e}"
    );
    let e = err_text(Conv2d::new(3, 2, (2, 2))?.forward(&f32s(&[1, 4, 4, 2])?));
    assert!(e.contains("Conv2d") && e.contains("[1, 4, 4, 2]"), "{e}");
    let e = err_text(BatchNorm::new(2)?.forward(&f32s(&[1, 1, 1, 1, 2])?));
    assert!(e.contains("BatchNorm") && e.contains("2 or 3 or 4"), "{e}");
    let e = err_text(BatchNorm::new(2)?.forward(&f32s(&[1, 2])?));
    assert!(e.contains("more than one value per channel"), "{e}");
    let e = err_text(LayerNorm::new(4)?.forward(&f32s(&[2, 3])?));
    assert!(e.contains("LayerNorm") && e.contains("[2, 3]"), "{e}");
    let e = err_text(Embedding::new(4, 2)?.forward(&f32s(&[2])?));
    assert!(e.contains("Embedding") && e.contains("float32"), "{e}");
    let e = err_text(MultiHeadAttention::new(4, 2)?.forward(
        &f32s(&[2, 4])?,
        &f32s(&[2, 4])?,
        &f32s(&[2, 4])?,
        None,
    ));
    assert!(
        e.contains("MultiHeadAttention") && e.contains("[2, 4]"),
        "{e}"
    );
    let e = err_text(MultiHeadAttention::new(6, 4));
    assert!(e.contains("num_heads") && e.contains("6 % 4"), "{e}");
    let e = err_text(MaxPool2d::new((3, 3), None, (0, 0))?.forward(&f32s(&[1, 2, 2, 1])?));
    assert!(e.contains("MaxPool2d") && e.contains("[2, 2]"), "{e}");
    let e = err_text(Linear::new(0, 2, true));
    assert!(e.contains("input_dims"), "{e}");
    let e = err_text(Conv1d::with_options(
        3,
        2,
        2,
        Conv1dOptions {
            groups: 2,
            ..Default::default()
        },
        true,
    ));
    assert!(e.contains("divisible"), "{e}");
    Ok(())
}

#[test]
fn update_checks_names_and_shapes() -> Result<()> {
    let mut m = Sequential::new()
        .with(Linear::new(2, 3, true)?)
        .with(Relu)
        .with(Linear::new(3, 1, false)?);
    let before = m.parameters();
    let bad = ParamMap::from([
        (
            "layers.0.weight".to_string(),
            Array::zeros(&[3, 2], Dtype::Float32)?,
        ),
        (
            "layers.1.weight".to_string(),
            Array::zeros(&[1], Dtype::Float32)?,
        ),
        (
            "layers.2.weight".to_string(),
            Array::zeros(&[2, 2], Dtype::Float32)?,
        ),
    ]);
    let e = err_text(m.update(&bad));
    assert!(
        e.contains("\"layers.1.weight\"")
            && e.contains("`layers.2.weight` has shape [2, 2], expected [1, 3]"),
        "{e}"
    );
    // Nothing changed.
    for (k, v) in m.parameters() {
        assert_eq!(v.to_vec::<f32>()?, before[&k].to_vec::<f32>()?, "{k}");
    }
    m.update(&ParamMap::from([(
        "layers.2.weight".to_string(),
        Array::ones(&[1, 3], Dtype::Float32)?,
    )]))?;
    assert_eq!(
        m.parameters()["layers.2.weight"].to_vec::<f32>()?,
        [1.0, 1.0, 1.0]
    );
    Ok(())
}

/// A user model: sub-modules, a list, an optional layer, a map, a boxed layer, plain
/// configuration, a skipped field and a parameter of its own.
#[derive(Clone, Module)]
struct Custom {
    encoder: Vec<Linear>,
    head: Option<Linear>,
    unused: Option<Linear>,
    extra: BTreeMap<String, LayerNorm>,
    boxed: Box<dyn UnaryLayer>,
    scale: Param,
    offset: Array,
    hidden: usize,
    name: String,
    dtype: Dtype,
    #[module(skip)]
    cache: Vec<Vec<u8>>,
}

fn custom() -> Result<Custom> {
    Ok(Custom {
        encoder: vec![Linear::new(2, 2, true)?, Linear::new(2, 2, false)?],
        head: Some(Linear::new(2, 1, true)?),
        unused: None,
        extra: BTreeMap::from([("norm".to_string(), LayerNorm::new(2)?)]),
        boxed: Box::new(Dropout::new(0.1)?),
        scale: Param::new(Array::ones(&[1], Dtype::Float32)?),
        offset: Array::zeros(&[1], Dtype::Float32)?,
        hidden: 2,
        name: "custom".into(),
        dtype: Dtype::Float32,
        cache: Vec::new(),
    })
}

#[test]
fn derive_names_user_models_as_python() -> Result<()> {
    let mut m = custom()?;
    let names: Vec<String> = m.parameters().into_keys().collect();
    assert_eq!(
        names,
        [
            "encoder.0.bias",
            "encoder.0.weight",
            "encoder.1.weight",
            "extra.norm.bias",
            "extra.norm.weight",
            "head.bias",
            "head.weight",
            "offset",
            "scale",
        ]
    );
    assert_eq!(
        (m.hidden, m.name.as_str(), m.dtype, m.cache.len()),
        (2, "custom", Dtype::Float32, 0)
    );
    // Training mode reaches the boxed Dropout.
    assert!(m.training());
    m.eval();
    assert!(!m.training() && !m.boxed.training());
    m.train(true);
    assert!(m.boxed.training());
    // A clone is independent for parameters.
    let c = m.clone();
    m.update(&ParamMap::from([(
        "scale".to_string(),
        Array::from_slice(&[5.0f32], &[1])?,
    )]))?;
    assert_eq!(c.scale.to_vec::<f32>()?, [1.0]);
    assert_eq!(m.scale.to_vec::<f32>()?, [5.0]);
    Ok(())
}

#[test]
fn freeze_and_unfreeze() -> Result<()> {
    let mut m = custom()?;
    // A plain Array field cannot be frozen: an error naming it, and nothing changes.
    let e = err_text(m.freeze());
    assert!(e.contains("offset") && e.contains("nn::Param"), "{e}");
    assert_eq!(m.trainable_parameters().len(), 9);
    m.freeze_parameters(&["bias", "encoder.0.weight"])?;
    let t: Vec<String> = m.trainable_parameters().into_keys().collect();
    assert_eq!(
        t,
        [
            "encoder.1.weight",
            "extra.norm.weight",
            "head.weight",
            "offset",
            "scale"
        ]
    );
    assert_eq!(m.parameters().len(), 9);
    let e = err_text(m.freeze_parameters(&["nothing"]));
    assert!(e.contains("nothing"), "{e}");
    m.unfreeze()?;
    assert_eq!(m.trainable_parameters().len(), 9);
    // BatchNorm's running statistics stay frozen.
    let mut bn = BatchNorm::new(3)?;
    bn.freeze()?;
    assert!(bn.trainable_parameters().is_empty());
    bn.unfreeze()?;
    let t: Vec<String> = bn.trainable_parameters().into_keys().collect();
    assert_eq!(t, ["bias", "weight"]);
    Ok(())
}

#[test]
fn weights_strict_and_non_strict() -> Result<()> {
    let a = Sequential::new()
        .with(Linear::new(3, 4, true)?)
        .with(Relu)
        .with(Linear::new(4, 2, true)?);
    let path = scratch("mlp.safetensors");
    a.save_weights(&path)?;
    let mut b = Sequential::new()
        .with(Linear::new(3, 4, true)?)
        .with(Relu)
        .with(Linear::new(4, 2, true)?);
    b.load_weights(&path)?;
    let x = Array::from_slice(&[0.5f32, -1.0, 2.0], &[1, 3])?;
    assert_eq!(
        a.forward(&x)?.to_vec::<f32>()?,
        b.forward(&x)?.to_vec::<f32>()?
    );

    // A model with a different shape and a missing layer: strict fails naming both.
    let mut c = Sequential::new()
        .with(Linear::new(3, 5, true)?)
        .with(Relu)
        .with(Linear::new(5, 2, false)?);
    let before = c.parameters();
    let e = err_text(c.load_weights(&path));
    assert!(e.contains("weights") && e.contains("layers.2.bias"), "{e}");
    assert!(
        e.contains("`layers.0.weight` has shape [4, 3], expected [5, 3]"),
        "{e}"
    );
    for (k, v) in c.parameters() {
        assert_eq!(
            v.to_vec::<f32>()?,
            before[&k].to_vec::<f32>()?,
            "{k} changed"
        );
    }
    // Non-strict loads what matches and reports the rest.
    let r = c.load_weights_non_strict(&path)?;
    assert_eq!(r.loaded, Vec::<String>::new());
    assert_eq!(r.unexpected, ["layers.2.bias"]);
    assert_eq!(r.missing, Vec::<String>::new());
    let mismatched: Vec<&str> = r.mismatched.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        mismatched,
        ["layers.0.bias", "layers.0.weight", "layers.2.weight"]
    );
    let mut d = Sequential::new()
        .with(Linear::new(3, 4, true)?)
        .with(Relu)
        .with(Linear::new(4, 2, false)?)
        .with(Linear::new(2, 2, true)?);
    let r = d.load_weights_non_strict(&path)?;
    assert_eq!(
        r.loaded,
        ["layers.0.bias", "layers.0.weight", "layers.2.weight"]
    );
    assert_eq!(r.missing, ["layers.3.bias", "layers.3.weight"]);
    assert_eq!(r.unexpected, ["layers.2.bias"]);
    assert_eq!(
        d.parameters()["layers.0.weight"].to_vec::<f32>()?,
        a.parameters()["layers.0.weight"].to_vec::<f32>()?
    );
    // A missing file is an error.
    assert!(d.load_weights(scratch("absent.safetensors")).is_err());
    Ok(())
}

#[test]
fn value_and_grad_of_a_model_matches_finite_differences() -> Result<()> {
    if crate::support::skip_on_gpu("float64 finite differences") {
        return Ok(());
    }
    #[derive(Clone, Module)]
    struct Net {
        l1: Linear,
        ln: LayerNorm,
        l2: Linear,
    }
    impl Net {
        fn forward(&self, x: &Array) -> Result<Array> {
            let h = ops::tanh(&self.l1.forward(x)?)?;
            self.l2.forward(&self.ln.forward(&h)?)
        }
    }
    let loss = |m: &Net, xs: &[Array]| -> Result<Array> {
        ops::mean(
            &ops::square(&ops::subtract(&m.forward(&xs[0])?, &xs[1])?)?,
            false,
        )
    };
    let mut net = Net {
        l1: Linear::new(3, 4, true)?,
        ln: LayerNorm::new(4)?,
        l2: Linear::new(4, 2, true)?,
    };
    net.freeze_parameters(&["ln.bias"])?;
    // Float64 parameters and data, for clean finite differences.
    let as64: ParamMap = net
        .parameters()
        .into_iter()
        .map(|(k, v)| Ok((k, v.astype(Dtype::Float64)?)))
        .collect::<Result<_>>()?;
    net.update(&as64)?;
    let x = Array::from_slice(&[0.3f64, -1.2, 0.7, 1.5, 0.1, -0.4], &[2, 3])?;
    let y = Array::from_slice(&[0.2f64, -0.3, 1.0, 0.5], &[2, 2])?;
    let step = nn::value_and_grad(loss);
    let (value, grads) = step(&net, &[x.clone(), y.clone()])?;
    assert_eq!(
        value.item::<f64>()?,
        loss(&net, &[x.clone(), y.clone()])?.item::<f64>()?
    );
    let names: Vec<&str> = grads.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["l1.bias", "l1.weight", "l2.bias", "l2.weight", "ln.weight"]
    );
    // MLX computes fast::layer_norm at float32 precision even for float64 (errors ~3e-8),
    // so the step is 1e-3: truncation error ~1e-6, rounding ~3e-5.
    let h = 1e-3;
    for (name, g) in &grads {
        let p = net.parameters()[name].to_vec::<f64>()?;
        let g = g.to_vec::<f64>()?;
        for i in 0..p.len() {
            let at = |delta: f64| -> Result<f64> {
                let mut q = p.clone();
                q[i] += delta;
                let mut m = net.clone();
                m.update(&ParamMap::from([(
                    name.clone(),
                    Array::from_slice(&q, net.parameters()[name].shape())?,
                )]))?;
                loss(&m, &[x.clone(), y.clone()])?.item::<f64>()
            };
            let fd = (at(h)? - at(-h)?) / (2.0 * h);
            assert!(
                (fd - g[i]).abs() < 2e-4 + 1e-3 * fd.abs(),
                "{name}[{i}]: grad {}, finite difference {fd}",
                g[i]
            );
        }
    }
    // The model itself was not changed.
    assert_eq!(net.parameters()["l1.weight"].dtype(), Dtype::Float64);
    let e = err_text(nn::value_and_grad(|m: &Net, xs: &[Array]| {
        m.forward(&xs[0])
    })(&net, &[x]));
    assert!(e.contains("scalar"), "{e}");
    Ok(())
}

#[test]
fn quantize_swaps_in_python_parameters() -> Result<()> {
    let mut m = Sequential::new()
        .with(Linear::new(64, 32, true)?)
        .with(Relu)
        .with(Linear::new(32, 8, true)?);
    let x = Array::from_slice(
        &(0..128)
            .map(|i| ((i % 17) as f32 - 8.0) / 8.0)
            .collect::<Vec<_>>(),
        &[2, 64],
    )?;
    let dense = m.forward(&x)?;
    // Only the first layer (a predicate on the path).
    nn::quantize(
        &mut m,
        Some(32),
        Some(8),
        Some(&|path: &str, _: &dyn Module| path == "layers.0"),
    )?;
    let names: Vec<String> = m.parameters().into_keys().collect();
    assert_eq!(
        names,
        [
            "layers.0.bias",
            "layers.0.biases",
            "layers.0.scales",
            "layers.0.weight",
            "layers.2.bias",
            "layers.2.weight"
        ]
    );
    assert_eq!(m.parameters()["layers.0.weight"].dtype(), Dtype::Uint32);
    // 8-bit quantization keeps the output close to the dense one.
    let q = m.forward(&x)?;
    let diff = ops::max(&ops::abs(&ops::subtract(&q, &dense)?)?, false)?.item::<f32>()?;
    assert!(diff < 0.05, "max difference {diff}");
    let t: Vec<String> = m.trainable_parameters().into_keys().collect();
    assert_eq!(t, ["layers.0.bias", "layers.2.bias", "layers.2.weight"]);
    let e = err_text(m.forward(&Array::zeros(&[2, 60], Dtype::Float32)?));
    assert!(e.contains("Linear") && e.contains("64"), "{e}");
    Ok(())
}

#[test]
fn tree_utilities() -> Result<()> {
    let flat = vec![
        ("layers.1.w".to_string(), 2),
        ("layers.0.w".to_string(), 1),
        ("layers.0.b".to_string(), 0),
        ("head".to_string(), 3),
    ];
    let tree = tree_unflatten(flat)?;
    let Some(Tree::List(layers)) = tree.get("layers") else {
        panic!("layers is not a list: {tree:?}")
    };
    assert_eq!(layers.len(), 2);
    assert_eq!(tree.get("head"), Some(&Tree::Leaf(3)));
    assert_eq!(
        tree_flatten(&tree),
        [
            ("head".to_string(), 3),
            ("layers.0.b".to_string(), 0),
            ("layers.0.w".to_string(), 1),
            ("layers.1.w".to_string(), 2)
        ]
    );
    let doubled = tree_map(&tree, |x| x * 2);
    assert_eq!(tree_reduce(&doubled, 0, |a, x| a + x), 12);
    let paths = tree_map_with_path(&tree, |p, _| p.len());
    assert_eq!(paths.get("head"), Some(&Tree::Leaf(4)));
    let other = tree_unflatten(vec![("head".to_string(), 9), ("tail".to_string(), 7)])?;
    let merged = tree_merge(&tree, &other);
    assert_eq!(tree_flatten(&merged).len(), 5);
    assert_eq!(merged.get("head"), Some(&Tree::Leaf(9)));
    // Gaps in list indices and a leaf that is also a prefix are errors.
    assert!(tree_unflatten(vec![("0".to_string(), 1), ("2".to_string(), 2)]).is_err());
    assert!(tree_unflatten(vec![("a".to_string(), 1), ("a.b".to_string(), 2)]).is_err());
    // Parameter maps round-trip.
    let params = Linear::new(2, 2, true)?.parameters();
    let t = Tree::from_params(&params)?;
    assert_eq!(
        t.to_params().keys().collect::<Vec<_>>(),
        params.keys().collect::<Vec<_>>()
    );
    Ok(())
}

/// Python MLX, when installed: `Some(python3)`; else a notice and `None`.
fn python_mlx() -> Option<&'static str> {
    let ok = Command::new("python3")
        .args(["-c", "import mlx.core, mlx.nn"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        // `cargo xtask test --oracle` (CI) provides Python MLX and asks for this test.
        assert!(
            std::env::var_os("MLXRS_REQUIRE_PYTHON").is_none(),
            "MLXRS_REQUIRE_PYTHON is set, but python3 cannot import mlx"
        );
        eprintln!("notice: python3 with mlx is not installed; skipping the Python round trip");
    }
    ok.then_some("python3")
}

/// The round-trip model, the same architecture as `Net` in the Python script below.
#[derive(Clone, Module)]
struct RoundTrip {
    emb: Embedding,
    conv: Conv1d,
    bn: BatchNorm,
    enc: TransformerEncoder,
    head: Sequential,
}

impl RoundTrip {
    fn new() -> Result<RoundTrip> {
        Ok(RoundTrip {
            emb: Embedding::new(11, 8)?,
            conv: Conv1d::new(8, 8, 3)?.padding(1),
            bn: BatchNorm::new(8)?,
            enc: TransformerEncoder::new(2, 8, 2, Some(16), 0.0, Activation::relu(), true, false)?,
            head: Sequential::new()
                .with(Linear::new(8, 16, true)?)
                .with(Relu)
                .with(Linear::new(16, 3, true)?),
        })
    }
    fn forward(&self, tokens: &Array) -> Result<Array> {
        let x = self.emb.forward(tokens)?;
        let x = self.bn.forward(&self.conv.forward(&x)?)?;
        let mask = MultiHeadAttention::create_additive_causal_mask(x.shape()[1], Dtype::Float32)?;
        self.head.forward(&self.enc.forward(&x, Some(&mask))?)
    }
}

const PY_ROUND_TRIP: &str = r#"
import sys
import mlx.core as mx
import mlx.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(11, 8)
        self.conv = nn.Conv1d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm(8)
        self.enc = nn.TransformerEncoder(2, 8, 2, mlp_dims=16)
        self.head = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    def __call__(self, t):
        x = self.bn(self.conv(self.emb(t)))
        mask = nn.MultiHeadAttention.create_additive_causal_mask(x.shape[1])
        return self.head(self.enc(x, mask))

d = sys.argv[1]
data = mx.load(d + "/data.safetensors")
t = data["tokens"]
# Rust -> Python: strict load, same output.
net = Net()
net.eval()
net.load_weights(d + "/rust.safetensors")
print("rust->python max diff", mx.abs(net(t) - data["rust_out"]).max().item())
# Python -> Rust: a fresh model, trained statistics for BatchNorm.
mx.random.seed(3)
net = Net()
net.train()
net.bn(mx.random.normal((4, 5, 8)) * 2 + 1)
net.eval()
net.save_weights(d + "/python.safetensors")
mx.save_safetensors(d + "/python_out.safetensors", {"out": net(t)})
"#;

#[test]
fn weights_round_trip_through_python() -> Result<()> {
    let Some(python) = python_mlx() else {
        return Ok(());
    };
    let dir = scratch("round-trip");
    std::fs::create_dir_all(&dir)?;
    let tokens = Array::from_slice(&[1i32, 4, 10, 0, 3, 3, 7, 2, 9, 5], &[2, 5])?;
    let mut model = RoundTrip::new()?;
    // Running statistics that are not the initial ones.
    let _ = model.bn.forward(&Array::from_slice(
        &(0..80)
            .map(|i| (i as f32 * 0.37).sin() * 3.0)
            .collect::<Vec<_>>(),
        &[2, 5, 8],
    )?)?;
    model.eval();
    let rust_out = model.forward(&tokens)?;
    model.save_weights(dir.join("rust.safetensors"))?;
    let data = HashMap::from([
        ("tokens".to_string(), tokens.clone()),
        ("rust_out".to_string(), rust_out),
    ]);
    mlxrs::save_safetensors(dir.join("data.safetensors"), &data, &HashMap::new())?;
    let script = dir.join("round_trip.py");
    std::fs::write(&script, PY_ROUND_TRIP)?;
    let out = Command::new(python).arg(&script).arg(&dir).output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("rust->python max diff "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::INFINITY);
    assert!(
        diff < 1e-4,
        "Python's output from Rust's weights differs by {diff}"
    );
    // Python's weights into a fresh Rust model (strict): the same output.
    let mut fresh = RoundTrip::new()?;
    fresh.load_weights(dir.join("python.safetensors"))?;
    fresh.eval();
    let (want, _) = mlxrs::load_safetensors(dir.join("python_out.safetensors"))?;
    let got = fresh.forward(&tokens)?;
    let diff = ops::max(&ops::abs(&ops::subtract(&got, &want["out"])?)?, false)?.item::<f32>()?;
    assert!(
        diff < 1e-4,
        "Rust's output from Python's weights differs by {diff}"
    );
    assert!(
        fresh.parameters()["bn.running_var"]
            .to_vec::<f32>()?
            .iter()
            .any(|&v| (v - 1.0).abs() > 0.1)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[test]
fn rename_names_parameters_as_published() -> Result<()> {
    // Published weights use names that are not snake-case Rust fields (BERT's
    // `LayerNorm`, `attention.self`): `#[module(rename = ..)]` gives them, in paths,
    // updates and loads alike.
    #[derive(Clone, Module)]
    struct Attention {
        #[module(rename = "self")]
        self_attention: Linear,
        #[module(rename = "LayerNorm")]
        layer_norm: nn::LayerNorm,
    }
    #[derive(Clone, Module)]
    struct Block {
        attention: Attention,
        layers: Vec<Attention>,
    }
    let block = || -> Result<Attention> {
        Ok(Attention {
            self_attention: Linear::new(2, 2, true)?,
            layer_norm: nn::LayerNorm::new(2)?,
        })
    };
    let mut m = Block {
        attention: block()?,
        layers: vec![block()?],
    };
    let names: Vec<String> = m.parameters().into_keys().collect();
    assert_eq!(
        names,
        [
            "attention.LayerNorm.bias",
            "attention.LayerNorm.weight",
            "attention.self.bias",
            "attention.self.weight",
            "layers.0.LayerNorm.bias",
            "layers.0.LayerNorm.weight",
            "layers.0.self.bias",
            "layers.0.self.weight",
        ]
    );
    let mut p = nn::ParamMap::new();
    p.insert(
        "layers.0.LayerNorm.bias".into(),
        Array::from_slice(&[3.0f32, 4.0], &[2])?,
    );
    m.update(&p)?;
    assert_eq!(
        m.layers[0]
            .layer_norm
            .bias
            .as_ref()
            .unwrap()
            .to_vec::<f32>()?,
        [3.0, 4.0]
    );
    p.insert(
        "layers.0.layer_norm.bias".into(),
        Array::zeros(&[2], Dtype::Float32)?,
    );
    assert!(
        m.update(&p).is_err(),
        "the Rust field name is not a parameter name"
    );
    Ok(())
}

#[test]
fn derive_error_messages() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}

#[test]
fn errors_are_typed() -> Result<()> {
    let r = Linear::new(3, 2, true)?.forward(&Array::zeros(&[1, 2], Dtype::Float32)?);
    assert!(matches!(r, Err(Error::ShapeMismatch { op: "Linear", .. })));
    Ok(())
}

#[test]
fn value_and_grad_updates_batchnorm_statistics() -> Result<()> {
    // Python updates BatchNorm's running statistics inside `nn.value_and_grad`; so does
    // mlxrs (clones share them), and the stored arrays evaluate after the transform.
    let model = Sequential::new()
        .with(Linear::new(2, 2, true)?)
        .with(BatchNorm::new(2)?);
    let step =
        nn::value_and_grad(|m: &Sequential, xs: &[Array]| ops::sum(&m.forward(&xs[0])?, false));
    let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 5.0, -1.0, 0.0], &[3, 2])?;
    let (_, grads) = step(&model, std::slice::from_ref(&x))?;
    let names: Vec<&str> = grads.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "layers.0.bias",
            "layers.0.weight",
            "layers.1.bias",
            "layers.1.weight"
        ]
    );
    // d sum(BN(h)) / d bias = batch size; the normalized outputs sum to zero per channel.
    assert_allclose(&grads["layers.1.bias"], &[3.0, 3.0], 0.0, 1e-5)?;
    assert_allclose(&grads["layers.1.weight"], &[0.0, 0.0], 0.0, 1e-4)?;
    // The running mean moved to 0.1 × the batch mean of the Linear's output.
    let h = model.layers[0].forward(&x)?;
    let want =
        ops::multiply(&ops::mean_axis(&h, 0, false)?, &Array::from(0.1f32))?.to_vec::<f32>()?;
    let got = model.parameters()["layers.1.running_mean"].clone();
    assert_allclose(&got, &want, 1e-5, 1e-6)?;
    Ok(())
}

#[test]
fn stateless_norms_take_any_width() -> Result<()> {
    // Python's LayerNorm(affine=False) and BatchNorm(affine=False,
    // track_running_stats=False) have no weights and normalize any last dimension.
    let x = Array::from_slice(&[1.0f32, 3.0, 5.0, 7.0, 9.0, 11.0], &[2, 3])?;
    let y = LayerNorm::with_options(5, 1e-5, false, false)?.forward(&x)?;
    let s = (8.0f32 / 3.0 + 1e-5).sqrt();
    assert_allclose(
        &y,
        &[-2.0 / s, 0.0, 2.0 / s, -2.0 / s, 0.0, 2.0 / s],
        1e-5,
        1e-5,
    )?;
    let y = BatchNorm::with_options(5, 1e-5, 0.1, false, false)?.forward(&x)?;
    let s = (9.0f32 + 1e-5).sqrt();
    assert_allclose(
        &y,
        &[-3.0 / s, -3.0 / s, -3.0 / s, 3.0 / s, 3.0 / s, 3.0 / s],
        1e-5,
        1e-5,
    )?;
    Ok(())
}
