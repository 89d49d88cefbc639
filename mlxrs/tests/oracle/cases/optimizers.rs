//! `mlx.optimizers`: every optimizer's trajectory over 10 steps (several keyword
//! variants, with and without a learning-rate schedule), its final parameters and
//! state (and the state's names, checked in Python against `tree_flatten(opt.state)`),
//! runs resumed in Python from the state file mlxrs saves, schedule values, and
//! `clip_grad_norm`. The Python half is xtask/oracle/special_optimizers.py.

use std::path::PathBuf;

use mlxrs::nn::ParamMap;
use mlxrs::optimizers::{
    AdaDelta, AdaDeltaOptions, Adafactor, AdafactorOptions, Adagrad, AdagradOptions, Adam,
    AdamOptions, AdamW, AdamWOptions, Adamax, AdamaxOptions, LearningRate, Lion, LionOptions,
    MultiOptimizer, Muon, MuonOptions, Optimizer, RMSprop, RMSpropOptions, SGD, SGDOptions,
    Schedule, clip_grad_norm, cosine_decay, exponential_decay, join_schedules, linear_schedule,
    step_decay,
};
use mlxrs::{Array, Dtype, Result};

use super::*;
use crate::harness::{Dom, P, Table, json_string};

/// The parameters: a 3-D one (Muon flattens it, Adafactor factors it), a vector and a
/// matrix, under nested names.
const PARAMS: &[(&str, &[i32])] = &[
    ("conv.weight", &[2, 3, 2]),
    ("layers.0.bias", &[4]),
    ("layers.0.weight", &[3, 4]),
];
const STEPS: usize = 10;
const HALF: usize = 5;

/// A schedule, as Rust builds it and as Python's spec names it.
#[derive(Clone)]
enum Sch {
    Exp(f64, f64),
    Step(f64, f64, i64),
    Cos(f64, i64, f64),
    Lin(f64, f64, i64),
    Join(Vec<Sch>, Vec<i64>),
}

impl Sch {
    fn json(&self) -> String {
        let f = |name: &str, args: &[String]| {
            format!("{{\"fn\": \"{name}\", \"args\": [{}]}}", args.join(", "))
        };
        let j = crate::harness::json_f64;
        match self {
            Sch::Exp(a, b) => f("exponential_decay", &[j(*a), j(*b)]),
            Sch::Step(a, b, c) => f("step_decay", &[j(*a), j(*b), c.to_string()]),
            Sch::Cos(a, b, c) => f("cosine_decay", &[j(*a), b.to_string(), j(*c)]),
            Sch::Lin(a, b, c) => f("linear_schedule", &[j(*a), j(*b), c.to_string()]),
            Sch::Join(s, b) => {
                let s: Vec<String> = s.iter().map(Sch::json).collect();
                let b: Vec<String> = b.iter().map(i64::to_string).collect();
                format!(
                    "{{\"fn\": \"join_schedules\", \"schedules\": [{}], \"boundaries\": [{}]}}",
                    s.join(", "),
                    b.join(", ")
                )
            }
        }
    }

    fn build(&self) -> Result<Schedule> {
        Ok(match self {
            Sch::Exp(a, b) => exponential_decay(*a, *b),
            Sch::Step(a, b, c) => step_decay(*a, *b, *c)?,
            Sch::Cos(a, b, c) => cosine_decay(*a, *b, *c)?,
            Sch::Lin(a, b, c) => linear_schedule(*a, *b, *c)?,
            Sch::Join(s, b) => join_schedules(s.iter().map(Sch::build).collect::<Result<_>>()?, b)?,
        })
    }
}

/// A learning rate: none (Adafactor's default), a number, or a schedule.
#[derive(Clone)]
enum Lr {
    Default,
    V(f64),
    S(Sch),
}

impl Lr {
    fn json(&self) -> Option<String> {
        match self {
            Lr::Default => None,
            Lr::V(v) => Some(crate::harness::json_f64(*v)),
            Lr::S(s) => Some(s.json()),
        }
    }

    fn build(&self) -> Result<Option<LearningRate>> {
        Ok(match self {
            Lr::Default => None,
            Lr::V(v) => Some((*v).into()),
            Lr::S(s) => Some(s.build()?.into()),
        })
    }
}

type Make = fn(Option<LearningRate>) -> Result<Box<dyn Optimizer>>;

/// One optimizer under test: its Python class and keyword arguments, its learning rate,
/// and how mlxrs builds it.
#[derive(Clone)]
struct Spec {
    class: &'static str,
    kwargs: &'static str,
    lr: Lr,
    make: Make,
}

impl Spec {
    fn build(&self) -> Result<Box<dyn Optimizer>> {
        (self.make)(self.lr.build()?)
    }

    /// The spec's Python keys (`optimizer`, `kwargs`, `learning_rate`).
    fn params(&self, p: P) -> P {
        let p = p.s("optimizer", self.class).raw("kwargs", self.kwargs);
        match self.lr.json() {
            Some(lr) => p.raw("learning_rate", &lr),
            None => p,
        }
    }
}

fn lr(l: Option<LearningRate>) -> LearningRate {
    l.unwrap_or(LearningRate::Value(f64::NAN))
}

fn boxed<O: Optimizer + 'static>(o: Result<O>) -> Result<Box<dyn Optimizer>> {
    Ok(Box::new(o?))
}

fn specs() -> Vec<Spec> {
    let warm_cos = Sch::Join(
        vec![Sch::Lin(0.0, 0.01, 3), Sch::Cos(0.01, 10, 0.001)],
        vec![3],
    );
    let s = |class, kwargs, lr, make: Make| Spec {
        class,
        kwargs,
        lr,
        make,
    };
    vec![
        s("SGD", "{}", Lr::V(0.1), |l| boxed(SGD::new(lr(l)))),
        s(
            "SGD",
            r#"{"momentum": 0.9, "weight_decay": 0.01, "dampening": 0.1}"#,
            Lr::V(0.1),
            |l| {
                let o = SGDOptions {
                    momentum: 0.9,
                    weight_decay: 0.01,
                    dampening: 0.1,
                    ..Default::default()
                };
                boxed(SGD::with_options(lr(l), o))
            },
        ),
        s(
            "SGD",
            r#"{"momentum": 0.9, "nesterov": true}"#,
            Lr::S(Sch::Step(0.1, 0.5, 3)),
            |l| {
                let o = SGDOptions {
                    momentum: 0.9,
                    nesterov: true,
                    ..Default::default()
                };
                boxed(SGD::with_options(lr(l), o))
            },
        ),
        s("RMSprop", "{}", Lr::V(0.01), |l| boxed(RMSprop::new(lr(l)))),
        s(
            "RMSprop",
            r#"{"alpha": 0.9, "eps": 1e-6}"#,
            Lr::S(Sch::Exp(0.01, 0.9)),
            |l| {
                let o = RMSpropOptions {
                    alpha: 0.9,
                    eps: 1e-6,
                };
                boxed(RMSprop::with_options(lr(l), o))
            },
        ),
        s("Adagrad", "{}", Lr::V(0.1), |l| boxed(Adagrad::new(lr(l)))),
        s(
            "Adagrad",
            r#"{"eps": 1e-5}"#,
            Lr::S(Sch::Lin(0.1, 0.01, 8)),
            |l| boxed(Adagrad::with_options(lr(l), AdagradOptions { eps: 1e-5 })),
        ),
        s("AdaDelta", "{}", Lr::V(1.0), |l| {
            boxed(AdaDelta::new(lr(l)))
        }),
        s(
            "AdaDelta",
            r#"{"rho": 0.8, "eps": 1e-5}"#,
            Lr::S(Sch::Cos(1.0, 8, 0.1)),
            |l| {
                let o = AdaDeltaOptions {
                    rho: 0.8,
                    eps: 1e-5,
                };
                boxed(AdaDelta::with_options(lr(l), o))
            },
        ),
        s("Adam", "{}", Lr::V(0.01), |l| boxed(Adam::new(lr(l)))),
        s("Adam", r#"{"bias_correction": true}"#, Lr::V(0.01), |l| {
            let o = AdamOptions {
                bias_correction: true,
                ..Default::default()
            };
            boxed(Adam::with_options(lr(l), o))
        }),
        s(
            "Adam",
            r#"{"betas": [0.8, 0.99], "eps": 1e-6, "bias_correction": true}"#,
            Lr::S(warm_cos.clone()),
            |l| {
                let o = AdamOptions {
                    betas: [0.8, 0.99],
                    eps: 1e-6,
                    bias_correction: true,
                };
                boxed(Adam::with_options(lr(l), o))
            },
        ),
        s("AdamW", "{}", Lr::V(0.01), |l| boxed(AdamW::new(lr(l)))),
        s(
            "AdamW",
            r#"{"weight_decay": 0.1, "bias_correction": true, "betas": [0.85, 0.98]}"#,
            Lr::S(Sch::Cos(0.01, 10, 0.0)),
            |l| {
                let o = AdamWOptions {
                    weight_decay: 0.1,
                    bias_correction: true,
                    betas: [0.85, 0.98],
                    ..Default::default()
                };
                boxed(AdamW::with_options(lr(l), o))
            },
        ),
        s("Adamax", "{}", Lr::V(0.01), |l| boxed(Adamax::new(lr(l)))),
        s(
            "Adamax",
            r#"{"betas": [0.85, 0.95], "eps": 1e-6}"#,
            Lr::S(Sch::Exp(0.02, 0.8)),
            |l| {
                let o = AdamaxOptions {
                    betas: [0.85, 0.95],
                    eps: 1e-6,
                };
                boxed(Adamax::with_options(lr(l), o))
            },
        ),
        s("Lion", "{}", Lr::V(0.001), |l| boxed(Lion::new(lr(l)))),
        s(
            "Lion",
            r#"{"betas": [0.8, 0.95], "weight_decay": 0.1}"#,
            Lr::S(Sch::Step(0.01, 0.5, 4)),
            |l| {
                let o = LionOptions {
                    betas: [0.8, 0.95],
                    weight_decay: 0.1,
                };
                boxed(Lion::with_options(lr(l), o))
            },
        ),
        s("Adafactor", "{}", Lr::Default, |_| boxed(Adafactor::new())),
        s(
            "Adafactor",
            r#"{"beta_1": 0.9, "weight_decay": 0.01, "warmup_init": true}"#,
            Lr::Default,
            |_| {
                let o = AdafactorOptions {
                    beta_1: Some(0.9),
                    weight_decay: 0.01,
                    warmup_init: true,
                    ..Default::default()
                };
                boxed(Adafactor::with_options(o))
            },
        ),
        s(
            "Adafactor",
            r#"{"relative_step": false, "scale_parameter": false, "clip_threshold": 0.5, "decay_rate": -0.6, "eps": [1e-30, 1e-2]}"#,
            Lr::V(0.01),
            |l| {
                let o = AdafactorOptions {
                    learning_rate: l,
                    relative_step: false,
                    scale_parameter: false,
                    clip_threshold: 0.5,
                    decay_rate: -0.6,
                    eps: (1e-30, 1e-2),
                    ..Default::default()
                };
                boxed(Adafactor::with_options(o))
            },
        ),
        s(
            "Adafactor",
            r#"{"relative_step": false, "beta_1": 0.5}"#,
            Lr::S(Sch::Lin(0.001, 0.05, 6)),
            |l| {
                let o = AdafactorOptions {
                    learning_rate: l,
                    relative_step: false,
                    beta_1: Some(0.5),
                    ..Default::default()
                };
                boxed(Adafactor::with_options(o))
            },
        ),
        s("Muon", "{}", Lr::V(0.02), |l| boxed(Muon::new(lr(l)))),
        s(
            "Muon",
            r#"{"momentum": 0.9, "weight_decay": 0.0, "nesterov": false, "ns_steps": 3}"#,
            Lr::S(Sch::Cos(0.02, 10, 0.002)),
            |l| {
                let o = MuonOptions {
                    momentum: 0.9,
                    weight_decay: 0.0,
                    nesterov: false,
                    ns_steps: 3,
                };
                boxed(Muon::with_options(lr(l), o))
            },
        ),
    ]
}

/// A [`MultiOptimizer`] over `parts`, the i-th filter matching names containing
/// `filters[i]`.
fn multi(parts: &[Spec], filters: &[&'static str]) -> Result<Box<dyn Optimizer>> {
    let optimizers = parts.iter().map(Spec::build).collect::<Result<Vec<_>>>()?;
    let filters: Vec<mlxrs::optimizers::Filter> = filters
        .iter()
        .map(|&sub| -> mlxrs::optimizers::Filter {
            Box::new(move |name: &str, _: &Array| name.contains(sub))
        })
        .collect();
    Ok(Box::new(MultiOptimizer::new(optimizers, filters)?))
}

/// The Python keys of a [`multi`] optimizer.
fn multi_params(p: P, parts: &[Spec], filters: &[&str]) -> P {
    let parts: Vec<String> = parts.iter().map(|s| s.params(P::new()).to_json()).collect();
    let filters: Vec<String> = filters.iter().map(|f| json_string(f)).collect();
    p.s("optimizer", "MultiOptimizer")
        .raw("parts", &format!("[{}]", parts.join(", ")))
        .raw("filters", &format!("[{}]", filters.join(", ")))
}

fn names_json(names: &[&str]) -> String {
    let items: Vec<String> = names.iter().map(|n| json_string(n)).collect();
    format!("[{}]", items.join(", "))
}

fn param_names() -> Vec<&'static str> {
    PARAMS.iter().map(|(n, _)| *n).collect()
}

/// The gradients of step `t` from the case's inputs (initial parameters, then the
/// gradients of each step), restricted to `used`.
fn grads_at(x: &[Array], t: usize, used: &[&str]) -> ParamMap {
    let n = PARAMS.len();
    PARAMS
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| used.contains(name))
        .map(|(i, (name, _))| (name.to_string(), x[n + t * n + i].clone()))
        .collect()
}

/// Applies the gradients of steps `steps` to `params`.
fn run(
    opt: &mut dyn Optimizer,
    params: &mut ParamMap,
    x: &[Array],
    steps: std::ops::Range<usize>,
    used: &[&str],
) -> Result<()> {
    for t in steps {
        let new = opt.apply_gradients(&grads_at(x, t, used), params)?;
        params.extend(new);
    }
    Ok(())
}

fn initial(x: &[Array]) -> ParamMap {
    PARAMS
        .iter()
        .zip(x)
        .map(|((name, _), a)| (name.to_string(), a.clone()))
        .collect()
}

/// The final parameters in [`PARAMS`] order, then the state in name order.
fn results(opt: &dyn Optimizer, params: &ParamMap) -> Vec<Array> {
    let mut out: Vec<Array> = PARAMS.iter().map(|(n, _)| params[*n].clone()).collect();
    out.extend(opt.state().into_values());
    out
}

/// The inputs of a trajectory: initial parameters, then `STEPS` gradients of each.
fn trajectory_inputs(t: &mut Table, dtype: Dtype) -> Result<Vec<Array>> {
    let mut xs = Vec::new();
    for _ in 0..=STEPS {
        for (_, shape) in PARAMS {
            xs.push(t.input(dtype, shape, Dom::U(-1.0, 1.0))?);
        }
    }
    Ok(xs)
}

/// The state names mlxrs gives after one update (Python checks them).
fn state_names(
    make: &dyn Fn() -> Result<Box<dyn Optimizer>>,
    x: &[Array],
    used: &[&str],
) -> Result<String> {
    let mut opt = make()?;
    let mut params = initial(x);
    run(opt.as_mut(), &mut params, x, 0..1, used)?;
    let names: Vec<String> = opt.state().into_keys().collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(names_json(&names))
}

/// Adds the trajectory case of the optimizer `make` builds.
fn trajectory<F>(
    t: &mut Table,
    label: &str,
    p: P,
    dtype: Dtype,
    used: &[&'static str],
    make: F,
) -> Result<()>
where
    F: Fn() -> Result<Box<dyn Optimizer>> + Clone + 'static,
{
    let xs = trajectory_inputs(t, dtype)?;
    let mut p = p
        .s("_special", "optimizers_trajectory")
        .raw("names", &names_json(&param_names()))
        .i("steps", STEPS as i64)
        .raw("state_names", &state_names(&make, &xs, used)?);
    if used.len() != PARAMS.len() {
        p = p.raw("grad_names", &names_json(used));
    }
    let used = used.to_vec();
    let tol = if dtype == F32 { 1.0 } else { 4.0 };
    t.add(label, p, xs, move |x| {
        let mut opt = make()?;
        let mut params = initial(x);
        run(opt.as_mut(), &mut params, x, 0..STEPS, &used)?;
        Ok(results(opt.as_ref(), &params))
    })
    .tol(tol);
    Ok(())
}

/// Where the state files go (as io.rs: `files/` in `MLXRS_ORACLE_DIR`, else a scratch
/// folder removed by the smoke test).
fn state_file(name: &str) -> Result<(PathBuf, String)> {
    let base = std::env::var_os("MLXRS_ORACLE_DIR").map_or_else(super::io::scratch, PathBuf::from);
    let dir = base.join("files");
    std::fs::create_dir_all(&dir)?;
    Ok((dir.join(name), format!("files/{name}")))
}

/// Adds a case where mlxrs saves its state after `HALF` steps, and Python resumes from
/// that file and goes on to `STEPS`, as mlxrs does.
fn resume<F>(t: &mut Table, label: &str, p: P, k: usize, make: F) -> Result<()>
where
    F: Fn() -> Result<Box<dyn Optimizer>> + Clone + 'static,
{
    let all = param_names();
    let xs = trajectory_inputs(t, F32)?;
    let name = format!("optimizer_state_{k}.safetensors");
    let (path, rel) = state_file(&name)?;
    let p = p
        .s("_special", "optimizers_resume")
        .raw("names", &names_json(&all))
        .i("steps", STEPS as i64)
        .i("half", HALF as i64)
        .s("file", &rel)
        .raw("state_names", &state_names(&make, &xs, &all)?);
    t.add(label, p, xs, move |x| {
        let all = param_names();
        let mut opt = make()?;
        let mut params = initial(x);
        run(opt.as_mut(), &mut params, x, 0..HALF, &all)?;
        let state: std::collections::HashMap<String, Array> = opt.state().into_iter().collect();
        mlxrs::io::save_safetensors(&path, &state, &Default::default())?;
        let mut fresh = make()?;
        let (loaded, _) = mlxrs::io::load_safetensors(&path)?;
        fresh.set_state(&loaded.into_iter().collect())?;
        run(fresh.as_mut(), &mut params, x, HALF..STEPS, &all)?;
        Ok(results(fresh.as_ref(), &params))
    });
    Ok(())
}

pub fn cases(t: &mut Table) -> Result<()> {
    let all = param_names();
    for spec in specs() {
        let label = format!("optimizers.{}", spec.class);
        let p = spec.params(P::new());
        let s = spec.clone();
        trajectory(t, &label, p, F32, &all, move || s.build())?;
    }
    // Half precision: the state follows the parameters' dtype. SGD with momentum and
    // Adam with bias correction, in float16 and bfloat16.
    let half: Vec<Spec> = specs()
        .into_iter()
        .filter(|s| {
            (s.class == "SGD" && s.kwargs.contains("dampening"))
                || (s.class == "Adam" && s.kwargs == r#"{"bias_correction": true}"#)
        })
        .collect();
    assert_eq!(half.len(), 2);
    for dtype in [F16, BF16] {
        for spec in &half {
            let label = format!("optimizers.{}", spec.class);
            let p = spec.params(P::new());
            let s = spec.clone();
            trajectory(t, &label, p, dtype, &all, move || s.build())?;
        }
    }
    // Gradients for a subset of the parameters: only those are updated and get state.
    let adam = specs()
        .into_iter()
        .find(|s| s.class == "Adam")
        .expect("an Adam spec");
    let s = adam.clone();
    trajectory(
        t,
        "optimizers.Adam",
        adam.params(P::new()),
        F32,
        &["layers.0.weight"],
        move || s.build(),
    )?;
    // MultiOptimizer: two and three parts.
    let by_class = |c: &str| specs().into_iter().find(|s| s.class == c).expect("a spec");
    for (parts, filters) in [
        (vec![by_class("Adam"), by_class("SGD")], vec!["weight"]),
        (
            vec![by_class("Lion"), by_class("Muon"), by_class("Adagrad")],
            vec!["bias", "conv"],
        ),
    ] {
        let p = multi_params(P::new(), &parts, &filters);
        trajectory(t, "optimizers.MultiOptimizer", p, F32, &all, move || {
            multi(&parts, &filters)
        })?;
    }
    // Resumed in Python from mlxrs's state file.
    let resumed: Vec<Spec> = specs()
        .into_iter()
        .filter(|s| matches!(s.lr, Lr::S(_)) || s.class == "Adafactor")
        .collect();
    for (k, spec) in resumed.into_iter().enumerate() {
        let label = format!("optimizers.{}", spec.class);
        let p = spec.params(P::new());
        resume(t, &label, p, k, move || spec.build())?;
    }
    let parts = vec![by_class("Adam"), by_class("SGD")];
    let p = multi_params(P::new(), &parts, &["weight"]);
    resume(t, "optimizers.MultiOptimizer", p, 100, move || {
        multi(&parts, &["weight"])
    })?;
    schedules(t)?;
    clip(t)
}

fn schedules(t: &mut Table) -> Result<()> {
    let at: &[u64] = &[0, 1, 2, 3, 4, 5, 7, 8, 10, 11, 15, 100, 1000];
    let list = [
        ("exponential_decay", Sch::Exp(0.1, 0.9)),
        ("exponential_decay", Sch::Exp(2.0, 0.5)),
        ("step_decay", Sch::Step(0.1, 0.9, 3)),
        ("step_decay", Sch::Step(1.0, 0.5, 1)),
        ("cosine_decay", Sch::Cos(0.1, 10, 0.0)),
        ("cosine_decay", Sch::Cos(1.0, 7, 0.2)),
        ("linear_schedule", Sch::Lin(0.0, 0.1, 10)),
        ("linear_schedule", Sch::Lin(1.0, 0.5, 4)),
        (
            "join_schedules",
            Sch::Join(
                vec![Sch::Lin(0.0, 0.1, 10), Sch::Cos(0.1, 200, 0.0)],
                vec![10],
            ),
        ),
        (
            "join_schedules",
            Sch::Join(
                vec![
                    Sch::Lin(0.0, 1.0, 3),
                    Sch::Exp(1.0, 0.9),
                    Sch::Step(0.5, 0.5, 2),
                ],
                vec![3, 8],
            ),
        ),
    ];
    let at_json: Vec<String> = at.iter().map(u64::to_string).collect();
    for (name, sch) in list {
        let p = P::new()
            .s("_special", "optimizers_schedule")
            .raw("schedule", &sch.json())
            .raw("at", &format!("[{}]", at_json.join(", ")));
        t.add(&format!("optimizers.{name}"), p, vec![], move |_| {
            let s = sch.build()?;
            at.iter().map(|&k| s.at(&Array::from(k))).collect()
        });
    }
    Ok(())
}

fn clip(t: &mut Table) -> Result<()> {
    let names = param_names();
    for (max_norm, scale) in [(1.0, 1.0), (100.0, 1.0), (0.0, 1.0), (0.5, 10.0)] {
        let xs = PARAMS
            .iter()
            .map(|(_, shape)| t.input(F32, shape, Dom::U(-scale, scale)))
            .collect::<Result<Vec<_>>>()?;
        let p = P::new()
            .s("_special", "optimizers_clip")
            .raw("names", &names_json(&names))
            .f("max_norm", max_norm);
        t.add("optimizers.clip_grad_norm", p, xs, move |x| {
            let grads = initial(x);
            let (clipped, norm) = clip_grad_norm(&grads, max_norm)?;
            let mut out: Vec<Array> = PARAMS.iter().map(|(n, _)| clipped[*n].clone()).collect();
            out.push(norm);
            Ok(out)
        });
    }
    Ok(())
}
