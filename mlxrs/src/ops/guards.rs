//! The guards MLX 0.32.2 lacks, in one place for every op: index arrays kept inside
//! their axes (an out-of-range entry reads or writes outside the buffer), and empty
//! results that skip kernels dividing by a zero extent (SIGFPE). The public contract is
//! documented on [`ops::indexing`](super::indexing); the ops call these helpers.

use crate::{Array, Dtype, Error, Result};

/// `result`, with an MLX message that names no routine (MLX's axis checks say "Invalid
/// axis 2 for array with 2 dimensions.", a 0-d `argmax` with `keepdims` says "cannot
/// create std::vector larger than max_size()") prefixed with `[op] `, as MLX's own
/// messages are.
pub(crate) fn named<T>(op: &str, result: Result<T>) -> Result<T> {
    result.map_err(|e| match e {
        Error::Backend(msg) if !msg.starts_with('[') => Error::Backend(format!("[{op}] {msg}")),
        e => e,
    })
}

/// `axis` of `a` as a position (negative counts from the end); `None` out of range.
pub(crate) fn axis_index(a: &Array, axis: i32) -> Option<usize> {
    let ndim = i32::try_from(a.ndim()).ok()?;
    let axis = if axis < 0 { axis + ndim } else { axis };
    (0..ndim).contains(&axis).then_some(axis as usize)
}

/// The size of `a`'s axis `axis`; `None` out of range.
pub(crate) fn axis_size(a: &Array, axis: i32) -> Option<i32> {
    axis_index(a, axis).map(|k| a.shape()[k])
}

/// Whether every entry of an *evaluated* integer `indices` lies in
/// `[lows[k], highs[k]]`, where `k` is its position along the last axis when there are
/// several bounds (a `start` vector), else 0. `false` when the data is not evaluated yet
/// or not row-contiguous, or has more than `HOST_SCAN_MAX` entries: the check then
/// happens in the graph. A host scan costs about a nanosecond per entry; an op in the
/// graph costs microseconds of scheduling per eval.
pub(crate) fn host_within(indices: &Array, lows: &[i64], highs: &[i64]) -> bool {
    fn scan<T: crate::ArrayElement + Copy + Into<i128>>(
        a: &Array,
        lows: &[i64],
        highs: &[i64],
    ) -> bool {
        a.as_slice::<T>().is_ok_and(|values| {
            values.iter().enumerate().all(|(j, &v)| {
                let k = j % lows.len();
                (i128::from(lows[k])..=i128::from(highs[k])).contains(&v.into())
            })
        })
    }
    // Large index arrays take the graph op: its cost is small next to the gather itself,
    // and a host scan would pull a GPU array's data to the CPU.
    const HOST_SCAN_MAX: usize = 1 << 14;
    if lows.is_empty()
        || lows.len() != highs.len()
        || indices.size() > HOST_SCAN_MAX
        || !indices.is_available()
    {
        return false;
    }
    match indices.dtype() {
        Dtype::Int32 => scan::<i32>(indices, lows, highs),
        Dtype::Int64 => scan::<i64>(indices, lows, highs),
        Dtype::Uint32 => scan::<u32>(indices, lows, highs),
        Dtype::Uint64 => scan::<u64>(indices, lows, highs),
        Dtype::Int16 => scan::<i16>(indices, lows, highs),
        Dtype::Uint16 => scan::<u16>(indices, lows, highs),
        Dtype::Int8 => scan::<i8>(indices, lows, highs),
        Dtype::Uint8 => scan::<u8>(indices, lows, highs),
        _ => false,
    }
}

/// `indices` made safe for MLX (see the module docs): entries per position `k` of the
/// last axis when `dims` has several entries (a `start` vector), else all entries, are
/// wrapped from the end of `[0, dims[k])` and clamped to `[0, dims[k] - windows[k]]`.
/// Non-integer indices, and blocks that do not fit at all, are left for MLX to reject.
pub(crate) fn in_bounds(indices: &Array, dims: &[i32], windows: &[i32]) -> Result<Array> {
    let fits = dims.len() == windows.len()
        && !dims.is_empty()
        && dims
            .iter()
            .zip(windows)
            .all(|(&d, &w)| d > 0 && (0..=d).contains(&w));
    if !indices.dtype().is_integer() || !fits {
        return Ok(indices.clone());
    }
    let highest: Vec<i32> = dims.iter().zip(windows).map(|(d, w)| d - w).collect();
    // Evaluated starts already inside `[0, highest]` (negative ones are not: MLX wraps
    // them for some of these ops and not for others) need no op in the graph.
    let highs: Vec<i64> = highest.iter().map(|&h| i64::from(h)).collect();
    if host_within(indices, &vec![0; dims.len()], &highs) {
        return Ok(indices.clone());
    }
    let i = match indices.dtype() {
        Dtype::Int32 => indices.clone(),
        _ => indices.astype(Dtype::Int32)?,
    };
    let (dim, high) = if dims.len() == 1 {
        (Array::from(dims[0]), Array::from(highest[0]))
    } else {
        (
            Array::from_slice(dims, &[dims.len()])?,
            Array::from_slice(&highest, &[highest.len()])?,
        )
    };
    let zero = Array::from(0i32);
    let wrapped = super::indexing::r#where(&super::less(&i, &zero)?, &super::add(&i, &dim)?, &i)?;
    super::clip(&wrapped, Some(&zero), Some(&high))
}

/// The cheap form of [`in_bounds`] for single elements, for MLX's gather and scatter
/// kernels (which wrap a negative entry themselves): entries are taken modulo `n`, one
/// elementwise op, and none where the index dtype cannot hold an out-of-range value or
/// an evaluated index array is in range already.
/// Valid entries, negative ones included, keep their meaning; an out-of-range one wraps
/// around (NumPy's `mode="wrap"`).
pub(crate) fn wrap_index(indices: &Array, n: i32) -> Result<Array> {
    let d = indices.dtype();
    if !d.is_integer() || n <= 0 {
        return Ok(indices.clone());
    }
    let (lowest, highest): (i128, i128) = match d {
        Dtype::Uint8 => (0, u8::MAX.into()),
        Dtype::Uint16 => (0, u16::MAX.into()),
        Dtype::Uint32 => (0, u32::MAX.into()),
        Dtype::Uint64 => (0, u64::MAX.into()),
        Dtype::Int8 => (i8::MIN.into(), i8::MAX.into()),
        Dtype::Int16 => (i16::MIN.into(), i16::MAX.into()),
        Dtype::Int32 => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    };
    if lowest >= i128::from(-n) && highest < i128::from(n)
        || host_within(indices, &[i64::from(-n)], &[i64::from(n) - 1])
    {
        return Ok(indices.clone());
    }
    // `n` fits the dtype here (its range reaches past `n - 1`); Python-style remainder
    // by a positive constant lands in `[0, n)` and cannot divide by zero.
    super::arithmetic::remainder_raw(indices, &Array::from(n).astype(d)?)
}

/// One index array along `axis` of `a`, one element at a time, kept in bounds; an
/// `Err` naming `op` when that axis is empty and there are indices (no entry can be in
/// bounds: MLX 0.32 reads or writes outside the buffer for `take_along_axis`,
/// `put_along_axis` and `scatter_add_axis`).
pub(crate) fn along(op: &'static str, a: &Array, indices: &Array, axis: i32) -> Result<Array> {
    match axis_size(a, axis) {
        Some(0) if indices.size() > 0 => Err(Error::ShapeMismatch {
            op,
            reason: format!(
                "axis {axis} of the array of shape {:?} is empty; there is nothing to index",
                a.shape()
            ),
        }),
        Some(n) => wrap_index(indices, n),
        None => Ok(indices.clone()),
    }
}

/// [`in_bounds`] for the optional batch indices of `gather_mm`/`gather_qmm`: entries
/// pick one of the matrices stacked in the leading axes of `of` (MLX reads outside the
/// buffer for an out-of-range one, or a negative one).
pub(crate) fn batch_in_bounds(indices: Option<&Array>, of: &Array) -> Result<Option<Array>> {
    let Some(indices) = indices else {
        return Ok(None);
    };
    let lead = of.shape().len().saturating_sub(2);
    let batch: i64 = of.shape()[..lead].iter().map(|&d| i64::from(d)).product();
    match i32::try_from(batch) {
        Ok(n) => in_bounds(indices, &[n], &[1]).map(Some),
        Err(_) => Ok(Some(indices.clone())),
    }
}

/// The block extent along `axis` of `a` of a scatter whose `updates` are
/// `index shape ++ block` (one block dimension per axis of `a`).
pub(crate) fn scatter_window(a: &Array, updates: &Array, axis: usize) -> Option<i32> {
    let lead = updates.ndim().checked_sub(a.ndim())?;
    updates.shape().get(lead + axis).copied()
}

/// The block extent along `axis` of a gather or dynamic slice with `slice_sizes` (one
/// per axis of `a`).
pub(crate) fn gather_window(a: &Array, slice_sizes: &[i32], axis: usize) -> Option<i32> {
    (slice_sizes.len() == a.ndim()).then(|| slice_sizes[axis])
}

/// [`in_bounds`] for the index arrays of a gather or scatter: `indices[k]` indexes
/// `axes[k]` of `a`, starting blocks of `window(axis position)` elements.
pub(crate) fn each_in_bounds(
    a: &Array,
    indices: &[Array],
    axes: &[i32],
    window: impl Fn(usize) -> Option<i32>,
) -> Result<Vec<Array>> {
    indices
        .iter()
        .enumerate()
        .map(|(k, idx)| {
            let axis = axes.get(k).and_then(|&ax| axis_index(a, ax));
            match axis.and_then(|ax| Some((a.shape()[ax], window(ax)?))) {
                Some((n, 1)) => wrap_index(idx, n),
                Some((n, w)) => in_bounds(idx, &[n], &[w]),
                None => Ok(idx.clone()),
            }
        })
        .collect()
}

/// [`in_bounds`] for the `start` vector of a dynamic slice: entry `k` starts a block of
/// `window(axis)` elements along `axes[k]` of `a`.
pub(crate) fn dynamic_start(
    a: &Array,
    start: &Array,
    axes: &[i32],
    window: impl Fn(usize) -> Option<i32>,
) -> Result<Array> {
    let mut dims = Vec::with_capacity(axes.len());
    let mut windows = Vec::with_capacity(axes.len());
    for &axis in axes {
        let Some((n, w)) = axis_index(a, axis).and_then(|k| Some((a.shape()[k], window(k)?)))
        else {
            return Ok(start.clone());
        };
        dims.push(n);
        windows.push(w);
    }
    if start.shape() != [axes.len() as i32] {
        return Ok(start.clone());
    }
    in_bounds(start, &dims, &windows)
}

/// An op's lazy result, replaced by an empty constant of the same shape and dtype when
/// it has no elements. MLX 0.32.2's CPU kernels for sorts, scans, the LU-based linalg
/// ops and permutations divide by a zero extent on empty inputs and kill the process
/// with SIGFPE (Python MLX too); an empty result needs no kernel at all.
pub(crate) fn skip_kernel_if_empty(out: Array) -> Result<Array> {
    if out.size() != 0 {
        return Ok(out);
    }
    Array::zeros(out.shape(), out.dtype())
}
