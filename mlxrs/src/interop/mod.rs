//! Interoperability with the crates Rust users hold their data in, behind features:
//! `ndarray` ([`ndarray`](mod@self::ndarray)) and `safetensors`
//! ([`safetensors`](mod@self::safetensors)). Built on the public API only.

#[cfg(feature = "ndarray")]
pub mod ndarray;
#[cfg(feature = "safetensors")]
pub mod safetensors;
