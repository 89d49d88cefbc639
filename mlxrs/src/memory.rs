//! MLX's memory accounting and limits (Python's `mx.get_active_memory` and friends).
//!
//! Figures are in bytes. MLX keeps freed buffers in a cache for reuse; "active" memory
//! is what live arrays hold, "cache" what is kept for reuse.
//!
//! The getters carry Python's names (`get_active_memory`, ...) and the shorter ones
//! (`active_memory`, ...): the same functions.

use crate::Result;
use crate::ffi::mlx_call;

/// Bytes held by live arrays.
///
/// ```
/// let before = mlxrs::memory::active_memory()?;
/// let a = mlxrs::Array::zeros(&[1024, 1024], mlxrs::Dtype::Float32)?;
/// a.eval()?;
/// assert!(mlxrs::memory::active_memory()? >= before);
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure
/// ([`Error::Backend`](crate::Error::Backend)).
pub fn active_memory() -> Result<usize> {
    let mut n = 0;
    mlx_call!(mlx_get_active_memory(&mut n))?;
    Ok(n)
}

/// The largest active memory since start or the last [`reset_peak_memory`].
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure
/// ([`Error::Backend`](crate::Error::Backend)).
pub fn peak_memory() -> Result<usize> {
    let mut n = 0;
    mlx_call!(mlx_get_peak_memory(&mut n))?;
    Ok(n)
}

/// Resets [`peak_memory`] to zero (not to the current active memory); the next
/// allocation raises it again.
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure
/// ([`Error::Backend`](crate::Error::Backend)).
pub fn reset_peak_memory() -> Result<()> {
    mlx_call!(mlx_reset_peak_memory())
}

/// Bytes in MLX's buffer cache.
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure
/// ([`Error::Backend`](crate::Error::Backend)).
pub fn cache_memory() -> Result<usize> {
    let mut n = 0;
    mlx_call!(mlx_get_cache_memory(&mut n))?;
    Ok(n)
}

/// The memory limit (a guideline MLX tries to stay under).
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure
/// ([`Error::Backend`](crate::Error::Backend)).
pub fn memory_limit() -> Result<usize> {
    let mut n = 0;
    mlx_call!(mlx_get_memory_limit(&mut n))?;
    Ok(n)
}

/// Sets the memory limit; returns the previous one.
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure
/// ([`Error::Backend`](crate::Error::Backend)).
pub fn set_memory_limit(limit: usize) -> Result<usize> {
    let mut prev = 0;
    mlx_call!(mlx_set_memory_limit(&mut prev, limit))?;
    Ok(prev)
}

/// Sets the buffer cache limit (0 disables the cache); returns the previous one.
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure
/// ([`Error::Backend`](crate::Error::Backend)).
pub fn set_cache_limit(limit: usize) -> Result<usize> {
    let mut prev = 0;
    mlx_call!(mlx_set_cache_limit(&mut prev, limit))?;
    Ok(prev)
}

/// Sets the wired (resident) memory limit (Metal only; elsewhere MLX ignores it or
/// reports an error); returns the previous one.
///
/// # Errors
/// MLX's error ([`Error::Backend`](crate::Error::Backend)) where the backend rejects the
/// limit, e.g. on Metal a limit larger than the device's maximum recommended working set
/// size.
pub fn set_wired_limit(limit: usize) -> Result<usize> {
    let mut prev = 0;
    mlx_call!(mlx_set_wired_limit(&mut prev, limit))?;
    Ok(prev)
}

/// Frees MLX's buffer cache, then returns free heap memory to the system.
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure
/// ([`Error::Backend`](crate::Error::Backend)).
pub fn clear_cache() -> Result<()> {
    mlx_call!(mlx_clear_cache())?;
    crate::ffi::startup::trim();
    Ok(())
}

pub use self::active_memory as get_active_memory;
pub use self::cache_memory as get_cache_memory;
pub use self::memory_limit as get_memory_limit;
pub use self::peak_memory as get_peak_memory;
