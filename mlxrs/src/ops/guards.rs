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

/// Why a guard could not make an index array safe: its window or axis could not be
/// worked out, or the indices are not integers. The op then fails closed (see
/// [`fail_closed`]) rather than handing MLX indices nobody checked.
#[derive(Debug)]
pub(crate) struct Unverified(String);

impl Unverified {
    fn new(reason: impl Into<String>) -> Self {
        Unverified(reason.into())
    }
}

/// A guard's answer: the safe indices, or why they could not be checked.
pub(crate) type Checked<T> = std::result::Result<T, Unverified>;

/// Runs `run` on the guarded indices. When the guard could not check them, the op is
/// built once with the `raw` indices and dropped unevaluated (building runs no kernel),
/// so that MLX can name what is wrong in its own words; if MLX accepts them, the call
/// fails closed with an [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming
/// `op` and `indices`.
pub(crate) fn fail_closed<T>(
    op: &'static str,
    checked: Checked<T>,
    raw: T,
    run: impl FnOnce(T) -> Result<Array>,
) -> Result<Array> {
    match checked {
        Ok(safe) => run(safe),
        Err(Unverified(reason)) => {
            drop(run(raw)?);
            Err(crate::Error::invalid(
                "indices",
                format!("{op}: the indices cannot be bounds-checked: {reason}"),
            ))
        }
    }
}

/// `indices` made safe for MLX (see the module docs): entries per position `k` of the
/// last axis when `dims` has several entries (a `start` vector), else all entries, are
/// wrapped from the end of `[0, dims[k])` and clamped to `[0, dims[k] - windows[k]]`.
/// The arithmetic runs in `int64` when a bound does not fit `int32`. Non-integer
/// indices, and blocks that do not fit their axis, are [`Unverified`]; an empty index
/// array reads nothing and passes as it is.
pub(crate) fn in_bounds(indices: &Array, dims: &[i64], windows: &[i64]) -> Result<Checked<Array>> {
    if indices.size() == 0 {
        return Ok(Ok(indices.clone()));
    }
    if !indices.dtype().is_integer() {
        return Ok(Err(Unverified::new(format!(
            "indices of dtype {} are not integers",
            indices.dtype()
        ))));
    }
    if dims.is_empty() || dims.len() != windows.len() {
        return Ok(Err(Unverified::new(format!(
            "{} axes for {} block sizes",
            dims.len(),
            windows.len()
        ))));
    }
    if let Some((d, w)) = dims
        .iter()
        .zip(windows)
        .find(|&(&d, &w)| !(0..=d).contains(&w))
    {
        return Ok(Err(Unverified::new(format!(
            "a block of {w} does not fit an axis of size {d}"
        ))));
    }
    let highest: Vec<i64> = dims.iter().zip(windows).map(|(d, w)| d - w).collect();
    // Evaluated starts already inside `[0, highest]` (negative ones are not: MLX wraps
    // them for some of these ops and not for others) need no op in the graph.
    if host_within(indices, &vec![0; dims.len()], &highest) {
        return Ok(Ok(indices.clone()));
    }
    let narrow = dims.iter().all(|&d| i32::try_from(d).is_ok());
    let dtype = if narrow { Dtype::Int32 } else { Dtype::Int64 };
    let i = if indices.dtype() == dtype {
        indices.clone()
    } else {
        indices.astype(dtype)?
    };
    let bound = |values: &[i64]| -> Result<Array> {
        let a = if narrow {
            let v: Vec<i32> = values.iter().map(|&x| x as i32).collect();
            Array::from_slice(&v, &[v.len()])?
        } else {
            Array::from_slice(values, &[values.len()])?
        };
        if values.len() == 1 {
            a.reshape(&[] as &[i32])
        } else {
            Ok(a)
        }
    };
    let (dim, high) = (bound(dims)?, bound(&highest)?);
    let zero = Array::from(0i32).astype(dtype)?;
    let wrapped = super::indexing::r#where(&super::less(&i, &zero)?, &super::add(&i, &dim)?, &i)?;
    super::clip(&wrapped, Some(&zero), Some(&high)).map(Ok)
}

/// The cheap form of [`in_bounds`] for single elements, for MLX's gather and scatter
/// kernels (which wrap a negative entry themselves): entries are taken modulo `n`, one
/// elementwise op, and none where the index dtype cannot hold an out-of-range value or
/// an evaluated index array is in range already.
/// Valid entries, negative ones included, keep their meaning; an out-of-range one wraps
/// around (NumPy's `mode="wrap"`). Non-integer indices, and a non-empty index array
/// into an empty axis, are [`Unverified`].
pub(crate) fn wrap_index(indices: &Array, n: i64) -> Result<Checked<Array>> {
    let d = indices.dtype();
    if indices.size() == 0 {
        return Ok(Ok(indices.clone()));
    }
    if !d.is_integer() {
        return Ok(Err(Unverified::new(format!(
            "indices of dtype {d} are not integers"
        ))));
    }
    if n <= 0 {
        return Ok(Err(Unverified::new(format!(
            "{} indices into an empty axis",
            indices.size()
        ))));
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
    if lowest >= i128::from(-n) && highest < i128::from(n) || host_within(indices, &[-n], &[n - 1])
    {
        return Ok(Ok(indices.clone()));
    }
    // `n` fits the dtype here (its range reaches past `n - 1`); Python-style remainder
    // by a positive constant lands in `[0, n)` and cannot divide by zero.
    super::arithmetic::remainder_raw(indices, &Array::from(n).astype(d)?).map(Ok)
}

/// One index array along `axis` of `a`, one element at a time, kept in bounds; an
/// `Err` naming `op` when that axis is empty and there are indices (no entry can be in
/// bounds: MLX 0.32 reads or writes outside the buffer for `take_along_axis`,
/// `put_along_axis` and `scatter_add_axis`).
pub(crate) fn along(
    op: &'static str,
    a: &Array,
    indices: &Array,
    axis: i32,
) -> Result<Checked<Array>> {
    match axis_size(a, axis) {
        Some(0) if indices.size() > 0 => Err(Error::ShapeMismatch {
            op,
            reason: format!(
                "axis {axis} of the array of shape {:?} is empty; there is nothing to index",
                a.shape()
            ),
        }),
        Some(n) => wrap_index(indices, n.into()),
        None => Ok(Err(Unverified::new(format!(
            "axis {axis} is out of range for {} dimensions",
            a.ndim()
        )))),
    }
}

/// [`in_bounds`] for the optional batch indices of `gather_mm`/`gather_qmm`: entries
/// pick one of the matrices stacked in the leading axes of `of` (MLX reads outside the
/// buffer for an out-of-range one, or a negative one). The count is taken in `i64`, so
/// more than `i32::MAX` matrices are checked too.
pub(crate) fn batch_in_bounds(
    indices: Option<&Array>,
    of: &Array,
) -> Result<Checked<Option<Array>>> {
    let Some(indices) = indices else {
        return Ok(Ok(None));
    };
    let lead = of.shape().len().saturating_sub(2);
    let batch: i64 = of.shape()[..lead].iter().map(|&d| i64::from(d)).product();
    Ok(in_bounds(indices, &[batch], &[1])?.map(Some))
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
/// `axes[k]` of `a`, starting blocks of `window(axis position)` elements. An index array
/// without a valid axis, or whose window cannot be worked out, is [`Unverified`].
pub(crate) fn each_in_bounds(
    a: &Array,
    indices: &[Array],
    axes: &[i32],
    window: impl Fn(usize) -> Option<i32>,
) -> Result<Checked<Vec<Array>>> {
    let mut out = Vec::with_capacity(indices.len());
    for (k, idx) in indices.iter().enumerate() {
        let axis = axes.get(k).and_then(|&ax| axis_index(a, ax));
        let checked = match axis.and_then(|ax| Some((a.shape()[ax], window(ax)?))) {
            Some((n, 1)) => wrap_index(idx, n.into())?,
            Some((n, w)) => in_bounds(idx, &[n.into()], &[w.into()])?,
            None => Err(Unverified::new(format!(
                "no valid axis or block size for index array {k} (axes {axes:?})"
            ))),
        };
        match checked {
            Ok(safe) => out.push(safe),
            Err(why) => return Ok(Err(why)),
        }
    }
    Ok(Ok(out))
}

/// [`in_bounds`] for the `start` vector of a dynamic slice: entry `k` starts a block of
/// `window(axis)` elements along `axes[k]` of `a`. A `start` that is not one entry per
/// axis, or an axis or window that cannot be worked out, is [`Unverified`].
pub(crate) fn dynamic_start(
    a: &Array,
    start: &Array,
    axes: &[i32],
    window: impl Fn(usize) -> Option<i32>,
) -> Result<Checked<Array>> {
    let mut dims = Vec::with_capacity(axes.len());
    let mut windows = Vec::with_capacity(axes.len());
    for &axis in axes {
        let Some((n, w)) = axis_index(a, axis).and_then(|k| Some((a.shape()[k], window(k)?)))
        else {
            return Ok(Err(Unverified::new(format!(
                "no valid axis or block size for axis {axis}"
            ))));
        };
        dims.push(i64::from(n));
        windows.push(i64::from(w));
    }
    if start.shape() != [axes.len() as i32] {
        return Ok(Err(Unverified::new(format!(
            "`start` of shape {:?} for {} axes",
            start.shape(),
            axes.len()
        ))));
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

#[cfg(test)]
mod tests;
