//! `nn::losses` and the activations (`mlx.nn.losses`, `mlx.nn` activations): values
//! worked out by hand or given in Python MLX 0.32.2's docstrings, and the errors for
//! bad input (Python's `ValueError`s, naming the loss). The differential oracle
//! (tests/oracle/cases/losses.rs) compares every loss and activation, with gradients,
//! against Python MLX.

use mlxrs::nn::losses::{self as l, Reduction};
use mlxrs::nn::{self, GeluApprox};
use mlxrs::{Array, Dtype, Error, Result, transforms};

use crate::support::assert_allclose;

fn arr(v: &[f32], shape: &[i32]) -> Result<Array> {
    Array::from_slice(v, shape)
}

/// The message of an `Err`, failing the test on `Ok`.
fn message<T: std::fmt::Debug>(r: Result<T>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[test]
fn cross_entropy_matches_python_docstring() -> Result<()> {
    let logits = arr(&[2.0, -1.0, -1.0, 2.0], &[2, 2])?;
    let targets = Array::from_slice(&[0i32, 1], &[2])?;
    let loss = l::cross_entropy(&logits, &targets, Default::default())?;
    assert_allclose(&loss, &[0.048_587_3, 0.048_587_3], 1e-5, 1e-6)?;
    let probs = arr(&[0.9, 0.1, 0.1, 0.9], &[2, 2])?;
    let loss = l::cross_entropy(&logits, &probs, Default::default())?;
    assert_allclose(&loss, &[0.348_587, 0.348_587], 1e-5, 1e-6)?;
    Ok(())
}

#[test]
fn cross_entropy_label_smoothing_by_hand() -> Result<()> {
    // logits [0, ln 3]: softmax [1/4, 3/4], logsumexp = ln 4, mean logit = ln(3) / 2.
    let logits = arr(&[0.0, 3f32.ln()], &[1, 2])?;
    let targets = Array::from_slice(&[1i32], &[1])?;
    let s = 0.2f32;
    let o = l::CrossEntropyOptions {
        label_smoothing: s,
        reduction: Reduction::Sum,
        ..Default::default()
    };
    let got = l::cross_entropy(&logits, &targets, o)?;
    let (ln3, ln4) = (3f32.ln(), 4f32.ln());
    // After the max shift the logits are [-ln 3, 0]: logsumexp = ln 4 - ln 3, score 0,
    // mean -ln 3 / 2.
    let want = (ln4 - ln3) - (1.0 - s) * 0.0 + s * ln3 / 2.0;
    assert_allclose(&got, &[want], 1e-6, 1e-6)?;
    // The gradient: softmax - ((1 - s) one_hot + s / C).
    let g = transforms::grad(
        move |x: &[Array]| {
            let o = l::CrossEntropyOptions {
                label_smoothing: 0.2,
                ..Default::default()
            };
            Ok(vec![
                l::cross_entropy(&x[0], &Array::from_slice(&[1i32], &[1])?, o)?.sum(false)?,
            ])
        },
        &[0],
    )?(&[logits])?;
    assert_allclose(&g[0], &[0.25 - 0.1, 0.75 - 0.8 - 0.1], 1e-6, 1e-6)?;
    Ok(())
}

#[test]
fn cross_entropy_weights_and_reductions() -> Result<()> {
    let logits = arr(&[2.0, -1.0, -1.0, 2.0], &[2, 2])?;
    let targets = Array::from_slice(&[0i32, 0], &[2])?;
    let none = l::cross_entropy(&logits, &targets, Default::default())?.to_vec::<f32>()?;
    let w = arr(&[2.0, 0.5], &[2])?;
    let o = |reduction| l::CrossEntropyOptions {
        weights: Some(&w),
        reduction,
        ..Default::default()
    };
    let weighted = [2.0 * none[0], 0.5 * none[1]];
    assert_allclose(
        &l::cross_entropy(&logits, &targets, o(Reduction::None))?,
        &weighted,
        1e-6,
        0.0,
    )?;
    assert_allclose(
        &l::cross_entropy(&logits, &targets, o(Reduction::Sum))?,
        &[weighted[0] + weighted[1]],
        1e-6,
        0.0,
    )?;
    assert_allclose(
        &l::cross_entropy(&logits, &targets, o(Reduction::Mean))?,
        &[(weighted[0] + weighted[1]) / 2.0],
        1e-6,
        0.0,
    )?;
    Ok(())
}

#[test]
fn binary_cross_entropy_matches_python_docstring() -> Result<()> {
    let logits = arr(&[0.105361, 0.223144, 1.20397, 0.916291], &[4])?;
    let targets = Array::from_slice(&[0i32, 0, 1, 1], &[4])?;
    let loss = l::binary_cross_entropy(&logits, &targets, Default::default())?;
    assert_allclose(&loss, &[0.539_245], 1e-5, 0.0)?;
    let probs = arr(&[0.1, 0.1, 0.4, 0.4], &[4])?;
    let o = l::BinaryCrossEntropyOptions {
        with_logits: false,
        ..Default::default()
    };
    assert_allclose(
        &l::binary_cross_entropy(&probs, &targets, o)?,
        &[0.510_826],
        1e-5,
        0.0,
    )?;
    // log(0) is clipped at -100.
    let o = l::BinaryCrossEntropyOptions {
        with_logits: false,
        reduction: Reduction::None,
        ..Default::default()
    };
    let edge = l::binary_cross_entropy(&arr(&[0.0, 1.0], &[2])?, &arr(&[1.0, 0.0], &[2])?, o)?;
    assert_allclose(&edge, &[100.0, 100.0], 0.0, 0.0)?;
    Ok(())
}

#[test]
fn regression_losses_by_hand() -> Result<()> {
    let p = arr(&[0.0, 0.5, 3.0], &[3])?;
    let t = arr(&[0.0, 0.0, 0.0], &[3])?;
    assert_allclose(
        &l::l1_loss(&p, &t, Default::default())?,
        &[3.5 / 3.0],
        1e-6,
        0.0,
    )?;
    assert_allclose(
        &l::mse_loss(&p, &t, Default::default())?,
        &[9.25 / 3.0],
        1e-6,
        0.0,
    )?;
    let none = |r| l::SmoothL1LossOptions {
        reduction: r,
        ..Default::default()
    };
    // beta 1: 0.5 d² below 1, d - 0.5 above.
    assert_allclose(
        &l::smooth_l1_loss(&p, &t, none(Reduction::None))?,
        &[0.0, 0.125, 2.5],
        1e-6,
        0.0,
    )?;
    assert_allclose(
        &l::smooth_l1_loss(&p, &t, none(Reduction::Sum))?,
        &[2.625],
        1e-6,
        0.0,
    )?;
    // delta 2: 0.5 e² up to 2, 2 (|e| - 1) above.
    let o = l::HuberLossOptions {
        delta: 2.0,
        ..Default::default()
    };
    assert_allclose(&l::huber_loss(&p, &t, o)?, &[0.0, 0.125, 4.0], 1e-6, 0.0)?;
    let lc = l::log_cosh_loss(&p, &t, Default::default())?;
    let want: Vec<f32> = [0.0f64, 0.5, 3.0]
        .iter()
        .map(|e| e.cosh().ln() as f32)
        .collect();
    assert_allclose(&lc, &want, 1e-5, 1e-6)?;
    let hinge = l::hinge_loss(
        &arr(&[0.5, 2.0, -0.5], &[3])?,
        &arr(&[1.0, 1.0, 1.0], &[3])?,
        Default::default(),
    )?;
    assert_allclose(&hinge, &[0.5, 0.0, 1.5], 1e-6, 0.0)?;
    Ok(())
}

#[test]
fn distribution_and_ranking_losses_by_hand() -> Result<()> {
    // nll: -inputs[target].
    let logp = arr(&[-0.1, -2.0, -3.0, -0.5], &[2, 2])?;
    let nll = l::nll_loss(
        &logp,
        &Array::from_slice(&[1i32, 0], &[2])?,
        Default::default(),
    )?;
    assert_allclose(&nll, &[2.0, 3.0], 0.0, 0.0)?;
    // kl: zero for equal distributions; by hand otherwise.
    let a = arr(&[0.25f32.ln(), 0.75f32.ln()], &[1, 2])?;
    let b = arr(&[0.5f32.ln(), 0.5f32.ln()], &[1, 2])?;
    assert_allclose(
        &l::kl_div_loss(&a, &a, Default::default())?,
        &[0.0],
        0.0,
        1e-7,
    )?;
    let kl = 0.5 * (0.5f32 / 0.25).ln() + 0.5 * (0.5f32 / 0.75).ln();
    assert_allclose(
        &l::kl_div_loss(&a, &b, Default::default())?,
        &[kl],
        1e-5,
        1e-7,
    )?;
    // gaussian nll: mean 0, target 1, variance 1 (or 0, clamped to eps).
    let (x, t) = (arr(&[0.0], &[1])?, arr(&[1.0], &[1])?);
    let g = l::gaussian_nll_loss(&x, &t, &arr(&[1.0], &[1])?, Default::default())?;
    assert_allclose(&g, &[0.5], 1e-6, 0.0)?;
    let full = l::GaussianNllLossOptions {
        full: true,
        ..Default::default()
    };
    let g = l::gaussian_nll_loss(&x, &t, &arr(&[1.0], &[1])?, full)?;
    assert_allclose(&g, &[0.5 + 0.918_938_5], 1e-6, 0.0)?;
    let eps = l::GaussianNllLossOptions {
        eps: 0.5,
        ..Default::default()
    };
    let g = l::gaussian_nll_loss(&x, &t, &arr(&[0.0], &[1])?, eps)?;
    assert_allclose(&g, &[0.5 * (0.5f32.ln() + 2.0)], 1e-6, 0.0)?;
    // triplet: |a - p| = 5, |a - n| = 1, margin 1.
    let anchors = arr(&[0.0, 0.0], &[1, 2])?;
    let tl = l::triplet_loss(
        &anchors,
        &arr(&[3.0, 4.0], &[1, 2])?,
        &arr(&[0.0, 1.0], &[1, 2])?,
        Default::default(),
    )?;
    assert_allclose(&tl, &[5.0], 1e-6, 0.0)?;
    // cosine similarity: parallel, orthogonal, opposite rows.
    let x1 = arr(&[1.0, 2.0, 1.0, 0.0, 1.0, 1.0], &[3, 2])?;
    let x2 = arr(&[2.0, 4.0, 0.0, 3.0, -1.0, -1.0], &[3, 2])?;
    assert_allclose(
        &l::cosine_similarity_loss(&x1, &x2, Default::default())?,
        &[1.0, 0.0, -1.0],
        1e-6,
        1e-7,
    )?;
    // margin ranking: Python's docstring example.
    let loss = l::margin_ranking_loss(
        &arr(&[-0.573409, -0.765166, -0.0638], &[3])?,
        &arr(&[0.75596, 0.225763, 0.256995], &[3])?,
        &Array::from_slice(&[1i32, 1, -1], &[3])?,
        Default::default(),
    )?;
    assert_allclose(&loss, &[1.32937, 0.990929, 0.0], 1e-5, 1e-6)?;
    Ok(())
}

#[test]
fn python_default_reductions() {
    use Reduction::{Mean, None};
    assert_eq!(l::CrossEntropyOptions::default().reduction, None);
    assert_eq!(l::BinaryCrossEntropyOptions::default().reduction, Mean);
    assert_eq!(l::L1LossOptions::default().reduction, Mean);
    assert_eq!(l::MseLossOptions::default().reduction, Mean);
    assert_eq!(l::NllLossOptions::default().reduction, None);
    assert_eq!(l::GaussianNllLossOptions::default().reduction, Mean);
    assert_eq!(l::KlDivLossOptions::default().reduction, None);
    assert_eq!(l::SmoothL1LossOptions::default().reduction, Mean);
    assert_eq!(l::TripletLossOptions::default().reduction, None);
    assert_eq!(l::HingeLossOptions::default().reduction, None);
    assert_eq!(l::HuberLossOptions::default().reduction, None);
    assert_eq!(l::LogCoshLossOptions::default().reduction, None);
    assert_eq!(l::CosineSimilarityLossOptions::default().reduction, None);
    assert_eq!(l::MarginRankingLossOptions::default().reduction, None);
    assert_eq!(l::CosineSimilarityLossOptions::default().axis, 1);
    assert_eq!(l::TripletLossOptions::default().p, 2);
}

#[test]
fn bad_inputs_are_errors_naming_the_loss() -> Result<()> {
    let logits = Array::zeros(&[2, 3], Dtype::Float32)?;
    let idx = Array::zeros(&[2], Dtype::Int32)?;
    for s in [1.0f32, -0.1, f32::NAN] {
        let o = l::CrossEntropyOptions {
            label_smoothing: s,
            ..Default::default()
        };
        let m = message(l::cross_entropy(&logits, &idx, o));
        assert!(
            m.contains("cross_entropy's label smoothing must be in [0, 1), got"),
            "{m}"
        );
        assert!(m.starts_with("invalid `label_smoothing`"), "{m}");
    }
    let m = message(l::cross_entropy(
        &logits,
        &Array::zeros(&[3], Dtype::Int32)?,
        Default::default(),
    ));
    assert_eq!(
        m,
        "cross_entropy: targets shape (3,) does not match logits shape (2, 3)"
    );
    let m = message(l::cross_entropy(
        &logits,
        &Array::zeros(&[3, 2], Dtype::Float32)?,
        Default::default(),
    ));
    assert_eq!(
        m,
        "cross_entropy: targets shape (3, 2) does not match logits shape (2, 3)"
    );
    let w = Array::ones(&[3], Dtype::Float32)?;
    let o = l::CrossEntropyOptions {
        weights: Some(&w),
        ..Default::default()
    };
    let m = message(l::cross_entropy(&logits, &idx, o));
    assert_eq!(
        m,
        "cross_entropy: weights with shape (3,) is not the same as output loss with shape (2,)"
    );
    let o = l::CrossEntropyOptions {
        axis: 2,
        ..Default::default()
    };
    let m = message(l::cross_entropy(&logits, &idx, o));
    assert!(m.contains("cross_entropy's axis 2 is out of range"), "{m}");

    let a = Array::zeros(&[4], Dtype::Float32)?;
    let b = Array::zeros(&[2, 2], Dtype::Float32)?;
    let m = message(l::binary_cross_entropy(&a, &b, Default::default()));
    assert_eq!(
        m,
        "binary_cross_entropy: inputs shape (4,) does not match targets shape (2, 2)"
    );
    let w = Array::ones(&[2], Dtype::Float32)?;
    let o = l::BinaryCrossEntropyOptions {
        weights: Some(&w),
        ..Default::default()
    };
    let m = message(l::binary_cross_entropy(&a, &a, o));
    assert!(
        m.starts_with("binary_cross_entropy: weights with shape (2,)"),
        "{m}"
    );
    let m = message(l::l1_loss(&a, &b, Default::default()));
    assert_eq!(
        m,
        "l1_loss: predictions shape (4,) does not match targets shape (2, 2)"
    );
    let m = message(l::mse_loss(&a, &b, Default::default()));
    assert!(m.starts_with("mse_loss: predictions shape (4,)"), "{m}");
    let m = message(l::smooth_l1_loss(&a, &b, Default::default()));
    assert!(
        m.starts_with("smooth_l1_loss: predictions shape (4,)"),
        "{m}"
    );
    let m = message(l::gaussian_nll_loss(&a, &b, &a, Default::default()));
    assert_eq!(
        m,
        "gaussian_nll_loss: inputs shape (4,) does not match targets shape (2, 2)"
    );
    let m = message(l::gaussian_nll_loss(&a, &a, &b, Default::default()));
    assert_eq!(
        m,
        "gaussian_nll_loss: inputs shape (4,) does not match vars shape (2, 2)"
    );
    let m = message(l::margin_ranking_loss(&a, &a, &b, Default::default()));
    assert!(
        m.starts_with("margin_ranking_loss: the shapes of the arguments do not match"),
        "{m}"
    );
    assert!(m.ends_with("targets.shape=(2, 2)"), "{m}");
    let o = l::TripletLossOptions {
        p: 0,
        ..Default::default()
    };
    let m = message(l::triplet_loss(&b, &b, &b, o));
    assert!(
        m.contains("triplet_loss's norm degree must not be 0"),
        "{m}"
    );
    // Shapes Python leaves to broadcasting fail with MLX's message.
    let m = message(l::hinge_loss(
        &Array::zeros(&[3], Dtype::Float32)?,
        &a,
        Default::default(),
    ));
    assert!(matches!(
        l::hinge_loss(&Array::zeros(&[3], Dtype::Float32)?, &a, Default::default()),
        Err(Error::Backend(_))
    ));
    assert!(m.contains("broadcast"), "{m}");
    let m = message("avg".parse::<Reduction>());
    assert!(
        m.contains("'avg', must be one of ('none', 'mean', 'sum')"),
        "{m}"
    );
    Ok(())
}

#[test]
fn activations_by_hand() -> Result<()> {
    let x = arr(&[-2.0, -0.25, 0.0, 1.0, 7.0], &[5])?;
    assert_allclose(&nn::relu(&x)?, &[0.0, 0.0, 0.0, 1.0, 7.0], 0.0, 0.0)?;
    assert_allclose(&nn::relu2(&x)?, &[0.0, 0.0, 0.0, 1.0, 49.0], 0.0, 0.0)?;
    assert_allclose(&nn::relu6(&x)?, &[0.0, 0.0, 0.0, 1.0, 6.0], 0.0, 0.0)?;
    assert_allclose(
        &nn::leaky_relu(&x, 0.1)?,
        &[-0.2, -0.025, 0.0, 1.0, 7.0],
        1e-7,
        0.0,
    )?;
    assert_allclose(
        &nn::hard_tanh(&x, -1.0, 1.0)?,
        &[-1.0, -0.25, 0.0, 1.0, 1.0],
        0.0,
        0.0,
    )?;
    assert_allclose(
        &nn::hard_shrink(&x, 0.5)?,
        &[-2.0, 0.0, 0.0, 1.0, 7.0],
        0.0,
        0.0,
    )?;
    assert_allclose(
        &nn::softshrink(&x, 0.5)?,
        &[-1.5, 0.0, 0.0, 0.5, 6.5],
        0.0,
        0.0,
    )?;
    assert_allclose(
        &nn::softsign(&x)?,
        &[-2.0 / 3.0, -0.2, 0.0, 0.5, 7.0 / 8.0],
        1e-6,
        0.0,
    )?;
    assert_allclose(
        &nn::hardswish(&x)?,
        &[-2.0 / 6.0, -0.25 * 2.75 / 6.0, 0.0, 4.0 / 6.0, 7.0],
        1e-6,
        0.0,
    )?;
    let e = |v: f64| v.exp();
    let expect = |f: &dyn Fn(f64) -> f64| -> Vec<f32> {
        [-2.0, -0.25, 0.0, 1.0, 7.0]
            .iter()
            .map(|&v| f(v) as f32)
            .collect()
    };
    let sig = |v: f64| 1.0 / (1.0 + e(-v));
    assert_allclose(&nn::sigmoid(&x)?, &expect(&sig), 1e-6, 1e-7)?;
    assert_allclose(&nn::silu(&x)?, &expect(&|v| v * sig(v)), 1e-5, 1e-6)?;
    assert_allclose(
        &nn::softplus(&x)?,
        &expect(&|v| (1.0 + e(v)).ln()),
        1e-6,
        1e-7,
    )?;
    assert_allclose(&nn::log_sigmoid(&x)?, &expect(&|v| sig(v).ln()), 1e-5, 1e-6)?;
    assert_allclose(
        &nn::mish(&x)?,
        &expect(&|v| v * (1.0 + e(v)).ln().tanh()),
        1e-5,
        1e-6,
    )?;
    assert_allclose(
        &nn::elu(&x, 0.5)?,
        &expect(&|v| if v > 0.0 { v } else { 0.5 * (e(v) - 1.0) }),
        1e-6,
        1e-7,
    )?;
    assert_allclose(
        &nn::celu(&x, 2.0)?,
        &expect(&|v| v.max(0.0) + 2.0 * (e(v.min(0.0) / 2.0) - 1.0)),
        1e-6,
        1e-7,
    )?;
    let selu = |v: f64| 1.0507 * if v > 0.0 { v } else { 1.67326 * (e(v) - 1.0) };
    assert_allclose(&nn::selu(&x)?, &expect(&selu), 1e-5, 1e-6)?;
    assert_allclose(&nn::tanh(&x)?, &expect(&f64::tanh), 1e-6, 1e-7)?;
    // gelu(1) = Φ(1) = 0.841344746...; the approximations are close to it.
    let one = arr(&[1.0], &[1])?;
    assert_allclose(&nn::gelu(&one)?, &[0.841_344_7], 1e-6, 0.0)?;
    let tanh_approx = 0.5 * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * 1.044715).tanh());
    assert_allclose(&nn::gelu_approx(&one)?, &[tanh_approx as f32], 1e-6, 0.0)?;
    assert_allclose(
        &nn::gelu_fast_approx(&one)?,
        &[sig(1.702) as f32],
        1e-6,
        0.0,
    )?;
    // step is int32, as Python's.
    let s = nn::step(&x, 0.0)?;
    assert_eq!(s.dtype(), Dtype::Int32);
    assert_eq!(s.to_vec::<i32>()?, [0, 0, 1, 1, 1]);
    // softmax / log_softmax / softmin over axis 0 of [2, 1].
    let pair = arr(&[0.0, 2f32.ln()], &[2, 1])?;
    assert_allclose(&nn::softmax(&pair, 0)?, &[1.0 / 3.0, 2.0 / 3.0], 1e-6, 0.0)?;
    assert_allclose(&nn::softmin(&pair, 0)?, &[2.0 / 3.0, 1.0 / 3.0], 1e-6, 0.0)?;
    assert_allclose(
        &nn::log_softmax(&pair, 0)?,
        &[-(3f32.ln()), (2.0f32 / 3.0).ln()],
        1e-6,
        0.0,
    )?;
    // glu: a * sigmoid(b) over halves of the last axis.
    let g = nn::glu(&arr(&[3.0, 0.0], &[1, 2])?, -1)?;
    assert_allclose(&g, &[1.5], 1e-7, 0.0)?;
    // prelu with a per-channel slope.
    let p = nn::prelu(
        &arr(&[-1.0, -1.0, 2.0], &[3])?,
        &arr(&[0.5, 0.25, 0.1], &[3])?,
    )?;
    assert_allclose(&p, &[-0.5, -0.25, 2.0], 0.0, 0.0)?;
    Ok(())
}

#[test]
fn scalars_keep_the_dtype_as_in_python() -> Result<()> {
    let h = Array::from_slice(&[-1.0f32, 2.0], &[2])?.astype(Dtype::Float16)?;
    for y in [
        nn::relu6(&h)?,
        nn::leaky_relu(&h, 0.1)?,
        nn::gelu(&h)?,
        nn::hard_tanh(&h, -1.0, 1.0)?,
    ] {
        assert_eq!(y.dtype(), Dtype::Float16);
    }
    let i = Array::from_slice(&[-1i32, 2], &[2])?;
    assert_eq!(nn::relu(&i)?.dtype(), Dtype::Int32);
    assert_eq!(nn::hard_tanh(&i, -1.0, 1.0)?.dtype(), Dtype::Float32);
    let t = Array::from_slice(&[1i32, 0], &[2])?;
    assert_eq!(
        l::binary_cross_entropy(&h, &t, Default::default())?.dtype(),
        Dtype::Float16
    );
    Ok(())
}

#[test]
fn activation_layers() -> Result<()> {
    let x = arr(&[-2.0, 0.5, 3.0], &[3])?;
    assert_allclose(
        &nn::LeakyReLU::default().forward(&x)?,
        &[-0.02, 0.5, 3.0],
        1e-6,
        0.0,
    )?;
    assert_eq!(nn::LeakyReLU::default().negative_slope, 0.01);
    assert_eq!(nn::ELU::default().alpha, 1.0);
    assert_eq!(nn::CELU::default().alpha, 1.0);
    assert_eq!(nn::Softshrink::default().lambd, 0.5);
    assert_eq!(nn::HardShrink::default().lambd, 0.5);
    assert_eq!(nn::Step::default().threshold, 0.0);
    assert_eq!(nn::GLU::default().axis, -1);
    assert_eq!(nn::GELU::default().approx, GeluApprox::None);
    assert_allclose(
        &nn::HardTanh::new().forward(&x)?,
        &[-1.0, 0.5, 1.0],
        0.0,
        0.0,
    )?;
    assert_allclose(
        &nn::Step::new(1.0).forward(&x)?.astype(Dtype::Float32)?,
        &[0.0, 0.0, 1.0],
        0.0,
        0.0,
    )?;
    for (approx, f) in [
        (GeluApprox::None, nn::gelu as fn(&Array) -> Result<Array>),
        (GeluApprox::Precise, nn::gelu_approx),
        (GeluApprox::Fast, nn::gelu_fast_approx),
    ] {
        let want = f(&x)?.to_vec::<f32>()?;
        assert_allclose(&nn::GELU::new(approx).forward(&x)?, &want, 0.0, 0.0)?;
    }
    assert_eq!("tanh".parse::<GeluApprox>()?, GeluApprox::Precise);
    let m = message("exact".parse::<GeluApprox>());
    assert!(m.contains("GELU's approximation should be in ['none', 'precise', 'tanh', 'fast'] but 'exact' was given"), "{m}");
    // PReLU: Python's `weight`, [num_parameters] filled with init.
    let p = nn::PReLU::new(3, 0.2)?;
    assert_eq!(
        (p.weight.shape(), p.weight.dtype()),
        (&[3][..], Dtype::Float32)
    );
    assert_allclose(&p.weight, &[0.2; 3], 0.0, 0.0)?;
    assert_allclose(&p.forward(&x)?, &[-0.4, 0.5, 3.0], 1e-6, 0.0)?;
    let m = message(nn::PReLU::new(-1, 0.25));
    assert!(
        m.contains("PReLU needs a non-negative number of parameters, got -1"),
        "{m}"
    );
    Ok(())
}

#[test]
fn activation_layers_are_modules_in_a_sequential() -> Result<()> {
    use mlxrs::nn::{Linear, Module, UnaryLayer};
    // Python: nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1), nn.PReLU())
    // has parameters layers.0.{weight,bias}, layers.2.{weight,bias}, layers.3.weight.
    let mut model = nn::Sequential::new()
        .with(Linear::new(2, 2, true)?)
        .with(nn::ReLU::new())
        .with(Linear::new(2, 1, true)?)
        .with(nn::PReLU::new(1, 0.25)?);
    let names: Vec<String> = model.parameters().into_keys().collect();
    assert_eq!(
        names,
        [
            "layers.0.bias",
            "layers.0.weight",
            "layers.2.bias",
            "layers.2.weight",
            "layers.3.weight"
        ]
    );
    // Weights by hand: h = relu(x W0ᵀ + b0), y = prelu(h W2ᵀ + b2).
    let mut p = mlxrs::nn::ParamMap::new();
    p.insert(
        "layers.0.weight".into(),
        arr(&[1.0, -1.0, 0.5, 2.0], &[2, 2])?,
    );
    p.insert("layers.0.bias".into(), arr(&[0.0, -10.0], &[2])?);
    p.insert("layers.2.weight".into(), arr(&[-1.0, 3.0], &[1, 2])?);
    p.insert("layers.2.bias".into(), arr(&[0.5], &[1])?);
    model.update(&p)?;
    // x = [3, 1]: x W0ᵀ + b0 = [2, -8.5] -> relu [2, 0] -> -2 + 0.5 = -1.5 -> prelu -0.375
    let y = model.forward(&arr(&[3.0, 1.0], &[1, 2])?)?;
    assert_allclose(&y, &[-0.375], 1e-6, 0.0)?;
    Ok(())
}
