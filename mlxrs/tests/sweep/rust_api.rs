//! Beyond mlx-c's op headers: export/import, the transforms (wrong argnums, closures
//! returning the wrong number of outputs, returning `Err`, panicking), and `nn` (layers,
//! activations, losses, optimizers) with edge inputs.

use std::collections::HashMap;

use mlxrs::nn::{self, UnaryLayer, losses as l};
use mlxrs::optimizers::{self as opt, Optimizer};
use mlxrs::{Array, Dtype, Error, Result, export, transforms as t};

use crate::cases::{Case, Expect, Thunk};
use crate::custom::{E, also, cn, fa, ia, ok, oke, okm};

const F: Dtype = Dtype::Float32;

/// A case on a Rust API (no mlx-c name): `Err` messages must name one of `names`.
fn rc(
    v: &mut Vec<Case>,
    op: &'static str,
    names: &[&'static str],
    label: &str,
    exp: Expect,
    run: Thunk,
) {
    let mut c = Case::new(op, label, exp, run);
    c.names = names.to_vec();
    v.push(c);
}

fn sum_sq(x: &[Array]) -> Result<Vec<Array>> {
    Ok(vec![mlxrs::ops::sum(&mlxrs::ops::square(&x[0])?, false)?])
}

pub fn cases(v: &mut Vec<Case>) {
    export_cases(v);
    array_at(v);
    transforms(v);
    layers(v);
    activations(v);
    losses(v);
    optimizers(v);
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("mlxrs-sweep-{}-{name}", std::process::id()))
}

fn export_cases(v: &mut Vec<Case>) {
    cn!(
        v,
        "mlx_export_function",
        "export, import, call (2,3)",
        okm(&[(&[], F)]),
        {
            let p = tmp("f.mlxfn");
            export::export_function(&p, sum_sq, &[fa(&[2, 3])?], false)?;
            let f = export::import_function(&p)?;
            let out = f.call(&[fa(&[2, 3])?]);
            let _ = std::fs::remove_file(&p);
            out
        }
    );
    cn!(v, "mlx_export_function", "closure returns Err", E, {
        export::export_function(
            tmp("e.mlxfn"),
            |_: &[Array]| Err(Error::invalid("x", "export_function test closure fails")),
            &[fa(&[2])?],
            false,
        )?;
        Ok(vec![])
    });
    cn!(v, "mlx_export_function", "into a missing folder", E, {
        export::export_function(tmp("no/such/dir/f.mlxfn"), sum_sq, &[fa(&[2])?], false)?;
        Ok(vec![])
    });
    also(v, &["export"]);
    cn!(
        v,
        "mlx_export_function_kwargs",
        "kwargs round trip",
        okm(&[(&[2], F)]),
        {
            let p = tmp("k.mlxfn");
            let mut kw = HashMap::new();
            kw.insert("b".to_string(), fa(&[2])?);
            export::export_function_kwargs(
                &p,
                |a: &[Array], k: &HashMap<String, Array>| Ok(vec![(&a[0] + &k["b"])?]),
                &[fa(&[2])?],
                &kw,
                false,
            )?;
            let f = export::import_function(&p)?;
            let out = f.call_kwargs(&[fa(&[2])?], &kw);
            let _ = std::fs::remove_file(&p);
            out
        }
    );
    cn!(
        v,
        "mlx_export_function_kwargs",
        "missing kwarg in the closure",
        E,
        {
            let kw: HashMap<String, Array> = HashMap::new();
            export::export_function_kwargs(
                tmp("k2.mlxfn"),
                |a: &[Array], k: &HashMap<String, Array>| {
                    let b = k
                        .get("b")
                        .ok_or_else(|| Error::invalid("b", "export_function_kwargs: no kwarg b"))?;
                    Ok(vec![(&a[0] + b)?])
                },
                &[fa(&[2])?],
                &kw,
                false,
            )?;
            Ok(vec![])
        }
    );
    cn!(
        v,
        "mlx_function_exporter_new",
        "two traces, then import",
        okm(&[(&[], F)]),
        {
            let p = tmp("ex.mlxfn");
            let ex = export::exporter(&p, sum_sq, false)?;
            ex.call(&[fa(&[2, 3])?])?;
            ex.call(&[fa(&[4])?])?;
            ex.close()?;
            let f = export::import_function(&p)?;
            let out = f.call(&[fa(&[4])?]);
            let _ = std::fs::remove_file(&p);
            out
        }
    );
    cn!(
        v,
        "mlx_function_exporter_new",
        "into a missing folder",
        E,
        {
            export::exporter(tmp("no/such/dir/ex.mlxfn"), sum_sq, false)?;
            Ok(vec![])
        }
    );
    also(v, &["export"]);
    cn!(v, "mlx_function_exporter_apply", "closure panics", E, {
        let p = tmp("exp.mlxfn");
        let ex = export::exporter(
            &p,
            |_: &[Array]| -> Result<Vec<Array>> { panic!("function_exporter test panic") },
            false,
        )?;
        let r = ex.call(&[fa(&[2])?]);
        let _ = std::fs::remove_file(&p);
        r?;
        Ok(vec![])
    });
    also(v, &["closure panicked"]);
    cn!(
        v,
        "mlx_function_exporter_apply_kwargs",
        "kwargs trace",
        Expect::OkCount(0),
        {
            let p = tmp("exk.mlxfn");
            let ex = export::exporter(&p, sum_sq, false)?;
            let mut kw = HashMap::new();
            kw.insert("z".to_string(), fa(&[1])?);
            let r = ex.call_kwargs(&[fa(&[2])?], &kw);
            drop(ex);
            let _ = std::fs::remove_file(&p);
            r.map(|_| vec![])
        }
    );
    cn!(v, "mlx_imported_function_new", "no such file", E, {
        export::import_function(tmp("missing.mlxfn"))?;
        Ok(vec![])
    });
    also(v, &["import"]);
    cn!(v, "mlx_imported_function_new", "garbage file", E, {
        let p = tmp("garbage.mlxfn");
        std::fs::write(&p, b"this is not an exported function")?;
        let r = export::import_function(&p);
        let _ = std::fs::remove_file(&p);
        r?;
        Ok(vec![])
    });
    also(v, &["import", "read"]);
    for (label, args) in [("no arguments", 0usize), ("two arguments", 2)] {
        v.push(
            Case::new(
                "mlx_imported_function_apply",
                label,
                E,
                Box::new(move || {
                    let p = tmp(&format!("ia{args}.mlxfn"));
                    export::export_function(&p, sum_sq, &[fa(&[2, 3])?], false)?;
                    let f = export::import_function(&p)?;
                    let inputs: Vec<Array> =
                        (0..args).map(|_| fa(&[2, 3])).collect::<Result<_>>()?;
                    let out = f.call(&inputs);
                    let _ = std::fs::remove_file(&p);
                    out
                }),
            )
            .also(&["import", "call", "function"]),
        );
    }
    cn!(v, "mlx_imported_function_apply", "shape not traced", E, {
        let p = tmp("ia-shape.mlxfn");
        export::export_function(&p, sum_sq, &[fa(&[2, 3])?], false)?;
        let f = export::import_function(&p)?;
        let out = f.call(&[fa(&[5])?]);
        let _ = std::fs::remove_file(&p);
        out
    });
    also(v, &["import", "call", "function"]);
    cn!(
        v,
        "mlx_imported_function_apply_kwargs",
        "unknown kwarg",
        E,
        {
            let p = tmp("iak.mlxfn");
            export::export_function(&p, sum_sq, &[fa(&[2])?], false)?;
            let f = export::import_function(&p)?;
            let mut kw = HashMap::new();
            kw.insert("nope".to_string(), fa(&[1])?);
            let out = f.call_kwargs(&[fa(&[2])?], &kw);
            let _ = std::fs::remove_file(&p);
            out
        }
    );
    also(v, &["import", "call", "function"]);
}

fn transforms(v: &mut Vec<Case>) {
    let g = &["grad", "closure"];
    // argnums
    let argnum_cases: [(&str, &'static [i32]); 7] = [
        ("argnums [0]", &[0]),
        ("argnums [0,1]", &[0, 1]),
        ("argnums [2] of 2 args", &[2]),
        ("argnums [-1]", &[-1]),
        ("argnums []", &[]),
        ("argnums [0,0]", &[0, 0]),
        ("argnums [i32::MAX]", &[i32::MAX]),
    ];
    for (label, argnums) in argnum_cases {
        let expect = match argnums {
            [0] => Some(vec![(vec![2, 3], F)]),
            [0, 1] => Some(vec![(vec![2, 3], F), (vec![3], F)]),
            _ => None,
        };
        let exp = match expect {
            Some(w) => Expect::Ok(w),
            None => E,
        };
        rc(
            v,
            "transforms::grad",
            g,
            label,
            exp,
            Box::new(move || {
                let f = t::grad(
                    |x: &[Array]| Ok(vec![mlxrs::ops::sum(&(&x[0] * &x[1])?, false)?]),
                    argnums,
                )?;
                f(&[fa(&[2, 3])?, fa(&[3])?])
            }),
        );
        let exp2 = match argnums {
            [0] => Expect::Ok(vec![(vec![], F), (vec![2, 3], F)]),
            [0, 1] => Expect::Ok(vec![(vec![], F), (vec![2, 3], F), (vec![3], F)]),
            _ => E,
        };
        rc(
            v,
            "transforms::value_and_grad",
            g,
            label,
            exp2,
            Box::new(move || {
                let f = t::value_and_grad(
                    |x: &[Array]| Ok(vec![mlxrs::ops::sum(&(&x[0] * &x[1])?, false)?]),
                    argnums,
                )?;
                let (vals, grads) = f(&[fa(&[2, 3])?, fa(&[3])?])?;
                Ok(vals.into_iter().chain(grads).collect())
            }),
        );
    }
    type Body = fn(&[Array]) -> Result<Vec<Array>>;
    // Per body, the outcome of grad, vjp (cotangents for a scalar and a (3) output),
    // jvp, checkpoint and compile: the number of arrays they return, or None for an Err.
    // grad wants one scalar output (mlxrs refuses more, MLX refuses others); an int
    // scalar output has a zero gradient of the input's shape.
    let bodies: [(&str, Body, [Option<usize>; 5]); 6] = [
        (
            "closure returns no outputs",
            |_| Ok(vec![]),
            [None, Some(1), Some(0), None, Some(0)],
        ),
        (
            "closure returns a (3) vector",
            |x| Ok(vec![(&x[0] * 2.0f32)?]),
            [None, None, Some(2), Some(1), Some(1)],
        ),
        (
            "closure returns Err",
            |_| Err(Error::invalid("x", "grad test closure fails")),
            [None; 5],
        ),
        (
            "closure panics",
            |_| panic!("grad test closure panics"),
            [None; 5],
        ),
        (
            "closure returns two outputs",
            |x| Ok(vec![mlxrs::ops::sum(&x[0], false)?, x[0].try_clone()?]),
            [None, Some(3), Some(4), Some(2), Some(2)],
        ),
        (
            "closure returns an int scalar",
            |_| Ok(vec![Array::scalar(3i32)]),
            [Some(1), Some(2), Some(2), Some(1), Some(1)],
        ),
    ];
    let count = |n: Option<usize>| match n {
        Some(n) => Expect::OkCount(n),
        None => E,
    };
    for (label, body, [gr, vj, jv, ck, co]) in bodies {
        let exp = match gr {
            Some(_) => Expect::Ok(vec![(vec![3], F)]),
            None => E,
        };
        rc(
            v,
            "transforms::grad",
            g,
            label,
            exp,
            Box::new(move || {
                let f = t::grad(body, &[0])?;
                f(&[fa(&[3])?])
            }),
        );
        rc(
            v,
            "transforms::vjp",
            &["vjp", "closure"],
            label,
            count(vj),
            Box::new(move || {
                let (outs, grads) = t::vjp(body, &[fa(&[3])?], &[fa(&[])?, fa(&[3])?])?;
                Ok(outs.into_iter().chain(grads).collect())
            }),
        );
        rc(
            v,
            "transforms::jvp",
            &["jvp", "closure"],
            label,
            count(jv),
            Box::new(move || {
                let (outs, tans) = t::jvp(body, &[fa(&[3])?], &[fa(&[3])?])?;
                Ok(outs.into_iter().chain(tans).collect())
            }),
        );
        rc(
            v,
            "transforms::checkpoint",
            &["checkpoint", "closure"],
            label,
            count(ck),
            Box::new(move || {
                let f = t::checkpoint(body)?;
                f(&[fa(&[3])?])
            }),
        );
        rc(
            v,
            "transforms::compile",
            &["compile", "closure"],
            label,
            count(co),
            Box::new(move || {
                let f = t::compile(body, false)?;
                f(&[fa(&[3])?])
            }),
        );
    }
    compile_with_state_cases(v);
    // custom_vjp and custom_function with a forward that returns nothing (MLX 0.32 reads
    // the first output: SIGSEGV before the guard).
    rc(
        v,
        "transforms::custom_vjp",
        &["custom_vjp"],
        "forward returns no outputs",
        E,
        Box::new(|| {
            let f = t::custom_vjp(
                |_: &[Array]| Ok(vec![]),
                |p: &[Array], _: &[Array], _: &[Array]| Ok(vec![p[0].try_clone()?]),
            )?;
            f(&[fa(&[3])?])
        }),
    );
    rc(
        v,
        "transforms::custom_function",
        &["custom_function"],
        "forward returns no outputs",
        E,
        Box::new(|| {
            let f = t::custom_function(|_: &[Array]| Ok(vec![]))?.build()?;
            f(&[fa(&[3])?])
        }),
    );
    rc(
        v,
        "transforms::custom_function",
        &["custom_function"],
        "forward (3) -> (3)",
        Expect::Ok(vec![(vec![3], F)]),
        Box::new(|| {
            let f = t::custom_function(|x: &[Array]| Ok(vec![(&x[0] * 2.0f32)?]))?.build()?;
            f(&[fa(&[3])?])
        }),
    );
    // vjp / jvp with the wrong number or shape of cotangents / tangents.
    rc(
        v,
        "transforms::vjp",
        &["vjp"],
        "no cotangents",
        E,
        Box::new(|| {
            let (o, g) = t::vjp(sum_sq, &[fa(&[3])?], &[])?;
            Ok(o.into_iter().chain(g).collect())
        }),
    );
    rc(
        v,
        "transforms::vjp",
        &["vjp"],
        "cotangent of the wrong shape",
        E,
        Box::new(|| {
            let (o, g) = t::vjp(sum_sq, &[fa(&[3])?], &[fa(&[4])?])?;
            Ok(o.into_iter().chain(g).collect())
        }),
    );
    rc(
        v,
        "transforms::vjp",
        &["vjp"],
        "ok",
        Expect::Ok(vec![(vec![], F), (vec![3], F)]),
        Box::new(|| {
            let (o, g) = t::vjp(sum_sq, &[fa(&[3])?], &[fa(&[])?])?;
            Ok(o.into_iter().chain(g).collect())
        }),
    );
    rc(
        v,
        "transforms::jvp",
        &["jvp"],
        "two tangents for one primal",
        E,
        Box::new(|| {
            let (o, g) = t::jvp(sum_sq, &[fa(&[3])?], &[fa(&[3])?, fa(&[3])?])?;
            Ok(o.into_iter().chain(g).collect())
        }),
    );
    rc(
        v,
        "transforms::jvp",
        &["jvp"],
        "tangent of the wrong shape",
        E,
        Box::new(|| {
            let (o, g) = t::jvp(sum_sq, &[fa(&[3])?], &[fa(&[2])?])?;
            Ok(o.into_iter().chain(g).collect())
        }),
    );
    rc(
        v,
        "transforms::jvp",
        &["jvp"],
        "ok",
        Expect::Ok(vec![(vec![], F), (vec![], F)]),
        Box::new(|| {
            let (o, g) = t::jvp(sum_sq, &[fa(&[3])?], &[fa(&[3])?])?;
            Ok(o.into_iter().chain(g).collect())
        }),
    );
    // vmap
    for (label, in_axes, out_axes, shapes, exp_shape) in [
        (
            "in 0 out 0 over (4,3)",
            0,
            0,
            vec![vec![4, 3]],
            Some(vec![4, 3]),
        ),
        (
            "in 1 out 0 over (3,4)",
            1,
            0,
            vec![vec![3, 4]],
            Some(vec![4, 3]),
        ),
        ("in -1 out 0", -1, 0, vec![vec![3, 4]], Some(vec![4, 3])),
        ("in 2 of a 2-d input", 2, 0, vec![vec![3, 4]], None),
        ("out 5", 0, 5, vec![vec![4, 3]], None),
        ("a 0-d input", 0, 0, vec![vec![]], None),
        ("sizes differ", 0, 0, vec![vec![4, 3], vec![5, 3]], None),
    ] {
        let exp = match exp_shape {
            Some(s) => Expect::Ok(vec![(s, F)]),
            None => E,
        };
        rc(
            v,
            "transforms::vmap",
            &["vmap", "closure"],
            label,
            exp,
            Box::new(move || {
                let f = t::vmap(|x: &[Array]| Ok(vec![(&x[0] * 2.0f32)?]), in_axes, out_axes)?;
                let inputs: Vec<Array> = shapes.iter().map(|s| fa(s)).collect::<Result<_>>()?;
                f(&inputs)
            }),
        );
    }
    rc(
        v,
        "transforms::vmap",
        &["vmap"],
        "in_axes for 3 args, 1 given",
        E,
        Box::new(|| {
            let f = t::vmap(|x: &[Array]| Ok(vec![(&x[0] * 2.0f32)?]), vec![0, 0, 0], 0)?;
            f(&[fa(&[4, 3])?])
        }),
    );
    rc(
        v,
        "transforms::vmap",
        &["vmap", "closure"],
        "closure panics",
        E,
        Box::new(|| {
            let f = t::vmap(
                |_: &[Array]| -> Result<Vec<Array>> { panic!("vmap test closure panics") },
                0,
                0,
            )?;
            f(&[fa(&[4, 3])?])
        }),
    );
    rc(
        v,
        "transforms::vmap",
        &["vmap", "closure"],
        "closure returns Err",
        E,
        Box::new(|| {
            let f = t::vmap(
                |_: &[Array]| Err(Error::invalid("x", "vmap test closure fails")),
                0,
                0,
            )?;
            f(&[fa(&[4, 3])?])
        }),
    );
    rc(
        v,
        "transforms::vmap",
        &["vmap"],
        "no out_axes",
        E,
        Box::new(|| {
            let f = t::vmap(
                |x: &[Array]| Ok(vec![(&x[0] * 2.0f32)?]),
                0,
                Vec::<i32>::new(),
            )?;
            f(&[fa(&[4, 3])?])
        }),
    );
    // custom_vjp: backward returning the wrong number / shape of gradients, or failing.
    type Bwd = fn(&[Array], &[Array], &[Array]) -> Result<Vec<Array>>;
    // The gradient's shapes, or None for an Err. MLX passes a custom backward's result
    // through unchecked: the gradient is what it returns, whatever its shape.
    let bwds: [(&str, Bwd, Option<&[i32]>); 5] = [
        (
            "backward right",
            |p, _, _| Ok(vec![(&p[0] * 3.0f32)?]),
            Some(&[3]),
        ),
        ("backward returns nothing", |_, _, _| Ok(vec![]), Some(&[])),
        (
            "backward returns a (2) for a (3)",
            |_, _, _| Ok(vec![fa(&[2])?]),
            Some(&[2]),
        ),
        (
            "backward returns Err",
            |_, _, _| Err(Error::invalid("x", "custom_vjp test backward fails")),
            None,
        ),
        (
            "backward panics",
            |_, _, _| panic!("custom_vjp test backward panics"),
            None,
        ),
    ];
    for (label, bwd, shape) in bwds {
        let exp = match shape {
            Some(s) => Expect::Ok(vec![(s.to_vec(), F)]),
            None => E,
        };
        rc(
            v,
            "transforms::custom_vjp",
            &["custom_vjp", "vjp", "closure", "grad"],
            label,
            exp,
            Box::new(move || {
                let f = std::rc::Rc::new(t::custom_vjp(sum_sq, bwd)?);
                let g = t::grad(move |x: &[Array]| f(x), &[0])?;
                g(&[fa(&[3])?])
            }),
        );
    }
}

/// A layer's case: an `Err` names the layer (or, for the convolutions, MLX's `conv`).
fn layer_case(v: &mut Vec<Case>, name: &'static str, label: &str, exp: Expect, run: Thunk) {
    rc(
        v,
        name,
        &[name.trim_start_matches("nn::"), "conv"],
        label,
        exp,
        run,
    );
}

fn layers(v: &mut Vec<Case>) {
    macro_rules! lay {
        ($name:literal, $make:expr, [$($label:literal, $shape:expr, $exp:expr;)*]) => {$(
            layer_case(v, $name, $label, $exp, Box::new(move || {
                let m = $make?;
                Ok(vec![m.forward(&$shape?)?])
            }));
        )*};
    }
    lay!("nn::Linear", nn::Linear::new(4, 3, true), [
        "(2,4)", fa(&[2, 4]), ok(&[2, 3], F);
        "(4)", fa(&[4]), ok(&[3], F);
        "(0,4) zero batch", fa(&[0, 4]), ok(&[0, 3], F);
        "(5,2,4)", fa(&[5, 2, 4]), ok(&[5, 2, 3], F);
        "(2,5)", fa(&[2, 5]), E;
        "()", fa(&[]), E;
        "(2,4) f16", fa(&[2, 4])?.astype(Dtype::Float16), ok(&[2, 3], F);
        "(2,4) int32", ia(&[1; 8], &[2, 4]), ok(&[2, 3], F);
    ]);
    lay!("nn::Conv1d", nn::Conv1d::new(2, 4, 3), [
        "(1,5,2)", fa(&[1, 5, 2]), ok(&[1, 3, 4], F);
        "(0,5,2) zero batch", fa(&[0, 5, 2]), ok(&[0, 3, 4], F);
        "(5,2) rank 2", fa(&[5, 2]), E;
        "(1,5,3) channels", fa(&[1, 5, 3]), E;
        "(1,2,2) too short", fa(&[1, 2, 2]), E;
        "(1,5,2) int32", ia(&[1; 10], &[1, 5, 2]), E;
    ]);
    lay!("nn::Conv2d", nn::Conv2d::new(2, 4, (3, 3)), [
        "(1,5,5,2)", fa(&[1, 5, 5, 2]), ok(&[1, 3, 3, 4], F);
        "(0,5,5,2) zero batch", fa(&[0, 5, 5, 2]), ok(&[0, 3, 3, 4], F);
        "(5,5,2) rank 3", fa(&[5, 5, 2]), E;
        "(1,5,5,1) channels", fa(&[1, 5, 5, 1]), E;
    ]);
    lay!("nn::Embedding", nn::Embedding::new(10, 4), [
        "(2,3) int32", ia(&[0, 1, 2, 3, 4, 9], &[2, 3]), ok(&[2, 3, 4], F);
        "(0) int32", ia(&[], &[0]), ok(&[0, 4], F);
        "() int32", Ok::<_, Error>(Array::scalar(5i32)), ok(&[4], F);
        "(2) float", fa(&[2]), E;
    ]);
    lay!("nn::LayerNorm", nn::LayerNorm::new(4), [
        "(2,4)", fa(&[2, 4]), ok(&[2, 4], F);
        "(0,4)", fa(&[0, 4]), ok(&[0, 4], F);
        "(2,5)", fa(&[2, 5]), E;
        "()", fa(&[]), E;
    ]);
    lay!("nn::RMSNorm", nn::RMSNorm::new(4, 1e-5), [
        "(2,4)", fa(&[2, 4]), ok(&[2, 4], F);
        "(2,3)", fa(&[2, 3]), E;
    ]);
    lay!("nn::BatchNorm", nn::BatchNorm::new(3), [
        "(4,3)", fa(&[4, 3]), ok(&[4, 3], F);
        "(2,5,3)", fa(&[2, 5, 3]), ok(&[2, 5, 3], F);
        "(4,2) features", fa(&[4, 2]), E;
        "(3) rank 1", fa(&[3]), E;
    ]);
    lay!("nn::MaxPool1d", nn::MaxPool1d::new(2, None, 0), [
        "(1,4,3)", fa(&[1, 4, 3]), ok(&[1, 2, 3], F);
        "(4,3) rank 2", fa(&[4, 3]), E;
        "(1,1,3) window past the input", fa(&[1, 1, 3]), E;
    ]);
    lay!("nn::AvgPool2d", nn::AvgPool2d::new((2, 2), None, (0, 0)), [
        "(1,4,4,3)", fa(&[1, 4, 4, 3]), ok(&[1, 2, 2, 3], F);
        "(4,4,3) rank 3", fa(&[4, 4, 3]), E;
    ]);
    lay!("nn::Dropout", nn::Dropout::new(0.5), [
        "(2,3)", fa(&[2, 3]), ok(&[2, 3], F);
        "(0)", fa(&[0]), ok(&[0], F);
    ]);
    for (label, p) in [("p 1.0", 1.0f32), ("p -0.1", -0.1), ("p NaN", f32::NAN)] {
        layer_case(
            v,
            "nn::Dropout",
            label,
            E,
            Box::new(move || {
                nn::Dropout::new(p)?;
                Ok(vec![])
            }),
        );
    }
    for (label, a, b) in [
        ("Linear(0,3)", 0, 3),
        ("Linear(-1,3)", -1, 3),
        ("Linear(4,-2)", 4, -2),
    ] {
        layer_case(
            v,
            "nn::Linear",
            label,
            E,
            Box::new(move || {
                nn::Linear::new(a, b, true)?;
                Ok(vec![])
            }),
        );
    }
    layer_case(
        v,
        "nn::Conv1d",
        "kernel 0",
        E,
        Box::new(|| {
            nn::Conv1d::new(2, 4, 0)?;
            Ok(vec![])
        }),
    );
    layer_case(
        v,
        "nn::Embedding",
        "-1 embeddings",
        E,
        Box::new(|| {
            nn::Embedding::new(-1, 4)?;
            Ok(vec![])
        }),
    );
    layer_case(
        v,
        "nn::MaxPool1d",
        "kernel 0",
        E,
        Box::new(|| {
            nn::MaxPool1d::new(0, None, 0)?;
            Ok(vec![])
        }),
    );
    layer_case(
        v,
        "nn::MaxPool1d",
        "stride 0",
        E,
        Box::new(|| {
            nn::MaxPool1d::new(2, Some(0), 0)?;
            Ok(vec![])
        }),
    );
    rc(
        v,
        "nn::MultiHeadAttention",
        &["MultiHeadAttention", "multi_head_attention", "attention"],
        "(2,3,8) 2 heads",
        ok(&[2, 3, 8], F),
        Box::new(|| {
            let m = nn::MultiHeadAttention::new(8, 2)?;
            let x = fa(&[2, 3, 8])?;
            Ok(vec![m.forward(&x, &x, &x, None)?])
        }),
    );
    rc(
        v,
        "nn::MultiHeadAttention",
        &[
            "MultiHeadAttention",
            "multi_head_attention",
            "attention",
            "dims",
        ],
        "8 dims 3 heads",
        E,
        Box::new(|| {
            nn::MultiHeadAttention::new(8, 3)?;
            Ok(vec![])
        }),
    );
    rc(
        v,
        "nn::MultiHeadAttention",
        &[
            "MultiHeadAttention",
            "multi_head_attention",
            "attention",
            "matmul",
            "Linear",
        ],
        "(2,3,6) for 8 dims",
        E,
        Box::new(|| {
            let m = nn::MultiHeadAttention::new(8, 2)?;
            let x = fa(&[2, 3, 6])?;
            Ok(vec![m.forward(&x, &x, &x, None)?])
        }),
    );
}

fn activations(v: &mut Vec<Case>) {
    type A = fn(&Array) -> Result<Array>;
    let table: [(&'static str, A); 20] = [
        ("nn::relu", nn::relu),
        ("nn::relu6", nn::relu6),
        ("nn::relu2", nn::relu2),
        ("nn::sigmoid", nn::sigmoid),
        ("nn::softplus", nn::softplus),
        ("nn::softsign", nn::softsign),
        ("nn::silu", nn::silu),
        ("nn::log_sigmoid", nn::log_sigmoid),
        ("nn::gelu", nn::gelu),
        ("nn::gelu_approx", nn::gelu_approx),
        ("nn::gelu_fast_approx", nn::gelu_fast_approx),
        ("nn::selu", nn::selu),
        ("nn::mish", nn::mish),
        ("nn::hardswish", nn::hardswish),
        ("nn::tanh", nn::tanh),
        ("nn::leaky_relu", |x| nn::leaky_relu(x, 0.01)),
        ("nn::elu", |x| nn::elu(x, 1.0)),
        ("nn::celu", |x| nn::celu(x, 1.0)),
        ("nn::hard_tanh", |x| nn::hard_tanh(x, -1.0, 1.0)),
        ("nn::softshrink", |x| nn::softshrink(x, 0.5)),
    ];
    use crate::cases::{FORMS, input};
    for (name, f) in table {
        // Floating-point inputs (the activations' domain) keep their dtype.
        for d in [
            Dtype::Float32,
            Dtype::Float16,
            Dtype::Bfloat16,
            Dtype::Float64,
        ] {
            for form in FORMS {
                let exp = if d == Dtype::Float32
                    && !matches!(
                        form,
                        crate::cases::Form::Empty | crate::cases::Form::ZeroSize
                    ) {
                    Expect::Ok(vec![(form.shape(), F)])
                } else {
                    Expect::OkOrErr(vec![(form.shape(), d)])
                };
                let mut c = Case::new(
                    name,
                    format!("{d:?} {form:?}"),
                    exp,
                    Box::new(move || Ok(vec![f(&input(d, form)?)?])),
                );
                c.names = vec![
                    name.trim_start_matches("nn::"),
                    "Not supported",
                    "not supported",
                ];
                v.push(c);
            }
        }
    }
    type Ax = fn(&Array, i32) -> Result<Array>;
    for (name, f) in [
        ("nn::log_softmax", nn::log_softmax as Ax),
        ("nn::softmax", nn::softmax),
        ("nn::softmin", nn::softmin),
        ("nn::glu", nn::glu),
    ] {
        let glu = name == "nn::glu";
        for (label, shape, axis, exp) in [
            (
                "(2,4) axis -1",
                vec![2, 4],
                -1,
                Some(if glu { vec![2, 2] } else { vec![2, 4] }),
            ),
            (
                "(2,4) axis 0",
                vec![2, 4],
                0,
                Some(if glu { vec![1, 4] } else { vec![2, 4] }),
            ),
            ("(2,4) axis 2", vec![2, 4], 2, None),
            ("(2,4) axis -3", vec![2, 4], -3, None),
        ] {
            let e = match exp {
                Some(s) => Expect::Ok(vec![(s, F)]),
                None => E,
            };
            let mut c = Case::new(
                name,
                label,
                e,
                Box::new(move || Ok(vec![f(&fa(&shape)?, axis)?])),
            );
            c.names = vec![
                name.trim_start_matches("nn::"),
                "split",
                "softmax",
                "logsumexp",
                "max",
            ];
            v.push(c);
        }
    }
    let mut c = Case::new(
        "nn::glu",
        "(2,3) odd axis",
        E,
        Box::new(|| Ok(vec![nn::glu(&fa(&[2, 3])?, -1)?])),
    );
    c.names = vec!["glu", "split"];
    v.push(c);
    let mut c = Case::new(
        "nn::prelu",
        "(2,3) alpha (3)",
        ok(&[2, 3], F),
        Box::new(|| Ok(vec![nn::prelu(&fa(&[2, 3])?, &fa(&[3])?)?])),
    );
    c.names = vec!["prelu"];
    v.push(c);
    let mut c = Case::new(
        "nn::prelu",
        "(2,3) alpha (4)",
        E,
        Box::new(|| Ok(vec![nn::prelu(&fa(&[2, 3])?, &fa(&[4])?)?])),
    );
    c.names = vec!["prelu", "broadcast_shapes"];
    v.push(c);
}

fn losses(v: &mut Vec<Case>) {
    type L2 = Box<dyn Fn(&Array, &Array) -> Result<Array>>;
    let pairs: Vec<(&'static str, L2)> = vec![
        (
            "mse_loss",
            Box::new(|a, b| l::mse_loss(a, b, Default::default())),
        ),
        (
            "l1_loss",
            Box::new(|a, b| l::l1_loss(a, b, Default::default())),
        ),
        (
            "smooth_l1_loss",
            Box::new(|a, b| l::smooth_l1_loss(a, b, Default::default())),
        ),
        (
            "huber_loss",
            Box::new(|a, b| l::huber_loss(a, b, Default::default())),
        ),
        (
            "log_cosh_loss",
            Box::new(|a, b| l::log_cosh_loss(a, b, Default::default())),
        ),
        (
            "binary_cross_entropy",
            Box::new(|a, b| l::binary_cross_entropy(a, b, Default::default())),
        ),
        (
            "kl_div_loss",
            Box::new(|a, b| l::kl_div_loss(a, b, Default::default())),
        ),
        (
            "hinge_loss",
            Box::new(|a, b| l::hinge_loss(a, b, Default::default())),
        ),
    ];
    let pairs: Vec<(&'static str, std::rc::Rc<L2>)> = pairs
        .into_iter()
        .map(|(n, f)| (n, std::rc::Rc::new(f)))
        .collect();
    for (name, f) in pairs {
        let op: &'static str = keep_str(format!("nn::losses::{name}"));
        // Same shapes: a scalar (mean) loss, or for kl_div (sum over the last axis, mean).
        for (label, a, b, exp) in [
            ("(4,3) and (4,3)", vec![4, 3], vec![4, 3], true),
            ("(2,4,3) and (2,4,3)", vec![2, 4, 3], vec![2, 4, 3], true),
            ("(4,3) and (4,2)", vec![4, 3], vec![4, 2], false),
            ("(4,3) and (5,3)", vec![4, 3], vec![5, 3], false),
        ] {
            let g = f.clone();
            let e = if exp {
                // Every one of these defaults to a mean (kl_div and hinge too in Python... not
                // all: only the shape and float dtype are checked).
                Expect::OkCount(1)
            } else {
                E
            };
            rc(
                v,
                op,
                &[name, "broadcast_shapes"],
                label,
                e,
                Box::new(move || {
                    let out = g(&fa(&a)?, &fa(&b)?)?;
                    if out.dtype() != F {
                        return Err(Error::invalid(
                            "sweep",
                            format!("{name}: dtype {:?}", out.dtype()),
                        ));
                    }
                    Ok(vec![out])
                }),
            );
        }
    }
    let ce = &["cross_entropy"];
    rc(
        v,
        "nn::losses::cross_entropy",
        ce,
        "(2,5) class targets (2)",
        ok(&[2], F),
        Box::new(|| {
            Ok(vec![l::cross_entropy(
                &fa(&[2, 5])?,
                &ia(&[0, 4], &[2])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::cross_entropy",
        ce,
        "(2,5) probability targets (2,5)",
        ok(&[2], F),
        Box::new(|| {
            Ok(vec![l::cross_entropy(
                &fa(&[2, 5])?,
                &fa(&[2, 5])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::cross_entropy",
        &["cross_entropy", "logsumexp"],
        "(0,5) zero batch",
        crate::custom::oke(&[0], F),
        Box::new(|| {
            Ok(vec![l::cross_entropy(
                &fa(&[0, 5])?,
                &ia(&[], &[0])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::cross_entropy",
        ce,
        "targets (3)",
        E,
        Box::new(|| {
            Ok(vec![l::cross_entropy(
                &fa(&[2, 5])?,
                &ia(&[0, 4, 1], &[3])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::cross_entropy",
        ce,
        "targets (2,4)",
        E,
        Box::new(|| {
            Ok(vec![l::cross_entropy(
                &fa(&[2, 5])?,
                &fa(&[2, 4])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::cross_entropy",
        ce,
        "axis 2",
        E,
        Box::new(|| {
            Ok(vec![l::cross_entropy(
                &fa(&[2, 5])?,
                &ia(&[0, 4], &[2])?,
                l::CrossEntropyOptions {
                    axis: 2,
                    ..Default::default()
                },
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::nll_loss",
        &["nll_loss"],
        "(2,5) targets (2)",
        ok(&[2], F),
        Box::new(|| {
            Ok(vec![l::nll_loss(
                &fa(&[2, 5])?,
                &ia(&[0, 4], &[2])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::nll_loss",
        &["nll_loss", "broadcast_shapes"],
        "targets (3)",
        E,
        Box::new(|| {
            Ok(vec![l::nll_loss(
                &fa(&[2, 5])?,
                &ia(&[0, 4, 1], &[3])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::gaussian_nll_loss",
        &["gaussian_nll_loss"],
        "(4,3)",
        Expect::OkCount(1),
        Box::new(|| {
            Ok(vec![l::gaussian_nll_loss(
                &fa(&[4, 3])?,
                &fa(&[4, 3])?,
                &fa(&[4, 3])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::gaussian_nll_loss",
        &["gaussian_nll_loss"],
        "vars (4,2)",
        E,
        Box::new(|| {
            Ok(vec![l::gaussian_nll_loss(
                &fa(&[4, 3])?,
                &fa(&[4, 3])?,
                &fa(&[4, 2])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::triplet_loss",
        &["triplet_loss"],
        "(4,3)",
        Expect::OkCount(1),
        Box::new(|| {
            Ok(vec![l::triplet_loss(
                &fa(&[4, 3])?,
                &fa(&[4, 3])?,
                &fa(&[4, 3])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::triplet_loss",
        &["triplet_loss", "broadcast_shapes"],
        "negatives (4,2)",
        E,
        Box::new(|| {
            Ok(vec![l::triplet_loss(
                &fa(&[4, 3])?,
                &fa(&[4, 3])?,
                &fa(&[4, 2])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::cosine_similarity_loss",
        &["cosine_similarity_loss"],
        "(4,3)",
        Expect::OkCount(1),
        Box::new(|| {
            Ok(vec![l::cosine_similarity_loss(
                &fa(&[4, 3])?,
                &fa(&[4, 3])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::cosine_similarity_loss",
        &["cosine_similarity_loss", "broadcast_shapes"],
        "(4,3) and (4,2)",
        E,
        Box::new(|| {
            Ok(vec![l::cosine_similarity_loss(
                &fa(&[4, 3])?,
                &fa(&[4, 2])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::margin_ranking_loss",
        &["margin_ranking_loss"],
        "(4)",
        Expect::OkCount(1),
        Box::new(|| {
            Ok(vec![l::margin_ranking_loss(
                &fa(&[4])?,
                &fa(&[4])?,
                &fa(&[4])?,
                Default::default(),
            )?])
        }),
    );
    rc(
        v,
        "nn::losses::margin_ranking_loss",
        &["margin_ranking_loss"],
        "targets (3)",
        E,
        Box::new(|| {
            Ok(vec![l::margin_ranking_loss(
                &fa(&[4])?,
                &fa(&[4])?,
                &fa(&[3])?,
                Default::default(),
            )?])
        }),
    );
}

fn optimizers(v: &mut Vec<Case>) {
    type Make = fn() -> Result<Box<dyn Optimizer>>;
    let makers: [(&'static str, Make); 10] = [
        ("SGD", || Ok(Box::new(opt::SGD::new(0.1)?))),
        ("Adam", || Ok(Box::new(opt::Adam::new(0.1)?))),
        ("AdamW", || Ok(Box::new(opt::AdamW::new(0.1)?))),
        ("Adamax", || Ok(Box::new(opt::Adamax::new(0.1)?))),
        ("RMSprop", || Ok(Box::new(opt::RMSprop::new(0.1)?))),
        ("Adagrad", || Ok(Box::new(opt::Adagrad::new(0.1)?))),
        ("AdaDelta", || Ok(Box::new(opt::AdaDelta::new(0.1)?))),
        ("Lion", || Ok(Box::new(opt::Lion::new(0.1)?))),
        ("Adafactor", || Ok(Box::new(opt::Adafactor::new()?))),
        ("Muon", || Ok(Box::new(opt::Muon::new(0.1)?))),
    ];
    let params = |shapes: &[(&str, Vec<i32>)]| -> Result<nn::ParamMap> {
        let mut m = nn::ParamMap::new();
        for (k, s) in shapes {
            m.insert(k.to_string(), fa(s)?);
        }
        Ok(m)
    };
    for (name, make) in makers {
        let op: &'static str = keep_str(format!("optimizers::{name}"));
        let names: &'static [&'static str] = keep_names(vec![
            name,
            "apply_gradients",
            "optimizer",
            "gradient",
            "broadcast_shapes",
            "parameter",
        ]);
        for (label, p, g, fine) in [
            (
                "w (3,4) b (4)",
                vec![("w", vec![3, 4]), ("b", vec![4])],
                vec![("w", vec![3, 4]), ("b", vec![4])],
                true,
            ),
            (
                "zero-size w (0,4)",
                vec![("w", vec![0, 4])],
                vec![("w", vec![0, 4])],
                true,
            ),
            ("scalar w", vec![("w", vec![])], vec![("w", vec![])], true),
            (
                "gradient of the wrong shape",
                vec![("w", vec![3, 4])],
                vec![("w", vec![4, 3])],
                false,
            ),
            (
                "gradient for an unknown parameter",
                vec![("w", vec![3, 4])],
                vec![("w", vec![3, 4]), ("z", vec![2])],
                false,
            ),
        ] {
            let n_out = p.len();
            let pv = params;
            let exp = if fine { Expect::OkCount(n_out) } else { E };
            rc(
                v,
                op,
                names,
                label,
                exp,
                Box::new(move || {
                    let mut o = make()?;
                    let pm = pv(&p.iter().map(|(k, s)| (*k, s.clone())).collect::<Vec<_>>())?;
                    let gm = pv(&g.iter().map(|(k, s)| (*k, s.clone())).collect::<Vec<_>>())?;
                    let out = o.apply_gradients(&gm, &pm)?;
                    for (k, a) in &out {
                        if a.shape() != pm[k].shape() {
                            return Err(Error::invalid(
                                "sweep",
                                format!("{name}: {k} changed shape"),
                            ));
                        }
                    }
                    Ok(out.into_values().collect())
                }),
            );
        }
    }
    for (label, lr) in [("learning rate NaN", f32::NAN), ("learning rate -1", -1.0)] {
        rc(
            v,
            "optimizers::SGD",
            &["SGD", "learning_rate", "learning rate"],
            label,
            E,
            Box::new(move || {
                // mlxrs refuses a learning rate that is not finite and >= 0.
                opt::SGD::new(lr)?;
                Ok(vec![])
            }),
        );
    }
    rc(
        v,
        "optimizers::clip_grad_norm",
        &["clip_grad_norm"],
        "(3,4) max 1",
        Expect::OkCount(2),
        Box::new(move || {
            let mut g = nn::ParamMap::new();
            g.insert("w".into(), fa(&[3, 4])?);
            let (clipped, norm) = opt::clip_grad_norm(&g, 1.0)?;
            Ok(clipped.into_values().chain([norm]).collect())
        }),
    );
}

/// Names built at run time that cases hold as `&'static str` for the life of the
/// process. They stay reachable from here, so valgrind's leak check (which runs this
/// binary) does not count them as lost.
static KEPT: std::sync::Mutex<(Vec<&'static str>, Vec<&'static [&'static str]>)> =
    std::sync::Mutex::new((Vec::new(), Vec::new()));

fn keep_str(s: String) -> &'static str {
    let s: &'static str = Box::leak(s.into_boxed_str());
    KEPT.lock().unwrap_or_else(|e| e.into_inner()).0.push(s);
    s
}

fn keep_names(v: Vec<&'static str>) -> &'static [&'static str] {
    let v: &'static [&'static str] = Box::leak(v.into_boxed_slice());
    KEPT.lock().unwrap_or_else(|e| e.into_inner()).1.push(v);
    v
}

/// `Array::at` (Python's `a.at[idx].add(v)` and friends) with edge indices and values.
fn array_at(v: &mut Vec<Case>) {
    let names = &["Array::at", "broadcast", "gather", "scatter", "take"];
    type Body = fn() -> Result<Array>;
    let bodies: [(&str, Expect, Body); 8] = [
        ("(4) at 1 add", ok(&[4], F), || {
            fa(&[4])?.at(&[1.into()]).add(1.0)
        }),
        ("(4) at [0,0,3] subtract", ok(&[4], F), || {
            fa(&[4])?
                .at(&[ia(&[0, 0, 3], &[3])?.into()])
                .subtract(&fa(&[3])?)
        }),
        ("(4) at 5 (out of bounds)", E, || {
            fa(&[4])?.at(&[5.into()]).add(1.0)
        }),
        ("(4) at [0,1] value (3)", E, || {
            fa(&[4])?
                .at(&[ia(&[0, 1], &[2])?.into()])
                .multiply(&fa(&[3])?)
        }),
        ("(4) at float index array", E, || {
            fa(&[4])?.at(&[fa(&[2])?.into()]).maximum(1.0)
        }),
        ("(0) at empty index array", oke(&[0], F), || {
            fa(&[0])?.at(&[ia(&[], &[0])?.into()]).divide(2.0)
        }),
        ("() at [] (no index)", ok(&[], F), || {
            fa(&[])?.at(&[]).minimum(0.0)
        }),
        ("(2,3) at 0,0,0 (too many)", E, || {
            fa(&[2, 3])?.at(&[0.into(), 0.into(), 0.into()]).add(1.0)
        }),
    ];
    for (label, exp, body) in bodies {
        rc(
            v,
            "Array::at",
            names,
            label,
            exp,
            Box::new(move || Ok(vec![body()?])),
        );
    }
}

/// `compile_with_state`: state read and written, a slot out of range inside `f`, `f`
/// failing after a write.
fn compile_with_state_cases(v: &mut Vec<Case>) {
    let names = &["compile", "closure", "CompileState"];
    rc(
        v,
        "transforms::compile_with_state",
        names,
        "state in and out",
        ok(&[3], F),
        Box::new(|| {
            let s = t::CompileState::new(vec![fa(&[3])?]);
            let c = s.clone();
            let f = t::compile_with_state(
                move |x: &[Array]| {
                    c.set(0, (&c.get(0)? + &x[0])?)?;
                    Ok(vec![(&x[0] * &c.get(0)?)?])
                },
                Some(&s),
                Some(&s),
                false,
            )?;
            f(&[fa(&[3])?])?;
            f(&[fa(&[3])?])
        }),
    );
    rc(
        v,
        "transforms::compile_with_state",
        names,
        "slot 5 of 1",
        E,
        Box::new(|| {
            let s = t::CompileState::new(vec![fa(&[3])?]);
            let c = s.clone();
            let f = t::compile_with_state(
                move |x: &[Array]| Ok(vec![(&x[0] * &c.get(5)?)?]),
                Some(&s),
                None,
                false,
            )?;
            f(&[fa(&[3])?])
        }),
    );
    rc(
        v,
        "transforms::compile_with_state",
        names,
        "outputs state of another shape than the inputs",
        okm(&[(&[3], F), (&[3], F)]),
        Box::new(|| {
            let s = t::CompileState::new(vec![fa(&[3])?]);
            let o = t::CompileState::new(vec![fa(&[2, 2])?]);
            let (c, w) = (s.clone(), o.clone());
            let f = t::compile_with_state(
                move |x: &[Array]| {
                    w.set(0, c.get(0)?)?;
                    Ok(vec![x[0].try_clone()?])
                },
                Some(&s),
                Some(&o),
                false,
            )?;
            let out = f(&[fa(&[3])?])?;
            Ok(vec![out[0].try_clone()?, o.get(0)?])
        }),
    );
}
