//! Rust readers and writers as mlx-c `mlx_io_reader`/`mlx_io_writer` objects.
//!
//! mlx-c drives a custom reader or writer through a table of C callbacks
//! (`mlx_io_vtable`) on an opaque descriptor. Ours is an `Arc<Shared<T>>`: the callbacks
//! hold one reference (released by the `free` callback, whenever MLX drops its last
//! `shared_ptr` to the C++ object), the lending call holds the other.
//!
//! The Rust object is *lent*, not given: `Shared` holds a raw pointer to the caller's `T`,
//! dereferenced only under its mutex. Before the lending call returns, [`Lent`] (also on
//! unwinding, through `Drop`) takes the pointer out under that mutex, so a callback that
//! MLX might still make afterwards finds nothing and fails cleanly instead of touching a
//! dead borrow. MLX reads array data on its I/O thread pool, so callbacks can run on
//! other threads (hence `T: Send`, the mutex, and the error slot kept here rather than in
//! the thread-local pending slot).
//!
//! Callbacks never unwind: a Rust I/O error or a panic is stored (the first one wins),
//! makes `good()` false, and is returned by the lending call in place of MLX's generic
//! `"[mlx_io_reader] unable to read ..."` message.

use std::ffi::{CString, c_char, c_int, c_void};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use mlxrs_sys as sys;

use super::call::mlx_new;
use super::handle::handle;
use super::status::panic_text;
use crate::{Error, Result};

handle! {
    /// An owned `mlx_io_reader` over a lent Rust reader.
    pub(crate) struct IoReader(mlx_io_reader) { free: mlx_io_reader_free }
}

handle! {
    /// An owned `mlx_io_writer` over a lent Rust writer.
    pub(crate) struct IoWriter(mlx_io_writer) { free: mlx_io_writer_free }
}

/// A pointer to the lent `T`.
struct LentPtr<T>(*mut T);

// SAFETY: `T: Send`, and the pointer is dereferenced only while holding the mutex around
// it, and only while the lending call still holds its `&mut T` (it removes the pointer,
// under the same mutex, before returning). So at most one thread uses the `T` at a time,
// within the borrow.
unsafe impl<T: Send> Send for LentPtr<T> {}

/// The state behind the vtable's descriptor.
struct Shared<T> {
    io: Mutex<Option<LentPtr<T>>>,
    /// The position of the lent object when lent: MLX's offsets count from there.
    base: u64,
    error: Mutex<Option<Error>>,
    failed: AtomicBool,
    label: CString,
}

impl<T> Shared<T> {
    fn fail(&self, err: Error) {
        self.failed.store(true, Ordering::SeqCst);
        let mut slot = self.error.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(err);
        }
    }
}

/// The shared state behind a descriptor.
///
/// # Safety
/// `desc` must be the descriptor made by [`Lent::new`] for this `T`, not yet freed (mlx-c
/// calls the vtable only between `mlx_io_*_new` and the `free` callback).
unsafe fn shared<'a, T>(desc: *mut c_void) -> &'a Shared<T> {
    // SAFETY: guaranteed by the caller: `desc` came from `Arc::into_raw`.
    unsafe { &*desc.cast_const().cast::<Shared<T>>() }
}

/// Runs `f` on the lent object, never unwinding; on an error or panic, stores it, marks
/// the stream failed and returns `fallback`.
///
/// # Safety
/// As for [`shared`].
unsafe fn with_io<T, R>(
    desc: *mut c_void,
    fallback: R,
    f: impl FnOnce(&mut T) -> io::Result<R>,
) -> R {
    // SAFETY: guaranteed by the caller.
    let shared = unsafe { shared::<T>(desc) };
    if shared.failed.load(Ordering::SeqCst) {
        return fallback;
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut io = shared.io.lock().unwrap_or_else(PoisonError::into_inner);
        match io.as_mut() {
            // SAFETY: the pointer is present only while the lending call holds the
            // `&mut T`, and we hold the mutex, so this is the only access.
            Some(ptr) => f(unsafe { &mut *ptr.0 }),
            None => Err(io::Error::other(
                "the Rust reader or writer is no longer available: the call that lent it \
                 has returned",
            )),
        }
    }));
    match outcome {
        Ok(Ok(value)) => value,
        Ok(Err(e)) => {
            shared.fail(Error::Io(e));
            fallback
        }
        Err(panic) => {
            shared.fail(Error::ClosurePanicked(panic_text(&*panic)));
            fallback
        }
    }
}

unsafe extern "C" fn is_open<T>(desc: *mut c_void) -> bool {
    // SAFETY: mlx-c passes our live descriptor.
    let shared = unsafe { shared::<T>(desc) };
    catch_unwind(AssertUnwindSafe(|| {
        shared
            .io
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }))
    .unwrap_or(false)
}

unsafe extern "C" fn good<T>(desc: *mut c_void) -> bool {
    // SAFETY: mlx-c passes our live descriptor.
    let failed = unsafe { shared::<T>(desc) }.failed.load(Ordering::SeqCst);
    // SAFETY: as above.
    !failed && unsafe { is_open::<T>(desc) }
}

unsafe extern "C" fn tell<T: Seek>(desc: *mut c_void) -> usize {
    // SAFETY: mlx-c passes our live descriptor.
    let base = unsafe { shared::<T>(desc) }.base;
    // SAFETY: as above.
    unsafe {
        with_io::<T, usize>(desc, 0, |io| {
            let pos = io.stream_position()?.checked_sub(base).ok_or_else(|| {
                io::Error::other("the stream is before the position it was lent at")
            })?;
            usize::try_from(pos).map_err(io::Error::other)
        })
    }
}

unsafe extern "C" fn seek<T: Seek>(desc: *mut c_void, off: i64, whence: c_int) -> c_int {
    // SAFETY: mlx-c passes our live descriptor.
    let base = unsafe { shared::<T>(desc) }.base;
    let to = match whence {
        // Offsets from the start count from where the object was lent.
        0 => match u64::try_from(off)
            .ok()
            .and_then(|off| off.checked_add(base))
        {
            Some(at) => SeekFrom::Start(at),
            None => return -1,
        },
        1 => SeekFrom::Current(off),
        2 => SeekFrom::End(off),
        _ => return -1,
    };
    // SAFETY: as above.
    unsafe { with_io::<T, c_int>(desc, -1, |io| io.seek(to).map(|_| 0)) }
}

/// Reads until `buf` is full or the end of the stream; the count read.
fn read_full(io: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match io.read(&mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Reads up to `n` bytes into MLX's buffer at `data`, through a bounded bounce buffer:
/// MLX's buffer may be fresh, uninitialized memory (which a `&mut [u8]` must not cover),
/// and may be huge when a corrupt header declares a huge array, so only the bytes the
/// reader actually delivers are ever written. The count read.
///
/// # Safety
/// `data` must point at `n` writable bytes that nothing else uses during this call.
unsafe fn read_into(io: &mut impl Read, data: *mut c_char, n: usize) -> io::Result<usize> {
    let mut chunk = vec![0u8; n.min(1 << 20)];
    let mut done = 0;
    while done < n {
        let want = (n - done).min(chunk.len());
        let got = read_full(io, &mut chunk[..want])?;
        // SAFETY: `done + got <= n` bytes fit in MLX's buffer (guaranteed by the caller),
        // and `chunk` is a separate allocation.
        unsafe { std::ptr::copy_nonoverlapping(chunk.as_ptr(), data.add(done).cast(), got) };
        done += got;
        if got < want {
            break;
        }
    }
    Ok(done)
}

unsafe extern "C" fn read<T: Read>(desc: *mut c_void, data: *mut c_char, n: usize) -> usize {
    if n == 0 || data.is_null() {
        return 0;
    }
    // SAFETY: mlx-c passes a buffer of `n` bytes at `data`, used by nothing else during
    // this call.
    let read = |io: &mut T| unsafe { read_into(io, data, n) };
    // SAFETY: mlx-c passes our live descriptor.
    unsafe { with_io::<T, usize>(desc, 0, read) }
}

unsafe extern "C" fn read_at_offset<T: Read + Seek>(
    desc: *mut c_void,
    data: *mut c_char,
    n: usize,
    off: usize,
) -> usize {
    if n == 0 || data.is_null() {
        return 0;
    }
    // SAFETY: mlx-c passes our live descriptor.
    let base = unsafe { shared::<T>(desc) }.base;
    let read = |io: &mut T| {
        // Leave the stream position where it was, as `pread` does.
        let back = io.stream_position()?;
        io.seek(SeekFrom::Start(base.saturating_add(off as u64)))?;
        // SAFETY: as for `read`.
        let got = unsafe { read_into(io, data, n) }?;
        io.seek(SeekFrom::Start(back))?;
        if got < n {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the reader ended after {got} of {n} bytes at offset {off}"),
            ));
        }
        Ok(got)
    };
    // MLX reads array data on its I/O threads while evaluating, and MLX 0.32 reports a
    // failure there unreliably (to a later, unrelated evaluation, or not at all). So a
    // failed data read is never reported to MLX: it is stored (and returned by the
    // lending call, which discards the array) and MLX is told the read succeeded.
    // SAFETY: mlx-c passes our live descriptor.
    unsafe { with_io::<T, usize>(desc, n, read) }
}

unsafe extern "C" fn write<T: Write>(desc: *mut c_void, data: *const c_char, n: usize) -> usize {
    if n == 0 || data.is_null() {
        return 0;
    }
    // SAFETY: mlx-c passes `n` readable bytes at `data` for this call.
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), n) };
    // SAFETY: mlx-c passes our live descriptor.
    unsafe { with_io::<T, usize>(desc, 0, |io| io.write_all(bytes).map(|()| n)) }
}

unsafe extern "C" fn no_read<T>(desc: *mut c_void, _data: *mut c_char, _n: usize) -> usize {
    // SAFETY: mlx-c passes our live descriptor.
    unsafe { shared::<T>(desc) }.fail(Error::Io(io::Error::other("mlx-c read from a writer")));
    0
}

unsafe extern "C" fn no_read_at<T>(
    desc: *mut c_void,
    data: *mut c_char,
    n: usize,
    _off: usize,
) -> usize {
    // SAFETY: as above.
    unsafe { no_read::<T>(desc, data, n) }
}

unsafe extern "C" fn no_write<T>(desc: *mut c_void, _data: *const c_char, _n: usize) -> usize {
    // SAFETY: mlx-c passes our live descriptor.
    unsafe { shared::<T>(desc) }.fail(Error::Io(io::Error::other("mlx-c wrote to a reader")));
    0
}

unsafe extern "C" fn label<T>(desc: *mut c_void) -> *const c_char {
    // SAFETY: mlx-c passes our live descriptor; the label lives as long as it.
    unsafe { shared::<T>(desc) }.label.as_ptr()
}

unsafe extern "C" fn free<T>(desc: *mut c_void) {
    if desc.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `desc` is the reference leaked by `Lent::new` with `Arc::into_raw`;
        // mlx-c calls `free` exactly once, when the C++ object is destroyed.
        drop(unsafe { Arc::from_raw(desc.cast_const().cast::<Shared<T>>()) });
    }));
}

/// A Rust reader or writer lent to MLX for the duration of one call.
pub(crate) struct Lent<'a, T> {
    shared: Arc<Shared<T>>,
    _borrow: std::marker::PhantomData<&'a mut T>,
}

impl<'a, T: Seek + Send> Lent<'a, T> {
    /// Lends `io` from its current position on (MLX's offset 0); `kind`
    /// ("reader"/"writer") goes into the label MLX prints.
    ///
    /// # Errors
    /// [`Error::Io`] if the position cannot be read, [`Error::ClosurePanicked`] if that
    /// panics.
    pub(crate) fn new(io: &'a mut T, kind: &str) -> Result<Self> {
        let base = match catch_unwind(AssertUnwindSafe(|| io.stream_position())) {
            Ok(position) => position?,
            Err(panic) => return Err(Error::ClosurePanicked(panic_text(&*panic))),
        };
        let label =
            CString::new(format!("Rust {kind} {}", std::any::type_name::<T>())).unwrap_or_default();
        // The callbacks share `Shared<T>` across MLX's threads through a raw pointer, and
        // the last one may drop it on any of them: check what that needs.
        fn shareable<S: Send + Sync>() {}
        shareable::<Shared<T>>();
        Ok(Lent {
            shared: Arc::new(Shared {
                io: Mutex::new(Some(LentPtr(io))),
                base,
                error: Mutex::new(None),
                failed: AtomicBool::new(false),
                label,
            }),
            _borrow: std::marker::PhantomData,
        })
    }

    fn descriptor(&self) -> *mut c_void {
        Arc::into_raw(Arc::clone(&self.shared)).cast_mut().cast()
    }

    /// Ends the loan and returns the callbacks' stored error, if any, in place of
    /// `result`'s (MLX's message about a short read is only a consequence of it).
    pub(crate) fn finish<R>(self, result: Result<R>) -> Result<R> {
        self.revoke();
        let stored = self
            .shared
            .error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match stored {
            Some(err) => Err(err),
            None => result,
        }
    }

    fn revoke(&self) {
        self.shared
            .io
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

impl<T: Read + Seek + Send> Lent<'_, T> {
    /// A new `mlx_io_reader` over the lent reader.
    pub(crate) fn reader(&self) -> Result<IoReader> {
        let vtable = sys::mlx_io_vtable {
            is_open: Some(is_open::<T>),
            good: Some(good::<T>),
            tell: Some(tell::<T>),
            seek: Some(seek::<T>),
            read: Some(read::<T>),
            read_at_offset: Some(read_at_offset::<T>),
            write: Some(no_write::<T>),
            label: Some(label::<T>),
            free: Some(free::<T>),
        };
        mlx_new!(IoReader, mlx_io_reader_new(self.descriptor(), vtable))
    }
}

impl<T: Write + Seek + Send> Lent<'_, T> {
    /// A new `mlx_io_writer` over the lent writer.
    pub(crate) fn writer(&self) -> Result<IoWriter> {
        let vtable = sys::mlx_io_vtable {
            is_open: Some(is_open::<T>),
            good: Some(good::<T>),
            tell: Some(tell::<T>),
            seek: Some(seek::<T>),
            read: Some(no_read::<T>),
            read_at_offset: Some(no_read_at::<T>),
            write: Some(write::<T>),
            label: Some(label::<T>),
            free: Some(free::<T>),
        };
        mlx_new!(IoWriter, mlx_io_writer_new(self.descriptor(), vtable))
    }
}

impl<T> Drop for Lent<'_, T> {
    fn drop(&mut self) {
        // Also on early returns and unwinding: the borrow ends here.
        self.shared
            .io
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}
