//! The FFI boundary: the only code that names `mlxrs_sys` (`cargo xtask tidy` checks).
//!
//! Everything above this folder calls mlx-c through one mechanism per kind:
//!
//! | kind of call                          | form                     | file         |
//! |---------------------------------------|--------------------------|--------------|
//! | returns an `int` status               | `mlx_call!`              | `call.rs`    |
//! | fills one result array (an op)        | `mlx_op!`                | `call.rs`    |
//! | makes a handle (may fail)             | `mlx_new!`               | `call.rs`    |
//! | returns a value, reports via handler  | `mlx_value!`             | `call.rs`    |
//! | iterator step / lookup ("no more")    | `mlx_step!`              | `call.rs`    |
//! | reads a live handle, cannot fail      | a fn in `accessors.rs`   | `accessors.rs` |
//! | owns a handle                         | `handle!`                | `handle.rs`  |
//! | C calls back into Rust                | one trampoline shape     | `closure.rs`, `io_vtable.rs` |
//!
//! Statuses and handler messages are decoded in one place (`status.rs`); C strings,
//! vectors, maps, optionals and enums are marshalled in `string.rs`, `vector.rs`,
//! `map.rs` and `marshal.rs`. `startup.rs` holds the process tuning that [`init`] applies
//! once. Imports between these files go one way: `status` ← `call` ← everything else,
//! and `init` (here) ← `startup`.

mod accessors;
mod call;
mod cfile;
pub(crate) mod closure;
mod handle;
pub(crate) mod io_vtable;
mod map;
mod marshal;
pub(crate) mod startup;
pub(crate) mod status;
mod string;
mod vector;

use std::sync::Once;

pub(crate) use accessors::*;
pub(crate) use call::{mlx_call, mlx_new, mlx_op, mlx_step, mlx_value};
pub(crate) use cfile::TempCFile;
pub(crate) use handle::handle;
pub(crate) use map::{MapStringToArray, MapStringToString, VectorString};
pub(crate) use marshal::{
    c_string, no_custom_vmap, opt_array, opt_dtype, opt_float, opt_group, opt_int,
};
pub(crate) use string::MlxString;
pub(crate) use vector::VectorArray;

/// mlxrs-sys, for the `unsafe` escape hatches (`Array::from_raw`, `as_raw`, ...).
pub use mlxrs_sys as sys;

/// The raw stream handle an op passes to mlx-c (see `stream::current_raw`).
pub(crate) type RawStream = mlxrs_sys::mlx_stream;

static INIT: Once = Once::new();

/// Installs mlxrs's mlx-c error handler and applies the start-up tuning (once per
/// process). Every call form calls this before its mlx-c call; it costs one atomic load
/// afterwards.
#[inline]
pub(crate) fn init() {
    INIT.call_once(|| {
        status::install_handler();
        startup::configure();
    });
}

#[cfg(test)]
mod tests;
