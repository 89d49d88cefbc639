//! `mlxrs::fft` (Python: python/tests/test_fft.py). Expected values were printed once by
//! Python MLX 0.32.2 (`mx.fft.*`), or worked by hand (the DFT of short sequences).

use mlxrs::fft::{self, FftNorm};
use mlxrs::{Array, Result};

use crate::support::{assert_allclose, assert_complex, backend_message};

fn x4() -> Result<Array> {
    Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[4])
}

fn m23() -> Result<Array> {
    Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])
}

const S3: f32 = 1.732_050_8; // sqrt(3)

#[test]
fn one_dimensional_transforms_and_norms() -> Result<()> {
    let x = x4()?;
    let spectrum = [(10.0, 0.0), (-2.0, 2.0), (-2.0, 0.0), (-2.0, -2.0)];
    assert_complex(&fft::fft(&x, None, -1, FftNorm::Backward)?, &spectrum, 1e-5)?;
    let ortho: Vec<_> = spectrum.iter().map(|&(r, i)| (r / 2.0, i / 2.0)).collect();
    assert_complex(&fft::fft(&x, None, -1, FftNorm::Ortho)?, &ortho, 1e-5)?;
    let forward: Vec<_> = spectrum.iter().map(|&(r, i)| (r / 4.0, i / 4.0)).collect();
    assert_complex(&fft::fft(&x, None, 0, FftNorm::Forward)?, &forward, 1e-5)?;
    // n truncates or zero-pads: fft([1, 2]) = [3, -1]; n = 6 from Python.
    assert_complex(
        &fft::fft(&x, Some(2), -1, FftNorm::Backward)?,
        &[(3.0, 0.0), (-1.0, 0.0)],
        1e-6,
    )?;
    assert_complex(
        &fft::fft(&x, Some(6), -1, FftNorm::Backward)?,
        &[
            (10.0, 0.0),
            (-3.5, -4.330_127),
            (2.5, 0.866_025_4),
            (-2.0, 0.0),
            (2.5, -0.866_025_4),
            (-3.5, 4.330_127),
        ],
        1e-5,
    )?;
    let back = fft::ifft(
        &fft::fft(&x, None, -1, FftNorm::Backward)?,
        None,
        -1,
        FftNorm::Backward,
    )?;
    assert_complex(
        &back,
        &[(1.0, 0.0), (2.0, 0.0), (3.0, 0.0), (4.0, 0.0)],
        1e-6,
    )?;
    // Matching norms invert each other.
    let back = fft::ifft(
        &fft::fft(&x, None, -1, FftNorm::Ortho)?,
        None,
        -1,
        FftNorm::Ortho,
    )?;
    assert_complex(
        &back,
        &[(1.0, 0.0), (2.0, 0.0), (3.0, 0.0), (4.0, 0.0)],
        1e-6,
    )?;
    Ok(())
}

#[test]
fn real_transforms() -> Result<()> {
    let x = x4()?;
    let r = fft::rfft(&x, None, -1, FftNorm::Backward)?;
    assert_eq!(r.shape(), &[3]);
    assert_complex(&r, &[(10.0, 0.0), (-2.0, 2.0), (-2.0, 0.0)], 1e-6)?;
    // Default n: 2 (3 - 1) = 4, the original.
    assert_allclose(
        &fft::irfft(&r, None, -1, FftNorm::Backward)?,
        &[1.0, 2.0, 3.0, 4.0],
        1e-6,
        1e-6,
    )?;
    // n = 5 (Python).
    assert_allclose(
        &fft::irfft(&r, Some(5), -1, FftNorm::Backward)?,
        &[0.4, 1.639_154_8, 1.929_771_8, 2.870_228_3, 3.160_845_3],
        1e-5,
        1e-6,
    )?;
    Ok(())
}

#[test]
fn multi_dimensional_transforms() -> Result<()> {
    let m = m23()?;
    let full = [
        (21.0, 0.0),
        (-3.0, S3),
        (-3.0, -S3),
        (-9.0, 0.0),
        (0.0, 0.0),
        (0.0, 0.0),
    ];
    assert_complex(
        &fft::fft2(&m, None, &[-2, -1], FftNorm::Backward)?,
        &full,
        1e-5,
    )?;
    assert_complex(&fft::fftn(&m, None, None, FftNorm::Backward)?, &full, 1e-5)?;
    // Over axis 0 only: column sums and differences.
    assert_complex(
        &fft::fftn(&m, None, Some(&[0]), FftNorm::Backward)?,
        &[
            (5.0, 0.0),
            (7.0, 0.0),
            (9.0, 0.0),
            (-3.0, 0.0),
            (-3.0, 0.0),
            (-3.0, 0.0),
        ],
        1e-6,
    )?;
    let back = fft::ifft2(
        &fft::fft2(&m, None, &[-2, -1], FftNorm::Backward)?,
        None,
        &[-2, -1],
        FftNorm::Backward,
    )?;
    assert_complex(
        &back,
        &[
            (1.0, 0.0),
            (2.0, 0.0),
            (3.0, 0.0),
            (4.0, 0.0),
            (5.0, 0.0),
            (6.0, 0.0),
        ],
        1e-5,
    )?;
    let back = fft::ifftn(
        &fft::fftn(&m, None, None, FftNorm::Ortho)?,
        None,
        None,
        FftNorm::Ortho,
    )?;
    assert_complex(
        &back,
        &[
            (1.0, 0.0),
            (2.0, 0.0),
            (3.0, 0.0),
            (4.0, 0.0),
            (5.0, 0.0),
            (6.0, 0.0),
        ],
        1e-5,
    )?;

    let r2 = fft::rfft2(&m, None, &[-2, -1], FftNorm::Backward)?;
    assert_complex(
        &r2,
        &[(21.0, 0.0), (-3.0, S3), (-9.0, 0.0), (0.0, 0.0)],
        1e-5,
    )?;
    // The odd last size needs `s`: the default would give 2 (2 - 1) = 2 columns.
    assert_eq!(
        fft::irfft2(&r2, None, &[-2, -1], FftNorm::Backward)?.shape(),
        &[2, 2]
    );
    assert_allclose(
        &fft::irfft2(&r2, Some(&[2, 3]), &[-2, -1], FftNorm::Backward)?,
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        1e-5,
        1e-5,
    )?;
    let rn = fft::rfftn(&m, None, None, FftNorm::Backward)?;
    assert_eq!(
        fft::irfftn(&rn, None, None, FftNorm::Backward)?.shape(),
        &[2, 2]
    );
    assert_allclose(
        &fft::irfftn(&rn, Some(&[2, 3]), Some(&[0, 1]), FftNorm::Backward)?,
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        1e-5,
        1e-5,
    )?;
    assert_eq!(
        fft::rfftn(&m, Some(&[2, 4]), Some(&[0, 1]), FftNorm::Backward)?.shape(),
        &[2, 3]
    );
    Ok(())
}

#[test]
fn shifts_and_frequencies() -> Result<()> {
    let m = m23()?;
    assert_eq!(
        fft::fftshift(&m, None)?.to_vec::<f32>()?,
        [6.0, 4.0, 5.0, 3.0, 1.0, 2.0]
    );
    assert_eq!(
        fft::fftshift(&m, Some(&[1]))?.to_vec::<f32>()?,
        [3.0, 1.0, 2.0, 6.0, 4.0, 5.0]
    );
    assert_eq!(
        fft::ifftshift(&m, None)?.to_vec::<f32>()?,
        [5.0, 6.0, 4.0, 2.0, 3.0, 1.0]
    );
    assert_allclose(
        &fft::fftfreq(5, 0.5)?,
        &[0.0, 0.4, 0.8, -0.8, -0.4],
        1e-6,
        0.0,
    )?;
    assert_allclose(&fft::rfftfreq(5, 0.5)?, &[0.0, 0.4, 0.8], 1e-6, 0.0)?;
    assert_eq!(
        fft::fftfreq(4, 1.0)?.to_vec::<f32>()?,
        [0.0, 0.25, -0.5, -0.25]
    );
    Ok(())
}

#[test]
fn bad_arguments_are_errors() -> Result<()> {
    let x = x4()?;
    let msg = backend_message(fft::fft(&x, None, 2, FftNorm::Backward));
    assert_eq!(
        msg,
        "[fftn] Invalid axis received for array with 1 dimensions."
    );
    let msg = backend_message(fft::fft(&x, Some(0), -1, FftNorm::Backward));
    assert_eq!(msg, "[fftn] Invalid FFT output size requested (0)");
    let msg = backend_message(fft::fft(&Array::from(1.0f32), None, -1, FftNorm::Backward));
    assert_eq!(msg, "[fftn] Requires array with at least one dimension.");
    let msg = backend_message(fft::fftn(&m23()?, None, Some(&[0, 0]), FftNorm::Backward));
    assert!(msg.starts_with("[fftn] Duplicated axis"), "{msg}");
    // `s` without `axes` (Python raises too).
    let err = fft::fftn(&m23()?, Some(&[2, 2]), None, FftNorm::Backward).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid `axes`: fftn needs `axes` when `s` is given, got None"
    );
    Ok(())
}
