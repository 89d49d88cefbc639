//! Plain values across the boundary: optional arguments, C enums, C strings.

use std::ffi::{CStr, CString, c_char};

use mlxrs_sys as sys;

use crate::fft::FftNorm;
use crate::{Array, DeviceType, Dtype, Error, Result};

/// The raw handle of an optional array: mlx-c reads a null `ctx` as "not given" (its
/// `/* may be null */` parameters).
#[inline]
pub(crate) fn opt_array(a: Option<&Array>) -> sys::mlx_array {
    match a {
        Some(a) => a.as_raw(),
        None => sys::mlx_array {
            ctx: std::ptr::null_mut(),
        },
    }
}

/// The raw handle of an optional distributed group: mlx-c reads a null `ctx` as MLX's
/// global group.
#[inline]
pub(crate) fn opt_group(g: Option<&crate::distributed::Group>) -> sys::mlx_distributed_group {
    match g {
        Some(g) => g.as_raw(),
        None => sys::mlx_distributed_group {
            ctx: std::ptr::null_mut(),
        },
    }
}

/// `Option<i32>` as mlx-c's `mlx_optional_int`.
#[inline]
pub(crate) fn opt_int(v: Option<i32>) -> sys::mlx_optional_int {
    sys::mlx_optional_int {
        value: v.unwrap_or(0),
        has_value: v.is_some(),
    }
}

/// `Option<f32>` as mlx-c's `mlx_optional_float`.
#[inline]
pub(crate) fn opt_float(v: Option<f32>) -> sys::mlx_optional_float {
    sys::mlx_optional_float {
        value: v.unwrap_or(0.0),
        has_value: v.is_some(),
    }
}

/// `Option<Dtype>` as mlx-c's `mlx_optional_dtype`.
#[inline]
pub(crate) fn opt_dtype(v: Option<Dtype>) -> sys::mlx_optional_dtype {
    sys::mlx_optional_dtype {
        value: v.unwrap_or(Dtype::Float32).to_sys(),
        has_value: v.is_some(),
    }
}

/// The absent custom-vmap rule of `mlx_custom_function` (a null closure).
#[inline]
pub(crate) fn no_custom_vmap() -> sys::mlx_closure_custom_vmap {
    sys::mlx_closure_custom_vmap {
        ctx: std::ptr::null_mut(),
    }
}

impl Dtype {
    pub(crate) fn to_sys(self) -> sys::mlx_dtype {
        match self {
            Dtype::Bool => sys::mlx_dtype::MLX_BOOL,
            Dtype::Uint8 => sys::mlx_dtype::MLX_UINT8,
            Dtype::Uint16 => sys::mlx_dtype::MLX_UINT16,
            Dtype::Uint32 => sys::mlx_dtype::MLX_UINT32,
            Dtype::Uint64 => sys::mlx_dtype::MLX_UINT64,
            Dtype::Int8 => sys::mlx_dtype::MLX_INT8,
            Dtype::Int16 => sys::mlx_dtype::MLX_INT16,
            Dtype::Int32 => sys::mlx_dtype::MLX_INT32,
            Dtype::Int64 => sys::mlx_dtype::MLX_INT64,
            Dtype::Float16 => sys::mlx_dtype::MLX_FLOAT16,
            Dtype::Float32 => sys::mlx_dtype::MLX_FLOAT32,
            Dtype::Float64 => sys::mlx_dtype::MLX_FLOAT64,
            Dtype::Bfloat16 => sys::mlx_dtype::MLX_BFLOAT16,
            Dtype::Complex64 => sys::mlx_dtype::MLX_COMPLEX64,
        }
    }

    pub(crate) fn from_sys(raw: sys::mlx_dtype) -> Result<Dtype> {
        Dtype::ALL
            .into_iter()
            .find(|d| d.to_sys() == raw)
            .ok_or_else(|| Error::Backend(format!("unknown mlx_dtype value {}", raw.0)))
    }
}

impl DeviceType {
    pub(crate) fn to_sys(self) -> sys::mlx_device_type {
        match self {
            DeviceType::Cpu => sys::mlx_device_type::MLX_CPU,
            DeviceType::Gpu => sys::mlx_device_type::MLX_GPU,
        }
    }

    /// mlx-c's device type as a `DeviceType` (anything but the GPU is the CPU).
    pub(crate) fn from_sys(raw: sys::mlx_device_type) -> DeviceType {
        if raw == sys::mlx_device_type::MLX_GPU {
            DeviceType::Gpu
        } else {
            DeviceType::Cpu
        }
    }

    /// The value an out-parameter starts from.
    pub(crate) fn raw_default() -> sys::mlx_device_type {
        sys::mlx_device_type::MLX_CPU
    }
}

impl FftNorm {
    pub(crate) fn to_sys(self) -> sys::mlx_fft_norm {
        match self {
            FftNorm::Backward => sys::mlx_fft_norm::MLX_FFT_NORM_BACKWARD,
            FftNorm::Ortho => sys::mlx_fft_norm::MLX_FFT_NORM_ORTHO,
            FftNorm::Forward => sys::mlx_fft_norm::MLX_FFT_NORM_FORWARD,
        }
    }
}

/// `text` as a C string, or [`Error::InvalidArgument`] naming `name` if it holds a NUL.
pub(crate) fn c_string(name: &'static str, text: &str) -> Result<CString> {
    CString::new(text).map_err(|e| {
        Error::invalid(
            name,
            format!(
                "{text:?} contains a NUL byte at position {}",
                e.nul_position()
            ),
        )
    })
}

/// Reads a borrowed NUL-terminated string from mlx-c (lossily: MLX keeps UTF-8).
///
/// # Safety
/// `p` must be null or point at a NUL-terminated string valid for this call.
pub(super) unsafe fn read_c_str(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: guaranteed by the caller.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}
