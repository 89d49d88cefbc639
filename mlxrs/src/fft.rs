//! Discrete Fourier transforms (`mx.fft`).
//!
//! One-dimensional transforms take an optional length `n` and an `axis` (Python's
//! defaults: `None` and `-1`); multi-dimensional ones take optional sizes `s` and axes
//! `axes`. A size smaller than the input truncates it, a larger one pads it with zeros;
//! `None` keeps the input's sizes (for the inverse real transforms: `2 (m - 1)` along the
//! last axis, `m` being the input's size there). Every transform takes a
//! [`FftNorm`], Python's `norm` argument (`"backward"` by default).
//!
//! Complex results are `complex64` ([`Complex64`](crate::Complex64)); real inputs to the
//! complex transforms are converted.
//!
//! ```
//! use mlxrs::{Array, Complex64, fft::{self, FftNorm}};
//! let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[4])?;
//! let y = fft::rfft(&x, None, -1, FftNorm::Backward)?;
//! let c = y.to_vec::<Complex64>()?;
//! assert_eq!((c[0].re, c[0].im), (10.0, 0.0));
//! assert_eq!((c[1].re, c[1].im), (-2.0, 2.0));
//! // And back.
//! let back = fft::irfft(&y, None, -1, FftNorm::Backward)?;
//! assert_eq!(back.to_vec::<f32>()?, [1.0, 2.0, 3.0, 4.0]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use crate::ffi::mlx_op;
use crate::stream::current_raw;
use crate::{Array, Error, Result};

/// The normalization of a transform, Python's `norm` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FftNorm {
    /// No scaling forward, `1/n` on the inverse (`"backward"`, the default).
    #[default]
    Backward,
    /// `1/sqrt(n)` both ways (`"ortho"`).
    Ortho,
    /// `1/n` forward, no scaling on the inverse (`"forward"`).
    Forward,
}

/// `axis` made non-negative, if it is valid for `a`.
fn resolve(a: &Array, axis: i32) -> Option<usize> {
    let ndim = a.ndim() as i64;
    let ax = if axis < 0 {
        axis as i64 + ndim
    } else {
        axis as i64
    };
    (0..ndim).contains(&ax).then_some(ax as usize)
}

/// The size of `axis` in `a`, or 1 where `axis` is invalid (MLX then reports the axis).
fn size_along(a: &Array, axis: i32) -> i32 {
    resolve(a, axis).map_or(1, |i| a.shape()[i])
}

/// Python's default `n` for a 1-D transform.
fn default_n(a: &Array, n: Option<i32>, axis: i32, inverse_real: bool) -> i32 {
    n.unwrap_or_else(|| {
        let m = size_along(a, axis);
        if inverse_real { 2 * (m - 1) } else { m }
    })
}

/// Python's defaults for `s` and `axes` of an n-D transform: all axes (`default_axes`
/// `None`) or the given ones; sizes from the input (last one `2 (m - 1)` for inverse real
/// transforms).
fn default_s_axes(
    name: &'static str,
    a: &Array,
    s: Option<&[i32]>,
    axes: Option<&[i32]>,
    inverse_real: bool,
) -> Result<(Vec<i32>, Vec<i32>)> {
    let axes: Vec<i32> = match (axes, s) {
        (Some(axes), _) => axes.to_vec(),
        (None, None) => (0..a.ndim() as i32).collect(),
        (None, Some(_)) => {
            return Err(Error::invalid(
                "axes",
                format!("{name} needs `axes` when `s` is given, got None"),
            ));
        }
    };
    let s = match s {
        Some(s) => s.to_vec(),
        None => {
            let mut s: Vec<i32> = axes.iter().map(|&ax| size_along(a, ax)).collect();
            if let (true, Some(last)) = (inverse_real, s.last_mut()) {
                *last = 2 * (*last - 1);
            }
            s
        }
    };
    Ok((s, axes))
}

macro_rules! fft_1d {
    ($($(#[$m:meta])* $name:ident => $sys:ident, $inverse_real:expr;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// MLX's error for an invalid `axis`, a non-positive `n`, or a 0-dimensional input.
        pub fn $name(a: &Array, n: Option<i32>, axis: i32, norm: FftNorm) -> Result<Array> {
            let n = default_n(a, n, axis, $inverse_real);
            mlx_op!($sys(a.as_raw(), n, axis, norm.to_sys(), current_raw()?))
        }
    )*};
}

macro_rules! fft_nd {
    ($($(#[$m:meta])* $name:ident => $sys:ident, $inverse_real:expr;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// MLX's error for invalid or repeated axes, sizes that are not positive or do not
        /// match `axes` in number; [`Error::InvalidArgument`] naming `axes` when `s` is
        /// given without `axes`.
        pub fn $name(a: &Array, s: Option<&[i32]>, axes: Option<&[i32]>, norm: FftNorm) -> Result<Array> {
            let (s, axes) = default_s_axes(stringify!($name), a, s, axes, $inverse_real)?;
            mlx_op!($sys(a.as_raw(),
                s.as_ptr(),
                s.len(),
                axes.as_ptr(),
                axes.len(),
                norm.to_sys(),
                current_raw()?))
        }
    )*};
}

macro_rules! fft_2d {
    ($($(#[$m:meta])* $name:ident => $sys:ident, $inverse_real:expr;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// MLX's error for invalid or repeated axes, or sizes that are not positive or do
        /// not match `axes` in number.
        pub fn $name(a: &Array, s: Option<&[i32]>, axes: &[i32], norm: FftNorm) -> Result<Array> {
            let (s, axes) = default_s_axes(stringify!($name), a, s, Some(axes), $inverse_real)?;
            mlx_op!($sys(a.as_raw(),
                s.as_ptr(),
                s.len(),
                axes.as_ptr(),
                axes.len(),
                norm.to_sys(),
                current_raw()?))
        }
    )*};
}

fft_1d! {
    /// The one-dimensional discrete Fourier transform along `axis` (Python:
    /// `mx.fft.fft`); `n` truncates or zero-pads that axis.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, Complex64, fft::{fft, FftNorm}};
    /// let x = Array::from_slice(&[1.0f32, 0.0, -1.0, 0.0], &[4])?;
    /// let y = fft(&x, None, -1, FftNorm::Backward)?.to_vec::<Complex64>()?;
    /// assert_eq!(y.iter().map(|c| c.re).collect::<Vec<_>>(), [0.0, 2.0, 0.0, 2.0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    fft => mlx_fft_fft, false;
    /// The inverse of [`fft`] (Python: `mx.fft.ifft`).
    ifft => mlx_fft_ifft, false;
    /// The discrete Fourier transform of a real input (Python: `mx.fft.rfft`): only the
    /// `n / 2 + 1` non-negative frequencies.
    rfft => mlx_fft_rfft, false;
    /// The inverse of [`rfft`] (Python: `mx.fft.irfft`): `n` is the length of the real
    /// output, `2 (m - 1)` by default for an input of length `m` along `axis`.
    irfft => mlx_fft_irfft, true;
}

fft_2d! {
    /// The two-dimensional discrete Fourier transform (Python: `mx.fft.fft2`; pass
    /// `&[-2, -1]` for Python's default `axes`).
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, Complex64, fft::{fft2, FftNorm}};
    /// let x = Array::from_slice(&[1.0f32, 1.0, 1.0, 1.0], &[2, 2])?;
    /// let y = fft2(&x, None, &[-2, -1], FftNorm::Backward)?.to_vec::<Complex64>()?;
    /// assert_eq!(y.iter().map(|c| c.re).collect::<Vec<_>>(), [4.0, 0.0, 0.0, 0.0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    fft2 => mlx_fft_fft2, false;
    /// The inverse of [`fft2`] (Python: `mx.fft.ifft2`).
    ifft2 => mlx_fft_ifft2, false;
    /// The two-dimensional transform of a real input (Python: `mx.fft.rfft2`); the last
    /// axis keeps its non-negative frequencies only.
    rfft2 => mlx_fft_rfft2, false;
    /// The inverse of [`rfft2`] (Python: `mx.fft.irfft2`).
    irfft2 => mlx_fft_irfft2, true;
}

fft_nd! {
    /// The n-dimensional discrete Fourier transform (Python: `mx.fft.fftn`) over `axes`
    /// (`None`: all of them).
    fftn => mlx_fft_fftn, false;
    /// The inverse of [`fftn`] (Python: `mx.fft.ifftn`).
    ifftn => mlx_fft_ifftn, false;
    /// The n-dimensional transform of a real input (Python: `mx.fft.rfftn`); the last
    /// axis keeps its non-negative frequencies only.
    rfftn => mlx_fft_rfftn, false;
    /// The inverse of [`rfftn`] (Python: `mx.fft.irfftn`).
    irfftn => mlx_fft_irfftn, true;
}

/// The sample frequencies of a length-`n` transform with sample spacing `d` (Python:
/// `mx.fft.fftfreq`, default `d = 1.0`): `[0, 1, ..., n/2 - 1, -n/2, ..., -1] / (d n)`
/// for even `n`, as `float32`.
///
/// # Errors
/// MLX's error for a non-positive `n`.
///
/// # Examples
/// ```
/// let f = mlxrs::fft::fftfreq(4, 1.0)?;
/// assert_eq!(f.to_vec::<f32>()?, [0.0, 0.25, -0.5, -0.25]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn fftfreq(n: i32, d: f64) -> Result<Array> {
    mlx_op!(mlx_fft_fftfreq(n, d, current_raw()?))
}

/// The non-negative sample frequencies of a length-`n` real transform (Python:
/// `mx.fft.rfftfreq`): `[0, 1, ..., n/2] / (d n)`, as `float32`.
///
/// # Errors
/// MLX's error for a non-positive `n`.
pub fn rfftfreq(n: i32, d: f64) -> Result<Array> {
    mlx_op!(mlx_fft_rfftfreq(n, d, current_raw()?))
}

fn all_axes(a: &Array, axes: Option<&[i32]>) -> Vec<i32> {
    axes.map_or_else(|| (0..a.ndim() as i32).collect(), <[i32]>::to_vec)
}

/// Moves the zero-frequency term to the center, rolling each of `axes` (`None`: all) by
/// half its size (Python: `mx.fft.fftshift`).
///
/// # Errors
/// MLX's error for an invalid axis.
///
/// # Examples
/// ```
/// use mlxrs::{Array, fft::{fftshift, ifftshift}};
/// let x = Array::from_slice(&[0i32, 1, 2, 3, 4], &[5])?;
/// assert_eq!(fftshift(&x, None)?.to_vec::<i32>()?, [3, 4, 0, 1, 2]);
/// assert_eq!(ifftshift(&x, None)?.to_vec::<i32>()?, [2, 3, 4, 0, 1]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn fftshift(a: &Array, axes: Option<&[i32]>) -> Result<Array> {
    let axes = all_axes(a, axes);
    mlx_op!(mlx_fft_fftshift(
        a.as_raw(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))
}

/// The inverse of [`fftshift`] (Python: `mx.fft.ifftshift`); the two differ for odd
/// sizes.
///
/// # Errors
/// MLX's error for an invalid axis.
pub fn ifftshift(a: &Array, axes: Option<&[i32]>) -> Result<Array> {
    let axes = all_axes(a, axes);
    mlx_op!(mlx_fft_ifftshift(
        a.as_raw(),
        axes.as_ptr(),
        axes.len(),
        current_raw()?
    ))
}
