//! `mlx.nn` layers: forward outputs and the gradients of `sum(output)` with respect to
//! the input and every weight, with the same weights on both sides (Python half:
//! `nn_layers.layer` in xtask/oracle/special_nn_layers.py).

use mlxrs::nn::{
    Activation, AvgPool1d, AvgPool2d, BatchNorm, Conv1d, Conv2d, Dropout, Embedding, LayerNorm,
    Linear, MaxPool1d, MaxPool2d, Module, MultiHeadAttention, ParamMap, RMSNorm, Sequential,
    TransformerEncoder, TransformerEncoderLayer, UnaryLayer, quantize,
};
use mlxrs::ops::{Conv1dOptions, Conv2dOptions};
use mlxrs::{Array, Result};

use super::*;
use crate::harness::{Dom, P, Table};

const R1: Dom = Dom::U(-1.0, 1.0);

/// Python's keyword arguments for the special: the class, its constructor arguments and
/// the names of the weights that follow the `n_in` layer inputs.
fn layer_params(cls: &str, args: &str, kwargs: &str, names: &[&str], n_in: usize) -> P {
    let names: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    P::new()
        .s("_special", "nn_layers.layer")
        .s("cls", cls)
        .raw("args", args)
        .raw("kwargs", kwargs)
        .raw("names", &format!("[{}]", names.join(", ")))
        .i("n_in", n_in as i64)
}

/// `model` with the weights `ws` (named `names`).
fn with_weights<M: Module + Clone>(model: &M, names: &[&str], ws: &[Array]) -> Result<M> {
    let mut m = model.clone();
    let params: ParamMap = names
        .iter()
        .map(|n| n.to_string())
        .zip(ws.iter().cloned())
        .collect();
    m.update(&params)?;
    Ok(m)
}

/// A case for a one-input layer: input of `x_shape` (and `x_dom`), weights drawn for
/// each of `model`'s parameters in `names` order with their shapes.
#[allow(clippy::too_many_arguments)]
fn unary<M: UnaryLayer + Clone + 'static>(
    t: &mut Table,
    label: &str,
    p: P,
    model: M,
    names: &'static [&'static str],
    x: Array,
    weight_dom: Dom,
) -> Result<()> {
    let params = model.parameters();
    let mut inputs = vec![x];
    for n in names {
        let shape = params[*n].shape().to_vec();
        inputs.push(t.input(F32, &shape, weight_dom)?);
    }
    t.add(label, p, inputs, move |xs| {
        let m = with_weights(&model, names, &xs[1..])?;
        Ok(vec![m.forward(&xs[0])?])
    })
    .grad()
    .tol(10.0);
    Ok(())
}

pub fn cases(t: &mut Table) -> Result<()> {
    linear_and_embedding(t)?;
    convolutions(t)?;
    pooling(t)?;
    norms(t)?;
    attention(t)?;
    Ok(())
}

fn linear_and_embedding(t: &mut Table) -> Result<()> {
    let x = t.input(F32, &[4, 5], R1)?;
    let p = layer_params("Linear", "[5, 3]", "{}", &["weight", "bias"], 1);
    unary(
        t,
        "nn.Linear",
        p,
        Linear::new(5, 3, true)?,
        &["weight", "bias"],
        x,
        R1,
    )?;
    let x = t.input(F32, &[2, 3, 5], R1)?;
    let p = layer_params("Linear", "[5, 3]", "{\"bias\": false}", &["weight"], 1);
    unary(
        t,
        "nn.Linear",
        p,
        Linear::new(5, 3, false)?,
        &["weight"],
        x,
        R1,
    )?;

    // Embedding: integer indices, gradient with respect to the table only.
    let idx = Array::from_slice(&[0i32, 3, 3, 6, 1, 0], &[2, 3])?;
    let w = t.input(F32, &[7, 4], R1)?;
    let e = Embedding::new(7, 4)?;
    let e2 = e.clone();
    t.add(
        "nn.Embedding",
        layer_params("Embedding", "[7, 4]", "{}", &["weight"], 1),
        vec![idx, w],
        move |xs| {
            Ok(vec![
                with_weights(&e2, &["weight"], &xs[1..])?.forward(&xs[0])?,
            ])
        },
    )
    .grad()
    .tol(10.0);
    let x = t.input(F32, &[3, 4], R1)?;
    let w = t.input(F32, &[7, 4], R1)?;
    t.add(
        "nn.Embedding",
        layer_params("Embedding", "[7, 4]", "{}", &["weight"], 1).s("method", "as_linear"),
        vec![x, w],
        move |xs| {
            Ok(vec![
                with_weights(&e, &["weight"], &xs[1..])?.as_linear(&xs[0])?,
            ])
        },
    )
    .grad()
    .tol(10.0);

    // Quantized Linear and Embedding: the same float weights quantized on both sides;
    // gradients with respect to the input only.
    for (gs, bits) in [(32, 4), (64, 8)] {
        let x = t.input(F32, &[3, 64], R1)?;
        let w = t.input(F32, &[8, 64], R1)?;
        let b = t.input(F32, &[8], R1)?;
        let lin = Linear::new(64, 8, true)?;
        t.add(
            "nn.QuantizedLinear",
            layer_params("Linear", "[64, 8]", "{}", &["weight", "bias"], 1)
                .raw("quantize", &format!("[{gs}, {bits}]")),
            vec![x, w, b],
            move |xs| {
                let mut m = with_weights(&lin, &["weight", "bias"], &xs[1..])?;
                quantize(&mut m, Some(gs), Some(bits), None)?;
                Ok(vec![m.forward(&xs[0])?])
            },
        )
        .grad_wrt(&[0])
        .tol(10.0);
    }
    let idx = Array::from_slice(&[5i32, 0, 2], &[3])?;
    let w = t.input(F32, &[6, 64], R1)?;
    let emb = Embedding::new(6, 64)?;
    t.add(
        "nn.QuantizedEmbedding",
        layer_params("Embedding", "[6, 64]", "{}", &["weight"], 1).raw("quantize", "[64, 4]"),
        vec![idx, w],
        move |xs| {
            let mut m = with_weights(&emb, &["weight"], &xs[1..])?;
            quantize(&mut m, Some(64), Some(4), None)?;
            Ok(vec![m.forward(&xs[0])?])
        },
    );
    Ok(())
}

fn convolutions(t: &mut Table) -> Result<()> {
    let x = t.input(F32, &[2, 9, 4], R1)?;
    let p = layer_params("Conv1d", "[4, 6, 3]", "{}", &["weight", "bias"], 1);
    unary(
        t,
        "nn.Conv1d",
        p,
        Conv1d::new(4, 6, 3)?,
        &["weight", "bias"],
        x,
        R1,
    )?;
    let x = t.input(F32, &[2, 9, 4], R1)?;
    let o = Conv1dOptions {
        stride: 2,
        padding: 1,
        dilation: 2,
        groups: 2,
    };
    let p = layer_params(
        "Conv1d",
        "[4, 6, 3]",
        "{\"stride\": 2, \"padding\": 1, \"dilation\": 2, \"groups\": 2, \"bias\": false}",
        &["weight"],
        1,
    );
    unary(
        t,
        "nn.Conv1d",
        p,
        Conv1d::with_options(4, 6, 3, o, false)?,
        &["weight"],
        x,
        R1,
    )?;
    let x = t.input(F32, &[2, 6, 5, 3], R1)?;
    let p = layer_params("Conv2d", "[3, 4, [3, 2]]", "{}", &["weight", "bias"], 1);
    unary(
        t,
        "nn.Conv2d",
        p,
        Conv2d::new(3, 4, (3, 2))?,
        &["weight", "bias"],
        x,
        R1,
    )?;
    let x = t.input(F32, &[1, 7, 6, 4], R1)?;
    let o = Conv2dOptions {
        stride: (2, 1),
        padding: (1, 1),
        dilation: (1, 1),
        groups: 2,
    };
    let p = layer_params(
        "Conv2d",
        "[4, 2, [3, 3]]",
        "{\"stride\": [2, 1], \"padding\": 1, \"groups\": 2}",
        &["weight", "bias"],
        1,
    )
    .raw("tuples", "[\"stride\"]");
    let conv = Conv2d::with_options(4, 2, (3, 3), o, true)?;
    unary(t, "nn.Conv2d", p, conv, &["weight", "bias"], x, R1)
}

fn pooling(t: &mut Table) -> Result<()> {
    // (kernel, stride, padding): overlapping, non-overlapping, padded.
    for (k, s, pad) in [(2, None, 0), (3, Some(2), 1), (3, Some(1), 0)] {
        let stride = s.map_or("null".to_string(), |v: i32| v.to_string());
        let kw = format!("{{\"kernel_size\": {k}, \"stride\": {stride}, \"padding\": {pad}}}");
        let x = t.input(F32, &[2, 8, 3], R1)?;
        let p = layer_params("MaxPool1d", "[]", &kw, &[], 1);
        unary(t, "nn.MaxPool1d", p, MaxPool1d::new(k, s, pad)?, &[], x, R1)?;
        let x = t.input(F32, &[2, 8, 3], R1)?;
        let p = layer_params("AvgPool1d", "[]", &kw, &[], 1);
        unary(t, "nn.AvgPool1d", p, AvgPool1d::new(k, s, pad)?, &[], x, R1)?;
        let s2 = s.map(|v| (v, v));
        let x = t.input(F32, &[1, 6, 7, 2], R1)?;
        let p = layer_params("MaxPool2d", "[]", &kw, &[], 1);
        unary(
            t,
            "nn.MaxPool2d",
            p,
            MaxPool2d::new((k, k), s2, (pad, pad))?,
            &[],
            x,
            R1,
        )?;
        let x = t.input(F32, &[1, 6, 7, 2], R1)?;
        let p = layer_params("AvgPool2d", "[]", &kw, &[], 1);
        unary(
            t,
            "nn.AvgPool2d",
            p,
            AvgPool2d::new((k, k), s2, (pad, pad))?,
            &[],
            x,
            R1,
        )?;
    }
    Ok(())
}

fn norms(t: &mut Table) -> Result<()> {
    let x = t.input(F32, &[3, 4, 6], Dom::U(-2.0, 2.0))?;
    let p = layer_params("LayerNorm", "[6]", "{}", &["weight", "bias"], 1);
    unary(
        t,
        "nn.LayerNorm",
        p,
        LayerNorm::new(6)?,
        &["weight", "bias"],
        x,
        R1,
    )?;
    let x = t.input(F32, &[3, 6], Dom::U(-2.0, 2.0))?;
    let p = layer_params(
        "LayerNorm",
        "[6]",
        "{\"eps\": 0.01, \"bias\": false}",
        &["weight"],
        1,
    );
    let ln = LayerNorm::with_options(6, 0.01, true, false)?;
    unary(t, "nn.LayerNorm", p, ln, &["weight"], x, R1)?;
    let x = t.input(F32, &[3, 6], Dom::U(-2.0, 2.0))?;
    let p = layer_params("LayerNorm", "[6]", "{\"affine\": false}", &[], 1);
    unary(
        t,
        "nn.LayerNorm",
        p,
        LayerNorm::with_options(6, 1e-5, false, false)?,
        &[],
        x,
        R1,
    )?;
    let x = t.input(F32, &[2, 3, 8], Dom::U(-2.0, 2.0))?;
    let p = layer_params("RMSNorm", "[8]", "{}", &["weight"], 1);
    unary(
        t,
        "nn.RMSNorm",
        p,
        RMSNorm::new(8, 1e-5)?,
        &["weight"],
        x,
        R1,
    )?;

    // BatchNorm, training mode: the output and the updated running statistics.
    for shape in [&[6, 4][..], &[2, 3, 4], &[2, 3, 2, 4]] {
        let x = t.input(F32, shape, Dom::U(-2.0, 2.0))?;
        let names = ["weight", "bias", "running_mean", "running_var"];
        let w = t.input(F32, &[4], Dom::U(0.5, 1.5))?;
        let b = t.input(F32, &[4], R1)?;
        let rm = t.input(F32, &[4], R1)?;
        let rv = t.input(F32, &[4], Dom::U(0.5, 1.5))?;
        let bn = BatchNorm::with_options(4, 1e-5, 0.2, true, true)?;
        let bn2 = bn.clone();
        t.add(
            "nn.BatchNorm",
            layer_params("BatchNorm", "[4]", "{\"momentum\": 0.2}", &names, 1)
                .raw("outputs", "[\"running_mean\", \"running_var\"]"),
            vec![x.clone(), w.clone(), b.clone(), rm.clone(), rv.clone()],
            move |xs| {
                // A fresh model per call (statistics are shared by clones).
                let fresh = BatchNorm::with_options(4, 1e-5, 0.2, true, true)?;
                let m = with_weights(&fresh, &names, &xs[1..])?;
                let _ = &bn2;
                let y = m.forward(&xs[0])?;
                let p = m.parameters();
                Ok(vec![y, p["running_mean"].clone(), p["running_var"].clone()])
            },
        )
        .grad_wrt(&[0, 1, 2])
        .tol(10.0);
        // Evaluation mode: the running statistics normalize.
        t.add(
            "nn.BatchNorm",
            layer_params("BatchNorm", "[4]", "{}", &names, 1).b("train", false),
            vec![x, w, b, rm, rv],
            move |xs| {
                let mut m = with_weights(&bn, &names, &xs[1..])?;
                m.eval();
                Ok(vec![m.forward(&xs[0])?])
            },
        )
        .grad()
        .tol(10.0);
    }
    // Dropout in evaluation mode is the identity.
    let x = t.input(F32, &[3, 5], R1)?;
    let mut d = Dropout::new(0.3)?;
    d.eval();
    let p = layer_params("Dropout", "[0.3]", "{}", &[], 1).b("train", false);
    unary(t, "nn.Dropout", p, d, &[], x, R1)
}

fn attention(t: &mut Table) -> Result<()> {
    t.add(
        "nn.MultiHeadAttention.create_additive_causal_mask",
        P::new()
            .s("_special", "nn_layers.causal_mask")
            .i("n", 5)
            .dtype("dtype", F32),
        vec![],
        |_| {
            Ok(vec![MultiHeadAttention::create_additive_causal_mask(
                5, F32,
            )?])
        },
    );
    let names: &[&str] = &[
        "query_proj.weight",
        "key_proj.weight",
        "value_proj.weight",
        "out_proj.weight",
    ];
    // Self-attention with an additive causal mask, and cross-attention with a boolean one.
    let mha = MultiHeadAttention::new(8, 2)?;
    let x = t.input(F32, &[2, 5, 8], R1)?;
    let mask = MultiHeadAttention::create_additive_causal_mask(5, F32)?;
    let mut inputs = vec![x.clone(), x.clone(), x, mask];
    for _ in names {
        inputs.push(t.input(F32, &[8, 8], Dom::U(-0.5, 0.5))?);
    }
    let m = mha.clone();
    t.add(
        "nn.MultiHeadAttention",
        layer_params("MultiHeadAttention", "[8, 2]", "{}", names, 4).b("mask", true),
        inputs,
        move |xs| {
            let m = with_weights(&m, names, &xs[4..])?;
            Ok(vec![m.forward(&xs[0], &xs[1], &xs[2], Some(&xs[3]))?])
        },
    )
    .grad_wrt(&[0, 4, 5, 6, 7])
    .tol(10.0);
    let q = t.input(F32, &[2, 3, 8], R1)?;
    let kv = t.input(F32, &[2, 4, 8], R1)?;
    let bmask = t.input(BOOL, &[3, 4], R1)?;
    let bmask = ops::logical_or(
        &bmask,
        &Array::from_slice(&[true, false, false, false], &[1, 4])?,
    )?;
    let mut inputs = vec![q, kv.clone(), kv, bmask];
    for _ in names {
        inputs.push(t.input(F32, &[8, 8], Dom::U(-0.5, 0.5))?);
    }
    t.add(
        "nn.MultiHeadAttention",
        layer_params("MultiHeadAttention", "[8, 2]", "{}", names, 4).b("mask", true),
        inputs,
        move |xs| {
            let m = with_weights(&mha, names, &xs[4..])?;
            Ok(vec![m.forward(&xs[0], &xs[1], &xs[2], Some(&xs[3]))?])
        },
    )
    .grad()
    .tol(10.0);

    // Transformer encoder layer (pre-norm and post-norm) and a 2-layer encoder.
    for norm_first in [true, false] {
        let layer =
            TransformerEncoderLayer::new(8, 2, Some(16), 0.0, Activation::relu(), norm_first)?;
        let kw = format!("{{\"mlp_dims\": 16, \"norm_first\": {norm_first}}}");
        encoder_case(
            t,
            "nn.TransformerEncoderLayer",
            "TransformerEncoderLayer",
            "[8, 2]",
            &kw,
            layer,
        )?;
    }
    let enc = TransformerEncoder::new(2, 8, 2, None, 0.0, Activation::relu(), true, false)?;
    encoder_case(
        t,
        "nn.TransformerEncoder",
        "TransformerEncoder",
        "[2, 8, 2]",
        "{}",
        enc,
    )?;
    let enc = TransformerEncoder::new(1, 8, 4, Some(8), 0.0, Activation::relu(), false, true)?;
    let kw = "{\"mlp_dims\": 8, \"norm_first\": false, \"checkpoint\": true}";
    encoder_case(
        t,
        "nn.TransformerEncoder",
        "TransformerEncoder",
        "[1, 8, 4]",
        kw,
        enc,
    )?;

    // A Sequential MLP of Linear + ReLU.
    let mlp = Sequential::new()
        .with(Linear::new(5, 7, true)?)
        .with(Relu)
        .with(Linear::new(7, 3, true)?);
    let names: &'static [&'static str] = &[
        "layers.0.weight",
        "layers.0.bias",
        "layers.2.weight",
        "layers.2.bias",
    ];
    let x = t.input(F32, &[4, 5], R1)?;
    let p = P::new().s("_special", "nn_layers.mlp").raw(
        "names",
        "[\"layers.0.weight\", \"layers.0.bias\", \"layers.2.weight\", \"layers.2.bias\"]",
    );
    unary(t, "nn.Sequential", p, mlp, names, x, R1)
}

/// `nn.ReLU` for the Sequential case (the activation layers live elsewhere).
#[derive(Clone, mlxrs::nn::Module)]
struct Relu;

impl UnaryLayer for Relu {
    fn forward(&self, x: &Array) -> Result<Array> {
        ops::maximum(x, &Array::from(0.0f32))
    }
}

/// A Transformer case: input `[2, 4, 8]` with a causal mask, every parameter a weight.
fn encoder_case<M>(
    t: &mut Table,
    label: &str,
    cls: &str,
    args: &str,
    kw: &str,
    model: M,
) -> Result<()>
where
    M: Module + Clone + Forward2 + 'static,
{
    let params = model.parameters();
    let names: Vec<String> = params.keys().cloned().collect();
    let x = t.input(F32, &[2, 4, 8], R1)?;
    let mask = MultiHeadAttention::create_additive_causal_mask(4, F32)?;
    let mut inputs = vec![x, mask];
    for n in &names {
        let dom = if n.ends_with("ln1.weight") || n.ends_with("ln2.weight") || n == "ln.weight" {
            Dom::U(0.5, 1.5)
        } else {
            Dom::U(-0.5, 0.5)
        };
        inputs.push(t.input(F32, params[n].shape(), dom)?);
    }
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let p = layer_params(cls, args, kw, &name_refs, 2).b("mask", true);
    let argnums: Vec<i32> = std::iter::once(0).chain(2..inputs.len() as i32).collect();
    t.add(label, p, inputs, move |xs| {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let m = with_weights(&model, &refs, &xs[2..])?;
        Ok(vec![m.forward2(&xs[0], Some(&xs[1]))?])
    })
    .grad_wrt(&argnums)
    .tol(20.0);
    Ok(())
}

/// The `(x, mask)` forward of the Transformer modules.
trait Forward2 {
    fn forward2(&self, x: &Array, mask: Option<&Array>) -> Result<Array>;
}

impl Forward2 for TransformerEncoderLayer {
    fn forward2(&self, x: &Array, mask: Option<&Array>) -> Result<Array> {
        self.forward(x, mask)
    }
}

impl Forward2 for TransformerEncoder {
    fn forward2(&self, x: &Array, mask: Option<&Array>) -> Result<Array> {
        self.forward(x, mask)
    }
}
