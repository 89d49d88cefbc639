//! Integration tests of mlxrs's core layer: dtypes, shapes, errors, devices and streams,
//! memory accounting, threads, and printing. One test binary (it links all of MLX once);
//! one module per area. Expected values were worked out by hand or printed once by Python
//! MLX 0.32.2 and are hardcoded here (nn_names.txt, written by nn_names.py); the one
//! exception is nn.rs's weight round trip, which runs `python3` with mlx when installed.

#![allow(
    clippy::needless_borrows_for_generic_args,
    reason = "`&[2, 3]` is the documented way to write a shape; the tests use it throughout"
)]

mod devices;
mod digits;
mod display;
mod dtypes;
mod errors;
mod handles;
mod interop;
mod memory;
mod nn;
mod nn_init;
mod nn_losses;
mod nn_train;
mod ops;
mod optimizers;
mod shapes;
mod support;
mod threads;
