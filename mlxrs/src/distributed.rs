//! Distributed communication (`mx.distributed`): MLX's own engine, from Rust.
//!
//! A [`Group`] of processes comes from [`init`], which joins the processes that a
//! launcher started (`cargo xtask launch -n 2 -- CMD`, Python's `mlx.launch`, or
//! `mpirun`); the collectives ([`all_sum`], [`all_gather`], [`all_max`], [`all_min`],
//! [`sum_scatter`]) and the point-to-point ops ([`send`], [`recv`], [`recv_like`]) are
//! lazy ops like any other: they build a graph node and communicate when evaluated.
//! Backends are MLX's ([`Backend`]): `ring` (TCP sockets, read from `MLX_RANK` and
//! `MLX_HOSTFILE`), `mpi` (an MPI library loaded at run time), `nccl` (CUDA) and `jaccl`
//! (RDMA over Thunderbolt on Macs). mlxrs adds no communication layer of its own.
//!
//! Every op takes `group: Option<&Group>`, Python's `group=None`: `None` is MLX's global
//! group (the one [`init`] made, or a singleton group when no launcher started this
//! process). In a singleton group the collectives are identities, as in Python; [`send`]
//! and [`recv`] fail. The ops run on the current stream (see [`crate::stream`]); MLX's
//! CPU backends (ring, MPI) need a CPU stream.
//!
//! ```
//! use mlxrs::{Array, distributed::{self, Backend}};
//! // Without a launcher this process is alone: rank 0 of a group of size 1.
//! let world = distributed::init(false, Backend::Any)?;
//! assert_eq!((world.rank()?, world.size()?), (0, 1));
//! let x = Array::from_slice(&[1.0f32, 2.0], &[2])?;
//! let total = distributed::all_sum(&x, Some(&world))?; // the sum over all processes
//! assert_eq!(total.to_vec::<f32>()?, vec![1.0, 2.0]);
//! # Ok::<(), mlxrs::Error>(())
//! ```
//!
//! # Threads
//! [`Group`] is neither `Send` nor `Sync`, like [`Array`]: MLX's group is a shared
//! pointer to a backend that holds sockets and keeps no lock around its bookkeeping, and
//! the ops it builds belong to this thread's streams. Use a group on the thread that made
//! it (MLX's global group, `None`, is reachable from every thread).

use std::fmt;
use std::str::FromStr;

use crate::ffi::{c_string, handle, mlx_call, mlx_op, mlx_value, opt_group};
use crate::stream::current_raw;
use crate::{Array, Dtype, Error, Result, Shape};

/// A distributed backend of MLX, named as MLX names it (Python's `backend=` strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backend {
    /// `"any"`: the first backend that initializes, in MLX's order (Python's default).
    #[default]
    Any,
    /// `"ring"`: TCP sockets in a ring; reads `MLX_RANK` and `MLX_HOSTFILE`.
    Ring,
    /// `"mpi"`: an MPI library (Open MPI) loaded at run time; started by `mpirun`.
    Mpi,
    /// `"nccl"`: NVIDIA's NCCL on CUDA GPUs.
    Nccl,
    /// `"jaccl"`: RDMA over Thunderbolt between Macs.
    Jaccl,
}

impl Backend {
    /// Every backend, in declaration order.
    pub const ALL: [Backend; 5] = [
        Backend::Any,
        Backend::Ring,
        Backend::Mpi,
        Backend::Nccl,
        Backend::Jaccl,
    ];

    /// MLX's name for the backend (`"any"`, `"ring"`, `"mpi"`, `"nccl"`, `"jaccl"`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Any => "any",
            Backend::Ring => "ring",
            Backend::Mpi => "mpi",
            Backend::Nccl => "nccl",
            Backend::Jaccl => "jaccl",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Backend {
    type Err = Error;

    /// Parses MLX's backend names.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `backend` for any other string.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::distributed::Backend;
    /// assert_eq!("ring".parse::<Backend>()?, Backend::Ring);
    /// assert!("tcp".parse::<Backend>().is_err());
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        Backend::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| Error::InvalidArgument {
                name: "backend",
                reason: format!(
                    "unknown distributed backend {s:?}; expected one of any, ring, mpi, nccl, jaccl"
                ),
            })
    }
}

handle! {
    /// A group of communicating processes (Python: `mx.distributed.Group`), from [`init`]
    /// or [`Group::split`]. Each process knows its [`rank`](Group::rank) in the group and
    /// the group's [`size`](Group::size). Neither `Send` nor `Sync` (see the
    /// [module docs](self)).
    pub struct Group(mlx_distributed_group) { new: mlx_distributed_group_new, free: mlx_distributed_group_free }
}

impl Group {
    /// This process's rank in the group, `0..size` (Python: `Group.rank()`).
    ///
    /// # Errors
    /// Only if mlx-c reports a failure.
    pub fn rank(&self) -> Result<i32> {
        mlx_value!(mlx_distributed_group_rank(self.as_raw()))
    }

    /// The number of processes in the group (Python: `Group.size()`).
    ///
    /// # Errors
    /// Only if mlx-c reports a failure.
    pub fn size(&self) -> Result<i32> {
        mlx_value!(mlx_distributed_group_size(self.as_raw()))
    }

    /// Splits the group into subgroups (Python: `Group.split(color, key=-1)`): the
    /// processes that pass the same `color` form one new group, ordered by `key` (with
    /// `-1`, Python's default, by their rank in this group). Every process of the group
    /// must call it.
    ///
    /// # Errors
    /// MLX's error when the backend cannot split: MLX 0.32's ring backend cannot
    /// (`"[ring] Group split not supported."`), nor can a singleton group
    /// (`"[distributed::split] Cannot split the distributed group further."`); the MPI
    /// backend can.
    pub fn split(&self, color: i32, key: i32) -> Result<Group> {
        let mut out = Group::empty();
        named(
            "split",
            mlx_call!(mlx_distributed_group_split(
                out.as_out(),
                self.as_raw(),
                color,
                key
            )),
        )?;
        Ok(out)
    }
}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group")
            .field("rank", &self.rank().ok())
            .field("size", &self.size().ok())
            .finish()
    }
}

/// Whether MLX was built with `backend` and can use it here (Python:
/// `mx.distributed.is_available(backend="any")`). For `mpi` this means an MPI library
/// could be loaded; it does not mean a launcher started this process.
///
/// # Errors
/// Only if mlx-c reports a failure.
///
/// # Examples
/// ```
/// use mlxrs::distributed::{Backend, is_available};
/// assert!(is_available(Backend::Ring)?); // built into every MLX
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn is_available(backend: Backend) -> Result<bool> {
    let name = c_string("backend", backend.as_str())?;
    mlx_value!(mlx_distributed_is_available(name.as_ptr()))
}

/// Joins the distributed group that the launcher set up, and makes it MLX's global group
/// (Python: `mx.distributed.init(strict=False, backend="any")`).
///
/// With `strict == false`, a process that no launcher started (or whose backend cannot
/// initialize) gets a singleton group: rank 0 of 1, in which the collectives are
/// identities. With `strict == true` that is an error instead. Every process of the job
/// must call it; calling it again returns the same group.
///
/// # Errors
/// With `strict`, MLX's error when `backend` cannot initialize (no launcher environment,
/// peers unreachable, library missing), prefixed with `[distributed::init]` when MLX's
/// message names no op.
pub fn init(strict: bool, backend: Backend) -> Result<Group> {
    let name = c_string("backend", backend.as_str())?;
    let mut out = Group::empty();
    named(
        "init",
        mlx_call!(mlx_distributed_init(out.as_out(), strict, name.as_ptr())),
    )?;
    Ok(out)
}

/// The sum of `x` over all processes of the group (Python: `mx.distributed.all_sum`);
/// every process gets the same result. Differentiable: the gradient passes through
/// unchanged (MLX's rule), as each process's loss depends on its own copy.
///
/// # Errors
/// MLX's error when the backend fails (a peer died, the stream is not on a device the
/// backend supports).
///
/// # Examples
/// ```
/// use mlxrs::{Array, distributed::all_sum};
/// let x = Array::from_slice(&[1i32, 2, 3], &[3])?;
/// assert_eq!(all_sum(&x, None)?.to_vec::<i32>()?, [1, 2, 3]); // alone: the identity
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn all_sum(x: &Array, group: Option<&Group>) -> Result<Array> {
    named(
        "all_sum",
        mlx_op!(mlx_distributed_all_sum(
            x.as_raw(),
            opt_group(group),
            current_raw()?
        )),
    )
}

/// The elementwise maximum of `x` over all processes of the group (Python:
/// `mx.distributed.all_max`).
///
/// # Errors
/// As [`all_sum`].
pub fn all_max(x: &Array, group: Option<&Group>) -> Result<Array> {
    named(
        "all_max",
        mlx_op!(mlx_distributed_all_max(
            x.as_raw(),
            opt_group(group),
            current_raw()?
        )),
    )
}

/// The elementwise minimum of `x` over all processes of the group (Python:
/// `mx.distributed.all_min`).
///
/// # Errors
/// As [`all_sum`].
pub fn all_min(x: &Array, group: Option<&Group>) -> Result<Array> {
    named(
        "all_min",
        mlx_op!(mlx_distributed_all_min(
            x.as_raw(),
            opt_group(group),
            current_raw()?
        )),
    )
}

/// The `x` of every process, concatenated along the first axis in rank order (Python:
/// `mx.distributed.all_gather`): shape `[size * n, ...]` for `x` of shape `[n, ...]`, and
/// `[size]` for a scalar. Differentiable: the gradient is this rank's slice of the
/// cotangent.
///
/// # Errors
/// As [`all_sum`].
pub fn all_gather(x: &Array, group: Option<&Group>) -> Result<Array> {
    named(
        "all_gather",
        mlx_op!(mlx_distributed_all_gather(
            x.as_raw(),
            opt_group(group),
            current_raw()?
        )),
    )
}

/// The sum of `x` over all processes, scattered along the first axis (Python:
/// `mx.distributed.sum_scatter`, a reduce-scatter): rank `r` gets rows
/// `r * n / size .. (r + 1) * n / size` of the sum, where `n` (the first dimension) must
/// be a multiple of the group size.
///
/// # Errors
/// MLX's error when the first dimension is not divisible by the group size or when the
/// backend does not implement it (MLX 0.32's MPI backend does not).
pub fn sum_scatter(x: &Array, group: Option<&Group>) -> Result<Array> {
    named(
        "sum_scatter",
        mlx_op!(mlx_distributed_sum_scatter(
            x.as_raw(),
            opt_group(group),
            current_raw()?
        )),
    )
}

/// Sends `x` to the process of rank `dst` (Python: `mx.distributed.send(x, dst)`); the
/// receiver calls [`recv`] or [`recv_like`] with this rank as `src`. The result is `x`
/// itself once sent: evaluate it (or something that depends on it) to send.
///
/// # Errors
/// MLX's error for a singleton group or a `dst` outside `0..size`.
pub fn send(x: &Array, dst: i32, group: Option<&Group>) -> Result<Array> {
    named(
        "send",
        mlx_op!(mlx_distributed_send(
            x.as_raw(),
            dst,
            opt_group(group),
            current_raw()?
        )),
    )
}

/// Receives an array of `shape` and `dtype` from the process of rank `src` (Python:
/// `mx.distributed.recv(shape, dtype, src)`), which sends it with [`send`].
///
/// # Errors
/// MLX's error for a singleton group or a `src` outside `0..size`;
/// [`Error::InvalidArgument`] when a dimension does not fit in `i32`.
pub fn recv(shape: impl Shape, dtype: Dtype, src: i32, group: Option<&Group>) -> Result<Array> {
    let dims = shape.dims()?;
    named(
        "recv",
        mlx_op!(mlx_distributed_recv(
            dims.as_ptr(),
            dims.len(),
            dtype.to_sys(),
            src,
            opt_group(group),
            current_raw()?
        )),
    )
}

/// Receives an array shaped and typed like `x` from the process of rank `src` (Python:
/// `mx.distributed.recv_like(x, src)`).
///
/// # Errors
/// As [`recv`].
pub fn recv_like(x: &Array, src: i32, group: Option<&Group>) -> Result<Array> {
    named(
        "recv_like",
        mlx_op!(mlx_distributed_recv_like(
            x.as_raw(),
            src,
            opt_group(group),
            current_raw()?
        )),
    )
}

/// MLX's distributed messages mostly name no op ("Cannot send to a singleton group"):
/// prefix them with the op, as MLX's other messages are (`[op] ...`).
fn named<T>(op: &'static str, result: Result<T>) -> Result<T> {
    result.map_err(|e| match e {
        Error::Backend(msg) if !msg.starts_with('[') => {
            Error::Backend(format!("[distributed::{op}] {msg}"))
        }
        other => other,
    })
}
