//! Integration tests of mlxrs's `io` module: files, Rust readers and writers, GGUF, the
//! corpus of malformed files and the mutation fuzzers. One test binary (it links all of
//! MLX once); one module per area. Expected values were worked out by hand or printed
//! once by Python MLX 0.32.2 (noted where so) and are hardcoded: nothing runs Python at
//! test time.

#![allow(
    clippy::needless_borrows_for_generic_args,
    reason = "`&[2, 3]` is the documented way to write a shape; the tests use it throughout"
)]
#![allow(
    clippy::excessive_precision,
    reason = "expected values are written as Python MLX printed them"
)]

mod corpus;
mod files;
mod fuzz;
mod gguf;
mod readers;
#[path = "../support/mod.rs"]
mod support;
