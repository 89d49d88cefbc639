//! Elementwise math, comparisons, logical and bitwise ops, softmax.

use mlxrs::{Result, ops};

use super::*;
use crate::harness::{Dom, P, Table, one};

const R3: Dom = Dom::U(-3.0, 3.0);

pub fn cases(t: &mut Table) -> Result<()> {
    // Unary math: (op, f, domain, differentiable).
    let float_unary: &[(&str, Un, Dom, bool)] = &[
        ("sqrt", ops::sqrt, Dom::U(0.1, 4.0), true),
        ("rsqrt", ops::rsqrt, Dom::U(0.1, 4.0), true),
        (
            "reciprocal",
            ops::reciprocal,
            Dom::Away(-3.0, 3.0, 0.2),
            true,
        ),
        ("exp", ops::exp, R3, true),
        ("expm1", ops::expm1, Dom::U(-1.0, 1.0), true),
        ("log", ops::log, Dom::U(0.1, 5.0), true),
        ("log2", ops::log2, Dom::U(0.1, 5.0), true),
        ("log10", ops::log10, Dom::U(0.1, 5.0), true),
        ("log1p", ops::log1p, Dom::U(-0.5, 3.0), true),
        ("sin", ops::sin, Dom::U(-4.0, 4.0), true),
        ("cos", ops::cos, Dom::U(-4.0, 4.0), true),
        ("tan", ops::tan, Dom::U(-1.2, 1.2), true),
        ("arcsin", ops::arcsin, Dom::U(-0.95, 0.95), true),
        ("arccos", ops::arccos, Dom::U(-0.95, 0.95), true),
        ("arctan", ops::arctan, R3, true),
        ("sinh", ops::sinh, Dom::U(-2.0, 2.0), true),
        ("cosh", ops::cosh, Dom::U(-2.0, 2.0), true),
        ("tanh", ops::tanh, R3, true),
        ("arcsinh", ops::arcsinh, R3, true),
        ("arccosh", ops::arccosh, Dom::U(1.1, 4.0), true),
        ("arctanh", ops::arctanh, Dom::U(-0.9, 0.9), true),
        ("sigmoid", ops::sigmoid, Dom::U(-4.0, 4.0), true),
        ("erf", ops::erf, Dom::U(-2.0, 2.0), true),
        ("erfinv", ops::erfinv, Dom::U(-0.9, 0.9), true),
        ("floor", ops::floor, R3, false),
        ("ceil", ops::ceil, R3, false),
        ("trunc", ops::trunc, R3, false),
        ("degrees", ops::degrees, R3, true),
        ("radians", ops::radians, Dom::U(-180.0, 180.0), true),
        ("stop_gradient", ops::stop_gradient, R3, true),
    ];
    for &(op, f, dom, grad) in float_unary {
        unary(t, op, f, dom, FLOATS, grad)?;
    }
    // Unary ops that also take integers.
    let numeric_unary: &[(&str, Un)] = &[
        ("negative", ops::negative),
        ("positive", ops::positive),
        ("abs", ops::abs),
        ("square", ops::square),
        ("sign", ops::sign),
    ];
    for &(op, f) in numeric_unary {
        let grad = op != "sign";
        unary(t, op, f, Dom::U(-5.0, 5.0), FLOATS, grad)?;
        unary_one(t, op, f, Dom::U(-5.0, 5.0), &[I32, I8, U8, I64], false)?;
    }
    for (op, f) in [("floor", ops::floor as Un), ("ceil", ops::ceil)] {
        unary_one(t, op, f, Dom::U(-5.0, 5.0), &[I32], false)?;
    }
    // Complex inputs.
    let complex_unary: &[(&str, Un)] = &[
        ("abs", ops::abs),
        ("negative", ops::negative),
        ("square", ops::square),
        ("exp", ops::exp),
        ("log", ops::log),
        ("sqrt", ops::sqrt),
        ("sin", ops::sin),
        ("cos", ops::cos),
        ("conjugate", ops::conjugate),
        ("real", ops::real),
        ("imag", ops::imag),
    ];
    for &(op, f) in complex_unary {
        unary_one(t, op, f, Dom::U(-2.0, 2.0), &[C64], false)?;
    }
    // float64 (CPU only in MLX).
    for &(op, f) in &[
        ("exp", ops::exp as Un),
        ("log", ops::log),
        ("sin", ops::sin),
        ("tanh", ops::tanh),
        ("sqrt", ops::sqrt),
    ] {
        unary_one(t, op, f, Dom::U(0.1, 3.0), &[F64], true)?;
    }
    // NaN, infinities and signed zeros.
    let special: &[(&str, Un)] = &[
        ("isnan", ops::isnan),
        ("isinf", ops::isinf),
        ("isfinite", ops::isfinite),
        ("isposinf", ops::isposinf),
        ("isneginf", ops::isneginf),
        ("abs", ops::abs),
        ("negative", ops::negative),
        ("exp", ops::exp),
        ("tanh", ops::tanh),
        ("sigmoid", ops::sigmoid),
        ("floor", ops::floor),
        ("sign", ops::sign),
        ("sqrt", ops::sqrt),
        ("log1p", ops::log1p),
    ];
    for &(op, f) in special {
        unary_one(t, op, f, Dom::Special, FLOATS, false)?;
    }

    // Binary arithmetic: (op, f, domains, dtypes, differentiable).
    let away = Dom::Away(-3.0, 3.0, 0.5);
    let arith: &[(&str, Bin, (Dom, Dom), &[Dtype], bool)] = &[
        ("add", ops::add, (R3, R3), NUMERIC, true),
        ("subtract", ops::subtract, (R3, R3), NUMERIC, true),
        ("multiply", ops::multiply, (R3, R3), NUMERIC, true),
        ("divide", ops::divide, (R3, away), NUMERIC, true),
        (
            "floor_divide",
            ops::floor_divide,
            (Dom::U(-9.0, 9.0), away),
            NUMERIC,
            false,
        ),
        (
            "remainder",
            ops::remainder,
            (Dom::U(-9.0, 9.0), away),
            NUMERIC,
            false,
        ),
        (
            "power",
            ops::power,
            (Dom::U(0.2, 3.0), Dom::U(-2.0, 2.0)),
            FLOATS,
            true,
        ),
        ("maximum", ops::maximum, (R3, R3), NUMERIC, true),
        ("minimum", ops::minimum, (R3, R3), NUMERIC, true),
        ("logaddexp", ops::logaddexp, (R3, R3), FLOATS, true),
        ("arctan2", ops::arctan2, (R3, away), FLOATS, true),
    ];
    for &(op, f, doms, dtypes, grad) in arith {
        binary(t, op, f, doms, dtypes, grad)?;
    }
    for &(op, f) in &[
        ("add", ops::add as Bin),
        ("multiply", ops::multiply),
        ("divide", ops::divide),
        ("maximum", ops::maximum),
    ] {
        binary_mixed(t, op, f, (Dom::U(1.0, 5.0), Dom::U(1.0, 5.0)), PROMOTIONS)?;
    }
    binary(
        t,
        "power",
        ops::power,
        (Dom::Int(-4, 4), Dom::Int(0, 4)),
        &[I32],
        false,
    )?;
    for &(op, f) in &[
        ("add", ops::add as Bin),
        ("multiply", ops::multiply),
        ("divide", ops::divide),
    ] {
        for d in [C64, F64] {
            let a = t.input(d, &[3, 4], R3)?;
            let b = t.input(d, &[4], away)?;
            t.add(op, P::new(), vec![a, b], move |x| one(f(&x[0], &x[1])));
        }
    }
    for &(op, f) in &[
        ("maximum", ops::maximum as Bin),
        ("minimum", ops::minimum),
        ("add", ops::add),
        ("logaddexp", ops::logaddexp),
    ] {
        for &d in FLOATS {
            let a = t.input(d, &[3, 4], Dom::Special)?;
            let b = t.input(d, &[3, 4], Dom::Special)?;
            t.add(op, P::new(), vec![a, b], move |x| one(f(&x[0], &x[1])));
        }
    }

    // Comparisons, on integer-valued inputs so that ties happen.
    let cmp: &[(&str, Bin)] = &[
        ("equal", ops::equal),
        ("not_equal", ops::not_equal),
        ("less", ops::less),
        ("less_equal", ops::less_equal),
        ("greater", ops::greater),
        ("greater_equal", ops::greater_equal),
    ];
    for &(op, f) in cmp {
        binary(t, op, f, (Dom::Int(-2, 2), Dom::Int(-2, 2)), NUMERIC, false)?;
        binary_mixed(
            t,
            op,
            f,
            (Dom::Int(0, 3), Dom::Int(0, 3)),
            &[(I32, F32), (U8, I8), (BOOL, I32)],
        )?;
        let a = t.input(F32, &[3, 4], Dom::Special)?;
        let b = t.input(F32, &[3, 4], Dom::Special)?;
        t.add(op, P::new(), vec![a, b], move |x| one(f(&x[0], &x[1])));
    }

    // Logical and bitwise.
    let logical: &[(&str, Bin)] = &[
        ("logical_and", ops::logical_and),
        ("logical_or", ops::logical_or),
        ("logical_xor", ops::logical_xor),
    ];
    for &(op, f) in logical {
        binary(
            t,
            op,
            f,
            (Dom::Int(0, 1), Dom::Int(0, 1)),
            &[BOOL, F32, I32],
            false,
        )?;
    }
    unary(
        t,
        "logical_not",
        ops::logical_not,
        Dom::Int(0, 1),
        &[BOOL, F32, I32],
        false,
    )?;
    let bitwise: &[(&str, Bin)] = &[
        ("bitwise_and", ops::bitwise_and),
        ("bitwise_or", ops::bitwise_or),
        ("bitwise_xor", ops::bitwise_xor),
    ];
    for &(op, f) in bitwise {
        binary(
            t,
            op,
            f,
            (Dom::Int(-100, 100), Dom::Int(-100, 100)),
            &[I32, U8, I16, U32, BOOL],
            false,
        )?;
    }
    for &(op, f) in &[
        ("left_shift", ops::left_shift as Bin),
        ("right_shift", ops::right_shift),
    ] {
        binary(
            t,
            op,
            f,
            (Dom::Int(-100, 100), Dom::Int(0, 6)),
            &[I32, U8, I64, U16],
            false,
        )?;
    }
    unary(
        t,
        "bitwise_invert",
        ops::bitwise_invert,
        Dom::Int(-100, 100),
        &[I32, U8, I16],
        false,
    )?;

    // Softmax: all axes, one axis, several; `precise` for half precision.
    for &d in FLOATS {
        let precise = d != F32;
        let x = t.input(d, &[2, 3, 5], Dom::U(-4.0, 4.0))?;
        let p = P::new().b("precise", precise);
        t.add("softmax", p.clone(), vec![x.clone()], move |x| {
            one(ops::softmax(&x[0], precise))
        })
        .grad();
        t.add(
            "softmax",
            p.clone().i("axis", -1),
            vec![x.clone()],
            move |x| one(ops::softmax_axis(&x[0], -1, precise)),
        )
        .grad();
        t.add(
            "softmax",
            p.clone().i("axis", 1),
            vec![x.clone()],
            move |x| one(ops::softmax_axis(&x[0], 1, precise)),
        )
        .grad();
        t.add("softmax", p.is("axis", &[0, 2]), vec![x], move |x| {
            one(ops::softmax_axes(&x[0], &[0, 2], precise))
        })
        .grad();
    }
    extras(t)
}

/// clip, round, nan_to_num, divmod, isclose, allclose, array_equal.
fn extras(t: &mut Table) -> Result<()> {
    let x34: &[&[i32]] = &[&[3, 4]];
    // clip with array bounds (broadcast), and with one bound missing.
    let bounds: &[&[i32]] = &[&[3, 4], &[4], &[3, 1]];
    each(t, "clip", P::new(), (bounds, R3), NUMERIC, true, |x| {
        one(ops::clip(&x[0], Some(&x[1]), Some(&x[2])))
    })?;
    let two: &[&[i32]] = &[&[3, 4], &[4]];
    each(
        t,
        "clip",
        P::new().s("_special", "clip_max"),
        (two, R3),
        FLOATS,
        true,
        |x| one(ops::clip(&x[0], None, Some(&x[1]))),
    )?;
    each(
        t,
        "clip",
        P::new().s("_special", "clip_min"),
        (two, R3),
        &[F32, I32],
        true,
        |x| one(ops::clip(&x[0], Some(&x[1]), None)),
    )?;
    for decimals in [0, 2, -1] {
        let p = P::new().i("decimals", decimals.into());
        let dom = Dom::U(-50.0, 50.0);
        each(
            t,
            "round",
            p,
            (x34, dom),
            &[F32, F16, BF16, F64],
            false,
            move |x| one(ops::round(&x[0], decimals)),
        )?;
    }
    each(
        t,
        "round",
        P::new().i("decimals", 0),
        (x34, R3),
        &[I32],
        false,
        |x| one(ops::round(&x[0], 0)),
    )?;
    let sp = Dom::Special;
    each(t, "nan_to_num", P::new(), (x34, sp), FLOATS, false, |x| {
        one(ops::nan_to_num(&x[0], 0.0, None, None))
    })?;
    let p = P::new()
        .f("nan", -1.0)
        .f("posinf", 100.0)
        .f("neginf", -100.0);
    each(t, "nan_to_num", p, (x34, sp), FLOATS, false, |x| {
        one(ops::nan_to_num(&x[0], -1.0, Some(100.0), Some(-100.0)))
    })?;
    let p = P::new().f("nan", 2.5).f("neginf", -7.0);
    each(t, "nan_to_num", p, (x34, sp), &[F32], false, |x| {
        one(ops::nan_to_num(&x[0], 2.5, None, Some(-7.0)))
    })?;
    let p = P::new().s("_special", "depends").i("n_inputs", 2);
    each(
        t,
        "depends",
        p,
        (&[&[3], &[2, 2], &[4]], R3),
        &[F32, I32],
        true,
        |x| ops::depends(&x[..2], &x[2..]),
    )?;
    let dm: &[&[i32]] = &[&[3, 4], &[4]];
    each(
        t,
        "divmod",
        P::new(),
        (dm, Dom::Away(-9.0, 9.0, 0.5)),
        NUMERIC,
        false,
        |x| {
            let (q, r) = ops::divmod(&x[0], &x[1])?;
            Ok(vec![q, r])
        },
    )?;

    // isclose / allclose / array_equal: the second input is the first, perturbed.
    for &d in &[F32, F16, I32] {
        let a = t.input(d, &[3, 4], Dom::Special)?;
        let noise = t.input(d, &[3, 4], Dom::U(-1e-3, 1e-3))?;
        let b = ops::add(&a, &noise)?;
        b.eval()?;
        for (rtol, atol, equal_nan) in [(1e-5, 1e-8, false), (1e-2, 1e-3, true)] {
            let p = P::new()
                .f("rtol", rtol)
                .f("atol", atol)
                .b("equal_nan", equal_nan);
            t.add("isclose", p.clone(), vec![a.clone(), b.clone()], move |x| {
                one(ops::isclose(&x[0], &x[1], rtol, atol, equal_nan))
            });
            t.add("allclose", p, vec![a.clone(), b.clone()], move |x| {
                one(ops::allclose(&x[0], &x[1], rtol, atol, equal_nan))
            });
        }
        for equal_nan in [false, true] {
            let p = P::new().b("equal_nan", equal_nan);
            t.add(
                "array_equal",
                p.clone(),
                vec![a.clone(), a.clone()],
                move |x| one(ops::array_equal(&x[0], &x[1], equal_nan)),
            );
            t.add("array_equal", p, vec![a.clone(), b.clone()], move |x| {
                one(ops::array_equal(&x[0], &x[1], equal_nan))
            });
        }
    }
    Ok(())
}
