//! Views of the same data: [`view`] (another dtype) and [`as_strided`] (another
//! shape and strides, checked to stay inside the array).

use crate::ffi::mlx_op;
use crate::stream::current_raw;
use crate::{Array, Dtype, Result};

/// Reinterprets the bytes of `a` as `dtype`. When the item sizes differ, the last axis
/// is rescaled (it must divide evenly).
///
/// Python: `mlx.core.view`.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] for a view *as* [`Dtype::Bool`] of a non-`bool`
/// array: Rust requires every `bool` byte to be 0 or 1, which arbitrary bytes are not
/// (compare with zero instead). MLX's error ([`Error::Backend`](crate::Error::Backend))
/// when the last axis does not divide evenly, or for a 0-dimensional `a` and a `dtype`
/// of another size.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::view};
/// let a = Array::from_slice(&[1.0f32], &[1])?;
/// assert_eq!(view(&a, Dtype::Uint32)?.to_vec::<u32>()?, [0x3f80_0000]);
/// assert_eq!(view(&a, Dtype::Uint8)?.shape(), &[4]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn view(a: &Array, dtype: Dtype) -> Result<Array> {
    if dtype == Dtype::Bool && a.dtype() != Dtype::Bool {
        return Err(crate::Error::invalid(
            "dtype",
            format!(
                "view as bool of a {} array could produce bytes other than 0 and 1",
                a.dtype()
            ),
        ));
    }
    mlx_op!(mlx_view(a.as_raw(), dtype.to_sys(), current_raw()?))
}

/// A view of the elements of `a` (row-major, flattened) with the given `shape` and
/// `strides` (in elements, may be negative), starting `offset` elements in.
///
/// Python: `mlx.core.as_strided`. Python leaves out-of-range views to crash; here every
/// element the view can reach is checked to lie inside `a` first.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] when `shape` and `strides` differ in length, a
/// dimension is negative, or some element of the view would fall outside `a`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::as_strided};
/// let a = Array::arange(0.0, 5.0, 1.0, Dtype::Int32)?;
/// // Sliding windows of length 3.
/// let w = as_strided(&a, &[3, 3], &[1, 1], 0)?;
/// assert_eq!(w.to_vec::<i32>()?, [0, 1, 2, 1, 2, 3, 2, 3, 4]);
/// assert!(as_strided(&a, &[3, 3], &[2, 1], 0).is_err()); // would read past the end
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn as_strided(a: &Array, shape: &[i32], strides: &[i64], offset: usize) -> Result<Array> {
    check_strided_bounds(a.size(), shape, strides, offset)?;
    mlx_op!(mlx_as_strided(
        a.as_raw(),
        shape.as_ptr(),
        shape.len(),
        strides.as_ptr(),
        strides.len(),
        offset,
        current_raw()?
    ))
}

/// Whether a strided view of `size` elements stays inside them.
pub(super) fn check_strided_bounds(
    size: usize,
    shape: &[i32],
    strides: &[i64],
    offset: usize,
) -> Result<()> {
    if shape.len() != strides.len() {
        return Err(crate::Error::invalid(
            "strides",
            format!(
                "as_strided: expected {} strides (one per dimension of `shape`), got {}",
                shape.len(),
                strides.len()
            ),
        ));
    }
    if let Some(d) = shape.iter().find(|&&d| d < 0) {
        return Err(crate::Error::invalid(
            "shape",
            format!("as_strided: dimensions must be non-negative, got {d}"),
        ));
    }
    if shape.contains(&0) {
        return Ok(());
    }
    let (mut lo, mut hi) = (offset as i128, offset as i128);
    for (&d, &s) in shape.iter().zip(strides) {
        let reach = (d as i128 - 1) * s as i128;
        if reach < 0 {
            lo += reach;
        } else {
            hi += reach;
        }
    }
    if lo < 0 || hi >= size as i128 {
        return Err(crate::Error::invalid(
            "strides",
            format!(
                "as_strided: the view reaches elements {lo}..={hi}, but the array has {size} \
                 elements"
            ),
        ));
    }
    Ok(())
}
