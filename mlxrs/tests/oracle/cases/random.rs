//! `mx.random` with explicit keys: the same key gives the same bits in both.
//!
//! Every case passes its key as an input (Python: the keyword `key`). `random::bits`
//! (C++ only) and `random::seed` (global state) have no case.

use mlxrs::{Array, Result, random};

use super::*;
use crate::harness::{P, Table, one};

fn key_last(p: P, n_inputs: usize) -> P {
    let mut names = vec!["null"; n_inputs];
    names.push("\"key\"");
    p.raw("_kw_inputs", &format!("[{}]", names.join(", ")))
}

pub fn cases(t: &mut Table) -> Result<()> {
    for seed in [0u64, 42, 1 << 40] {
        t.add(
            "random.key",
            P::new().i("seed", seed as i64),
            vec![],
            move |_| one(random::key(seed)),
        );
    }
    let key = random::key(7)?;
    key.eval()?;
    let keys: Vec<Array> = (0..4u64)
        .map(|i| {
            let k = random::key(1000 + i)?;
            k.eval()?;
            Ok(k)
        })
        .collect::<Result<_>>()?;

    for num in [2, 5] {
        t.add(
            "random.split",
            P::new().i("num", num.into()),
            vec![key.clone()],
            move |x| one(random::split(&x[0], num)),
        );
    }
    t.add("random.split", P::new(), vec![key.clone()], |x| {
        let (a, b) = random::split_pair(&x[0])?;
        Ok(vec![mlxrs::ops::stack(&[a, b], 0)?])
    });

    for (i, &d) in [F32, F16, BF16].iter().enumerate() {
        let k = keys[i % keys.len()].clone();
        let lo = Array::from(-2.0f32);
        let hi = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
        let p = key_last(P::new().is("shape", &[4, 3]).dtype("dtype", d), 2);
        t.add("random.uniform", p, vec![lo, hi, k.clone()], move |x| {
            one(random::uniform(&x[0], &x[1], &[4, 3], d, Some(&x[2])))
        });
        for (loc, scale) in [(0.0f32, 1.0f32), (2.0, 0.5)] {
            let p = key_last(
                P::new()
                    .is("shape", &[3, 5])
                    .dtype("dtype", d)
                    .f("loc", loc.into())
                    .f("scale", scale.into()),
                0,
            );
            t.add("random.normal", p, vec![k.clone()], move |x| {
                one(random::normal(&[3, 5], d, loc, scale, Some(&x[0])))
            });
            let p = key_last(
                P::new()
                    .is("shape", &[2, 6])
                    .dtype("dtype", d)
                    .f("loc", loc.into())
                    .f("scale", scale.into()),
                0,
            );
            t.add("random.laplace", p, vec![k.clone()], move |x| {
                one(random::laplace(&[2, 6], d, loc, scale, Some(&x[0])))
            });
        }
        let p = key_last(P::new().is("shape", &[4, 4]).dtype("dtype", d), 0);
        t.add("random.gumbel", p, vec![k.clone()], move |x| {
            one(random::gumbel(&[4, 4], d, Some(&x[0])))
        });
        let lower = Array::from_slice(&[-1.0f32, 0.0, -2.0], &[3])?;
        let upper = Array::from(1.5f32);
        let p = P::new()
            .is("shape", &[2, 3])
            .dtype("dtype", d)
            .raw("_kw_inputs", "[\"lower\", \"upper\", \"key\"]");
        t.add(
            "random.truncated_normal",
            p,
            vec![lower, upper, k.clone()],
            move |x| {
                one(random::truncated_normal(
                    &x[0],
                    &x[1],
                    Some(&[2, 3]),
                    d,
                    Some(&x[2]),
                ))
            },
        );
    }
    // normal with array loc/scale.
    let loc = Array::from_slice(&[0.0f32, 10.0, -10.0], &[3])?;
    let scale = Array::from_slice(&[1.0f32, 0.1], &[2, 1])?;
    let p = P::new()
        .is("shape", &[2, 3])
        .dtype("dtype", F32)
        .raw("_kw_inputs", "[\"loc\", \"scale\", \"key\"]");
    t.add("random.normal", p, vec![loc, scale, keys[3].clone()], |x| {
        one(random::normal_broadcast(
            &[2, 3],
            F32,
            Some(&x[0]),
            Some(&x[1]),
            Some(&x[2]),
        ))
    });
    for d in [I32, U8, I16] {
        let lo = Array::from(-3i32);
        let hi = Array::from_slice(&[5i32, 10, 100], &[3])?;
        let p = key_last(P::new().is("shape", &[4, 3]).dtype("dtype", d), 2);
        t.add(
            "random.randint",
            p,
            vec![lo, hi, keys[0].clone()],
            move |x| one(random::randint(&x[0], &x[1], &[4, 3], d, Some(&x[2]))),
        );
    }
    let prob = Array::from_slice(&[0.1f32, 0.5, 0.9], &[3])?;
    let p = P::new().raw("_kw_inputs", "[\"p\", \"key\"]");
    t.add(
        "random.bernoulli",
        p,
        vec![prob.clone(), keys[1].clone()],
        |x| one(random::bernoulli(&x[0], None, Some(&x[1]))),
    );
    let p = P::new()
        .is("shape", &[4, 3])
        .raw("_kw_inputs", "[\"p\", \"key\"]");
    t.add("random.bernoulli", p, vec![prob, keys[2].clone()], |x| {
        one(random::bernoulli(&x[0], Some(&[4, 3]), Some(&x[1])))
    });
    let logits = Array::from_slice(&[0.0f32, 1.0, 2.0, -1.0, 3.0, 0.5, 0.0, 0.0], &[2, 4])?;
    let key_kw = "[null, \"key\"]";
    let p = P::new().i("axis", -1).raw("_kw_inputs", key_kw);
    t.add(
        "random.categorical",
        p,
        vec![logits.clone(), keys[0].clone()],
        |x| one(random::categorical(&x[0], -1, None, None, Some(&x[1]))),
    );
    let p = P::new().i("axis", 0).raw("_kw_inputs", key_kw);
    t.add(
        "random.categorical",
        p,
        vec![logits.clone(), keys[1].clone()],
        |x| one(random::categorical(&x[0], 0, None, None, Some(&x[1]))),
    );
    let p = P::new()
        .i("axis", -1)
        .is("shape", &[3, 2])
        .raw("_kw_inputs", key_kw);
    t.add(
        "random.categorical",
        p,
        vec![logits.clone(), keys[2].clone()],
        |x| {
            one(random::categorical(
                &x[0],
                -1,
                Some(&[3, 2]),
                None,
                Some(&x[1]),
            ))
        },
    );
    let p = P::new()
        .i("axis", -1)
        .i("num_samples", 5)
        .raw("_kw_inputs", key_kw);
    t.add(
        "random.categorical",
        p,
        vec![logits, keys[3].clone()],
        |x| one(random::categorical(&x[0], -1, None, Some(5), Some(&x[1]))),
    );
    let mean = Array::from_slice(&[0.0f32, 1.0], &[2])?;
    let cov = Array::from_slice(&[2.0f32, 0.5, 0.5, 1.0], &[2, 2])?;
    let p = key_last(P::new().is("shape", &[3]).dtype("dtype", F32), 2);
    t.add(
        "random.multivariate_normal",
        p,
        vec![mean, cov, keys[1].clone()],
        |x| {
            one(random::multivariate_normal(
                &x[0],
                &x[1],
                &[3],
                F32,
                Some(&x[2]),
            ))
        },
    )
    .tol(10.0);
    let x = Array::from_slice(&[1i32, 2, 3, 4, 5, 6, 7, 8], &[4, 2])?;
    for axis in [0, 1] {
        let p = P::new().i("axis", axis.into()).raw("_kw_inputs", key_kw);
        t.add(
            "random.permutation",
            p,
            vec![x.clone(), keys[axis as usize].clone()],
            move |x| one(random::permutation(&x[0], axis, Some(&x[1]))),
        );
    }
    let p = P::new().pos("x", "10").raw("_kw_inputs", "[\"key\"]");
    t.add("random.permutation", p, vec![keys[2].clone()], |x| {
        one(random::permutation_arange(10, Some(&x[0])))
    });
    Ok(())
}
