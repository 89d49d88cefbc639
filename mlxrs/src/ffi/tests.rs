//! Unit tests of the call forms: the slot is cleared before each call, failures are
//! decoded once, and constructors own their handle before it is checked.

use std::ffi::c_void;

use super::{MapStringToString, VectorArray, mlx_call, mlx_new, mlx_op, status};
use crate::{Array, Device, Error, Stream};

/// Leaves `text` in this thread's message slot, as a failure whose status nobody read
/// would.
fn leave_stale_message(text: &std::ffi::CStr) {
    super::init();
    status::on_mlx_error(text.as_ptr(), std::ptr::null_mut::<c_void>());
}

#[test]
fn a_stale_message_never_fails_the_next_call() -> crate::Result<()> {
    let a = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    leave_stale_message(c"stale");
    let v = VectorArray::from_arrays(std::slice::from_ref(&a))?; // mlx_new!
    assert_eq!(v.to_arrays()?.len(), 1);
    leave_stale_message(c"stale");
    let sum = mlx_op!(mlx_add(
        a.as_raw(),
        a.as_raw(),
        crate::stream::current_raw()?
    ))?;
    assert_eq!(sum.to_vec::<f32>()?, [2.0, 4.0]);
    leave_stale_message(c"stale");
    let map = MapStringToString::from_entries("metadata", [("k", "v")])?;
    assert_eq!(map.to_hash_map()?["k"], "v"); // mlx_new! + mlx_step! over the iterator
    Ok(())
}

#[test]
fn a_failed_call_returns_mlx_message_once() -> crate::Result<()> {
    let a = Array::zeros(&[2, 3], crate::Dtype::Float32)?;
    let b = Array::zeros(&[4, 2], crate::Dtype::Float32)?;
    let err = mlx_op!(mlx_matmul(
        a.as_raw(),
        b.as_raw(),
        crate::stream::current_raw()?
    ))
    .unwrap_err();
    assert!(
        matches!(&err, Error::Backend(m) if m.starts_with("[matmul] Last dimension")),
        "{err:?}"
    );
    // The message was taken: the next call succeeds.
    mlx_call!(mlx_array_eval(a.as_raw()))?;
    Ok(())
}

#[test]
fn a_constructor_failure_is_an_err_and_the_next_one_succeeds() -> crate::Result<()> {
    // A GPU stream where MLX has no GPU backend fails inside mlx-c's constructor; with
    // one, the stream is made. Either way the next constructor is unaffected.
    match mlx_new!(Stream, mlx_stream_new_device(Device::gpu().as_raw())) {
        Ok(s) => assert!(!s.as_raw().ctx.is_null()),
        Err(Error::Backend(m)) => assert!(!m.is_empty()),
        Err(other) => panic!("expected a Backend error, got {other:?}"),
    }
    let cpu = mlx_new!(Stream, mlx_stream_new_device(Device::cpu().as_raw()))?;
    assert!(!cpu.as_raw().ctx.is_null());
    Ok(())
}

#[test]
fn a_null_handle_is_an_err_even_without_a_message() {
    status::clear();
    let err = status::check_made("mlx_x_new", std::ptr::null()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "mlx_x_new: mlx-c could not create the object"
    );
}

#[test]
fn an_unknown_dtype_is_an_error_never_a_guess() -> crate::Result<()> {
    // mlx-c newer than the pin could report a dtype mlxrs has no size for: the decoder
    // fails closed with the raw value, and every known one round-trips.
    // (Renamed: tidy reads `sys::mlx_x(` as a direct call into mlx-c, and this is a
    // tuple struct, not a call.)
    use super::sys::mlx_dtype as RawDtype;
    let unknown = RawDtype(1000);
    let err = crate::Dtype::from_sys(unknown).unwrap_err();
    assert_eq!(err.to_string(), "unknown mlx_dtype value 1000");
    for d in crate::Dtype::ALL {
        assert_eq!(crate::Dtype::from_sys(d.to_sys())?, d);
    }
    // The checked accessor (which every buffer read goes through) agrees with `dtype`.
    let a = Array::from_slice(&[1u16, 2], &[2])?;
    assert_eq!(super::array_dtype_checked(&a)?, crate::Dtype::Uint16);
    Ok(())
}
