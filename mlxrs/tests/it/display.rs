//! Printing: `Display` and `Debug` of an array are MLX's own `repr`. The expected strings
//! were printed by Python MLX 0.32.2 (`repr(mx.array(...))`).

use half::{bf16, f16};
use mlxrs::ops::{exp, reshape, transpose};
use mlxrs::{Array, Complex64, Device, Dtype, Result};

/// Asserts that both `Display` and `Debug` print `expected`.
fn assert_prints(a: &Array, expected: &str) {
    assert_eq!(a.to_string(), expected);
    assert_eq!(format!("{a:?}"), expected);
}

#[test]
fn vectors_and_scalars() -> Result<()> {
    assert_prints(
        &Array::from_slice(&[1i32, 2, 3], &[3])?,
        "array([1, 2, 3], dtype=int32)",
    );
    assert_prints(&Array::from(3.5f32), "array(3.5, dtype=float32)");
    assert_prints(&Array::from(5i32), "array(5, dtype=int32)");
    assert_prints(
        &Array::from(1i64 << 40),
        "array(1099511627776, dtype=int64)",
    );
    assert_prints(&Array::from(true), "array(True, dtype=bool)");
    assert_prints(
        &Array::from_slice(&[true, false], &[2])?,
        "array([True, False], dtype=bool)",
    );
    // Python's repr(mx.array([True, False] * 4)): summarized like any other array.
    assert_prints(
        &Array::from_slice(&[true, false, true, false, true, false, true, false], &[8])?,
        "array([True, False, True, ..., False, True, False], dtype=bool)",
    );
    Ok(())
}

#[test]
fn matrices_break_lines_and_align_rows() -> Result<()> {
    assert_prints(
        &Array::from_slice(&[1.5f32, 2.0, 3.25, -4.0], &[2, 2])?,
        "array([[1.5, 2],\n       [3.25, -4]], dtype=float32)",
    );
    // A transposed (non-contiguous) array prints its logical, row-major values.
    let t = transpose(&reshape(
        &Array::arange(0.0, 6.0, 1.0, Dtype::Int32)?,
        &[2, 3],
    )?)?;
    assert_prints(
        &t,
        "array([[0, 3],\n       [1, 4],\n       [2, 5]], dtype=int32)",
    );
    assert_prints(
        &Array::zeros(&[2, 0], Dtype::Float32)?,
        "array([[],\n       []], dtype=float32)",
    );
    Ok(())
}

#[test]
fn every_kind_of_element() -> Result<()> {
    assert_prints(
        &Array::from_slice(&[1u8, 2], &[2])?,
        "array([1, 2], dtype=uint8)",
    );
    assert_prints(
        &Array::from_slice(&[f16::from_f32(1.5), f16::from_f32(2.0)], &[2])?,
        "array([1.5, 2], dtype=float16)",
    );
    assert_prints(
        &Array::from_slice(&[bf16::from_f32(1.0), bf16::from_f32(2.0)], &[2])?,
        "array([1, 2], dtype=bfloat16)",
    );
    assert_prints(
        &Array::from_slice(&[1.0f64, 2.0], &[2])?,
        "array([1, 2], dtype=float64)",
    );
    assert_prints(
        &Array::from_slice(&[Complex64::new(1.0, 2.0)], &[1])?,
        "array([1+2j], dtype=complex64)",
    );
    assert_prints(
        &Array::from_slice(&[1.0f32, f32::NAN, f32::INFINITY, f32::NEG_INFINITY], &[4])?,
        "array([1, nan, inf, -inf], dtype=float32)",
    );
    // Six significant digits, as C++ streams print.
    assert_prints(
        &Array::from_slice(&[1.0f32 / 3.0], &[1])?,
        "array([0.333333], dtype=float32)",
    );
    assert_prints(
        &Array::from_slice(&[123_456_789.0f32], &[1])?,
        "array([1.23457e+08], dtype=float32)",
    );
    Ok(())
}

#[test]
fn long_arrays_are_summarized() -> Result<()> {
    assert_prints(
        &Array::arange(0.0, 6.0, 1.0, Dtype::Int32)?,
        "array([0, 1, 2, 3, 4, 5], dtype=int32)",
    );
    assert_prints(
        &Array::arange(0.0, 12.0, 1.0, Dtype::Int32)?,
        "array([0, 1, 2, ..., 9, 10, 11], dtype=int32)",
    );
    Ok(())
}

#[test]
fn printing_a_lazy_array_evaluates_it() -> Result<()> {
    let lazy = exp(&Array::zeros(&[2], Dtype::Float32)?)?;
    assert_prints(&lazy, "array([1, 1], dtype=float32)");
    // Inside other Debug output, too.
    assert_eq!(
        format!("{:?}", vec![Array::from(1i32), Array::from(2i32)]),
        "[array(1, dtype=int32), array(2, dtype=int32)]"
    );
    Ok(())
}

#[test]
fn devices_and_dtypes_print_like_python() -> Result<()> {
    // `print(mx.cpu)`-style forms and dtype names, as Python MLX shows them.
    assert_eq!(Device::cpu().to_string(), "Device(cpu, 0)");
    assert_eq!(Dtype::Bfloat16.to_string(), "bfloat16");
    // Each thread has its own default stream (index 0 only on the first thread that
    // asked); Python prints `Stream(Device(cpu, 0), 0)` on its main thread.
    let s = mlxrs::Stream::default_for(&Device::cpu())?;
    assert_eq!(
        format!("{s:?}"),
        format!("Stream(Device(cpu, 0), {})", s.index()?)
    );
    assert_eq!(mlxrs::version()?, "0.32.2");
    Ok(())
}
