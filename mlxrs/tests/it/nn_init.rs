//! `nn::init` (`mlx.nn.init`): shapes, dtypes, bounds and sample statistics against
//! Python's formulas (mean and standard deviation within a few standard errors of a
//! large sample), plus the errors. The oracle (tests/oracle/cases/losses.rs) checks the
//! exact draws against Python MLX under the same seed.

use mlxrs::nn::init::{self, FanMode};
use mlxrs::{Array, Dtype, Result, ops};

use crate::support::assert_allclose;

fn zeros(shape: &[i32]) -> Result<Array> {
    Array::zeros(shape, Dtype::Float32)
}

/// Sample mean and (population) standard deviation, in f64.
fn stats(a: &Array) -> Result<(f64, f64)> {
    let v: Vec<f64> = a
        .astype(Dtype::Float32)?
        .to_vec::<f32>()?
        .into_iter()
        .map(f64::from)
        .collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    Ok((mean, var.sqrt()))
}

/// Asserts a sample of `n` values has mean `mu` and standard deviation `sigma`, each
/// within 5 standard errors (for normal or uniform samples).
fn assert_moments(a: &Array, mu: f64, sigma: f64) -> Result<()> {
    let n = a.size() as f64;
    let (mean, std) = stats(a)?;
    let se_mean = sigma / n.sqrt();
    // The standard error of the sample std is at most ~sigma / sqrt(n) for these laws.
    let se_std = sigma / n.sqrt();
    assert!(
        (mean - mu).abs() <= 5.0 * se_mean,
        "mean {mean}, expected {mu} ± {}",
        5.0 * se_mean
    );
    assert!(
        (std - sigma).abs() <= 5.0 * se_std,
        "std {std}, expected {sigma} ± {}",
        5.0 * se_std
    );
    Ok(())
}

fn assert_within(a: &Array, low: f32, high: f32) -> Result<()> {
    let v = a.astype(Dtype::Float32)?.to_vec::<f32>()?;
    assert!(
        v.iter().all(|&x| (low..=high).contains(&x)),
        "values outside [{low}, {high}]"
    );
    Ok(())
}

#[test]
fn constant_and_identity() -> Result<()> {
    let c = init::constant(0.5, Dtype::Float32)(&zeros(&[2, 3])?)?;
    assert_eq!((c.shape(), c.dtype()), (&[2, 3][..], Dtype::Float32));
    assert_allclose(&c, &[0.5; 6], 0.0, 0.0)?;
    let c = init::constant(-2.0, Dtype::Bfloat16)(&zeros(&[4])?)?;
    assert_eq!(c.dtype(), Dtype::Bfloat16);
    assert_allclose(&c.astype(Dtype::Float32)?, &[-2.0; 4], 0.0, 0.0)?;
    let i = init::identity(Dtype::Float16)(&zeros(&[3, 3])?)?;
    assert_eq!(i.dtype(), Dtype::Float16);
    assert_allclose(
        &i.astype(Dtype::Float32)?,
        &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        0.0,
        0.0,
    )?;
    let err = init::identity(Dtype::Float32)(&zeros(&[2, 3])?)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "identity: the input array must be a square matrix but got shape (2, 3)"
    );
    Ok(())
}

#[test]
fn normal_and_uniform_statistics() -> Result<()> {
    let w = zeros(&[200, 200])?;
    let n = init::normal(2.0, 0.5, Dtype::Float32)(&w)?;
    assert_eq!((n.shape(), n.dtype()), (&[200, 200][..], Dtype::Float32));
    assert_moments(&n, 2.0, 0.5)?;
    let n = init::normal(0.0, 1.0, Dtype::Float16)(&w)?;
    assert_eq!(n.dtype(), Dtype::Float16);
    assert_moments(&n, 0.0, 1.0)?;
    let u = init::uniform(-3.0, 1.0, Dtype::Float32)(&w)?;
    assert_within(&u, -3.0, 1.0)?;
    assert_moments(&u, -1.0, 4.0 / 12f64.sqrt())?;
    let u = init::uniform(0.0, 1.0, Dtype::Bfloat16)(&zeros(&[5, 7])?)?;
    assert_eq!((u.shape(), u.dtype()), (&[5, 7][..], Dtype::Bfloat16));
    assert_within(&u, 0.0, 1.0)?;
    Ok(())
}

#[test]
fn fans_as_python_computes_them() -> Result<()> {
    assert_eq!(init::fan_in_fan_out(&zeros(&[6, 4])?, "he_normal")?, (4, 6));
    // Convolution weights [out, kh, kw, in]: the receptive field multiplies both fans.
    assert_eq!(
        init::fan_in_fan_out(&zeros(&[16, 3, 3, 8])?, "he_normal")?,
        (72, 144)
    );
    assert_eq!(
        init::fan_in_fan_out(&zeros(&[5, 3, 7])?, "he_normal")?,
        (21, 15)
    );
    let err = init::glorot_uniform(Dtype::Float32)(&zeros(&[7])?, 1.0)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "glorot_uniform: Glorot / He initialization requires at least 2 dimensional input but input with 1 dimensions"
    );
    let err = init::he_normal(Dtype::Float32)(&zeros(&[])?, FanMode::FanIn, 1.0)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("he_normal: "), "{err}");
    let err = "fan".parse::<FanMode>().unwrap_err().to_string();
    assert!(err.contains("valid modes are: fan_in, fan_out"), "{err}");
    Ok(())
}

#[test]
fn glorot_statistics() -> Result<()> {
    // fan_in 200, fan_out 300.
    let w = zeros(&[300, 200])?;
    let std = (2.0f64 / 500.0).sqrt();
    assert_moments(&init::glorot_normal(Dtype::Float32)(&w, 1.0)?, 0.0, std)?;
    assert_moments(
        &init::glorot_normal(Dtype::Float32)(&w, 3.0)?,
        0.0,
        3.0 * std,
    )?;
    let limit = (6.0f64 / 500.0).sqrt();
    let u = init::glorot_uniform(Dtype::Float32)(&w, 2.0)?;
    assert_within(&u, -2.0 * limit as f32, 2.0 * limit as f32)?;
    assert_moments(&u, 0.0, 2.0 * limit / 3f64.sqrt())?;
    let h = init::glorot_uniform(Dtype::Float16)(&zeros(&[4, 3, 3, 2])?, 1.0)?;
    assert_eq!((h.shape(), h.dtype()), (&[4, 3, 3, 2][..], Dtype::Float16));
    Ok(())
}

#[test]
fn he_statistics() -> Result<()> {
    // fan_in 8 * 9 = 72, fan_out 64 * 9 = 576.
    let w = zeros(&[64, 3, 3, 8])?;
    let he_n = init::he_normal(Dtype::Float32);
    assert_moments(&he_n(&w, FanMode::FanIn, 1.0)?, 0.0, 1.0 / 72f64.sqrt())?;
    assert_moments(&he_n(&w, FanMode::FanOut, 5.0)?, 0.0, 5.0 / 576f64.sqrt())?;
    let he_u = init::he_uniform(Dtype::Float32);
    let limit = (3.0f64 / 72.0).sqrt();
    let u = he_u(&w, FanMode::FanIn, 1.0)?;
    assert_within(&u, -limit as f32, limit as f32)?;
    assert_moments(&u, 0.0, limit / 3f64.sqrt())?;
    let limit = 2.0 * (3.0f64 / 576.0).sqrt();
    let u = he_u(&w, "fan_out".parse()?, 2.0)?;
    assert_within(&u, -limit as f32, limit as f32)?;
    assert_moments(&u, 0.0, limit / 3f64.sqrt())?;
    Ok(())
}

#[test]
fn sparse_zeroes_a_fraction_of_every_row() -> Result<()> {
    let s = init::sparse(0.3, 1.0, 0.1, Dtype::Float32)(&zeros(&[50, 10])?)?;
    assert_eq!((s.shape(), s.dtype()), (&[50, 10][..], Dtype::Float32));
    let v = s.to_vec::<f32>()?;
    for row in v.chunks(10) {
        // ceil(0.3 * 10) zeros per row: 4, since 0.3 * 10 rounds above 3 (Python's
        // `math.ceil(0.3 * 10)` is 4 too); the rest ~N(1, 0.1), never exactly 0.
        assert_eq!(row.iter().filter(|&&x| x == 0.0).count(), 4, "{row:?}");
    }
    let kept: Vec<f32> = v.iter().copied().filter(|&x| x != 0.0).collect();
    assert_moments(&Array::from_slice(&kept, &[kept.len() as i32])?, 1.0, 0.1)?;
    let half = init::sparse(0.25, 0.0, 1.0, Dtype::Float32)(&zeros(&[6, 8])?)?;
    for row in half.to_vec::<f32>()?.chunks(8) {
        assert_eq!(row.iter().filter(|&&x| x == 0.0).count(), 2, "{row:?}");
    }
    let none = init::sparse(0.0, 0.0, 1.0, Dtype::Float32)(&zeros(&[3, 4])?)?;
    assert!(none.to_vec::<f32>()?.iter().all(|&x| x != 0.0));
    let all = init::sparse(1.0, 0.0, 1.0, Dtype::Float32)(&zeros(&[3, 4])?)?;
    assert!(all.to_vec::<f32>()?.iter().all(|&x| x == 0.0));
    let err = init::sparse(0.5, 0.0, 1.0, Dtype::Float32)(&zeros(&[2, 3, 4])?)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "sparse: only tensors with 2 dimensions are supported");
    let err = init::sparse(-0.5, 0.0, 1.0, Dtype::Float32)(&zeros(&[2, 3])?)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("sparse's sparsity must be in [0, 1], got -0.5"),
        "{err}"
    );
    Ok(())
}

#[test]
fn orthogonal_is_orthonormal() -> Result<()> {
    for &(rows, cols) in &[(4, 4), (6, 3), (3, 6)] {
        let q = init::orthogonal(2.0, Dtype::Float32)(&zeros(&[rows, cols])?)?;
        assert_eq!(q.shape(), &[rows, cols]);
        // Columns (tall) or rows (wide) are orthogonal with norm `gain`.
        let gram = if rows >= cols {
            ops::matmul(&q.t()?, &q)?
        } else {
            ops::matmul(&q, &q.t()?)?
        };
        let k = rows.min(cols);
        let eye = Array::eye(k, k, 0, Dtype::Float32)?;
        let want = (eye * 4.0)?.to_vec::<f32>()?;
        assert_allclose(&gram, &want, 1e-4, 1e-4)?;
    }
    let h = init::orthogonal(1.0, Dtype::Float16)(&zeros(&[2, 2])?)?;
    assert_eq!(h.dtype(), Dtype::Float16);
    let err = init::orthogonal(1.0, Dtype::Float32)(&zeros(&[2, 2, 2])?)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "orthogonal: initialization requires a 2D array but got a 3D array"
    );
    Ok(())
}
