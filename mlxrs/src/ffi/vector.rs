//! `mlx_vector_array`: how lists of arrays cross the C boundary.

use mlxrs_sys as sys;

use super::call::{mlx_call, mlx_new};
use super::handle::handle;
use crate::{Array, Result};

handle! {
    /// An owned mlx-c vector of arrays.
    pub(crate) struct VectorArray(mlx_vector_array) { new: mlx_vector_array_new, free: mlx_vector_array_free }
}

impl VectorArray {
    /// A new vector holding (shared references to) `arrays`.
    ///
    /// # Errors
    /// Not expected in practice: MLX's error if the vector cannot be made.
    pub(crate) fn from_arrays(arrays: &[Array]) -> Result<Self> {
        // `Array` is `repr(transparent)` over `mlx_array`: the slice is an array of live
        // handles, which mlx-c copies (+1 each).
        let ptr = arrays.as_ptr().cast::<sys::mlx_array>();
        mlx_new!(VectorArray, mlx_vector_array_new_data(ptr, arrays.len()))
    }

    /// A new vector from borrowed arrays.
    ///
    /// # Errors
    /// As for [`VectorArray::from_arrays`].
    pub(crate) fn from_refs(arrays: &[&Array]) -> Result<Self> {
        let raws: Vec<sys::mlx_array> = arrays.iter().map(|a| a.as_raw()).collect();
        mlx_new!(
            VectorArray,
            mlx_vector_array_new_data(raws.as_ptr(), raws.len())
        )
    }

    /// +1 copies of the elements.
    pub(crate) fn to_arrays(&self) -> Result<Vec<Array>> {
        to_arrays(self.as_raw())
    }
}

/// +1 copies of the elements of a borrowed vector (the vector stays its owner's).
pub(crate) fn to_arrays(v: sys::mlx_vector_array) -> Result<Vec<Array>> {
    let n = super::accessors::vector_array_size(v);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut a = Array::empty();
        mlx_call!(mlx_vector_array_get(a.as_out(), v, i))?;
        out.push(a);
    }
    Ok(out)
}

/// Replaces the contents of the vector behind `res` with `arrays`.
///
/// # Safety
/// `res` must point at a live vector handle that mlx-c owns.
pub(crate) unsafe fn set_into(res: *mut sys::mlx_vector_array, arrays: &[Array]) -> Result<()> {
    let ptr = arrays.as_ptr().cast::<sys::mlx_array>();
    mlx_call!(mlx_vector_array_set_data(res, ptr, arrays.len()))
}
