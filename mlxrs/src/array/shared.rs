//! [`SharedArray`]: an evaluated, graph-free copy of an array that threads may share.

use crate::ffi::mlx_new;
use crate::{Array, ArrayElement, Dtype, Error, Result};

/// An evaluated array with no graph, which may cross threads: `Send + Sync + Clone`.
///
/// [`Array`] is neither `Send` nor `Sync`: clones of an `Array` share one C++ array and
/// its lazy graph, and MLX 0.32 evaluates graphs without locks and keeps streams per
/// thread, so two threads reaching the same graph could crash the process. A
/// `SharedArray` holds no graph at all: [`Array::to_shared`] evaluates the array on the
/// calling thread and copies its data into a new array that has no inputs and no
/// primitive, whose data is ready and is never written again. Any number of threads
/// may then read it, or turn it back into an [`Array`] with [`SharedArray::to_array`]
/// and build new work on it, each on its own streams.
///
/// The common patterns:
/// - **weights shared by worker threads** (a server): convert once, keep them in an
///   `Arc<Vec<SharedArray>>` (or behind a `Mutex`/`RwLock` to swap them), and call
///   [`to_array`](SharedArray::to_array) on each worker;
/// - **a data-loader thread** producing batches for a training thread: send
///   `SharedArray`s through a channel;
/// - **a thread pool** sending results back: return `SharedArray`s from the jobs.
///
/// ```
/// use mlxrs::{Array, SharedArray, ops::{add, multiply}};
/// let x = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
/// let lazy = add(&multiply(&x, &x)?, &x)?;          // a lazy graph: stays on this thread
/// let shared: SharedArray = lazy.to_shared()?;      // evaluated here, graph-free copy
/// let doubled = std::thread::spawn(move || -> mlxrs::Result<Vec<f32>> {
///     let a = shared.to_array();                    // an Array of the other thread
///     (&a * 2.0)?.to_vec::<f32>()
/// })
/// .join()
/// .expect("worker panicked")?;
/// assert_eq!(doubled, [4.0, 12.0, 24.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// Converting costs one evaluation and one copy of the data (a `memcpy`): the copy is
/// what guarantees that no other thread's graph, now or later, refers to the new
/// array's node.
#[derive(Clone)]
pub struct SharedArray(Array);

// SAFETY: the inner array was made by `mlx_array_new_data` (see `Array::to_shared`): it
// has no primitive, no inputs and no siblings, its status is `available` from
// construction and its event is invalid, so nothing MLX does through it (evaluating
// graphs that use it, `eval`, reading its data, `is_available`) writes to its node.
// The only writes are the atomic reference counts of `shared_ptr`s, which are safe
// from any thread. Its buffer can only be donated to an op (written in place) once no
// other reference exists, and a `SharedArray` is such a reference while it lives.
unsafe impl Send for SharedArray {}
// SAFETY: as above: every method takes `&self` and only reads the node and its data,
// or copies the handle (an atomic increment).
unsafe impl Sync for SharedArray {}

impl SharedArray {
    /// A new [`Array`] of this thread, sharing this data (no copy). Ops on it run on the
    /// calling thread's streams; the data of `self` is never changed by them.
    pub fn to_array(&self) -> Array {
        self.0.clone()
    }

    /// Into an [`Array`] of this thread (no copy).
    pub fn into_array(self) -> Array {
        self.0
    }

    /// The shape.
    pub fn shape(&self) -> &[i32] {
        self.0.shape()
    }

    /// The element type.
    pub fn dtype(&self) -> Dtype {
        self.0.dtype()
    }

    /// The number of elements.
    pub fn size(&self) -> usize {
        self.0.size()
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.0.ndim()
    }

    /// The elements in row-major order (a copy).
    ///
    /// # Errors
    /// [`Error::DtypeMismatch`] if `T` is not the element type.
    pub fn to_vec<T: ArrayElement>(&self) -> Result<Vec<T>> {
        self.0.to_vec()
    }

    /// The single element of a one-element array.
    ///
    /// # Errors
    /// As for [`Array::item`].
    pub fn item<T: ArrayElement>(&self) -> Result<T> {
        self.0.item()
    }

    /// Converts several arrays at once, evaluating them together first (one graph
    /// evaluation instead of one per array).
    ///
    /// ```
    /// use mlxrs::{Array, SharedArray};
    /// let w = Array::ones(&[2, 2], mlxrs::Dtype::Float32)?;
    /// let b = Array::zeros(&[2], mlxrs::Dtype::Float32)?;
    /// let shared = SharedArray::from_arrays(&[w, b])?;
    /// assert_eq!(shared[0].shape(), &[2, 2]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`Array::to_shared`].
    pub fn from_arrays(arrays: &[Array]) -> Result<Vec<SharedArray>> {
        crate::transforms::eval(&arrays.iter().collect::<Vec<_>>())?;
        arrays.iter().map(Array::to_shared).collect()
    }
}

impl std::fmt::Debug for SharedArray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedArray").field(&self.0).finish()
    }
}

impl std::fmt::Display for SharedArray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl From<SharedArray> for Array {
    fn from(shared: SharedArray) -> Array {
        shared.into_array()
    }
}

impl Array {
    /// Evaluates this array on the calling thread and returns a graph-free copy of it
    /// that may be sent to, and shared by, other threads (see [`SharedArray`]).
    ///
    /// ```
    /// use mlxrs::Array;
    /// let a = (&Array::from_slice(&[1.0f32, 2.0], &[2])? + 1.0)?;
    /// let shared = a.to_shared()?;
    /// let back = std::thread::spawn(move || shared.to_vec::<f32>()).join().expect("panicked")?;
    /// assert_eq!(back, [2.0, 3.0]);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`]) when evaluation fails (e.g. a graph built from a
    /// failing op), as for [`Array::eval`].
    pub fn to_shared(&self) -> Result<SharedArray> {
        // Evaluate, then make the data dense and row-major so one copy takes it all.
        let dense = if self.dense_after_eval()? {
            self.clone()
        } else {
            let d = crate::ops::contiguous(self, false)?;
            if !d.dense_after_eval()? {
                return Err(Error::Backend(
                    "contiguous() returned a strided array".into(),
                ));
            }
            d
        };
        let p = dense.data_ptr()?;
        let shape = dense.shape();
        let ndim = i32::try_from(shape.len())
            .map_err(|_| Error::invalid("self", "too many dimensions"))?;
        // A zero-size array has no data to copy; mlx-c copies `size * itemsize` bytes.
        // mlx-c copies the data, so the new array shares nothing with `self` but the
        // values.
        let copy = mlx_new!(
            Array,
            mlx_array_new_data(p.cast(), shape.as_ptr(), ndim, dense.dtype().to_sys())
        )?;
        Ok(SharedArray(copy))
    }

    /// Evaluates, then tells whether the data is dense and row-major.
    fn dense_after_eval(&self) -> Result<bool> {
        self.eval()?;
        Ok(self.is_row_contiguous())
    }
}
