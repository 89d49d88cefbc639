//! Process-wide tuning applied once at start-up (from `error::init`), and [`info`].
//!
//! - **BLAS**: where mlxrs-sys linked OpenBLAS (found at build time, see the README),
//!   its symbols serve libmlx and the MLX wheel's LAPACK instead of the wheel's
//!   reference BLAS. [`info`] reports which library the loader actually resolved.
//! - **Allocator** (Linux/glibc): MLX's CPU backend takes every buffer from `malloc`;
//!   glibc serves buffers above 32 MiB (its default maximum threshold) with fresh `mmap`s
//!   and unmaps them on `free`, so each large output page-faults anew. At start-up mlxrs
//!   raises the mmap and trim thresholds so freed buffers are reused.
//!   [`memory::clear_cache`](crate::memory::clear_cache) also returns free heap memory to
//!   the system. Opt out with `MLXRS_MALLOC=system` in the environment.
//! - **Default device**: `MLXRS_DEFAULT_DEVICE=cpu|gpu` in the environment sets it
//!   before the first op (the test suites run on the CPU this way on any backend).

use std::ffi::{CStr, c_void};

use mlxrs_sys as sys;

/// The mmap threshold mlxrs sets: buffers below it come from the reusable heap.
pub const MMAP_THRESHOLD: usize = 1 << 30;

static TUNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Runs once per process, before the first mlx-c call.
pub(crate) fn configure() {
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
            TUNED.store(ok, std::sync::atomic::Ordering::Relaxed);
        }
    }
    default_device_from_env();
    #[cfg(mlxrs_openblas)]
    {
        // Referencing OpenBLAS keeps it among the binary's needed libraries (linkers drop
        // unreferenced ones under --as-needed), which is what puts it ahead of the
        // wheel's reference BLAS.
        // SAFETY: a plain query of OpenBLAS's thread count.
        let _ = unsafe { sys::openblas::openblas_get_num_threads() };
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
        "cpu" => sys::mlx_device_type::MLX_CPU,
        "gpu" => sys::mlx_device_type::MLX_GPU,
        other => {
            eprintln!("mlxrs: ignoring MLXRS_DEFAULT_DEVICE={other:?} (expected cpu or gpu)");
            return;
        }
    };
    // Raw calls: this runs inside `error::init`, so `mlx_call!` (which calls it) cannot.
    crate::error::clear();
    // SAFETY: a +1 device handle, used once and freed once; the error handler is
    // installed, so a failure only leaves a message in this thread's slot.
    let status = unsafe {
        let device = sys::mlx_device_new_type(kind, 0);
        let status = sys::mlx_set_default_device(device);
        sys::mlx_device_free(device);
        status
    };
    if let Err(e) = crate::error::check("mlx_set_default_device", status) {
        eprintln!("mlxrs: ignoring MLXRS_DEFAULT_DEVICE={value}: {e}");
    }
}

/// Returns free heap memory to the system (after MLX's cache was cleared).
pub(crate) fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory.
    unsafe {
        sys::malloc::malloc_trim(0);
    }
}

/// What this process runs on: versions, the BLAS that serves MLX, the allocator tuning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// MLX's version, e.g. "0.32.2".
    pub mlx_version: String,
    /// A description of the BLAS that serves MLX's matrix products, e.g.
    /// "OpenBLAS 0.3.21 ... (/usr/lib/x86_64-linux-gnu/libopenblas.so.0)" or
    /// "reference BLAS (.../mlx_cpu.libs/libblas-....so)".
    pub blas: String,
    /// Whether OpenBLAS serves MLX's BLAS calls.
    pub optimized_blas: bool,
    /// BLAS threads (OpenBLAS only).
    pub blas_threads: Option<usize>,
    /// Whether mlxrs raised glibc's mmap/trim thresholds (see the module docs).
    pub malloc_tuned: bool,
}

impl std::fmt::Display for Info {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MLX {}; BLAS: {}", self.mlx_version, self.blas)?;
        if let Some(t) = self.blas_threads {
            write!(f, " ({t} threads)")?;
        }
        write!(
            f,
            "; malloc: {}",
            if self.malloc_tuned {
                "tuned for buffer reuse"
            } else {
                "system defaults"
            }
        )
    }
}

/// Which library the dynamic loader resolves `symbol` to, if any.
fn provider(symbol: &CStr) -> Option<String> {
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

/// The runtime configuration: MLX version, which BLAS serves MLX, allocator tuning.
///
/// ```
/// let info = mlxrs::info()?;
/// assert_eq!(info.mlx_version, "0.32.2");
/// println!("{info}");
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// Not expected in practice: only if mlx-c fails to report MLX's version
/// ([`Error::Backend`](crate::Error::Backend)).
pub fn info() -> crate::Result<Info> {
    crate::error::init();
    let mlx_version = crate::version()?;
    let served_by = provider(c"sgemm_").or_else(|| provider(c"cblas_sgemm"));
    #[allow(unused_mut)]
    let mut blas = match &served_by {
        Some(path) => format!("reference or system BLAS ({path})"),
        None => "Accelerate or built into libmlx".to_string(),
    };
    #[allow(unused_mut)]
    let mut optimized = false;
    #[allow(unused_mut)]
    let mut threads = None;
    #[cfg(mlxrs_openblas)]
    {
        if served_by.as_deref().is_some_and(|p| p.contains("openblas")) {
            // SAFETY: OpenBLAS returns a static NUL-terminated string.
            let config = unsafe { CStr::from_ptr(sys::openblas::openblas_get_config()) };
            blas = format!(
                "{} ({})",
                config.to_string_lossy().trim(),
                served_by.clone().unwrap_or_default()
            );
            optimized = true;
            // SAFETY: a plain query.
            threads = usize::try_from(unsafe { sys::openblas::openblas_get_num_threads() }).ok();
        }
    }
    if !optimized
        && served_by
            .as_deref()
            .is_some_and(|p| p.contains("mlx_cpu.libs"))
    {
        blas = format!(
            "reference BLAS of the MLX wheel ({})",
            served_by.unwrap_or_default()
        );
    }
    Ok(Info {
        mlx_version,
        blas,
        optimized_blas: optimized,
        blas_threads: threads,
        malloc_tuned: TUNED.load(std::sync::atomic::Ordering::Relaxed),
    })
}

/// Sets the number of threads OpenBLAS uses (the knob next to `OPENBLAS_NUM_THREADS`).
/// MLX's CPU backend runs each stream's ops on one worker thread that waits while BLAS
/// works, so BLAS threads up to the number of cores do not oversubscribe the machine.
///
/// # Errors
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for 0 or a count that does
/// not fit in `i32`, and when no OpenBLAS serves MLX (nothing to set).
pub fn set_blas_threads(n: usize) -> crate::Result<()> {
    if n == 0 {
        return Err(crate::Error::invalid(
            "n",
            "set_blas_threads needs at least one thread, got 0",
        ));
    }
    #[cfg(mlxrs_openblas)]
    {
        let n = i32::try_from(n)
            .map_err(|_| crate::Error::invalid("n", format!("{n} threads do not fit in i32")))?;
        // SAFETY: OpenBLAS's setter takes any positive count.
        unsafe { sys::openblas::openblas_set_num_threads(n) };
        Ok(())
    }
    #[cfg(not(mlxrs_openblas))]
    Err(crate::Error::invalid(
        "n",
        "no OpenBLAS is linked (MLXRS_BLAS=reference or none found at build time)",
    ))
}
