//! The error model: one [`Error`] enum for the whole crate.
//!
//! How mlx-c's status codes and handler messages become an [`Error`] is the FFI core's
//! business (`ffi/status.rs`, the one status decoder).

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

/// Installs mlxrs's mlx-c error handler (once per process). Every safe entry point calls
/// this itself before its first mlx-c call; it costs one atomic load afterwards.
pub fn init() {
    crate::ffi::init();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_displays_its_context() {
        let e = Error::empty_input("grad: argnums");
        assert_eq!(
            e.to_string(),
            "empty input: grad: argnums must not be empty"
        );
    }
}
