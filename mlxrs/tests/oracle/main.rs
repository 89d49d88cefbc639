//! The mlxrs half of the differential "oracle" suite (`cargo xtask oracle`).
//!
//! [`cases::all`] builds a table of op cases (op, parameters, deterministic inputs, and
//! how mlxrs computes it, through the public API only). `write_cases` computes every case
//! and, for the differentiable ones, the gradient of `sum(outputs[0])` with respect to the
//! floating-point inputs. With `MLXRS_ORACLE_DIR` set it writes there:
//! - `arrays.safetensors`: inputs `<id>.i<k>`, outputs `<id>.o<k>`, gradients `<id>.g<k>`;
//! - `manifest.json`: per case the op, its Python keyword arguments, the keys, and the
//!   comparison tolerance of every result (from [`harness::tolerance`]);
//!
//! which xtask/oracle/oracle.py recomputes with Python MLX and compares. Cases marked
//! `expect_error` must fail in both, with the same message (MLX's text, verbatim).
//! Without `MLXRS_ORACLE_DIR`, the test still computes every case and fails if mlxrs
//! returns an error for one (a smoke test that needs no Python). `MLXRS_ORACLE_FILTER=S` keeps the cases whose op contains S;
//! `MLXRS_ORACLE_TRACE=1` names each case on stderr before computing it.

#![allow(
    clippy::type_complexity,
    reason = "the case tables are arrays of tuples of names, fn pointers, domains and dtypes"
)]

mod cases;
mod harness;
mod safetensors;

use std::fmt::Write as _;

use harness::{Case, json_string, tolerance};
use mlxrs::{Array, Result, ops, transforms};

/// What mlxrs computed for one case.
struct Computed {
    outputs: Vec<Array>,
    grads: Vec<Array>,
}

fn compute(case: &Case) -> Result<Computed> {
    let outputs = (case.f)(&case.inputs)?;
    let refs: Vec<&Array> = outputs.iter().collect();
    transforms::eval(&refs)?;
    let argnums = case.argnums();
    let grads = if argnums.is_empty() {
        Vec::new()
    } else {
        let f = case.f.clone();
        let g = transforms::grad(
            move |xs: &[Array]| {
                let out = f(xs)?;
                Ok(vec![ops::sum(&out[0], false)?])
            },
            &argnums,
        )?;
        let grads = g(&case.inputs).map_err(|e| mlxrs::Error::Backend(format!("grad: {e}")))?;
        let refs: Vec<&Array> = grads.iter().collect();
        transforms::eval(&refs)?;
        grads
    };
    Ok(Computed { outputs, grads })
}

/// `[{"key": .., "rtol": .., "atol": ..}, ..]` for results named `<id>.<tag><k>`.
fn results_json(
    id: &str,
    tag: char,
    arrays: &[Array],
    scale: f64,
    w: &mut safetensors::Writer,
) -> Result<String> {
    let mut items = Vec::new();
    for (k, a) in arrays.iter().enumerate() {
        let key = format!("{id}.{tag}{k}");
        w.add(&key, a)?;
        let (rtol, atol) = tolerance(a.dtype(), scale);
        items.push(format!(
            "{{\"key\": {}, \"rtol\": {}, \"atol\": {}}}",
            json_string(&key),
            harness::json_f64(rtol),
            harness::json_f64(atol)
        ));
    }
    Ok(format!("[{}]", items.join(", ")))
}

#[test]
fn write_cases() -> Result<()> {
    let dir = std::env::var_os("MLXRS_ORACLE_DIR").map(std::path::PathBuf::from);
    let filter = std::env::var("MLXRS_ORACLE_FILTER").ok();
    let mut table = harness::Table::new();
    cases::all(&mut table)?;
    let cases: Vec<&Case> = table
        .cases
        .iter()
        .filter(|c| filter.as_deref().is_none_or(|f| c.op.contains(f)))
        .collect();

    let mut w = safetensors::Writer::new();
    let mut manifest = String::from("{\"cases\": [\n");
    let mut errors = Vec::new();
    let trace = std::env::var_os("MLXRS_ORACLE_TRACE").is_some();
    for (i, case) in cases.iter().enumerate() {
        let id = format!("c{i:05}");
        if trace {
            eprintln!(
                "{id} {} {} {}",
                case.op,
                case.dtype_name(),
                case.params.to_json()
            );
        }
        let mut inputs = Vec::new();
        for (k, a) in case.inputs.iter().enumerate() {
            let key = format!("{id}.i{k}");
            w.add(&key, a)?;
            inputs.push(json_string(&key));
        }
        let (outputs, grads, error) = match compute(case) {
            Ok(c) => (
                results_json(&id, 'o', &c.outputs, case.tol_scale, &mut w)?,
                results_json(&id, 'g', &c.grads, case.tol_scale, &mut w)?,
                "null".to_string(),
            ),
            Err(e) => {
                if !case.expect_error {
                    errors.push(format!("{} ({}): {e}", case.op, case.dtype_name()));
                }
                ("[]".into(), "[]".into(), json_string(&e.to_string()))
            }
        };
        if case.expect_error && error == "null" {
            errors.push(format!(
                "{} ({}): a result where MLX reports an error",
                case.op,
                case.dtype_name()
            ));
        }
        let argnums: Vec<String> = case.argnums().iter().map(i32::to_string).collect();
        let _ = writeln!(
            manifest,
            "{}{{\"id\": {}, \"op\": {}, \"dtype\": {}, \"params\": {}, \"inputs\": [{}], \
             \"outputs\": {outputs}, \"argnums\": [{}], \"grads\": {grads}, \"error\": {error}, \
             \"expect_error\": {}}}",
            if i == 0 { "" } else { "," },
            json_string(&id),
            json_string(&case.op),
            json_string(&case.dtype_name()),
            case.params.to_json(),
            inputs.join(", "),
            argnums.join(", "),
            case.expect_error,
        );
    }
    manifest.push_str("]}\n");

    let ops: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.op.as_str()).collect();
    println!("oracle (mlxrs): {} ops, {} cases", ops.len(), cases.len());
    match dir {
        Some(dir) => {
            std::fs::write(dir.join("arrays.safetensors"), w.finish())?;
            std::fs::write(dir.join("manifest.json"), manifest)?;
            // Failing cases are reported (and counted) by the Python half.
            for e in &errors {
                println!("mlxrs error: {e}");
            }
        }
        None => {
            let _ = std::fs::remove_dir_all(cases::io::scratch());
            assert!(
                errors.is_empty(),
                "mlxrs failed {} case(s):\n{}",
                errors.len(),
                errors.join("\n")
            );
        }
    }
    Ok(())
}
