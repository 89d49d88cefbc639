//! `mx.fft`: one-, two- and n-dimensional transforms, real and inverse ones, norms,
//! frequencies and shifts.

use mlxrs::fft::{self, FftNorm};
use mlxrs::{Array, Result};

use super::*;
use crate::harness::{Dom, P, Table, one};

type OneD = fn(&Array, Option<i32>, i32, FftNorm) -> Result<Array>;
type ND = fn(&Array, Option<&[i32]>, Option<&[i32]>, FftNorm) -> Result<Array>;
type TwoD = fn(&Array, Option<&[i32]>, &[i32], FftNorm) -> Result<Array>;

const NORMS: [(FftNorm, &str); 3] = [
    (FftNorm::Backward, "backward"),
    (FftNorm::Ortho, "ortho"),
    (FftNorm::Forward, "forward"),
];

/// The input dtype of a transform: complex for the complex ones, float for `rfft*`,
/// and complex for `irfft*` (whose output is real).
fn inputs_for(op: &str) -> &'static [Dtype] {
    if op.starts_with("fft.rfft") {
        &[F32]
    } else {
        &[C64, F32]
    }
}

fn opt_i(p: P, key: &str, v: Option<i32>) -> P {
    match v {
        Some(v) => p.i(key, v.into()),
        None => p.none(key),
    }
}

fn opt_is(p: P, key: &str, v: Option<&[i32]>) -> P {
    match v {
        Some(v) => p.is(key, v),
        None => p.none(key),
    }
}

pub fn cases(t: &mut Table) -> Result<()> {
    let one_d: [(&str, OneD); 4] = [
        ("fft.fft", fft::fft),
        ("fft.ifft", fft::ifft),
        ("fft.rfft", fft::rfft),
        ("fft.irfft", fft::irfft),
    ];
    for (op, f) in one_d {
        for &d in inputs_for(op) {
            if op == "fft.irfft" && d != C64 {
                continue;
            }
            let x = t.input(d, &[3, 8], Dom::U(-2.0, 2.0))?;
            for (n, axis) in [(None, -1), (Some(5), 1), (Some(12), -1), (None, 0)] {
                for (norm, name) in NORMS {
                    if n.is_some() && norm != FftNorm::Backward {
                        continue;
                    }
                    let p = opt_i(P::new(), "n", n)
                        .i("axis", axis.into())
                        .s("norm", name);
                    t.add(op, p, vec![x.clone()], move |x| {
                        one(f(&x[0], n, axis, norm))
                    })
                    .tol(10.0);
                }
            }
        }
    }
    let n_d: [(&str, ND); 4] = [
        ("fft.fftn", fft::fftn),
        ("fft.ifftn", fft::ifftn),
        ("fft.rfftn", fft::rfftn),
        ("fft.irfftn", fft::irfftn),
    ];
    for (op, f) in n_d {
        for &d in inputs_for(op) {
            if op == "fft.irfftn" && d != C64 {
                continue;
            }
            let x = t.input(d, &[2, 4, 6], Dom::U(-2.0, 2.0))?;
            let variants: [(Option<&'static [i32]>, Option<&'static [i32]>); 4] = [
                (None, None),
                (None, Some(&[0, 2])),
                (Some(&[3, 8]), Some(&[1, 2])),
                (Some(&[4]), Some(&[-1])),
            ];
            for (s, axes) in variants {
                for (norm, name) in NORMS {
                    if (s.is_some() || axes.is_some()) && norm != FftNorm::Backward {
                        continue;
                    }
                    let p = opt_is(opt_is(P::new(), "s", s), "axes", axes).s("norm", name);
                    t.add(op, p, vec![x.clone()], move |x| {
                        one(f(&x[0], s, axes, norm))
                    })
                    .tol(10.0);
                }
            }
        }
    }
    let two_d: [(&str, TwoD); 4] = [
        ("fft.fft2", fft::fft2),
        ("fft.ifft2", fft::ifft2),
        ("fft.rfft2", fft::rfft2),
        ("fft.irfft2", fft::irfft2),
    ];
    for (op, f) in two_d {
        for &d in inputs_for(op) {
            if op == "fft.irfft2" && d != C64 {
                continue;
            }
            let x = t.input(d, &[2, 4, 6], Dom::U(-2.0, 2.0))?;
            let variants: [(Option<&'static [i32]>, &'static [i32]); 3] =
                [(None, &[-2, -1]), (None, &[0, 2]), (Some(&[3, 5]), &[1, 2])];
            for (s, axes) in variants {
                let p = opt_is(P::new(), "s", s).is("axes", axes).s("norm", "ortho");
                t.add(op, p, vec![x.clone()], move |x| {
                    one(f(&x[0], s, axes, FftNorm::Ortho))
                })
                .tol(10.0);
            }
        }
    }
    for (n, d) in [(8, 1.0), (7, 0.5)] {
        let p = P::new().i("n", n.into()).f("d", d);
        t.add("fft.fftfreq", p.clone(), vec![], move |_| {
            one(fft::fftfreq(n, d))
        });
        t.add("fft.rfftfreq", p, vec![], move |_| one(fft::rfftfreq(n, d)));
    }
    for axes in [None, Some(&[1][..]), Some(&[0, 1][..])] {
        let p = opt_is(P::new(), "axes", axes);
        let axes: Option<Vec<i32>> = axes.map(<[i32]>::to_vec);
        let ax = axes.clone();
        each(
            t,
            "fft.fftshift",
            p.clone(),
            (&[&[5, 4]], Dom::U(-5.0, 5.0)),
            &[F32, I32, C64],
            true,
            move |x| one(fft::fftshift(&x[0], ax.as_deref())),
        )?;
        each(
            t,
            "fft.ifftshift",
            p,
            (&[&[5, 3]], Dom::U(-5.0, 5.0)),
            &[F32, I32, C64],
            true,
            move |x| one(fft::ifftshift(&x[0], axes.as_deref())),
        )?;
    }
    Ok(())
}
