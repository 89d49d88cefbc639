//! `mlxrs::linalg` (Python: python/tests/test_linalg.py). Expected values were printed
//! once by Python MLX 0.32.2 (`mx.linalg.*` on the CPU stream) unless worked by hand.

use mlxrs::{Array, Device, Dtype, Result, Stream, linalg, linalg::NormOrd, ops};

use crate::support::{assert_allclose, assert_complex, backend_message};

fn a22() -> Result<Array> {
    Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])
}

#[test]
fn norms_match_python() -> Result<()> {
    if crate::support::skip_on_gpu("float64 norms") {
        return Ok(());
    }
    let a = a22()?;
    // Python: norm(A), norm(A,'fro'), norm(A,'nuc'), norm(A,1), norm(A,inf), norm(A,2), norm(A,-2)
    let cases: [(Option<NormOrd>, f32); 7] = [
        (None, 5.477_225_8),
        (Some(NormOrd::Fro), 5.477_225_8),
        (Some(NormOrd::Nuc), 5.830_952),
        (Some(NormOrd::P(1.0)), 6.0),
        (Some(NormOrd::P(f64::INFINITY)), 7.0),
        (Some(NormOrd::P(2.0)), 5.464_986),
        (Some(NormOrd::P(-2.0)), 0.365_966_2),
    ];
    for (ord, expected) in cases {
        assert_allclose(
            &linalg::norm(&a, ord, None, false)?,
            &[expected],
            1e-5,
            1e-5,
        )?;
    }
    // Vector norms along axes: sqrt(1+4), sqrt(9+16); (1^.5+3^.5)^2, (2^.5+4^.5)^2.
    assert_allclose(
        &linalg::norm(&a, None, Some(&[1]), false)?,
        &[2.236_068, 5.0],
        1e-6,
        0.0,
    )?;
    assert_allclose(
        &linalg::norm(&a, Some(NormOrd::P(0.5)), Some(&[0]), false)?,
        &[7.464_102, 11.656_854],
        1e-5,
        0.0,
    )?;
    assert_eq!(linalg::norm(&a, None, Some(&[0]), true)?.shape(), &[1, 2]);
    // 0 counts non-zeros, -inf is the smallest magnitude (by hand).
    let v = Array::from_slice(&[0.0f32, -3.0, 2.0], &[3])?;
    assert_eq!(
        linalg::norm(&v, Some(0.0.into()), None, false)?.item::<f32>()?,
        2.0
    );
    assert_eq!(
        linalg::norm(&v, Some(f64::NEG_INFINITY.into()), None, false)?.item::<f32>()?,
        0.0
    );
    Ok(())
}

#[test]
fn norm_errors_are_mlx_messages() -> Result<()> {
    let msg = backend_message(linalg::norm(
        &Array::zeros(&[2, 2, 2], Dtype::Float32)?,
        Some(NormOrd::Fro),
        None,
        false,
    ));
    assert!(msg.starts_with("[linalg::norm]"), "{msg}");
    Ok(())
}

#[test]
fn factorizations_match_python() -> Result<()> {
    if crate::support::skip_on_gpu("linalg: MLX runs it on the CPU only") {
        return Ok(());
    }
    let a = a22()?;
    let (q, r) = linalg::qr(&a)?;
    assert_allclose(
        &q,
        &[-0.316_227_8, -0.948_683_3, -0.948_683_3, 0.316_227_7],
        1e-5,
        1e-6,
    )?;
    assert_allclose(
        &r,
        &[-3.162_277_7, -4.427_188_4, 0.0, -0.632_455_3],
        1e-5,
        1e-6,
    )?;
    assert_allclose(&ops::matmul(&q, &r)?, &[1.0, 2.0, 3.0, 4.0], 1e-5, 1e-5)?;

    let usv = linalg::svd(&a, true)?;
    assert_eq!(usv.len(), 3);
    assert_allclose(&usv[1], &[5.464_985_4, 0.365_966_26], 1e-5, 1e-6)?;
    let us = ops::multiply(&usv[0], &usv[1])?; // u * s broadcast over columns
    assert_allclose(
        &ops::matmul(&us, &usv[2])?,
        &[1.0, 2.0, 3.0, 4.0],
        1e-5,
        1e-5,
    )?;
    let s = linalg::svd(&a, false)?;
    assert_eq!(s.len(), 1);
    assert_allclose(&s[0], &[5.464_985_4, 0.365_966_26], 1e-5, 1e-6)?;

    let (p, l, u) = linalg::lu(&a)?;
    assert_eq!(p.to_vec::<u32>()?, [1, 0]);
    assert_allclose(&l, &[1.0, 0.0, 1.0 / 3.0, 1.0], 1e-6, 1e-7)?;
    assert_allclose(&u, &[3.0, 4.0, 0.0, 2.0 / 3.0], 1e-6, 1e-6)?;
    let (lu, pivots) = linalg::lu_factor(&a)?;
    assert_allclose(&lu, &[3.0, 4.0, 1.0 / 3.0, 2.0 / 3.0], 1e-6, 1e-6)?;
    assert_eq!(pivots.to_vec::<u32>()?, [1, 1]);

    let spd = Array::from_slice(&[4.0f32, 2.0, 2.0, 3.0], &[2, 2])?;
    let l = linalg::cholesky(&spd, false)?;
    assert_allclose(&l, &[2.0, 0.0, 1.0, 2f32.sqrt()], 1e-6, 1e-7)?;
    assert_allclose(
        &linalg::cholesky(&spd, true)?,
        &[2.0, 1.0, 0.0, 2f32.sqrt()],
        1e-6,
        1e-7,
    )?;
    // inv([[4,2],[2,3]]) = [[3,-2],[-2,4]] / 8
    assert_allclose(
        &linalg::cholesky_inv(&l, false)?,
        &[0.375, -0.25, -0.25, 0.5],
        1e-5,
        1e-6,
    )?;
    Ok(())
}

#[test]
fn inverses_and_solvers_match_hand_values() -> Result<()> {
    if crate::support::skip_on_gpu("linalg: MLX runs it on the CPU only") {
        return Ok(());
    }
    let a = a22()?;
    assert_allclose(&linalg::inv(&a)?, &[-2.0, 1.0, 1.5, -0.5], 1e-5, 1e-6)?;
    // pinv of the rank-1 [[1,2],[2,4]] = A / 25.
    let rank1 = Array::from_slice(&[1.0f32, 2.0, 2.0, 4.0], &[2, 2])?;
    assert_allclose(
        &linalg::pinv(&rank1)?,
        &[0.04, 0.08, 0.08, 0.16],
        1e-4,
        1e-6,
    )?;
    let lower = Array::from_slice(&[2.0f32, 0.0, 1.0, 4.0], &[2, 2])?;
    assert_allclose(
        &linalg::tri_inv(&lower, false)?,
        &[0.5, 0.0, -0.125, 0.25],
        1e-6,
        0.0,
    )?;
    let upper = Array::from_slice(&[2.0f32, 1.0, 0.0, 4.0], &[2, 2])?;
    assert_allclose(
        &linalg::tri_inv(&upper, true)?,
        &[0.5, -0.125, 0.0, 0.25],
        1e-6,
        0.0,
    )?;
    // x + 2y = 1, 3x + 4y = 2  =>  x = 0, y = 0.5
    let b = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    assert_allclose(&linalg::solve(&a, &b)?, &[0.0, 0.5], 1e-5, 1e-6)?;
    // 2x = 2, x + 4y = 9  =>  x = 1, y = 2
    let b = Array::from_slice(&[2.0f32, 9.0], &[2])?;
    assert_allclose(
        &linalg::solve_triangular(&lower, &b, false)?,
        &[1.0, 2.0],
        1e-6,
        0.0,
    )?;
    assert_allclose(&linalg::det(&a)?, &[-2.0], 1e-5, 0.0)?;
    let (sign, logdet) = linalg::slogdet(&a)?;
    assert_allclose(&sign, &[-1.0], 0.0, 0.0)?;
    assert_allclose(&logdet, &[2f32.ln()], 1e-6, 0.0)?;
    // The tridiagonal 4x4 [2,1] matrix has determinant 5 (LU path: n > 3).
    let t = Array::from_slice(
        &[
            2.0f32, 1.0, 0.0, 0.0, 1.0, 2.0, 1.0, 0.0, 0.0, 1.0, 2.0, 1.0, 0.0, 0.0, 1.0, 2.0,
        ],
        &[4, 4],
    )?;
    assert_allclose(&linalg::det(&t)?, &[5.0], 1e-5, 0.0)?;
    assert_allclose(&linalg::slogdet(&t)?.1, &[5f32.ln()], 1e-5, 0.0)?;
    Ok(())
}

#[test]
fn eigen_decompositions() -> Result<()> {
    if crate::support::skip_on_gpu("linalg: MLX runs it on the CPU only") {
        return Ok(());
    }
    let sym = Array::from_slice(&[2.0f32, 1.0, 1.0, 2.0], &[2, 2])?;
    let (w, v) = linalg::eigh(&sym, "L")?;
    assert_allclose(&w, &[1.0, 3.0], 1e-5, 1e-6)?;
    let h = std::f32::consts::FRAC_1_SQRT_2;
    // Python: [[-0.7071, 0.7071], [0.7071, 0.7071]] (columns are eigenvectors).
    assert_allclose(&v, &[-h, h, h, h], 1e-5, 1e-6)?;
    assert_allclose(&linalg::eigvalsh(&sym, "U")?, &[1.0, 3.0], 1e-5, 1e-6)?;

    // A rotation by 90 degrees: eigenvalues ±i.
    let rot = Array::from_slice(&[0.0f32, -1.0, 1.0, 0.0], &[2, 2])?;
    let (w, v) = linalg::eig(&rot)?;
    assert_complex(&w, &[(0.0, 1.0), (0.0, -1.0)], 1e-6)?;
    assert_complex(&v, &[(h, 0.0), (h, 0.0), (0.0, -h), (0.0, h)], 1e-6)?;
    let diag = Array::from_slice(&[2.0f32, 0.0, 0.0, 3.0], &[2, 2])?;
    assert_complex(&linalg::eigvals(&diag)?, &[(2.0, 0.0), (3.0, 0.0)], 1e-6)?;
    Ok(())
}

#[test]
fn cross_products() -> Result<()> {
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0], &[1, 3])?;
    let b = Array::from_slice(&[4.0f32, 5.0, 6.0], &[1, 3])?;
    assert_eq!(
        linalg::cross(&a, &b, -1)?.to_vec::<f32>()?,
        [-3.0, 6.0, -3.0]
    );
    let msg = backend_message(linalg::cross(&a, &b, 0));
    assert!(msg.contains("[linalg::cross]"), "{msg}");
    Ok(())
}

#[test]
fn errors_carry_mlx_messages() -> Result<()> {
    if crate::support::skip_on_gpu("linalg: MLX runs it on the CPU only") {
        return Ok(());
    }
    let msg = backend_message(linalg::inv(&Array::zeros(&[2, 3], Dtype::Float32)?));
    assert!(msg.starts_with("[linalg::inv]"), "{msg}");
    let msg = backend_message(linalg::qr(&Array::zeros(&[3], Dtype::Float32)?));
    assert!(msg.starts_with("[linalg::qr]"), "{msg}");
    let msg = backend_message(linalg::cholesky(
        &Array::zeros(&[2, 2], Dtype::Int32)?,
        false,
    ));
    assert!(msg.contains("float32 or float64"), "{msg}");
    // A NUL in UPLO is ours to reject.
    let err = linalg::eigh(&a22()?, "L\0").unwrap_err();
    assert!(err.to_string().starts_with("invalid `uplo`"), "{err}");
    Ok(())
}

#[test]
fn explicit_cpu_stream_works() -> Result<()> {
    // The documented way to run CPU-only ops when a GPU is the default.
    let cpu = Stream::new(&Device::cpu())?;
    let _scope = cpu.scope();
    assert_allclose(&linalg::inv(&a22()?)?, &[-2.0, 1.0, 1.5, -0.5], 1e-5, 1e-6)?;
    Ok(())
}

#[cfg(feature = "gpu-tests")]
#[test]
fn cpu_only_ops_reject_a_gpu_stream() -> Result<()> {
    let gpu = Stream::new(&Device::gpu())?;
    let _scope = gpu.scope();
    let msg = backend_message(linalg::inv(&a22()?));
    assert!(msg.contains("not yet supported on the GPU"), "{msg}");
    Ok(())
}
