//! Array creation (no inputs, or a template), triangles and diagonals, casts.

use mlxrs::{Result, ops};

use super::*;
use crate::harness::{Dom, P, Table, one};

pub fn cases(t: &mut Table) -> Result<()> {
    for d in [F32, F16, BF16, I32, BOOL, U8, I64] {
        let p = P::new().is("shape", &[2, 3]).dtype("dtype", d);
        t.add("zeros", p.clone(), vec![], move |_| {
            one(ops::zeros(&[2, 3], d))
        });
        t.add("ones", p, vec![], move |_| one(ops::ones(&[2, 3], d)));
    }
    // full: a scalar or a broadcast array value, with and without a dtype.
    for &d in &[F32, F16, I32] {
        let v = t.input(d, &[], Dom::U(-5.0, 5.0))?;
        let p = P::new()
            .is("shape", &[2, 3])
            .raw("_kw_inputs", "[\"vals\"]");
        t.add("full", p, vec![v.clone()], |x| {
            one(ops::full(&[2, 3], &x[0], None))
        });
        let row = t.input(d, &[3], Dom::U(-5.0, 5.0))?;
        let p = P::new()
            .is("shape", &[4, 3])
            .dtype("dtype", F32)
            .s("_special", "full_cast");
        t.add("full", p, vec![row], |x| {
            one(ops::full(&[4, 3], &x[0], Some(F32)))
        });
    }
    for &d in &[F32, BF16, I32, BOOL] {
        let x = t.input(d, &[2, 3], Dom::U(-5.0, 5.0))?;
        t.add("zeros_like", P::new(), vec![x.clone()], |x| {
            one(ops::zeros_like(&x[0]))
        });
        t.add("ones_like", P::new(), vec![x.clone()], |x| {
            one(ops::ones_like(&x[0]))
        });
        t.add(
            "zeros_like",
            P::new().dtype("dtype", F16),
            vec![x.clone()],
            |x| one(ops::zeros_like_dtype(&x[0], F16)),
        );
        t.add("ones_like", P::new().dtype("dtype", I32), vec![x], |x| {
            one(ops::ones_like_dtype(&x[0], I32))
        });
    }
    for (start, stop, step, d) in [
        (0.0, 10.0, 1.0, F32),
        (-3.0, 7.5, 0.5, F32),
        (5.0, -5.0, -1.5, F32),
        (0.0, 10.0, 3.0, I32),
        (0.0, 1.0, 0.1, F16),
        (1.0, 2.0, 0.125, BF16),
        (0.0, 1.0, 0.1, F64),
    ] {
        let p = P::new()
            .pos("start", &harness_f(start))
            .pos("stop", &harness_f(stop))
            .pos("step", &harness_f(step))
            .dtype("dtype", d);
        t.add("arange", p, vec![], move |_| {
            one(ops::arange(start, stop, step, d))
        });
    }
    for (start, stop, num, d) in [(0.0, 1.0, 5, F32), (-2.0, 3.0, 7, F16), (1.0, 0.0, 4, F32)] {
        let p = P::new()
            .f("start", start)
            .f("stop", stop)
            .i("num", num.into())
            .dtype("dtype", d);
        t.add("linspace", p.clone(), vec![], move |_| {
            one(ops::linspace(start, stop, num, d))
        });
        t.add("linspace", p.b("endpoint", false), vec![], move |_| {
            one(ops::linspace_endpoint(start, stop, num, false, d))
        });
    }
    for (n, m, k, d) in [
        (3, 3, 0, F32),
        (3, 5, 1, F32),
        (4, 2, -1, I32),
        (2, 2, 0, BOOL),
    ] {
        let p = P::new()
            .i("n", n.into())
            .i("m", m.into())
            .i("k", k.into())
            .dtype("dtype", d);
        t.add("eye", p.clone(), vec![], move |_| one(ops::eye(n, m, k, d)));
        t.add("tri", p, vec![], move |_| one(ops::tri(n, m, k, d)));
    }
    for d in [F32, BF16, I32] {
        let p = P::new().i("n", 3).dtype("dtype", d);
        t.add("identity", p, vec![], move |_| one(ops::identity(3, d)));
    }

    // Triangles and diagonals.
    let dtypes = &[F32, F16, BF16, I32, BOOL];
    let m: &[&[i32]] = &[&[4, 5]];
    for k in [0, 1, -2] {
        let p = P::new().i("k", k.into());
        each_dtype(t, "tril", p.clone(), m, dtypes, move |x| {
            one(ops::tril(&x[0], k))
        })?;
        each_dtype(t, "triu", p.clone(), m, dtypes, move |x| {
            one(ops::triu(&x[0], k))
        })?;
        each_dtype(t, "tril", p.clone(), &[&[2, 3, 3]], &[F32], move |x| {
            one(ops::tril(&x[0], k))
        })?;
        each_dtype(t, "diag", p.clone(), m, dtypes, move |x| {
            one(ops::diag(&x[0], k))
        })?;
        each_dtype(t, "diag", p, &[&[3]], dtypes, move |x| {
            one(ops::diag(&x[0], k))
        })?;
    }
    for (offset, a1, a2) in [(0, 0, 1), (1, 1, 2), (-1, 2, 0)] {
        let p = P::new()
            .i("offset", offset.into())
            .i("axis1", a1.into())
            .i("axis2", a2.into());
        each_dtype(t, "diagonal", p, &[&[3, 4, 5]], dtypes, move |x| {
            one(ops::diagonal(&x[0], offset, a1, a2))
        })?;
    }
    for sparse in [false, true] {
        for indexing in [ops::MeshgridIndexing::Xy, ops::MeshgridIndexing::Ij] {
            let p = P::new()
                .b("sparse", sparse)
                .s("indexing", indexing.as_str());
            each_dtype(
                t,
                "meshgrid",
                p,
                &[&[3], &[4], &[2]],
                &[F32, I32],
                move |x| ops::meshgrid(x, sparse, indexing),
            )?;
        }
    }

    // Windows.
    for (op, f) in [
        ("bartlett", ops::bartlett as fn(i32) -> Result<mlxrs::Array>),
        ("blackman", ops::blackman),
        ("hamming", ops::hamming),
        ("hanning", ops::hanning),
    ] {
        for m in [1, 5, 8] {
            t.add(op, P::new().pos("M", &m.to_string()), vec![], move |_| {
                one(f(m))
            });
        }
    }

    // Casts between every pair of a few dtypes (`astype`).
    let kinds = [F32, F16, BF16, I32, U8, BOOL, I64, F64];
    for from in kinds {
        let x = t.input(from, &[3, 4], Dom::U(-200.0, 200.0))?;
        for to in kinds {
            let p = P::new().dtype("dtype", to);
            t.add("astype", p, vec![x.clone()], move |x| one(x[0].astype(to)));
        }
    }
    Ok(())
}

fn harness_f(v: f64) -> String {
    crate::harness::json_f64(v)
}
