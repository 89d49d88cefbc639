//! `compile`: same numbers as the plain function (bit for bit in `f32`), tracing once per
//! input signature (counted through a captured counter), `shapeless`, the process-wide
//! `enable_compile`/`disable_compile` switch, captured arrays as per-closure constants,
//! and compiled gradients.
//!
//! Every test here holds [`compile_lock`]: the compile mode is process-wide, and the
//! trace counts depend on it.

use std::cell::Cell;
use std::rc::Rc;

use mlxrs::ops::*;
use mlxrs::transforms::{compile, disable_compile, enable_compile, value_and_grad};
use mlxrs::{Array, Result};

use crate::support::{ArrayFn, PlainFn, arr, assert_close, compile_lock, values, vec1};

/// Deterministic values in [-2, 2) (a 32-bit LCG), so the inputs are fixed across runs.
fn pseudo_random(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(12_345);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1u32 << 24) as f32 * 4.0 - 2.0
        })
        .collect()
}

fn bits(a: &Array) -> Result<Vec<u32>> {
    Ok(values(a)?.into_iter().map(f32::to_bits).collect())
}

/// Functions of two same-shaped arrays (elementwise chains, reductions, products).
fn functions() -> Vec<(&'static str, PlainFn)> {
    vec![
        ("exp(x) sin(y) + x", |xs| {
            Ok(vec![(&(&exp(&xs[0])? * &sin(&xs[1])?)? + &xs[0])?])
        }),
        ("tanh(x y) + (x - y)^2", |xs| {
            Ok(vec![
                (&tanh(&(&xs[0] * &xs[1])?)? + &square(&(&xs[0] - &xs[1])?)?)?,
            ])
        }),
        ("sigmoid(x) log1p(|y|)", |xs| {
            Ok(vec![(&sigmoid(&xs[0])? * &log1p(&abs(&xs[1])?)?)?])
        }),
        ("sum(exp(x) y, axis=-1), max(x)", |xs| {
            Ok(vec![
                sum_axis(&(&exp(&xs[0])? * &xs[1])?, -1, false)?,
                max(&xs[0], false)?,
            ])
        }),
        ("erf(x) / (1 + y^2)", |xs| {
            Ok(vec![(&erf(&xs[0])? / &(&square(&xs[1])? + 1.0)?)?])
        }),
        ("logaddexp(x, 0) - maximum(x, y)", |xs| {
            let zero = Array::zeros_like(&xs[0])?;
            Ok(vec![
                (&logaddexp(&xs[0], &zero)? - &maximum(&xs[0], &xs[1])?)?,
            ])
        }),
        ("x (flattened) . y (flattened), cos(x)", |xs| {
            let a = reshape(&xs[0], &[-1])?;
            let b = reshape(&xs[1], &[-1])?;
            Ok(vec![inner(&a, &b)?, cos(&xs[0])?])
        }),
    ]
}

#[test]
fn compiled_results_are_bitwise_equal_to_uncompiled() -> Result<()> {
    if crate::support::skip_on_gpu(
        "fused CUDA kernels round differently from the unfused ops (1 ulp seen); the GPU suite compares compiled and CPU results with a tolerance",
    ) {
        return Ok(());
    }
    let _lock = compile_lock();
    let shapes: [&[i32]; 4] = [&[7], &[3, 5], &[2, 3, 4], &[64, 33]];
    for (name, f) in functions() {
        let cf = compile(f, false)?;
        for (k, shape) in shapes.iter().enumerate() {
            let n = shape.iter().product::<i32>() as usize;
            let args = [
                arr(&pseudo_random(n, 2 * k as u32), shape)?,
                arr(&pseudo_random(n, 2 * k as u32 + 1), shape)?,
            ];
            let plain = f(&args)?;
            // Twice: the first call traces, the second runs the cached graph.
            for call in 0..2 {
                let compiled = cf(&args)?;
                assert_eq!(compiled.len(), plain.len(), "{name}: number of outputs");
                for (o, (c, p)) in compiled.iter().zip(&plain).enumerate() {
                    assert_eq!(c.shape(), p.shape(), "{name} {shape:?} output {o}: shape");
                    assert_eq!(
                        bits(c)?,
                        bits(p)?,
                        "{name} {shape:?} output {o} (call {call}): compiled differs from plain"
                    );
                }
            }
        }
    }
    Ok(())
}

/// `2 exp(x)`, counting how often the Rust closure runs (once per trace when compiled).
fn counted() -> (Rc<Cell<usize>>, Box<ArrayFn>) {
    let calls = Rc::new(Cell::new(0));
    let seen = calls.clone();
    let f = move |xs: &[Array]| {
        seen.set(seen.get() + 1);
        Ok(vec![(&exp(&xs[0])? * 2.0)?])
    };
    (calls, Box::new(f))
}

fn two_exp(x: &[f32]) -> Vec<f32> {
    x.iter().map(|v| 2.0 * v.exp()).collect()
}

#[test]
fn compile_traces_once_per_shape_and_shapeless_once_per_rank() -> Result<()> {
    let _lock = compile_lock();
    let (calls, f) = counted();
    let cf = compile(f, false)?;
    for _ in 0..3 {
        let y = cf(&[vec1(&[1.0, 2.0])?])?;
        assert_close(
            &values(&y[0])?,
            &two_exp(&[1.0, 2.0]),
            1e-6,
            0.0,
            "shape (2,)",
        );
    }
    assert_eq!(calls.get(), 1, "three calls with one shape trace once");
    let y = cf(&[vec1(&[1.0, 2.0, 3.0])?])?;
    assert_close(
        &values(&y[0])?,
        &two_exp(&[1.0, 2.0, 3.0]),
        1e-6,
        0.0,
        "shape (3,)",
    );
    assert_eq!(calls.get(), 2, "a new shape traces again without shapeless");

    let (calls, f) = counted();
    let cf = compile(f, true)?;
    for x in [
        &[1.0f32, 2.0][..],
        &[0.5, -1.0, 0.0, 3.0],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    ] {
        let y = cf(&[vec1(x)?])?;
        assert_eq!(y[0].shape(), &[x.len() as i32]);
        assert_close(&values(&y[0])?, &two_exp(x), 1e-6, 0.0, "shapeless, rank 1");
    }
    assert_eq!(
        calls.get(),
        1,
        "shapeless: new lengths reuse the first trace"
    );
    let x = [1.0f32, -2.0, 0.25, 3.0, 0.0, 1.5];
    let y = cf(&[arr(&x, &[2, 3])?])?;
    assert_eq!(y[0].shape(), &[2, 3]);
    assert_close(
        &values(&y[0])?,
        &two_exp(&x),
        1e-6,
        0.0,
        "shapeless, rank 2",
    );
    assert_eq!(calls.get(), 2, "shapeless: a new rank traces again");
    let y = cf(&[arr(&x, &[3, 2])?])?;
    assert_eq!(y[0].shape(), &[3, 2]);
    assert_close(
        &values(&y[0])?,
        &two_exp(&x),
        1e-6,
        0.0,
        "shapeless, rank 2 again",
    );
    assert_eq!(calls.get(), 2);
    Ok(())
}

#[test]
fn disable_compile_makes_compile_a_pass_through_until_enabled() -> Result<()> {
    let _lock = compile_lock();
    let x = [0.5f32, -1.0, 2.0];
    // Compiled while enabled: traced once.
    let (before_calls, f) = counted();
    let before = compile(f, false)?;
    before(&[vec1(&x)?])?;

    disable_compile()?;
    let outcome = (|| -> Result<()> {
        let (calls, f) = counted();
        let cf = compile(f, false)?;
        for _ in 0..3 {
            let y = cf(&[vec1(&x)?])?;
            assert_close(&values(&y[0])?, &two_exp(&x), 1e-6, 0.0, "disabled");
        }
        assert_eq!(
            calls.get(),
            3,
            "compiled while disabled: the closure runs on every call"
        );
        // A function compiled before keeps its compiled graph (mlx-c's compile decides
        // when it is made; see the docs of `disable_compile`).
        before(&[vec1(&x)?])?;
        assert_eq!(before_calls.get(), 1);
        Ok(())
    })();
    enable_compile()?;
    outcome?;

    let (calls, f) = counted();
    let cf = compile(f, false)?;
    for _ in 0..3 {
        let y = cf(&[vec1(&x)?])?;
        assert_close(&values(&y[0])?, &two_exp(&x), 1e-6, 0.0, "enabled again");
    }
    assert_eq!(calls.get(), 1, "enabled again: traced once");
    Ok(())
}

/// `x * c + 1` compiled, with `c` a captured (3,) constant: `[i, i + 0.5, -i]`.
fn captured(i: usize) -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static> {
    let v = i as f32;
    let c = vec1(&[v, v + 0.5, -v])?;
    compile(
        move |xs: &[Array]| Ok(vec![(&(&xs[0] * &c)? + 1.0)?]),
        false,
    )
}

fn check_captured(i: usize, f: &impl Fn(&[Array]) -> Result<Vec<Array>>) -> Result<()> {
    let v = i as f32;
    let y = f(&[vec1(&[1.0, 2.0, 3.0])?])?;
    assert_eq!(
        values(&y[0])?,
        vec![v + 1.0, 2.0 * (v + 0.5) + 1.0, -3.0 * v + 1.0],
        "compiled closure {i} must use its own captured constant"
    );
    Ok(())
}

#[test]
fn compiled_closures_each_keep_their_captured_constant() -> Result<()> {
    let _lock = compile_lock();
    let mut live: Vec<(usize, _)> = Vec::new();
    for i in 0..50 {
        live.push((i, captured(i)?));
    }
    for (i, f) in &live {
        check_captured(*i, f)?;
    }
    // Drop every other one (front to back), then call the rest again.
    live.retain(|(i, _)| i % 2 == 0);
    for (i, f) in &live {
        check_captured(*i, f)?;
    }
    // New closures may reuse freed addresses: each must still see its own constant.
    for i in 50..75 {
        live.push((i, captured(i)?));
    }
    for (i, f) in &live {
        check_captured(*i, f)?;
    }
    // Drop from the back, then the front, and interleave creation with calls.
    while live.len() > 10 {
        live.pop();
        if live.len() > 10 {
            drop(live.remove(0));
        }
    }
    for i in 75..100 {
        let f = captured(i)?;
        check_captured(i, &f)?;
        live.push((i, f));
        let (j, g) = &live[i % live.len()];
        check_captured(*j, g)?;
    }
    for (i, f) in live.iter().rev() {
        check_captured(*i, f)?;
    }
    Ok(())
}

#[test]
fn compiled_closures_capturing_scalars_keep_their_own_value() -> Result<()> {
    // Scalar constants are written into the generated kernel's source; a few distinct
    // ones (fixed, so MLX's on-disk kernel cache serves later runs).
    let _lock = compile_lock();
    let make = |s: f32| -> Result<_> {
        let c = Array::from(s);
        compile(move |xs: &[Array]| Ok(vec![(&xs[0] * &c)?]), false)
    };
    let mut fs = Vec::new();
    for s in [1.5f32, -2.0, 3.25] {
        fs.push((s, make(s)?));
    }
    for round in 0..2 {
        for (s, f) in &fs {
            let y = f(&[vec1(&[1.0, 2.0])?])?;
            assert_eq!(
                values(&y[0])?,
                vec![*s, 2.0 * s],
                "scalar {s}, round {round}"
            );
        }
        drop(fs.remove(1));
        fs.push((0.75, make(0.75)?));
    }
    Ok(())
}

#[test]
fn compiled_value_and_grad_matches_uncompiled() -> Result<()> {
    let _lock = compile_lock();
    // f(x, w) = sum(sin(x) * w): df/dx = cos(x) w, df/dw = sin(x).
    let f = |xs: &[Array]| Ok(vec![sum(&(&sin(&xs[0])? * &xs[1])?, false)?]);
    let vag = value_and_grad(f, &[0, 1])?;
    let cvag = compile(
        move |xs: &[Array]| {
            let (v, g) = vag(xs)?;
            Ok(v.into_iter().chain(g).collect())
        },
        false,
    )?;
    let plain = value_and_grad(f, &[0, 1])?;
    for (n, seed) in [(5usize, 7u32), (5, 8), (12, 9)] {
        let x = pseudo_random(n, seed);
        let w = pseudo_random(n, seed + 100);
        let args = [vec1(&x)?, vec1(&w)?];
        let out = cvag(&args)?;
        assert_eq!(out.len(), 3, "value, d/dx, d/dw");
        let (v, g) = plain(&args)?;
        assert_eq!(bits(&out[0])?, bits(&v[0])?, "value, n = {n}");
        assert_eq!(bits(&out[1])?, bits(&g[0])?, "d/dx, n = {n}");
        assert_eq!(bits(&out[2])?, bits(&g[1])?, "d/dw, n = {n}");
        // And against the closed form.
        let value: f32 = x.iter().zip(&w).map(|(a, b)| a.sin() * b).sum();
        let dx: Vec<f32> = x.iter().zip(&w).map(|(a, b)| a.cos() * b).collect();
        let dw: Vec<f32> = x.iter().map(|a| a.sin()).collect();
        assert_close(&[out[0].item::<f32>()?], &[value], 1e-5, 1e-5, "value");
        assert_close(&values(&out[1])?, &dx, 1e-5, 1e-6, "d/dx");
        assert_close(&values(&out[2])?, &dw, 1e-5, 1e-6, "d/dw");
    }
    Ok(())
}

/// `compile_with_state` is Python's `mx.compile(f, inputs=state, outputs=state)`: the
/// state's current values go in on every call and what `f` wrote comes out, also on the
/// calls that reuse the trace. Expected values from Python MLX 0.32.2 running the same
/// functions (a counter; a random key split on each call; inputs only; outputs only).
#[test]
fn compile_with_state_matches_pythons_inputs_and_outputs() -> Result<()> {
    use mlxrs::transforms::{CompileState, compile_with_state};
    use mlxrs::{Dtype, random};
    let _lock = compile_lock();

    // A counter read and written: state[0] += 1; return x * state[0].
    let count = CompileState::new(vec![Array::from(0.0f32)]);
    let (c, traces) = (count.clone(), Rc::new(Cell::new(0)));
    let t = traces.clone();
    let f = compile_with_state(
        move |x: &[Array]| {
            t.set(t.get() + 1);
            c.set(0, (&c.get(0)? + 1.0)?)?;
            Ok(vec![(&x[0] * &c.get(0)?)?])
        },
        Some(&count),
        Some(&count),
        false,
    )?;
    for (want, state) in [(2.0, 1.0), (4.0, 2.0), (6.0, 3.0)] {
        assert_eq!(f(&[Array::from(2.0f32)])?[0].item::<f32>()?, want);
        assert_eq!(count.get(0)?.item::<f32>()?, state);
    }
    assert_eq!(traces.get(), 1, "one trace for three calls of one shape");
    // A new shape traces again and still counts on from the current state.
    assert_eq!(values(&f(&[vec1(&[1.0, 10.0])?])?[0])?, [4.0, 40.0]);
    assert_eq!((count.get(0)?.item::<f32>()?, traces.get()), (4.0, 2));

    // A random key carried through the state: new numbers on every call (Python:
    // `k, sub = mx.random.split(state[0]); state[0] = k; x + uniform(shape=(3,), key=sub)`).
    let key = CompileState::new(vec![random::key(7)?]);
    let k = key.clone();
    let g = compile_with_state(
        move |x: &[Array]| {
            let (next, sub) = random::split_pair(&k.get(0)?)?;
            k.set(0, next)?;
            let u = random::uniform(
                &Array::from(0.0f32),
                &Array::from(1.0f32),
                &[3],
                Dtype::Float32,
                Some(&sub),
            )?;
            Ok(vec![(&x[0] + &u)?])
        },
        Some(&key),
        Some(&key),
        false,
    )?;
    let zeros = Array::zeros(&[3], Dtype::Float32)?;
    let python = [
        [0.077_745_84, 0.174_454_32, 0.832_646_37],
        [0.584_717_1, 0.436_813_74, 0.706_478_24],
        [0.444_808_27, 0.994_553_1, 0.245_295_6],
    ];
    for want in python {
        assert_close(
            &values(&g(std::slice::from_ref(&zeros))?[0])?,
            &want,
            1e-6,
            1e-7,
            "key",
        );
    }
    assert_eq!(key.get(0)?.to_vec::<u32>()?, [4_115_690_175, 2_622_646_953]);
    // Without a key in the state, a draw from MLX's global generator is a constant of
    // the trace: the same numbers on every call, as in Python without
    // `inputs=mx.random.state` (the only test of this binary that seeds the generator).
    random::seed(3)?;
    let global = compile(
        |x: &[Array]| {
            let u = random::uniform(
                &Array::from(0.0f32),
                &Array::from(1.0f32),
                &[2],
                Dtype::Float32,
                None,
            )?;
            Ok(vec![(&x[0] + &u)?])
        },
        false,
    )?;
    let zeros2 = Array::zeros(&[2], Dtype::Float32)?;
    for _ in 0..2 {
        let got = values(&global(std::slice::from_ref(&zeros2))?[0])?;
        assert_close(&got, &[0.520_858_5, 0.244_855_55], 1e-6, 1e-7, "global key");
    }

    // Inputs only: a new value of the state is seen without a retrace.
    let p = CompileState::new(vec![Array::from(1.0f32)]);
    let pc = p.clone();
    let h = compile_with_state(
        move |x: &[Array]| Ok(vec![(&x[0] * &pc.get(0)?)?]),
        Some(&p),
        None,
        false,
    )?;
    assert_eq!(h(&[Array::from(3.0f32)])?[0].item::<f32>()?, 3.0);
    p.set(0, Array::from(5.0f32))?;
    assert_eq!(h(&[Array::from(3.0f32)])?[0].item::<f32>()?, 15.0);

    // Outputs only: what `f` writes is filled in after each call.
    let o = CompileState::new(vec![Array::from(0.0f32)]);
    let oc = o.clone();
    let w = compile_with_state(
        move |x: &[Array]| {
            oc.set(0, (&x[0] * 2.0)?)?;
            Ok(vec![(&x[0] + 1.0)?])
        },
        None,
        Some(&o),
        false,
    )?;
    for (x, want, state) in [(3.0f32, 4.0, 6.0), (4.0, 5.0, 8.0)] {
        assert_eq!(w(&[Array::from(x)])?[0].item::<f32>()?, want);
        assert_eq!(o.get(0)?.item::<f32>()?, state);
    }
    Ok(())
}

/// Errors: slots out of range name `i`; an error of `f` during the trace comes back
/// as that error and leaves the state's own arrays in place (not the trace's tracers, nor
/// what `f` wrote before failing), so the state stays usable.
#[test]
fn compile_with_state_errors() -> Result<()> {
    use mlxrs::Error;
    use mlxrs::transforms::{CompileState, compile_with_state};
    let _lock = compile_lock();
    let s = CompileState::new(vec![Array::from(1.0f32)]);
    assert_eq!((s.len(), s.is_empty()), (1, false));
    assert!(CompileState::new(Vec::new()).is_empty());
    let e = s.get(1).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { name: "i", .. }), "{e}");
    assert!(
        e.to_string()
            .contains("CompileState::get: slot 1 of a state of 1 arrays"),
        "{e}"
    );
    let e = s.set(3, Array::from(0.0f32)).unwrap_err();
    assert!(e.to_string().contains("CompileState::set: slot 3"), "{e}");

    let sc = s.clone();
    let f = compile_with_state(
        move |x: &[Array]| {
            sc.set(0, (&x[0] + &sc.get(0)?)?)?;
            Err(Error::invalid("x", "refused on purpose"))
        },
        Some(&s),
        Some(&s),
        false,
    )?;
    let e = f(&[Array::from(2.0f32)]).unwrap_err();
    assert!(e.to_string().contains("refused on purpose"), "{e}");
    assert_eq!(s.get(0)?.item::<f32>()?, 1.0);

    // A panic in `f` comes back as `ClosurePanicked`, the state restored the same way.
    let sc = s.clone();
    let p = compile_with_state(
        move |x: &[Array]| {
            sc.set(0, (&x[0] + 1.0)?)?;
            panic!("boom in f")
        },
        Some(&s),
        Some(&s),
        false,
    )?;
    let e = p(&[Array::from(2.0f32)]).unwrap_err();
    assert!(e.to_string().contains("boom in f"), "{e}");
    assert_eq!(s.get(0)?.item::<f32>()?, 1.0);

    // Writes into a state that is only `inputs` are not kept (they belong to the trace).
    let only_in = CompileState::new(vec![Array::from(1.0f32)]);
    let oc = only_in.clone();
    let g = compile_with_state(
        move |x: &[Array]| {
            let y = (&x[0] * &oc.get(0)?)?;
            oc.set(0, y.clone())?;
            Ok(vec![y])
        },
        Some(&only_in),
        None,
        false,
    )?;
    assert_eq!(g(&[Array::from(3.0f32)])?[0].item::<f32>()?, 3.0);
    assert_eq!(only_in.get(0)?.item::<f32>()?, 1.0);
    Ok(())
}
