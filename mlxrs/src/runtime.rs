//! [`info`]: what this process runs on (MLX's version, the BLAS that serves it, the
//! allocator tuning), and [`set_blas_threads`].
//!
//! The tuning itself is applied once at start-up by the FFI core (`ffi/startup.rs`):
//! where mlxrs-sys linked OpenBLAS (found at build time, see the README), its symbols
//! serve libmlx and the MLX wheel's LAPACK instead of the wheel's reference BLAS, and on
//! Linux/glibc the allocator keeps large freed buffers for reuse
//! ([`memory::clear_cache`](crate::memory::clear_cache) also returns free heap memory to
//! the system; opt out with `MLXRS_MALLOC=system`). `MLXRS_DEFAULT_DEVICE=cpu|gpu` in the
//! environment sets the default device before the first op.

use crate::ffi::startup;

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
    let mlx_version = crate::version()?;
    let served_by = startup::provider(c"sgemm_").or_else(|| startup::provider(c"cblas_sgemm"));
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
            blas = format!(
                "{} ({})",
                startup::openblas_config(),
                served_by.clone().unwrap_or_default()
            );
            optimized = true;
            threads = usize::try_from(startup::openblas_threads()).ok();
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
        malloc_tuned: startup::malloc_tuned(),
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
        startup::set_openblas_threads(n);
        Ok(())
    }
    #[cfg(not(mlxrs_openblas))]
    Err(crate::Error::invalid(
        "n",
        "no OpenBLAS is linked (MLXRS_BLAS=reference or none found at build time)",
    ))
}
