//! Random sampling (`mx.random`), with explicit or implicit keys.
//!
//! MLX's generator is counter based: a **key** (a `uint32` array of shape `[2]`, from
//! [`key`]) fully determines the numbers drawn with it, so the same key always gives the
//! same sample, and [`split`] derives independent keys from one. Every sampler takes
//! `key: Option<&Array>`, Python's `key=None`: with `None` it draws from MLX's global
//! generator state (process-wide, advanced by each draw, reset by [`seed`]).
//!
//! ```
//! use mlxrs::{Dtype, random};
//! let k = random::key(7)?;
//! let a = random::normal(&[3], Dtype::Float32, 0.0, 1.0, Some(&k))?;
//! let b = random::normal(&[3], Dtype::Float32, 0.0, 1.0, Some(&k))?;
//! assert_eq!(a.to_vec::<f32>()?, b.to_vec::<f32>()?); // same key, same numbers
//!
//! let keys = random::split(&k, 2)?; // shape [2, 2]: two new keys, one per row
//! assert_eq!(keys.shape(), &[2, 2]);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use crate::ffi::{mlx_call, mlx_op, opt_array};
use crate::stream::current_raw;
use crate::{Array, Dtype, Result, Shape};

/// Seeds MLX's global generator (Python: `mx.random.seed`): the draws with `key: None`
/// that follow are reproducible. Process-wide state, shared by all threads.
///
/// # Errors
/// Only if mlx-c reports a failure.
pub fn seed(seed: u64) -> Result<()> {
    mlx_call!(mlx_random_seed(seed))
}

/// A new key from `seed` (Python: `mx.random.key`): a `uint32` array of shape `[2]`.
///
/// # Errors
/// Only if mlx-c reports a failure.
///
/// # Examples
/// ```
/// let k = mlxrs::random::key(0)?;
/// assert_eq!((k.shape(), k.dtype()), (&[2][..], mlxrs::Dtype::Uint32));
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn key(seed: u64) -> Result<Array> {
    mlx_op!(mlx_random_key(seed))
}

/// `num` new keys derived from `key` (Python: `mx.random.split`), as the rows of a
/// `[num, 2]` array.
///
/// # Errors
/// MLX's error when `key` is not a key.
pub fn split(key: &Array, num: i32) -> Result<Array> {
    mlx_op!(mlx_random_split_num(key.as_raw(), num, current_raw()?))
}

/// Two new keys derived from `key`: the rows of [`split`]`(key, 2)` as separate arrays.
///
/// # Errors
/// MLX's error when `key` is not a key.
///
/// # Examples
/// ```
/// use mlxrs::random::{key, split, split_pair};
/// let k = key(3)?;
/// let (a, b) = split_pair(&k)?;
/// let rows = split(&k, 2)?.to_vec::<u32>()?;
/// assert_eq!([a.to_vec::<u32>()?, b.to_vec::<u32>()?].concat(), rows);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn split_pair(key: &Array) -> Result<(Array, Array)> {
    let mut first = Array::empty();
    let mut second = Array::empty();
    mlx_call!(mlx_random_split(
        first.as_out(),
        second.as_out(),
        key.as_raw(),
        current_raw()?
    ))?;
    Ok((first, second))
}

/// Random bits (Python: `mx.random.bits`): unsigned integers of `width` bytes (1, 2 or
/// 4, giving `uint8`, `uint16` or `uint32`), uniform over all values.
///
/// # Errors
/// MLX's error for another `width`;
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize` dimension of
/// `shape` does not fit in `i32`.
pub fn bits(shape: impl Shape, width: i32, key: Option<&Array>) -> Result<Array> {
    let dims = shape.dims()?;
    mlx_op!(mlx_random_bits(
        dims.as_ptr(),
        dims.len(),
        width,
        opt_array(key),
        current_raw()?
    ))
}

/// Uniform samples in `[low, high)` (Python: `mx.random.uniform`; Python's defaults are
/// `0`, `1` and `float32`). `low` and `high` broadcast to `shape`.
///
/// # Errors
/// MLX's error when `low`/`high` do not broadcast to `shape` or `dtype` is not a
/// floating-point type; [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a
/// `usize` dimension of `shape` does not fit in `i32`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, random};
/// let k = random::key(1)?;
/// let u = random::uniform(&Array::from(2.0f32), &Array::from(3.0f32), &[100], Dtype::Float32, Some(&k))?;
/// assert!(u.to_vec::<f32>()?.iter().all(|&x| (2.0..3.0).contains(&x)));
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn uniform(
    low: &Array,
    high: &Array,
    shape: impl Shape,
    dtype: Dtype,
    key: Option<&Array>,
) -> Result<Array> {
    let dims = shape.dims()?;
    mlx_op!(mlx_random_uniform(
        low.as_raw(),
        high.as_raw(),
        dims.as_ptr(),
        dims.len(),
        dtype.to_sys(),
        opt_array(key),
        current_raw()?
    ))
}

/// `pub fn name(shape, dtype, loc, scale, key)` over `mlx_random_name`: a
/// location-scale distribution with scalar parameters.
macro_rules! loc_scale {
    ($($(#[$m:meta])* $name:ident => $sys:ident;)*) => {$(
        $(#[$m])*
        ///
        /// # Errors
        /// MLX's error when `dtype` is not a floating-point type;
        /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize`
        /// dimension of `shape` does not fit in `i32`.
        pub fn $name(
            shape: impl Shape,
            dtype: Dtype,
            loc: f32,
            scale: f32,
            key: Option<&Array>,
        ) -> Result<Array> {
            let dims = shape.dims()?;
            mlx_op!($sys(
                dims.as_ptr(),
                dims.len(),
                dtype.to_sys(),
                loc,
                scale,
                opt_array(key),
                current_raw()?
            ))
        }
    )*};
}

loc_scale! {
    /// Normal samples with mean `loc` and standard deviation `scale` (Python:
    /// `mx.random.normal` with scalar `loc`/`scale`; defaults `0` and `1`).
    normal => mlx_random_normal;
    /// Samples of the Laplace distribution with location `loc` and scale `scale` (Python:
    /// `mx.random.laplace`; defaults `0` and `1`).
    laplace => mlx_random_laplace;
}

/// Normal samples with array-valued mean `loc` and standard deviation `scale`, each
/// broadcast to `shape` (`None`: 0 and 1) (Python: `mx.random.normal` with array
/// `loc`/`scale`).
///
/// # Errors
/// MLX's error when `loc`/`scale` do not broadcast to `shape`, or `dtype` is not a
/// floating-point type; [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a
/// `usize` dimension of `shape` does not fit in `i32`.
pub fn normal_broadcast(
    shape: impl Shape,
    dtype: Dtype,
    loc: Option<&Array>,
    scale: Option<&Array>,
    key: Option<&Array>,
) -> Result<Array> {
    let dims = shape.dims()?;
    mlx_op!(mlx_random_normal_broadcast(
        dims.as_ptr(),
        dims.len(),
        dtype.to_sys(),
        opt_array(loc),
        opt_array(scale),
        opt_array(key),
        current_raw()?
    ))
}

/// Samples of a multivariate normal distribution with mean `mean` (`[..., n]`) and
/// covariance `cov` (`[..., n, n]`, positive semi-definite) (Python:
/// `mx.random.multivariate_normal`); the result has shape `shape + [n]`. Uses an SVD of
/// `cov`, so it runs on the CPU only.
///
/// # Errors
/// MLX's error for incompatible shapes, a non-`float32` `dtype`, or a GPU stream;
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize` dimension of
/// `shape` does not fit in `i32`.
pub fn multivariate_normal(
    mean: &Array,
    cov: &Array,
    shape: impl Shape,
    dtype: Dtype,
    key: Option<&Array>,
) -> Result<Array> {
    let dims = shape.dims()?;
    mlx_op!(mlx_random_multivariate_normal(
        mean.as_raw(),
        cov.as_raw(),
        dims.as_ptr(),
        dims.len(),
        dtype.to_sys(),
        opt_array(key),
        current_raw()?
    ))
}

/// Uniform random integers in `[low, high)` (Python: `mx.random.randint`; default dtype
/// `int32`). `low` and `high` broadcast to `shape`.
///
/// # Errors
/// MLX's error when `low`/`high` do not broadcast to `shape`, or `dtype` is not an
/// integer type; [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize`
/// dimension of `shape` does not fit in `i32`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, random};
/// let k = random::key(5)?;
/// let d = random::randint(&Array::from(1i32), &Array::from(7i32), &[50], Dtype::Int32, Some(&k))?;
/// assert!(d.to_vec::<i32>()?.iter().all(|x| (1..7).contains(x)));
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn randint(
    low: &Array,
    high: &Array,
    shape: impl Shape,
    dtype: Dtype,
    key: Option<&Array>,
) -> Result<Array> {
    let dims = shape.dims()?;
    mlx_op!(mlx_random_randint(
        low.as_raw(),
        high.as_raw(),
        dims.as_ptr(),
        dims.len(),
        dtype.to_sys(),
        opt_array(key),
        current_raw()?
    ))
}

/// Bernoulli samples (`bool`): `true` with probability `p` (Python:
/// `mx.random.bernoulli`). `shape: None` uses the shape of `p`.
///
/// # Errors
/// MLX's error when `p` does not broadcast to `shape`.
pub fn bernoulli(p: &Array, shape: Option<&[i32]>, key: Option<&Array>) -> Result<Array> {
    let dims = shape.unwrap_or_else(|| p.shape()).to_vec();
    mlx_op!(mlx_random_bernoulli(
        p.as_raw(),
        dims.as_ptr(),
        dims.len(),
        opt_array(key),
        current_raw()?
    ))
}

/// The broadcast of two shapes, or `None` when they do not broadcast.
fn broadcast_shapes(a: &[i32], b: &[i32]) -> Option<Vec<i32>> {
    let n = a.len().max(b.len());
    let dim = |s: &[i32], i: usize| {
        let pad = n - s.len();
        if i < pad { 1 } else { s[i - pad] }
    };
    (0..n)
        .map(|i| match (dim(a, i), dim(b, i)) {
            (x, y) if x == y || y == 1 => Some(x),
            (1, y) => Some(y),
            _ => None,
        })
        .collect()
}

/// Normal samples truncated to `[lower, upper]` (Python: `mx.random.truncated_normal`).
/// `shape: None` uses the broadcast shape of `lower` and `upper`.
///
/// # Errors
/// MLX's error when the bounds do not broadcast (to each other or to `shape`), or
/// `dtype` is not a floating-point type.
pub fn truncated_normal(
    lower: &Array,
    upper: &Array,
    shape: Option<&[i32]>,
    dtype: Dtype,
    key: Option<&Array>,
) -> Result<Array> {
    let dims = match shape {
        Some(s) => s.to_vec(),
        // Shapes that do not broadcast: pass one, and MLX reports the mismatch.
        None => {
            broadcast_shapes(lower.shape(), upper.shape()).unwrap_or_else(|| lower.shape().to_vec())
        }
    };
    mlx_op!(mlx_random_truncated_normal(
        lower.as_raw(),
        upper.as_raw(),
        dims.as_ptr(),
        dims.len(),
        dtype.to_sys(),
        opt_array(key),
        current_raw()?
    ))
}

/// Samples of the standard Gumbel distribution (Python: `mx.random.gumbel`).
///
/// # Errors
/// MLX's error when `dtype` is not a floating-point type;
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when a `usize` dimension of
/// `shape` does not fit in `i32`.
pub fn gumbel(shape: impl Shape, dtype: Dtype, key: Option<&Array>) -> Result<Array> {
    let dims = shape.dims()?;
    mlx_op!(mlx_random_gumbel(
        dims.as_ptr(),
        dims.len(),
        dtype.to_sys(),
        opt_array(key),
        current_raw()?
    ))
}

/// Samples from the categorical distributions given by unnormalized log-probabilities
/// `logits` along `axis` (Python: `mx.random.categorical`, default `axis = -1`): indices
/// (`uint32`). By default one sample per distribution; `shape` gives the output shape
/// instead (it must broadcast with the distributions' shape), or `num_samples` draws that
/// many per distribution (as a new last axis). At most one of the two may be given.
///
/// # Errors
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `num_samples` when
/// both `shape` and `num_samples` are given; MLX's error for a bad axis or shape.
///
/// # Examples
/// ```
/// use mlxrs::{Array, random};
/// // All the mass on index 2.
/// let logits = Array::from_slice(&[f32::NEG_INFINITY, f32::NEG_INFINITY, 0.0], &[3])?;
/// let s = random::categorical(&logits, -1, None, Some(4), Some(&random::key(0)?))?;
/// assert_eq!(s.to_vec::<u32>()?, [2, 2, 2, 2]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn categorical(
    logits: &Array,
    axis: i32,
    shape: Option<&[i32]>,
    num_samples: Option<i32>,
    key: Option<&Array>,
) -> Result<Array> {
    let mut out = Array::empty();
    match (shape, num_samples) {
        (Some(_), Some(_)) => {
            return Err(crate::Error::invalid(
                "num_samples",
                "categorical: at most one of `shape` and `num_samples` may be given, got both",
            ));
        }
        (Some(shape), None) => mlx_call!(mlx_random_categorical_shape(
            out.as_out(),
            logits.as_raw(),
            axis,
            shape.as_ptr(),
            shape.len(),
            opt_array(key),
            current_raw()?
        ))?,
        (None, Some(n)) => mlx_call!(mlx_random_categorical_num_samples(
            out.as_out(),
            logits.as_raw(),
            axis,
            n,
            opt_array(key),
            current_raw()?
        ))?,
        (None, None) => mlx_call!(mlx_random_categorical(
            out.as_out(),
            logits.as_raw(),
            axis,
            opt_array(key),
            current_raw()?
        ))?,
    }
    Ok(out)
}

/// `x` shuffled along `axis` (Python: `mx.random.permutation` with an array; default
/// `axis = 0`).
///
/// # Errors
/// MLX's error for an invalid axis.
pub fn permutation(x: &Array, axis: i32, key: Option<&Array>) -> Result<Array> {
    crate::ops::guards::named(
        "permutation",
        mlx_op!(mlx_random_permutation(
            x.as_raw(),
            axis,
            opt_array(key),
            current_raw()?
        )),
    )
    .and_then(crate::ops::guards::skip_kernel_if_empty)
}

/// A random permutation of `0..n` (Python: `mx.random.permutation` with an integer), as
/// `uint32`.
///
/// # Errors
/// MLX's error for a negative `n`.
///
/// # Examples
/// ```
/// let mut p = mlxrs::random::permutation_arange(5, Some(&mlxrs::random::key(9)?))?.to_vec::<u32>()?;
/// p.sort();
/// assert_eq!(p, [0, 1, 2, 3, 4]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn permutation_arange(n: i32, key: Option<&Array>) -> Result<Array> {
    mlx_op!(mlx_random_permutation_arange(
        n,
        opt_array(key),
        current_raw()?
    ))
    .and_then(crate::ops::guards::skip_kernel_if_empty)
}

#[cfg(test)]
mod tests {
    use super::broadcast_shapes;

    #[test]
    fn shapes_broadcast_like_numpy() {
        assert_eq!(broadcast_shapes(&[3, 1], &[4]), Some(vec![3, 4]));
        assert_eq!(broadcast_shapes(&[], &[2, 2]), Some(vec![2, 2]));
        assert_eq!(broadcast_shapes(&[2], &[3]), None);
    }
}
