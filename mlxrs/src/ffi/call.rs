//! The call forms: every call into mlx-c goes through one of these macros (or through an
//! accessor of `accessors.rs`). Each one installs the error handler ([`super::init`]),
//! clears this thread's message slot, makes the one `unsafe` call and decodes the result
//! in `status.rs`, so a stale message never surfaces as the next call's error.

/// Calls an mlx-c function that returns an `int` status and turns it into a `Result`.
///
/// The `@raw` form skips [`super::init`]; only the start-up code that `init` itself
/// runs uses it (the handler is installed by then).
macro_rules! mlx_call {
    ($f:ident ( $($arg:expr),* $(,)? )) => {{
        $crate::ffi::init();
        $crate::ffi::mlx_call!(@raw $f($($arg),*))
    }};
    (@raw $f:ident ( $($arg:expr),* $(,)? )) => {{
        $crate::ffi::status::clear();
        // SAFETY: the handles passed are live for the call (borrowed from owning
        // wrappers or freshly made), out-params point at owned handles.
        let status = unsafe { ::mlxrs_sys::$f($($arg),*) };
        $crate::ffi::status::check(stringify!($f), status)
    }};
}

/// The op form of `mlx_call!`: for an mlx-c function whose first parameter is the
/// result array, `mlx_op!(mlx_add(a.as_raw(), b.as_raw(), stream))` makes the result
/// handle (owned before the call, so `Drop` frees it if the call fails), passes it, and
/// is `Result<Array>`.
macro_rules! mlx_op {
    ($f:ident ( $($arg:expr),* $(,)? )) => {{
        let mut out = $crate::Array::empty();
        $crate::ffi::mlx_call!($f(out.as_out(), $($arg),*)).map(|()| out)
    }};
}

/// Makes a handle with an mlx-c constructor that reports failure through the handler
/// and a null handle: `mlx_new!(Type, mlx_type_new_x(args))` is `Result<Type>`.
///
/// Ownership is taken before anything is checked, so no path leaks the handle (a null
/// one is skipped by `Drop`).
macro_rules! mlx_new {
    ($ty:ty, $f:ident ( $($arg:expr),* $(,)? )) => {{
        $crate::ffi::init();
        $crate::ffi::status::clear();
        // SAFETY: the arguments are live for the call; the constructor returns a +1
        // handle (or a null one), which `from_raw` owns from here on.
        let made = unsafe { <$ty>::from_raw(::mlxrs_sys::$f($($arg),*)) };
        $crate::ffi::status::check_made(stringify!($f), made.as_raw().ctx.cast_const())
            .map(|()| made)
    }};
}

/// Calls an mlx-c function that returns a value (a pointer or a number, not a status
/// or a handle) and reports failure only through the handler.
macro_rules! mlx_value {
    ($f:ident ( $($arg:expr),* $(,)? )) => {{
        $crate::ffi::init();
        $crate::ffi::status::clear();
        // SAFETY: as for `mlx_call!`.
        let value = unsafe { ::mlxrs_sys::$f($($arg),*) };
        $crate::ffi::status::check_handler(stringify!($f)).map(|()| value)
    }};
}

/// One step of an mlx-c call whose status can also mean "nothing here": a map
/// iterator's `next` (2: the end) or a GGUF lookup (2: no such key, 3: another type).
/// `mlx_step!([2], mlx_f(args))` is `Result<bool>`: `true` when a value came.
macro_rules! mlx_step {
    ([$($none:literal),+], $f:ident ( $($arg:expr),* $(,)? )) => {{
        $crate::ffi::init();
        $crate::ffi::status::clear();
        // SAFETY: as for `mlx_call!`.
        let status = unsafe { ::mlxrs_sys::$f($($arg),*) };
        $crate::ffi::status::check_step(stringify!($f), status, &[$($none),+])
    }};
}

pub(crate) use {mlx_call, mlx_new, mlx_op, mlx_step, mlx_value};
