//! Shape manipulation: reshape, transpose, broadcast, join, split, slice, pad, ...

use mlxrs::{Array, Result, ops};

use super::*;
use crate::harness::{Dom, P, Table, one};

/// Shape ops move data without arithmetic: every dtype family, exact.
const DTYPES: &[Dtype] = &[F32, F16, BF16, I32, BOOL];

pub fn cases(t: &mut Table) -> Result<()> {
    let x234: &[&[i32]] = &[&[2, 3, 4]];
    for (shape, json) in [
        (&[4, 6][..], "[4, 6]"),
        (&[-1][..], "[-1]"),
        (&[3, -1, 2][..], "[3, -1, 2]"),
    ] {
        each_dtype(
            t,
            "reshape",
            P::new().raw("shape", json),
            x234,
            DTYPES,
            move |x| one(ops::reshape(&x[0], shape)),
        )?;
    }
    each_dtype(t, "transpose", P::new(), x234, DTYPES, |x| {
        one(ops::transpose(&x[0]))
    })?;
    each_dtype(
        t,
        "transpose",
        P::new().is("axes", &[1, 0, 2]),
        x234,
        DTYPES,
        |x| one(ops::transpose_axes(&x[0], &[1, 0, 2])),
    )?;
    each_dtype(
        t,
        "swapaxes",
        P::new().i("axis1", 0).i("axis2", 2),
        x234,
        DTYPES,
        |x| one(ops::swapaxes(&x[0], 0, 2)),
    )?;
    let p = P::new().i("source", 0).i("destination", -1);
    each_dtype(t, "moveaxis", p, x234, DTYPES, |x| {
        one(ops::moveaxis(&x[0], 0, -1))
    })?;

    let x1314: &[&[i32]] = &[&[1, 3, 1, 4]];
    each_dtype(t, "squeeze", P::new(), x1314, DTYPES, |x| {
        one(ops::squeeze(&x[0]))
    })?;
    each_dtype(
        t,
        "squeeze",
        P::new().is("axis", &[0, 2]),
        x1314,
        DTYPES,
        |x| one(ops::squeeze_axes(&x[0], &[0, 2])),
    )?;
    each_dtype(t, "squeeze", P::new().i("axis", 2), x1314, DTYPES, |x| {
        one(ops::squeeze_axis(&x[0], 2))
    })?;
    each_dtype(t, "expand_dims", P::new().i("axis", 1), x234, DTYPES, |x| {
        one(ops::expand_dims(&x[0], 1))
    })?;
    each_dtype(
        t,
        "expand_dims",
        P::new().is("axis", &[0, 4]),
        x234,
        DTYPES,
        |x| one(ops::expand_dims_axes(&x[0], &[0, 4])),
    )?;
    each_dtype(
        t,
        "broadcast_to",
        P::new().is("shape", &[2, 3, 4]),
        &[&[3, 1]],
        DTYPES,
        |x| one(ops::broadcast_to(&x[0], &[2, 3, 4])),
    )?;
    each_dtype(t, "flatten", P::new(), x234, DTYPES, |x| {
        one(ops::flatten(&x[0], 0, -1))
    })?;
    let p = P::new().i("start_axis", 1).i("end_axis", 2);
    each_dtype(t, "flatten", p, &[&[2, 3, 4, 5]], DTYPES, |x| {
        one(ops::flatten(&x[0], 1, 2))
    })?;
    let p = P::new().i("axis", 1).is("shape", &[2, -1]);
    each_dtype(t, "unflatten", p, &[&[3, 8, 2]], DTYPES, |x| {
        one(ops::unflatten(&x[0], 1, &[2, -1]))
    })?;
    for (op, f) in [
        ("atleast_1d", ops::atleast_1d as Un),
        ("atleast_2d", ops::atleast_2d),
        ("atleast_3d", ops::atleast_3d),
    ] {
        for s in [&[][..], &[3], &[2, 3]] {
            each_dtype(t, op, P::new(), &[s], &[F32, I32], move |x| one(f(&x[0])))?;
        }
    }
    each_dtype(t, "copy", P::new(), x234, DTYPES, |x| one(ops::copy(&x[0])))?;
    each_dtype(
        t,
        "contiguous",
        P::new().s("_pre", "transpose"),
        x234,
        DTYPES,
        |x| one(ops::contiguous(&ops::transpose(&x[0])?, false)),
    )?;

    // Joining and splitting (Python takes a list: `_list`).
    let p = P::new().b("_list", true).i("axis", 0);
    each_dtype(t, "concatenate", p, &[&[2, 3], &[4, 3]], DTYPES, |x| {
        one(ops::concatenate(x, 0))
    })?;
    let p = P::new().b("_list", true).i("axis", -1);
    each_dtype(
        t,
        "concatenate",
        p,
        &[&[2, 3], &[2, 1], &[2, 2]],
        DTYPES,
        |x| one(ops::concatenate(x, -1)),
    )?;
    let p = P::new().b("_list", true).none("axis");
    each_dtype(t, "concatenate", p, &[&[2, 3], &[4]], DTYPES, |x| {
        one(ops::concatenate_flat(x))
    })?;
    for axis in [0, -1] {
        let p = P::new().b("_list", true).i("axis", axis.into());
        each_dtype(
            t,
            "stack",
            p,
            &[&[2, 3], &[2, 3], &[2, 3]],
            DTYPES,
            move |x| one(ops::stack(x, axis)),
        )?;
    }
    let p = P::new().i("indices_or_sections", 3).i("axis", 0);
    each_dtype(t, "split", p, &[&[6, 4]], DTYPES, |x| {
        ops::split(&x[0], 3, 0)
    })?;
    let p = P::new().is("indices_or_sections", &[1, 3]).i("axis", 1);
    each_dtype(t, "split", p, &[&[2, 5]], DTYPES, |x| {
        ops::split_sections(&x[0], &[1, 3], 1)
    })?;
    each_dtype(
        t,
        "unstack",
        P::new().i("axis", 1),
        &[&[3, 2, 4]],
        DTYPES,
        |x| ops::unstack(&x[0], 1),
    )?;
    each_dtype(
        t,
        "broadcast_arrays",
        P::new(),
        &[&[3, 1], &[4], &[2, 1, 1]],
        DTYPES,
        ops::broadcast_arrays,
    )?;

    // Slicing as Python's `a[start:stop:step, ...]`.
    for (start, stop, strides) in [
        ([1, 0], [4, 6], [1, 2]),
        ([0, 1], [5, 5], [2, 3]),
        ([4, 5], [0, 0], [-1, -2]),
    ] {
        let p = P::new()
            .is("start", &start)
            .is("stop", &stop)
            .is("strides", &strides);
        each_dtype(t, "slice_index", p, &[&[5, 6]], DTYPES, move |x| {
            one(ops::slice(&x[0], &start, &stop, &strides))
        })?;
    }

    // Repetition, rolling, flipping, differences.
    each_dtype(
        t,
        "tile",
        P::new().pos("reps", "[2, 1, 3]"),
        &[&[2, 3]],
        DTYPES,
        |x| one(ops::tile(&x[0], &[2, 1, 3])),
    )?;
    each_dtype(
        t,
        "repeat",
        P::new().i("repeats", 2),
        &[&[2, 3]],
        DTYPES,
        |x| one(ops::repeat(&x[0], 2)),
    )?;
    each_dtype(
        t,
        "repeat",
        P::new().i("repeats", 3).i("axis", 1),
        &[&[2, 3]],
        DTYPES,
        |x| one(ops::repeat_axis(&x[0], 3, 1)),
    )?;
    each_dtype(t, "roll", P::new().i("shift", 2), x234, DTYPES, |x| {
        one(ops::roll(&x[0], &[2]))
    })?;
    each_dtype(
        t,
        "roll",
        P::new().i("shift", -1).i("axis", 1),
        x234,
        DTYPES,
        |x| one(ops::roll_axis(&x[0], &[-1], 1)),
    )?;
    let p = P::new().is("shift", &[1, -2]).is("axis", &[0, 2]);
    each_dtype(t, "roll", p, x234, DTYPES, |x| {
        one(ops::roll_axes(&x[0], &[1, -2], &[0, 2]))
    })?;
    each_dtype(t, "flip", P::new(), x234, DTYPES, |x| one(ops::flip(&x[0])))?;
    each_dtype(t, "flip", P::new().i("axis", 1), x234, DTYPES, |x| {
        one(ops::flip_axis(&x[0], 1))
    })?;
    each_dtype(t, "flip", P::new().is("axis", &[0, 2]), x234, DTYPES, |x| {
        one(ops::flip_axes(&x[0], &[0, 2]))
    })?;
    for (n, axis) in [(1, -1), (2, 0)] {
        let p = P::new().i("n", n.into()).i("axis", axis.into());
        each_dtype(t, "diff", p, &[&[4, 5]], &[F32, F16, BF16, I32], move |x| {
            one(ops::diff(&x[0], n, axis))
        })?;
    }

    // Padding.
    let modes = [
        (ops::PadMode::Constant, "constant"),
        (ops::PadMode::Edge, "edge"),
        (ops::PadMode::Reflect, "reflect"),
        (ops::PadMode::Symmetric, "symmetric"),
    ];
    for (mode, name) in modes {
        let p = P::new()
            .raw("pad_width", "[[1, 2], [0, 3]]")
            .s("mode", name);
        each_dtype(t, "pad", p, &[&[4, 5]], &[F32, BF16, I32], move |x| {
            one(ops::pad(&x[0], &[(1, 2), (0, 3)], mode, None))
        })?;
    }
    let p = P::new()
        .raw("pad_width", "[[2, 1]]")
        .f("constant_values", 7.0);
    each_dtype(t, "pad", p, &[&[3, 4]], &[F32, I32], |x| {
        let v = Array::from(7.0f32).astype(x[0].dtype())?;
        one(ops::pad(&x[0], &[(2, 1)], ops::PadMode::Constant, Some(&v)))
    })?;

    for (mode, name) in modes {
        // Only the gradient with respect to the array: MLX 0.32.2 crashes (SIGSEGV, in
        // Python too) differentiating `pad` with respect to its pad value.
        for d in [F32, I32] {
            let x = t.input(d, &[3, 4], Dom::U(-5.0, 5.0))?;
            let v = t.input(d, &[], Dom::U(-5.0, 5.0))?;
            let p = P::new()
                .i("pad_width", 2)
                .s("mode", name)
                .raw("_kw_inputs", "[null, \"constant_values\"]");
            t.add("pad", p, vec![x, v], move |x| {
                one(ops::pad_symmetric(&x[0], 2, &x[1], mode))
            })
            .grad_wrt(&[0]);
        }
        // Every axis, some with zero widths: MLX 0.32.2 indexes `low_pad_size` and
        // `high_pad_size` by axis number in `edge_pad` and in `Pad::vjp`, so a subset of
        // axes reads past their end (undefined behaviour: wrong shapes, errors).
        let (axes, low, high): (&[i32], &[i32], &[i32]) = (&[0, 1, 2], &[0, 1, 0], &[0, 3, 0]);
        let p = P::new()
            .s("_special", "pad_axes")
            .is("axes", axes)
            .is("low_pad_size", low)
            .is("high_pad_size", high)
            .s("mode", name);
        for d in [F32, BF16] {
            let x = t.input(d, &[3, 4, 5], Dom::U(-5.0, 5.0))?;
            let v = t.input(d, &[], Dom::U(-5.0, 5.0))?;
            t.add("pad", p.clone(), vec![x, v], move |x| {
                one(ops::pad_axes(&x[0], axes, low, high, &x[1], mode))
            })
            .grad_wrt(&[0]);
        }
    }

    // Reinterpreting bytes and strides.
    for (from, to) in [(F32, I32), (I32, F32), (F32, U8), (BF16, I16), (U8, F16)] {
        let shape: &[i32] = if from == U8 { &[3, 4] } else { &[3, 2] };
        let x = t.input(from, shape, Dom::U(-5.0, 5.0))?;
        t.add("view", P::new().dtype("dtype", to), vec![x], move |x| {
            one(ops::view(&x[0], to))
        });
    }
    let p = P::new()
        .is("shape", &[3, 3])
        .is("strides", &[2, 1])
        .i("offset", 1);
    each_dtype(t, "as_strided", p, &[&[12]], &[F32, I32], |x| {
        one(ops::as_strided(&x[0], &[3, 3], &[2, 1], 1))
    })?;
    Ok(())
}
