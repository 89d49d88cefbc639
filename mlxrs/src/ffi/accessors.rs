//! The infallible accessors: mlx-c functions that read a live handle (or make a value
//! handle) and cannot fail, so they need no status check. Each has one `// SAFETY:`
//! argument; everything else goes through the call forms of `call.rs`.

use mlxrs_sys as sys;

use super::call::mlx_call;
use crate::{Array, ArrayElement, Device, DeviceType, Dtype, Result, Stream};

/// The dimensions of `a` (empty for a scalar or an empty handle).
#[inline]
pub(crate) fn array_shape(a: &Array) -> &[i32] {
    let n = array_ndim(a);
    if n == 0 {
        return &[];
    }
    // SAFETY: the handle is live; mlx-c returns a pointer to the array's own shape vector
    // (`ndim` entries), valid while the array lives and is not reassigned, which the
    // borrow of `a` guarantees.
    unsafe { std::slice::from_raw_parts(sys::mlx_array_shape(a.as_raw()), n) }
}

/// The strides of `a`, in elements (meaningful once evaluated).
#[inline]
pub(crate) fn array_strides(a: &Array) -> &[usize] {
    let n = array_ndim(a);
    if n == 0 {
        return &[];
    }
    // SAFETY: as for `array_shape`: `ndim` entries owned by the array.
    unsafe { std::slice::from_raw_parts(sys::mlx_array_strides(a.as_raw()), n) }
}

/// The number of dimensions of `a` (0 for an empty handle).
#[inline]
pub(crate) fn array_ndim(a: &Array) -> usize {
    if a.as_raw().ctx.is_null() {
        return 0;
    }
    // SAFETY: the handle is live and non-null.
    unsafe { sys::mlx_array_ndim(a.as_raw()) }
}

/// The number of elements of `a` (0 for an empty handle).
#[inline]
pub(crate) fn array_size(a: &Array) -> usize {
    if a.as_raw().ctx.is_null() {
        return 0;
    }
    // SAFETY: the handle is live and non-null.
    unsafe { sys::mlx_array_size(a.as_raw()) }
}

/// The element type of `a`, for metadata only (`Array::dtype`): a value outside
/// mlxrs's [`Dtype`] (an mlx-c newer than the pin) reads as `Float32` here, so every read
/// of the buffer goes through [`array_dtype_checked`] instead, which fails closed.
#[inline]
pub(crate) fn array_dtype(a: &Array) -> Dtype {
    array_dtype_checked(a).unwrap_or(Dtype::Float32)
}

/// The element type of `a`; [`Error::Backend`](crate::Error::Backend) naming the raw
/// value when mlx-c reports one mlxrs does not know. Callers that read or copy the
/// buffer use this, so an unknown element size is never guessed.
#[inline]
pub(crate) fn array_dtype_checked(a: &Array) -> crate::Result<Dtype> {
    // SAFETY: the handle is live; the call only reads the dtype field.
    let raw = unsafe { sys::mlx_array_dtype(a.as_raw()) };
    Dtype::from_sys(raw)
}

/// A 0-dimensional array holding `value` (a copy).
pub(crate) fn array_scalar<T: ArrayElement>(value: T) -> Array {
    super::init();
    // SAFETY: `value` is one element of dtype `T::DTYPE`; mlx-c copies it. A
    // 0-dimensional shape needs no shape buffer. The result is a +1 handle.
    unsafe {
        Array::from_raw(sys::mlx_array_new_data(
            (&value as *const T).cast(),
            std::ptr::null(),
            0,
            T::DTYPE.to_sys(),
        ))
    }
}

/// A device of the given type and index.
pub(crate) fn device_new(kind: DeviceType, index: i32) -> Device {
    super::init();
    // SAFETY: a plain value constructor; returns a +1 handle.
    unsafe { Device::from_raw(sys::mlx_device_new_type(kind.to_sys(), index)) }
}

/// Sets the default device while [`super::init`] runs (where a `Device` wrapper, whose
/// `from_raw` calls `init`, cannot be made).
pub(super) fn set_default_device_at_startup(kind: DeviceType) -> Result<()> {
    // SAFETY: a plain value constructor; the +1 handle is freed below, once.
    let device = unsafe { sys::mlx_device_new_type(kind.to_sys(), 0) };
    let result = mlx_call!(@raw mlx_set_default_device(device));
    // SAFETY: the handle made above, freed once.
    unsafe { sys::mlx_device_free(device) };
    result
}

/// Whether two devices are the same.
#[inline]
pub(crate) fn device_equal(a: &Device, b: &Device) -> bool {
    // SAFETY: both handles are live for the call.
    unsafe { sys::mlx_device_equal(a.as_raw(), b.as_raw()) }
}

/// Whether two streams are the same.
#[inline]
pub(crate) fn stream_equal(a: &Stream, b: &Stream) -> bool {
    // SAFETY: both handles are live for the call.
    unsafe { sys::mlx_stream_equal(a.as_raw(), b.as_raw()) }
}

/// The number of arrays in a borrowed vector.
#[inline]
pub(super) fn vector_array_size(v: sys::mlx_vector_array) -> usize {
    // SAFETY: `v` is a live vector for the duration of this call (the caller's borrow).
    unsafe { sys::mlx_vector_array_size(v) }
}

/// The number of strings in a borrowed vector.
#[inline]
pub(super) fn vector_string_size(v: sys::mlx_vector_string) -> usize {
    // SAFETY: `v` is a live vector for the duration of this call (the caller's borrow).
    unsafe { sys::mlx_vector_string_size(v) }
}

/// The contents of a borrowed mlx-c string, lossily decoded.
pub(super) fn string_data(s: sys::mlx_string) -> String {
    if s.ctx.is_null() {
        return String::new();
    }
    // SAFETY: the handle is live for this call (the caller's borrow); mlx-c returns null
    // or a NUL-terminated buffer owned by it, which is read before returning.
    unsafe { super::marshal::read_c_str(sys::mlx_string_data(s)) }
}
