//! `nn::TrainStep`: the compiled training step equals the eager one and a step written
//! out by hand (`nn::value_and_grad`, then `Optimizer::apply_gradients`), step after step.

use mlxrs::nn::{self, Linear, Module, ParamMap, TrainStep, UnaryLayer};
use mlxrs::ops::{
    add, expand_dims, logsumexp_axis, maximum, mean, multiply, reshape, sin, subtract,
    take_along_axis,
};
use mlxrs::optimizers::{Adam, Optimizer, SGD};
use mlxrs::{Array, Dtype, Result};

#[derive(Clone, Module)]
struct Mlp {
    layers: Vec<Linear>,
}

impl Mlp {
    fn new(sizes: &[i32]) -> Result<Mlp> {
        let layers = sizes
            .windows(2)
            .map(|w| Linear::new(w[0], w[1], true))
            .collect::<Result<_>>()?;
        Ok(Mlp { layers })
    }

    fn forward(&self, x: &Array) -> Result<Array> {
        let mut h = x.clone();
        for (i, l) in self.layers.iter().enumerate() {
            h = l.forward(&h)?;
            if i + 1 < self.layers.len() {
                h = maximum(&h, &Array::from(0.0f32))?;
            }
        }
        Ok(h)
    }
}

/// Mean softmax cross-entropy of the logits against integer labels.
fn loss(m: &Mlp, xs: &[Array]) -> Result<Array> {
    let logits = m.forward(&xs[0])?;
    let picked = take_along_axis(&logits, &expand_dims(&xs[1], -1)?, -1)?;
    let picked = reshape(&picked, &[-1])?;
    mean(
        &subtract(&logsumexp_axis(&logits, -1, false)?, &picked)?,
        false,
    )
}

fn batch(n: i32, phase: f32) -> Result<(Array, Array)> {
    let i = Array::arange(0.0, f64::from(n * 4), 1.0, Dtype::Float32)?;
    let x = sin(&add(
        &multiply(&i, &Array::from(0.37f32))?,
        &Array::from(phase),
    )?)?;
    let labels: Vec<i32> = (0..n).map(|k| k % 3).collect();
    Ok((
        reshape(&x, &[n, 4])?,
        Array::from_slice(&labels, &[n as usize])?,
    ))
}

fn close(a: &Array, b: &Array, what: &str) -> Result<()> {
    let (a, b) = (a.to_vec::<f32>()?, b.to_vec::<f32>()?);
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() <= 1e-5 + 1e-4 * y.abs(), "{what}: {x} vs {y}");
    }
    Ok(())
}

#[test]
fn compiled_step_equals_the_eager_and_the_hand_written_step() -> Result<()> {
    let start = Mlp::new(&[4, 16, 16, 3])?;
    let (mut compiled_model, mut eager_model, mut manual_model) =
        (start.clone(), start.clone(), start.clone());
    let mut compiled = TrainStep::new(&start, Adam::new(0.01)?, loss)?;
    let mut eager = TrainStep::eager(&start, Adam::new(0.01)?, loss)?;
    let grad_fn = nn::value_and_grad(loss);
    let mut opt = Adam::new(0.01)?;
    let mut losses = Vec::new();
    // Six steps, alternating two batch shapes (the compiled step traces each once).
    for k in 0..6 {
        let (x, y) = batch(if k % 2 == 0 { 12 } else { 9 }, (k % 2) as f32)?;
        let batch = [x, y];
        let lc = compiled.step(&mut compiled_model, &batch)?;
        let le = eager.step(&mut eager_model, &batch)?;
        let (lm, grads) = grad_fn(&manual_model, &batch)?;
        let params = manual_model.trainable_parameters();
        let updated = opt.apply_gradients(&grads, &params)?;
        manual_model.update(&updated)?;
        close(&lc, &lm, &format!("compiled loss, step {k}"))?;
        close(&le, &lm, &format!("eager loss, step {k}"))?;
        losses.push(lm.item::<f32>()?);
    }
    let (pc, pe, pm) = (
        compiled_model.parameters(),
        eager_model.parameters(),
        manual_model.parameters(),
    );
    assert_eq!(pc.len(), 6);
    for (name, want) in &pm {
        close(&pc[name], want, &format!("compiled {name}"))?;
        close(&pe[name], want, &format!("eager {name}"))?;
        // the parameters moved
        let before = &start.parameters()[name];
        let moved = subtract(want, before)?.abs()?.max(false)?.item::<f32>()?;
        assert!(moved > 1e-4, "{name} did not change");
    }
    // The state has Python's names and equals the optimizer's own.
    let state = compiled.state();
    assert_eq!(state["step"].item::<u64>()?, 6);
    for (name, want) in opt.state() {
        close(
            &state[&name].astype(Dtype::Float32)?,
            &want.astype(Dtype::Float32)?,
            &name,
        )?;
    }
    assert!(state.contains_key("layers.0.weight.m") && state.contains_key("layers.2.bias.v"));
    // Learning: the loss on the first batch fell.
    let (x, y) = batch(12, 0.0)?;
    let after = loss(&manual_model, &[x, y])?.item::<f32>()?;
    assert!(after < losses[0], "{after} !< {}", losses[0]);
    Ok(())
}

#[test]
fn the_optimizer_state_carries_over_and_bad_models_are_errors() -> Result<()> {
    // Plain SGD (lr 0.5) on f(w) = mean((w x - y)^2) with x = [1, 2], y = [2, 4]: the
    // gradient is 5 (w - 2), so w goes 0 → 5 → -2.5 (a step of lr 0.5 overshoots).
    let mut model = Linear::new(1, 1, false)?;
    let w0: ParamMap = [("weight".to_string(), Array::from_slice(&[0.0f32], &[1, 1])?)].into();
    model.update(&w0)?;
    let mut step = TrainStep::new(&model, SGD::new(0.5)?, |m: &Linear, xs: &[Array]| {
        mean(
            &mlxrs::ops::square(&subtract(&m.forward(&xs[0])?, &xs[1])?)?,
            false,
        )
    })?;
    let batch = [
        Array::from_slice(&[1.0f32, 2.0], &[2, 1])?,
        Array::from_slice(&[2.0f32, 4.0], &[2, 1])?,
    ];
    assert_eq!(step.step(&mut model, &batch)?.item::<f32>()?, 10.0);
    assert_eq!(model.parameters()["weight"].item::<f32>()?, 5.0);
    assert_eq!(step.step(&mut model, &batch)?.item::<f32>()?, 22.5);
    assert_eq!(model.parameters()["weight"].item::<f32>()?, -2.5);
    assert_eq!(step.state()["step"].item::<u64>()?, 2);

    // A model with other parameters is an error naming the step, not a panic.
    let mut other = Linear::new(1, 1, true)?;
    let err = step.step(&mut other, &batch).unwrap_err().to_string();
    assert!(err.contains("TrainStep") && err.contains("bias"), "{err}");
    // Nothing to train is an error too.
    let mut frozen = Linear::new(1, 1, false)?;
    frozen.freeze()?;
    let err = TrainStep::new(&frozen, SGD::new(0.1)?, |m: &Linear, xs: &[Array]| {
        mean(&m.forward(&xs[0])?, false)
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("no trainable parameters"), "{err}");
    Ok(())
}
