//! # mlxrs: Rust bindings for Apple's MLX
//!
//! [MLX](https://github.com/ml-explore/mlx) is an array framework with NumPy-like ops,
//! automatic differentiation, compilation and vectorization, running on the CPU, on Apple
//! GPUs (Metal) and on NVIDIA GPUs (CUDA). mlxrs wraps its C API (mlx-c 0.7.0 over MLX
//! 0.32.2) in safe Rust; names follow Python's `mlx.core` (`mx.sum` is
//! [`ops::sum`], `mx.grad` is [`transforms::grad`]). As in `mlx.core`, the ops, the
//! transforms and the memory functions are also re-exported flat at the crate root
//! (`mlxrs::sum`, `mlxrs::grad`, `mlxrs::get_peak_memory`).
//!
//! ## Lazy arrays and `eval`
//! An op does not compute anything: it records a node in a graph and returns an
//! [`Array`] at once. Work happens when a result is needed: [`transforms::eval`] (or
//! [`Array::eval`]) computes arrays explicitly; [`Array::item`], [`Array::to_vec`] and
//! printing evaluate implicitly. Evaluate once per step of a loop, not per op.
//!
//! ```
//! use mlxrs::{Array, ops, transforms::eval};
//! let a = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
//! let b = ops::exp(&a)?;              // nothing computed yet
//! let c = (&b * 2.0)?;                // operators return Result too
//! eval(&[&c])?;                       // computed now
//! assert_eq!(c.shape(), &[3]);
//! assert!((c.to_vec::<f32>()?[0] - 2.0 * 1f32.exp()).abs() < 1e-5);
//! # Ok::<(), mlxrs::Error>(())
//! ```
//!
//! ## Gradients and other transforms
//! Transforms take ordinary closures `Fn(&[Array]) -> Result<Vec<Array>>` and return
//! ordinary closures; see [`transforms`].
//!
//! ```
//! use mlxrs::{Array, ops::square, transforms::value_and_grad};
//! let f = value_and_grad(|x: &[Array]| Ok(vec![square(&x[0])?]), &[0])?;
//! let (value, grad) = f(&[Array::from(3.0f32)])?;
//! assert_eq!((value[0].item::<f32>()?, grad[0].item::<f32>()?), (9.0, 6.0));
//! # Ok::<(), mlxrs::Error>(())
//! ```
//!
//! ## Devices and streams
//! Each op runs on the calling thread's current stream: the default stream of the default
//! [`Device`] unless a [`Stream::scope`] (or [`Device::scope`]) says otherwise. There is
//! no stream argument on ops; see [`stream`] for the convention and the threading rules.
//!
//! ## Errors
//! Every fallible call returns [`Result`]. MLX's own failures arrive as
//! [`Error::Backend`] with MLX's message, checked when an op is built (shapes, dtypes):
//!
//! ```
//! use mlxrs::{Array, Dtype, Error, ops::matmul};
//! let err = matmul(&Array::zeros(&[2, 3], Dtype::Float32)?, &Array::zeros(&[4, 2], Dtype::Float32)?)
//!     .unwrap_err();
//! assert!(matches!(err, Error::Backend(ref m) if m.starts_with("[matmul] Last dimension")));
//! # Ok::<(), mlxrs::Error>(())
//! ```
//!
//! mlxrs installs its own mlx-c error handler before the first call, so no MLX failure
//! can print-and-exit the process, and errors are kept per thread.
//!
//! ## Threads
//! [`Array`], [`Stream`] and the scope guards stay on the thread that made them (neither
//! `Send` nor `Sync`): MLX keeps streams per thread and evaluates lazy graphs without
//! locks, so the types keep every graph on one thread. Data crosses threads as a
//! [`SharedArray`] (`Send + Sync + Clone`): [`Array::to_shared`] evaluates on this thread
//! and makes a graph-free copy; [`SharedArray::to_array`] turns it back into an `Array`
//! on the receiving thread. Model weights shared by server threads, batches from a
//! loader thread and results from a thread pool all take this path.
//!
//! ```
//! use mlxrs::{Array, SharedArray};
//! let weights = std::sync::Arc::new(SharedArray::from_arrays(&[Array::ones(&[2, 2], mlxrs::Dtype::Float32)?])?);
//! let workers: Vec<_> = (0..2)
//!     .map(|k| {
//!         let weights = std::sync::Arc::clone(&weights);
//!         std::thread::spawn(move || (&weights[0].to_array() * k as f32)?.to_shared())
//!     })
//!     .collect();
//! for (k, w) in workers.into_iter().enumerate() {
//!     assert_eq!(w.join().expect("worker panicked")?.to_vec::<f32>()?, [k as f32; 4]);
//! }
//! # Ok::<(), mlxrs::Error>(())
//! ```

#![deny(missing_docs)]

// `#[derive(nn::Module)]` names the crate `::mlxrs`, inside it too.
extern crate self as mlxrs;

mod array;
mod device;
pub mod distributed;
mod dtype;
pub mod error;
pub mod export;
pub mod fast;
mod ffi;
pub mod fft;
pub mod interop;
pub mod io;
pub mod linalg;
pub mod memory;
pub mod models;
pub mod nn;
pub mod ops;
pub mod optimizers;
/// Python's customary alias: `import mlx.optimizers as optim`.
pub use optimizers as optim;
pub mod random;
mod runtime;
pub mod stream;
pub mod transforms;
pub mod utils;

pub use array::{Array, ArrayAt, Operand, Shape, SharedArray};
pub use device::{Device, DeviceGuard, DeviceType};
pub use dtype::{ArrayElement, Complex64, Dtype};
pub use error::{EmptyInput, Error, Result};
pub use export::{
    FunctionExporter, ImportedFunction, export_function, export_function_kwargs, export_to_dot,
    exporter, import_function,
};
pub use io::{
    GgufMetadata, load, load_from_reader, load_gguf, load_gguf_from_reader, load_safetensors,
    load_safetensors_from_reader, save, save_gguf, save_gguf_to_writer, save_safetensors,
    save_safetensors_to_writer, save_to_writer,
};
pub use memory::{
    clear_cache, get_active_memory, get_cache_memory, get_memory_limit, get_peak_memory,
    reset_peak_memory, set_cache_limit, set_memory_limit, set_wired_limit,
};
/// Every op, flat at the crate root as in Python's `mlx.core` (`mlxrs::add`, ...).
pub use ops::*;
pub use runtime::{Info, info, set_blas_threads};
pub use stream::{Stream, StreamGuard};
/// The transforms, flat at the crate root as in Python's `mlx.core` (`mlxrs::grad`, ...).
pub use transforms::{
    CompileState, CustomFunction, ValuesAndGrads, VmapAxes, async_eval, checkpoint, compile,
    compile_with_state, custom_function, custom_vjp, disable_compile, enable_compile, eval, grad,
    jvp, value_and_grad, vjp, vmap,
};

/// mlxrs-sys, for the `unsafe` escape hatches (`Array::from_raw`, `as_raw`, ...).
pub use ffi::sys;

/// The version of the MLX library in use (e.g. "0.32.2").
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
pub fn version() -> Result<String> {
    let mut s = ffi::MlxString::new();
    ffi::mlx_call!(mlx_version(s.as_out()))?;
    Ok(s.to_string_lossy())
}
