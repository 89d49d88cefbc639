//! Gathering and scattering: take, take/put along an axis, gather, masked scatter,
//! dynamic slices, where.

use mlxrs::{Array, Result, ops};

use super::*;
use crate::harness::{Dom, P, Table, one};

const DTYPES: &[Dtype] = &[F32, F16, BF16, I32, BOOL];

/// Integer indices in `[lo, hi]`.
fn idx(t: &mut Table, shape: &[i32], lo: i64, hi: i64) -> Result<Array> {
    t.input(I32, shape, Dom::Int(lo, hi))
}

fn ints(v: &[i32], shape: &[i32]) -> Result<Array> {
    Array::from_slice(v, shape)
}

pub fn cases(t: &mut Table) -> Result<()> {
    for &d in DTYPES {
        let g = d.is_floating();
        let a = t.input(d, &[4, 5], Dom::U(-5.0, 5.0))?;
        let i = idx(t, &[2, 3], 0, 19)?;
        let c = t.add("take", P::new(), vec![a.clone(), i], |x| {
            one(ops::take(&x[0], &x[1]))
        });
        if g {
            c.grad();
        }
        for (axis, hi) in [(0, 3), (1, 4), (-1, 4)] {
            let i = idx(t, &[3], 0, hi)?;
            let c = t.add(
                "take",
                P::new().i("axis", axis.into()),
                vec![a.clone(), i],
                move |x| one(ops::take_axis(&x[0], &x[1], axis)),
            );
            if g {
                c.grad();
            }
        }
        let i = idx(t, &[4, 2], 0, 4)?;
        let c = t.add(
            "take_along_axis",
            P::new().i("axis", 1),
            vec![a.clone(), i],
            |x| one(ops::take_along_axis(&x[0], &x[1], 1)),
        );
        if g {
            c.grad();
        }
        let i = idx(t, &[1, 5], 0, 3)?;
        let c = t.add(
            "take_along_axis",
            P::new().i("axis", 0),
            vec![a.clone(), i],
            |x| one(ops::take_along_axis(&x[0], &x[1], 0)),
        );
        if g {
            c.grad();
        }
        // Python's `axis=None`: `a` flattened, indexed along its only axis.
        let i = idx(t, &[7], -20, 19)?;
        let c = t.add(
            "take_along_axis",
            P::new().none("axis"),
            vec![a.clone(), i],
            |x| one(ops::take_along_axis_flat(&x[0], &x[1])),
        );
        if g {
            c.grad();
        }
        // Distinct indices, so that no two values land on one element.
        let i = ints(&[17, 0, -1, 6, 11], &[5])?;
        let v = t.input(d, &[5], Dom::U(-5.0, 5.0))?;
        let c = t.add(
            "put_along_axis",
            P::new().none("axis"),
            vec![a.clone(), i, v],
            |x| one(ops::put_along_axis_flat(&x[0], &x[1], &x[2])),
        );
        if g {
            c.grad();
        }
        // Distinct indices per row, so that no two values land on one element.
        let i = ints(&[0, 2, 4, 1, 3, 0, 2, 1], &[4, 2])?;
        let v = t.input(d, &[4, 2], Dom::U(-5.0, 5.0))?;
        let c = t.add(
            "put_along_axis",
            P::new().i("axis", 1),
            vec![a.clone(), i, v],
            |x| one(ops::put_along_axis(&x[0], &x[1], &x[2], 1)),
        );
        if g {
            c.grad();
        }
        // Sums: duplicates accumulate (Python: a one-hot emulation in oracle.py).
        if d != BOOL {
            let i = idx(t, &[4, 3], 0, 4)?;
            let v = t.input(d, &[4, 3], Dom::U(-5.0, 5.0))?;
            t.add(
                "scatter_add_axis",
                P::new().i("axis", 1),
                vec![a.clone(), i, v],
                |x| one(ops::scatter_add_axis(&x[0], &x[1], &x[2], 1)),
            )
            .tol(if d == F32 { 10.0 } else { 2.0 });
        }
        // gather (the primitive behind indexing; Python: an emulation in oracle.py).
        let i = idx(t, &[3], 0, 3)?;
        let p = P::new().is("axes", &[0]).is("slice_sizes", &[1, 5]);
        let c = t.add("gather", p, vec![a.clone(), i], |x| {
            one(ops::gather_single(&x[0], &x[1], 0, &[1, 5]))
        });
        if g {
            c.grad();
        }
        let i0 = idx(t, &[2, 1], 0, 2)?;
        let i1 = idx(t, &[3], 0, 3)?;
        let p = P::new().is("axes", &[0, 1]).is("slice_sizes", &[2, 2]);
        let c = t.add("gather", p, vec![a.clone(), i0, i1], |x| {
            one(ops::gather(&x[0], &x[1..], &[0, 1], &[2, 2]))
        });
        if g {
            c.grad();
        }
        // masked_scatter is Python's `a[mask] = src`.
        let mask = t.input(BOOL, &[4, 5], Dom::Int(0, 1))?;
        let src = t.input(d, &[20], Dom::U(-5.0, 5.0))?;
        t.add(
            "masked_scatter",
            P::new(),
            vec![a.clone(), mask, src],
            |x| one(ops::masked_scatter(&x[0], &x[1], &x[2])),
        );
        // Dynamic slices.
        let start = ints(&[1, 2], &[2])?;
        let p = P::new().is("axes", &[0, 1]).is("slice_size", &[2, 3]);
        let c = t.add("slice", p, vec![a.clone(), start.clone()], |x| {
            one(ops::slice_dynamic(&x[0], &x[1], &[0, 1], &[2, 3]))
        });
        if g {
            c.grad();
        }
        let up = t.input(d, &[2, 3], Dom::U(-5.0, 5.0))?;
        let p = P::new().is("axes", &[0, 1]);
        let c = t.add("slice_update", p, vec![a.clone(), up, start], |x| {
            one(ops::slice_update_dynamic(&x[0], &x[1], &x[2], &[0, 1]))
        });
        if g {
            c.grad();
        }
        // where, broadcasting.
        let cond = t.input(BOOL, &[3, 4], Dom::Int(0, 1))?;
        let x = t.input(d, &[3, 4], Dom::U(-5.0, 5.0))?;
        let y = t.input(d, &[4], Dom::U(-5.0, 5.0))?;
        let c = t.add("where", P::new(), vec![cond, x, y], |x| {
            one(ops::r#where(&x[0], &x[1], &x[2]))
        });
        if g {
            c.grad();
        }
    }
    scatters(t)?;
    array_at(t)
}

type At = fn(&mlxrs::ArrayAt<'_>, &Array) -> Result<Array>;

/// `Array::at`: Python's `a.at[index].<how>(v)` with an index array (repeated rows
/// accumulate), an index array and an integer, and slices; the value of the first case
/// has a leading size-1 dimension that Python drops.
fn array_at(t: &mut Table) -> Result<()> {
    let family: [(&str, At); 6] = [
        ("add", |at, v| at.add(v)),
        ("subtract", |at, v| at.subtract(v)),
        ("multiply", |at, v| at.multiply(v)),
        ("divide", |at, v| at.divide(v)),
        ("maximum", |at, v| at.maximum(v)),
        ("minimum", |at, v| at.minimum(v)),
    ];
    for (how, apply) in family {
        // 1/v of an integer is 0 or 1 in the array's dtype: floats only for divide.
        let dtypes: &[Dtype] = if how == "divide" {
            &[F32, F16]
        } else {
            &[F32, F16, I32]
        };
        for &d in dtypes {
            let dom = if matches!(how, "multiply" | "divide") {
                Dom::U(0.5, 2.0)
            } else {
                Dom::U(-5.0, 5.0)
            };
            let a = t.input(d, &[4, 5], dom)?;
            let rows = ints(&[3, 0, 3], &[3])?;
            let p = |index: &str| {
                P::new()
                    .s("_special", "array_at")
                    .s("how", how)
                    .raw("index", index)
            };
            // a.at[rows] with a value of shape (1, 3, 5).
            let v = t.input(d, &[1, 3, 5], dom)?;
            t.add(
                "array.at",
                p(r#"["a1"]"#),
                vec![a.clone(), rows.clone(), v],
                move |x| one(apply(&x[0].at(&[x[1].clone().into()]), &x[2])),
            );
            // a.at[rows, 2] with a value of shape (3,).
            let v = t.input(d, &[3], dom)?;
            t.add(
                "array.at",
                p(r#"["a1", 2]"#),
                vec![a.clone(), rows, v],
                move |x| one(apply(&x[0].at(&[x[1].clone().into(), 2.into()]), &x[2])),
            );
            // a.at[1:4:2, ::2] with a value of shape (3,), broadcast over the rows.
            let v = t.input(d, &[3], dom)?;
            let index = r#"[[1, 4, 2], [null, null, 2]]"#;
            t.add("array.at", p(index), vec![a.clone(), v], move |x| {
                let at = x[0].at(&[ops::s(1, 4, 2), ops::s(None, None, 2)]);
                one(apply(&at, &x[1]))
            });
        }
    }
    Ok(())
}

type Scatter = fn(&Array, &[Array], &Array, &[i32]) -> Result<Array>;
type ScatterSingle = fn(&Array, &Array, &Array, i32) -> Result<Array>;
type SliceUpdate = fn(&Array, &Array, &[i32], &[i32], &[i32]) -> Result<Array>;

/// scatter*, slice_update*: Python's `a[idx] = v` and `a.at[idx].add(v)` and friends.
fn scatters(t: &mut Table) -> Result<()> {
    let family: [(&str, &str, Scatter, ScatterSingle, SliceUpdate); 5] = [
        (
            "set",
            "",
            ops::scatter,
            ops::scatter_single,
            ops::slice_update,
        ),
        (
            "add",
            "_add",
            ops::scatter_add,
            ops::scatter_add_single,
            ops::slice_update_add,
        ),
        (
            "multiply",
            "_prod",
            ops::scatter_prod,
            ops::scatter_prod_single,
            ops::slice_update_prod,
        ),
        (
            "maximum",
            "_max",
            ops::scatter_max,
            ops::scatter_max_single,
            ops::slice_update_max,
        ),
        (
            "minimum",
            "_min",
            ops::scatter_min,
            ops::scatter_min_single,
            ops::slice_update_min,
        ),
    ];
    for (how, suffix, scatter, single, slice_update) in family {
        let op = format!("scatter{suffix}");
        // Assignment with repeated indices is unspecified: distinct rows for `set`.
        let rows = if how == "set" {
            ints(&[3, 0, 2], &[3])?
        } else {
            ints(&[3, 0, 3], &[3])?
        };
        for &d in &[F32, F16, I32] {
            let dom = if how == "multiply" {
                Dom::U(0.5, 2.0)
            } else {
                Dom::U(-5.0, 5.0)
            };
            let a = t.input(d, &[4, 5], dom)?;
            let upd = t.input(d, &[3, 1, 5], dom)?;
            let p = P::new()
                .s("_special", "scatter_at")
                .s("how", how)
                .is("axes", &[0]);
            t.add(
                &op,
                p.clone(),
                vec![a.clone(), rows.clone(), upd.clone()],
                move |x| one(single(&x[0], &x[1], &x[2], 0)),
            );
            t.add(&op, p, vec![a.clone(), rows.clone(), upd], move |x| {
                one(scatter(&x[0], &x[1..2], &x[2], &[0]))
            });
            // Two index arrays (broadcast against each other) into two axes.
            let i0 = ints(&[0, 3], &[2, 1])?;
            let i1 = if how == "set" {
                ints(&[1, 4, 2], &[3])?
            } else {
                ints(&[1, 1, 4], &[3])?
            };
            let upd = t.input(d, &[2, 3, 1, 1], dom)?;
            let p = P::new()
                .s("_special", "scatter_at")
                .s("how", how)
                .is("axes", &[0, 1]);
            t.add(&op, p, vec![a.clone(), i0, i1, upd], move |x| {
                one(scatter(&x[0], &x[1..3], &x[3], &[0, 1]))
            });
            // Slices: a[1:4:2, ::2] op= v (v broadcast).
            let op = format!("slice_update{suffix}");
            let (start, stop, strides) = ([1, 0], [4, 5], [2, 2]);
            let p = P::new()
                .s("_special", "slice_update_at")
                .s("how", how)
                .is("start", &start)
                .is("stop", &stop)
                .is("strides", &strides);
            for shape in [&[2, 3][..], &[3]] {
                let v = t.input(d, shape, dom)?;
                t.add(&op, p.clone(), vec![a.clone(), v], move |x| {
                    one(slice_update(&x[0], &x[1], &start, &stop, &strides))
                });
            }
        }
    }
    Ok(())
}
