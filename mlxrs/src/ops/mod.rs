//! Operations on arrays, grouped as in MLX's documentation and re-exported here flat
//! (`mlxrs::ops::add` is `mx.add`).
//!
//! Every op takes `&Array` arguments, returns `Result<Array>` (MLX checks shapes and
//! dtypes when the op is built, so a mismatch is an immediate `Err` with MLX's message),
//! and runs on the calling thread's current stream (see [`crate::stream`]).

pub mod arithmetic;
pub mod comparison;
pub mod linalg_basic;
pub mod logical;
pub mod reduction;
pub mod shape;

pub use arithmetic::*;
pub use comparison::*;
pub use linalg_basic::*;
pub use logical::*;
pub use reduction::*;
pub use shape::*;

/// `pub fn name(a: &Array) -> Result<Array>` over `mlx_name(res, a, stream)`.
macro_rules! unary {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        pub fn $name(a: &$crate::Array) -> $crate::Result<$crate::Array> {
            let mut out = $crate::Array::empty();
            $crate::error::mlx_call!($sys(out.as_out(), a.as_raw(), $crate::stream::current_raw()?))?;
            Ok(out)
        }
    )*};
}

/// `pub fn name(a: &Array, b: &Array) -> Result<Array>` over `mlx_name(res, a, b, stream)`.
macro_rules! binary {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        pub fn $name(a: &$crate::Array, b: &$crate::Array) -> $crate::Result<$crate::Array> {
            let mut out = $crate::Array::empty();
            $crate::error::mlx_call!($sys(out.as_out(), a.as_raw(), b.as_raw(), $crate::stream::current_raw()?))?;
            Ok(out)
        }
    )*};
}

pub(crate) use {binary, unary};
