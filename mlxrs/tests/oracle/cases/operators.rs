//! The `std::ops` operators on arrays (Python's `a + b`, `a * 2.5`, `-a`, ...): array
//! operands, and Rust `f32` scalars, which take the array's floating dtype as Python's
//! scalars do.

use mlxrs::{Array, Result};

use super::*;
use crate::harness::{Dom, P, Table, one};

type ArrayOp = fn(&Array, &Array) -> Result<Array>;
type ScalarRight = fn(&Array, f32) -> Result<Array>;
type ScalarLeft = fn(f32, &Array) -> Result<Array>;

pub fn cases(t: &mut Table) -> Result<()> {
    let table: [(&str, &str, ArrayOp, ScalarRight, ScalarLeft); 5] = [
        ("__add__", "add", |a, b| a + b, |a, s| a + s, |s, a| s + a),
        ("__sub__", "sub", |a, b| a - b, |a, s| a - s, |s, a| s - a),
        ("__mul__", "mul", |a, b| a * b, |a, s| a * s, |s, a| s * a),
        (
            "__truediv__",
            "truediv",
            |a, b| a / b,
            |a, s| a / s,
            |s, a| s / a,
        ),
        ("__mod__", "mod", |a, b| a % b, |a, s| a % s, |s, a| s % a),
    ];
    let away = Dom::Away(-4.0, 4.0, 0.5);
    for (op, name, arrays, right, left) in table {
        let p = P::new().s("_special", "operator").s("name", name);
        each(
            t,
            op,
            p.clone(),
            (&[&[3, 4], &[4]], away),
            NUMERIC,
            true,
            move |x| one(arrays(&x[0], &x[1])),
        )?;
        for s in [2.5f32, -3.0] {
            let pr = p.clone().f("scalar", s.into()).s("side", "right");
            each(t, op, pr, (&[&[3, 4]], away), NUMERIC, true, move |x| {
                one(right(&x[0], s))
            })?;
            let pl = p.clone().f("scalar", s.into()).s("side", "left");
            each(
                t,
                op,
                pl,
                (&[&[3, 4]], away),
                &[F32, F16, I32],
                true,
                move |x| one(left(s, &x[0])),
            )?;
        }
    }
    let p = P::new().s("_special", "operator").s("name", "neg");
    each(
        t,
        "__neg__",
        p,
        (&[&[3, 4]], Dom::U(-4.0, 4.0)),
        NUMERIC,
        true,
        |x| one(-&x[0]),
    )?;
    Ok(())
}
