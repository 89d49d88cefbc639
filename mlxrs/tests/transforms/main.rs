//! Integration tests of mlxrs's function transforms (grad, value_and_grad, vjp, jvp,
//! checkpoint, compile, vmap, custom_vjp, custom_function) against independently known
//! values: closed forms worked out by hand, central finite differences, and a few values
//! computed once with Python MLX 0.32.2 (each says so where it is hardcoded).

mod compile;
mod custom;
mod errors;
mod finite_diff;
mod structure;
#[path = "../support/mod.rs"]
mod support;
mod vmap;
