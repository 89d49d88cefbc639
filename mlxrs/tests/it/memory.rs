//! Memory accounting: active, peak and cache figures move as arrays come and go; the
//! limits setters return the previous value.
//!
//! The figures are process-wide and other tests of this binary allocate (small arrays) in
//! parallel, so the tests here hold `MEMORY` (only one of them runs at a time), work with
//! tens of MiB, and assert with a margin of half the size.

use std::sync::{Mutex, MutexGuard};

use mlxrs::memory::{
    active_memory, cache_memory, clear_cache, memory_limit, peak_memory, reset_peak_memory,
    set_cache_limit, set_memory_limit, set_wired_limit,
};
use mlxrs::{Array, Dtype, Result};

const MIB: usize = 1 << 20;

static MEMORY: Mutex<()> = Mutex::new(());

fn lock_memory() -> MutexGuard<'static, ()> {
    MEMORY.lock().unwrap_or_else(|e| e.into_inner())
}

/// An evaluated float32 array of `mib` MiB.
fn allocate(mib: usize) -> Result<Array> {
    let a = Array::ones([mib * MIB / 4], Dtype::Float32)?;
    a.eval()?;
    Ok(a)
}

/// Puts a limit back when dropped, also when an assertion fails.
struct Restore(fn(usize) -> Result<usize>, usize);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = (self.0)(self.1);
    }
}

#[test]
fn active_memory_rises_with_a_large_array_and_falls_when_it_drops() -> Result<()> {
    if crate::support::skip_on_gpu("counts the CPU allocator (the GPU suite checks GPU memory)") {
        return Ok(());
    }
    let _lock = lock_memory();
    let before = active_memory()?;
    let a = allocate(64)?;
    let held = active_memory()?;
    assert!(
        held >= before + 32 * MIB,
        "active memory went from {before} to only {held} for 64 MiB"
    );
    // The data is really there.
    assert_eq!(a.nbytes(), 64 * MIB);
    assert_eq!(
        mlxrs::ops::sum(&a, false)?.item::<f32>()?,
        (16 * MIB) as f32
    );
    assert!(peak_memory()? >= held - 16 * MIB);
    drop(a);
    let after = active_memory()?;
    assert!(
        after + 32 * MIB <= held,
        "active memory went from {held} to {after} after dropping 64 MiB"
    );
    Ok(())
}

#[test]
fn clones_share_one_buffer() -> Result<()> {
    if crate::support::skip_on_gpu("counts the CPU allocator (the GPU suite checks GPU memory)") {
        return Ok(());
    }
    let _lock = lock_memory();
    let a = allocate(32)?;
    let held = active_memory()?;
    let copies: Vec<Array> = (0..4).map(|_| a.clone()).collect();
    let with_clones = active_memory()?;
    assert!(
        with_clones < held + 16 * MIB,
        "4 clones of 32 MiB took {held} -> {with_clones}"
    );
    drop(a);
    // The clones keep the buffer alive.
    assert!(active_memory()? + 16 * MIB > held);
    assert_eq!(copies[3].size(), 8 * MIB);
    drop(copies);
    assert!(active_memory()? + 16 * MIB <= held);
    Ok(())
}

#[test]
fn peak_memory_tracks_the_largest_use_and_resets() -> Result<()> {
    let _lock = lock_memory();
    let a = allocate(48)?;
    let active = active_memory()?;
    let peak = peak_memory()?;
    assert!(peak >= active, "peak {peak} below active {active}");
    assert!(peak >= 48 * MIB);
    drop(a);
    // Dropping does not lower the peak.
    assert!(peak_memory()? >= 48 * MIB);
    // MLX resets the peak to zero; it grows again with the next allocations.
    reset_peak_memory()?;
    let reset = peak_memory()?;
    assert!(
        reset < 24 * MIB,
        "peak after reset is {reset}, still counting the dropped 48 MiB"
    );
    let b = allocate(16)?;
    let peak = peak_memory()?;
    assert!(peak >= 16 * MIB, "peak {peak} after a 16 MiB allocation");
    assert!(peak >= active_memory()? - 8 * MIB);
    drop(b);
    Ok(())
}

#[test]
fn freed_buffers_go_to_the_cache_until_it_is_cleared() -> Result<()> {
    if crate::support::skip_on_gpu("counts the CPU allocator (the GPU suite checks GPU memory)") {
        return Ok(());
    }
    let _lock = lock_memory();
    let previous = set_cache_limit(1 << 30)?;
    let _restore = Restore(set_cache_limit, previous);
    clear_cache()?;
    let empty = cache_memory()?;
    assert!(
        empty < 4 * MIB,
        "cache holds {empty} right after clear_cache"
    );
    let a = allocate(8)?;
    drop(a);
    let cached = cache_memory()?;
    assert!(
        cached >= empty + 4 * MIB,
        "cache went from {empty} to only {cached} after freeing 8 MiB"
    );
    clear_cache()?;
    let cleared = cache_memory()?;
    assert!(
        cleared + 4 * MIB <= cached,
        "clear_cache left {cleared} of {cached}"
    );
    Ok(())
}

#[test]
fn a_zero_cache_limit_keeps_nothing() -> Result<()> {
    let _lock = lock_memory();
    let previous = set_cache_limit(0)?;
    let _restore = Restore(set_cache_limit, previous);
    clear_cache()?;
    let before = cache_memory()?;
    drop(allocate(8)?);
    let after = cache_memory()?;
    assert!(
        after < before + 4 * MIB,
        "with a zero limit the cache went from {before} to {after}"
    );
    Ok(())
}

#[test]
fn limit_setters_return_the_previous_value() -> Result<()> {
    let _lock = lock_memory();
    // Cache limit: each call returns the value the previous call set.
    let original = set_cache_limit(123 * MIB)?;
    let _restore = Restore(set_cache_limit, original);
    assert_eq!(set_cache_limit(77 * MIB)?, 123 * MIB);
    assert_eq!(set_cache_limit(original)?, 77 * MIB);
    // Memory limit: readable, and settable above what anything here uses.
    let limit = memory_limit()?;
    assert!(limit > 0);
    let _restore_memory = Restore(set_memory_limit, limit);
    let raised = limit + 64 * MIB;
    assert_eq!(set_memory_limit(raised)?, limit);
    assert_eq!(memory_limit()?, raised);
    assert_eq!(set_memory_limit(limit)?, raised);
    assert_eq!(memory_limit()?, limit);
    Ok(())
}

#[test]
fn wired_limit_setter_returns_the_previous_value() -> Result<()> {
    let _lock = lock_memory();
    let first = set_wired_limit(MIB)?;
    let _restore = Restore(set_wired_limit, first);
    let second = set_wired_limit(first)?;
    if cfg!(target_os = "macos") {
        assert_eq!(second, MIB);
    } else if cfg!(not(feature = "gpu-tests")) {
        // The CPU backend keeps no wired limit: Python MLX 0.32.2 on Linux answers 0 to
        // `set_wired_limit(1024)` and again to `set_wired_limit(0)`.
        assert_eq!((first, second), (0, 0));
    }
    Ok(())
}
