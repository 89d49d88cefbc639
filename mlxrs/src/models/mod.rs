//! Pretrained model architectures built on [`crate::nn`], loading published weights
//! under their own names.
//!
//! - [`bert`]: BERT encoders and sentence embeddings (e.g.
//!   sentence-transformers/all-MiniLM-L6-v2, which `cargo xtask setup --models` fetches).
//!
//! Like `nn`, models use mlxrs's public API only.

pub mod bert;
mod json;
