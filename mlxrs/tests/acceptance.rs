//! The user's acceptance tests, compiled unchanged from `../shared/acceptance/*.rs` (or
//! `MLXRS_ACCEPTANCE_DIR`); see build.rs. Empty where that folder does not exist.
#![allow(missing_docs, unused_mut, clippy::all)]

include!(concat!(env!("OUT_DIR"), "/acceptance.rs"));
