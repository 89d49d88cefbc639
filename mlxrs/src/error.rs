//! The error model: one [`Error`] enum, and the machinery that turns mlx-c's status codes
//! and error handler messages into it.
//!
//! mlx-c catches every C++ exception and calls one process-wide error handler; the default
//! one prints and calls `exit(-1)`. [`init`] installs ours exactly once, before the first
//! mlx-c call that can fail (every safe entry point goes through `mlx_call!`, which calls
//! it). Our handler only stores the message in a thread-local slot: mlx-c calls it on the
//! failing thread, just before the call returns its non-zero status, so two threads'
//! messages never mix.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ffi::{CStr, c_char, c_void};
use std::sync::Once;

use mlxrs_sys as sys;

use crate::Dtype;

/// Everything that can go wrong in mlxrs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A failure reported by MLX, carrying its message verbatim, e.g.
    /// "\[matmul\] Last dimension of first input with shape (2,3) must match ...".
    #[error("{0}")]
    Backend(String),
    /// A required input was empty; [`EmptyInput::context`] names the call site and argument.
    #[error("{0}")]
    EmptyInput(EmptyInput),
    /// An argument was rejected on the Rust side before calling MLX.
    #[error("invalid `{name}`: {reason}")]
    InvalidArgument {
        /// The parameter's name.
        name: &'static str,
        /// What was wrong with it (got vs expected).
        reason: String,
    },
    /// An array did not have the element type an operation needs.
    #[error("{op}: expected an array of dtype {expected}, got {got}")]
    DtypeMismatch {
        /// The operation that checked.
        op: &'static str,
        /// The dtype it needs.
        expected: Dtype,
        /// The dtype it got.
        got: Dtype,
    },
    /// An array or buffer did not have the shape or length an operation needs.
    #[error("{op}: {reason}")]
    ShapeMismatch {
        /// The operation that checked.
        op: &'static str,
        /// Got vs expected.
        reason: String,
    },
    /// A Rust closure called by MLX (in a transform) panicked; the panic was caught at the
    /// C boundary and carries the panic message.
    #[error("closure panicked: {0}")]
    ClosurePanicked(String),
    /// An I/O failure (file loading and saving).
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The payload of [`Error::EmptyInput`]: which argument of which call was empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptyInput {
    context: String,
}

impl EmptyInput {
    /// A new payload; `context` names the call site and argument, e.g.
    /// `"value_and_grad: argnums"`.
    pub fn new(context: impl Into<String>) -> Self {
        Self {
            context: context.into(),
        }
    }

    /// The call site and argument that was empty, e.g. `"value_and_grad: argnums"`.
    pub fn context(&self) -> &str {
        &self.context
    }
}

impl std::fmt::Display for EmptyInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "empty input: {} must not be empty", self.context)
    }
}

impl Error {
    /// An [`Error::EmptyInput`] for `context` ("call: argument").
    pub fn empty_input(context: impl Into<String>) -> Self {
        Error::EmptyInput(EmptyInput::new(context))
    }

    /// An [`Error::InvalidArgument`].
    pub fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name,
            reason: reason.into(),
        }
    }
}

thread_local! {
    /// The last message mlx-c's error handler reported on this thread.
    static LAST_ERROR: Cell<Option<String>> = const { Cell::new(None) };
    /// An error or panic of a Rust callback, waiting for the mlx-c call that ran it to
    /// return. mlx-c runs closures on the calling thread, so the slot is thread-local.
    static PENDING: RefCell<Option<Error>> = const { RefCell::new(None) };
}

static INIT: Once = Once::new();

/// Installs mlxrs's mlx-c error handler (once per process). Every safe entry point calls
/// this before its first mlx-c call; it costs one atomic load afterwards.
#[inline]
pub fn init() {
    INIT.call_once(|| {
        // SAFETY: `on_mlx_error` has the signature mlx-c expects, never unwinds, and
        // needs no data pointer or destructor.
        unsafe { sys::mlx_set_error_handler(Some(on_mlx_error), std::ptr::null_mut(), None) };
        crate::runtime::configure();
    });
}

extern "C" fn on_mlx_error(msg: *const c_char, _data: *mut c_void) {
    // Runs on the failing thread inside mlx-c's catch block: must not panic.
    if msg.is_null() {
        return;
    }
    // SAFETY: mlx-c passes a NUL-terminated message that lives for this call.
    let text = unsafe { CStr::from_ptr(msg) }
        .to_string_lossy()
        .into_owned();
    let _ = LAST_ERROR.try_with(|slot| slot.set(Some(text)));
}

/// Clears this thread's message slot before an mlx-c call.
#[inline]
pub(crate) fn clear() {
    let _ = LAST_ERROR.try_with(|slot| slot.take());
}

/// Turns an mlx-c status into a `Result`: a callback's stored error first (it is the
/// cause of mlx-c's generic "mlx_closure returned a non-zero value"), then MLX's message.
#[inline]
pub(crate) fn check(call: &'static str, status: i32) -> Result<()> {
    if status == 0 {
        return Ok(());
    }
    Err(take_error(call, Some(status)))
}

/// For calls that report failure through their return value rather than a status:
/// an error if the handler ran since [`clear`].
#[inline]
pub(crate) fn check_handler(call: &'static str) -> Result<()> {
    match LAST_ERROR.try_with(|slot| slot.take()).ok().flatten() {
        None => Ok(()),
        Some(msg) => {
            let _ = PENDING.try_with(|p| p.borrow_mut().take());
            let _ = call;
            Err(Error::Backend(strip_location(msg)))
        }
    }
}

fn take_error(call: &'static str, status: Option<i32>) -> Error {
    let message = LAST_ERROR.try_with(|slot| slot.take()).ok().flatten();
    if let Some(pending) = PENDING.try_with(|p| p.borrow_mut().take()).ok().flatten() {
        return pending;
    }
    match message {
        Some(msg) => Error::Backend(strip_location(msg)),
        None => Error::Backend(format!(
            "unknown mlx-c error in {call} (status {})",
            status.unwrap_or(-1)
        )),
    }
}

/// mlx-c appends " at <file>:<line>" (its own source position) to every message; users
/// search for MLX's text, so we keep the text and drop the position.
fn strip_location(mut msg: String) -> String {
    if let Some(at) = msg.rfind(" at /").or_else(|| msg.rfind(" at ")) {
        let tail = &msg[at + 4..];
        if tail.rsplit_once(':').is_some_and(|(file, line)| {
            file.ends_with(".cpp") && line.trim().chars().all(|c| c.is_ascii_digit())
        }) {
            msg.truncate(at);
        }
    }
    msg
}

/// Stores a callback's error for the enclosing mlx-c call to return.
pub(crate) fn store_pending(err: Error) {
    let _ = PENDING.try_with(|p| *p.borrow_mut() = Some(err));
}

/// Stores a caught panic as [`Error::ClosurePanicked`].
pub(crate) fn store_panic(payload: Box<dyn Any + Send>) {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_string()
    };
    store_pending(Error::ClosurePanicked(text));
}

/// Drops any callback error left over from an earlier call on this thread.
#[inline]
pub(crate) fn clear_pending() {
    let _ = PENDING.try_with(|p| p.borrow_mut().take());
}

/// Calls an mlx-c function that returns an `int` status and turns it into a `Result`.
/// Installs the handler first and clears this thread's message slot.
macro_rules! mlx_call {
    ($f:ident ( $($arg:expr),* $(,)? )) => {{
        $crate::error::init();
        $crate::error::clear();
        // SAFETY: the handles passed are live for the call (borrowed from owning
        // wrappers or freshly made), out-params point at owned handles.
        let status = unsafe { ::mlxrs_sys::$f($($arg),*) };
        $crate::error::check(stringify!($f), status)
    }};
}

/// Calls an mlx-c function that returns a value or handle (not a status) and checks the
/// message slot afterwards.
macro_rules! mlx_value {
    ($f:ident ( $($arg:expr),* $(,)? )) => {{
        $crate::error::init();
        $crate::error::clear();
        // SAFETY: as for `mlx_call!`.
        let value = unsafe { ::mlxrs_sys::$f($($arg),*) };
        $crate::error::check_handler(stringify!($f)).map(|()| value)
    }};
}

pub(crate) use {mlx_call, mlx_value};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_suffix_is_dropped_but_text_kept() {
        assert_eq!(
            strip_location("[matmul] bad shapes at /src/mlx/c/ops.cpp:123".into()),
            "[matmul] bad shapes"
        );
        assert_eq!(strip_location("meet at noon".into()), "meet at noon");
    }

    #[test]
    fn empty_input_displays_its_context() {
        let e = Error::empty_input("grad: argnums");
        assert_eq!(
            e.to_string(),
            "empty input: grad: argnums must not be empty"
        );
    }
}
