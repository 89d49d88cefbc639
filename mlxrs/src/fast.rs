//! Fused implementations of common layers (`mx.fast`): normalizations, rotary
//! embeddings, attention, cross entropy, and custom Metal/CUDA kernels.
//!
//! Each function computes the same as its composition of plain ops, in one kernel where
//! the backend has one (on the CPU MLX falls back to the composed ops).
//!
//! ```
//! use mlxrs::{Array, fast::{self, AttentionMask, AttentionOptions}};
//! // One query attending over two keys; a causal mask aligned bottom-right lets the
//! // single (last) query see both keys.
//! let q = Array::from_slice(&[1.0f32, 0.0], &[1, 1, 1, 2])?;
//! let k = Array::from_slice(&[1.0f32, 0.0, 0.0, 1.0], &[1, 1, 2, 2])?;
//! let v = Array::from_slice(&[10.0f32, 20.0], &[1, 1, 2, 1])?;
//! let o = fast::scaled_dot_product_attention(
//!     &q, &k, &v, &AttentionOptions::new(0.0).mask(AttentionMask::Causal))?;
//! assert_eq!(o.to_vec::<f32>()?, [15.0]); // scale 0: equal weights
//! # Ok::<(), mlxrs::Error>(())
//! ```

use crate::error::{mlx_call, mlx_value};
use crate::handle::handle;
use crate::map::{VectorString, c_string};
use crate::stream::current_raw;
use crate::vector::VectorArray;
use crate::{Array, Dtype, Error, Result, Shape};

fn optional(a: Option<&Array>) -> mlxrs_sys::mlx_array {
    a.map_or(
        mlxrs_sys::mlx_array {
            ctx: std::ptr::null_mut(),
        },
        Array::as_raw,
    )
}

/// Layer normalization over the last axis, with optional scale `weight` and `bias`
/// (Python: `mx.fast.layer_norm`).
///
/// # Errors
/// MLX's error when `weight` or `bias` does not match the last axis of `x`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, fast::layer_norm};
/// let y = layer_norm(&Array::from_slice(&[1.0f32, 3.0], &[1, 2])?, None, None, 1e-5)?;
/// let v = y.to_vec::<f32>()?;
/// assert!((v[0] + 1.0).abs() < 1e-3 && (v[1] - 1.0).abs() < 1e-3);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn layer_norm(
    x: &Array,
    weight: Option<&Array>,
    bias: Option<&Array>,
    eps: f32,
) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_fast_layer_norm(
        out.as_out(),
        x.as_raw(),
        optional(weight),
        optional(bias),
        eps,
        current_raw()?
    ))?;
    Ok(out)
}

/// Root-mean-square normalization over the last axis, with optional scale `weight`
/// (Python: `mx.fast.rms_norm`).
///
/// # Errors
/// MLX's error when `weight` does not match the last axis of `x`.
pub fn rms_norm(x: &Array, weight: Option<&Array>, eps: f32) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_fast_rms_norm(
        out.as_out(),
        x.as_raw(),
        optional(weight),
        eps,
        current_raw()?
    ))?;
    Ok(out)
}

/// Rotary positional encoding (Python: `mx.fast.rope` with an integer `offset`).
///
/// `a` has shape `[B, *, T, D]`; its first `dims` features are rotated (consecutive pairs
/// when `traditional`, else the two halves), by angles `scale * (offset + t) * θ_i` with
/// `θ_i = base^(-2i/dims)`, or the given `freqs` (then `base` must be `None`).
///
/// # Errors
/// MLX's error for fewer than 3 dimensions, or when `base` and `freqs` are both given or
/// both absent.
///
/// # Examples
/// ```
/// use mlxrs::{Array, fast::rope};
/// // Position 0 is not rotated.
/// let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[1, 1, 4])?;
/// let y = rope(&x, 4, false, Some(10000.0), 1.0, 0, None)?;
/// assert_eq!(y.to_vec::<f32>()?, [1.0, 2.0, 3.0, 4.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn rope(
    a: &Array,
    dims: i32,
    traditional: bool,
    base: Option<f32>,
    scale: f32,
    offset: i32,
    freqs: Option<&Array>,
) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_fast_rope(
        out.as_out(),
        a.as_raw(),
        dims,
        traditional,
        optional_float(base),
        scale,
        offset,
        optional(freqs),
        current_raw()?
    ))?;
    Ok(out)
}

/// [`rope`] with the offset given as an array (Python: `mx.fast.rope` with an array
/// `offset`): a scalar, or one offset per batch element.
///
/// # Errors
/// As for [`rope`], and MLX's error for an offset of the wrong shape.
pub fn rope_dynamic(
    a: &Array,
    dims: i32,
    traditional: bool,
    base: Option<f32>,
    scale: f32,
    offset: &Array,
    freqs: Option<&Array>,
) -> Result<Array> {
    let mut out = Array::empty();
    mlx_call!(mlx_fast_rope_dynamic(
        out.as_out(),
        a.as_raw(),
        dims,
        traditional,
        optional_float(base),
        scale,
        offset.as_raw(),
        optional(freqs),
        current_raw()?
    ))?;
    Ok(out)
}

fn optional_float(value: Option<f32>) -> mlxrs_sys::mlx_optional_float {
    mlxrs_sys::mlx_optional_float {
        value: value.unwrap_or(0.0),
        has_value: value.is_some(),
    }
}

/// The mask of [`scaled_dot_product_attention`], Python's `mask` argument.
#[derive(Debug, Clone, Copy, Default)]
pub enum AttentionMask<'a> {
    /// No mask (`None`).
    #[default]
    None,
    /// A causal mask (`"causal"`), aligned bottom-right: the last query sees every key.
    Causal,
    /// A boolean mask (`true` = attend) or an additive one, broadcastable to
    /// `[B, N, T_q, T_kv]`.
    Array(&'a Array),
}

/// The keyword arguments of [`scaled_dot_product_attention`].
///
/// ```
/// use mlxrs::fast::{AttentionMask, AttentionOptions};
/// let options = AttentionOptions::new(0.125).mask(AttentionMask::Causal);
/// assert_eq!(options.scale, 0.125);
/// assert!(options.sinks.is_none() && !options.force_fused);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AttentionOptions<'a> {
    /// The factor applied to the queries, typically `1 / sqrt(D)`.
    pub scale: f32,
    /// The mask; none by default.
    pub mask: AttentionMask<'a>,
    /// Optional attention sinks, one logit per query head.
    pub sinks: Option<&'a Array>,
    /// Use a fused kernel regardless of MLX's heuristics, and fail where none exists.
    pub force_fused: bool,
}

impl<'a> AttentionOptions<'a> {
    /// Options with `scale`, no mask, no sinks.
    pub fn new(scale: f32) -> Self {
        AttentionOptions {
            scale,
            mask: AttentionMask::None,
            sinks: None,
            force_fused: false,
        }
    }

    /// With `mask`.
    #[must_use]
    pub fn mask(mut self, mask: AttentionMask<'a>) -> Self {
        self.mask = mask;
        self
    }

    /// With attention `sinks`.
    #[must_use]
    pub fn sinks(mut self, sinks: &'a Array) -> Self {
        self.sinks = Some(sinks);
        self
    }

    /// With `force_fused`.
    #[must_use]
    pub fn force_fused(mut self, force_fused: bool) -> Self {
        self.force_fused = force_fused;
        self
    }
}

/// Multi-head attention `softmax(scale · q kᵀ + mask) v` (Python:
/// `mx.fast.scaled_dot_product_attention`), with grouped- and multi-query attention:
/// `queries` `[B, N_q, T_q, D]`, `keys` and `values` `[B, N_kv, T_kv, D]` with `N_q` a
/// multiple of `N_kv` (not pre-tiled). The softmax runs in `float32`.
///
/// # Errors
/// MLX's error for incompatible shapes or mask, or `force_fused` where no fused kernel
/// exists; [`Error::InvalidArgument`] for keys or values
/// without heads (MLX divides by their number).
pub fn scaled_dot_product_attention(
    queries: &Array,
    keys: &Array,
    values: &Array,
    options: &AttentionOptions<'_>,
) -> Result<Array> {
    // MLX 0.32.2 divides the query heads by the key heads: none is a SIGFPE (in Python
    // MLX too).
    let heads = |a: &Array| a.ndim().checked_sub(3).map(|i| a.shape()[i]);
    if heads(keys) == Some(0) || heads(values) == Some(0) {
        return Err(crate::Error::invalid(
            "keys/values",
            format!(
                "scaled_dot_product_attention needs at least one key/value head, got shapes {:?} and {:?}",
                keys.shape(),
                values.shape()
            ),
        ));
    }
    let (mode, mask) = match options.mask {
        AttentionMask::None => (c"", None),
        AttentionMask::Causal => (c"causal", None),
        AttentionMask::Array(m) => (c"array", Some(m)),
    };
    let mut out = Array::empty();
    mlx_call!(mlx_fast_scaled_dot_product_attention(
        out.as_out(),
        queries.as_raw(),
        keys.as_raw(),
        values.as_raw(),
        options.scale,
        mode.as_ptr(),
        optional(mask),
        optional(options.sinks),
        options.force_fused,
        current_raw()?
    ))?;
    Ok(out)
}

/// Cross entropy with class indices as targets (Python: `mx.fast.cross_entropy`):
/// `logsumexp(logits, -1) - logits[..., targets]`, in `float32`, with the shape of
/// `targets`. Fused on CUDA; composed of plain ops elsewhere.
///
/// # Errors
/// MLX's error when the shape of `targets` is not that of `logits` without its last
/// axis.
///
/// # Examples
/// ```
/// use mlxrs::{Array, fast::cross_entropy};
/// let logits = Array::from_slice(&[0.0f32, 0.0], &[1, 2])?;
/// let loss = cross_entropy(&logits, &Array::from_slice(&[1i32], &[1])?)?;
/// assert!((loss.to_vec::<f32>()?[0] - 2f32.ln()).abs() < 1e-6);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn cross_entropy(logits: &Array, targets: &Array) -> Result<Array> {
    // The targets index the last axis: kept in bounds as index arrays are (see
    // `ops::indexing`), since MLX reads outside `logits` for an out-of-range class.
    // (The general form: the fused CUDA kernel need not wrap negative classes.)
    let targets = &match logits.shape().last() {
        Some(&n) => crate::ops::indexing::in_bounds(targets, &[n], &[1])?,
        None => targets.clone(),
    };
    let mut out = Array::empty();
    mlx_call!(mlx_fast_cross_entropy(
        out.as_out(),
        logits.as_raw(),
        targets.as_raw(),
        current_raw()?
    ))?;
    Ok(out)
}

/// The launch configuration of a custom kernel: the output shapes and dtypes, the grid,
/// the thread group, template arguments, and debugging switches (the keyword arguments of
/// the kernel object's call in Python).
macro_rules! kernel_config {
    (
        $(#[$meta:meta])*
        $name:ident($raw:ident) {
            new: $new:ident, free: $free:ident, add_output_arg: $add_output_arg:ident,
            set_grid: $set_grid:ident, set_thread_group: $set_thread_group:ident,
            set_init_value: $set_init_value:ident, set_verbose: $set_verbose:ident,
            add_template_arg_dtype: $dtype_arg:ident, add_template_arg_int: $int_arg:ident,
            add_template_arg_bool: $bool_arg:ident,
        }
    ) => {
        handle! {
            $(#[$meta])*
            pub struct $name($raw) { new: $new, free: $free }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }

        impl $name {
            /// An empty configuration.
            ///
            /// # Errors
            /// Only if mlx-c cannot allocate it.
            pub fn new() -> Result<Self> {
                let config = $name::empty();
                crate::error::check_handler(stringify!($new))?;
                if config.as_raw().ctx.is_null() {
                    return Err(Error::Backend(concat!(stringify!($new), " failed").into()));
                }
                Ok(config)
            }

            /// Adds an output of `shape` and `dtype` (Python's `output_shapes` and
            /// `output_dtypes`, one entry per call, in order).
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] for a dimension over `i32::MAX`.
            pub fn add_output_arg(&mut self, shape: impl Shape, dtype: Dtype) -> Result<&mut Self> {
                let dims = shape.dims()?;
                mlx_call!($add_output_arg(self.as_raw(), dims.as_ptr(), dims.len(), dtype.to_sys()))?;
                Ok(self)
            }

            /// The grid size in threads (Python's `grid`).
            ///
            /// # Errors
            /// Only if mlx-c reports a failure.
            pub fn set_grid(&mut self, x: i32, y: i32, z: i32) -> Result<&mut Self> {
                mlx_call!($set_grid(self.as_raw(), x, y, z))?;
                Ok(self)
            }

            /// The thread group size (Python's `threadgroup`).
            ///
            /// # Errors
            /// Only if mlx-c reports a failure.
            pub fn set_thread_group(&mut self, x: i32, y: i32, z: i32) -> Result<&mut Self> {
                mlx_call!($set_thread_group(self.as_raw(), x, y, z))?;
                Ok(self)
            }

            /// The value the outputs are filled with before the kernel runs (Python's
            /// `init_value`; by default they are uninitialized).
            ///
            /// # Errors
            /// Only if mlx-c reports a failure.
            pub fn set_init_value(&mut self, value: f32) -> Result<&mut Self> {
                mlx_call!($set_init_value(self.as_raw(), value))?;
                Ok(self)
            }

            /// Whether to print the generated source (Python's `verbose`).
            ///
            /// # Errors
            /// Only if mlx-c reports a failure.
            pub fn set_verbose(&mut self, verbose: bool) -> Result<&mut Self> {
                mlx_call!($set_verbose(self.as_raw(), verbose))?;
                Ok(self)
            }

            /// A type template argument `name = dtype` (an entry of Python's `template`).
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] naming `name` if it holds a NUL byte.
            pub fn add_template_arg_dtype(&mut self, name: &str, dtype: Dtype) -> Result<&mut Self> {
                let name = c_string("name", name)?;
                mlx_call!($dtype_arg(self.as_raw(), name.as_ptr(), dtype.to_sys()))?;
                Ok(self)
            }

            /// An integer template argument `name = value`.
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] naming `name` if it holds a NUL byte.
            pub fn add_template_arg_int(&mut self, name: &str, value: i32) -> Result<&mut Self> {
                let name = c_string("name", name)?;
                mlx_call!($int_arg(self.as_raw(), name.as_ptr(), value))?;
                Ok(self)
            }

            /// A boolean template argument `name = value`.
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] naming `name` if it holds a NUL byte.
            pub fn add_template_arg_bool(&mut self, name: &str, value: bool) -> Result<&mut Self> {
                let name = c_string("name", name)?;
                mlx_call!($bool_arg(self.as_raw(), name.as_ptr(), value))?;
                Ok(self)
            }
        }
    };
}

kernel_config! {
    /// The launch configuration of a [`MetalKernel`].
    MetalKernelConfig(mlx_fast_metal_kernel_config) {
        new: mlx_fast_metal_kernel_config_new, free: mlx_fast_metal_kernel_config_free,
        add_output_arg: mlx_fast_metal_kernel_config_add_output_arg,
        set_grid: mlx_fast_metal_kernel_config_set_grid,
        set_thread_group: mlx_fast_metal_kernel_config_set_thread_group,
        set_init_value: mlx_fast_metal_kernel_config_set_init_value,
        set_verbose: mlx_fast_metal_kernel_config_set_verbose,
        add_template_arg_dtype: mlx_fast_metal_kernel_config_add_template_arg_dtype,
        add_template_arg_int: mlx_fast_metal_kernel_config_add_template_arg_int,
        add_template_arg_bool: mlx_fast_metal_kernel_config_add_template_arg_bool,
    }
}

kernel_config! {
    /// The launch configuration of a [`CudaKernel`].
    CudaKernelConfig(mlx_fast_cuda_kernel_config) {
        new: mlx_fast_cuda_kernel_config_new, free: mlx_fast_cuda_kernel_config_free,
        add_output_arg: mlx_fast_cuda_kernel_config_add_output_arg,
        set_grid: mlx_fast_cuda_kernel_config_set_grid,
        set_thread_group: mlx_fast_cuda_kernel_config_set_thread_group,
        set_init_value: mlx_fast_cuda_kernel_config_set_init_value,
        set_verbose: mlx_fast_cuda_kernel_config_set_verbose,
        add_template_arg_dtype: mlx_fast_cuda_kernel_config_add_template_arg_dtype,
        add_template_arg_int: mlx_fast_cuda_kernel_config_add_template_arg_int,
        add_template_arg_bool: mlx_fast_cuda_kernel_config_add_template_arg_bool,
    }
}

/// The names as the `mlx_vector_string` mlx-c takes.
fn names(what: &'static str, names: &[&str]) -> Result<VectorString> {
    VectorString::from_strs(what, names)
}

handle! {
    /// A custom Metal kernel, JIT-compiled from the body of a Metal function (Python:
    /// `mx.fast.metal_kernel`). It needs MLX's Metal back end: elsewhere,
    /// [`MetalKernel::apply`] (or already [`MetalKernel::new`]) fails with MLX's error.
    ///
    /// ```
    /// use mlxrs::{Array, Dtype, fast::{MetalKernel, MetalKernelConfig}};
    /// let kernel = MetalKernel::new(
    ///     "myexp", &["inp"], &["out"],
    ///     "uint elem = thread_position_in_grid.x; out[elem] = metal::exp(inp[elem]);",
    ///     "", true, false);
    /// let mut config = MetalKernelConfig::new()?;
    /// config.add_output_arg(&[4], Dtype::Float32)?.set_grid(4, 1, 1)?.set_thread_group(4, 1, 1)?;
    /// let x = Array::zeros(&[4], Dtype::Float32)?;
    /// match kernel.and_then(|k| k.apply(&[x], &config)) {
    ///     Ok(out) => assert_eq!(out[0].to_vec::<f32>()?, [1.0; 4]), // a Metal build
    ///     Err(e) => assert!(!e.to_string().is_empty()),            // no Metal: a clean Err
    /// }
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    pub struct MetalKernel(mlx_fast_metal_kernel) { free: mlx_fast_metal_kernel_free }
}

impl std::fmt::Debug for MetalKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetalKernel").finish_non_exhaustive()
    }
}

impl MetalKernel {
    /// A kernel named `name` with the given input and output names and Metal `source`
    /// (the body only; MLX writes the signature), `header` (included before it),
    /// whether inputs are made row-contiguous first, and whether outputs are atomic.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a NUL byte in a string; MLX's error if it rejects
    /// the kernel.
    pub fn new(
        name: &str,
        input_names: &[&str],
        output_names: &[&str],
        source: &str,
        header: &str,
        ensure_row_contiguous: bool,
        atomic_outputs: bool,
    ) -> Result<Self> {
        let inputs = names("input_names", input_names)?;
        let outputs = names("output_names", output_names)?;
        let (name, source, header) = (
            c_string("name", name)?,
            c_string("source", source)?,
            c_string("header", header)?,
        );
        let raw = mlx_value!(mlx_fast_metal_kernel_new(
            name.as_ptr(),
            inputs.as_raw(),
            outputs.as_raw(),
            source.as_ptr(),
            header.as_ptr(),
            ensure_row_contiguous,
            atomic_outputs
        ))?;
        // SAFETY: a +1 handle (a null one is skipped by Drop).
        let kernel = unsafe { MetalKernel::from_raw(raw) };
        if raw.ctx.is_null() {
            return Err(Error::Backend("mlx_fast_metal_kernel_new failed".into()));
        }
        Ok(kernel)
    }

    /// Runs the kernel on `inputs` (one per input name) with `config`, on the current
    /// stream; returns one array per output.
    ///
    /// # Errors
    /// MLX's error, e.g. on a build without Metal, or for a kernel that does not compile.
    pub fn apply(&self, inputs: &[Array], config: &MetalKernelConfig) -> Result<Vec<Array>> {
        let inputs = VectorArray::from_arrays(inputs);
        let mut out = VectorArray::empty();
        mlx_call!(mlx_fast_metal_kernel_apply(
            out.as_out(),
            self.as_raw(),
            inputs.as_raw(),
            config.as_raw(),
            current_raw()?
        ))?;
        out.to_arrays()
    }
}

handle! {
    /// A custom CUDA kernel, JIT-compiled from the body of a CUDA function (Python:
    /// `mx.fast.cuda_kernel`). It needs MLX's CUDA back end: elsewhere,
    /// [`CudaKernel::apply`] (or already [`CudaKernel::new`]) fails with MLX's error.
    pub struct CudaKernel(mlx_fast_cuda_kernel) { free: mlx_fast_cuda_kernel_free }
}

impl std::fmt::Debug for CudaKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CudaKernel").finish_non_exhaustive()
    }
}

impl CudaKernel {
    /// A kernel named `name` with the given input and output names and CUDA `source`
    /// (the body only), `header`, whether inputs are made row-contiguous first, and the
    /// bytes of dynamic shared memory per block.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a NUL byte in a string; MLX's error if it rejects
    /// the kernel.
    pub fn new(
        name: &str,
        input_names: &[&str],
        output_names: &[&str],
        source: &str,
        header: &str,
        ensure_row_contiguous: bool,
        shared_memory: i32,
    ) -> Result<Self> {
        let inputs = names("input_names", input_names)?;
        let outputs = names("output_names", output_names)?;
        let (name, source, header) = (
            c_string("name", name)?,
            c_string("source", source)?,
            c_string("header", header)?,
        );
        let raw = mlx_value!(mlx_fast_cuda_kernel_new(
            name.as_ptr(),
            inputs.as_raw(),
            outputs.as_raw(),
            source.as_ptr(),
            header.as_ptr(),
            ensure_row_contiguous,
            shared_memory
        ))?;
        // SAFETY: a +1 handle (a null one is skipped by Drop).
        let kernel = unsafe { CudaKernel::from_raw(raw) };
        if raw.ctx.is_null() {
            return Err(Error::Backend("mlx_fast_cuda_kernel_new failed".into()));
        }
        Ok(kernel)
    }

    /// Runs the kernel on `inputs` with `config`, on the current stream; returns one
    /// array per output.
    ///
    /// # Errors
    /// MLX's error, e.g. on a build without CUDA, or for a kernel that does not compile.
    pub fn apply(&self, inputs: &[Array], config: &CudaKernelConfig) -> Result<Vec<Array>> {
        let inputs = VectorArray::from_arrays(inputs);
        let mut out = VectorArray::empty();
        mlx_call!(mlx_fast_cuda_kernel_apply(
            out.as_out(),
            self.as_raw(),
            inputs.as_raw(),
            config.as_raw(),
            current_raw()?
        ))?;
        out.to_arrays()
    }
}
