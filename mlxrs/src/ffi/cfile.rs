//! A C stdio temporary file, for the mlx-c calls that write to a `FILE*`
//! (`mlx_export_to_dot`): the text is written there, then read back into a `String`.

use std::ffi::{c_int, c_long, c_void};

use mlxrs_sys as sys;

use crate::{Error, Result};

// The C library's stdio (always linked); mlxrs-sys binds only mlx-c itself.
unsafe extern "C" {
    fn tmpfile() -> *mut sys::FILE;
    fn fclose(stream: *mut sys::FILE) -> c_int;
    fn fflush(stream: *mut sys::FILE) -> c_int;
    fn fseek(stream: *mut sys::FILE, offset: c_long, whence: c_int) -> c_int;
    fn fread(ptr: *mut c_void, size: usize, n: usize, stream: *mut sys::FILE) -> usize;
}

const SEEK_SET: c_int = 0;

/// An open temporary file (`tmpfile()`), closed (and so deleted) on drop.
pub(crate) struct TempCFile(*mut sys::FILE);

impl TempCFile {
    /// A new, empty temporary file.
    ///
    /// # Errors
    /// [`Error::Backend`] when the C library cannot create one.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: `tmpfile` takes no input; a null result is handled.
        let f = unsafe { tmpfile() };
        if f.is_null() {
            return Err(Error::Backend(format!(
                "could not create a temporary file: {}",
                std::io::Error::last_os_error()
            )));
        }
        Ok(Self(f))
    }

    /// The `FILE*`, lent for a call that writes to it.
    pub(crate) fn as_raw(&self) -> *mut sys::FILE {
        self.0
    }

    /// Everything written so far, as text.
    ///
    /// # Errors
    /// [`Error::Backend`] when the file cannot be read back or is not UTF-8.
    pub(crate) fn read_to_string(&self) -> Result<String> {
        // SAFETY: `self.0` is an open stream owned by `self`.
        let ok = unsafe { fflush(self.0) == 0 && fseek(self.0, 0, SEEK_SET) == 0 };
        if !ok {
            return Err(Error::Backend(format!(
                "could not read back a temporary file: {}",
                std::io::Error::last_os_error()
            )));
        }
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            // SAFETY: `chunk` is writable for `chunk.len()` bytes; `self.0` is open.
            let n = unsafe { fread(chunk.as_mut_ptr().cast(), 1, chunk.len(), self.0) };
            bytes.extend_from_slice(&chunk[..n]);
            if n < chunk.len() {
                break;
            }
        }
        String::from_utf8(bytes)
            .map_err(|e| Error::Backend(format!("the written text is not UTF-8: {e}")))
    }
}

impl Drop for TempCFile {
    fn drop(&mut self) {
        // SAFETY: `self.0` is open and closed exactly once, here.
        unsafe {
            fclose(self.0);
        }
    }
}
