//! The error slot and the one status decoder.
//!
//! mlx-c catches every C++ exception and calls one process-wide error handler; the default
//! one prints and calls `exit(-1)`. [`install_handler`] installs ours (from
//! [`super::init`], once). Our handler only stores the message in a thread-local slot:
//! mlx-c calls it on the failing thread, just before the call returns its non-zero
//! status, so two threads' messages never mix. A Rust callback's error or panic waits in
//! a second thread-local slot (the pending slot) for the mlx-c call that ran it.
//!
//! Every status and every handler message is decoded here and nowhere else: [`check`]
//! (status calls), [`check_made`] (constructors), [`check_step`] (iterators and lookups
//! that report "no more"/"not found" through their status). `cargo xtask tidy` rejects a
//! second decoder.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ffi::{CStr, c_char, c_void};

use crate::{Error, Result};

thread_local! {
    /// The last message mlx-c's error handler reported on this thread.
    static LAST_ERROR: Cell<Option<String>> = const { Cell::new(None) };
    /// An error or panic of a Rust callback, waiting for the mlx-c call that ran it to
    /// return. mlx-c runs closures on the calling thread, so the slot is thread-local.
    static PENDING: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Installs [`on_mlx_error`] as mlx-c's error handler.
pub(super) fn install_handler() {
    // SAFETY: `on_mlx_error` has the signature mlx-c expects, never unwinds, and needs no
    // data pointer or destructor.
    unsafe { mlxrs_sys::mlx_set_error_handler(Some(on_mlx_error), std::ptr::null_mut(), None) };
}

pub(super) extern "C" fn on_mlx_error(msg: *const c_char, _data: *mut c_void) {
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
    Err(take_error(call, status))
}

/// For calls that report failure through the handler rather than a status (value
/// accessors): an error if the handler ran since [`clear`].
#[inline]
pub(crate) fn check_handler(_call: &'static str) -> Result<()> {
    match LAST_ERROR.try_with(|slot| slot.take()).ok().flatten() {
        None => Ok(()),
        Some(msg) => {
            clear_pending();
            Err(Error::Backend(strip_location(msg)))
        }
    }
}

/// Checks a freshly made handle: the handler's message first, then a null `ctx` (which
/// mlx-c returns, with or without a message, when construction failed). The caller has
/// already taken ownership of the handle, so an `Err` here frees it (a null one is
/// skipped by `Drop`).
#[inline]
pub(crate) fn check_made(call: &'static str, ctx: *const c_void) -> Result<()> {
    check_handler(call)?;
    if ctx.is_null() {
        return Err(Error::Backend(format!(
            "{call}: mlx-c could not create the object"
        )));
    }
    Ok(())
}

/// The status of a step that can also mean "nothing here": map iterators return 2 at
/// the end, GGUF lookups 2 for a missing key and 3 for a value of another type (all
/// without a message). `Ok(true)`: a value came; `Ok(false)`: none (listed in `none`).
#[inline]
pub(crate) fn check_step(call: &'static str, status: i32, none: &[i32]) -> Result<bool> {
    if status == 0 {
        return Ok(true);
    }
    if none.contains(&status) {
        check_handler(call)?;
        return Ok(false);
    }
    check(call, status).map(|()| false)
}

fn take_error(call: &'static str, status: i32) -> Error {
    let message = LAST_ERROR.try_with(|slot| slot.take()).ok().flatten();
    if let Some(pending) = PENDING.try_with(|p| p.borrow_mut().take()).ok().flatten() {
        return pending;
    }
    match message {
        Some(msg) => Error::Backend(strip_location(msg)),
        None => Error::Backend(format!("unknown mlx-c error in {call} (status {status})")),
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

/// The message of a caught panic (its `&str` or `String` payload).
pub(crate) fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_string()
    }
}

/// Stores a caught panic as [`Error::ClosurePanicked`].
pub(crate) fn store_panic(payload: Box<dyn Any + Send>) {
    store_pending(Error::ClosurePanicked(panic_text(&*payload)));
}

/// Drops any callback error left over from an earlier call on this thread.
#[inline]
pub(crate) fn clear_pending() {
    let _ = PENDING.try_with(|p| p.borrow_mut().take());
}

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
    fn a_step_tells_value_end_and_error_apart() {
        assert!(check_step("t", 0, &[2]).is_ok_and(|v| v));
        assert!(check_step("t", 2, &[2]).is_ok_and(|v| !v));
        let err = check_step("t", 1, &[2]).unwrap_err();
        assert_eq!(err.to_string(), "unknown mlx-c error in t (status 1)");
    }
}
