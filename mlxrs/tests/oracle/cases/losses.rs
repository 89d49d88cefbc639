//! `mlx.nn`'s activation functions and activation layers, `mlx.nn.losses` (every loss,
//! each reduction and keyword), and `mlx.nn.init` under a fixed global seed. The Python
//! halves of the layer and initializer cases are in xtask/oracle/special_losses.py.

use mlxrs::nn::init::{self, FanMode};
use mlxrs::nn::losses::{self as l, Reduction};
use mlxrs::nn::{self, GeluApprox};
use mlxrs::{Array, Dtype, Result, ops, random};

use super::*;
use crate::harness::{Dom, P, Table, one};

const R3: Dom = Dom::U(-3.0, 3.0);
const REDUCTIONS: [Reduction; 3] = [Reduction::None, Reduction::Mean, Reduction::Sum];

pub fn cases(t: &mut Table) -> Result<()> {
    activations(t)?;
    layers(t)?;
    losses(t)?;
    initializers(t)
}

/// An activation on `[3, 4]` (and `[2, 3, 5]` for float32) inputs of each dtype, with
/// gradients for the floating-point ones.
fn act<F>(t: &mut Table, op: &str, p: P, dtypes: &[Dtype], f: F) -> Result<()>
where
    F: Fn(&Array) -> Result<Array> + Clone + 'static,
{
    for &d in dtypes {
        let shapes: &[&[i32]] = if d == F32 {
            &[&[3, 4], &[2, 3, 6]]
        } else {
            &[&[3, 4]]
        };
        // Wide enough to reach relu6's cap and hardswish's saturation above 3.
        let dom = if matches!(op, "relu6" | "hardswish") {
            Dom::U(-8.0, 8.0)
        } else {
            R3
        };
        for s in shapes {
            let x = t.input(d, s, dom)?;
            let g = f.clone();
            let c = t.add(&format!("nn.{op}"), p.clone(), vec![x], move |x| {
                one(g(&x[0]))
            });
            if d.is_floating() && op != "step" {
                c.grad();
            }
        }
    }
    Ok(())
}

fn activations(t: &mut Table) -> Result<()> {
    const F32_ONLY: &[Dtype] = &[F32];
    // Parameterless ones: half precision for some, integers where Python keeps them.
    let plain: &[(&str, fn(&Array) -> Result<Array>, &[Dtype])] = &[
        ("sigmoid", nn::sigmoid, FLOATS),
        ("relu", nn::relu, &[F32, F16, BF16, I32]),
        ("relu2", nn::relu2, &[F32, BF16]),
        ("relu6", nn::relu6, &[F32, F16, I32]),
        ("softplus", nn::softplus, FLOATS),
        ("softsign", nn::softsign, F32_ONLY),
        ("silu", nn::silu, FLOATS),
        ("log_sigmoid", nn::log_sigmoid, &[F32, F16]),
        ("gelu", nn::gelu, FLOATS),
        ("gelu_approx", nn::gelu_approx, FLOATS),
        ("gelu_fast_approx", nn::gelu_fast_approx, &[F32, BF16]),
        ("selu", nn::selu, &[F32, F16]),
        ("mish", nn::mish, FLOATS),
        ("hardswish", nn::hardswish, &[F32, F16]),
        ("tanh", nn::tanh, &[F32, BF16]),
    ];
    for &(op, f, dtypes) in plain {
        act(t, op, P::new(), dtypes, f)?;
    }
    // Python's defaults, then other keyword values.
    act(t, "leaky_relu", P::new(), F32_ONLY, |x| {
        nn::leaky_relu(x, 0.01)
    })?;
    act(
        t,
        "leaky_relu",
        P::new().f("negative_slope", 0.25),
        &[F32, F16],
        |x| nn::leaky_relu(x, 0.25),
    )?;
    act(t, "elu", P::new(), &[F32, F16], |x| nn::elu(x, 1.0))?;
    act(t, "elu", P::new().f("alpha", 0.5), F32_ONLY, |x| {
        nn::elu(x, 0.5)
    })?;
    act(t, "celu", P::new(), F32_ONLY, |x| nn::celu(x, 1.0))?;
    act(t, "celu", P::new().f("alpha", 2.0), &[F32, BF16], |x| {
        nn::celu(x, 2.0)
    })?;
    act(t, "softshrink", P::new(), F32_ONLY, |x| {
        nn::softshrink(x, 0.5)
    })?;
    act(t, "softshrink", P::new().f("lambd", 1.0), F32_ONLY, |x| {
        nn::softshrink(x, 1.0)
    })?;
    act(t, "hard_shrink", P::new(), &[F32, I32], |x| {
        nn::hard_shrink(x, 0.5)
    })?;
    act(t, "hard_shrink", P::new().f("lambd", 1.5), F32_ONLY, |x| {
        nn::hard_shrink(x, 1.5)
    })?;
    act(t, "hard_tanh", P::new(), &[F32, F16], |x| {
        nn::hard_tanh(x, -1.0, 1.0)
    })?;
    act(
        t,
        "hard_tanh",
        P::new().f("min_val", -0.5).f("max_val", 2.0),
        F32_ONLY,
        |x| nn::hard_tanh(x, -0.5, 2.0),
    )?;
    act(t, "step", P::new(), &[F32, I32], |x| nn::step(x, 0.0))?;
    act(t, "step", P::new().f("threshold", 0.5), F32_ONLY, |x| {
        nn::step(x, 0.5)
    })?;
    for (axis, p) in [(-1, P::new()), (0, P::new().i("axis", 0))] {
        act(t, "softmax", p.clone(), FLOATS, move |x| {
            nn::softmax(x, axis)
        })?;
        act(t, "log_softmax", p.clone(), FLOATS, move |x| {
            nn::log_softmax(x, axis)
        })?;
        act(t, "softmin", p, &[F32, F16], move |x| nn::softmin(x, axis))?;
    }
    // glu: split the last axis (even) or axis 0 of an even leading dimension.
    act(t, "glu", P::new(), &[F32, F16], |x| nn::glu(x, -1))?;
    let x = t.input(F32, &[4, 3], R3)?;
    t.add("nn.glu", P::new().i("axis", 0), vec![x], |x| {
        one(nn::glu(&x[0], 0))
    })
    .grad();
    // prelu: one shared slope, or one per channel (the last axis).
    for (xs, alphas) in [(&[3, 4][..], &[1][..]), (&[2, 3, 4], &[4])] {
        for &d in &[F32, F16] {
            let x = t.input(d, xs, R3)?;
            let a = t.input(d, alphas, Dom::U(0.0, 0.5))?;
            t.add("nn.prelu", P::new(), vec![x, a], |x| {
                one(nn::prelu(&x[0], &x[1]))
            })
            .grad();
        }
    }
    Ok(())
}

/// The activation layers against Python's classes (special `losses_layer`: Python
/// builds `nn.<cls>(**args)` and applies it).
fn layers(t: &mut Table) -> Result<()> {
    type Forward = Box<dyn Fn(&Array) -> Result<Array>>;
    let layer = |cls: &str, args: &str| {
        P::new()
            .s("_special", "losses_layer")
            .s("cls", cls)
            .raw("args", args)
    };
    let cases: Vec<(&str, &str, Forward)> = vec![
        ("Sigmoid", "{}", Box::new(|x| nn::Sigmoid::new().forward(x))),
        ("Mish", "{}", Box::new(|x| nn::Mish::new().forward(x))),
        ("ReLU", "{}", Box::new(|x| nn::ReLU::new().forward(x))),
        ("ReLU2", "{}", Box::new(|x| nn::ReLU2::new().forward(x))),
        ("ReLU6", "{}", Box::new(|x| nn::ReLU6::new().forward(x))),
        (
            "LeakyReLU",
            "{}",
            Box::new(|x| nn::LeakyReLU::default().forward(x)),
        ),
        (
            "LeakyReLU",
            "{\"negative_slope\": 0.3}",
            Box::new(|x| nn::LeakyReLU::new(0.3).forward(x)),
        ),
        ("ELU", "{}", Box::new(|x| nn::ELU::default().forward(x))),
        (
            "ELU",
            "{\"alpha\": 0.5}",
            Box::new(|x| nn::ELU::new(0.5).forward(x)),
        ),
        ("Softmax", "{}", Box::new(|x| nn::Softmax::new().forward(x))),
        (
            "Softplus",
            "{}",
            Box::new(|x| nn::Softplus::new().forward(x)),
        ),
        (
            "Softsign",
            "{}",
            Box::new(|x| nn::Softsign::new().forward(x)),
        ),
        (
            "Softshrink",
            "{}",
            Box::new(|x| nn::Softshrink::default().forward(x)),
        ),
        (
            "Softshrink",
            "{\"lambd\": 1.0}",
            Box::new(|x| nn::Softshrink::new(1.0).forward(x)),
        ),
        ("CELU", "{}", Box::new(|x| nn::CELU::default().forward(x))),
        (
            "CELU",
            "{\"alpha\": 1.5}",
            Box::new(|x| nn::CELU::new(1.5).forward(x)),
        ),
        ("SiLU", "{}", Box::new(|x| nn::SiLU::new().forward(x))),
        (
            "LogSoftmax",
            "{}",
            Box::new(|x| nn::LogSoftmax::new().forward(x)),
        ),
        (
            "LogSigmoid",
            "{}",
            Box::new(|x| nn::LogSigmoid::new().forward(x)),
        ),
        (
            "PReLU",
            "{}",
            Box::new(|x| nn::PReLU::new(1, 0.25)?.forward(x)),
        ),
        (
            "PReLU",
            "{\"num_parameters\": 4, \"init\": 0.1}",
            Box::new(|x| nn::PReLU::new(4, 0.1)?.forward(x)),
        ),
        ("GELU", "{}", Box::new(|x| nn::GELU::default().forward(x))),
        (
            "GELU",
            "{\"approx\": \"precise\"}",
            Box::new(|x| nn::GELU::new(GeluApprox::Precise).forward(x)),
        ),
        (
            "GELU",
            "{\"approx\": \"tanh\"}",
            Box::new(|x| nn::GELU::new("tanh".parse()?).forward(x)),
        ),
        (
            "GELU",
            "{\"approx\": \"fast\"}",
            Box::new(|x| nn::GELU::new(GeluApprox::Fast).forward(x)),
        ),
        ("Tanh", "{}", Box::new(|x| nn::Tanh::new().forward(x))),
        (
            "Hardswish",
            "{}",
            Box::new(|x| nn::Hardswish::new().forward(x)),
        ),
        ("Step", "{}", Box::new(|x| nn::Step::default().forward(x))),
        (
            "Step",
            "{\"threshold\": -0.5}",
            Box::new(|x| nn::Step::new(-0.5).forward(x)),
        ),
        ("SELU", "{}", Box::new(|x| nn::SELU::new().forward(x))),
        (
            "HardTanh",
            "{}",
            Box::new(|x| nn::HardTanh::new().forward(x)),
        ),
        (
            "HardShrink",
            "{}",
            Box::new(|x| nn::HardShrink::default().forward(x)),
        ),
        (
            "HardShrink",
            "{\"lambd\": 1.0}",
            Box::new(|x| nn::HardShrink::new(1.0).forward(x)),
        ),
        ("Softmin", "{}", Box::new(|x| nn::Softmin::new().forward(x))),
        ("GLU", "{}", Box::new(|x| nn::GLU::default().forward(x))),
    ];
    for (cls, args, f) in cases {
        let x = t.input(F32, &[3, 4], R3)?;
        let f = std::rc::Rc::new(f);
        let c = t.add(&format!("nn.{cls}"), layer(cls, args), vec![x], move |x| {
            one(f(&x[0]))
        });
        if cls != "Step" {
            c.grad();
        }
    }
    Ok(())
}

/// `nn.losses.<op>` with the keyword arguments `p` (and `reduction`).
fn loss_op(op: &str) -> String {
    format!("nn.losses.{op}")
}

fn with_reduction(p: P, r: Reduction) -> P {
    p.s("reduction", r.as_str())
}

fn losses(t: &mut Table) -> Result<()> {
    cross_entropy(t)?;
    binary_cross_entropy(t)?;
    regression(t)?;
    distributions(t)?;
    ranking(t)
}

fn cross_entropy(t: &mut Table) -> Result<()> {
    let op = loss_op("cross_entropy");
    // Class indices, each reduction, with and without label smoothing.
    for r in REDUCTIONS {
        for ls in [0.0f32, 0.1] {
            let logits = t.input(F32, &[4, 5], R3)?;
            let targets = t.input(I32, &[4], Dom::Int(0, 4))?;
            let p = with_reduction(P::new().f("label_smoothing", ls.into()), r);
            t.add(&op, p, vec![logits, targets], move |x| {
                let o = l::CrossEntropyOptions {
                    label_smoothing: ls,
                    reduction: r,
                    ..Default::default()
                };
                one(l::cross_entropy(&x[0], &x[1], o))
            })
            .grad();
        }
    }
    // Python's defaults; half precision logits.
    for &d in FLOATS {
        let logits = t.input(d, &[3, 6], R3)?;
        let targets = t.input(I32, &[3], Dom::Int(0, 5))?;
        t.add(&op, P::new(), vec![logits, targets], |x| {
            one(l::cross_entropy(&x[0], &x[1], Default::default()))
        })
        .grad();
    }
    // Probabilities as targets (gradients for both), with smoothing.
    for ls in [0.0f32, 0.25] {
        let logits = t.input(F32, &[4, 5], R3)?;
        let probs = ops::softmax_axis(&t.input(F32, &[4, 5], R3)?, -1, false)?;
        probs.eval()?;
        let p = P::new().f("label_smoothing", ls.into());
        t.add(&op, p, vec![logits, probs], move |x| {
            let o = l::CrossEntropyOptions {
                label_smoothing: ls,
                ..Default::default()
            };
            one(l::cross_entropy(&x[0], &x[1], o))
        })
        .grad();
    }
    // Weights, axis 0, more dimensions.
    let logits = t.input(F32, &[4, 5], R3)?;
    let targets = t.input(I32, &[4], Dom::Int(0, 4))?;
    let weights = t.input(F32, &[4], Dom::U(0.0, 2.0))?;
    let p = P::new()
        .s("reduction", "mean")
        .raw("_kw_inputs", "[null, null, \"weights\"]");
    t.add(&op, p, vec![logits, targets, weights], |x| {
        let o = l::CrossEntropyOptions {
            weights: Some(&x[2]),
            reduction: Reduction::Mean,
            ..Default::default()
        };
        one(l::cross_entropy(&x[0], &x[1], o))
    })
    .grad();
    let logits = t.input(F32, &[5, 3], R3)?;
    let targets = t.input(I32, &[3], Dom::Int(0, 4))?;
    let p = P::new().i("axis", 0).f("label_smoothing", 0.2);
    t.add(&op, p, vec![logits, targets], |x| {
        let o = l::CrossEntropyOptions {
            axis: 0,
            label_smoothing: 0.2,
            ..Default::default()
        };
        one(l::cross_entropy(&x[0], &x[1], o))
    })
    .grad();
    let logits = t.input(F32, &[2, 3, 7], R3)?;
    let targets = t.input(I32, &[2, 3], Dom::Int(0, 6))?;
    t.add(
        &op,
        P::new().s("reduction", "sum"),
        vec![logits, targets],
        |x| {
            let o = l::CrossEntropyOptions {
                reduction: Reduction::Sum,
                ..Default::default()
            };
            one(l::cross_entropy(&x[0], &x[1], o))
        },
    )
    .grad();
    Ok(())
}

fn binary_cross_entropy(t: &mut Table) -> Result<()> {
    let op = loss_op("binary_cross_entropy");
    for r in REDUCTIONS {
        for with_logits in [true, false] {
            let dom = if with_logits { R3 } else { Dom::U(0.05, 0.95) };
            let inputs = t.input(F32, &[3, 4], dom)?;
            let targets = t.input(F32, &[3, 4], Dom::Int(0, 1))?;
            let p = with_reduction(P::new().b("with_logits", with_logits), r);
            t.add(&op, p, vec![inputs, targets], move |x| {
                let o = l::BinaryCrossEntropyOptions {
                    with_logits,
                    reduction: r,
                    ..Default::default()
                };
                one(l::binary_cross_entropy(&x[0], &x[1], o))
            })
            .grad();
        }
    }
    // Python's defaults with integer targets; half precision; weights.
    for &d in FLOATS {
        let inputs = t.input(d, &[6], R3)?;
        let targets = t.input(I32, &[6], Dom::Int(0, 1))?;
        t.add(&op, P::new(), vec![inputs, targets], |x| {
            one(l::binary_cross_entropy(&x[0], &x[1], Default::default()))
        })
        .grad();
    }
    // Probabilities at the edges: log clipped at -100.
    let inputs = Array::from_slice(&[0.0f32, 1.0, 0.5, 1e-30], &[4])?;
    let targets = Array::from_slice(&[1.0f32, 0.0, 1.0, 1.0], &[4])?;
    let p = P::new().b("with_logits", false).s("reduction", "none");
    t.add(&op, p, vec![inputs, targets], |x| {
        let o = l::BinaryCrossEntropyOptions {
            with_logits: false,
            reduction: Reduction::None,
            ..Default::default()
        };
        one(l::binary_cross_entropy(&x[0], &x[1], o))
    });
    for with_logits in [true, false] {
        let inputs = t.input(F32, &[5], Dom::U(0.1, 0.9))?;
        let targets = t.input(F32, &[5], Dom::U(0.0, 1.0))?;
        let weights = t.input(F32, &[5], Dom::U(0.0, 2.0))?;
        let p = P::new()
            .b("with_logits", with_logits)
            .raw("_kw_inputs", "[null, null, \"weights\"]");
        t.add(&op, p, vec![inputs, targets, weights], move |x| {
            let o = l::BinaryCrossEntropyOptions {
                weights: Some(&x[2]),
                with_logits,
                ..Default::default()
            };
            one(l::binary_cross_entropy(&x[0], &x[1], o))
        })
        .grad();
    }
    Ok(())
}

/// Two-input losses over `[3, 4]` pairs (and `[2, 3, 5]` with Python's defaults).
fn pair<F>(t: &mut Table, op: &str, p: P, doms: (Dom, Dom), f: F) -> Result<()>
where
    F: Fn(&Array, &Array) -> Result<Array> + 'static,
{
    let a = t.input(F32, &[3, 4], doms.0)?;
    let b = t.input(F32, &[3, 4], doms.1)?;
    t.add(&loss_op(op), p, vec![a, b], move |x| one(f(&x[0], &x[1])))
        .grad();
    Ok(())
}

fn regression(t: &mut Table) -> Result<()> {
    for r in REDUCTIONS {
        let p = || with_reduction(P::new(), r);
        pair(t, "l1_loss", p(), (R3, R3), move |a, b| {
            l::l1_loss(a, b, l::L1LossOptions { reduction: r })
        })?;
        pair(t, "mse_loss", p(), (R3, R3), move |a, b| {
            l::mse_loss(a, b, l::MseLossOptions { reduction: r })
        })?;
        pair(t, "smooth_l1_loss", p(), (R3, R3), move |a, b| {
            let o = l::SmoothL1LossOptions {
                reduction: r,
                ..Default::default()
            };
            l::smooth_l1_loss(a, b, o)
        })?;
        pair(t, "huber_loss", p(), (R3, R3), move |a, b| {
            let o = l::HuberLossOptions {
                reduction: r,
                ..Default::default()
            };
            l::huber_loss(a, b, o)
        })?;
        pair(t, "log_cosh_loss", p(), (R3, R3), move |a, b| {
            l::log_cosh_loss(a, b, l::LogCoshLossOptions { reduction: r })
        })?;
        pair(t, "hinge_loss", p(), (R3, Dom::Int(-1, 1)), move |a, b| {
            l::hinge_loss(a, b, l::HingeLossOptions { reduction: r })
        })?;
    }
    // Python's defaults, other keyword values, half precision.
    pair(t, "l1_loss", P::new(), (R3, R3), |a, b| {
        l::l1_loss(a, b, Default::default())
    })?;
    pair(t, "mse_loss", P::new(), (R3, R3), |a, b| {
        l::mse_loss(a, b, Default::default())
    })?;
    pair(
        t,
        "smooth_l1_loss",
        P::new().f("beta", 0.5),
        (R3, R3),
        |a, b| {
            let o = l::SmoothL1LossOptions {
                beta: 0.5,
                ..Default::default()
            };
            l::smooth_l1_loss(a, b, o)
        },
    )?;
    pair(
        t,
        "huber_loss",
        P::new().f("delta", 2.0),
        (R3, R3),
        |a, b| {
            let o = l::HuberLossOptions {
                delta: 2.0,
                ..Default::default()
            };
            l::huber_loss(a, b, o)
        },
    )?;
    pair(t, "log_cosh_loss", P::new(), (R3, R3), |a, b| {
        l::log_cosh_loss(a, b, Default::default())
    })?;
    // hinge broadcasts its targets, as in Python.
    let a = t.input(F32, &[3, 4], R3)?;
    let b = t.input(F32, &[4], Dom::Int(-1, 1))?;
    t.add(&loss_op("hinge_loss"), P::new(), vec![a, b], |x| {
        one(l::hinge_loss(&x[0], &x[1], Default::default()))
    })
    .grad();
    for &d in &[F16, BF16] {
        let a = t.input(d, &[3, 4], R3)?;
        let b = t.input(d, &[3, 4], R3)?;
        t.add(&loss_op("mse_loss"), P::new(), vec![a, b], |x| {
            one(l::mse_loss(&x[0], &x[1], Default::default()))
        })
        .grad();
        let a = t.input(d, &[3, 4], R3)?;
        let b = t.input(d, &[3, 4], R3)?;
        t.add(&loss_op("log_cosh_loss"), P::new(), vec![a, b], |x| {
            one(l::log_cosh_loss(&x[0], &x[1], Default::default()))
        })
        .grad();
        let a = t.input(d, &[3, 4], R3)?;
        let b = t.input(d, &[3, 4], R3)?;
        t.add(&loss_op("huber_loss"), P::new(), vec![a, b], |x| {
            one(l::huber_loss(&x[0], &x[1], Default::default()))
        })
        .grad();
    }
    Ok(())
}

fn distributions(t: &mut Table) -> Result<()> {
    // nll_loss: log-probabilities and class indices, along the last axis or axis 0.
    let op = loss_op("nll_loss");
    for r in REDUCTIONS {
        let logp = t.input(F32, &[4, 5], Dom::U(-4.0, 0.0))?;
        let targets = t.input(I32, &[4], Dom::Int(0, 4))?;
        t.add(
            &op,
            with_reduction(P::new(), r),
            vec![logp, targets],
            move |x| {
                let o = l::NllLossOptions {
                    reduction: r,
                    ..Default::default()
                };
                one(l::nll_loss(&x[0], &x[1], o))
            },
        )
        .grad();
    }
    let logp = t.input(F32, &[5, 3], Dom::U(-4.0, 0.0))?;
    let targets = t.input(I32, &[3], Dom::Int(0, 4))?;
    t.add(&op, P::new().i("axis", 0), vec![logp, targets], |x| {
        let o = l::NllLossOptions {
            axis: 0,
            ..Default::default()
        };
        one(l::nll_loss(&x[0], &x[1], o))
    })
    .grad();

    // kl_div_loss: two sets of log-probabilities.
    let op = loss_op("kl_div_loss");
    for r in REDUCTIONS {
        pair(
            t,
            "kl_div_loss",
            with_reduction(P::new(), r),
            (Dom::U(-3.0, 0.0), Dom::U(-3.0, 0.0)),
            move |a, b| {
                let o = l::KlDivLossOptions {
                    reduction: r,
                    ..Default::default()
                };
                l::kl_div_loss(a, b, o)
            },
        )?;
    }
    let a = t.input(F32, &[3, 4], Dom::U(-3.0, 0.0))?;
    let b = t.input(F32, &[3, 4], Dom::U(-3.0, 0.0))?;
    t.add(&op, P::new().i("axis", 0), vec![a, b], |x| {
        let o = l::KlDivLossOptions {
            axis: 0,
            ..Default::default()
        };
        one(l::kl_div_loss(&x[0], &x[1], o))
    })
    .grad();

    // gaussian_nll_loss: means, targets, variances (some below eps).
    let op = loss_op("gaussian_nll_loss");
    let variants: [(bool, f32, Reduction, P); 5] = [
        (false, 1e-6, Reduction::Mean, P::new()),
        (
            false,
            1e-6,
            Reduction::None,
            P::new().s("reduction", "none"),
        ),
        (
            true,
            1e-6,
            Reduction::Sum,
            P::new().b("full", true).s("reduction", "sum"),
        ),
        (true, 1e-6, Reduction::Mean, P::new().b("full", true)),
        (
            false,
            0.5,
            Reduction::None,
            P::new().f("eps", 0.5).s("reduction", "none"),
        ),
    ];
    for (full, eps, reduction, p) in variants {
        let inputs = vec![
            t.input(F32, &[3, 4], R3)?,
            t.input(F32, &[3, 4], R3)?,
            t.input(F32, &[3, 4], Dom::U(0.05, 2.0))?,
        ];
        t.add(&op, p, inputs, move |x| {
            let o = l::GaussianNllLossOptions {
                full,
                eps,
                reduction,
            };
            one(l::gaussian_nll_loss(&x[0], &x[1], &x[2], o))
        })
        .grad();
    }
    Ok(())
}

fn ranking(t: &mut Table) -> Result<()> {
    // triplet_loss: each reduction, then p, margin, eps and axis.
    let op = loss_op("triplet_loss");
    let variants: Vec<(l::TripletLossOptions, P)> = REDUCTIONS
        .iter()
        .map(|&r| {
            let o = l::TripletLossOptions {
                reduction: r,
                ..Default::default()
            };
            (o, with_reduction(P::new(), r))
        })
        .chain([
            (
                l::TripletLossOptions {
                    p: 1,
                    margin: 0.5,
                    ..Default::default()
                },
                P::new().i("p", 1).f("margin", 0.5),
            ),
            (
                l::TripletLossOptions {
                    p: 3,
                    eps: 1e-3,
                    axis: 0,
                    ..Default::default()
                },
                P::new().i("p", 3).f("eps", 1e-3).i("axis", 0),
            ),
            (
                l::TripletLossOptions {
                    margin: 3.0,
                    ..Default::default()
                },
                P::new().f("margin", 3.0),
            ),
        ])
        .collect();
    for (o, p) in variants {
        let inputs = vec![
            t.input(F32, &[4, 5], R3)?,
            t.input(F32, &[4, 5], R3)?,
            t.input(F32, &[4, 5], R3)?,
        ];
        t.add(&op, p, inputs, move |x| {
            one(l::triplet_loss(&x[0], &x[1], &x[2], o))
        })
        .grad();
    }

    // cosine_similarity_loss: axis 1 by default, each reduction, another axis, eps.
    let op = loss_op("cosine_similarity_loss");
    for r in REDUCTIONS {
        pair(
            t,
            "cosine_similarity_loss",
            with_reduction(P::new(), r),
            (R3, R3),
            move |a, b| {
                let o = l::CosineSimilarityLossOptions {
                    reduction: r,
                    ..Default::default()
                };
                l::cosine_similarity_loss(a, b, o)
            },
        )?;
    }
    let a = t.input(F32, &[2, 3, 4], R3)?;
    let b = t.input(F32, &[2, 3, 4], R3)?;
    t.add(&op, P::new().i("axis", -1).f("eps", 0.5), vec![a, b], |x| {
        let o = l::CosineSimilarityLossOptions {
            axis: -1,
            eps: 0.5,
            ..Default::default()
        };
        one(l::cosine_similarity_loss(&x[0], &x[1], o))
    })
    .grad();

    // margin_ranking_loss: integer or float targets, margins, reductions.
    let op = loss_op("margin_ranking_loss");
    for r in REDUCTIONS {
        for margin in [0.0f32, 0.5] {
            let inputs = vec![
                t.input(F32, &[6], R3)?,
                t.input(F32, &[6], R3)?,
                t.input(I32, &[6], Dom::Int(-1, 1))?,
            ];
            let p = with_reduction(P::new().f("margin", margin.into()), r);
            t.add(&op, p, inputs, move |x| {
                let o = l::MarginRankingLossOptions {
                    margin,
                    reduction: r,
                };
                one(l::margin_ranking_loss(&x[0], &x[1], &x[2], o))
            })
            .grad();
        }
    }
    let inputs = vec![
        t.input(F32, &[2, 3], R3)?,
        t.input(F32, &[2, 3], R3)?,
        t.input(F32, &[2, 3], Dom::Int(-1, 1))?,
    ];
    t.add(&op, P::new(), inputs, |x| {
        one(l::margin_ranking_loss(
            &x[0],
            &x[1],
            &x[2],
            Default::default(),
        ))
    })
    .grad();
    Ok(())
}

/// `nn.init` under `mx.random.seed(seed)` (special `losses_init`): the same seed gives
/// the same draws in both.
fn initializers(t: &mut Table) -> Result<()> {
    type Init = Box<dyn Fn(&Array) -> Result<Array>>;
    let cases: Vec<(&str, &[i32], &str, &str, Dtype, Init)> = vec![
        (
            "constant",
            &[2, 3],
            "{\"value\": 0.5}",
            "{}",
            F32,
            Box::new(|a| init::constant(0.5, F32)(a)),
        ),
        (
            "constant",
            &[4],
            "{\"value\": -2.0, \"dtype\": \"bfloat16\"}",
            "{}",
            BF16,
            Box::new(|a| init::constant(-2.0, BF16)(a)),
        ),
        (
            "normal",
            &[3, 5],
            "{}",
            "{}",
            F32,
            Box::new(|a| init::normal(0.0, 1.0, F32)(a)),
        ),
        (
            "normal",
            &[4, 4],
            "{\"mean\": 2.0, \"std\": 0.5, \"dtype\": \"float16\"}",
            "{}",
            F16,
            Box::new(|a| init::normal(2.0, 0.5, F16)(a)),
        ),
        (
            "uniform",
            &[3, 5],
            "{}",
            "{}",
            F32,
            Box::new(|a| init::uniform(0.0, 1.0, F32)(a)),
        ),
        (
            "uniform",
            &[2, 2, 3],
            "{\"low\": -3.0, \"high\": 1.0}",
            "{}",
            F32,
            Box::new(|a| init::uniform(-3.0, 1.0, F32)(a)),
        ),
        (
            "identity",
            &[3, 3],
            "{}",
            "{}",
            F32,
            Box::new(|a| init::identity(F32)(a)),
        ),
        (
            "glorot_normal",
            &[6, 4],
            "{}",
            "{}",
            F32,
            Box::new(|a| init::glorot_normal(F32)(a, 1.0)),
        ),
        (
            "glorot_normal",
            &[8, 3, 3, 2],
            "{}",
            "{\"gain\": 4.0}",
            F32,
            Box::new(|a| init::glorot_normal(F32)(a, 4.0)),
        ),
        (
            "glorot_uniform",
            &[6, 4],
            "{}",
            "{}",
            F32,
            Box::new(|a| init::glorot_uniform(F32)(a, 1.0)),
        ),
        (
            "glorot_uniform",
            &[5, 3, 7],
            "{\"dtype\": \"float16\"}",
            "{\"gain\": 2.0}",
            F16,
            Box::new(|a| init::glorot_uniform(F16)(a, 2.0)),
        ),
        (
            "he_normal",
            &[6, 4],
            "{}",
            "{}",
            F32,
            Box::new(|a| init::he_normal(F32)(a, FanMode::FanIn, 1.0)),
        ),
        (
            "he_normal",
            &[6, 2, 4],
            "{}",
            "{\"mode\": \"fan_out\", \"gain\": 5.0}",
            F32,
            Box::new(|a| init::he_normal(F32)(a, FanMode::FanOut, 5.0)),
        ),
        (
            "he_uniform",
            &[6, 4],
            "{}",
            "{}",
            F32,
            Box::new(|a| init::he_uniform(F32)(a, FanMode::FanIn, 1.0)),
        ),
        (
            "he_uniform",
            &[3, 2, 2, 5],
            "{}",
            "{\"mode\": \"fan_out\", \"gain\": 2.0}",
            F32,
            Box::new(|a| init::he_uniform(F32)(a, FanMode::FanOut, 2.0)),
        ),
        (
            "sparse",
            &[4, 6],
            "{\"sparsity\": 0.5}",
            "{}",
            F32,
            Box::new(|a| init::sparse(0.5, 0.0, 1.0, F32)(a)),
        ),
        (
            "sparse",
            &[3, 5],
            "{\"sparsity\": 0.3, \"mean\": 1.0, \"std\": 0.1}",
            "{}",
            F32,
            Box::new(|a| init::sparse(0.3, 1.0, 0.1, F32)(a)),
        ),
        (
            "orthogonal",
            &[4, 4],
            "{}",
            "{}",
            F32,
            Box::new(|a| init::orthogonal(1.0, F32)(a)),
        ),
        (
            "orthogonal",
            &[3, 5],
            "{\"gain\": 2.0}",
            "{}",
            F32,
            Box::new(|a| init::orthogonal(2.0, F32)(a)),
        ),
        (
            "orthogonal",
            &[5, 2],
            "{}",
            "{}",
            F32,
            Box::new(|a| init::orthogonal(1.0, F32)(a)),
        ),
    ];
    for (seed, (name, shape, args, call, dtype, f)) in (17u64..).zip(cases) {
        let p = P::new()
            .s("_special", "losses_init")
            .s("init", name)
            .i("seed", seed as i64)
            .is("shape", shape)
            .raw("args", args)
            .raw("call", call)
            .dtype("dtype", dtype);
        let shape = shape.to_vec();
        t.add(&format!("nn.init.{name}"), p, vec![], move |_| {
            random::seed(seed)?;
            one(f(&Array::zeros(&shape, F32)?))
        })
        .tol(10.0);
    }
    Ok(())
}
