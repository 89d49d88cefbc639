//! Streams, and **the stream convention of every op**.
//!
//! Ops take no stream argument. Each op runs on the calling thread's *current stream*:
//! the innermost stream made current with [`Stream::scope`] (or [`with_stream`]) on this
//! thread, else the default stream of the default device ([`Device::scope`] changes it).
//! This mirrors Python's `with mx.stream(s):` and keeps op signatures the same as
//! Python's (`mlxrs::ops::sin(&x)` is `mx.sin(x)`).
//!
//! MLX 0.32 keeps streams per thread: a stream, and a lazy array's graph, belong to the
//! thread that made them. The types say so: [`Stream`], [`StreamGuard`] and
//! [`Array`](crate::Array) are not `Send`; data crosses threads as a
//! [`SharedArray`](crate::SharedArray).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::ffi::mlx_call;
use crate::ffi::{RawStream, handle, mlx_new};
use crate::{Device, Result};

handle! {
    /// An MLX stream: an ordered queue of work on one device.
    ///
    /// `Stream` is neither `Send` nor `Sync`: MLX 0.32 serves a stream only on the thread
    /// that created it (`new_stream` streams and each thread's default streams alike), so
    /// a stream stays with its thread. Another thread makes its own with [`Stream::new`]
    /// or [`Stream::default_for`].
    pub struct Stream(mlx_stream) { new: mlx_stream_new, free: mlx_stream_free }
}

/// Bumped whenever a default device or stream changes, so per-thread caches refresh.
static GENERATION: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static SCOPED: RefCell<Vec<(u64, Stream)>> = const { RefCell::new(Vec::new()) };
    static NEXT_SCOPE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static DEFAULT: RefCell<Option<(u64, Stream)>> = const { RefCell::new(None) };
}

pub(crate) fn default_changed() {
    GENERATION.fetch_add(1, Ordering::Release);
}

/// The raw handle of this thread's current stream, for one mlx-c call.
///
/// The handle stays owned by this thread's stream cache; nothing frees it while an mlx-c
/// call that received it runs (ops do not call back into Rust).
#[inline]
pub(crate) fn current_raw() -> Result<RawStream> {
    if let Some(raw) = SCOPED.with(|s| s.borrow().last().map(|(_, st)| st.as_raw())) {
        return Ok(raw);
    }
    let generation = GENERATION.load(Ordering::Acquire);
    let cached = DEFAULT.with(|d| match &*d.borrow() {
        Some((g, s)) if *g == generation => Some(s.as_raw()),
        _ => None,
    });
    if let Some(raw) = cached {
        return Ok(raw);
    }
    let stream = Stream::default_for(&Device::default_device()?)?;
    let raw = stream.as_raw();
    DEFAULT.with(|d| *d.borrow_mut() = Some((generation, stream)));
    Ok(raw)
}

impl Stream {
    /// A new stream on `device` (usable on this thread).
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a GPU device when MLX has
    /// no GPU backend.
    pub fn new(device: &Device) -> Result<Self> {
        mlx_new!(Stream, mlx_stream_new_device(device.as_raw()))
    }

    /// This thread's default stream of `device`.
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) for a GPU device when MLX has
    /// no GPU backend, or for a device index MLX does not have.
    pub fn default_for(device: &Device) -> Result<Self> {
        let mut s = Stream::empty();
        mlx_call!(mlx_get_default_stream(s.as_out(), device.as_raw()))?;
        Ok(s)
    }

    /// The stream ops use on this thread right now (see the module docs).
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn current() -> Result<Self> {
        let raw = current_raw()?;
        let mut s = Stream::empty();
        mlx_call!(mlx_stream_set(s.as_out(), raw))?;
        Ok(s)
    }

    /// Makes this stream the current one on this thread until the guard is dropped.
    ///
    /// ```
    /// use mlxrs::{Array, Device, Stream};
    /// let s = Stream::new(&Device::cpu())?;
    /// let y = {
    ///     let _guard = s.scope();
    ///     mlxrs::ops::square(&Array::from(3.0f32))?
    /// };
    /// assert_eq!(y.item::<f32>()?, 9.0);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// Guards may be dropped in any order: each removes only its own stream, and the
    /// innermost stream whose guard is still alive stays current.
    pub fn scope(&self) -> StreamGuard {
        let id = NEXT_SCOPE.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        SCOPED.with(|s| s.borrow_mut().push((id, self.clone())));
        StreamGuard {
            id,
            _not_send: std::marker::PhantomData,
        }
    }

    /// Waits until all work queued on this stream has finished.
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`](crate::Error::Backend)) if the stream is not served on
    /// this thread (it was made on another one), or if work queued on it failed.
    pub fn synchronize(&self) -> Result<()> {
        mlx_call!(mlx_synchronize(self.as_raw()))
    }

    /// The device this stream runs on.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn device(&self) -> Result<Device> {
        let mut d = Device::empty();
        mlx_call!(mlx_stream_get_device(d.as_out(), self.as_raw()))?;
        Ok(d)
    }

    /// The stream's index.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure
    /// ([`Error::Backend`](crate::Error::Backend)).
    pub fn index(&self) -> Result<i32> {
        let mut i = 0;
        mlx_call!(mlx_stream_get_index(&mut i, self.as_raw()))?;
        Ok(i)
    }
}

/// Runs `f` with `stream` as this thread's current stream.
pub fn with_stream<R>(stream: &Stream, f: impl FnOnce() -> R) -> R {
    let _guard = stream.scope();
    f()
}

/// Waits for all work on this thread's default stream.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) if work queued on the stream
/// failed.
pub fn synchronize() -> Result<()> {
    mlx_call!(mlx_synchronize_default())
}

impl Clone for Stream {
    fn clone(&self) -> Self {
        let mut s = Stream::empty();
        let _ = mlx_call!(mlx_stream_set(s.as_out(), self.as_raw()));
        s
    }
}

impl PartialEq for Stream {
    fn eq(&self, other: &Self) -> bool {
        crate::ffi::stream_equal(self, other)
    }
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = crate::ffi::MlxString::new();
        match mlx_call!(mlx_stream_tostring(s.as_out(), self.as_raw())) {
            Ok(()) => f.write_str(&s.to_string_lossy()),
            Err(_) => f.write_str("Stream(?)"),
        }
    }
}

/// Pops the stream pushed by [`Stream::scope`] when dropped. Not `Send`: it belongs to
/// the thread whose current stream it changed.
#[must_use = "the stream is current only until the guard is dropped"]
pub struct StreamGuard {
    id: u64,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let id = self.id;
        let _ = SCOPED.try_with(|s| s.borrow_mut().retain(|(i, _)| *i != id));
    }
}
