//! Unit tests of the index guards: bounds past `i32::MAX` are checked in `int64`, and
//! indices whose window or axis cannot be worked out are reported, never passed on.

use super::{Unverified, each_in_bounds, fail_closed, in_bounds, wrap_index};
use crate::{Array, Dtype, Error, Result};

fn safe(checked: super::Checked<Array>) -> Array {
    match checked {
        Ok(a) => a,
        Err(Unverified(why)) => panic!("expected checked indices, got: {why}"),
    }
}

#[test]
fn bounds_past_i32_max_are_clamped_in_int64() -> Result<()> {
    // Three thousand million elements along one (virtual) axis, windows of 1 and 10.
    let n: i64 = 3_000_000_000;
    let idx = Array::from_slice(&[-1i64, 0, n + 5, 2_500_000_000, -n - 7], &[5])?;
    let out = safe(in_bounds(&idx, &[n], &[1])?);
    assert_eq!(out.dtype(), Dtype::Int64);
    // -1 wraps to n - 1; n + 5 clamps to n - 1; -n - 7 wraps to -7, then clamps to 0.
    assert_eq!(out.to_vec::<i64>()?, [n - 1, 0, n - 1, 2_500_000_000, 0]);
    let out = safe(in_bounds(&idx, &[n], &[10])?);
    assert_eq!(out.to_vec::<i64>()?, [n - 10, 0, n - 10, 2_500_000_000, 0]);
    // int32 indices into a huge axis are cast up, not truncated.
    let small = Array::from_slice(&[-2i32, 7], &[2])?;
    assert_eq!(
        safe(in_bounds(&small, &[n], &[1])?).to_vec::<i64>()?,
        [n - 2, 7]
    );
    Ok(())
}

#[test]
fn wrapping_past_i32_max_keeps_int64_indices_exact() -> Result<()> {
    let n: i64 = 5_000_000_000;
    let idx = Array::from_slice(&[n + 3, -1, 4_000_000_000], &[3])?;
    let out = safe(wrap_index(&idx, n)?);
    assert_eq!(out.to_vec::<i64>()?, [3, n - 1, 4_000_000_000]);
    // int32 indices cannot leave an axis of that size: passed as they are.
    let small = Array::from_slice(&[i32::MAX, i32::MIN], &[2])?;
    assert_eq!(
        safe(wrap_index(&small, n)?).to_vec::<i32>()?,
        [i32::MAX, i32::MIN]
    );
    Ok(())
}

#[test]
fn unworkable_windows_and_axes_are_unverified() -> Result<()> {
    let idx = Array::from_slice(&[0i32, 1], &[2])?;
    let why = |c: super::Checked<Array>| c.err().map(|Unverified(w)| w);
    assert_eq!(
        why(in_bounds(&idx, &[3], &[4])?).as_deref(),
        Some("a block of 4 does not fit an axis of size 3")
    );
    assert_eq!(
        why(in_bounds(&idx, &[3], &[-1])?).as_deref(),
        Some("a block of -1 does not fit an axis of size 3")
    );
    assert_eq!(
        why(in_bounds(&idx, &[], &[])?).as_deref(),
        Some("0 axes for 0 block sizes")
    );
    assert_eq!(
        why(wrap_index(&idx, 0)?).as_deref(),
        Some("2 indices into an empty axis")
    );
    let floats = Array::from_slice(&[0.0f32], &[1])?;
    assert_eq!(
        why(wrap_index(&floats, 4)?).as_deref(),
        Some("indices of dtype float32 are not integers")
    );
    // An empty index array reads nothing, whatever the axis.
    let none = Array::zeros(&[0], Dtype::Int32)?;
    assert_eq!(safe(wrap_index(&none, 0)?).size(), 0);
    // A window that cannot be worked out (no such axis) is reported too.
    let a = Array::zeros(&[3, 4], Dtype::Float32)?;
    let checked = each_in_bounds(&a, std::slice::from_ref(&idx), &[5], |_| Some(1))?;
    assert!(checked.is_err());
    let checked = each_in_bounds(&a, std::slice::from_ref(&idx), &[0], |_| None)?;
    assert!(checked.is_err());
    Ok(())
}

#[test]
fn unverified_indices_fail_closed_when_mlx_accepts_them() -> Result<()> {
    // MLX builds this op happily; the guard could not check the indices, so the call
    // is an error naming the op, and the op is never evaluated.
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
    let idx = Array::from_slice(&[7i32], &[1])?;
    let runs = std::cell::Cell::new(0);
    let err = fail_closed(
        "take",
        Err(Unverified("a test reason".into())),
        idx.clone(),
        |i| {
            runs.set(runs.get() + 1);
            crate::ops::add(&a, &i.astype(Dtype::Float32)?)
        },
    )
    .unwrap_err();
    assert_eq!(runs.get(), 1);
    assert!(matches!(
        err,
        Error::InvalidArgument {
            name: "indices",
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "invalid `indices`: take: the indices cannot be bounds-checked: a test reason"
    );
    // When MLX rejects the raw indices itself, its own message comes back.
    let err = fail_closed("take", Err(Unverified("a test reason".into())), idx, |i| {
        crate::ops::add(&a, &crate::ops::reshape(&i, &[1, 1, 2])?)
    })
    .unwrap_err();
    assert!(matches!(err, Error::Backend(_)), "{err}");
    Ok(())
}
