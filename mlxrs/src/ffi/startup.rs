//! Process-wide tuning applied once by [`super::init`], and the raw queries of the
//! loader and of OpenBLAS that [`crate::info`] reports.
//!
//! - **Allocator** (Linux/glibc): MLX's CPU backend takes every buffer from `malloc`;
//!   glibc serves buffers above 32 MiB (its default maximum threshold) with fresh `mmap`s
//!   and unmaps them on `free`, so each large output page-faults anew. At start-up mlxrs
//!   raises the mmap and trim thresholds so freed buffers are reused. Opt out with
//!   `MLXRS_MALLOC=system` in the environment.
//! - **BLAS**: where mlxrs-sys linked OpenBLAS, referencing it keeps it among the
//!   binary's needed libraries, ahead of the MLX wheel's reference BLAS.
//! - **Default device**: `MLXRS_DEFAULT_DEVICE=cpu|gpu` in the environment sets it
//!   before the first op (the test suites run on the CPU this way on any backend).

use std::ffi::{CStr, c_void};
use std::sync::atomic::{AtomicBool, Ordering};

use mlxrs_sys as sys;

/// The mmap threshold mlxrs sets: buffers below it come from the reusable heap.
const MMAP_THRESHOLD: usize = 1 << 30;

static TUNED: AtomicBool = AtomicBool::new(false);

/// Runs once per process, after the error handler is installed and before the first
/// mlx-c call.
pub(super) fn configure() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let opted_out = std::env::var("MLXRS_MALLOC").is_ok_and(|v| v == "system");
        if !opted_out {
            // SAFETY: mallopt only changes glibc's tuning parameters; valid values.
            let ok = unsafe {
                sys::malloc::mallopt(sys::malloc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as i32) == 1
                    && sys::malloc::mallopt(sys::malloc::M_TRIM_THRESHOLD, MMAP_THRESHOLD as i32)
                        == 1
            };
            TUNED.store(ok, Ordering::Relaxed);
        }
    }
    default_device_from_env();
    #[cfg(mlxrs_openblas)]
    {
        // Referencing OpenBLAS keeps it among the binary's needed libraries (linkers drop
        // unreferenced ones under --as-needed), which is what puts it ahead of the
        // wheel's reference BLAS.
        let _ = openblas_threads();
    }
}

/// `MLXRS_DEFAULT_DEVICE=cpu|gpu`: the default device before the first op (as
/// `Device::set_default` would set it). A value that is not `cpu` or `gpu`, or a GPU
/// where MLX has none, leaves MLX's choice and prints one line to stderr: there is no
/// caller to return an error to at start-up.
fn default_device_from_env() {
    let Ok(value) = std::env::var("MLXRS_DEFAULT_DEVICE") else {
        return;
    };
    let kind = match value.as_str() {
        "cpu" => crate::DeviceType::Cpu,
        "gpu" => crate::DeviceType::Gpu,
        other => {
            eprintln!("mlxrs: ignoring MLXRS_DEFAULT_DEVICE={other:?} (expected cpu or gpu)");
            return;
        }
    };
    if let Err(e) = super::accessors::set_default_device_at_startup(kind) {
        eprintln!("mlxrs: ignoring MLXRS_DEFAULT_DEVICE={value}: {e}");
    }
}

/// Whether [`configure`] raised glibc's mmap/trim thresholds.
pub(crate) fn malloc_tuned() -> bool {
    TUNED.load(Ordering::Relaxed)
}

/// Returns free heap memory to the system (after MLX's cache was cleared).
pub(crate) fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory.
    unsafe {
        sys::malloc::malloc_trim(0);
    }
}

/// Which library the dynamic loader resolves `symbol` to, if any.
pub(crate) fn provider(symbol: &CStr) -> Option<String> {
    // SAFETY: dlsym/dladdr only read the loader's tables; `info` is plain data.
    unsafe {
        let addr = sys::dl::dlsym(sys::dl::RTLD_DEFAULT, symbol.as_ptr());
        if addr.is_null() {
            return None;
        }
        let mut info = std::mem::zeroed::<sys::dl::DlInfo>();
        if sys::dl::dladdr(addr as *const c_void, &mut info) == 0 || info.dli_fname.is_null() {
            return None;
        }
        Some(
            CStr::from_ptr(info.dli_fname)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

/// OpenBLAS's build description.
#[cfg(mlxrs_openblas)]
pub(crate) fn openblas_config() -> String {
    // SAFETY: OpenBLAS returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(sys::openblas::openblas_get_config()) }
        .to_string_lossy()
        .trim()
        .to_string()
}

/// OpenBLAS's thread count.
#[cfg(mlxrs_openblas)]
pub(crate) fn openblas_threads() -> i32 {
    // SAFETY: a plain query of OpenBLAS's thread count.
    unsafe { sys::openblas::openblas_get_num_threads() }
}

/// Sets OpenBLAS's thread count (`n` positive).
#[cfg(mlxrs_openblas)]
pub(crate) fn set_openblas_threads(n: i32) {
    // SAFETY: OpenBLAS's setter takes any positive count.
    unsafe { sys::openblas::openblas_set_num_threads(n) };
}
