//! Matrix products and contractions: `matmul`, `addmm`, `tensordot`, `einsum`, the
//! gathered and masked products, `hadamard_transform` and `trace`.
//!
//! Factorizations and solvers live in [`crate::linalg`].
//!
//! ```
//! use mlxrs::{Array, ops::{matmul, outer, tensordot_axis}};
//! let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
//! let v = Array::from_slice(&[1.0f32, 1.0], &[2])?;
//! // A vector operand is treated as a column: the row sums of `a`.
//! assert_eq!(matmul(&a, &v)?.to_vec::<f32>()?, [3.0, 7.0]);
//! assert_eq!(outer(&v, &v)?.to_vec::<f32>()?, [1.0, 1.0, 1.0, 1.0]);
//! // Contracting both axes: the sum of the elementwise product.
//! assert_eq!(tensordot_axis(&a, &a, 2)?.item::<f32>()?, 30.0);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use std::ffi::CString;

use super::binary;
use crate::ffi::VectorArray;
use crate::ffi::{mlx_op, opt_array, opt_float};
use crate::stream::current_raw;
use crate::{Array, Dtype, Error, Result};

binary! {
    /// Matrix product with NumPy's broadcasting rules for batch dimensions.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::{Array, ops::matmul};
    /// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    /// let i = Array::from_slice(&[1.0f32, 0.0, 0.0, 1.0], &[2, 2])?;
    /// assert_eq!(matmul(&a, &i)?.to_vec::<f32>()?, vec![1.0, 2.0, 3.0, 4.0]);
    /// // Shapes are checked when the op is built:
    /// let err = matmul(&a, &Array::zeros(&[3, 2], mlxrs::Dtype::Float32)?).unwrap_err();
    /// assert!(err.to_string().starts_with("[matmul]"));
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    matmul => mlx_matmul;
    /// Inner product over the last axes (the dot product for vectors).
    inner => mlx_inner;
    /// Outer product of two vectors (flattened).
    outer => mlx_outer;
    /// Kronecker product.
    kron => mlx_kron;
}

/// `beta * c + alpha * (a @ b)`, fused.
///
/// Python: `mlx.core.addmm` (defaults `alpha = beta = 1`).
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when the inner dimensions of `a` and `b` differ, `c`
/// does not broadcast to the shape of the product, an input is 0-dimensional, or the
/// dtypes are not floating-point.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::addmm};
/// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
/// let i = Array::from_slice(&[1.0f32, 0.0, 0.0, 1.0], &[2, 2])?;
/// let c = Array::full::<f32>(&[2, 2], 1.0)?;
/// assert_eq!(addmm(&c, &a, &i, 2.0, 1.0)?.to_vec::<f32>()?, [3.0, 5.0, 7.0, 9.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn addmm(c: &Array, a: &Array, b: &Array, alpha: f32, beta: f32) -> Result<Array> {
    mlx_op!(mlx_addmm(
        c.as_raw(),
        a.as_raw(),
        b.as_raw(),
        alpha,
        beta,
        current_raw()?
    ))
}

/// Matrix product with block masking: `a @ b` computed in `block_size × block_size`
/// tiles, where `mask_lhs`/`mask_rhs` mask tiles of the inputs and `mask_out` tiles of
/// the output (boolean masks skip tiles; floating masks scale them).
///
/// Python: `mlx.core.block_masked_mm` (default `block_size` 64; 32 and 64 are supported).
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when the inner dimensions of `a` and `b` differ, an
/// input is 0-dimensional or not floating-point, or a mask does not broadcast to its tile
/// grid.
pub fn block_masked_mm(
    a: &Array,
    b: &Array,
    block_size: i32,
    mask_out: Option<&Array>,
    mask_lhs: Option<&Array>,
    mask_rhs: Option<&Array>,
) -> Result<Array> {
    mlx_op!(mlx_block_masked_mm(
        a.as_raw(),
        b.as_raw(),
        block_size,
        opt_array(mask_out),
        opt_array(mask_lhs),
        opt_array(mask_rhs),
        current_raw()?
    ))
}

/// Matrix product with matrix-level gather: `a[lhs_indices] @ b[rhs_indices]`, where the
/// indices are flat positions over the batch dimensions (all but the last two) of `a`
/// and `b` (`None` uses the batch as is). `sorted_indices` promises that the indices
/// are sorted, which allows a faster kernel.
///
/// Python: `mlx.core.gather_mm`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when the inner dimensions of `a` and `b` differ, or
/// an index array is not of an integer dtype or does not fit the batch dimensions.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::gather_mm};
/// let a = Array::ones(&[1, 2, 2], Dtype::Float32)?;
/// let b = Array::from_slice(&[1.0f32, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 2.0], &[2, 2, 2])?;
/// let pick = Array::from_slice(&[1u32, 0], &[2])?;
/// let y = gather_mm(&a, &b, None, Some(&pick), false)?;
/// assert_eq!(y.shape(), &[2, 2, 2]);
/// assert_eq!(y.to_vec::<f32>()?[..4], [2.0, 2.0, 2.0, 2.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn gather_mm(
    a: &Array,
    b: &Array,
    lhs_indices: Option<&Array>,
    rhs_indices: Option<&Array>,
    sorted_indices: bool,
) -> Result<Array> {
    use super::guards::{batch_in_bounds, fail_closed};
    let lhs = batch_in_bounds(lhs_indices, a)?;
    let rhs = batch_in_bounds(rhs_indices, b)?;
    let checked = lhs.and_then(|l| rhs.map(|r| (l, r)));
    let raw = (lhs_indices.cloned(), rhs_indices.cloned());
    fail_closed("gather_mm", checked, raw, |(lhs, rhs)| {
        mlx_op!(mlx_gather_mm(
            a.as_raw(),
            b.as_raw(),
            opt_array(lhs.as_ref()),
            opt_array(rhs.as_ref()),
            sorted_indices,
            current_raw()?
        ))
    })
}

/// Matrix product with the inner dimension split into segments: `segments` has shape
/// `(..., 2)` of `[start, end)` pairs along `a`'s last axis (and `b`'s first), and the
/// result stacks `a[.., s:e] @ b[s:e, ..]` per segment.
///
/// Python: `mlx.core.segmented_mm`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the inner dimensions differ (MLX 0.32 reads `b` past
/// its end then); MLX's error ([`Error::Backend`]) when `segments` is not of an integer
/// dtype or of shape `(..., 2)`, `a` or `b` has batch dimensions, or the dtypes are not
/// floating-point.
///
/// # Examples
/// ```
/// use mlxrs::{Array, Dtype, ops::segmented_mm};
/// let a = Array::arange(0.0, 8.0, 1.0, Dtype::Float32)?.reshape(&[2, 4])?;
/// let b = Array::ones(&[4, 1], Dtype::Float32)?;
/// let seg = Array::from_slice(&[0u32, 2, 2, 4], &[2, 2])?;
/// let y = segmented_mm(&a, &b, &seg)?;
/// assert_eq!(y.shape(), &[2, 2, 1]);
/// assert_eq!(y.to_vec::<f32>()?, [1.0, 9.0, 5.0, 13.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn segmented_mm(a: &Array, b: &Array, segments: &Array) -> Result<Array> {
    // MLX 0.32 does not compare the contracted sizes: a `b` with fewer rows than `a` has
    // columns is read past its end.
    let (ka, kb) = (
        a.shape().last(),
        b.ndim().checked_sub(2).map(|k| b.shape()[k]),
    );
    if let (Some(&ka), Some(kb)) = (ka, kb)
        && ka != kb
    {
        return Err(crate::Error::ShapeMismatch {
            op: "segmented_mm",
            reason: format!(
                "the last dimension of a {:?} must match the second to last of b {:?}",
                a.shape(),
                b.shape()
            ),
        });
    }
    // Segment bounds are positions along the contracted axis, 0 to K inclusive; MLX
    // passes out-of-range ones to BLAS unchecked.
    let checked = match a.shape().last() {
        Some(&k) => super::guards::in_bounds(segments, &[k.into()], &[0])?,
        None => super::guards::in_bounds(segments, &[], &[])?,
    };
    super::guards::fail_closed("segmented_mm", checked, segments.clone(), |s| {
        mlx_op!(mlx_segmented_mm(
            a.as_raw(),
            b.as_raw(),
            s.as_raw(),
            current_raw()?
        ))
    })
}

/// Tensor contraction of `axes_a` of `a` with `axes_b` of `b` (equal lengths).
///
/// Python: `mlx.core.tensordot(a, b, axes=[axes_a, axes_b])`; see [`tensordot_axis`] for
/// the integer form.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `axes_a` and `axes_b` differ in length, or the
/// contracted axes differ in size.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::tensordot};
/// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
/// // Contracting axis 0 with axis 0 is a.T @ a.
/// let c = tensordot(&a, &a, &[0], &[0])?;
/// assert_eq!(c.to_vec::<f32>()?, [10.0, 14.0, 14.0, 20.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn tensordot(a: &Array, b: &Array, axes_a: &[i32], axes_b: &[i32]) -> Result<Array> {
    super::guards::named(
        "tensordot",
        mlx_op!(mlx_tensordot(
            a.as_raw(),
            b.as_raw(),
            axes_a.as_ptr(),
            axes_a.len(),
            axes_b.as_ptr(),
            axes_b.len(),
            current_raw()?
        )),
    )
}

/// Tensor contraction of the last `axis` axes of `a` with the first `axis` axes of `b`.
///
/// Python: `mlx.core.tensordot(a, b, axes=axis)` (Python's default is 2).
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `axis` exceeds the number of dimensions of `a`
/// or `b`, or the contracted axes differ in size.
pub fn tensordot_axis(a: &Array, b: &Array, axis: i32) -> Result<Array> {
    super::guards::named(
        "tensordot",
        mlx_op!(mlx_tensordot_axis(
            a.as_raw(),
            b.as_raw(),
            axis,
            current_raw()?
        )),
    )
}

/// Einstein summation over `operands` as described by `subscripts` (e.g. `"ij,jk->ik"`).
///
/// Python: `mlx.core.einsum`.
///
/// # Errors
/// [`Error::InvalidArgument`] if `subscripts` contains a NUL byte; MLX's error
/// ([`Error::Backend`]) for an invalid equation or operands that do not match it.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::einsum};
/// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
/// let trace = einsum("ii->", &[a.clone()])?;
/// assert_eq!(trace.item::<f32>()?, 5.0);
/// let ab = einsum("ij,jk->ik", &[a.clone(), a])?;
/// assert_eq!(ab.to_vec::<f32>()?, [7.0, 10.0, 15.0, 22.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn einsum(subscripts: &str, operands: &[Array]) -> Result<Array> {
    let subscripts = CString::new(subscripts)
        .map_err(|_| Error::invalid("subscripts", "contains a NUL byte"))?;
    let operands = VectorArray::from_arrays(operands)?;
    mlx_op!(mlx_einsum(
        subscripts.as_ptr(),
        operands.as_raw(),
        current_raw()?
    ))
}

/// The vector dot product along `axis` (`sum(conj(a) * b, axis)`), broadcasting.
///
/// Python: `mlx.core.vecdot` (default `axis = -1`).
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `a` or `b` is 0-dimensional, they differ in size
/// along `axis` or do not broadcast together, or `axis` is out of range.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::vecdot};
/// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
/// assert_eq!(vecdot(&a, &a, -1)?.to_vec::<f32>()?, [5.0, 25.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn vecdot(a: &Array, b: &Array, axis: i32) -> Result<Array> {
    mlx_op!(mlx_vecdot(a.as_raw(), b.as_raw(), axis, current_raw()?))
}

/// Multiplies the last axis of `a` by the Hadamard matrix of its size (a power of two,
/// or 12/20/28 times one), scaled by `scale` (`None`: `1 / sqrt(n)`, orthonormal).
///
/// Python: `mlx.core.hadamard_transform`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) for an empty `a`, or a last axis whose size is not `m
/// * 2^k` with `m` one of 1, 12, 20 and 28.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::hadamard_transform};
/// let a = Array::from_slice(&[1.0f32, 0.0], &[2])?;
/// assert_eq!(hadamard_transform(&a, Some(1.0))?.to_vec::<f32>()?, [1.0, 1.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn hadamard_transform(a: &Array, scale: Option<f32>) -> Result<Array> {
    mlx_op!(mlx_hadamard_transform(
        a.as_raw(),
        opt_float(scale),
        current_raw()?
    ))
}

/// The sum of the main diagonal of a matrix.
///
/// Python: `mlx.core.trace(a)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `a` has fewer than 2 dimensions.
///
/// # Examples
/// ```
/// use mlxrs::{Array, ops::trace};
/// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
/// assert_eq!(trace(&a)?.item::<f32>()?, 5.0);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn trace(a: &Array) -> Result<Array> {
    mlx_op!(mlx_trace(a.as_raw(), current_raw()?))
}

/// The sum of diagonal `offset` of the matrices formed by `axis1` and `axis2`, as
/// `dtype` (`None`: the dtype of `a`).
///
/// Python: `mlx.core.trace(a, offset, axis1, axis2, dtype)`.
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when `a` has fewer than 2 dimensions, or `axis1` and
/// `axis2` are out of range or the same axis.
pub fn trace_axes(
    a: &Array,
    offset: i32,
    axis1: i32,
    axis2: i32,
    dtype: Option<Dtype>,
) -> Result<Array> {
    let dtype = dtype.unwrap_or_else(|| a.dtype());
    mlx_op!(mlx_trace_axes(
        a.as_raw(),
        offset,
        axis1,
        axis2,
        dtype.to_sys(),
        current_raw()?
    ))
}
