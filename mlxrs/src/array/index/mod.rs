//! NumPy-style indexing without string parsing: [`Idx`], [`s`], [`Array::index`],
//! [`Array::index_put`] (item assignment) and [`Array::at`] (accumulating updates).

use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

use crate::{Array, Dtype, Error, Result, ops};

/// One entry of an index list for [`Array::index`] and [`Array::index_put`]: Python's
/// `a[0, 1:3, ::-1, None, ..., idx]` is
/// `a.index(&[0.into(), (1..3).into(), s(None, None, -1), Idx::NewAxis, Idx::Ellipsis, idx.into()])`.
///
/// `From` builds it from an `i32`, from Rust ranges of `i32` (`1..3`, `2..`, `..5`,
/// `..=4`, `..`) and from an [`Array`] (or `&Array`); [`s`] makes stepped slices.
#[derive(Debug, Clone)]
pub enum Idx {
    /// One position (negative counts from the end); the axis is dropped.
    I(i32),
    /// The positions `start, start + step, ...` before `stop`, as Python's
    /// `start:stop:step` (`None`: the end in the direction of `step`; negative bounds
    /// count from the end; out-of-range bounds are clipped). `step` must not be 0.
    Range {
        /// First position (`None`: 0, or the last one when `step < 0`).
        start: Option<i32>,
        /// Position to stop before (`None`: past the end in the direction of `step`).
        stop: Option<i32>,
        /// Distance between positions; negative walks backwards.
        step: i32,
    },
    /// A new axis of size 1 (Python's `None`).
    NewAxis,
    /// As many full slices as needed to index every axis (Python's `...`); at most one.
    Ellipsis,
    /// An integer array of positions along the axis (an advanced index), gathered as
    /// with [`ops::take_axis`]. Several array (and integer) indices broadcast together,
    /// with NumPy's rules for where the broadcast dimensions go. Boolean masks are not
    /// supported (use [`ops::r#where`](fn.where.html) or [`ops::masked_scatter`]).
    Array(Array),
}

/// A stepped slice, Python's `start:stop:step`: `s(1, None, 2)` is `1::2` and
/// `s(None, None, -1)` is `::-1`.
///
/// ```
/// use mlxrs::{Array, Dtype, ops::s};
/// let a = Array::arange(0.0, 6.0, 1.0, Dtype::Int32)?;
/// assert_eq!(a.index(&[s(1, None, 2)])?.to_vec::<i32>()?, [1, 3, 5]);
/// assert_eq!(a.index(&[s(None, None, -2)])?.to_vec::<i32>()?, [5, 3, 1]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn s(start: impl Into<Option<i32>>, stop: impl Into<Option<i32>>, step: i32) -> Idx {
    Idx::Range {
        start: start.into(),
        stop: stop.into(),
        step,
    }
}

impl From<i32> for Idx {
    fn from(i: i32) -> Idx {
        Idx::I(i)
    }
}

impl From<Range<i32>> for Idx {
    fn from(r: Range<i32>) -> Idx {
        s(r.start, r.end, 1)
    }
}

impl From<RangeFrom<i32>> for Idx {
    fn from(r: RangeFrom<i32>) -> Idx {
        s(r.start, None, 1)
    }
}

impl From<RangeTo<i32>> for Idx {
    fn from(r: RangeTo<i32>) -> Idx {
        s(None, r.end, 1)
    }
}

impl From<RangeFull> for Idx {
    fn from(_: RangeFull) -> Idx {
        s(None, None, 1)
    }
}

/// `a..=b` includes `b`; `a..=-1` runs to the end.
impl From<RangeInclusive<i32>> for Idx {
    fn from(r: RangeInclusive<i32>) -> Idx {
        let (start, end) = r.into_inner();
        s(start, inclusive_stop(end), 1)
    }
}

/// `..=b` includes `b`; `..=-1` runs to the end.
impl From<RangeToInclusive<i32>> for Idx {
    fn from(r: RangeToInclusive<i32>) -> Idx {
        s(None, inclusive_stop(r.end), 1)
    }
}

impl From<Array> for Idx {
    fn from(a: Array) -> Idx {
        Idx::Array(a)
    }
}

impl From<&Array> for Idx {
    fn from(a: &Array) -> Idx {
        Idx::Array(a.clone())
    }
}

/// The exclusive stop after inclusive `end` (`-1`, the last element, has none).
fn inclusive_stop(end: i32) -> Option<i32> {
    if end == -1 { None } else { end.checked_add(1) }
}

/// A normalized slice of one axis: MLX-ready start/stop/step and the number of
/// positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: i32,
    stop: i32,
    step: i32,
    len: i32,
}

impl Span {
    fn full(n: i32) -> Span {
        Span {
            start: 0,
            stop: n,
            step: 1,
            len: n,
        }
    }

    fn single(i: i32) -> Span {
        Span {
            start: i,
            stop: i + 1,
            step: 1,
            len: 1,
        }
    }

    /// Python's slice semantics (`PySlice_AdjustIndices`), then MLX's conventions.
    fn new(start: Option<i32>, stop: Option<i32>, step: i32, n: i32) -> Result<Span> {
        if step == 0 {
            return Err(Error::invalid("indices", "slice step cannot be zero"));
        }
        let (n64, st) = (n as i64, step as i64);
        let clip = |v: i32, lo: i64, hi: i64| {
            let v = v as i64;
            let v = if v < 0 { v + n64 } else { v };
            v.clamp(lo, hi)
        };
        let (first, end, len) = if st > 0 {
            let first = start.map_or(0, |v| clip(v, 0, n64));
            let end = stop.map_or(n64, |v| clip(v, 0, n64));
            let len = if end > first {
                (end - first + st - 1) / st
            } else {
                0
            };
            (first, end, len)
        } else {
            let first = start.map_or(n64 - 1, |v| clip(v, -1, n64 - 1));
            let end = stop.map_or(-1, |v| clip(v, -1, n64 - 1));
            let len = if first > end {
                (first - end - st - 1) / -st
            } else {
                0
            };
            (first, end, len)
        };
        if len == 0 {
            return Ok(Span {
                start: 0,
                stop: 0,
                step: 1,
                len: 0,
            });
        }
        // MLX reads a negative stop as counting from the end; "before position 0" for a
        // backward slice is therefore written -(n + 1).
        let end = if st < 0 && end < 0 { -n64 - 1 } else { end };
        Ok(Span {
            start: first as i32,
            stop: end as i32,
            step,
            len: len as i32,
        })
    }
}

/// An index entry with the ellipsis expanded and bounds normalized.
enum Entry<'a> {
    Int(i32),
    Slice(Span),
    NewAxis,
    Arr(&'a Array),
}

/// The expanded entries and, for each axis of the source, its entry's position.
struct Plan<'a> {
    entries: Vec<Entry<'a>>,
}

impl<'a> Plan<'a> {
    /// The shape after the slices and new axes of an index without arrays (integer
    /// indices drop their axes).
    fn sliced_shape(&self) -> Vec<i32> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Slice(s) => Some(s.len),
                Entry::NewAxis => Some(1),
                _ => None,
            })
            .collect()
    }

    fn new(shape: &[i32], indices: &'a [Idx]) -> Result<Plan<'a>> {
        let ndim = shape.len();
        let consuming = indices
            .iter()
            .filter(|i| !matches!(i, Idx::NewAxis | Idx::Ellipsis))
            .count();
        let ellipses = indices
            .iter()
            .filter(|i| matches!(i, Idx::Ellipsis))
            .count();
        if ellipses > 1 {
            return Err(Error::invalid(
                "indices",
                format!("an index can only have a single ellipsis, got {ellipses}"),
            ));
        }
        if consuming > ndim {
            return Err(Error::invalid(
                "indices",
                format!("too many indices for an array with {ndim} dimensions: got {consuming}"),
            ));
        }
        let mut entries = Vec::with_capacity(ndim + indices.len());
        let mut axis = 0usize;
        for idx in indices {
            match idx {
                Idx::NewAxis => entries.push(Entry::NewAxis),
                Idx::Ellipsis => {
                    for _ in 0..ndim - consuming {
                        entries.push(Entry::Slice(Span::full(shape[axis])));
                        axis += 1;
                    }
                }
                Idx::I(i) => {
                    let n = shape[axis];
                    let j = if *i < 0 {
                        *i as i64 + n as i64
                    } else {
                        *i as i64
                    };
                    if j < 0 || j >= n as i64 {
                        return Err(Error::invalid(
                            "indices",
                            format!("index {i} is out of bounds for axis {axis} with size {n}"),
                        ));
                    }
                    entries.push(Entry::Int(j as i32));
                    axis += 1;
                }
                Idx::Range { start, stop, step } => {
                    entries.push(Entry::Slice(Span::new(*start, *stop, *step, shape[axis])?));
                    axis += 1;
                }
                Idx::Array(a) => {
                    if a.dtype() == Dtype::Bool {
                        return Err(Error::invalid(
                            "indices",
                            "boolean mask indexing is not supported (its shape depends on \
                             the data); use ops::where or ops::masked_scatter",
                        ));
                    }
                    entries.push(Entry::Arr(a));
                    axis += 1;
                }
            }
        }
        while axis < ndim {
            entries.push(Entry::Slice(Span::full(shape[axis])));
            axis += 1;
        }
        Ok(Plan { entries })
    }

    /// One span per source axis; integers become one-element spans when `ints`, and
    /// array-indexed axes stay whole.
    fn spans(&self, shape: &[i32], ints: bool) -> Vec<Span> {
        let mut axis = 0;
        let mut out = Vec::with_capacity(shape.len());
        for e in &self.entries {
            match e {
                Entry::NewAxis => continue,
                Entry::Int(i) if ints => out.push(Span::single(*i)),
                Entry::Slice(span) => out.push(*span),
                Entry::Int(_) | Entry::Arr(_) => out.push(Span::full(shape[axis])),
            }
            axis += 1;
        }
        out
    }

    fn has_arrays(&self) -> bool {
        self.entries.iter().any(|e| matches!(e, Entry::Arr(_)))
    }
}

/// `a` sliced by `spans`, or `a` itself when every span is the whole axis.
fn apply_spans(a: &Array, spans: &[Span]) -> Result<Array> {
    if spans
        .iter()
        .zip(a.shape())
        .all(|(s, &n)| *s == Span::full(n))
    {
        return Ok(a.clone());
    }
    let start: Vec<i32> = spans.iter().map(|s| s.start).collect();
    let stop: Vec<i32> = spans.iter().map(|s| s.stop).collect();
    let step: Vec<i32> = spans.iter().map(|s| s.step).collect();
    ops::slice(a, &start, &stop, &step)
}

fn reshape_if_needed(a: Array, shape: &[i32]) -> Result<Array> {
    if a.shape() == shape {
        Ok(a)
    } else {
        ops::reshape(&a, shape)
    }
}

impl Array {
    /// NumPy-style indexing: `a.index(&[1.into(), (0..2).into()])` is Python's
    /// `a[1, 0:2]`.
    ///
    /// Integers select one position and drop the axis (negative counts from the end);
    /// ranges slice, with Python's rules for negative and out-of-range bounds
    /// ([`s`] adds a step, possibly negative); [`Idx::NewAxis`] inserts an axis of size
    /// 1; [`Idx::Ellipsis`] stands for the remaining axes; missing trailing entries are
    /// full slices. Integer arrays ([`Idx::Array`]) gather along their axis; several of
    /// them (with any integers) broadcast together, and the broadcast dimensions replace
    /// the indexed axes when those are adjacent in the list, or go first otherwise, as
    /// in NumPy. Basic indexing costs one `slice` (and a reshape); array indexing one
    /// `take` or `gather`.
    ///
    /// ```
    /// use mlxrs::{Array, Dtype, ops::{reshape, s}};
    /// use mlxrs::ops::Idx;
    /// let a = reshape(&Array::arange(0.0, 12.0, 1.0, Dtype::Int32)?, &[3, 4])?;
    /// assert_eq!(a.index(&[1.into()])?.to_vec::<i32>()?, [4, 5, 6, 7]);
    /// assert_eq!(a.index(&[(..).into(), (-1).into()])?.to_vec::<i32>()?, [3, 7, 11]);
    /// let b = a.index(&[(1..).into(), s(None, None, -2)])?;
    /// assert_eq!((b.shape(), b.to_vec::<i32>()?), (&[2, 2][..], vec![7, 5, 11, 9]));
    /// assert_eq!(a.index(&[Idx::Ellipsis, Idx::NewAxis])?.shape(), &[3, 4, 1]);
    /// let rows = Array::from_slice(&[2i32, 0], &[2])?;
    /// assert_eq!(a.index(&[rows.into(), 0.into()])?.to_vec::<i32>()?, [8, 0]);
    /// assert!(a.index(&[3.into()]).is_err()); // out of bounds
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an integer out of bounds, a zero step, more than
    /// one ellipsis, more indices than axes, or a boolean index array; MLX's error for
    /// index arrays of a non-integer type or shapes that do not broadcast. Positions in
    /// index arrays are not bounds-checked (see [`crate::ops::indexing`]).
    pub fn index(&self, indices: &[Idx]) -> Result<Array> {
        let shape = self.shape().to_vec();
        let plan = Plan::new(&shape, indices)?;
        if !plan.has_arrays() {
            let sliced = apply_spans(self, &plan.spans(&shape, true))?;
            let out_shape = plan.sliced_shape();
            return reshape_if_needed(sliced, &out_shape);
        }
        let sliced = apply_spans(self, &plan.spans(&shape, false))?;
        let sliced_shape = sliced.shape().to_vec();

        // Source axes indexed by arrays or integers, and their index arrays.
        let mut adv_axes = Vec::new();
        let mut adv_arrays = Vec::new();
        let mut adv_positions = Vec::new();
        let mut axis = 0i32;
        for (pos, e) in plan.entries.iter().enumerate() {
            match e {
                Entry::NewAxis => continue,
                Entry::Int(i) => {
                    adv_axes.push(axis);
                    adv_arrays.push(Array::from(*i));
                    adv_positions.push(pos);
                }
                Entry::Arr(a) => {
                    adv_axes.push(axis);
                    adv_arrays.push((*a).clone());
                    adv_positions.push(pos);
                }
                Entry::Slice(_) => {}
            }
            axis += 1;
        }
        let adjacent = adv_positions.windows(2).all(|w| w[1] == w[0] + 1);

        let (gathered, b_shape) = if adv_arrays.len() == 1 {
            // One array index: `take` puts its dimensions in place of the axis.
            let b = adv_arrays[0].shape().to_vec();
            (ops::take_axis(&sliced, &adv_arrays[0], adv_axes[0])?, b)
        } else {
            let idx = ops::broadcast_arrays(&adv_arrays)?;
            let b = idx[0].shape().to_vec();
            let mut sizes = sliced_shape.clone();
            for &ax in &adv_axes {
                sizes[ax as usize] = 1;
            }
            let g = ops::gather(&sliced, &idx, &adv_axes, &sizes)?;
            // B ++ remaining (sliced) axes, the indexed ones squeezed out.
            let mut flat: Vec<i32> = b.clone();
            flat.extend(
                sliced_shape
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !adv_axes.contains(&(*i as i32)))
                    .map(|(_, &d)| d),
            );
            let g = ops::reshape(&g, &flat)?;
            // gather puts B first; NumPy puts it in place when the indices are adjacent.
            let before = plan.entries[..adv_positions[0]]
                .iter()
                .filter(|e| matches!(e, Entry::Slice(_)))
                .count();
            let g = if adjacent && before > 0 {
                let nb = b.len();
                let total = flat.len();
                let perm: Vec<i32> = (nb..nb + before)
                    .chain(0..nb)
                    .chain(nb + before..total)
                    .map(|i| i as i32)
                    .collect();
                ops::transpose_axes(&g, &perm)?
            } else {
                g
            };
            (g, b)
        };

        // Final shape: ranges, new axes, and B where NumPy puts it.
        let b_in_place = adjacent || adv_arrays.len() == 1;
        let mut out_shape = Vec::new();
        if !b_in_place {
            out_shape.extend_from_slice(&b_shape);
        }
        let mut b_done = false;
        for e in &plan.entries {
            match e {
                Entry::Slice(s) => out_shape.push(s.len),
                Entry::NewAxis => out_shape.push(1),
                Entry::Int(_) | Entry::Arr(_) => {
                    if b_in_place && !b_done {
                        out_shape.extend_from_slice(&b_shape);
                        b_done = true;
                    }
                }
            }
        }
        reshape_if_needed(gathered, &out_shape)
    }

    /// A copy of this array with `value` written at `indices` (Python's
    /// `a[indices] = value`, without mutation). As in Python, `value` loses its leading
    /// size-1 dimensions, then broadcasts to the shape of `self.index(indices)`, and is
    /// cast to this array's dtype.
    ///
    /// Basic indices (integers, ranges, new axes, ellipsis) become one
    /// [`slice_update`](ops::slice_update); with index arrays, the positions selected
    /// are found by indexing an `arange` of this array's size and written with one
    /// [`scatter`](ops::scatter) (where positions repeat, which write wins is
    /// unspecified).
    ///
    /// ```
    /// use mlxrs::{Array, Dtype, ops::s};
    /// let a = Array::zeros(&[2, 3], Dtype::Int32)?;
    /// let b = a.index_put(&[(..).into(), s(None, None, 2)], &Array::from(1i32))?;
    /// assert_eq!(b.to_vec::<i32>()?, [1, 0, 1, 1, 0, 1]);
    /// let c = b.index_put(&[1.into()], &Array::from_slice(&[7i32, 8, 9], &[3])?)?;
    /// assert_eq!(c.to_vec::<i32>()?, [1, 0, 1, 7, 8, 9]);
    /// let cols = Array::from_slice(&[2i32, 0], &[2])?;
    /// let d = a.index_put(&[0.into(), cols.into()], &Array::from_slice(&[5i32, 6], &[2])?)?;
    /// assert_eq!(d.to_vec::<i32>()?, [6, 0, 5, 0, 0, 0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`Array::index`], plus MLX's error when `value` does not broadcast.
    pub fn index_put(&self, indices: &[Idx], value: &Array) -> Result<Array> {
        let shape = self.shape().to_vec();
        let plan = Plan::new(&shape, indices)?;
        let value = self.assignment_value(value)?;
        if !plan.has_arrays() {
            let spans = plan.spans(&shape, true);
            let view_shape = plan.sliced_shape();
            let region: Vec<i32> = spans.iter().map(|s| s.len).collect();
            let update = ops::broadcast_to(&value, &view_shape)?;
            let update = reshape_if_needed(update, &region)?;
            let start: Vec<i32> = spans.iter().map(|s| s.start).collect();
            let stop: Vec<i32> = spans.iter().map(|s| s.stop).collect();
            let step: Vec<i32> = spans.iter().map(|s| s.step).collect();
            return ops::slice_update(self, &update, &start, &stop, &step);
        }
        self.scatter_at(indices, &value, ops::scatter)
    }

    /// An [`ArrayAt`] for `indices`: Python's `a.at[indices]`, whose methods
    /// ([`add`](ArrayAt::add), [`subtract`](ArrayAt::subtract), ...) apply every update,
    /// also where `indices` select one element several times (`a[idx] += v` applies only
    /// one of them).
    ///
    /// ```
    /// use mlxrs::Array;
    /// let a = Array::from_slice(&[0i32, 0], &[2])?;
    /// let idx = Array::from_slice(&[0i32, 1, 0, 1], &[4])?;
    /// assert_eq!(a.at(&[idx.into()]).add(1)?.to_vec::<i32>()?, [2, 2]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    pub fn at(&self, indices: &[Idx]) -> ArrayAt<'_> {
        ArrayAt {
            array: self,
            indices: indices.to_vec(),
        }
    }

    /// `value` as item assignment uses it: cast to this array's dtype, and without its
    /// leading size-1 dimensions (Python drops them before broadcasting, so
    /// `a[2] = mx.array([3.0])` writes one element).
    fn assignment_value(&self, value: &Array) -> Result<Array> {
        let value = if value.dtype() == self.dtype() {
            value.clone()
        } else {
            value.astype(self.dtype())?
        };
        let value_shape = value.shape();
        let leading = value_shape.iter().take_while(|&&d| d == 1).count();
        if leading > 0 {
            ops::reshape(&value, &value_shape[leading..])
        } else {
            Ok(value)
        }
    }

    /// `scatter` (or one of its accumulating forms) of `value` at the flat positions that
    /// `indices` select: every selected element gets its own update, broadcast from
    /// `value`.
    fn scatter_at(
        &self,
        indices: &[Idx],
        value: &Array,
        scatter: fn(&Array, &[Array], &Array, &[i32]) -> Result<Array>,
    ) -> Result<Array> {
        let shape = self.shape().to_vec();
        let size = self.size();
        let dtype = if size <= i32::MAX as usize {
            Dtype::Int32
        } else {
            Dtype::Int64
        };
        let positions = ops::reshape(&Array::arange(0.0, size as f64, 1.0, dtype)?, &shape)?;
        let selected = positions.index(indices)?;
        let m = selected.size();
        let m32 = i32::try_from(m)
            .map_err(|_| Error::invalid("indices", format!("{m} selected positions exceed i32")))?;
        let n32 = i32::try_from(size)
            .map_err(|_| Error::invalid("self", format!("{size} elements exceed i32")))?;
        let update = ops::broadcast_to(value, selected.shape())?;
        let update = ops::reshape(&update, &[m32, 1])?;
        let flat = ops::reshape(self, &[n32])?;
        let targets = ops::reshape(&selected, &[m32])?;
        let out = scatter(&flat, &[targets], &update, &[0])?;
        ops::reshape(&out, &shape)
    }
}

/// Python's `a.at[indices]`: updates at `indices` that accumulate where an element is
/// selected more than once (made by [`Array::at`]). Each method returns the updated copy
/// (`a` itself is unchanged). The value may be an array or an `f32`/`i32` scalar; it is
/// cast to the array's dtype, loses its leading size-1 dimensions, and broadcasts to the
/// shape of `a.index(indices)`, as in Python.
///
/// ```
/// use mlxrs::{Array, ops::s};
/// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[4])?;
/// let idx = Array::from_slice(&[0i32, 0, 2], &[3])?;
/// let v = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
/// assert_eq!(a.at(&[idx.clone().into()]).add(&v)?.to_vec::<f32>()?, [4.0, 2.0, 6.0, 4.0]);
/// assert_eq!(a.at(&[idx.into()]).divide(2.0)?.to_vec::<f32>()?, [0.25, 2.0, 1.5, 4.0]);
/// assert_eq!(a.at(&[s(None, None, 2)]).maximum(2.5)?.to_vec::<f32>()?, [2.5, 2.0, 3.0, 4.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// Every method: as for [`Array::index`] with `indices`, plus MLX's error when the value
/// does not broadcast to the selected shape.
#[derive(Debug, Clone)]
#[must_use]
pub struct ArrayAt<'a> {
    array: &'a Array,
    indices: Vec<Idx>,
}

impl ArrayAt<'_> {
    /// Adds `value` at the indices (Python's `a.at[idx].add(v)`, `x[idx] += v`).
    ///
    /// # Errors
    /// See [`ArrayAt`].
    pub fn add(&self, value: impl crate::Operand) -> Result<Array> {
        self.apply("add", value, ops::scatter_add, false)
    }

    /// Subtracts `value` at the indices (Python's `a.at[idx].subtract(v)`: adds `-v`).
    ///
    /// # Errors
    /// See [`ArrayAt`].
    pub fn subtract(&self, value: impl crate::Operand) -> Result<Array> {
        self.apply("subtract", value, ops::scatter_add, true)
    }

    /// Multiplies by `value` at the indices (Python's `a.at[idx].multiply(v)`).
    ///
    /// # Errors
    /// See [`ArrayAt`].
    pub fn multiply(&self, value: impl crate::Operand) -> Result<Array> {
        self.apply("multiply", value, ops::scatter_prod, false)
    }

    /// Divides by `value` at the indices (Python's `a.at[idx].divide(v)`: multiplies by
    /// `1 / v`, computed in the array's dtype).
    ///
    /// # Errors
    /// See [`ArrayAt`].
    pub fn divide(&self, value: impl crate::Operand) -> Result<Array> {
        value
            .with_array(self.array, |v| {
                let v = self.array.assignment_value(v)?;
                // In the array's dtype, as Python's (an integer array divided by 2 gets 0).
                let inverse = self.array.assignment_value(&ops::reciprocal(&v)?)?;
                self.array
                    .scatter_at(&self.indices, &inverse, ops::scatter_prod)
            })
            .map_err(|e| Self::named("divide", e))
    }

    /// The maximum of the current value and `value` at the indices (Python's
    /// `a.at[idx].maximum(v)`).
    ///
    /// # Errors
    /// See [`ArrayAt`].
    pub fn maximum(&self, value: impl crate::Operand) -> Result<Array> {
        self.apply("maximum", value, ops::scatter_max, false)
    }

    /// The minimum of the current value and `value` at the indices (Python's
    /// `a.at[idx].minimum(v)`).
    ///
    /// # Errors
    /// See [`ArrayAt`].
    pub fn minimum(&self, value: impl crate::Operand) -> Result<Array> {
        self.apply("minimum", value, ops::scatter_min, false)
    }

    fn apply(
        &self,
        how: &'static str,
        value: impl crate::Operand,
        scatter: fn(&Array, &[Array], &Array, &[i32]) -> Result<Array>,
        negate: bool,
    ) -> Result<Array> {
        value
            .with_array(self.array, |v| {
                let v = self.array.assignment_value(v)?;
                let v = if negate { ops::negative(&v)? } else { v };
                self.array.scatter_at(&self.indices, &v, scatter)
            })
            .map_err(|e| Self::named(how, e))
    }

    /// mlxrs's own argument errors (bad indices) name the call, `Array::at(..).add`;
    /// MLX's messages name their op already.
    fn named(how: &'static str, e: Error) -> Error {
        match e {
            Error::InvalidArgument { name, reason } => Error::InvalidArgument {
                name,
                reason: format!("Array::at(..).{how}: {reason}"),
            },
            e => e,
        }
    }
}

#[cfg(test)]
mod tests;
