//! Reductions over all elements, one axis and several axes, with and without `keepdims`.

use mlxrs::{Array, Result, ops};

use super::*;
use crate::harness::{Dom, P, Table, one};

type All = fn(&Array, bool) -> Result<Array>;
type Axis = fn(&Array, i32, bool) -> Result<Array>;
type Axes = fn(&Array, &[i32], bool) -> Result<Array>;

/// One reduction family (`sum`, `sum_axis`, `sum_axes`) over a `[2, 3, 4]` input per dtype.
#[allow(clippy::too_many_arguments)]
fn family(
    t: &mut Table,
    op: &str,
    (all, axis, axes): (All, Axis, Axes),
    dom: Dom,
    dtypes: &[Dtype],
    grad: bool,
) -> Result<()> {
    for &d in dtypes {
        let g = grad && d.is_floating();
        let x = t.input(d, &[2, 3, 4], dom)?;
        for keepdims in [false, true] {
            let p = P::new().b("keepdims", keepdims);
            let c = t.add(op, p.clone(), vec![x.clone()], move |x| {
                one(all(&x[0], keepdims))
            });
            if g {
                c.grad();
            }
            let ax = if keepdims { -1 } else { 1 };
            let c = t.add(
                op,
                p.clone().i("axis", ax.into()),
                vec![x.clone()],
                move |x| one(axis(&x[0], ax, keepdims)),
            );
            if g {
                c.grad();
            }
            let c = t.add(op, p.is("axis", &[0, 2]), vec![x.clone()], move |x| {
                one(axes(&x[0], &[0, 2], keepdims))
            });
            if g {
                c.grad();
            }
        }
        if d == F32 {
            // A vector, and a strided input.
            let v = t.input(d, &[9], dom)?;
            let c = t.add(op, P::new().b("keepdims", false), vec![v], move |x| {
                one(all(&x[0], false))
            });
            if g {
                c.grad();
            }
            let m = t.input(d, &[4, 3], dom)?;
            let p = P::new()
                .s("_pre", "transpose")
                .i("axis", 0)
                .b("keepdims", false);
            let c = t.add(op, p, vec![m], move |x| {
                one(axis(&ops::transpose(&x[0])?, 0, false))
            });
            if g {
                c.grad();
            }
        }
    }
    Ok(())
}

pub fn cases(t: &mut Table) -> Result<()> {
    let r3 = Dom::U(-3.0, 3.0);
    family(
        t,
        "sum",
        (ops::sum, ops::sum_axis, ops::sum_axes),
        r3,
        NUMERIC,
        true,
    )?;
    family(
        t,
        "mean",
        (ops::mean, ops::mean_axis, ops::mean_axes),
        r3,
        NUMERIC,
        true,
    )?;
    family(
        t,
        "prod",
        (ops::prod, ops::prod_axis, ops::prod_axes),
        Dom::U(0.6, 1.4),
        FLOATS,
        true,
    )?;
    family(
        t,
        "prod",
        (ops::prod, ops::prod_axis, ops::prod_axes),
        Dom::Int(-2, 2),
        &[I32],
        false,
    )?;
    family(
        t,
        "max",
        (ops::max, ops::max_axis, ops::max_axes),
        r3,
        NUMERIC,
        true,
    )?;
    family(
        t,
        "min",
        (ops::min, ops::min_axis, ops::min_axes),
        r3,
        NUMERIC,
        true,
    )?;
    let bits = Dom::Int(0, 1);
    family(
        t,
        "all",
        (ops::all, ops::all_axis, ops::all_axes),
        Dom::Int(0, 4),
        &[BOOL, F32, I32],
        false,
    )?;
    family(
        t,
        "any",
        (ops::any, ops::any_axis, ops::any_axes),
        bits,
        &[BOOL, F32, I32],
        false,
    )?;
    family(
        t,
        "logsumexp",
        (ops::logsumexp, ops::logsumexp_axis, ops::logsumexp_axes),
        r3,
        FLOATS,
        true,
    )?;
    family(
        t,
        "median",
        (ops::median, ops::median_axis, ops::median_axes),
        r3,
        FLOATS,
        false,
    )?;
    family(
        t,
        "count_nonzero",
        (
            ops::count_nonzero,
            ops::count_nonzero_axis,
            ops::count_nonzero_axes,
        ),
        Dom::Int(-1, 1),
        &[F32, I32, BOOL],
        false,
    )?;

    // argmax / argmin: flattened or along one axis.
    for (op, all, axis) in [
        ("argmax", ops::argmax as All, ops::argmax_axis as Axis),
        ("argmin", ops::argmin, ops::argmin_axis),
    ] {
        for &d in NUMERIC {
            let x = t.input(d, &[3, 5, 2], Dom::U(-9.0, 9.0))?;
            for keepdims in [false, true] {
                let p = P::new().b("keepdims", keepdims);
                t.add(op, p.clone(), vec![x.clone()], move |x| {
                    one(all(&x[0], keepdims))
                });
                t.add(op, p.i("axis", 1), vec![x.clone()], move |x| {
                    one(axis(&x[0], 1, keepdims))
                });
            }
        }
    }

    for (axes, inverted, d) in [
        (&[0, 2][..], false, I32),
        (&[1], true, F32),
        (&[0, 1, 2], false, F16),
    ] {
        let x = t.input(F32, &[3, 4, 5], r3)?;
        let p = P::new()
            .s("_special", "number_of_elements")
            .is("axes", axes)
            .b("inverted", inverted)
            .dtype("dtype", d);
        t.add("number_of_elements", p, vec![x], move |x| {
            one(ops::number_of_elements(&x[0], axes, inverted, d))
        });
    }

    // var / std with ddof.
    type Ddof = fn(&Array, bool, i32) -> Result<Array>;
    type DdofAxes = fn(&Array, &[i32], bool, i32) -> Result<Array>;
    for (op, all, axes) in [
        ("var", ops::var as Ddof, ops::var_axes as DdofAxes),
        ("std", ops::std, ops::std_axes),
    ] {
        for &d in FLOATS {
            let x = t.input(d, &[3, 4, 5], r3)?;
            for ddof in [0, 1] {
                let p = P::new().b("keepdims", false).i("ddof", ddof.into());
                t.add(op, p.clone(), vec![x.clone()], move |x| {
                    one(all(&x[0], false, ddof))
                })
                .grad();
                t.add(op, p.is("axis", &[1]), vec![x.clone()], move |x| {
                    one(axes(&x[0], &[1], false, ddof))
                })
                .grad();
            }
            let along: fn(&Array, i32, bool, i32) -> Result<Array> = if op == "var" {
                ops::var_axis
            } else {
                ops::std_axis
            };
            let p = P::new().i("axis", -1).b("keepdims", true).i("ddof", 1);
            t.add(op, p, vec![x.clone()], move |x| {
                one(along(&x[0], -1, true, 1))
            })
            .grad();
            let p = P::new()
                .is("axis", &[0, 2])
                .b("keepdims", true)
                .i("ddof", 0);
            t.add(op, p, vec![x], move |x| one(axes(&x[0], &[0, 2], true, 0)))
                .grad();
        }
    }
    Ok(())
}
