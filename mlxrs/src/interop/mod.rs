//! Interoperability with the crates Rust users hold their data in, behind features:
//! `ndarray` (module `interop::ndarray`) and `safetensors` (module
//! `interop::safetensors`). Built on the public API only.

#[cfg(feature = "ndarray")]
pub mod ndarray;
#[cfg(feature = "safetensors")]
pub mod safetensors;
