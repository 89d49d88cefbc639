//! `mlx_string`, used for MLX's printed forms and names.

use std::ffi::CStr;

use crate::handle::handle;

handle! {
    /// An owned mlx-c string.
    pub(crate) struct MlxString(mlx_string) { new: mlx_string_new, free: mlx_string_free }
}

impl MlxString {
    pub(crate) fn new() -> Self {
        MlxString::empty()
    }

    /// The contents, lossily decoded.
    pub(crate) fn to_string_lossy(&self) -> String {
        if self.as_raw().ctx.is_null() {
            return String::new();
        }
        // SAFETY: the handle is live; mlx-c returns a NUL-terminated buffer owned by it.
        let p = unsafe { mlxrs_sys::mlx_string_data(self.as_raw()) };
        if p.is_null() {
            return String::new();
        }
        // SAFETY: non-null, NUL-terminated, alive while `self` is.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}
