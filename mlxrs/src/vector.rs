//! `mlx_vector_array`: how lists of arrays cross the C boundary.

use mlxrs_sys as sys;

use crate::Array;
use crate::Result;
use crate::error::mlx_call;
use crate::handle::handle;

handle! {
    /// An owned mlx-c vector of arrays.
    pub(crate) struct VectorArray(mlx_vector_array) { new: mlx_vector_array_new, free: mlx_vector_array_free }
}

impl VectorArray {
    /// A new vector holding (shared references to) `arrays`.
    pub(crate) fn from_arrays(arrays: &[Array]) -> Self {
        crate::error::init();
        // `Array` is `repr(transparent)` over `mlx_array`: the slice is an array of handles.
        let ptr = arrays.as_ptr().cast::<sys::mlx_array>();
        // SAFETY: `ptr` points at `arrays.len()` live handles; mlx-c copies them (+1 each).
        unsafe { VectorArray::from_raw(sys::mlx_vector_array_new_data(ptr, arrays.len())) }
    }

    /// A new vector from borrowed arrays.
    pub(crate) fn from_refs(arrays: &[&Array]) -> Self {
        let raws: Vec<sys::mlx_array> = arrays.iter().map(|a| a.as_raw()).collect();
        crate::error::init();
        // SAFETY: `raws` holds live handles borrowed from `arrays`; mlx-c copies them.
        unsafe { VectorArray::from_raw(sys::mlx_vector_array_new_data(raws.as_ptr(), raws.len())) }
    }

    /// +1 copies of the elements.
    pub(crate) fn to_arrays(&self) -> Result<Vec<Array>> {
        to_arrays(self.as_raw())
    }
}

/// +1 copies of the elements of a borrowed vector (the vector stays its owner's).
pub(crate) fn to_arrays(v: sys::mlx_vector_array) -> Result<Vec<Array>> {
    // SAFETY: `v` is a live vector for the duration of this call.
    let n = unsafe { sys::mlx_vector_array_size(v) };
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
