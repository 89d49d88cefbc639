//! `mlxrs::export` (Python: python/tests/test_export_import.py): exporting Rust closures
//! to `.mlxfn` files, importing and calling them, and the errors on the way.
//!
//! MLX 0.32.2 binds an imported function to the process's first CPU stream, which only
//! the thread that made it can use; tests share one process and each runs on its own
//! thread, so the tests that call imported functions run in a child process of this
//! binary (see [`in_fresh_process`]), where their thread is the first to use MLX.

use std::collections::HashMap;

use mlxrs::{Array, Error, Result, export, ops};

use crate::support::{TempDir, backend_message};

/// Runs `body` in a child process that runs only the test `name` (this test binary
/// with `--exact name`), and checks that it passed there.
fn in_fresh_process(name: &str, body: fn() -> Result<()>) -> Result<()> {
    if std::env::var_os("MLXRS_IO_CHILD").is_some() {
        return body();
    }
    let output = std::process::Command::new(std::env::current_exe()?)
        .args(["--exact", name, "--test-threads=1"])
        .env("MLXRS_IO_CHILD", "1")
        .output()?;
    assert!(
        output.status.success() && String::from_utf8_lossy(&output.stdout).contains("1 passed"),
        "{name} failed in its child process:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

fn affine(xs: &[Array]) -> Result<Vec<Array>> {
    // (2x + y, x * y)
    let two_x = ops::multiply(&xs[0], &Array::from(2.0f32))?;
    Ok(vec![
        ops::add(&two_x, &xs[1])?,
        ops::multiply(&xs[0], &xs[1])?,
    ])
}

fn export_import_and_call_body() -> Result<()> {
    let dir = TempDir::new("export");
    let path = dir.join("affine.mlxfn");
    let x = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
    let y = Array::from_slice(&[10.0f32, 20.0, 30.0], &[3])?;
    export::export_function(&path, affine, &[x, y], false)?;
    let f = export::import_function(&path)?;
    let out = f.call(&[
        Array::from_slice(&[0.5f32, -1.0, 2.0], &[3])?,
        Array::from_slice(&[4.0f32, 4.0, 4.0], &[3])?,
    ])?;
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].to_vec::<f32>()?, [5.0, 2.0, 8.0]);
    assert_eq!(out[1].to_vec::<f32>()?, [2.0, -4.0, 8.0]);
    // Not shapeless: another shape has no matching trace.
    let msg = backend_message(f.call(&[Array::from(1.0f32), Array::from(2.0f32)]));
    assert!(
        msg.starts_with("[import_function::call] No imported function found"),
        "{msg}"
    );
    Ok(())
}

fn shapeless_exports_accept_other_shapes_body() -> Result<()> {
    let dir = TempDir::new("export-shapeless");
    let path = dir.join("sq.mlxfn");
    let square = |xs: &[Array]| Ok(vec![ops::square(&xs[0])?]);
    export::export_function(&path, square, &[Array::from_slice(&[1.0f32], &[1])?], true)?;
    let f = export::import_function(&path)?;
    let out = f.call(&[Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?])?;
    assert_eq!(out[0].to_vec::<f32>()?, [1.0, 4.0, 9.0]);
    Ok(())
}

fn keyword_arguments_body() -> Result<()> {
    let dir = TempDir::new("export-kw");
    let path = dir.join("kw.mlxfn");
    let f = |args: &[Array], kwargs: &HashMap<String, Array>| {
        Ok(vec![ops::subtract(
            &ops::multiply(&args[0], &kwargs["scale"])?,
            &kwargs["shift"],
        )?])
    };
    let kwargs = HashMap::from([
        ("scale".to_string(), Array::from(2.0f32)),
        ("shift".to_string(), Array::from(1.0f32)),
    ]);
    export::export_function_kwargs(&path, f, &[Array::from(3.0f32)], &kwargs, false)?;
    let g = export::import_function(&path)?;
    let call_kwargs = HashMap::from([
        ("scale".to_string(), Array::from(10.0f32)),
        ("shift".to_string(), Array::from(0.5f32)),
    ]);
    assert_eq!(
        g.call_kwargs(&[Array::from(4.0f32)], &call_kwargs)?[0].item::<f32>()?,
        39.5
    );
    // Missing keywords: no matching trace.
    assert!(g.call(&[Array::from(4.0f32)]).is_err());
    let err = g
        .call_kwargs(
            &[],
            &HashMap::from([("a\0".to_string(), Array::from(1.0f32))]),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument { name: "kwargs", .. }),
        "{err}"
    );
    // MLX quotes the keyword in its no-match error; with mlxrs-sys's fix for mlx-c's
    // printf use, it arrives as an ordinary error.
    let kwargs = HashMap::from([("%s%n".to_string(), Array::from(1.0f32))]);
    let err = g.call_kwargs(&[], &kwargs).unwrap_err();
    assert!(matches!(err, Error::Backend(_)), "{err}");
    Ok(())
}

fn exporter_collects_several_traces_body() -> Result<()> {
    let dir = TempDir::new("exporter");
    let path = dir.join("multi.mlxfn");
    let exporter = export::exporter(
        &path,
        |xs: &[Array]| Ok(vec![ops::add(&xs[0], &xs[0])?]),
        false,
    )?;
    exporter.call(&[Array::from_slice(&[1i32], &[1])?])?;
    exporter.call(&[Array::from_slice(&[1i32, 2], &[2])?])?;
    // With no keywords, the same as `call`.
    exporter.call_kwargs(&[Array::from_slice(&[1i32, 2, 3], &[3])?], &HashMap::new())?;
    exporter.close()?;
    let f = export::import_function(&path)?;
    assert_eq!(
        f.call(&[Array::from_slice(&[5i32], &[1])?])?[0].to_vec::<i32>()?,
        [10]
    );
    assert_eq!(
        f.call(&[Array::from_slice(&[5i32, 6], &[2])?])?[0].to_vec::<i32>()?,
        [10, 12]
    );
    assert_eq!(
        f.call(&[Array::from_slice(&[1i32, 2, 3], &[3])?])?[0].to_vec::<i32>()?,
        [2, 4, 6]
    );
    Ok(())
}

#[test]
fn closure_errors_and_panics_are_returned() -> Result<()> {
    let dir = TempDir::new("export-err");
    let path = dir.join("e.mlxfn");
    let failing = |_: &[Array]| -> Result<Vec<Array>> { Err(Error::invalid("x", "nope")) };
    let err = export::export_function(&path, failing, &[Array::from(1.0f32)], false).unwrap_err();
    assert_eq!(err.to_string(), "invalid `x`: nope");
    let panicking = |_: &[Array]| -> Result<Vec<Array>> { panic!("traced and panicked") };
    let err = export::export_function(&path, panicking, &[Array::from(1.0f32)], false).unwrap_err();
    assert!(
        matches!(&err, Error::ClosurePanicked(m) if m == "traced and panicked"),
        "{err:?}"
    );
    let exporter = export::exporter(&path, panicking, false)?;
    let err = exporter.call(&[Array::from(1.0f32)]).unwrap_err();
    assert!(matches!(err, Error::ClosurePanicked(_)), "{err:?}");
    Ok(())
}

fn bad_files_and_paths_are_errors_body() -> Result<()> {
    let dir = TempDir::new("export-bad");
    let msg = backend_message(export::import_function(dir.join("missing.mlxfn")));
    assert!(msg.starts_with("[import_function] Failed to open"), "{msg}");
    let path = dir.join("ok.mlxfn");
    export::export_function(
        &path,
        affine,
        &[Array::from(1.0f32), Array::from(2.0f32)],
        false,
    )?;
    let bytes = std::fs::read(&path)?;
    // Truncated exports fail to import (or, cut inside trailing data, to call).
    for cut in [0, 1, 4, 8, 16, bytes.len() / 2, bytes.len() - 1] {
        let cut_path = dir.join("cut.mlxfn");
        std::fs::write(&cut_path, &bytes[..cut])?;
        let result = export::import_function(&cut_path)
            .and_then(|f| f.call(&[Array::from(1.0f32), Array::from(2.0f32)]));
        assert!(result.is_err(), "cut at {cut}");
    }
    // A `%` in a path reaches MLX's message intact (mlxrs-sys's mlx-c error-format fix).
    let err = export::import_function("/nonexistent/x%s%n.mlxfn").unwrap_err();
    assert!(err.to_string().contains("x%s%n.mlxfn"), "{err}");
    let err = export::export_function("a\0b", affine, &[], false).unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument { name: "path", .. }),
        "{err}"
    );
    Ok(())
}

fn imported_functions_need_the_first_streams_thread_body() -> Result<()> {
    let dir = TempDir::new("export-thread");
    let path = dir.join("f.mlxfn");
    let x = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    export::export_function(&path, affine, &[x.clone(), x.clone()], false)?;
    // On another thread the outputs cannot be evaluated: MLX's error, not a crash.
    let path2 = path.clone();
    let other = std::thread::spawn(move || -> Result<String> {
        let f = export::import_function(&path2)?;
        let x = Array::from_slice(&[1.0f32, 2.0], &[2])?;
        let out = f.call(&[x.clone(), x])?;
        Ok(backend_message(out[0].eval()))
    });
    let msg = other.join().expect("the thread ran")?;
    let device = if crate::support::default_is_gpu() {
        "gpu"
    } else {
        "cpu"
    };
    assert_eq!(
        msg,
        format!("There is no Stream({device}, 0) in current thread.")
    );
    // Here, on the thread that made stream 0, it works.
    let out = export::import_function(&path)?.call(&[x.clone(), x])?;
    assert_eq!(out[1].to_vec::<f32>()?, [1.0, 4.0]);
    Ok(())
}

macro_rules! in_child {
    ($($name:ident => $body:ident;)*) => {$(
        #[test]
        fn $name() -> Result<()> {
            in_fresh_process(concat!("export::", stringify!($name)), $body)
        }
    )*};
}

in_child! {
    export_import_and_call => export_import_and_call_body;
    shapeless_exports_accept_other_shapes => shapeless_exports_accept_other_shapes_body;
    keyword_arguments => keyword_arguments_body;
    exporter_collects_several_traces => exporter_collects_several_traces_body;
    bad_files_and_paths_are_errors => bad_files_and_paths_are_errors_body;
    imported_functions_need_the_first_streams_thread => imported_functions_need_the_first_streams_thread_body;
}

/// `export_to_dot` on `exp(x) * x + 1` (as Python MLX 0.32.2 prints it for
/// `mx.export_to_dot(f, y, x=x)`): one box per primitive, the named input used twice,
/// the unnamed arrays lettered, the output ranked as the sink.
#[test]
fn export_to_dot_lists_the_graph() -> Result<()> {
    let x = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    let y = ops::add(&ops::multiply(&ops::exp(&x)?, &x)?, &Array::from(1.0f32))?;
    let dot = mlxrs::export::export_to_dot(&[&y], &[("x", &x)])?;
    assert!(dot.starts_with("digraph {"), "{dot}");
    assert!(dot.trim_end().ends_with('}'), "{dot}");
    for op in ["Exp", "Multiply", "Broadcast", "Add"] {
        let label = format!("[label =\"{op}\", shape=rectangle]");
        assert_eq!(dot.matches(&label).count(), 1, "{op} in {dot}");
    }
    assert!(dot.contains("{ rank=source; \"x\"; }"), "{dot}");
    assert_eq!(dot.matches("\"x\" -> ").count(), 2, "{dot}");
    assert_eq!(dot.matches("rank=sink").count(), 1, "{dot}");
    // Without names, the input is lettered too; an evaluated output alone has no ops.
    let unnamed = mlxrs::export::export_to_dot(&[&y], &[])?;
    assert!(!unnamed.contains("\"x\""), "{unnamed}");
    assert!(unnamed.contains("label =\"Exp\""), "{unnamed}");
    y.eval()?;
    let done = mlxrs::export::export_to_dot(&[&y], &[])?;
    assert!(!done.contains("label ="), "{done}");
    // A name with a NUL byte is refused.
    assert!(matches!(
        mlxrs::export::export_to_dot(&[&y], &[("a\0b", &x)]),
        Err(mlxrs::Error::InvalidArgument { name: "names", .. })
    ));
    Ok(())
}
