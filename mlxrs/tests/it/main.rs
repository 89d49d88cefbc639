//! Integration tests of mlxrs by area, one module per Python MLX test file where there is
//! one (`ops.rs` ↔ test_ops.py, `linalg.rs` ↔ test_linalg.py, `fft.rs` ↔ test_fft.py,
//! `random.rs` ↔ test_random.py, `fast.rs` ↔ test_fast.py, `export.rs` ↔ test_export.py,
//! `nn.rs` ↔ test_nn.py, `nn_init.rs` ↔ test_init.py, `nn_losses.rs` ↔ test_losses.py,
//! `optimizers.rs` ↔ test_optimizers.py) and for the core: dtypes, shapes, errors,
//! devices and streams, memory accounting, threads, and printing. One test binary (it
//! links all of MLX once). Expected values were worked out by hand or printed once by
//! Python MLX 0.32.2 and are hardcoded here (nn_names.txt, written by nn_names.py); the
//! one exception is nn.rs's weight round trip, which runs `python3` with mlx when
//! installed. (`io` and `transforms` have their own binaries.)

#![allow(
    clippy::needless_borrows_for_generic_args,
    reason = "`&[2, 3]` is the documented way to write a shape; the tests use it throughout"
)]
#![allow(
    clippy::excessive_precision,
    reason = "expected values are written as Python MLX printed them"
)]

mod bert;
mod devices;
mod digits;
mod display;
mod dtypes;
mod errors;
mod export;
mod fast;
mod fft;
mod fuzz_inputs;
mod handles;
mod interop;
mod linalg;
mod memory;
mod nn;
mod nn_init;
mod nn_losses;
mod nn_train;
mod ops;
mod optimizers;
mod random;
mod shapes;
#[path = "../support/mod.rs"]
mod support;
mod threads;
