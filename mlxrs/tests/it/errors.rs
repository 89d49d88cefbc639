//! The error model: every `Error` variant produced by a real call, MLX's messages kept
//! verbatim (without mlx-c's source location), one-line `Display`, and the per-thread
//! message slots under load.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

use mlxrs::ops::{add, matmul, reshape, slice, square, sum};
use mlxrs::transforms::{grad, value_and_grad, vmap};
use mlxrs::{Array, Dtype, Error, Result};

use crate::support::{BROADCAST_MESSAGE, MATMUL_MESSAGE, backend_message};

fn bad_matmul() -> Result<Array> {
    matmul(
        &Array::zeros(&[2, 3], Dtype::Float32)?,
        &Array::zeros(&[4, 2], Dtype::Float32)?,
    )
}

fn bad_broadcast() -> Result<Array> {
    add(
        &Array::zeros(&[2, 3], Dtype::Float32)?,
        &Array::zeros(&[4], Dtype::Float32)?,
    )
}

/// `Error` in a form that can be matched after a transform's `Result<impl Fn>` (which
/// has no `Debug`).
fn err_of<T>(r: Result<T>) -> Error {
    match r {
        Ok(_) => panic!("expected an error, got Ok"),
        Err(e) => e,
    }
}

#[test]
fn an_mlx_failure_is_backend_with_mlx_text_verbatim() {
    let msg = backend_message(bad_matmul());
    assert!(msg.starts_with("[matmul] Last dimension"), "{msg}");
    assert!(!msg.contains(" at /"), "source location left in: {msg}");
    assert!(!msg.contains(".cpp"), "source location left in: {msg}");
    assert_eq!(msg, MATMUL_MESSAGE);
    assert_eq!(bad_matmul().unwrap_err().to_string(), MATMUL_MESSAGE);
}

#[test]
fn a_broadcasting_failure_is_backend() -> Result<()> {
    assert_eq!(backend_message(bad_broadcast()), BROADCAST_MESSAGE);
    // The operator form reports the same.
    let a = Array::zeros(&[2, 3], Dtype::Float32)?;
    let b = Array::zeros(&[4], Dtype::Float32)?;
    assert_eq!(backend_message(&a + &b), BROADCAST_MESSAGE);
    Ok(())
}

#[test]
fn other_mlx_failures_keep_their_text() -> Result<()> {
    let six = Array::zeros(&[6], Dtype::Float32)?;
    assert_eq!(
        backend_message(reshape(&six, &[4, 2])),
        "[reshape] Cannot reshape array of size 6 into shape (4,2)."
    );
    Ok(())
}

#[test]
fn empty_argnums_is_empty_input_with_context() {
    let f = |x: &[Array]| Ok(vec![sum(&square(&x[0])?, false)?]);
    match err_of(value_and_grad(f, &[])) {
        Error::EmptyInput(e) => {
            assert_eq!(e.context(), "value_and_grad: argnums");
            assert_eq!(
                Error::EmptyInput(e).to_string(),
                "empty input: value_and_grad: argnums must not be empty"
            );
        }
        other => panic!("expected EmptyInput, got {other:?}"),
    }
    match err_of(grad(f, &[])) {
        Error::EmptyInput(e) => assert_eq!(e.context(), "grad: argnums"),
        other => panic!("expected EmptyInput, got {other:?}"),
    }
    match err_of(vmap(f, &[0], &[] as &[i32])) {
        Error::EmptyInput(e) => assert_eq!(e.context(), "vmap: out_axes"),
        other => panic!("expected EmptyInput, got {other:?}"),
    }
}

#[test]
fn rust_side_checks_are_invalid_argument() -> Result<()> {
    let f = |x: &[Array]| Ok(vec![sum(&square(&x[0])?, false)?]);
    match err_of(value_and_grad(f, &[-1])) {
        Error::InvalidArgument { name, reason } => {
            assert_eq!(name, "argnums");
            assert_eq!(reason, "value_and_grad: argument index -1 is negative");
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    let e = err_of(grad(f, &[0, 0]));
    assert_eq!(
        e.to_string(),
        "invalid `argnums`: grad: argument index 0 appears more than once in [0, 0]"
    );
    // Checked when called: argnum 1 of a one-argument call.
    let g = grad(f, &[1])?;
    match g(&[Array::from(1.0f32)]) {
        Err(Error::InvalidArgument { name, reason }) => {
            assert_eq!(name, "argnums");
            assert_eq!(
                reason,
                "grad: argument index 1 is out of range for a call with 1 arguments"
            );
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    let a = Array::zeros(&[4], Dtype::Int32)?;
    assert!(matches!(
        slice(&a, &[0], &[4, 1], &[1]),
        Err(Error::InvalidArgument {
            name: "start/stop/strides",
            ..
        })
    ));
    Ok(())
}

#[test]
fn dtype_and_shape_mismatches() -> Result<()> {
    let two = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    match two.item::<f32>() {
        Err(Error::ShapeMismatch { op, reason }) => {
            assert_eq!(op, "Array::item");
            assert_eq!(
                reason,
                "only one-element arrays convert to a scalar, got shape [2]"
            );
        }
        other => panic!("expected ShapeMismatch, got {other:?}"),
    }
    // The dtype is checked first: no silent cast even of a wrongly shaped array.
    assert!(matches!(
        two.item::<i32>(),
        Err(Error::DtypeMismatch {
            op: "Array::item",
            expected: Dtype::Int32,
            got: Dtype::Float32
        })
    ));
    assert!(matches!(
        Array::from_slice(&[1i32, 2, 3], &[2, 2]),
        Err(Error::ShapeMismatch {
            op: "Array::from_slice",
            ..
        })
    ));
    Ok(())
}

#[test]
fn a_panicking_closure_is_closure_panicked_and_the_process_goes_on() -> Result<()> {
    let explode = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&explode);
    let g = grad(
        move |x: &[Array]| -> Result<Vec<Array>> {
            if flag.load(Ordering::SeqCst) {
                panic!("boom at {}", 42);
            }
            Ok(vec![square(&x[0])?])
        },
        &[0],
    )?;
    match g(&[Array::from(1.0f32)]) {
        Err(Error::ClosurePanicked(msg)) => assert_eq!(msg, "boom at 42"),
        other => panic!("expected ClosurePanicked, got {other:?}"),
    }
    // A `&'static str` payload, then a non-string payload.
    let h = grad(
        |_: &[Array]| -> Result<Vec<Array>> { panic!("static boom") },
        &[0],
    )?;
    let e = h(&[Array::from(1.0f32)]).unwrap_err();
    assert!(matches!(&e, Error::ClosurePanicked(m) if m == "static boom"));
    assert_eq!(e.to_string(), "closure panicked: static boom");
    let k = grad(
        |_: &[Array]| -> Result<Vec<Array>> { std::panic::panic_any(7u8) },
        &[0],
    )?;
    assert!(matches!(
        k(&[Array::from(1.0f32)]),
        Err(Error::ClosurePanicked(m)) if m == "a non-string panic payload"
    ));
    // The same transformed function works once its closure stops panicking, and the
    // caught panic left nothing behind for the next call.
    explode.store(false, Ordering::SeqCst);
    let ok = g(&[Array::from(-3.0f32)])?;
    assert_eq!(ok[0].item::<f32>()?, -6.0);
    assert_eq!(
        add(&Array::from(1i32), &Array::from(2i32))?.item::<i32>()?,
        3
    );
    Ok(())
}

#[test]
fn a_closure_error_comes_back_as_itself() -> Result<()> {
    let g = grad(
        |_: &[Array]| -> Result<Vec<Array>> { Err(Error::invalid("x", "rejected by the closure")) },
        &[0],
    )?;
    match g(&[Array::from(1.0f32)]) {
        Err(Error::InvalidArgument { name, reason }) => {
            assert_eq!((name, reason.as_str()), ("x", "rejected by the closure"));
        }
        other => panic!("expected the closure's own error, got {other:?}"),
    }
    // An MLX error raised inside the closure also comes back verbatim.
    let m = grad(|_: &[Array]| Ok(vec![bad_matmul()?]), &[0])?;
    assert_eq!(backend_message(m(&[Array::from(1.0f32)])), MATMUL_MESSAGE);
    Ok(())
}

#[test]
fn the_source_chain_of_an_io_error_is_kept() {
    use std::error::Error as _;
    // A reader's error with a cause of its own, as a user's reader would return it.
    #[derive(Debug)]
    struct Corrupt(std::num::ParseIntError);
    impl std::fmt::Display for Corrupt {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "corrupt length field")
        }
    }
    impl std::error::Error for Corrupt {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    let cause = "12x".parse::<u32>().unwrap_err();
    let e = Error::from(std::io::Error::other(Corrupt(cause.clone())));
    assert_eq!(e.to_string(), "corrupt length field");
    let source = e.source().expect("the cause is reachable");
    assert_eq!(source.to_string(), cause.to_string());
}

#[test]
fn io_errors_convert_transparently() {
    // The conversion `?` uses, and Display passing the io error's text through (the io
    // functions' own `Error::Io` results are tested in tests/io).
    fn open_missing() -> Result<std::fs::File> {
        Ok(std::fs::File::open(
            "/nonexistent/mlxrs-test-file-that-does-not-exist",
        )?)
    }
    match open_missing() {
        Err(Error::Io(e)) => {
            assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
            let text = e.to_string();
            assert_eq!(Error::Io(e).to_string(), text);
        }
        other => panic!("expected Io, got {other:?}"),
    }
}

#[test]
fn every_variant_displays_on_one_line() -> Result<()> {
    let f = |x: &[Array]| Ok(vec![sum(&square(&x[0])?, false)?]);
    let panicking = grad(
        |_: &[Array]| -> Result<Vec<Array>> { panic!("kaput") },
        &[0],
    )?;
    let errors = [
        bad_matmul().unwrap_err(),
        bad_broadcast().unwrap_err(),
        err_of(value_and_grad(f, &[])),
        err_of(value_and_grad(f, &[-2])),
        Array::from(1.0f32).to_vec::<f64>().unwrap_err(),
        Array::from_slice(&[1.0f32], &[2]).unwrap_err(),
        Array::zeros([1usize << 40], Dtype::Float32).unwrap_err(),
        Error::from(std::io::Error::other("disk on fire")),
        panicking(&[Array::from(1.0f32)]).unwrap_err(),
    ];
    assert!(matches!(&errors[8], Error::ClosurePanicked(m) if m == "kaput"));
    for e in &errors {
        let s = e.to_string();
        assert!(!s.is_empty());
        assert!(!s.contains('\n'), "{e:?} displays on several lines: {s:?}");
        assert!(!s.ends_with('.') || matches!(e, Error::Backend(_)), "{s}");
    }
    Ok(())
}

#[test]
fn a_thousand_mlx_errors_in_a_row_leave_the_process_working() -> Result<()> {
    for i in 0..1000 {
        let msg = if i % 2 == 0 {
            backend_message(bad_matmul())
        } else {
            backend_message(bad_broadcast())
        };
        let expected = if i % 2 == 0 {
            MATMUL_MESSAGE
        } else {
            BROADCAST_MESSAGE
        };
        assert_eq!(msg, expected, "error {i}");
    }
    // Still computing correctly: [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]].
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    let b = Array::from_slice(&[5.0f32, 6.0, 7.0, 8.0], &[2, 2])?;
    assert_eq!(matmul(&a, &b)?.to_vec::<f32>()?, [19.0, 22.0, 43.0, 50.0]);
    let (v, g) = value_and_grad(|x: &[Array]| Ok(vec![sum(&square(&x[0])?, false)?]), &[0])?(&[a])?;
    assert_eq!(v[0].item::<f32>()?, 30.0);
    assert_eq!(g[0].to_vec::<f32>()?, [2.0, 4.0, 6.0, 8.0]);
    Ok(())
}

#[test]
fn threads_failing_at_once_each_get_their_own_message() {
    const ROUNDS: usize = 300;
    let barrier = Arc::new(Barrier::new(2));
    let spawn = |make: fn() -> Result<Array>, expected: &'static str| {
        let barrier = Arc::clone(&barrier);
        std::thread::spawn(move || -> Result<()> {
            barrier.wait();
            for i in 0..ROUNDS {
                assert_eq!(backend_message(make()), expected, "round {i}");
                // A success in between must not see a stale message either.
                let ok = add(&Array::from(i as i32), &Array::from(1i32))?;
                assert_eq!(ok.item::<i32>()?, i as i32 + 1);
            }
            Ok(())
        })
    };
    let a = spawn(bad_matmul, MATMUL_MESSAGE);
    let b = spawn(bad_broadcast, BROADCAST_MESSAGE);
    a.join()
        .expect("matmul thread panicked")
        .expect("matmul thread failed");
    b.join()
        .expect("broadcast thread panicked")
        .expect("broadcast thread failed");
}
