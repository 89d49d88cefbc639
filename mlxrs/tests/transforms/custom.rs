//! `custom_vjp` and `custom_function` rules (what they receive, in which order, and that
//! their results replace autodiff exactly where given), and `checkpoint` (same values
//! and gradients as the plain function, with the forward recomputed in the backward).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use mlxrs::ops::*;
use mlxrs::transforms::{checkpoint, custom_function, custom_vjp, grad, jvp, value_and_grad, vjp};
use mlxrs::{Array, Result};

use crate::support::{ArrayFn, PlainFn, assert_close, scalar, values, vec1};

/// Recorded values of the arrays in one argument slot of a rule.
type Slot = Vec<Vec<f32>>;

/// What a jvp rule received: primals, tangents, argnums.
type JvpCall = (Slot, Slot, Vec<i32>);

/// The values of each array, as the rules below record them.
fn record(arrays: &[Array]) -> Result<Slot> {
    arrays.iter().map(values).collect()
}

/// `f(x, y) = [x * y, sum(x)]`.
fn product_and_sum(xs: &[Array]) -> Result<Vec<Array>> {
    Ok(vec![(&xs[0] * &xs[1])?, sum(&xs[0], false)?])
}

#[test]
fn custom_vjp_receives_primals_cotangents_outputs_in_that_order() -> Result<()> {
    let seen: Rc<RefCell<Vec<Slot>>> = Rc::default();
    let log = seen.clone();
    // The rule returns arrays built from every slot, so the result shows the order too:
    // for x: 1000 p1 + c0 (elementwise) + o1; for y: 100 o0 + p0.
    let f = custom_vjp(
        product_and_sum,
        move |p: &[Array], c: &[Array], o: &[Array]| {
            let mut l = log.borrow_mut();
            l.push(record(p)?);
            l.push(record(c)?);
            l.push(record(o)?);
            let gx = (&(&(&p[1] * 1000.0)? + &c[0])? + &o[1])?;
            let gy = (&(&o[0] * 100.0)? + &p[0])?;
            Ok(vec![gx, gy])
        },
    )?;
    let x = [1.0f32, 2.0];
    let y = [3.0f32, 5.0];
    let c0 = [0.25f32, 0.5];
    let c1 = 7.0f32;
    let (outs, vjps) = vjp(f, &[vec1(&x)?, vec1(&y)?], &[vec1(&c0)?, scalar(c1)])?;
    assert_eq!(values(&outs[0])?, vec![3.0, 10.0], "forward output 0");
    assert_eq!(values(&outs[1])?, vec![3.0], "forward output 1");
    let seen = seen.borrow();
    assert_eq!(seen.len(), 3, "the rule ran once");
    assert_eq!(seen[0], vec![x.to_vec(), y.to_vec()], "first slot: primals");
    assert_eq!(
        seen[1],
        vec![c0.to_vec(), vec![c1]],
        "second slot: cotangents"
    );
    assert_eq!(
        seen[2],
        vec![vec![3.0, 10.0], vec![3.0]],
        "third slot: outputs"
    );
    // gx = 1000 y + c0 + sum(x) = [3003.25, 5003.5]; gy = 100 (x y) + x = [301, 1002].
    assert_eq!(values(&vjps[0])?, vec![3003.25, 5003.5]);
    assert_eq!(values(&vjps[1])?, vec![301.0, 1002.0]);
    Ok(())
}

#[test]
fn custom_function_vjp_rule_receives_the_same_order() -> Result<()> {
    let seen: Rc<RefCell<Vec<Slot>>> = Rc::default();
    let log = seen.clone();
    let f = custom_function(product_and_sum)?
        .vjp(move |p: &[Array], c: &[Array], o: &[Array]| {
            let mut l = log.borrow_mut();
            l.push(record(p)?);
            l.push(record(c)?);
            l.push(record(o)?);
            Ok(vec![(&c[0] * 10.0)?, (&p[1] + &o[1])?])
        })?
        .build()?;
    let (_, vjps) = vjp(
        f,
        &[vec1(&[1.0, 2.0])?, vec1(&[3.0, 5.0])?],
        &[vec1(&[0.25, 0.5])?, scalar(7.0)],
    )?;
    let seen = seen.borrow();
    assert_eq!(seen[0], vec![vec![1.0, 2.0], vec![3.0, 5.0]], "primals");
    assert_eq!(seen[1], vec![vec![0.25, 0.5], vec![7.0]], "cotangents");
    assert_eq!(seen[2], vec![vec![3.0, 10.0], vec![3.0]], "outputs");
    assert_eq!(values(&vjps[0])?, vec![2.5, 5.0]);
    assert_eq!(values(&vjps[1])?, vec![6.0, 8.0]);
    Ok(())
}

/// `sin` with a vjp rule claiming the derivative 2 and/or a jvp rule claiming 3.
fn sin_with(vjp_rule: bool, jvp_rule: bool) -> Result<Rc<ArrayFn>> {
    let mut b = custom_function(|xs: &[Array]| Ok(vec![sin(&xs[0])?]))?;
    if vjp_rule {
        b = b.vjp(|_p: &[Array], c: &[Array], _o: &[Array]| Ok(vec![(&c[0] * 2.0)?]))?;
    }
    if jvp_rule {
        b = b.jvp(|_p: &[Array], t: &[Array], _a: &[i32]| Ok(vec![(&t[0] * 3.0)?]))?;
    }
    Ok(Rc::new(b.build()?))
}

/// (grad at x, jvp along 1 at x, value at x) of `f`.
fn grad_jvp_value(f: Rc<ArrayFn>, x: f32) -> Result<[f32; 3]> {
    let fg = f.clone();
    let g = grad(move |xs: &[Array]| fg(xs), &[0])?(&[scalar(x)])?[0].item::<f32>()?;
    let fj = f.clone();
    let (_, t) = jvp(move |xs: &[Array]| fj(xs), &[scalar(x)], &[scalar(1.0)])?;
    let v = f(&[scalar(x)])?[0].item::<f32>()?;
    Ok([g, t[0].item::<f32>()?, v])
}

#[test]
fn custom_function_rules_replace_autodiff_only_where_given() -> Result<()> {
    for x in [0.5f32, -1.2] {
        let (s, c) = (x.sin(), x.cos());
        // vjp rule only: grad uses the rule, jvp falls back to autodiff of sin (cos x).
        let got = grad_jvp_value(sin_with(true, false)?, x)?;
        assert_close(
            &got,
            &[2.0, c, s],
            1e-6,
            1e-6,
            "vjp rule only: [grad, jvp, value]",
        );
        // jvp rule only: jvp uses the rule, grad falls back to autodiff.
        let got = grad_jvp_value(sin_with(false, true)?, x)?;
        assert_close(
            &got,
            &[c, 3.0, s],
            1e-6,
            1e-6,
            "jvp rule only: [grad, jvp, value]",
        );
        // Both.
        let got = grad_jvp_value(sin_with(true, true)?, x)?;
        assert_close(
            &got,
            &[2.0, 3.0, s],
            1e-6,
            1e-6,
            "both rules: [grad, jvp, value]",
        );
        // Neither: plain sin.
        let got = grad_jvp_value(sin_with(false, false)?, x)?;
        assert_close(&got, &[c, c, s], 1e-6, 1e-6, "no rules: [grad, jvp, value]");
    }
    Ok(())
}

#[test]
fn custom_jvp_rule_receives_primals_tangents_argnums() -> Result<()> {
    let seen: Rc<RefCell<Vec<JvpCall>>> = Rc::default();
    let log = seen.clone();
    // f(x, y) = [x * y, sum(x)], rule: [tx y + ty x, 100 sum(tx)] (the true jvp, scaled in
    // its second output so the rule's result is recognisable).
    let f = custom_function(product_and_sum)?
        .jvp(move |p: &[Array], t: &[Array], argnums: &[i32]| {
            log.borrow_mut()
                .push((record(p)?, record(t)?, argnums.to_vec()));
            let t0 = (&(&t[0] * &p[1])? + &(&t[1] * &p[0])?)?;
            let t1 = (&sum(&t[0], false)? * 100.0)?;
            Ok(vec![t0, t1])
        })?
        .build()?;
    let (outs, tans) = jvp(
        f,
        &[vec1(&[1.0, 2.0])?, vec1(&[3.0, 5.0])?],
        &[vec1(&[1.0, 2.0])?, vec1(&[0.5, 0.25])?],
    )?;
    assert_eq!(values(&outs[0])?, vec![3.0, 10.0]);
    assert_eq!(values(&tans[0])?, vec![3.5, 10.5]);
    assert_eq!(
        values(&tans[1])?,
        vec![300.0],
        "the rule's, not autodiff's 3"
    );
    let seen = seen.borrow();
    assert_eq!(seen.len(), 1, "the rule ran once");
    assert_eq!(seen[0].0, vec![vec![1.0, 2.0], vec![3.0, 5.0]], "primals");
    assert_eq!(seen[0].1, vec![vec![1.0, 2.0], vec![0.5, 0.25]], "tangents");
    assert_eq!(seen[0].2, vec![0, 1], "argnums: both primals have tangents");
    Ok(())
}

/// Functions to checkpoint: one and two arguments, one and two outputs.
fn plain_functions() -> Vec<(&'static str, PlainFn)> {
    vec![
        ("sum(sin(x) x)", |xs| {
            Ok(vec![sum(&(&sin(&xs[0])? * &xs[0])?, false)?])
        }),
        ("sum(exp(x) / (1 + y^2)), tanh(x y)", |xs| {
            let a = (&exp(&xs[0])? / &(&square(&xs[1])? + 1.0)?)?;
            Ok(vec![sum(&a, false)?, tanh(&(&xs[0] * &xs[1])?)?])
        }),
        ("logsumexp(x y) + sum(x^3)", |xs| {
            let a = logsumexp(&(&xs[0] * &xs[1])?, false)?;
            Ok(vec![(&a + &sum(&power(&xs[0], &scalar(3.0))?, false)?)?])
        }),
    ]
}

fn bits(arrays: &[Array]) -> Result<Vec<Vec<u32>>> {
    arrays
        .iter()
        .map(|a| Ok(values(a)?.into_iter().map(f32::to_bits).collect()))
        .collect()
}

#[test]
fn checkpoint_matches_the_plain_function_in_values_and_gradients() -> Result<()> {
    let x = [0.3f32, -1.2, 2.0, 0.7];
    let y = [1.5f32, 0.4, -0.8, 2.2];
    let args = || -> Result<[Array; 2]> { Ok([vec1(&x)?, vec1(&y)?]) };
    for (name, f) in plain_functions() {
        let argnums: &[i32] = if name.contains('y') { &[0, 1] } else { &[0] };
        let ck = checkpoint(f)?;
        assert_eq!(
            bits(&ck(&args()?)?)?,
            bits(&f(&args()?)?)?,
            "{name}: values"
        );
        let (v_plain, g_plain) = value_and_grad(f, argnums)?(&args()?)?;
        let (v_ck, g_ck) = value_and_grad(checkpoint(f)?, argnums)?(&args()?)?;
        assert_eq!(
            bits(&v_ck)?,
            bits(&v_plain)?,
            "{name}: value_and_grad values"
        );
        assert_eq!(g_ck.len(), argnums.len());
        for (k, (a, b)) in g_ck.iter().zip(&g_plain).enumerate() {
            assert_close(
                &values(a)?,
                &values(b)?,
                1e-6,
                1e-6,
                &format!("{name}: gradient {k}"),
            );
        }
    }
    // Against the closed form for the first: d/dx sum(x sin x) = sin x + x cos x.
    let g = grad(checkpoint(plain_functions()[0].1)?, &[0])?(&[vec1(&x)?])?;
    let want: Vec<f32> = x.iter().map(|v| v.sin() + v * v.cos()).collect();
    assert_close(&values(&g[0])?, &want, 1e-5, 1e-6, "closed form");
    Ok(())
}

#[test]
fn checkpoint_recomputes_the_forward_in_the_backward_pass() -> Result<()> {
    let calls = Rc::new(Cell::new(0));
    let seen = calls.clone();
    let f = move |xs: &[Array]| {
        seen.set(seen.get() + 1);
        Ok(vec![sum(&(&sin(&xs[0])? * &xs[0])?, false)?])
    };
    let x = [0.3f32, -1.2, 2.0];
    let plain = value_and_grad(f.clone(), &[0])?;
    plain(&[vec1(&x)?])?;
    assert_eq!(calls.get(), 1, "plain value_and_grad runs f once");
    calls.set(0);
    let ck = checkpoint(f)?;
    ck(&[vec1(&x)?])?;
    assert_eq!(calls.get(), 1, "checkpointed forward alone runs f once");
    calls.set(0);
    let vag = value_and_grad(ck, &[0])?;
    let (v, g) = vag(&[vec1(&x)?])?;
    let want_v: f32 = x.iter().map(|v| v * v.sin()).sum();
    let want_g: Vec<f32> = x.iter().map(|v| v.sin() + v * v.cos()).collect();
    assert_close(&[v[0].item::<f32>()?], &[want_v], 1e-6, 1e-6, "value");
    assert_close(&values(&g[0])?, &want_g, 1e-5, 1e-6, "gradient");
    assert_eq!(
        calls.get(),
        2,
        "checkpointed value_and_grad runs f again for the backward"
    );
    Ok(())
}

#[test]
fn second_derivative_through_checkpoint() -> Result<()> {
    // d²/dx² sin(x) x = 2 cos x - x sin x.
    let ck = checkpoint(|xs: &[Array]| Ok(vec![(&sin(&xs[0])? * &xs[0])?]))?;
    let d1 = grad(ck, &[0])?;
    let d2 = grad(move |xs: &[Array]| d1(xs), &[0])?;
    for x in [-1.0f32, 0.4, 2.5] {
        let got = d2(&[scalar(x)])?[0].item::<f32>()?;
        let want = 2.0 * x.cos() - x * x.sin();
        assert!((got - want).abs() <= 1e-5, "at {x}: got {got}, want {want}");
    }
    Ok(())
}

/// A custom vmap rule replaces MLX's batching: it receives the batched inputs with their
/// mapped axes (`None` for an unmapped one) and its outputs and out axes are used as
/// they are. The rule here computes `x * w + 100`, visibly not the forward `x * w`.
#[test]
fn custom_function_vmap_rule_is_used_under_vmap() -> Result<()> {
    type Calls = Vec<(Vec<i32>, Vec<Option<i32>>)>;
    let seen: Rc<RefCell<Calls>> = Rc::default();
    let log = seen.clone();
    let f = custom_function(|xs: &[Array]| Ok(vec![multiply(&xs[0], &xs[1])?]))?
        .vmap(move |xs: &[Array], axes: &[Option<i32>]| {
            log.borrow_mut()
                .push((xs[0].shape().to_vec(), axes.to_vec()));
            let y = add(&multiply(&xs[0], &xs[1])?, &Array::from(100.0f32))?;
            Ok((vec![y], vec![axes[0]]))
        })?
        .build()?;
    let f = Rc::new(f);
    let g = f.clone();
    let mapped = mlxrs::transforms::vmap(move |xs: &[Array]| g(xs), [Some(1), None], 0)?;
    let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2])?;
    let w = Array::from(2.0f32);
    let out = mapped(&[x.clone(), w.clone()])?;
    // Mapped over axis 1 (2 slices of 3), stacked along 0: x.T * 2 + 100.
    assert_eq!(out[0].shape(), &[2, 3]);
    assert_eq!(
        values(&out[0])?,
        vec![102.0, 106.0, 110.0, 104.0, 108.0, 112.0]
    );
    assert_eq!(*seen.borrow(), vec![(vec![3, 2], vec![Some(1), None])]);
    // Without vmap the forward runs.
    assert_eq!(
        values(&f(&[x, w])?[0])?,
        vec![2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    );
    Ok(())
}
