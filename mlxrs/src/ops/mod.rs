//! Operations on arrays, grouped as in MLX's documentation and re-exported here flat
//! (`mlxrs::ops::add` is `mx.add`).
//!
//! Every op takes `&Array` arguments, returns `Result<Array>` (MLX checks shapes and
//! dtypes when the op is built, so a mismatch is an immediate `Err` with MLX's message),
//! and runs on the calling thread's current stream (see [`crate::stream`]).
//!
//! ```
//! use mlxrs::{Array, ops};
//! let a = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
//! let b = ops::multiply(&a, &Array::from(2.0f32))?; // broadcasting
//! assert_eq!(ops::sum(&b, false)?.item::<f32>()?, 12.0);
//! // A shape mismatch is an `Err` at once, carrying MLX's message.
//! let err = ops::add(&a, &Array::from_slice(&[1.0f32, 2.0], &[2])?).unwrap_err();
//! assert!(matches!(err, mlxrs::Error::Backend(_)));
//! assert!(err.to_string().contains("cannot be broadcast"));
//! # Ok::<(), mlxrs::Error>(())
//! ```

pub mod arithmetic;
pub mod comparison;
pub mod convolution;
pub mod creation;
pub mod cumulative;
pub(crate) mod guards;
pub mod indexing;
pub mod linalg_basic;
pub mod logical;
pub mod quantized;
pub mod reduction;
pub mod shape;
pub mod sorting;

pub use arithmetic::*;
pub use comparison::*;
pub use convolution::*;
pub use creation::*;
pub use cumulative::*;
pub use indexing::*;
pub use linalg_basic::*;
pub use logical::*;
pub use quantized::*;
pub use reduction::*;
pub use shape::*;
pub use sorting::*;

/// `pub fn name(a: &Array) -> Result<Array>` over `mlx_name(res, a, stream)`.
macro_rules! unary {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// MLX's error ([`Error::Backend`](crate::Error::Backend)) when the op does not
        /// accept `a`, e.g. a complex array for `floor`, or a float one for `bitwise_invert`.
        pub fn $name(a: &$crate::Array) -> $crate::Result<$crate::Array> {
            $crate::ffi::mlx_op!($sys(a.as_raw(), $crate::stream::current_raw()?))
        }
    )*};
}

/// `pub fn name(a: &Array, b: &Array) -> Result<Array>` over `mlx_name(res, a, b, stream)`.
macro_rules! binary {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// MLX's error ([`Error::Backend`](crate::Error::Backend)) when the shapes of `a` and
        /// `b` do not fit the op (they do not broadcast, or for `matmul` and `inner` the
        /// contracted dimensions differ) or their dtypes are not accepted, e.g. floats for
        /// the bitwise ops and shifts.
        pub fn $name(a: &$crate::Array, b: &$crate::Array) -> $crate::Result<$crate::Array> {
            $crate::ffi::mlx_op!($sys(a.as_raw(), b.as_raw(), $crate::stream::current_raw()?))
        }
    )*};
}

pub(crate) use {binary, unary};
