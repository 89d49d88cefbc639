//! [`Array`]: MLX's lazy N-dimensional array.

mod convert;
mod index;
mod methods;
mod operators;
mod shape_arg;
mod shared;

use std::borrow::Cow;

use crate::ffi::{self, handle, mlx_call, mlx_new, mlx_op, mlx_value};
use crate::stream::current_raw;
use crate::{ArrayElement, Dtype, Error, Result};

pub use index::{ArrayAt, Idx, s};
pub use operators::Operand;
pub use shape_arg::Shape;
pub use shared::SharedArray;

handle! {
    /// An N-dimensional array, MLX's `mx.array`.
    ///
    /// Arrays are **lazy**: an op records work in a graph, and the data is computed when
    /// something needs it ([`Array::eval`], [`eval`](crate::transforms::eval),
    /// [`Array::item`], [`Array::to_vec`], printing). Clones are cheap and share the buffer.
    ///
    /// # Threads
    /// `Array` is neither `Send` nor `Sync`: an array, its clones and every array built
    /// from it belong to the thread that made them. MLX 0.32 keeps streams per thread
    /// and evaluates a lazy graph without locks, so two threads reaching one graph (a
    /// clone sent away, or a new array sharing nodes with one still used here) could
    /// crash the process; the types rule that out at compile time. To move data to
    /// another thread, convert with [`Array::to_shared`]: it evaluates here and gives a
    /// graph-free [`SharedArray`] (`Send + Sync + Clone`), which the other thread turns
    /// back into an `Array` with [`SharedArray::to_array`] (no copy).
    ///
    /// The program that crashed MLX (a cloned lazy array reduced on two threads at once)
    /// does not compile:
    ///
    /// ```compile_fail,E0277
    /// use mlxrs::{Array, ops::sum};
    /// let b = (&Array::from_slice(&[1.0f32; 4], &[4])? * 2.0)?; // lazy
    /// let c = b.clone(); // shares b's graph
    /// let h = std::thread::spawn(move || sum(&c, false)); // error: `Array` is not `Send`
    /// let r1 = sum(&b, false)?;
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// nor does lending one to a scoped thread, nor sending a stream:
    ///
    /// ```compile_fail,E0277
    /// use mlxrs::{Array, ops::sum};
    /// let b = (&Array::from_slice(&[1.0f32; 4], &[4])? * 2.0)?;
    /// std::thread::scope(|s| {
    ///     s.spawn(|| sum(&b, false)); // error: `Array` is not `Sync`
    ///     sum(&b, false)
    /// })?;
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// ```compile_fail,E0277
    /// let s = mlxrs::Stream::new(&mlxrs::Device::cpu())?;
    /// std::thread::spawn(move || s.synchronize()); // error: `Stream` is not `Send`
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// The same program with a [`SharedArray`] compiles and is sound:
    ///
    /// ```
    /// use mlxrs::{Array, ops::sum};
    /// let b = (&Array::from_slice(&[1.0f32; 4], &[4])? * 2.0)?;
    /// let c = b.to_shared()?; // evaluated here; a graph-free copy
    /// let h = std::thread::spawn(move || sum(&c.to_array(), false)?.item::<f32>());
    /// let r1 = sum(&b, false)?.item::<f32>()?;
    /// assert_eq!(r1, h.join().expect("panicked")?);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    #[must_use]
    pub struct Array(mlx_array) { new: mlx_array_new, free: mlx_array_free }
}

impl Array {
    /// An array holding a copy of `data`, with the given shape.
    ///
    /// ```
    /// use mlxrs::Array;
    /// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    /// assert_eq!(a.shape(), &[2, 2]);
    /// assert_eq!(a.to_vec::<f32>()?, vec![1.0, 2.0, 3.0, 4.0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shape has a negative dimension or its element
    /// count differs from `data.len()`; [`Error::InvalidArgument`] when a `usize`
    /// dimension does not fit in `i32`.
    pub fn from_slice<T: ArrayElement>(data: &[T], shape: impl Shape) -> Result<Array> {
        let dims = shape.dims()?;
        let count = dims.iter().map(|&d| d as i128).product::<i128>();
        if dims.iter().any(|&d| d < 0) || count != data.len() as i128 {
            return Err(Error::ShapeMismatch {
                op: "Array::from_slice",
                reason: format!(
                    "shape {dims:?} holds {count} elements, but the data has {}",
                    data.len()
                ),
            });
        }
        let ndim = i32::try_from(dims.len())
            .map_err(|_| Error::invalid("shape", "too many dimensions"))?;
        mlx_new!(
            Array,
            mlx_array_new_data(data.as_ptr().cast(), dims.as_ptr(), ndim, T::DTYPE.to_sys())
        )
    }

    /// An array taking the elements of `data`, with the given shape.
    ///
    /// # Errors
    /// As for [`Array::from_slice`].
    pub fn from_vec<T: ArrayElement>(data: Vec<T>, shape: impl Shape) -> Result<Array> {
        Array::from_slice(&data, shape)
    }

    /// A 0-dimensional array holding `value`.
    ///
    /// ```
    /// let x = mlxrs::Array::scalar(2.5f64);
    /// assert_eq!(x.ndim(), 0);
    /// assert_eq!(x.item::<f64>()?, 2.5);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    pub fn scalar<T: ArrayElement>(value: T) -> Array {
        ffi::array_scalar(value)
    }

    /// An array of `shape` filled with `value`.
    ///
    /// ```
    /// let a = mlxrs::Array::full::<f32>(&(2usize, 3usize), 1.5)?;
    /// assert_eq!(a.to_vec::<f32>()?, vec![1.5; 6]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a `usize` dimension does not fit in `i32`; MLX's
    /// error ([`Error::Backend`]) for a negative dimension.
    pub fn full<T: ArrayElement>(shape: impl Shape, value: T) -> Result<Array> {
        let dims = shape.dims()?;
        let v = Array::scalar(value);
        mlx_op!(mlx_full(
            dims.as_ptr(),
            dims.len(),
            v.as_raw(),
            T::DTYPE.to_sys(),
            current_raw()?
        ))
    }

    /// Zeros of `shape` and `dtype`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a `usize` dimension does not fit in `i32`; MLX's
    /// error ([`Error::Backend`]) for a negative dimension.
    pub fn zeros(shape: impl Shape, dtype: Dtype) -> Result<Array> {
        let dims = shape.dims()?;
        mlx_op!(mlx_zeros(
            dims.as_ptr(),
            dims.len(),
            dtype.to_sys(),
            current_raw()?
        ))
    }

    /// Ones of `shape` and `dtype`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a `usize` dimension does not fit in `i32`; MLX's
    /// error ([`Error::Backend`]) for a negative dimension.
    pub fn ones(shape: impl Shape, dtype: Dtype) -> Result<Array> {
        let dims = shape.dims()?;
        mlx_op!(mlx_ones(
            dims.as_ptr(),
            dims.len(),
            dtype.to_sys(),
            current_raw()?
        ))
    }

    /// Zeros with the shape and dtype of `like`.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    pub fn zeros_like(like: &Array) -> Result<Array> {
        mlx_op!(mlx_zeros_like(like.as_raw(), current_raw()?))
    }

    /// Ones with the shape and dtype of `like`.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    pub fn ones_like(like: &Array) -> Result<Array> {
        mlx_op!(mlx_ones_like(like.as_raw(), current_raw()?))
    }

    /// `value` broadcast to the shape of `like`, with `like`'s dtype.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    pub fn full_like<T: ArrayElement>(like: &Array, value: T) -> Result<Array> {
        let v = Array::scalar(value);
        mlx_op!(mlx_full_like(
            like.as_raw(),
            v.as_raw(),
            like.dtype().to_sys(),
            current_raw()?
        ))
    }

    /// `[start, stop)` in steps of `step`, as `dtype` (Python's `mx.arange`).
    ///
    /// ```
    /// use mlxrs::{Array, Dtype};
    /// let a = Array::arange(0.0, 5.0, 2.0, Dtype::Int32)?;
    /// assert_eq!(a.to_vec::<i32>()?, vec![0, 2, 4]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`]) for [`Dtype::Bool`], a NaN `start`, `stop` or
    /// `step`, an infinite `start` or `stop`, or more than `i32::MAX` elements.
    pub fn arange(start: f64, stop: f64, step: f64, dtype: Dtype) -> Result<Array> {
        mlx_op!(mlx_arange(
            start,
            stop,
            step,
            dtype.to_sys(),
            current_raw()?
        ))
    }

    /// `num` evenly spaced values from `start` to `stop` inclusive.
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`]) for a negative `num`.
    pub fn linspace(start: f64, stop: f64, num: i32, dtype: Dtype) -> Result<Array> {
        mlx_op!(mlx_linspace(
            start,
            stop,
            num,
            dtype.to_sys(),
            current_raw()?
        ))
    }

    /// An `n × m` matrix with ones on diagonal `k` (0 = main, positive = above).
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`]) unless `n` and `m` are both positive.
    pub fn eye(n: i32, m: i32, k: i32, dtype: Dtype) -> Result<Array> {
        mlx_op!(mlx_eye(n, m, k, dtype.to_sys(), current_raw()?))
    }

    /// The `n × n` identity matrix.
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`]) unless `n` is positive.
    pub fn identity(n: i32, dtype: Dtype) -> Result<Array> {
        mlx_op!(mlx_identity(n, dtype.to_sys(), current_raw()?))
    }

    /// A copy converted to `dtype` (lazy).
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    pub fn astype(&self, dtype: Dtype) -> Result<Array> {
        mlx_op!(mlx_astype(self.as_raw(), dtype.to_sys(), current_raw()?))
    }

    /// Another handle to the same array (shares the buffer); `Clone` does the same and
    /// cannot fail short of allocation failure.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    pub fn try_clone(&self) -> Result<Array> {
        mlx_op!(mlx_array_set(self.as_raw()))
    }

    /// The dimensions.
    pub fn shape(&self) -> &[i32] {
        ffi::array_shape(self)
    }

    /// The size of dimension `axis` (negative counts from the end).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `axis` is out of bounds for [`Array::ndim`].
    pub fn dim(&self, axis: i32) -> Result<i32> {
        let shape = self.shape();
        let n = shape.len() as i32;
        let i = if axis < 0 { axis + n } else { axis };
        if i < 0 || i >= n {
            return Err(Error::invalid(
                "axis",
                format!("{axis} is out of bounds for an array with {n} dimensions"),
            ));
        }
        Ok(shape[i as usize])
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        ffi::array_ndim(self)
    }

    /// The number of elements.
    pub fn size(&self) -> usize {
        ffi::array_size(self)
    }

    /// The element type.
    pub fn dtype(&self) -> Dtype {
        ffi::array_dtype(self)
    }

    /// Bytes per element.
    pub fn itemsize(&self) -> usize {
        self.dtype().size()
    }

    /// Bytes of all elements.
    pub fn nbytes(&self) -> usize {
        self.size() * self.itemsize()
    }

    /// The strides, in elements (meaningful once evaluated).
    pub fn strides(&self) -> Vec<usize> {
        ffi::array_strides(self).to_vec()
    }

    /// Computes this array (and the graph it depends on) now.
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`]) when evaluation fails, e.g. for a lazy array built
    /// on another thread (see [`Array`]'s thread notes).
    pub fn eval(&self) -> Result<()> {
        mlx_call!(mlx_array_eval(self.as_raw()))
    }

    fn check_dtype<T: ArrayElement>(&self, op: &'static str) -> Result<()> {
        let got = self.dtype();
        if got == T::DTYPE {
            Ok(())
        } else {
            Err(Error::DtypeMismatch {
                op,
                expected: T::DTYPE,
                got,
            })
        }
    }

    /// Whether the data is computed and readable now, without evaluating anything.
    pub(crate) fn is_available(&self) -> bool {
        let mut available = false;
        mlx_call!(_mlx_array_is_available(&mut available, self.as_raw())).is_ok() && available
    }

    /// Evaluates and returns a pointer to the data (with the array's offset applied).
    /// Every read of the buffer passes here: a dtype mlx-c reports but mlxrs does not
    /// know fails closed, before any byte is read with a guessed element size.
    fn data_ptr(&self) -> Result<*const u8> {
        ffi::array_dtype_checked(self)?;
        self.eval()?;
        let p = mlx_value!(mlx_array_data_uint8(self.as_raw()))?;
        if p.is_null() && self.size() > 0 {
            return Err(Error::Backend(
                "array data is not available after eval".into(),
            ));
        }
        Ok(p)
    }

    /// Whether the evaluated data is dense and row-major.
    fn is_row_contiguous(&self) -> bool {
        let shape = self.shape();
        if shape.is_empty() {
            return true;
        }
        let strides = ffi::array_strides(self);
        let mut expected = 1usize;
        for (&d, &s) in shape.iter().zip(strides).rev() {
            if d != 1 && s != expected {
                return false;
            }
            expected *= d as usize;
        }
        true
    }

    /// The single element of a one-element array, evaluating as needed.
    ///
    /// ```
    /// let x = mlxrs::Array::from(4.0f32);
    /// assert_eq!(x.item::<f32>()?, 4.0);
    /// assert!(x.item::<i32>().is_err()); // dtype mismatch: no silent cast
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::DtypeMismatch`] if `T` is not the array's element type (use
    /// [`Array::astype`] first), [`Error::ShapeMismatch`] if the array has more or fewer
    /// than one element, and MLX's error if evaluation fails.
    pub fn item<T: ArrayElement>(&self) -> Result<T> {
        self.check_dtype::<T>("Array::item")?;
        if self.size() != 1 {
            return Err(Error::ShapeMismatch {
                op: "Array::item",
                reason: format!(
                    "only one-element arrays convert to a scalar, got shape {:?}",
                    self.shape()
                ),
            });
        }
        let p = self.data_ptr()?;
        // SAFETY: evaluated, one element of dtype `T` (checked) at `p`.
        Ok(unsafe { p.cast::<T>().read_unaligned() })
    }

    /// All elements in row-major order, evaluating as needed (strided, transposed or
    /// broadcast arrays are made contiguous first).
    ///
    /// # Errors
    /// [`Error::DtypeMismatch`] if `T` is not the array's element type (use
    /// [`Array::astype`] first), and MLX's error if evaluation fails (as for
    /// [`Array::eval`]).
    pub fn to_vec<T: ArrayElement>(&self) -> Result<Vec<T>> {
        self.check_dtype::<T>("Array::to_vec")?;
        let n = self.size();
        let p = self.data_ptr()?;
        if n == 0 {
            return Ok(Vec::new());
        }
        if self.is_row_contiguous() {
            // SAFETY: evaluated, row-contiguous, `n` elements of dtype `T` at `p`.
            return Ok(unsafe { std::slice::from_raw_parts(p.cast::<T>(), n) }.to_vec());
        }
        let dense = crate::ops::contiguous(self, false)?;
        let p = dense.data_ptr()?;
        if !dense.is_row_contiguous() {
            return Err(Error::Backend(
                "contiguous() returned a strided array".into(),
            ));
        }
        // SAFETY: as above, for the contiguous copy.
        Ok(unsafe { std::slice::from_raw_parts(p.cast::<T>(), n) }.to_vec())
    }

    /// A borrowed view of the elements, evaluating as needed.
    ///
    /// # Errors
    /// [`Error::DtypeMismatch`] if `T` is not the element type; [`Error::InvalidArgument`]
    /// if the data is not row-contiguous (use [`Array::to_vec`], or
    /// [`ops::contiguous`](crate::ops::contiguous) first); MLX's error if evaluation fails
    /// (as for [`Array::eval`]).
    pub fn as_slice<T: ArrayElement>(&self) -> Result<&[T]> {
        self.check_dtype::<T>("Array::as_slice")?;
        let p = self.data_ptr()?;
        if self.size() == 0 {
            return Ok(&[]);
        }
        if !self.is_row_contiguous() {
            return Err(Error::invalid(
                "self",
                format!(
                    "as_slice needs row-contiguous data, got strides {:?} for shape {:?}",
                    self.strides(),
                    self.shape()
                ),
            ));
        }
        // SAFETY: evaluated and row-contiguous; the buffer lives as long as this array,
        // and MLX never mutates an evaluated buffer that `&self` can reach.
        Ok(unsafe { std::slice::from_raw_parts(p.cast::<T>(), self.size()) })
    }

    /// The raw bytes of the array (any dtype) in row-major order, evaluating as needed:
    /// borrowed when the data is row-contiguous, else copied from a contiguous copy.
    ///
    /// # Errors
    /// MLX's error if evaluation fails (as for [`Array::eval`]).
    pub fn as_bytes(&self) -> Result<Cow<'_, [u8]>> {
        let p = self.data_ptr()?;
        let n = self.nbytes();
        if n == 0 {
            return Ok(Cow::Borrowed(&[]));
        }
        if self.is_row_contiguous() {
            // SAFETY: evaluated, row-contiguous, `nbytes` bytes at `p`, alive with `self`.
            return Ok(Cow::Borrowed(unsafe { std::slice::from_raw_parts(p, n) }));
        }
        let dense = crate::ops::contiguous(self, false)?;
        let p = dense.data_ptr()?;
        // SAFETY: as above, copied out before `dense` drops.
        Ok(Cow::Owned(
            unsafe { std::slice::from_raw_parts(p, n) }.to_vec(),
        ))
    }
}

impl Clone for Array {
    fn clone(&self) -> Self {
        // Copying a shared pointer fails only on allocation failure, which aborts anyway.
        self.try_clone().unwrap_or_else(|_| Array::empty())
    }
}

fn describe(a: &Array) -> String {
    let mut s = ffi::MlxString::new();
    match mlx_call!(mlx_array_tostring(s.as_out(), a.as_raw())) {
        // MLX's C++ printer writes `true`/`false`; Python's repr sets the formatter's
        // `capitalize_bool` (not reachable through mlx-c) and writes `True`/`False`.
        Ok(()) if a.dtype() == Dtype::Bool => s
            .to_string_lossy()
            .replace("true", "True")
            .replace("false", "False"),
        Ok(()) => s.to_string_lossy(),
        Err(e) => format!("array(<error: {e}>)"),
    }
}

/// Prints like MLX's own `repr` (evaluates the array).
impl std::fmt::Display for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&describe(self))
    }
}

impl std::fmt::Debug for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&describe(self))
    }
}
