//! Cumulative ops, sorting, partitions, top-k, searchsorted.

use mlxrs::{Array, Result, ops};

use super::*;
use crate::harness::{Dom, P, Table, one};

type Flat = fn(&Array, bool, bool) -> Result<Array>;
type Along = fn(&Array, i32, bool, bool) -> Result<Array>;

fn scan(
    t: &mut Table,
    op: &str,
    (flat, along): (Flat, Along),
    dom: Dom,
    dtypes: &[Dtype],
    grad: bool,
) -> Result<()> {
    let x: &[&[i32]] = &[&[3, 5]];
    each(t, op, P::new(), (x, dom), dtypes, grad, move |x| {
        one(flat(&x[0], false, true))
    })?;
    for (axis, reverse, inclusive) in [
        (1, false, true),
        (0, true, true),
        (-1, true, false),
        (1, false, false),
    ] {
        let p = P::new()
            .i("axis", axis.into())
            .b("reverse", reverse)
            .b("inclusive", inclusive);
        each(t, op, p, (x, dom), dtypes, grad, move |x| {
            one(along(&x[0], axis, reverse, inclusive))
        })?;
    }
    let p = P::new().b("reverse", true).b("inclusive", false);
    each(t, op, p, (&[&[2, 3, 2]], dom), &[F32], grad, move |x| {
        one(flat(&x[0], true, false))
    })
}

pub fn cases(t: &mut Table) -> Result<()> {
    let r3 = Dom::U(-3.0, 3.0);
    scan(
        t,
        "cumsum",
        (
            |a, r, i| ops::cumsum(a, r, i, None),
            |a, ax, r, i| ops::cumsum_axis(a, ax, r, i, None),
        ),
        r3,
        NUMERIC,
        true,
    )?;
    scan(
        t,
        "cumprod",
        (
            |a, r, i| ops::cumprod(a, r, i, None),
            |a, ax, r, i| ops::cumprod_axis(a, ax, r, i, None),
        ),
        Dom::U(0.5, 1.5),
        FLOATS,
        true,
    )?;
    scan(
        t,
        "cumprod",
        (
            |a, r, i| ops::cumprod(a, r, i, None),
            |a, ax, r, i| ops::cumprod_axis(a, ax, r, i, None),
        ),
        Dom::Int(-2, 2),
        &[I32],
        false,
    )?;
    scan(
        t,
        "cummax",
        (ops::cummax, ops::cummax_axis),
        r3,
        NUMERIC,
        true,
    )?;
    scan(
        t,
        "cummin",
        (ops::cummin, ops::cummin_axis),
        r3,
        NUMERIC,
        true,
    )?;
    scan(
        t,
        "logcumsumexp",
        (ops::logcumsumexp, ops::logcumsumexp_axis),
        r3,
        FLOATS,
        true,
    )?;
    // An accumulation dtype.
    let x: &[&[i32]] = &[&[3, 5]];
    let p = P::new().dtype("dtype", F32);
    each(
        t,
        "cumsum",
        p,
        (x, Dom::Int(-9, 9)),
        &[I32, U8, F16],
        false,
        |x| one(ops::cumsum(&x[0], false, true, Some(F32))),
    )?;
    let p = P::new().i("axis", 0).dtype("dtype", I64);
    each(
        t,
        "cumprod",
        p,
        (x, Dom::Int(-3, 3)),
        &[I32, I8],
        false,
        |x| one(ops::cumprod_axis(&x[0], 0, false, true, Some(I64))),
    )?;

    // Sorting: flattened (`axis=None`), along an axis, and the default last axis.
    let x: &[&[i32]] = &[&[4, 6]];
    let r9 = Dom::U(-9.0, 9.0);
    type S = fn(&Array) -> Result<Array>;
    type SAxis = fn(&Array, i32) -> Result<Array>;
    for (op, last, flat, along) in [
        (
            "sort",
            ops::sort as S,
            ops::sort_flat as S,
            ops::sort_axis as SAxis,
        ),
        (
            "argsort",
            ops::argsort,
            ops::argsort_flat,
            ops::argsort_axis,
        ),
    ] {
        let grad = op == "sort";
        // No axis given: Python's default `axis=-1`.
        each(t, op, P::new(), (x, r9), NUMERIC, grad, move |x| {
            one(last(&x[0]))
        })?;
        each(
            t,
            op,
            P::new().none("axis"),
            (x, r9),
            NUMERIC,
            grad,
            move |x| one(flat(&x[0])),
        )?;
        for axis in [0, -1] {
            each(
                t,
                op,
                P::new().i("axis", axis.into()),
                (x, r9),
                NUMERIC,
                grad,
                move |x| one(along(&x[0], axis)),
            )?;
        }
        // Many ties.
        each(
            t,
            op,
            P::new().i("axis", 1),
            (x, Dom::Int(0, 2)),
            &[I32, F32],
            false,
            move |x| one(along(&x[0], 1)),
        )?;
    }
    type K = fn(&Array, i32) -> Result<Array>;
    type KAxis = fn(&Array, i32, i32) -> Result<Array>;
    for (op, last, flat, along) in [
        (
            "partition",
            ops::partition as K,
            ops::partition_flat as K,
            ops::partition_axis as KAxis,
        ),
        (
            "argpartition",
            ops::argpartition,
            ops::argpartition_flat,
            ops::argpartition_axis,
        ),
        ("topk", ops::topk, ops::topk_flat, ops::topk_axis),
    ] {
        let (key, grad) = if op == "topk" {
            ("k", true)
        } else {
            ("kth", op == "partition")
        };
        // No axis given: Python's default `axis=-1`.
        each(
            t,
            op,
            P::new().i(key, 2),
            (x, r9),
            NUMERIC,
            grad,
            move |x| one(last(&x[0], 2)),
        )?;
        let p = P::new().i(key, 3).none("axis");
        each(t, op, p, (x, r9), NUMERIC, grad, move |x| {
            one(flat(&x[0], 3))
        })?;
        for (k, axis) in [(2, 0), (4, -1)] {
            let p = P::new().i(key, k.into()).i("axis", axis.into());
            each(t, op, p, (x, r9), NUMERIC, grad, move |x| {
                one(along(&x[0], k, axis))
            })?;
        }
    }

    // searchsorted: a sorted sequence (sorted here, by MLX) and values.
    for side in [ops::Side::Left, ops::Side::Right] {
        for &d in &[F32, I32, BF16] {
            let seq = ops::sort(&t.input(d, &[9], Dom::Int(-4, 4))?)?;
            seq.eval()?;
            let values = t.input(d, &[3, 4], Dom::Int(-5, 5))?;
            let p = P::new().s("side", side.as_str());
            t.add("searchsorted", p, vec![seq, values], move |x| {
                one(ops::searchsorted(&x[0], &x[1], side))
            });
        }
    }
    Ok(())
}
