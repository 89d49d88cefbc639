//! `mlx_string`, used for MLX's printed forms and names.

use super::handle::handle;

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
        super::accessors::string_data(self.as_raw())
    }
}
