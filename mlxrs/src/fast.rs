//! Fused implementations of common layers (`mx.fast`).

use crate::error::mlx_call;
use crate::stream::current_raw;
use crate::{Array, Result};

fn optional(a: Option<&Array>) -> mlxrs_sys::mlx_array {
    a.map_or(
        mlxrs_sys::mlx_array {
            ctx: std::ptr::null_mut(),
        },
        Array::as_raw,
    )
}

/// Layer normalization over the last axis, with optional scale `weight` and `bias`.
///
/// ```
/// use mlxrs::{Array, fast::layer_norm};
/// let y = layer_norm(&Array::from_slice(&[1.0f32, 3.0], &[1, 2]).unwrap(), None, None, 1e-5).unwrap();
/// let v = y.to_vec::<f32>().unwrap();
/// assert!((v[0] + 1.0).abs() < 1e-3 && (v[1] - 1.0).abs() < 1e-3);
/// ```
pub fn layer_norm(
    x: &Array,
    weight: Option<&Array>,
    bias: Option<&Array>,
    eps: f32,
) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_fast_layer_norm(
        out.as_out(),
        x.as_raw(),
        optional(weight),
        optional(bias),
        eps,
        current_raw()?
    ))?;
    Ok(out)
}

/// Root-mean-square normalization over the last axis, with optional scale `weight`.
pub fn rms_norm(x: &Array, weight: Option<&Array>, eps: f32) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_fast_rms_norm(
        out.as_out(),
        x.as_raw(),
        optional(weight),
        eps,
        current_raw()?
    ))?;
    Ok(out)
}
