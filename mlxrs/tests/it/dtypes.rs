//! Every dtype: round trips through `from_slice`/`to_vec`/`item`/`as_slice`, scalars and
//! `From`, `astype` with known results, sizes, and dtype mismatches (never a silent cast).

use std::fmt::Debug;

use half::{bf16, f16};
use mlxrs::{Array, ArrayElement, Complex64, Dtype, Error, Result};

/// Round trip of `values` (which must not contain NaN) as a 1-d array and as scalars.
fn round_trip<T>(values: &[T], dtype: Dtype, itemsize: usize) -> Result<()>
where
    T: ArrayElement + PartialEq + Debug,
    Array: From<T>,
{
    assert_eq!(T::DTYPE, dtype);
    let a = Array::from_slice(values, &[values.len()])?;
    assert_eq!(a.dtype(), dtype);
    assert_eq!(a.shape(), &[values.len() as i32]);
    assert_eq!(a.ndim(), 1);
    assert_eq!(a.size(), values.len());
    assert_eq!(a.itemsize(), itemsize);
    assert_eq!(a.nbytes(), values.len() * itemsize);
    assert_eq!(a.to_vec::<T>()?, values);
    assert_eq!(a.as_slice::<T>()?, values);
    // The same through the `TryFrom` conversions.
    assert_eq!(Array::try_from(values)?.to_vec::<T>()?, values);
    assert_eq!(Array::try_from(values.to_vec())?.to_vec::<T>()?, values);
    for &v in values {
        let s = Array::scalar(v);
        assert_eq!(s.ndim(), 0);
        assert_eq!(s.shape(), &[] as &[i32]);
        assert_eq!(s.size(), 1);
        assert_eq!(s.dtype(), dtype);
        assert_eq!(s.nbytes(), itemsize);
        assert_eq!(s.item::<T>()?, v);
        assert_eq!(s.to_vec::<T>()?, [v]);
        assert_eq!(Array::from(v).item::<T>()?, v);
    }
    Ok(())
}

#[test]
fn bool_round_trip() -> Result<()> {
    round_trip(&[true, false, false, true], Dtype::Bool, 1)
}

#[test]
fn unsigned_round_trips_keep_extremes() -> Result<()> {
    round_trip(&[0u8, 1, 127, 128, u8::MAX], Dtype::Uint8, 1)?;
    round_trip(&[0u16, 1, 0x8000, u16::MAX], Dtype::Uint16, 2)?;
    round_trip(&[0u32, 1, 0x8000_0000, u32::MAX], Dtype::Uint32, 4)?;
    round_trip(
        &[
            0u64,
            1,
            1 << 53,
            (1 << 53) + 1,
            0x8000_0000_0000_0000,
            u64::MAX,
        ],
        Dtype::Uint64,
        8,
    )
}

#[test]
fn signed_round_trips_keep_extremes() -> Result<()> {
    round_trip(&[i8::MIN, -1, 0, 1, i8::MAX], Dtype::Int8, 1)?;
    round_trip(&[i16::MIN, -1, 0, 1, i16::MAX], Dtype::Int16, 2)?;
    round_trip(&[i32::MIN, -1, 0, 1, i32::MAX], Dtype::Int32, 4)?;
    round_trip(
        &[i64::MIN, -(1 << 53) - 1, -1, 0, 1, (1 << 53) + 1, i64::MAX],
        Dtype::Int64,
        8,
    )
}

#[test]
fn f16_round_trip_keeps_subnormals_and_extremes() -> Result<()> {
    let values = [
        f16::from_bits(0x0001), // smallest subnormal, 2^-24
        f16::from_bits(0x03ff), // largest subnormal
        f16::MIN_POSITIVE,
        f16::MAX,
        f16::MIN,
        f16::from_f32(-2.5),
        f16::ZERO,
        f16::NEG_ZERO,
        f16::INFINITY,
        f16::NEG_INFINITY,
    ];
    round_trip(&values, Dtype::Float16, 2)?;
    // Bit for bit (this also tells -0.0 from 0.0).
    let back = Array::from_slice(&values, &[2, 5])?.to_vec::<f16>()?;
    let bits = |v: &[f16]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&back), bits(&values));
    assert_eq!(bits(&back)[..2], [0x0001, 0x03ff]);
    Ok(())
}

#[test]
fn bf16_round_trip_keeps_subnormals_and_extremes() -> Result<()> {
    let values = [
        bf16::from_bits(0x0001),
        bf16::MIN_POSITIVE,
        bf16::MAX,
        bf16::MIN,
        bf16::from_f32(0.1),
        bf16::NEG_ZERO,
        bf16::INFINITY,
    ];
    round_trip(&values, Dtype::Bfloat16, 2)?;
    let back = Array::from_slice(&values, &[7])?.to_vec::<bf16>()?;
    let bits: Vec<u16> = back.iter().map(|x| x.to_bits()).collect();
    assert_eq!(bits, values.map(bf16::to_bits));
    Ok(())
}

#[test]
fn f32_and_f64_round_trips_keep_extremes() -> Result<()> {
    round_trip(
        &[
            f32::MIN,
            f32::MAX,
            f32::MIN_POSITIVE,
            f32::from_bits(1), // smallest subnormal
            f32::EPSILON,
            0.1,
            -0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ],
        Dtype::Float32,
        4,
    )?;
    round_trip(
        &[
            f64::MIN,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
            0.1,
            std::f64::consts::PI,
            f64::NEG_INFINITY,
        ],
        Dtype::Float64,
        8,
    )?;
    // -0.0 keeps its sign bit.
    let z = Array::from(-0.0f32).item::<f32>()?;
    assert_eq!(z.to_bits(), (-0.0f32).to_bits());
    Ok(())
}

#[test]
fn nan_payloads_survive_a_round_trip() -> Result<()> {
    let quiet = f32::from_bits(0x7fc0_1234);
    let back = Array::from_slice(&[quiet, f32::NAN], &[2])?.to_vec::<f32>()?;
    assert_eq!(back[0].to_bits(), 0x7fc0_1234);
    assert!(back[1].is_nan());
    let h = Array::from(f16::NAN).item::<f16>()?;
    assert!(h.is_nan());
    let d = Array::from(f64::NAN).item::<f64>()?;
    assert!(d.is_nan());
    Ok(())
}

#[test]
fn complex64_round_trip() -> Result<()> {
    round_trip(
        &[
            Complex64::new(1.0, 2.0),
            Complex64::new(-0.5, 0.25),
            Complex64::new(f32::MAX, f32::MIN),
            Complex64::default(),
        ],
        Dtype::Complex64,
        8,
    )
}

#[test]
fn two_dimensional_data_round_trips_in_row_major_order() -> Result<()> {
    let a = Array::from_slice(&[1i16, 2, 3, 4, 5, 6], &[2, 3])?;
    assert_eq!(a.shape(), &[2, 3]);
    assert_eq!(a.nbytes(), 12);
    assert_eq!(a.to_vec::<i16>()?, [1, 2, 3, 4, 5, 6]);
    // Row 1 is [4, 5, 6]: sum along axis 1 tells rows from columns.
    let rows = mlxrs::ops::sum_axis(&a.astype(Dtype::Int32)?, 1, false)?;
    assert_eq!(rows.to_vec::<i32>()?, [6, 15]);
    Ok(())
}

#[test]
fn dtype_sizes_and_names_match_mlx() {
    let expected = [
        (Dtype::Bool, 1, "bool"),
        (Dtype::Uint8, 1, "uint8"),
        (Dtype::Uint16, 2, "uint16"),
        (Dtype::Uint32, 4, "uint32"),
        (Dtype::Uint64, 8, "uint64"),
        (Dtype::Int8, 1, "int8"),
        (Dtype::Int16, 2, "int16"),
        (Dtype::Int32, 4, "int32"),
        (Dtype::Int64, 8, "int64"),
        (Dtype::Float16, 2, "float16"),
        (Dtype::Float32, 4, "float32"),
        (Dtype::Float64, 8, "float64"),
        (Dtype::Bfloat16, 2, "bfloat16"),
        (Dtype::Complex64, 8, "complex64"),
    ];
    assert_eq!(Dtype::ALL.len(), expected.len());
    for (d, (e, size, name)) in Dtype::ALL.into_iter().zip(expected) {
        assert_eq!(d, e);
        assert_eq!(d.size(), size, "{d}");
        assert_eq!(d.name(), name);
        assert_eq!(d.to_string(), name);
    }
}

#[test]
fn every_dtype_survives_zeros_and_astype_to_itself() -> Result<()> {
    if crate::support::skip_on_gpu("float64 is one of the dtypes") {
        return Ok(());
    }
    // The Rust enum and MLX's enum agree for every dtype: an array made in dtype `d`
    // reports `d`, has `d.size()` bytes per element, and astype(d) is a no-op.
    for d in Dtype::ALL {
        let a = Array::zeros(&[3], d)?;
        assert_eq!(a.dtype(), d);
        assert_eq!(a.itemsize(), d.size());
        assert_eq!(a.nbytes(), 3 * d.size());
        assert_eq!(a.astype(d)?.dtype(), d);
        assert_eq!(a.as_bytes()?.as_ref(), vec![0u8; 3 * d.size()]);
    }
    Ok(())
}

#[test]
fn astype_float_to_int_truncates_toward_zero() -> Result<()> {
    let a = Array::from_slice(&[2.7f32, -2.7, 1.1, 2.9, -1.5, 2.5, 3.5, -0.5], &[8])?;
    let i = a.astype(Dtype::Int32)?;
    assert_eq!(i.dtype(), Dtype::Int32);
    assert_eq!(i.to_vec::<i32>()?, [2, -2, 1, 2, -1, 2, 3, 0]);
    assert_eq!(Array::from(2.7f32).astype(Dtype::Int32)?.item::<i32>()?, 2);
    assert_eq!(
        Array::from_slice(&[1.5f32, -0.0], &[2])?
            .astype(Dtype::Uint8)?
            .to_vec::<u8>()?,
        [1, 0]
    );
    Ok(())
}

#[test]
fn astype_to_and_from_bool() -> Result<()> {
    let f = Array::from_slice(&[0.0f32, 0.5, -1.0], &[3])?;
    assert_eq!(
        f.astype(Dtype::Bool)?.to_vec::<bool>()?,
        [false, true, true]
    );
    let i = Array::from_slice(&[3i32, 0], &[2])?;
    assert_eq!(i.astype(Dtype::Bool)?.to_vec::<bool>()?, [true, false]);
    let b = Array::from_slice(&[true, false], &[2])?;
    assert_eq!(b.astype(Dtype::Float32)?.to_vec::<f32>()?, [1.0, 0.0]);
    assert_eq!(b.astype(Dtype::Int32)?.to_vec::<i32>()?, [1, 0]);
    let c = Array::from_slice(&[Complex64::new(1.0, 2.0), Complex64::default()], &[2])?;
    assert_eq!(c.astype(Dtype::Bool)?.to_vec::<bool>()?, [true, false]);
    Ok(())
}

#[test]
fn astype_between_integers_wraps() -> Result<()> {
    let i = Array::from_slice(&[300i32, -1], &[2])?;
    assert_eq!(i.astype(Dtype::Uint8)?.to_vec::<u8>()?, [44, 255]);
    assert_eq!(Array::from(255u8).astype(Dtype::Int8)?.item::<i8>()?, -1);
    assert_eq!(
        Array::from(-1i8).astype(Dtype::Uint16)?.item::<u16>()?,
        65535
    );
    assert_eq!(
        Array::from(u32::MAX).astype(Dtype::Int64)?.item::<i64>()?,
        4_294_967_295
    );
    let w = Array::from_slice(&[100_000i32, -129], &[2])?;
    assert_eq!(w.astype(Dtype::Int16)?.to_vec::<i16>()?, [-31072, -129]);
    assert_eq!(w.astype(Dtype::Int8)?.to_vec::<i8>()?, [-96, 127]);
    Ok(())
}

#[test]
fn astype_between_floats_rounds_to_nearest() -> Result<()> {
    if crate::support::skip_on_gpu("float64") {
        return Ok(());
    }
    // Bit patterns printed by Python MLX 0.32.2 (`.view(uint16)`), equal to IEEE
    // round-to-nearest-even.
    let f = Array::from_slice(&[0.1f32, 65504.0, 1e-7, -2.5, 1e6], &[5])?;
    let h: Vec<u16> = f
        .astype(Dtype::Float16)?
        .to_vec::<f16>()?
        .iter()
        .map(|x| x.to_bits())
        .collect();
    assert_eq!(h, [0x2e66, 0x7bff, 0x0002, 0xc100, 0x7c00]); // 1e6 overflows to +inf
    let b = Array::from(0.1f32)
        .astype(Dtype::Bfloat16)?
        .item::<bf16>()?;
    assert_eq!(b.to_bits(), 0x3dcd);
    let d = Array::from(0.1f64).astype(Dtype::Float32)?.item::<f32>()?;
    assert_eq!(d, 0.1f32);
    // 2^53 + 1 is not a float64: it rounds to the even neighbour 2^53.
    let big = Array::from((1i64 << 53) + 1).astype(Dtype::Float64)?;
    assert_eq!(big.item::<f64>()?, 9_007_199_254_740_992.0);
    let up = Array::from(f16::from_f32(0.5)).astype(Dtype::Float32)?;
    assert_eq!(up.item::<f32>()?, 0.5);
    Ok(())
}

#[test]
fn astype_to_complex_sets_a_zero_imaginary_part() -> Result<()> {
    let c = Array::from_slice(&[1.0f32, -2.0], &[2])?.astype(Dtype::Complex64)?;
    assert_eq!(c.dtype(), Dtype::Complex64);
    assert_eq!(
        c.to_vec::<Complex64>()?,
        [Complex64::new(1.0, 0.0), Complex64::new(-2.0, 0.0)]
    );
    Ok(())
}

/// Reading an array of dtype `got` as `T` is a `DtypeMismatch` from all three readers.
fn assert_mismatch<T: ArrayElement + Debug>(a: &Array, got: Dtype) {
    let check = |r: std::result::Result<(), Error>, op: &str| match r {
        Err(Error::DtypeMismatch {
            op: o,
            expected,
            got: g,
        }) => {
            assert_eq!(o, op);
            assert_eq!(expected, T::DTYPE);
            assert_eq!(g, got);
        }
        other => panic!(
            "{op} as {}: expected DtypeMismatch, got {other:?}",
            T::DTYPE
        ),
    };
    check(a.item::<T>().map(drop), "Array::item");
    check(a.to_vec::<T>().map(drop), "Array::to_vec");
    check(a.as_slice::<T>().map(drop), "Array::as_slice");
}

#[test]
fn reading_as_another_type_is_a_dtype_mismatch_not_a_cast() -> Result<()> {
    // Same-size pairs, where a silent reinterpretation would "work".
    let f = Array::from(1.0f32);
    assert_mismatch::<i32>(&f, Dtype::Float32);
    assert_mismatch::<u32>(&f, Dtype::Float32);
    assert_mismatch::<f64>(&f, Dtype::Float32);
    let i = Array::from(-1i32);
    assert_mismatch::<u32>(&i, Dtype::Int32);
    assert_mismatch::<f32>(&i, Dtype::Int32);
    assert_mismatch::<i64>(&i, Dtype::Int32);
    let h = Array::from(f16::ONE);
    assert_mismatch::<bf16>(&h, Dtype::Float16);
    assert_mismatch::<u16>(&h, Dtype::Float16);
    assert_mismatch::<f16>(&Array::from(bf16::ONE), Dtype::Bfloat16);
    assert_mismatch::<bool>(&Array::from(1u8), Dtype::Uint8);
    assert_mismatch::<u8>(&Array::from(true), Dtype::Bool);
    assert_mismatch::<i8>(&Array::from(1u8), Dtype::Uint8);
    assert_mismatch::<f64>(&Array::from(Complex64::new(1.0, 0.0)), Dtype::Complex64);
    assert_mismatch::<Complex64>(&Array::from(1.0f64), Dtype::Float64);
    assert_mismatch::<u64>(&Array::from(-1i64), Dtype::Int64);
    // The array itself is unharmed and reads fine with the right type.
    assert_eq!(f.item::<f32>()?, 1.0);
    assert_eq!(i.item::<i32>()?, -1);
    Ok(())
}

#[test]
fn a_dtype_mismatch_names_both_dtypes() {
    let err = Array::from(1.0f32).item::<i32>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Array::item: expected an array of dtype int32, got float32"
    );
}
