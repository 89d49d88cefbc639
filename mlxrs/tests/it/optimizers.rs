//! `mlxrs::optimizers` (Python: python/tests/test_optimizers.py): hand-computed
//! updates, Python MLX goldens (data/optimizers/, written by data/optimizers/generate.py:
//! trajectories, state files written by Python and resumed here, Python's state names),
//! bit-exact save/resume, schedules, `clip_grad_norm`, a compiled step with the state as
//! input and output, and bad input.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use mlxrs::nn::ParamMap;
use mlxrs::optimizers::{
    AdaDelta, AdaDeltaOptions, Adafactor, AdafactorOptions, Adagrad, Adam, AdamOptions, AdamW,
    AdamWOptions, Adamax, Filter, Lion, LionOptions, MultiOptimizer, Muon, Optimizer, RMSprop,
    RMSpropOptions, SGD, SGDOptions, clip_grad_norm, cosine_decay, exponential_decay,
    join_schedules, linear_schedule, step_decay,
};
use mlxrs::{Array, Dtype, Error, Result, transforms};

use crate::support::assert_allclose;

const NAMES: [&str; 3] = ["conv.weight", "layers.0.bias", "layers.0.weight"];

fn map(items: &[(&str, Array)]) -> ParamMap {
    items
        .iter()
        .map(|(k, a)| (k.to_string(), a.clone()))
        .collect()
}

fn vec1(v: &[f32]) -> Result<Array> {
    Array::from_slice(v, &[v.len() as i32])
}

/// `Err`'s message, failing the test on `Ok`.
fn message<T>(r: Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// Asserts that two maps hold the same names and bit-identical arrays (dtype, shape,
/// bytes).
fn assert_same(a: &ParamMap, b: &ParamMap, what: &str) -> Result<()> {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: names differ"
    );
    for (k, x) in a {
        let y = &b[k];
        assert_eq!(
            (x.dtype(), x.shape()),
            (y.dtype(), y.shape()),
            "{what}: {k}"
        );
        assert_eq!(x.as_bytes()?, y.as_bytes()?, "{what}: {k} differs");
    }
    Ok(())
}

/// Asserts `|a - b| <= tol (1 + |b|)` for every float entry; integer entries exactly.
fn assert_close_maps(a: &ParamMap, b: &ParamMap, tol: f64, what: &str) -> Result<()> {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: names differ"
    );
    for (k, x) in a {
        let y = &b[k];
        assert_eq!(
            (x.dtype(), x.shape()),
            (y.dtype(), y.shape()),
            "{what}: {k}"
        );
        if x.dtype().is_floating() {
            let xs = x.astype(Dtype::Float64)?.to_vec::<f64>()?;
            let ys = y.astype(Dtype::Float64)?.to_vec::<f64>()?;
            for (i, (p, q)) in xs.iter().zip(&ys).enumerate() {
                assert!(
                    (p - q).abs() <= tol * (1.0 + q.abs()),
                    "{what}: {k}[{i}] = {p}, expected {q}"
                );
            }
        } else {
            assert_eq!(x.as_bytes()?, y.as_bytes()?, "{what}: {k}");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Hand-computed updates.

#[test]
fn sgd_momentum_by_hand() -> Result<()> {
    let params = map(&[("w", vec1(&[1.0, -2.0])?)]);
    let g = map(&[("w", vec1(&[0.5, 1.0])?)]);
    let o = SGDOptions {
        momentum: 0.5,
        weight_decay: 0.1,
        ..Default::default()
    };
    let mut opt = SGD::with_options(0.1, o)?;
    // g' = g + 0.1 w = [0.6, 0.8]; v = g'; w = w - 0.1 v.
    let p1 = opt.apply_gradients(&g, &params)?;
    assert_allclose(&p1["w"], &[0.94, -2.08], 1e-6, 1e-6)?;
    // g' = [0.5 + 0.094, 1 - 0.208] = [0.594, 0.792]; v = 0.5 [0.6, 0.8] + g'.
    let p2 = opt.apply_gradients(&g, &p1)?;
    assert_allclose(&opt.state()["w.v"], &[0.894, 1.192], 1e-6, 1e-6)?;
    assert_allclose(&p2["w"], &[0.94 - 0.0894, -2.08 - 0.1192], 1e-6, 1e-6)?;
    assert_eq!(opt.step()?.item::<u64>()?, 2);
    assert_eq!(opt.step()?.dtype(), Dtype::Uint64);
    Ok(())
}

#[test]
fn adam_bias_correction_first_step_is_lr_times_sign() -> Result<()> {
    let params = map(&[("w", vec1(&[1.0, -2.0, 0.5])?)]);
    let g = map(&[("w", vec1(&[0.3, -4.0, 2.0])?)]);
    let o = AdamOptions {
        bias_correction: true,
        ..Default::default()
    };
    let mut opt = Adam::with_options(0.01, o)?;
    let p = opt.apply_gradients(&g, &params)?;
    // m̂ = g, v̂ = g², so the step is lr g / (|g| + eps) = lr sign(g).
    assert_allclose(&p["w"], &[0.99, -1.99, 0.49], 1e-6, 1e-6)?;
    assert_allclose(&opt.state()["w.m"], &[0.03, -0.4, 0.2], 1e-6, 1e-7)?;
    assert_allclose(&opt.state()["w.v"], &[0.00009, 0.016, 0.004], 1e-5, 1e-9)?;
    Ok(())
}

#[test]
fn lion_and_adamw_by_hand() -> Result<()> {
    let params = map(&[("w", vec1(&[1.0, -1.0])?)]);
    let g = map(&[("w", vec1(&[0.2, 0.3])?)]);
    let mut lion = Lion::with_options(
        0.1,
        LionOptions {
            weight_decay: 0.5,
            ..Default::default()
        },
    )?;
    // w (1 - 0.1 * 0.5) - 0.1 sign(c), c = 0.1 g.
    let p = lion.apply_gradients(&g, &params)?;
    assert_allclose(&p["w"], &[0.95 - 0.1, -0.95 - 0.1], 1e-6, 1e-6)?;
    assert_allclose(&lion.state()["w.m"], &[0.002, 0.003], 1e-5, 1e-8)?;
    let mut adamw = AdamW::with_options(
        0.1,
        AdamWOptions {
            weight_decay: 0.5,
            bias_correction: true,
            ..Default::default()
        },
    )?;
    // Adam with bias correction on the decayed weights: w (1 - 0.05) - 0.1 sign(g).
    let p = adamw.apply_gradients(&g, &params)?;
    assert_allclose(&p["w"], &[0.85, -1.05], 1e-6, 1e-6)?;
    Ok(())
}

#[test]
fn adagrad_rmsprop_adadelta_by_hand() -> Result<()> {
    let params = map(&[("w", vec1(&[1.0])?)]);
    let g = map(&[("w", vec1(&[2.0])?)]);
    let mut adagrad = Adagrad::new(0.5)?;
    // v = 4, w = 1 - 0.5 * 2 / 2; then v = 8, w -= 0.5 * 2 / sqrt(8).
    let p = adagrad.apply_gradients(&g, &params)?;
    assert_allclose(&p["w"], &[0.5], 1e-6, 1e-6)?;
    let p = adagrad.apply_gradients(&g, &p)?;
    assert_allclose(&p["w"], &[0.5 - 1.0 / 8f32.sqrt()], 1e-6, 1e-6)?;
    let mut rms = RMSprop::with_options(
        0.1,
        RMSpropOptions {
            alpha: 0.75,
            eps: 1e-8,
        },
    )?;
    // v = 0.25 * 4 = 1, w = 1 - 0.1 * 2 / 1.
    let p = rms.apply_gradients(&g, &params)?;
    assert_allclose(&p["w"], &[0.8], 1e-6, 1e-6)?;
    let mut ada = AdaDelta::with_options(
        1.0,
        AdaDeltaOptions {
            rho: 0.5,
            eps: 0.01,
        },
    )?;
    // v = 2, d = sqrt(0.01) / sqrt(2.01) * 2, u = 0.5 d².
    let p = ada.apply_gradients(&g, &params)?;
    let d = 0.1 / 2.01f32.sqrt() * 2.0;
    assert_allclose(&p["w"], &[1.0 - d], 1e-6, 1e-6)?;
    assert_allclose(&ada.state()["w.u"], &[0.5 * d * d], 1e-5, 1e-9)?;
    let mut adamax = Adamax::new(0.1)?;
    // m = 0.2, v = max(0, |g|) = 2, w = 1 - 0.1 * 0.2 / 2.
    let p = adamax.apply_gradients(&g, &params)?;
    assert_allclose(&p["w"], &[0.99], 1e-6, 1e-6)?;
    Ok(())
}

#[test]
fn muon_orthogonalizes_matrices() -> Result<()> {
    // A rank-one gradient: Newton-Schulz maps it near its orthogonal factor u vᵀ.
    let params = map(&[("w", Array::zeros(&[2, 2], Dtype::Float32)?)]);
    let g = map(&[("w", Array::from_slice(&[3.0f32, 0.0, 0.0, 0.0], &[2, 2])?)]);
    let o = mlxrs::optimizers::MuonOptions {
        weight_decay: 0.0,
        ..Default::default()
    };
    let mut opt = Muon::with_options(1.0, o)?;
    let w = opt.apply_gradients(&g, &params)?["w"].to_vec::<f32>()?;
    // The quintic iteration keeps the singular value within about 0.3 of 1 (it
    // trades accuracy for speed), and zeros stay zeros.
    assert!((w[0] + 1.0).abs() < 0.35, "{w:?}");
    assert_eq!(&w[1..], &[0.0, 0.0, 0.0]);
    Ok(())
}

#[test]
fn gradients_for_a_subset_update_only_those() -> Result<()> {
    let params = map(&[("a", vec1(&[1.0])?), ("b", vec1(&[2.0])?)]);
    let g = map(&[("b", vec1(&[1.0])?)]);
    let mut opt = Adam::new(0.1)?;
    let new = opt.apply_gradients(&g, &params)?;
    assert_eq!(new.keys().collect::<Vec<_>>(), ["b"]);
    assert_eq!(
        opt.state().keys().collect::<Vec<_>>(),
        ["b.m", "b.v", "learning_rate", "step"]
    );
    // Python: once initialized, a gradient without state is an error (until `init`).
    let g2 = map(&[("a", vec1(&[1.0])?)]);
    let msg = message(opt.apply_gradients(&g2, &params));
    assert!(
        msg.contains("`Adam`: gradient `a` has no optimizer state"),
        "{msg}"
    );
    opt.init(&params)?;
    assert!(opt.state().contains_key("a.m"));
    opt.apply_gradients(&g2, &params)?;
    Ok(())
}

#[test]
fn clip_grad_norm_by_hand() -> Result<()> {
    let grads = map(&[("w1", vec1(&[2.0, 3.0])?), ("w2", vec1(&[6.0])?)]);
    // norm = sqrt(4 + 9 + 36) = 7.
    let (clipped, norm) = clip_grad_norm(&grads, 3.5)?;
    assert_eq!(norm.item::<f32>()?, 7.0);
    let s = 3.5 / (7.0 + 1e-6);
    assert_allclose(&clipped["w1"], &[2.0 * s, 3.0 * s], 1e-6, 0.0)?;
    assert_allclose(&clipped["w2"], &[6.0 * s], 1e-6, 0.0)?;
    // Under the limit: unchanged.
    let (same, _) = clip_grad_norm(&grads, 10.0)?;
    assert_allclose(&same["w1"], &[2.0, 3.0], 0.0, 0.0)?;
    // No gradients: norm 0.
    let (empty, norm) = clip_grad_norm(&ParamMap::new(), 1.0)?;
    assert!(empty.is_empty());
    assert_eq!(norm.item::<f32>()?, 0.0);
    let msg = message(clip_grad_norm(&grads, -1.0));
    assert_eq!(
        msg,
        "invalid `max_norm`: clip_grad_norm needs max_norm >= 0, got -1"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------
// Schedules: Python's documented values (mlx/optimizers/schedulers.py docstrings), by
// driving an optimizer with empty updates as they do.

fn lr_after(opt: &mut dyn Optimizer, updates: usize) -> Result<f32> {
    for _ in 0..updates {
        opt.apply_gradients(&ParamMap::new(), &ParamMap::new())?;
    }
    opt.learning_rate()?.item::<f32>()
}

#[test]
fn schedules_match_python_docstrings() -> Result<()> {
    let mut sgd = SGD::new(exponential_decay(1e-1, 0.9))?;
    assert_eq!(lr_after(&mut sgd, 0)?, 0.1);
    assert!((lr_after(&mut sgd, 5)? - 0.06561).abs() < 1e-7);
    let mut sgd = SGD::new(step_decay(1e-1, 0.9, 10)?)?;
    assert!((lr_after(&mut sgd, 21)? - 0.081).abs() < 1e-7);
    let mut sgd = SGD::new(cosine_decay(1e-1, 1000, 0.0)?)?;
    assert!((lr_after(&mut sgd, 5)? - 0.0999961).abs() < 1e-7);
    let warmup = linear_schedule(0.0, 1e-1, 10)?;
    let mut adam = Adam::new(join_schedules(
        vec![warmup, cosine_decay(1e-1, 200, 0.0)?],
        &[10],
    )?)?;
    assert_eq!(lr_after(&mut adam, 0)?, 0.0);
    assert!((lr_after(&mut adam, 12)? - 0.0999938).abs() < 1e-7);
    let mut adam = Adam::new(linear_schedule(0.0, 1e-1, 100)?)?;
    assert!((lr_after(&mut adam, 101)? - 0.1).abs() < 1e-8);
    Ok(())
}

#[test]
fn schedule_values_by_hand() -> Result<()> {
    let at = |s: &mlxrs::optimizers::Schedule, k: u64| s.at(&Array::from(k))?.item::<f32>();
    let s = cosine_decay(2.0, 4, 1.0)?;
    // end + (init - end) (1 + cos(pi k / 4)) / 2.
    for (k, want) in [(0, 2.0), (2, 1.5), (4, 1.0), (9, 1.0)] {
        assert!((at(&s, k)? - want).abs() < 1e-6, "cosine at {k}");
    }
    let s = step_decay(1.0, 0.5, 2)?;
    for (k, want) in [(0, 1.0), (1, 1.0), (2, 0.5), (5, 0.25)] {
        assert_eq!(at(&s, k)?, want, "step at {k}");
    }
    let s = join_schedules(
        vec![linear_schedule(0.0, 1.0, 2)?, exponential_decay(1.0, 0.5)],
        &[2],
    )?;
    for (k, want) in [(0, 0.0), (1, 0.5), (2, 1.0), (3, 0.5), (4, 0.25)] {
        assert_eq!(at(&s, k)?, want, "join at {k}");
    }
    Ok(())
}

#[test]
fn learning_rate_get_and_set() -> Result<()> {
    let mut opt = Adam::new(0.01)?;
    assert_eq!(opt.learning_rate()?.item::<f32>()?, 0.01);
    assert_eq!(opt.learning_rate()?.dtype(), Dtype::Float32);
    opt.set_learning_rate(0.5)?;
    assert_eq!(opt.state()["learning_rate"].item::<f32>()?, 0.5);
    let msg = message(opt.set_learning_rate(-1.0));
    assert!(
        msg.contains("`Adam` learning rate should be finite and >= 0, got -1"),
        "{msg}"
    );
    // Adafactor without a learning rate has none, as in Python.
    let af = Adafactor::new()?;
    assert!(message(af.learning_rate()).contains("`Adafactor` has no learning rate"));
    assert_eq!(af.state().keys().collect::<Vec<_>>(), ["step"]);
    // MultiOptimizer: the first optimizer's; setting it sets all.
    let mut multi = MultiOptimizer::new(
        vec![Box::new(Adam::new(0.1)?), Box::new(SGD::new(0.2)?)],
        vec![Box::new(|n: &str, _: &Array| n == "a") as Filter],
    )?;
    assert_eq!(multi.learning_rate()?.item::<f32>()?, 0.1);
    multi.set_learning_rate(0.3)?;
    assert_eq!(multi.state()["states.1.learning_rate"].item::<f32>()?, 0.3);
    Ok(())
}

// ---------------------------------------------------------------------------------
// Every optimizer: Python MLX goldens and bit-exact resume.

/// The optimizer of golden case `name`, built as generate.py builds it.
fn golden_optimizer(name: &str) -> Result<Box<dyn Optimizer>> {
    let warm_cos = || -> Result<_> {
        join_schedules(
            vec![
                linear_schedule(0.0, 0.01, 3)?,
                cosine_decay(0.01, 10, 0.001)?,
            ],
            &[3],
        )
    };
    Ok(match name {
        "sgd" => Box::new(SGD::with_options(
            step_decay(0.1, 0.5, 3)?,
            SGDOptions {
                momentum: 0.9,
                nesterov: true,
                ..Default::default()
            },
        )?),
        "rmsprop" => Box::new(RMSprop::with_options(
            exponential_decay(0.01, 0.9),
            RMSpropOptions {
                alpha: 0.9,
                eps: 1e-6,
            },
        )?),
        "adagrad" => Box::new(Adagrad::new(0.1)?),
        "adadelta" => Box::new(AdaDelta::with_options(
            cosine_decay(1.0, 8, 0.1)?,
            AdaDeltaOptions {
                rho: 0.8,
                ..Default::default()
            },
        )?),
        "adam" => Box::new(Adam::with_options(
            warm_cos()?,
            AdamOptions {
                betas: [0.8, 0.99],
                eps: 1e-6,
                bias_correction: true,
            },
        )?),
        "adamw" => Box::new(AdamW::with_options(
            0.01,
            AdamWOptions {
                weight_decay: 0.1,
                ..Default::default()
            },
        )?),
        "adamax" => Box::new(Adamax::new(0.01)?),
        "lion" => Box::new(Lion::with_options(
            linear_schedule(0.001, 0.01, 6)?,
            LionOptions {
                weight_decay: 0.1,
                ..Default::default()
            },
        )?),
        "adafactor" => Box::new(Adafactor::with_options(AdafactorOptions {
            beta_1: Some(0.9),
            weight_decay: 0.01,
            ..Default::default()
        })?),
        "muon" => Box::new(Muon::new(0.02)?),
        "multi" => Box::new(MultiOptimizer::new(
            vec![
                Box::new(Adam::new(0.01)?),
                Box::new(SGD::with_options(
                    0.1,
                    SGDOptions {
                        momentum: 0.9,
                        ..Default::default()
                    },
                )?),
            ],
            vec![Box::new(|n: &str, _: &Array| n.contains("weight")) as Filter],
        )?),
        other => panic!("no golden case {other}"),
    })
}

const GOLDEN: [&str; 11] = [
    "sgd",
    "rmsprop",
    "adagrad",
    "adadelta",
    "adam",
    "adamw",
    "adamax",
    "lion",
    "adafactor",
    "muon",
    "multi",
];

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/data/optimizers")
}

/// The entries of `data` under `prefix.`, with the prefix removed.
fn under(data: &HashMap<String, Array>, prefix: &str) -> ParamMap {
    data.iter()
        .filter_map(|(k, a)| {
            k.strip_prefix(prefix)
                .and_then(|r| r.strip_prefix('.'))
                .map(|r| (r.to_string(), a.clone()))
        })
        .collect()
}

fn run(opt: &mut dyn Optimizer, params: &mut ParamMap, grads: &[ParamMap]) -> Result<()> {
    for g in grads {
        let new = opt.apply_gradients(g, params)?;
        params.extend(new);
    }
    Ok(())
}

#[test]
fn python_goldens_trajectories_state_names_and_state_files() -> Result<()> {
    if crate::support::skip_on_gpu("float64") {
        return Ok(());
    }
    for name in GOLDEN {
        let (data, _) =
            mlxrs::io::load_safetensors(golden_dir().join(format!("{name}.safetensors")))?;
        let grads: Vec<ParamMap> = (0..10)
            .map(|t| under(&data, &format!("grads.{t}")))
            .collect();
        // Five steps from the same start: Python's parameters and state names.
        let mut opt = golden_optimizer(name)?;
        let mut params = under(&data, "params");
        assert_eq!(params.keys().collect::<Vec<_>>(), NAMES);
        run(opt.as_mut(), &mut params, &grads[..5])?;
        assert_close_maps(&params, &under(&data, "params5"), 1e-6, name)?;
        let state_file = golden_dir().join(format!("{name}.state5.safetensors"));
        let (python_state, _) = mlxrs::io::load_safetensors(&state_file)?;
        let python_state: ParamMap = python_state.into_iter().collect();
        assert_close_maps(&opt.state(), &python_state, 1e-6, name)?;
        // A fresh optimizer resumes from Python's state file and Python's parameters,
        // and ends where Python ended, bit for bit: the same ops on the same libmlx.
        // Muon's matrix products are the exception: mlxrs links OpenBLAS where it finds
        // it, Python MLX's wheel uses its reference BLAS, and sums of products round
        // differently in the last bits.
        let mut resumed = golden_optimizer(name)?;
        resumed.load_state(&state_file)?;
        let mut params = under(&data, "params5");
        run(resumed.as_mut(), &mut params, &grads[5..])?;
        if name == "muon" {
            assert_close_maps(&params, &under(&data, "final"), 1e-6, name)?;
            assert_close_maps(&resumed.state(), &under(&data, "final_state"), 1e-6, name)?;
        } else {
            assert_same(&params, &under(&data, "final"), name)?;
            assert_same(&resumed.state(), &under(&data, "final_state"), name)?;
        }
    }
    Ok(())
}

#[test]
fn load_state_reads_a_python_state_file() -> Result<()> {
    let mut opt = Adam::new(0.5)?;
    opt.load_state(golden_dir().join("adamw.state5.safetensors"))?;
    assert_eq!(opt.step()?.item::<u64>()?, 5);
    assert_eq!(opt.learning_rate()?.item::<f32>()?, 0.01);
    assert_eq!(opt.state()["layers.0.weight.m"].shape(), &[3, 4]);
    Ok(())
}

#[test]
fn resume_after_save_is_bit_exact() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("mlxrs-optim-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    for name in GOLDEN {
        let (data, _) =
            mlxrs::io::load_safetensors(golden_dir().join(format!("{name}.safetensors")))?;
        let grads: Vec<ParamMap> = (0..10)
            .map(|t| under(&data, &format!("grads.{t}")))
            .collect();
        let mut straight = golden_optimizer(name)?;
        let mut p_straight = under(&data, "params");
        run(straight.as_mut(), &mut p_straight, &grads)?;

        let mut first = golden_optimizer(name)?;
        let mut p = under(&data, "params");
        run(first.as_mut(), &mut p, &grads[..5])?;
        let path = dir.join(format!("{name}.safetensors"));
        let state: HashMap<String, Array> = first.state().into_iter().collect();
        mlxrs::io::save_safetensors(&path, &state, &HashMap::new())?;
        drop(first);
        let mut second = golden_optimizer(name)?;
        let (loaded, _) = mlxrs::io::load_safetensors(&path)?;
        second.set_state(&loaded.into_iter().collect())?;
        run(second.as_mut(), &mut p, &grads[5..])?;
        assert_same(&p, &p_straight, name)?;
        assert_same(&second.state(), &straight.state(), name)?;
    }
    // The sized conveniences do the same.
    let params = map(&[("w", vec1(&[1.0, 2.0])?)]);
    let g = map(&[("w", vec1(&[0.1, -0.3])?)]);
    let mut a = Adam::new(cosine_decay(0.1, 4, 0.0)?)?;
    let mut b = Adam::new(cosine_decay(0.1, 4, 0.0)?)?;
    let mut pa = params.clone();
    for _ in 0..3 {
        pa.extend(a.apply_gradients(&g, &pa)?);
    }
    let path = dir.join("sized.safetensors");
    a.save_state(&path)?;
    b.load_state(&path)?;
    let mut pb = pa.clone();
    for _ in 0..3 {
        pa.extend(a.apply_gradients(&g, &pa)?);
        pb.extend(b.apply_gradients(&g, &pb)?);
    }
    assert_same(&pa, &pb, "sized")?;
    assert_same(&a.state(), &b.state(), "sized")?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[test]
fn compiled_step_takes_and_gives_the_state() -> Result<()> {
    if crate::support::skip_on_gpu("float64") {
        return Ok(());
    }
    // A training step whose inputs are the parameters, the gradients and the optimizer
    // state, and whose outputs are the new parameters and state: compiled, it matches
    // the plain optimizer.
    let params = map(&[("a", vec1(&[1.0, -1.0, 0.5])?), ("b", vec1(&[2.0])?)]);
    let grads = map(&[("a", vec1(&[0.3, 0.2, -0.1])?), ("b", vec1(&[-1.0])?)]);
    let o = AdamOptions {
        bias_correction: true,
        ..Default::default()
    };
    let mut plain = Adam::with_options(cosine_decay(0.1, 5, 0.0)?, o)?;
    plain.init(&params)?;
    let shared = Rc::new(RefCell::new(Adam::with_options(
        cosine_decay(0.1, 5, 0.0)?,
        o,
    )?));
    shared.borrow_mut().init(&params)?;
    let state_names: Vec<String> = shared.borrow().state().into_keys().collect();
    let (pn, sn) = (params.len(), state_names.len());
    let opt = shared.clone();
    let names = state_names.clone();
    let step = transforms::compile(
        move |x: &[Array]| {
            let keys = ["a", "b"];
            let p: ParamMap = keys
                .iter()
                .zip(&x[..pn])
                .map(|(k, a)| (k.to_string(), a.clone()))
                .collect();
            let g: ParamMap = keys
                .iter()
                .zip(&x[pn..2 * pn])
                .map(|(k, a)| (k.to_string(), a.clone()))
                .collect();
            let s: ParamMap = names
                .iter()
                .cloned()
                .zip(x[2 * pn..].iter().cloned())
                .collect();
            let mut opt = opt.borrow_mut();
            opt.set_state(&s)?;
            let new = opt.apply_gradients(&g, &p)?;
            let mut out: Vec<Array> = new.into_values().collect();
            out.extend(opt.state().into_values());
            Ok(out)
        },
        false,
    )?;
    let mut p_plain = params.clone();
    let mut p_comp: Vec<Array> = params.values().cloned().collect();
    let mut s_comp: Vec<Array> = shared.borrow().state().into_values().collect();
    for _ in 0..4 {
        p_plain.extend(plain.apply_gradients(&grads, &p_plain)?);
        let mut x = p_comp.clone();
        x.extend(grads.values().cloned());
        x.extend(s_comp.iter().cloned());
        let out = step(&x)?;
        assert_eq!(out.len(), pn + sn);
        p_comp = out[..pn].to_vec();
        s_comp = out[pn..].to_vec();
    }
    let comp: ParamMap = ["a", "b"]
        .iter()
        .map(|k| k.to_string())
        .zip(p_comp)
        .collect();
    assert_close_maps(&comp, &p_plain, 1e-6, "compiled params")?;
    let comp_state: ParamMap = state_names.into_iter().zip(s_comp).collect();
    assert_close_maps(&comp_state, &plain.state(), 1e-6, "compiled state")?;
    assert_eq!(plain.step()?.item::<u64>()?, 4);
    Ok(())
}

// ---------------------------------------------------------------------------------
// Bad input.

#[test]
fn bad_gradients_name_the_optimizer_and_parameter() -> Result<()> {
    let params = map(&[("w", vec1(&[1.0, 2.0])?)]);
    let mut opt = Adam::new(0.1)?;
    let msg = message(opt.apply_gradients(&map(&[("v", vec1(&[1.0, 2.0])?)]), &params));
    assert_eq!(
        msg,
        "invalid `gradients`: `Adam`: gradient `v` has no parameter of that name"
    );
    let err = opt
        .apply_gradients(&map(&[("w", vec1(&[1.0, 2.0, 3.0])?)]), &params)
        .unwrap_err();
    assert!(
        matches!(err, Error::ShapeMismatch { op: "Adam", .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Adam: the gradient of `w` has shape [3], the parameter [2]"
    );
    // Nothing changed: the step is still 0 and there is no parameter state.
    assert_eq!(opt.step()?.item::<u64>()?, 0);
    assert_eq!(opt.state().len(), 2);
    // A state of the wrong shape for the parameter.
    opt.apply_gradients(&map(&[("w", vec1(&[1.0, 2.0])?)]), &params)?;
    let other = map(&[("w", vec1(&[1.0, 2.0, 3.0])?)]);
    let msg = message(opt.apply_gradients(&other, &other));
    assert!(
        msg.starts_with("Adam: the state `w.m` has shape [2], expected [3]"),
        "{msg}"
    );
    assert_eq!(opt.step()?.item::<u64>()?, 1);
    // MultiOptimizer names itself or the optimizer that failed.
    let mut multi = MultiOptimizer::new(vec![Box::new(SGD::new(0.1)?)], vec![])?;
    let msg = message(multi.apply_gradients(&map(&[("x", vec1(&[1.0])?)]), &params));
    assert!(
        msg.contains("`MultiOptimizer`: gradient `x` has no parameter"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn bad_hyperparameters_are_errors() -> Result<()> {
    let cases: Vec<(String, &str)> = vec![
        (
            message(Adam::new(-0.1)),
            "invalid `learning_rate`: `Adam` learning rate should be finite and >= 0, got -0.1",
        ),
        (
            message(SGD::new(f64::NAN)),
            "invalid `learning_rate`: `SGD` learning rate should be finite and >= 0, got NaN",
        ),
        (
            message(Adam::with_options(
                0.1,
                AdamOptions {
                    betas: [1.0, 0.9],
                    ..Default::default()
                },
            )),
            "invalid `betas`: `Adam` beta1 should be in [0, 1), got 1",
        ),
        (
            message(Adam::with_options(
                0.1,
                AdamOptions {
                    eps: -1.0,
                    ..Default::default()
                },
            )),
            "invalid `eps`: `Adam` epsilon should be >= 0, got -1",
        ),
        (
            message(Lion::with_options(
                0.1,
                LionOptions {
                    betas: [0.9, -0.1],
                    ..Default::default()
                },
            )),
            "invalid `betas`: `Lion` beta2 should be in [0, 1), got -0.1",
        ),
        (
            message(SGD::with_options(
                0.1,
                SGDOptions {
                    nesterov: true,
                    ..Default::default()
                },
            )),
            "invalid `nesterov`: `SGD` Nesterov momentum requires a momentum and zero dampening",
        ),
        (
            message(RMSprop::with_options(
                0.1,
                RMSpropOptions {
                    alpha: -0.5,
                    eps: 1e-8,
                },
            )),
            "invalid `alpha`: `RMSprop` alpha should be >= 0, got -0.5",
        ),
        (
            message(RMSprop::with_options(
                0.1,
                RMSpropOptions {
                    alpha: 0.9,
                    eps: 0.0,
                },
            )),
            "invalid `eps`: `RMSprop` epsilon should be > 0, got 0",
        ),
        (
            message(AdaDelta::with_options(
                0.1,
                AdaDeltaOptions {
                    rho: -1.0,
                    eps: 1e-6,
                },
            )),
            "invalid `rho`: `AdaDelta` rho should be >= 0, got -1",
        ),
        (
            message(Adafactor::with_options(AdafactorOptions {
                relative_step: false,
                ..Default::default()
            })),
            "invalid `learning_rate`: `Adafactor` needs a learning rate when `relative_step` is false",
        ),
        (
            message(MultiOptimizer::new(
                vec![Box::new(SGD::new(0.1)?)],
                vec![Box::new(|_: &str, _: &Array| true) as Filter],
            )),
            "invalid `filters`: `MultiOptimizer` was given 1 filters but 0 needed",
        ),
        (
            message(step_decay(0.1, 0.9, 0)),
            "invalid `step_size`: step_decay needs a step size greater than 0, got 0",
        ),
        (
            message(cosine_decay(0.1, 0, 0.0)),
            "invalid `decay_steps`: cosine_decay needs decay steps greater than 0, got 0",
        ),
        (
            message(linear_schedule(0.1, 0.0, -2)),
            "invalid `steps`: linear_schedule needs steps greater than 0, got -2",
        ),
        (
            message(join_schedules(vec![], &[])),
            "invalid `schedules`: join_schedules needs at least 1 schedule to join",
        ),
        (
            message(join_schedules(vec![exponential_decay(0.1, 0.9)], &[3])),
            "invalid `boundaries`: join_schedules received 1 boundaries but expected 0",
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
    Ok(())
}

#[test]
fn bad_state_is_an_error_and_changes_nothing() -> Result<()> {
    let mut opt = Adam::new(0.1)?;
    let params = map(&[("w", vec1(&[1.0])?)]);
    opt.apply_gradients(&params, &params)?;
    let good = opt.state();
    let mut no_step = good.clone();
    no_step.remove("step");
    assert_eq!(
        message(opt.set_state(&no_step)),
        "invalid `state`: `Adam`: the state lacks `step`"
    );
    let mut no_lr = good.clone();
    no_lr.remove("learning_rate");
    assert!(message(opt.set_state(&no_lr)).contains("lacks `learning_rate`"));
    let mut unknown = good.clone();
    unknown.insert("w.q".into(), vec1(&[0.0])?);
    assert!(message(opt.set_state(&unknown)).contains("`Adam`: unknown state entry `w.q`"));
    let mut vector_step = good.clone();
    vector_step.insert("step".into(), Array::from_slice(&[1u64, 2], &[2])?);
    assert!(message(opt.set_state(&vector_step)).contains("`step` should be a scalar"));
    assert_same(&opt.state(), &good, "after bad set_state")?;
    // A state lacking a slot is reported at the update.
    let mut no_v = good.clone();
    no_v.remove("w.v");
    opt.set_state(&no_v)?;
    let msg = message(opt.apply_gradients(&params, &params));
    assert_eq!(msg, "invalid `state`: `Adam`: the state of `w` lacks `v`");
    // MultiOptimizer checks its prefixes.
    let mut multi = MultiOptimizer::new(vec![Box::new(SGD::new(0.1)?)], vec![])?;
    let msg = message(multi.set_state(&map(&[("states.3.step", Array::from(0u64))])));
    assert!(
        msg.contains("`MultiOptimizer`: unknown state entry `states.3.step`"),
        "{msg}"
    );
    Ok(())
}
