//! Error and panic paths through every transform, recovery after an error, failures on
//! several threads at once, argnums validation, transforms returned from functions and
//! composed, and dropping of captured state.
//!
//! The failing user functions fail while a shared flag is set, so the same transform
//! object can be called failing, then succeeding, then failing again.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use mlxrs::ops::*;
use mlxrs::transforms::{
    Closure, checkpoint, compile, custom_function, custom_vjp, grad, jvp, value_and_grad, vjp, vmap,
};
use mlxrs::{Array, Error, Result};

use crate::support::{arr, assert_close, compile_lock, expect_err, values, vec1};

/// How a user function fails.
#[derive(Clone, Copy, Debug)]
enum Failure {
    /// Returns `Err(Error::InvalidArgument { name: "user_input", .. })` naming the tag.
    Err,
    /// `panic!` with a `&'static str` payload.
    PanicStr,
    /// `panic!` with a formatted `String` payload naming the tag.
    PanicString,
}

const STR_PAYLOAD: &str = "user closure panicked with a static str";

fn user_error_reason(tag: &str) -> String {
    format!("user failure in {tag}")
}

fn panic_string(tag: &str) -> String {
    format!("user closure panicked with a String in {tag}")
}

/// The failure itself (a plain `Err` or a panic).
fn fail<T>(mode: Failure, tag: &str) -> Result<T> {
    match mode {
        Failure::Err => Err(Error::invalid("user_input", user_error_reason(tag))),
        Failure::PanicStr => panic!("user closure panicked with a static str"),
        Failure::PanicString => panic!("{}", panic_string(tag)),
    }
}

/// Asserts that `e` is the user's failure, unchanged, and not mlx-c's generic wrapper.
#[track_caller]
fn assert_user_failure(mode: Failure, tag: &str, e: &Error, what: &str) {
    let text = e.to_string();
    assert!(
        !text.contains("mlx_closure returned a non-zero value"),
        "{what}: mlx-c's generic message leaked: {e:?}"
    );
    match mode {
        Failure::Err => assert!(
            matches!(e, Error::InvalidArgument { name: "user_input", reason } if *reason == user_error_reason(tag)),
            "{what}: expected the user's own error for {tag}, got {e:?}"
        ),
        Failure::PanicStr => assert!(
            matches!(e, Error::ClosurePanicked(m) if m == STR_PAYLOAD),
            "{what}: expected ClosurePanicked({STR_PAYLOAD:?}), got {e:?}"
        ),
        Failure::PanicString => assert!(
            matches!(e, Error::ClosurePanicked(m) if *m == panic_string(tag)),
            "{what}: expected ClosurePanicked with the String payload for {tag}, got {e:?}"
        ),
    }
}

/// `sum(x²)`, failing while `flag` is set.
fn square_sum(
    mode: Failure,
    tag: &'static str,
    flag: Rc<Cell<bool>>,
) -> impl Fn(&[Array]) -> Result<Vec<Array>> + Clone + 'static {
    move |xs: &[Array]| {
        if flag.get() {
            return fail(mode, tag);
        }
        Ok(vec![sum(&square(&xs[0])?, false)?])
    }
}

fn good_square_sum(xs: &[Array]) -> Result<Vec<Array>> {
    Ok(vec![sum(&square(&xs[0])?, false)?])
}

/// A vjp rule for `sum(x²)`: cotangent · 2x, failing while `flag` is set.
fn square_sum_vjp(
    mode: Failure,
    tag: &'static str,
    flag: Rc<Cell<bool>>,
) -> impl Fn(&[Array], &[Array], &[Array]) -> Result<Vec<Array>> + 'static {
    move |primals: &[Array], cotangents: &[Array], _outputs: &[Array]| {
        if flag.get() {
            return fail(mode, tag);
        }
        Ok(vec![(&(&primals[0] * 2.0)? * &cotangents[0])?])
    }
}

fn good_square_sum_vjp(p: &[Array], c: &[Array], _o: &[Array]) -> Result<Vec<Array>> {
    Ok(vec![(&(&p[0] * 2.0)? * &c[0])?])
}

/// A jvp rule for `sum(x²)`: sum(2x · tangent), failing while `flag` is set.
fn square_sum_jvp(
    mode: Failure,
    tag: &'static str,
    flag: Rc<Cell<bool>>,
) -> impl Fn(&[Array], &[Array], &[i32]) -> Result<Vec<Array>> + 'static {
    move |primals: &[Array], tangents: &[Array], _argnums: &[i32]| {
        if flag.get() {
            return fail(mode, tag);
        }
        Ok(vec![sum(&(&(&primals[0] * 2.0)? * &tangents[0])?, false)?])
    }
}

/// One transform under test: built once, run many times; `run` flattens its results.
struct Case {
    name: &'static str,
    expected: Vec<f32>,
    /// Called with the round number (only `compile` uses it, see there).
    run: Box<dyn Fn(usize) -> Result<Vec<f32>>>,
}

fn flat(arrays: &[Array]) -> Result<Vec<f32>> {
    let mut out = Vec::new();
    for a in arrays {
        out.extend(values(a)?);
    }
    Ok(out)
}

fn x() -> Result<Array> {
    vec1(&[1.0, 2.0, 3.0])
}

/// Every transform with a user function (or rule) that fails while `flag` is set. At
/// x = [1, 2, 3]: sum(x²) = 14, its gradient [2, 4, 6], its jvp along ones 12.
fn cases(mode: Failure, tag: &'static str, flag: &Rc<Cell<bool>>) -> Result<Vec<Case>> {
    let f = || square_sum(mode, tag, flag.clone());
    let mut cases = vec![];

    let g = grad(f(), &[0])?;
    cases.push(Case {
        name: "grad",
        expected: vec![2.0, 4.0, 6.0],
        run: Box::new(move |_| flat(&g(&[x()?])?)),
    });

    let vag = value_and_grad(f(), &[0])?;
    cases.push(Case {
        name: "value_and_grad",
        expected: vec![14.0, 2.0, 4.0, 6.0],
        run: Box::new(move |_| {
            let (v, g) = vag(&[x()?])?;
            Ok([flat(&v)?, flat(&g)?].concat())
        }),
    });

    let fv = f();
    cases.push(Case {
        name: "vjp",
        expected: vec![14.0, 4.0, 8.0, 12.0],
        run: Box::new(move |_| {
            let (o, v) = vjp(fv.clone(), &[x()?], &[Array::from(2.0f32)])?;
            Ok([flat(&o)?, flat(&v)?].concat())
        }),
    });

    let fj = f();
    cases.push(Case {
        name: "jvp",
        expected: vec![14.0, 12.0],
        run: Box::new(move |_| {
            let (o, t) = jvp(fj.clone(), &[x()?], &[vec1(&[1.0, 1.0, 1.0])?])?;
            Ok([flat(&o)?, flat(&t)?].concat())
        }),
    });

    // d/dx sum(d/dx sum(x²)) = d/dx sum(2x) = 2.
    let inner = grad(f(), &[0])?;
    let gg = grad(
        move |xs: &[Array]| Ok(vec![sum(&inner(xs)?[0], false)?]),
        &[0],
    )?;
    cases.push(Case {
        name: "grad of grad",
        expected: vec![2.0, 2.0, 2.0],
        run: Box::new(move |_| flat(&gg(&[x()?])?)),
    });

    let ck = checkpoint(f())?;
    cases.push(Case {
        name: "checkpoint",
        expected: vec![14.0],
        run: Box::new(move |_| flat(&ck(&[x()?])?)),
    });

    let gck = grad(checkpoint(f())?, &[0])?;
    cases.push(Case {
        name: "grad of checkpoint",
        expected: vec![2.0, 4.0, 6.0],
        run: Box::new(move |_| flat(&gck(&[x()?])?)),
    });

    // A compiled function runs the user's closure only to trace a new input shape;
    // a cached trace never calls it again. So each round uses its own length:
    // [1, 2, 3] padded with `round` zeros (sum of squares still 14).
    let cf = compile(f(), false)?;
    cases.push(Case {
        name: "compile",
        expected: vec![14.0],
        run: Box::new(move |round| {
            let mut v = vec![1.0, 2.0, 3.0];
            v.resize(3 + round, 0.0);
            flat(&cf(&[vec1(&v)?])?)
        }),
    });

    let vm = vmap(f(), &[0], &[0])?;
    cases.push(Case {
        name: "vmap",
        expected: vec![14.0, 77.0],
        run: Box::new(move |_| flat(&vm(&[arr(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?])?)),
    });

    let cv = custom_vjp(f(), good_square_sum_vjp)?;
    cases.push(Case {
        name: "custom_vjp forward",
        expected: vec![14.0],
        run: Box::new(move |_| flat(&cv(&[x()?])?)),
    });

    let gcv = grad(custom_vjp(f(), good_square_sum_vjp)?, &[0])?;
    cases.push(Case {
        name: "grad of custom_vjp with failing forward",
        expected: vec![2.0, 4.0, 6.0],
        run: Box::new(move |_| flat(&gcv(&[x()?])?)),
    });

    let gcb = grad(
        custom_vjp(good_square_sum, square_sum_vjp(mode, tag, flag.clone()))?,
        &[0],
    )?;
    cases.push(Case {
        name: "custom_vjp backward",
        expected: vec![2.0, 4.0, 6.0],
        run: Box::new(move |_| flat(&gcb(&[x()?])?)),
    });

    let cfw = custom_function(f())?.vjp(good_square_sum_vjp)?.build()?;
    cases.push(Case {
        name: "custom_function forward",
        expected: vec![14.0],
        run: Box::new(move |_| flat(&cfw(&[x()?])?)),
    });

    let cfv = grad(
        custom_function(good_square_sum)?
            .vjp(square_sum_vjp(mode, tag, flag.clone()))?
            .build()?,
        &[0],
    )?;
    cases.push(Case {
        name: "custom_function vjp rule",
        expected: vec![2.0, 4.0, 6.0],
        run: Box::new(move |_| flat(&cfv(&[x()?])?)),
    });

    let cfj = Rc::new(
        custom_function(good_square_sum)?
            .jvp(square_sum_jvp(mode, tag, flag.clone()))?
            .build()?,
    );
    cases.push(Case {
        name: "custom_function jvp rule",
        expected: vec![14.0, 12.0],
        run: Box::new(move |_| {
            let f = cfj.clone();
            let (o, t) = jvp(
                move |xs: &[Array]| f(xs),
                &[x()?],
                &[vec1(&[1.0, 1.0, 1.0])?],
            )?;
            Ok([flat(&o)?, flat(&t)?].concat())
        }),
    });
    Ok(cases)
}

/// Each case: fails, succeeds, fails again, succeeds again (the same transform object).
fn exercise(mode: Failure, tag: &'static str) -> Result<usize> {
    let flag = Rc::new(Cell::new(false));
    let cases = cases(mode, tag, &flag)?;
    for case in &cases {
        for round in 0..2 {
            flag.set(true);
            let e = expect_err((case.run)(round), case.name);
            assert_user_failure(
                mode,
                tag,
                &e,
                &format!("{} ({mode:?}, round {round})", case.name),
            );
            flag.set(false);
            let got = match (case.run)(round) {
                Ok(v) => v,
                Err(e) => panic!("{}: the call after an error failed: {e:?}", case.name),
            };
            assert_close(&got, &case.expected, 1e-6, 1e-6, case.name);
        }
    }
    Ok(cases.len())
}

#[test]
fn user_errors_surface_unchanged_through_every_transform() -> Result<()> {
    let _lock = compile_lock();
    let n = exercise(Failure::Err, "the error test")?;
    assert_eq!(n, 15, "every transform case ran");
    Ok(())
}

#[test]
fn str_panics_become_closure_panicked_through_every_transform() -> Result<()> {
    let _lock = compile_lock();
    exercise(Failure::PanicStr, "the str panic test")?;
    Ok(())
}

#[test]
fn string_panics_become_closure_panicked_through_every_transform() -> Result<()> {
    let _lock = compile_lock();
    exercise(Failure::PanicString, "the String panic test")?;
    Ok(())
}

#[test]
fn panic_any_string_payload_is_kept() -> Result<()> {
    let g = grad(
        |_xs: &[Array]| -> Result<Vec<Array>> {
            std::panic::panic_any(String::from("a String given to panic_any"))
        },
        &[0],
    )?;
    let e = expect_err(g(&[x()?]), "panic_any");
    assert!(
        matches!(&e, Error::ClosurePanicked(m) if m == "a String given to panic_any"),
        "got {e:?}"
    );
    assert_eq!(
        e.to_string(),
        "closure panicked: a String given to panic_any"
    );
    Ok(())
}

#[test]
fn failures_on_several_threads_stay_on_their_threads() {
    const THREADS: usize = 6;
    const TAGS: [&str; THREADS] = [
        "thread 0", "thread 1", "thread 2", "thread 3", "thread 4", "thread 5",
    ];
    // Every thread also goes through `compile` (MLX's compile cache is process-wide);
    // holding the lock keeps other tests from toggling the compile mode meanwhile.
    let _lock = compile_lock();
    let barrier = Arc::new(Barrier::new(THREADS));
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let barrier = barrier.clone();
                s.spawn(move || -> Result<()> {
                    // Err and String panics carry the thread's tag; one thread uses the
                    // static str payload.
                    let mode = match t {
                        4 => Failure::PanicStr,
                        2 | 5 => Failure::PanicString,
                        _ => Failure::Err,
                    };
                    barrier.wait();
                    for _ in 0..3 {
                        exercise(mode, TAGS[t])?;
                    }
                    Ok(())
                })
            })
            .collect();
        for (t, h) in handles.into_iter().enumerate() {
            match h.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => panic!("thread {t} failed: {e:?}"),
                Err(_) => panic!("thread {t} panicked (see its message above)"),
            }
        }
    });
}

#[test]
fn argnums_empty_is_empty_input_naming_the_transform() -> Result<()> {
    match grad(good_square_sum, &[]) {
        Err(Error::EmptyInput(e)) => {
            assert!(e.context().contains("grad"), "context: {}", e.context());
            assert!(
                !e.context().contains("value_and_grad"),
                "context: {}",
                e.context()
            );
            assert!(e.context().contains("argnums"), "context: {}", e.context());
        }
        Err(other) => panic!("grad with no argnums: expected EmptyInput, got {other:?}"),
        Ok(_) => panic!("grad with no argnums: expected EmptyInput, got Ok"),
    }
    match value_and_grad(good_square_sum, &[]) {
        Err(Error::EmptyInput(e)) => {
            assert!(
                e.context().contains("value_and_grad"),
                "context: {}",
                e.context()
            );
            assert!(e.context().contains("argnums"), "context: {}", e.context());
        }
        Err(other) => panic!("value_and_grad with no argnums: expected EmptyInput, got {other:?}"),
        Ok(_) => panic!("value_and_grad with no argnums: expected EmptyInput, got Ok"),
    }
    Ok(())
}

#[test]
fn argnums_negative_or_repeated_is_invalid_argument_naming_the_transform() -> Result<()> {
    for argnums in [&[-1][..], &[0, -2], &[0, 0], &[1, 0, 1]] {
        let e = match grad(good_square_sum, argnums) {
            Err(e) => e,
            Ok(_) => panic!("grad with argnums {argnums:?}: expected an error"),
        };
        match &e {
            Error::InvalidArgument {
                name: "argnums",
                reason,
            } => {
                assert!(
                    reason.contains("grad") && !reason.contains("value_and_grad"),
                    "{e}"
                );
            }
            other => panic!("grad with argnums {argnums:?}: got {other:?}"),
        }
        let e = match value_and_grad(good_square_sum, argnums) {
            Err(e) => e,
            Ok(_) => panic!("value_and_grad with argnums {argnums:?}: expected an error"),
        };
        match &e {
            Error::InvalidArgument {
                name: "argnums",
                reason,
            } => {
                assert!(reason.contains("value_and_grad"), "{e}");
            }
            other => panic!("value_and_grad with argnums {argnums:?}: got {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn argnums_out_of_range_fails_at_call_time_naming_the_transform() -> Result<()> {
    let f = |xs: &[Array]| Ok(vec![sum(&(&xs[0] * &xs[1])?, false)?]);
    let g = grad(f, &[1])?;
    let e = expect_err(g(&[x()?]), "grad argnum 1 with one argument");
    assert!(e.to_string().contains("grad"), "{e}");
    assert!(!e.to_string().contains("value_and_grad"), "{e}");
    // The same transform works when called with enough arguments.
    let ok = g(&[x()?, vec1(&[4.0, 5.0, 6.0])?])?;
    assert_eq!(values(&ok[0])?, vec![1.0, 2.0, 3.0]);

    let vag = value_and_grad(f, &[0, 2])?;
    let e = expect_err(
        vag(&[x()?, x()?]),
        "value_and_grad argnum 2 with two arguments",
    );
    assert!(e.to_string().contains("value_and_grad"), "{e}");
    let (v, gs) = vag(&[x()?, vec1(&[4.0, 5.0, 6.0])?, x()?])?;
    assert_eq!(v[0].item::<f32>()?, 32.0);
    assert_eq!(values(&gs[0])?, vec![4.0, 5.0, 6.0]);
    assert_eq!(values(&gs[1])?, vec![0.0, 0.0, 0.0], "argument 2 is unused");
    Ok(())
}

#[test]
fn grad_of_a_non_scalar_output_is_an_error_naming_the_transform() -> Result<()> {
    // Python MLX 0.32.2 reports these from inside `vjp` ("[vjp] Output shape (3) does not
    // match cotangent shape ()."); mlxrs checks first and names the transform.
    let g = grad(|xs: &[Array]| Ok(vec![(&xs[0] * 2.0)?]), &[0])?;
    let e = expect_err(g(&[x()?]), "grad of a (3,) output");
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("grad: ") && msg.contains("scalar"), "{msg}");
    assert!(msg.contains("[3]"), "{msg}");
    // A one-element (1,) output is not a scalar either (MLX refuses it too).
    let vag = value_and_grad(|xs: &[Array]| Ok(vec![sum(&xs[0], true)?]), &[0])?;
    let e = expect_err(vag(&[x()?]), "value_and_grad of a (1,) output");
    let msg = e.to_string();
    assert!(
        msg.contains("value_and_grad: ") && msg.contains("[1]"),
        "{msg}"
    );
    // The same transform works for a valid input afterwards.
    let g = grad(
        |xs: &[Array]| Ok(vec![sum(&xs[0], xs[0].ndim() > 1)?]),
        &[0],
    )?;
    let _ = expect_err(g(&[arr(&[1.0, 2.0], &[1, 2])?]), "keepdims output");
    assert_eq!(values(&g(&[x()?])?[0])?, vec![1.0, 1.0, 1.0]);
    Ok(())
}

/// A transform made in a helper function and returned.
fn derivative(
    f: impl Fn(&[Array]) -> Result<Vec<Array>> + 'static,
) -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static> {
    grad(f, &[0])
}

/// vmap of grad of a custom vjp (`vmap(grad(checkpoint(f)))` would fail in MLX itself:
/// "[Primitive::vmap] Not implemented for Depends.", also in Python MLX 0.32.2).
fn per_row_gradient(
    f: impl Fn(&[Array]) -> Result<Vec<Array>> + 'static,
    rule: impl Fn(&[Array], &[Array], &[Array]) -> Result<Vec<Array>> + 'static,
) -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static> {
    vmap(grad(custom_vjp(f, rule)?, &[0])?, &[0], &[0])
}

#[test]
fn transforms_returned_from_functions_compose_three_deep() -> Result<()> {
    let d3 = derivative(derivative(derivative(|xs: &[Array]| {
        Ok(vec![sin(&xs[0])?])
    })?)?)?;
    for v in [-1.0f32, 0.25, 2.0] {
        let got = d3(&[Array::from(v)])?[0].item::<f32>()?;
        assert!((got + v.cos()).abs() <= 1e-5, "sin''' at {v}: {got}");
    }
    // vmap of grad of custom_vjp: per-row gradient of sum(x³) by the rule 3x² · c.
    let rows = per_row_gradient(
        |xs: &[Array]| Ok(vec![sum(&power(&xs[0], &Array::from(3.0f32))?, false)?]),
        |p: &[Array], c: &[Array], _o: &[Array]| Ok(vec![(&(&square(&p[0])? * 3.0)? * &c[0])?]),
    )?;
    let x = [1.0f32, -2.0, 0.5, 3.0, 0.0, -1.5];
    let out = rows(&[arr(&x, &[2, 3])?])?;
    assert_eq!(out[0].shape(), &[2, 3]);
    let want: Vec<f32> = x.iter().map(|v| 3.0 * v * v).collect();
    assert_close(
        &values(&out[0])?,
        &want,
        1e-5,
        1e-6,
        "vmap(grad(custom_vjp))",
    );
    Ok(())
}

/// Counts its drops.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counter() -> (Arc<AtomicUsize>, DropCounter) {
    let n = Arc::new(AtomicUsize::new(0));
    (n.clone(), DropCounter(n))
}

/// `f` that uses `token` (so the closure owns it).
fn holding(token: DropCounter) -> impl Fn(&[Array]) -> Result<Vec<Array>> + 'static {
    move |xs: &[Array]| {
        let _ = &token;
        good_square_sum(xs)
    }
}

#[track_caller]
fn assert_drops(n: &AtomicUsize, want: usize, what: &str) {
    assert_eq!(n.load(Ordering::SeqCst), want, "{what}: drop count");
}

#[test]
fn captured_state_is_dropped_exactly_once_after_the_transform() -> Result<()> {
    // Closure::new
    let (n, token) = counter();
    let c = Closure::new(holding(token))?;
    c.apply(&[x()?])?;
    assert_drops(&n, 0, "Closure alive");
    drop(c);
    assert_drops(&n, 1, "Closure dropped");

    // grad
    let (n, token) = counter();
    let g = grad(holding(token), &[0])?;
    for _ in 0..2 {
        assert_eq!(values(&g(&[x()?])?[0])?, vec![2.0, 4.0, 6.0]);
    }
    assert_drops(&n, 0, "grad alive");
    drop(g);
    assert_drops(&n, 1, "grad dropped");

    // custom_vjp: the forward's and the backward's state
    let (nf, token_f) = counter();
    let (nb, token_b) = counter();
    let cv = custom_vjp(
        holding(token_f),
        move |p: &[Array], c: &[Array], o: &[Array]| {
            let _ = &token_b;
            good_square_sum_vjp(p, c, o)
        },
    )?;
    let (v, gs) = vjp(cv, &[x()?], &[Array::from(1.0f32)])?;
    assert_eq!(values(&v[0])?, vec![14.0]);
    assert_eq!(values(&gs[0])?, vec![2.0, 4.0, 6.0]);
    drop((v, gs));
    assert_drops(
        &nf,
        1,
        "custom_vjp forward (the vjp call owned the transform)",
    );
    assert_drops(&nb, 1, "custom_vjp backward");
    let (nf, token_f) = counter();
    let (nb, token_b) = counter();
    let cv = custom_vjp(
        holding(token_f),
        move |p: &[Array], c: &[Array], o: &[Array]| {
            let _ = &token_b;
            good_square_sum_vjp(p, c, o)
        },
    )?;
    let y = cv(&[x()?])?;
    assert_eq!(values(&y[0])?, vec![14.0]);
    drop(y);
    assert_drops(&nf, 0, "custom_vjp alive");
    assert_drops(&nb, 0, "custom_vjp alive");
    drop(cv);
    assert_drops(&nf, 1, "custom_vjp dropped, forward");
    assert_drops(&nb, 1, "custom_vjp dropped, backward");

    // compile
    {
        let _lock = compile_lock();
        let (n, token) = counter();
        let cf = compile(holding(token), false)?;
        for _ in 0..2 {
            assert_eq!(values(&cf(&[x()?])?[0])?, vec![14.0]);
        }
        assert_drops(&n, 0, "compile alive");
        drop(cf);
        assert_drops(&n, 1, "compile dropped");
    }

    // vmap
    let (n, token) = counter();
    let vm = vmap(holding(token), &[0], &[0])?;
    assert_eq!(
        values(&vm(&[arr(&[1.0, 2.0, 3.0, 4.0], &[2, 2])?])?[0])?,
        vec![5.0, 25.0]
    );
    assert_drops(&n, 0, "vmap alive");
    drop(vm);
    assert_drops(&n, 1, "vmap dropped");

    // value_and_grad, checkpoint, custom_function (all three rules' states)
    let (n, token) = counter();
    let vag = value_and_grad(holding(token), &[0])?;
    vag(&[x()?])?;
    drop(vag);
    assert_drops(&n, 1, "value_and_grad dropped");
    let (n, token) = counter();
    let ck = checkpoint(holding(token))?;
    ck(&[x()?])?;
    assert_drops(&n, 0, "checkpoint alive");
    drop(ck);
    assert_drops(&n, 1, "checkpoint dropped");
    let (nf, token_f) = counter();
    let (nv, token_v) = counter();
    let (nj, token_j) = counter();
    let cf = custom_function(holding(token_f))?
        .vjp(move |p: &[Array], c: &[Array], o: &[Array]| {
            let _ = &token_v;
            good_square_sum_vjp(p, c, o)
        })?
        .jvp(move |p: &[Array], t: &[Array], _a: &[i32]| {
            let _ = &token_j;
            Ok(vec![sum(&(&(&p[0] * 2.0)? * &t[0])?, false)?])
        })?
        .build()?;
    cf(&[x()?])?;
    assert_drops(&nf, 0, "custom_function alive");
    drop(cf);
    assert_drops(&nf, 1, "custom_function dropped, forward");
    assert_drops(&nv, 1, "custom_function dropped, vjp rule");
    assert_drops(&nj, 1, "custom_function dropped, jvp rule");

    // Nothing is dropped a second time later.
    let g = grad(good_square_sum, &[0])?;
    g(&[x()?])?;
    assert_drops(&n, 1, "checkpoint, later");
    assert_drops(&nf, 1, "custom_function, later");
    Ok(())
}

#[test]
fn grad_of_a_function_without_outputs_is_an_error() {
    let g = mlxrs::transforms::grad(|_xs: &[mlxrs::Array]| Ok(vec![]), &[0]).unwrap();
    let err = g(&[mlxrs::Array::from(1.0f32)]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("grad") && msg.contains("no outputs"), "{msg}");
}
