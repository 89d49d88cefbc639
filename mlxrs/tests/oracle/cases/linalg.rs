//! Matrix products (`mx.matmul` and friends) and `mx.linalg`.

use mlxrs::{Array, Result, linalg, ops};

use super::*;
use crate::harness::{Dom, P, Table, one};

const R2: Dom = Dom::U(-2.0, 2.0);

/// A well-conditioned `[.., n, n]` matrix: random plus `n` on the diagonal.
fn well_conditioned(t: &mut Table, d: Dtype, shape: &[i32]) -> Result<Array> {
    let n = shape[shape.len() - 1];
    let m = t.input(d, shape, Dom::U(-1.0, 1.0))?;
    let eye = ops::multiply(&ops::eye(n, n, 0, d)?, &Array::from(n as f32).astype(d)?)?;
    let a = ops::add(&m, &eye)?;
    a.eval()?;
    Ok(a)
}

/// A symmetric positive definite `[.., n, n]` matrix: `m mᵀ + n·I`.
fn spd(t: &mut Table, d: Dtype, shape: &[i32]) -> Result<Array> {
    let n = shape[shape.len() - 1];
    let m = t.input(d, shape, Dom::U(-1.0, 1.0))?;
    let mt = ops::swapaxes(&m, -1, -2)?;
    let eye = ops::multiply(&ops::eye(n, n, 0, d)?, &Array::from(n as f32).astype(d)?)?;
    let a = ops::add(&ops::matmul(&m, &mt)?, &eye)?;
    a.eval()?;
    Ok(a)
}

pub fn cases(t: &mut Table) -> Result<()> {
    products(t)?;
    decompositions(t)
}

fn products(t: &mut Table) -> Result<()> {
    let mm: &[(&[i32], &[i32])] = &[
        (&[3, 4], &[4, 5]),
        (&[2, 3, 4], &[4, 5]),
        (&[2, 1, 3, 4], &[3, 4, 2]),
        (&[4], &[4, 5]),
        (&[3, 4], &[4]),
    ];
    for &(sa, sb) in mm {
        each(t, "matmul", P::new(), (&[sa, sb], R2), FLOATS, true, |x| {
            one(ops::matmul(&x[0], &x[1]))
        })?;
    }
    each(
        t,
        "matmul",
        P::new(),
        (&[&[3, 4], &[4, 2]], R2),
        &[F64],
        true,
        |x| one(ops::matmul(&x[0], &x[1])),
    )?;
    each(
        t,
        "matmul",
        P::new().s("_pre", "transpose"),
        (&[&[4, 3], &[5, 4]], R2),
        &[F32],
        true,
        |x| {
            one(ops::matmul(
                &ops::transpose(&x[0])?,
                &ops::transpose(&x[1])?,
            ))
        },
    )?;
    for (sa, sb) in [(&[3, 4][..], &[5, 4][..]), (&[4], &[4])] {
        each(t, "inner", P::new(), (&[sa, sb], R2), FLOATS, true, |x| {
            one(ops::inner(&x[0], &x[1]))
        })?;
    }
    for (sa, sb) in [(&[3][..], &[4][..]), (&[2, 2], &[3])] {
        each(t, "outer", P::new(), (&[sa, sb], R2), NUMERIC, true, |x| {
            one(ops::outer(&x[0], &x[1]))
        })?;
    }
    each(
        t,
        "kron",
        P::new(),
        (&[&[2, 3], &[2, 2]], R2),
        NUMERIC,
        true,
        |x| one(ops::kron(&x[0], &x[1])),
    )?;
    for (alpha, beta) in [(1.0f32, 1.0f32), (0.5, -2.0)] {
        let p = P::new().f("alpha", alpha.into()).f("beta", beta.into());
        each(
            t,
            "addmm",
            p,
            (&[&[3, 5], &[3, 4], &[4, 5]], R2),
            FLOATS,
            true,
            move |x| one(ops::addmm(&x[0], &x[1], &x[2], alpha, beta)),
        )?;
    }
    each(
        t,
        "addmm",
        P::new(),
        (&[&[5], &[2, 3, 4], &[4, 5]], R2),
        &[F32],
        true,
        |x| one(ops::addmm(&x[0], &x[1], &x[2], 1.0, 1.0)),
    )?;
    // block_masked_mm: 64×64 by 64×64 in 32-blocks, boolean block masks.
    {
        let d = F32;
        let a = t.input(d, &[64, 64], R2)?;
        let b = t.input(d, &[64, 64], R2)?;
        let mo = t.input(BOOL, &[2, 2], Dom::Int(0, 1))?;
        let ml = t.input(BOOL, &[2, 2], Dom::Int(0, 1))?;
        let mr = t.input(BOOL, &[2, 2], Dom::Int(0, 1))?;
        let p = P::new().i("block_size", 32).raw(
            "_kw_inputs",
            "[null, null, \"mask_out\", \"mask_lhs\", \"mask_rhs\"]",
        );
        t.add(
            "block_masked_mm",
            p,
            vec![a.clone(), b.clone(), mo, ml, mr],
            |x| {
                one(ops::block_masked_mm(
                    &x[0],
                    &x[1],
                    32,
                    Some(&x[2]),
                    Some(&x[3]),
                    Some(&x[4]),
                ))
            },
        )
        .tol(10.0);
        let p = P::new().i("block_size", 32);
        t.add("block_masked_mm", p, vec![a, b], |x| {
            one(ops::block_masked_mm(&x[0], &x[1], 32, None, None, None))
        })
        .tol(10.0);
    }
    // gather_mm: a[lhs] @ b[rhs] over the batch.
    // (MLX's CPU GatherMM supports float32 only.)
    {
        let d = F32;
        let a = t.input(d, &[3, 2, 4], R2)?;
        let b = t.input(d, &[5, 4, 6], R2)?;
        let li = t.input(U32, &[4], Dom::Int(0, 2))?;
        let ri = t.input(U32, &[4], Dom::Int(0, 4))?;
        t.add("gather_mm", P::new(), vec![a, b, li, ri], |x| {
            one(ops::gather_mm(
                &x[0],
                &x[1],
                Some(&x[2]),
                Some(&x[3]),
                false,
            ))
        });
    }
    // segmented_mm: the inner dimension in [start, end) segments.
    {
        let d = F32;
        let a = t.input(d, &[3, 5], R2)?;
        let b = t.input(d, &[5, 2], R2)?;
        let seg = Array::from_slice(&[0u32, 2, 2, 5, 1, 3], &[3, 2])?;
        t.add("segmented_mm", P::new(), vec![a, b, seg], |x| {
            one(ops::segmented_mm(&x[0], &x[1], &x[2]))
        });
    }
    // tensordot, both forms.
    let p = P::new().raw("axes", "[[1, 2], [0, 1]]");
    each(
        t,
        "tensordot",
        p,
        (&[&[2, 3, 4], &[3, 4, 5]], R2),
        FLOATS,
        true,
        |x| one(ops::tensordot(&x[0], &x[1], &[1, 2], &[0, 1])),
    )?;
    let p = P::new().raw("axes", "[[0], [2]]");
    each(
        t,
        "tensordot",
        p,
        (&[&[3, 2], &[4, 5, 3]], R2),
        &[F32],
        true,
        |x| one(ops::tensordot(&x[0], &x[1], &[0], &[2])),
    )?;
    for (axis, sb) in [(1, &[4, 5][..]), (2, &[3, 4, 5])] {
        let p = P::new().i("axes", axis.into());
        each(
            t,
            "tensordot",
            p,
            (&[&[2, 3, 4], sb], R2),
            &[F32],
            true,
            move |x| one(ops::tensordot_axis(&x[0], &x[1], axis)),
        )?;
    }
    for (sub, shapes) in [
        ("ij,jk->ik", &[&[3, 4][..], &[4, 5]][..]),
        ("bij,bjk->bik", &[&[2, 3, 4], &[2, 4, 5]]),
        ("ii->i", &[&[4, 4]]),
        ("ij->", &[&[3, 4]]),
        ("i,j->ij", &[&[3], &[4]]),
        ("abc,cd,bd->ad", &[&[2, 3, 4], &[4, 5], &[3, 5]]),
    ] {
        let p = P::new().s("subscripts", sub);
        each(t, "einsum", p, (shapes, R2), &[F32, F16], true, move |x| {
            one(ops::einsum(sub, x))
        })?;
    }
    for axis in [-1, 0] {
        let p = P::new().i("axis", axis.into());
        each(
            t,
            "vecdot",
            p,
            (&[&[3, 4], &[3, 4]], R2),
            FLOATS,
            true,
            move |x| one(ops::vecdot(&x[0], &x[1], axis)),
        )?;
    }
    each(
        t,
        "vecdot",
        P::new(),
        (&[&[3, 4], &[3, 4]], R2),
        &[C64],
        false,
        |x| one(ops::vecdot(&x[0], &x[1], -1)),
    )?;
    for (scale, n) in [(None, 8), (Some(0.5f32), 16), (None, 12)] {
        let p = match scale {
            Some(s) => P::new().f("scale", s.into()),
            None => P::new(),
        };
        each(
            t,
            "hadamard_transform",
            p,
            (&[&[3, n]], R2),
            FLOATS,
            true,
            move |x| one(ops::hadamard_transform(&x[0], scale)),
        )?;
    }
    each(t, "trace", P::new(), (&[&[4, 4]], R2), NUMERIC, true, |x| {
        one(ops::trace(&x[0]))
    })?;
    for (offset, a1, a2, dtype) in [(1, 0, 1, None), (-1, 1, 2, Some(F32)), (0, 2, 0, None)] {
        let mut p = P::new()
            .i("offset", offset.into())
            .i("axis1", a1.into())
            .i("axis2", a2.into());
        if let Some(d) = dtype {
            p = p.dtype("dtype", d);
        }
        each(
            t,
            "trace",
            p,
            (&[&[3, 4, 5]], R2),
            &[F32, I32, F16],
            true,
            move |x| one(ops::trace_axes(&x[0], offset, a1, a2, dtype)),
        )?;
    }
    Ok(())
}

fn decompositions(t: &mut Table) -> Result<()> {
    use linalg::NormOrd;
    // Norms of vectors and matrices.
    let inf = f64::INFINITY;
    let norms: &[(Option<NormOrd>, Option<&[i32]>, &[i32])] = &[
        (None, None, &[5]),
        (None, None, &[3, 4]),
        (None, Some(&[1]), &[3, 4]),
        (Some(NormOrd::P(2.0)), Some(&[0]), &[3, 4]),
        (Some(NormOrd::P(1.0)), None, &[5]),
        (Some(NormOrd::P(3.0)), None, &[5]),
        (Some(NormOrd::P(0.0)), None, &[5]),
        (Some(NormOrd::P(inf)), None, &[5]),
        (Some(NormOrd::P(-inf)), Some(&[1]), &[3, 4]),
        (Some(NormOrd::P(1.0)), None, &[3, 4]),
        (Some(NormOrd::P(-1.0)), Some(&[0, 1]), &[3, 4]),
        (Some(NormOrd::P(inf)), Some(&[1, 2]), &[2, 3, 4]),
        (Some(NormOrd::P(2.0)), None, &[3, 4]),
        (Some(NormOrd::Fro), None, &[3, 4]),
        (Some(NormOrd::Fro), Some(&[0, 2]), &[2, 3, 4]),
        (Some(NormOrd::Nuc), None, &[3, 4]),
    ];
    for &(ord, axis, shape) in norms {
        for keepdims in [false, true] {
            if keepdims && axis.is_none() && shape.len() > 1 {
                continue;
            }
            let mut p = P::new();
            p = match ord {
                None => p.none("ord"),
                Some(NormOrd::P(v)) => p.f("ord", v),
                Some(NormOrd::Fro) => p.s("ord", "fro"),
                Some(NormOrd::Nuc) => p.s("ord", "nuc"),
            };
            p = match axis {
                Some(a) => p.is("axis", a),
                None => p.none("axis"),
            };
            let p = p.b("keepdims", keepdims);
            let axis: Option<Vec<i32>> = axis.map(<[i32]>::to_vec);
            // Spectral and nuclear norms go through an SVD (no gradient).
            let spectral = ord == Some(NormOrd::P(2.0)) && axis.is_none() && shape.len() == 2;
            let grad = !(matches!(ord, Some(NormOrd::Nuc)) || spectral);
            let dtypes: &[Dtype] = if matches!(ord, Some(NormOrd::Nuc))
                || (ord == Some(NormOrd::P(2.0)) && shape.len() == 2)
            {
                &[F32]
            } else {
                FLOATS
            };
            each(
                t,
                "linalg.norm",
                p,
                (&[shape], R2),
                dtypes,
                grad,
                move |x| one(linalg::norm(&x[0], ord, axis.as_deref(), keepdims)),
            )?;
        }
    }

    // No gradients below: MLX 0.32.2 implements no VJP for these factorizations
    // ("[Primitive::vjp] Not implemented for Inverse", likewise LUF, SVD, Eigh; solve
    // differentiates through a gather of its pivots and fails too).
    let sq: &[&[i32]] = &[&[4, 4], &[2, 3, 3]];
    for &shape in sq {
        let a = well_conditioned(t, F32, shape)?;
        t.add("linalg.inv", P::new(), vec![a.clone()], |x| {
            one(linalg::inv(&x[0]))
        })
        .tol(10.0);
        t.add("linalg.det", P::new(), vec![a.clone()], |x| {
            one(linalg::det(&x[0]))
        })
        .tol(10.0);
        t.add("linalg.slogdet", P::new(), vec![a.clone()], |x| {
            let (s, l) = linalg::slogdet(&x[0])?;
            Ok(vec![s, l])
        })
        .tol(10.0);
        t.add("linalg.lu", P::new(), vec![a.clone()], |x| {
            let (p, l, u) = linalg::lu(&x[0])?;
            Ok(vec![p, l, u])
        })
        .tol(10.0);
        t.add("linalg.lu_factor", P::new(), vec![a.clone()], |x| {
            let (lu, piv) = linalg::lu_factor(&x[0])?;
            Ok(vec![lu, piv])
        })
        .tol(10.0);
        t.add("linalg.qr", P::new(), vec![a.clone()], |x| {
            let (q, r) = linalg::qr(&x[0])?;
            Ok(vec![q, r])
        })
        .tol(10.0);
        t.add("linalg.eigvals", P::new(), vec![a.clone()], |x| {
            one(linalg::eigvals(&x[0]))
        })
        .tol(100.0);
        t.add("linalg.eig", P::new(), vec![a.clone()], |x| {
            let (w, v) = linalg::eig(&x[0])?;
            Ok(vec![w, v])
        })
        .tol(100.0);
        for upper in [false, true] {
            let tri = if upper {
                ops::triu(&a, 0)?
            } else {
                ops::tril(&a, 0)?
            };
            tri.eval()?;
            t.add(
                "linalg.tri_inv",
                P::new().b("upper", upper),
                vec![tri],
                move |x| one(linalg::tri_inv(&x[0], upper)),
            )
            .tol(10.0);
        }
        let rhs: Vec<i32> = shape[..shape.len() - 1]
            .iter()
            .copied()
            .chain([2])
            .collect();
        let b = t.input(F32, &rhs, R2)?;
        t.add("linalg.solve", P::new(), vec![a.clone(), b.clone()], |x| {
            one(linalg::solve(&x[0], &x[1]))
        })
        .tol(10.0);
        for upper in [false, true] {
            let tri = if upper {
                ops::triu(&a, 0)?
            } else {
                ops::tril(&a, 0)?
            };
            tri.eval()?;
            t.add(
                "linalg.solve_triangular",
                P::new().b("upper", upper),
                vec![tri, b.clone()],
                move |x| one(linalg::solve_triangular(&x[0], &x[1], upper)),
            )
            .tol(10.0);
        }
    }
    // Rectangular: SVD and pseudo-inverse.
    for shape in [&[4, 3][..], &[3, 5], &[2, 3, 4]] {
        let a = t.input(F32, shape, R2)?;
        t.add(
            "linalg.svd",
            P::new().b("compute_uv", true),
            vec![a.clone()],
            |x| linalg::svd(&x[0], true),
        )
        .tol(100.0);
        t.add(
            "linalg.svd",
            P::new().b("compute_uv", false),
            vec![a.clone()],
            |x| linalg::svd(&x[0], false),
        )
        .tol(100.0);
        t.add("linalg.pinv", P::new(), vec![a], |x| {
            one(linalg::pinv(&x[0]))
        })
        .tol(100.0);
    }
    // Symmetric positive definite: Cholesky, eigh.
    for shape in [&[4, 4][..], &[2, 3, 3]] {
        let a = spd(t, F32, shape)?;
        for upper in [false, true] {
            t.add(
                "linalg.cholesky",
                P::new().b("upper", upper),
                vec![a.clone()],
                move |x| one(linalg::cholesky(&x[0], upper)),
            )
            .tol(10.0);
            let l = linalg::cholesky(&a, upper)?;
            l.eval()?;
            t.add(
                "linalg.cholesky_inv",
                P::new().b("upper", upper),
                vec![l],
                move |x| one(linalg::cholesky_inv(&x[0], upper)),
            )
            .tol(10.0);
        }
        for uplo in ["L", "U"] {
            let p = P::new().s("UPLO", uplo);
            t.add("linalg.eigh", p.clone(), vec![a.clone()], move |x| {
                let (w, v) = linalg::eigh(&x[0], uplo)?;
                Ok(vec![w, v])
            })
            .tol(100.0);
            t.add("linalg.eigvalsh", p, vec![a.clone()], move |x| {
                one(linalg::eigvalsh(&x[0], uplo))
            })
            .tol(100.0);
        }
    }
    // Cross products along an axis of size 3.
    for (shapes, axis) in [
        (&[&[3][..], &[3][..]][..], -1),
        (&[&[4, 3], &[4, 3]], 1),
        (&[&[3, 2], &[3, 1]], 0),
    ] {
        let p = P::new().i("axis", axis.into());
        each(t, "linalg.cross", p, (shapes, R2), FLOATS, true, move |x| {
            one(linalg::cross(&x[0], &x[1], axis))
        })?;
    }
    Ok(())
}
