//! Linear algebra (`mx.linalg`): norms, factorizations (QR, SVD, Cholesky, LU,
//! eigen-decompositions), inverses and solvers.
//!
//! Like every op, these run on the calling thread's current stream (see
//! [`crate::stream`]). MLX implements most of them on the CPU only (all but [`norm`],
//! [`cross`], and [`det`]/[`slogdet`] of matrices up to 3 × 3, marked "CPU only" below):
//! with a GPU stream current, MLX rejects them with its own
//! message (e.g. `"[linalg::inv] This op is not yet supported on the GPU. Explicitly pass
//! a CPU stream to run it."`). Run them inside a CPU scope, e.g.
//! `mlxrs::Stream::new(&mlxrs::Device::cpu())?.scope()`. Inputs must be `float32` (or
//! `float64`) matrices, batched over leading dimensions.
//!
//! ```
//! use mlxrs::{Array, linalg};
//! let a = Array::from_slice(&[4.0f32, 2.0, 2.0, 3.0], &[2, 2])?;
//! // Solve a x = b.
//! let x = linalg::solve(&a, &Array::from_slice(&[2.0f32, 1.0], &[2])?)?;
//! assert_eq!(x.to_vec::<f32>()?, [0.5, 0.0]);
//! // |a|_F = sqrt(16 + 4 + 4 + 9)
//! let f = linalg::norm(&a, None, None, false)?;
//! assert!((f.item::<f32>()? - 33f32.sqrt()).abs() < 1e-5);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use crate::ffi::VectorArray;
use crate::ffi::c_string;
use crate::ffi::{mlx_call, mlx_op};
use crate::ops::guards::skip_kernel_if_empty;
use crate::stream::current_raw;
use crate::{Array, Result};

/// The order of a norm, Python's `ord` argument of [`norm`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NormOrd {
    /// A numeric order: `p` for vector norms (`f64::INFINITY` for the max-abs norm, `0`
    /// for the count of non-zeros); for matrix norms `1`, `-1`, `2`, `-2`, `±inf`.
    P(f64),
    /// The Frobenius norm (`"fro"`, matrices only).
    Fro,
    /// The nuclear norm, the sum of singular values (`"nuc"`, matrices only).
    Nuc,
}

impl From<f64> for NormOrd {
    fn from(p: f64) -> Self {
        NormOrd::P(p)
    }
}

/// A matrix or vector norm (Python: `mx.linalg.norm`).
///
/// `ord: None` is the 2-norm of the flattened input along `axis` (the Frobenius norm for
/// two axes); `axis: None` means every axis when `ord` is `None`, and otherwise the input
/// must be 1- or 2-dimensional. Runs on any device.
///
/// # Errors
/// MLX's error for an order that does not fit the number of axes, or bad axes.
///
/// # Examples
/// ```
/// use mlxrs::{Array, linalg::{norm, NormOrd}};
/// let v = Array::from_slice(&[3.0f32, -4.0], &[2])?;
/// assert_eq!(norm(&v, None, None, false)?.item::<f32>()?, 5.0);
/// assert_eq!(norm(&v, Some(NormOrd::P(1.0)), None, false)?.item::<f32>()?, 7.0);
/// assert_eq!(norm(&v, Some(f64::INFINITY.into()), None, false)?.item::<f32>()?, 4.0);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn norm(
    a: &Array,
    ord: Option<NormOrd>,
    axis: Option<&[i32]>,
    keepdims: bool,
) -> Result<Array> {
    let (axis_ptr, axis_len) = match axis {
        Some(axes) => (axes.as_ptr(), axes.len()),
        None => (std::ptr::null(), 0),
    };
    let stream = current_raw()?;
    let out = match ord {
        None => mlx_op!(mlx_linalg_norm_l2(
            a.as_raw(),
            axis_ptr,
            axis_len,
            keepdims,
            stream
        )),
        Some(NormOrd::P(p)) => mlx_op!(mlx_linalg_norm(
            a.as_raw(),
            p,
            axis_ptr,
            axis_len,
            keepdims,
            stream
        )),
        Some(matrix @ (NormOrd::Fro | NormOrd::Nuc)) => {
            let name = if matrix == NormOrd::Fro {
                c"fro"
            } else {
                c"nuc"
            };
            mlx_op!(mlx_linalg_norm_matrix(
                a.as_raw(),
                name.as_ptr(),
                axis_ptr,
                axis_len,
                keepdims,
                stream
            ))
        }
    };
    // MLX's axis checks name no routine ("Invalid axis 2 for array with 2 dimensions.").
    crate::ops::guards::named("linalg::norm", out)
}

macro_rules! one_to_one {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        pub fn $name(a: &Array) -> Result<Array> {
            mlx_op!($sys(a.as_raw(), current_raw()?)).and_then(skip_kernel_if_empty)
        }
    )*};
}

macro_rules! one_to_two {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        pub fn $name(a: &Array) -> Result<(Array, Array)> {
            let mut first = Array::empty();
            let mut second = Array::empty();
            mlx_call!($sys(first.as_out(), second.as_out(), a.as_raw(), current_raw()?))?;
            Ok((skip_kernel_if_empty(first)?, skip_kernel_if_empty(second)?))
        }
    )*};
}

macro_rules! with_upper {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        pub fn $name(a: &Array, upper: bool) -> Result<Array> {
            let mut out = Array::empty();
            mlx_call!($sys(out.as_out(), a.as_raw(), upper, current_raw()?))?;
            skip_kernel_if_empty(out)
        }
    )*};
}

one_to_one! {
    /// The inverse of a square matrix (Python: `mx.linalg.inv`). CPU only.
    ///
    /// # Errors
    /// MLX's error for a non-square or singular input, or a GPU stream.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, linalg::inv};
    /// let a = Array::from_slice(&[2.0f32, 0.0, 0.0, 4.0], &[2, 2])?;
    /// assert_eq!(inv(&a)?.to_vec::<f32>()?, [0.5, 0.0, 0.0, 0.25]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    inv => mlx_linalg_inv;
    /// The Moore-Penrose pseudo-inverse, through the SVD (Python: `mx.linalg.pinv`).
    /// CPU only.
    ///
    /// # Errors
    /// MLX's error for an input of fewer than 2 dimensions, or a GPU stream.
    pinv => mlx_linalg_pinv;
    /// The determinant of a square matrix (Python: `mx.linalg.det`): by cofactors up to
    /// 3 × 3, else through the LU factorization (CPU only).
    ///
    /// # Errors
    /// MLX's error for a non-square input, or a GPU stream.
    det => mlx_linalg_det;
    /// The eigenvalues of a square matrix, complex in general (Python:
    /// `mx.linalg.eigvals`). CPU only.
    ///
    /// # Errors
    /// MLX's error for a non-square input, or a GPU stream.
    eigvals => mlx_linalg_eigvals;
}

one_to_two! {
    /// The QR factorization `a = q r`, `q` orthonormal and `r` upper triangular (Python:
    /// `mx.linalg.qr`). Returns `(q, r)`. CPU only.
    ///
    /// # Errors
    /// MLX's error for an input of fewer than 2 dimensions, or a GPU stream.
    qr => mlx_linalg_qr;
    /// Eigenvalues and right eigenvectors of a square matrix (Python: `mx.linalg.eig`),
    /// both `complex64`: `(values, vectors)` with the vectors as columns. CPU only.
    ///
    /// # Errors
    /// MLX's error for a non-square input, or a GPU stream.
    eig => mlx_linalg_eig;
    /// The LU factorization in LAPACK's compact form (Python: `mx.linalg.lu_factor`):
    /// `(lu, pivots)`, `l` (unit diagonal, not stored) and `u` packed in one matrix and
    /// the 0-based row swaps as `uint32`. CPU only.
    ///
    /// # Errors
    /// MLX's error for an input of fewer than 2 dimensions, or a GPU stream.
    lu_factor => mlx_linalg_lu_factor;
    /// The sign and the natural log of the absolute value of the determinant (Python:
    /// `mx.linalg.slogdet`): `(sign, logabsdet)`, stable where [`det`] over- or
    /// underflows. CPU only above 3 × 3.
    ///
    /// # Errors
    /// MLX's error for a non-square input, or a GPU stream.
    slogdet => mlx_linalg_slogdet;
}

with_upper! {
    /// The inverse of a triangular matrix (Python: `mx.linalg.tri_inv`); `upper` says
    /// which triangle of `a` is used. CPU only.
    ///
    /// # Errors
    /// MLX's error for a non-square input, or a GPU stream.
    tri_inv => mlx_linalg_tri_inv;
    /// The Cholesky factor of a symmetric positive definite matrix (Python:
    /// `mx.linalg.cholesky`): lower `l` with `a = l lᵀ`, or upper `u` with `a = uᵀ u` when
    /// `upper`. Only the chosen triangle of `a` is read; the result is not checked for
    /// positive definiteness. CPU only.
    ///
    /// # Errors
    /// MLX's error for a non-square input, or a GPU stream.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, linalg::cholesky};
    /// let a = Array::from_slice(&[4.0f32, 2.0, 2.0, 2.0], &[2, 2])?;
    /// assert_eq!(cholesky(&a, false)?.to_vec::<f32>()?, [2.0, 0.0, 1.0, 1.0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    cholesky => mlx_linalg_cholesky;
    /// The inverse of a symmetric positive definite matrix from its Cholesky factor
    /// (Python: `mx.linalg.cholesky_inv`): `a` is the lower (or, with `upper`, upper)
    /// factor. CPU only.
    ///
    /// # Errors
    /// MLX's error for a non-square input, or a GPU stream.
    cholesky_inv => mlx_linalg_cholesky_inv;
}

/// The singular value decomposition `a = u diag(s) vt` (Python: `mx.linalg.svd`).
///
/// Returns `[u, s, vt]` when `compute_uv` (full matrices: `u` is `m × m`, `vt` is
/// `n × n`), else `[s]`, the singular values in descending order. CPU only.
///
/// # Errors
/// MLX's error for an input of fewer than 2 dimensions, or a GPU stream.
///
/// # Examples
/// ```
/// use mlxrs::{Array, linalg::svd};
/// let a = Array::from_slice(&[3.0f32, 0.0, 0.0, -2.0], &[2, 2])?;
/// let s = svd(&a, false)?;
/// assert_eq!(s[0].to_vec::<f32>()?, [3.0, 2.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn svd(a: &Array, compute_uv: bool) -> Result<Vec<Array>> {
    let mut out = VectorArray::empty();
    mlx_call!(mlx_linalg_svd(
        out.as_out(),
        a.as_raw(),
        compute_uv,
        current_raw()?
    ))?;
    out.to_arrays()
}

/// The LU factorization with partial pivoting (Python: `mx.linalg.lu`): `(p, l, u)`, `l`
/// unit lower triangular and `u` upper triangular, such that `a = l[p, :] u`; `p` holds
/// row indices (`uint32`), not a permutation matrix. CPU only.
///
/// # Errors
/// MLX's error for an input of fewer than 2 dimensions, or a GPU stream.
pub fn lu(a: &Array) -> Result<(Array, Array, Array)> {
    let mut out = VectorArray::empty();
    mlx_call!(mlx_linalg_lu(out.as_out(), a.as_raw(), current_raw()?))?;
    let mut parts = out.to_arrays()?.into_iter();
    match (parts.next(), parts.next(), parts.next()) {
        (Some(p), Some(l), Some(u)) => Ok((
            skip_kernel_if_empty(p)?,
            skip_kernel_if_empty(l)?,
            skip_kernel_if_empty(u)?,
        )),
        _ => Err(crate::Error::Backend(
            "mlx_linalg_lu returned fewer than 3 arrays".into(),
        )),
    }
}

/// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric (Hermitian) matrix
/// (Python: `mx.linalg.eigh`): `(values, vectors)`. `uplo` (`"L"` or `"U"`, Python's
/// `UPLO`) says which triangle of `a` is read. CPU only.
///
/// # Errors
/// MLX's error for a non-square input, a `uplo` other than `"L"`/`"U"`, or a GPU stream;
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a NUL byte in `uplo`.
pub fn eigh(a: &Array, uplo: &str) -> Result<(Array, Array)> {
    let uplo = c_string("uplo", uplo)?;
    let mut values = Array::empty();
    let mut vectors = Array::empty();
    mlx_call!(mlx_linalg_eigh(
        values.as_out(),
        vectors.as_out(),
        a.as_raw(),
        uplo.as_ptr(),
        current_raw()?
    ))?;
    Ok((values, vectors))
}

/// The eigenvalues (ascending) of a symmetric (Hermitian) matrix (Python:
/// `mx.linalg.eigvalsh`); `uplo` as for [`eigh`]. CPU only.
///
/// # Errors
/// As for [`eigh`].
///
/// # Examples
/// ```
/// use mlxrs::{Array, linalg::eigvalsh};
/// let a = Array::from_slice(&[2.0f32, 1.0, 1.0, 2.0], &[2, 2])?;
/// let w = eigvalsh(&a, "L")?.to_vec::<f32>()?;
/// assert!((w[0] - 1.0).abs() < 1e-5 && (w[1] - 3.0).abs() < 1e-5);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn eigvalsh(a: &Array, uplo: &str) -> Result<Array> {
    let uplo = c_string("uplo", uplo)?;
    mlx_op!(mlx_linalg_eigvalsh(
        a.as_raw(),
        uplo.as_ptr(),
        current_raw()?
    ))
}

/// Solves `a x = b` for `x` (Python: `mx.linalg.solve`); `b` is a vector or a matrix of
/// right-hand sides. CPU only.
///
/// # Errors
/// MLX's error for incompatible shapes, or a GPU stream.
pub fn solve(a: &Array, b: &Array) -> Result<Array> {
    mlx_op!(mlx_linalg_solve(a.as_raw(), b.as_raw(), current_raw()?)).and_then(skip_kernel_if_empty)
}

/// Solves `a x = b` for triangular `a` (Python: `mx.linalg.solve_triangular`); `upper`
/// says which triangle of `a` is used. CPU only.
///
/// # Errors
/// MLX's error for incompatible shapes, or a GPU stream.
pub fn solve_triangular(a: &Array, b: &Array, upper: bool) -> Result<Array> {
    mlx_op!(mlx_linalg_solve_triangular(
        a.as_raw(),
        b.as_raw(),
        upper,
        current_raw()?
    ))
    .and_then(skip_kernel_if_empty)
}

/// The cross product of 3-vectors along `axis` (Python: `mx.linalg.cross`, default
/// `axis = -1`). Runs on any device.
///
/// # Errors
/// MLX's error when the size of `axis` is not 3 in both inputs.
///
/// # Examples
/// ```
/// use mlxrs::{Array, linalg::cross};
/// let x = Array::from_slice(&[1.0f32, 0.0, 0.0], &[3])?;
/// let y = Array::from_slice(&[0.0f32, 1.0, 0.0], &[3])?;
/// assert_eq!(cross(&x, &y, -1)?.to_vec::<f32>()?, [0.0, 0.0, 1.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn cross(a: &Array, b: &Array, axis: i32) -> Result<Array> {
    mlx_op!(mlx_linalg_cross(
        a.as_raw(),
        b.as_raw(),
        axis,
        current_raw()?
    ))
}
