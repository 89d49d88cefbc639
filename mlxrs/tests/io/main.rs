//! Integration tests of mlxrs's io, export, linalg, fft, random and fast modules. One
//! test binary (it links all of MLX once); one module per area. Expected values were
//! worked out by hand or printed once by Python MLX 0.32.2 (noted where so) and are
//! hardcoded: nothing runs Python at test time.

#![allow(
    clippy::needless_borrows_for_generic_args,
    reason = "`&[2, 3]` is the documented way to write a shape; the tests use it throughout"
)]
#![allow(
    clippy::excessive_precision,
    reason = "expected values are written as Python MLX printed them"
)]

mod corpus;
mod export;
mod fast;
mod fft;
mod files;
mod fuzz;
mod gguf;
mod linalg;
mod random;
mod readers;
mod support;
