//! `mlxrs::random` (Python: python/tests/test_random.py). Exact samples for a key were
//! printed once by Python MLX 0.32.2 (`mx.random.*(..., key=mx.random.key(42))`); the
//! moments of 10^5 samples are checked against the distributions' known values.
//!
//! Only `global_seed_makes_draws_reproducible` uses the global generator (`key: None`):
//! tests run in parallel, and any other test drawing from it would race.

use mlxrs::{Array, Dtype, Result, random};

use crate::support::{assert_allclose, backend_message};

const N: usize = 100_000;

fn k42() -> Result<Array> {
    random::key(42)
}

fn mean_var(x: &[f32]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = x
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var)
}

fn assert_moments(x: &[f32], mean: f64, var: f64, tol: f64) {
    let (m, v) = mean_var(x);
    assert!((m - mean).abs() < tol, "mean {m}, expected {mean}");
    assert!(
        (v - var).abs() < tol * var.max(1.0) * 2.0,
        "variance {v}, expected {var}"
    );
}

#[test]
fn keys_and_splits_match_python() -> Result<()> {
    assert_eq!(k42()?.to_vec::<u32>()?, [0, 42]);
    let keys = random::split(&k42()?, 3)?;
    assert_eq!(keys.shape(), &[3, 2]);
    assert_eq!(
        keys.to_vec::<u32>()?,
        [
            3_134_548_294,
            3_733_159_049,
            3_746_501_087,
            894_150_801,
            801_545_058,
            2_363_201_431
        ]
    );
    let (a, b) = random::split_pair(&k42()?)?;
    assert_eq!(a.to_vec::<u32>()?, [2_465_931_498, 3_679_230_171]);
    assert_eq!(b.to_vec::<u32>()?, [255_383_827, 267_815_257]);
    let msg = backend_message(random::split(&Array::from_slice(&[1.0f32, 2.0], &[2])?, 2));
    assert_eq!(msg, "[bits] Expected key type uint32 but received float32.");
    Ok(())
}

#[test]
fn samples_for_a_key_match_python() -> Result<()> {
    if crate::support::skip_on_gpu(
        "multivariate_normal needs an SVD, which MLX runs on the CPU only",
    ) {
        return Ok(());
    }
    let k = k42()?;
    let k = Some(&k);
    assert_allclose(
        &random::normal(&[4], Dtype::Float32, 0.0, 1.0, k)?,
        &[0.186_935_65, 1.065_333_8, -1.559_312_7, -1.535_295_4],
        1e-5,
        1e-6,
    )?;
    let (zero, one) = (Array::from(0.0f32), Array::from(1.0f32));
    assert_allclose(
        &random::uniform(&zero, &one, &[4], Dtype::Float32, k)?,
        &[0.574_144_4, 0.856_637_5, 0.059_461_18, 0.062_355_6],
        1e-5,
        1e-7,
    )?;
    let d = random::randint(
        &Array::from(0i32),
        &Array::from(10i32),
        &[6],
        Dtype::Int32,
        k,
    )?;
    assert_eq!(d.to_vec::<i32>()?, [7, 8, 8, 2, 1, 5]);
    assert_allclose(
        &random::gumbel(&[3], Dtype::Float32, k)?,
        &[0.589_013_7, -0.833_345_5, -1.037_598_7],
        1e-5,
        1e-6,
    )?;
    assert_allclose(
        &random::laplace(&[3], Dtype::Float32, 0.0, 1.0, k)?,
        &[-0.160_507_9, 1.607_856_4, 2.129_283_9],
        1e-5,
        1e-6,
    )?;
    assert_eq!(
        random::permutation_arange(6, k)?.to_vec::<u32>()?,
        [4, 3, 5, 0, 1, 2]
    );
    let x = Array::from_slice(&[10i32, 20, 30, 40], &[4])?;
    assert_eq!(
        random::permutation(&x, 0, k)?.to_vec::<i32>()?,
        [30, 40, 10, 20]
    );
    let p = Array::from(0.5f32);
    assert_eq!(
        random::bernoulli(&p, Some(&[6]), k)?.to_vec::<bool>()?,
        [false, false, false, true, true, false]
    );
    assert_allclose(
        &random::truncated_normal(&Array::from(-1.0f32), &one, Some(&[4]), Dtype::Float32, k)?,
        &[0.127_221_88, 0.654_088_8, -0.844_307_5, -0.837_254_3],
        1e-5,
        1e-6,
    )?;
    let logits = Array::from_slice(&[0.0f32, 1.0, 2.0], &[3])?;
    assert_eq!(
        random::categorical(&logits, -1, None, Some(6), k)?.to_vec::<u32>()?,
        [2, 2, 2, 1, 1, 2]
    );
    let two = Array::from_slice(&[0.0f32, 1.0, 2.0, 5.0, 0.0, 0.0], &[2, 3])?;
    assert_eq!(
        random::categorical(&two, -1, None, None, k)?.to_vec::<u32>()?,
        [2, 0]
    );
    let s = random::categorical(&two, -1, Some(&[4, 2]), None, k)?;
    assert_eq!(s.to_vec::<u32>()?, [2, 0, 2, 0, 2, 0, 2, 0]);
    let mvn = random::multivariate_normal(
        &Array::from_slice(&[0.0f32, 0.0], &[2])?,
        &Array::from_slice(&[1.0f32, 0.0, 0.0, 1.0], &[2, 2])?,
        &[2],
        Dtype::Float32,
        k,
    )?;
    assert_eq!(mvn.shape(), &[2, 2]);
    assert_allclose(
        &mvn,
        &[0.186_935_65, 1.065_333_8, -1.559_312_7, -1.535_295_4],
        1e-4,
        1e-5,
    )?;
    // Array-valued parameters broadcast (Python).
    let loc = Array::from_slice(&[0.0f32, 10.0, 100.0], &[3])?;
    let scale = Array::from_slice(&[1.0f32, 0.0, 2.0], &[3])?;
    assert_allclose(
        &random::normal_broadcast(&[3], Dtype::Float32, Some(&loc), Some(&scale), k)?,
        &[0.186_935_65, 10.0, 96.881_38],
        1e-5,
        1e-5,
    )?;
    let u = random::uniform(
        &Array::from_slice(&[0.0f32, 10.0], &[2])?,
        &Array::from_slice(&[1.0f32, 20.0], &[2])?,
        &[2],
        Dtype::Float32,
        k,
    )?;
    assert_allclose(&u, &[0.015_010_069, 16.789_629], 1e-5, 1e-6)?;
    Ok(())
}

#[test]
fn same_key_same_numbers_different_keys_differ() -> Result<()> {
    let (a, b) = random::split_pair(&random::key(1)?)?;
    for (k1, k2, same) in [(&a, &a, true), (&a, &b, false)] {
        let x = random::normal(&[64], Dtype::Float32, 0.0, 1.0, Some(k1))?.to_vec::<f32>()?;
        let y = random::normal(&[64], Dtype::Float32, 0.0, 1.0, Some(k2))?.to_vec::<f32>()?;
        assert_eq!(x == y, same);
        let x = random::bits(&[16], 4, Some(k1))?.to_vec::<u32>()?;
        let y = random::bits(&[16], 4, Some(k2))?.to_vec::<u32>()?;
        assert_eq!(x == y, same);
    }
    // Widths 1 and 2 give the narrower unsigned types.
    assert_eq!(random::bits(&[3], 1, Some(&a))?.dtype(), Dtype::Uint8);
    assert_eq!(random::bits(&[3], 2, Some(&a))?.dtype(), Dtype::Uint16);
    Ok(())
}

#[test]
fn continuous_distributions_have_the_right_moments() -> Result<()> {
    let key = |i: u64| random::key(2024 + i);
    let x = random::normal(&[N], Dtype::Float32, 3.0, 2.0, Some(&key(0)?))?.to_vec::<f32>()?;
    assert_moments(&x, 3.0, 4.0, 0.03);

    let (lo, hi) = (Array::from(2.0f32), Array::from(5.0f32));
    let u = random::uniform(&lo, &hi, &[N], Dtype::Float32, Some(&key(1)?))?.to_vec::<f32>()?;
    assert!(u.iter().all(|&v| (2.0..5.0).contains(&v)));
    assert_moments(&u, 3.5, 0.75, 0.02); // (b - a)^2 / 12

    let l = random::laplace(&[N], Dtype::Float32, -1.0, 0.5, Some(&key(2)?))?.to_vec::<f32>()?;
    assert_moments(&l, -1.0, 0.5, 0.02); // 2 b^2

    let g = random::gumbel(&[N], Dtype::Float32, Some(&key(3)?))?.to_vec::<f32>()?;
    assert_moments(&g, 0.577_215_66, std::f64::consts::PI.powi(2) / 6.0, 0.03); // γ, π²/6

    let t = random::truncated_normal(
        &Array::from(-1.0f32),
        &Array::from(1.0f32),
        Some(&[N as i32]),
        Dtype::Float32,
        Some(&key(4)?),
    )?
    .to_vec::<f32>()?;
    assert!(t.iter().all(|&v| (-1.0..=1.0).contains(&v)));
    // Var of N(0,1) truncated to [-1, 1]: 1 - 2 φ(1) / (Φ(1) - Φ(-1)) = 0.291120.
    assert_moments(&t, 0.0, 0.291_12, 0.01);

    let s = random::normal(&[N], Dtype::Float32, 0.0, 1.0, Some(&key(5)?))?.to_vec::<f32>()?;
    assert_moments(&s, 0.0, 1.0, 0.02);
    Ok(())
}

#[test]
fn discrete_distributions_have_the_right_frequencies() -> Result<()> {
    let k = random::key(77)?;
    let (a, rest) = random::split_pair(&k)?;
    let (b, c) = random::split_pair(&rest)?;
    let d = random::randint(
        &Array::from(-3i32),
        &Array::from(7i32),
        &[N],
        Dtype::Int32,
        Some(&a),
    )?
    .to_vec::<i32>()?;
    assert!(d.iter().all(|v| (-3..7).contains(v)));
    let mean = d.iter().map(|&v| f64::from(v)).sum::<f64>() / N as f64;
    assert!((mean - 1.5).abs() < 0.05, "{mean}");
    assert!((-3..7).all(|v| d.contains(&v)), "every value occurs");

    let p =
        random::bernoulli(&Array::from(0.3f32), Some(&[N as i32]), Some(&b))?.to_vec::<bool>()?;
    let freq = p.iter().filter(|&&v| v).count() as f64 / N as f64;
    assert!((freq - 0.3).abs() < 0.01, "{freq}");

    // Probabilities 0.1, 0.2, 0.7.
    let logits = Array::from_slice(&[0.1f32.ln(), 0.2f32.ln(), 0.7f32.ln()], &[3])?;
    let s = random::categorical(&logits, -1, None, Some(N as i32), Some(&c))?.to_vec::<u32>()?;
    for (class, p) in [(0u32, 0.1), (1, 0.2), (2, 0.7)] {
        let freq = s.iter().filter(|&&v| v == class).count() as f64 / N as f64;
        assert!((freq - p).abs() < 0.01, "class {class}: {freq}");
    }
    // Permutations hold each value once.
    let mut perm = random::permutation_arange(1000, Some(&a))?.to_vec::<u32>()?;
    perm.sort_unstable();
    assert!(perm.iter().enumerate().all(|(i, &v)| v == i as u32));
    Ok(())
}

#[test]
fn multivariate_normal_has_the_given_covariance() -> Result<()> {
    if crate::support::skip_on_gpu("float64 and an SVD, which MLX runs on the CPU only") {
        return Ok(());
    }
    let mean = Array::from_slice(&[1.0f32, -1.0], &[2])?;
    let cov = Array::from_slice(&[2.0f32, 1.0, 1.0, 2.0], &[2, 2])?;
    let x = random::multivariate_normal(&mean, &cov, &[N], Dtype::Float32, Some(&random::key(5)?))?
        .to_vec::<f32>()?;
    let (a, b): (Vec<f32>, Vec<f32>) = x.chunks(2).map(|p| (p[0], p[1])).unzip();
    assert_moments(&a, 1.0, 2.0, 0.03);
    assert_moments(&b, -1.0, 2.0, 0.03);
    let (ma, mb) = (mean_var(&a).0, mean_var(&b).0);
    let cov_ab = a
        .iter()
        .zip(&b)
        .map(|(&p, &q)| (f64::from(p) - ma) * (f64::from(q) - mb))
        .sum::<f64>()
        / N as f64;
    assert!((cov_ab - 1.0).abs() < 0.05, "{cov_ab}");
    Ok(())
}

#[test]
fn global_seed_makes_draws_reproducible() -> Result<()> {
    random::seed(7)?;
    let a = random::normal(&[8], Dtype::Float32, 0.0, 1.0, None)?.to_vec::<f32>()?;
    let b = random::normal(&[8], Dtype::Float32, 0.0, 1.0, None)?.to_vec::<f32>()?;
    assert_ne!(a, b, "the global state advances");
    random::seed(7)?;
    let c = random::normal(&[8], Dtype::Float32, 0.0, 1.0, None)?.to_vec::<f32>()?;
    assert_eq!(a, c, "reseeding replays");
    Ok(())
}

#[test]
fn bad_arguments_are_errors() -> Result<()> {
    let k = k42()?;
    let (zero, one) = (Array::from(0.0f32), Array::from(1.0f32));
    let msg = backend_message(random::uniform(&zero, &one, &[2], Dtype::Int32, Some(&k)));
    assert_eq!(
        msg,
        "[uniform] Can only generate uniform numbers with real floating point type."
    );
    let msg = backend_message(random::randint(&zero, &one, &[2], Dtype::Float32, Some(&k)));
    assert_eq!(
        msg,
        "[randint] randint only accepts integer dtypes and bool."
    );
    let bad_key = Array::from_slice(&[1u32, 2, 3], &[3])?;
    let msg = backend_message(random::normal(
        &[2],
        Dtype::Float32,
        0.0,
        1.0,
        Some(&bad_key),
    ));
    assert_eq!(msg, "[bits] Expected key shape (2) but received (3).");
    let err = random::categorical(&one, -1, Some(&[1]), Some(1), Some(&k)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid `num_samples`: categorical: at most one of `shape` and `num_samples` may be \
         given, got both"
    );
    Ok(())
}
