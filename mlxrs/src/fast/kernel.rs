//! Custom Metal and CUDA kernels (`mx.fast.metal_kernel`, `mx.fast.cuda_kernel`) and
//! their launch configurations.

#[cfg(doc)]
use crate::Error;
use crate::ffi::{VectorArray, VectorString, c_string, handle, mlx_call, mlx_new};
use crate::stream::current_raw;
use crate::{Array, Dtype, Result, Shape};

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
                mlx_new!($name, $new())
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

/// A custom kernel type: the handle, `new` (the source and its names, made by
/// `$new`) and `apply` (run by `$apply` with its launch configuration `$config`).
macro_rules! kernel {
    (
        $(#[$meta:meta])*
        $name:ident($raw:ident) {
            free: $free:ident, new: $new:ident, apply: $apply:ident, config: $config:ident,
            backend: $backend:literal,
        }
        $(#[$new_meta:meta])*
        fn new(.., $last:ident: $last_ty:ty);
    ) => {
        handle! {
            $(#[$meta])*
            pub struct $name($raw) { free: $free }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }

        impl $name {
            $(#[$new_meta])*
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] for a NUL byte in a string; MLX's error if it
            /// rejects the kernel.
            pub fn new(
                name: &str,
                input_names: &[&str],
                output_names: &[&str],
                source: &str,
                header: &str,
                ensure_row_contiguous: bool,
                $last: $last_ty,
            ) -> Result<Self> {
                let inputs = VectorString::from_strs("input_names", input_names)?;
                let outputs = VectorString::from_strs("output_names", output_names)?;
                let (name, source, header) = (
                    c_string("name", name)?,
                    c_string("source", source)?,
                    c_string("header", header)?,
                );
                mlx_new!(
                    $name,
                    $new(
                        name.as_ptr(),
                        inputs.as_raw(),
                        outputs.as_raw(),
                        source.as_ptr(),
                        header.as_ptr(),
                        ensure_row_contiguous,
                        $last
                    )
                )
            }

            /// Runs the kernel on `inputs` (one per input name) with `config`, on the
            /// current stream; returns one array per output.
            ///
            /// # Errors
            #[doc = concat!("MLX's error, e.g. on a build without ", $backend, ", or for a kernel that does not compile.")]
            pub fn apply(&self, inputs: &[Array], config: &$config) -> Result<Vec<Array>> {
                let inputs = VectorArray::from_arrays(inputs)?;
                let mut out = VectorArray::empty();
                mlx_call!($apply(
                    out.as_out(),
                    self.as_raw(),
                    inputs.as_raw(),
                    config.as_raw(),
                    current_raw()?
                ))?;
                out.to_arrays()
            }
        }
    };
}

kernel! {
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
    MetalKernel(mlx_fast_metal_kernel) {
        free: mlx_fast_metal_kernel_free, new: mlx_fast_metal_kernel_new,
        apply: mlx_fast_metal_kernel_apply, config: MetalKernelConfig, backend: "Metal",
    }
    /// A kernel named `name` with the given input and output names and Metal `source`
    /// (the body only; MLX writes the signature), `header` (included before it),
    /// whether inputs are made row-contiguous first, and whether outputs are atomic.
    fn new(.., atomic_outputs: bool);
}

kernel! {
    /// A custom CUDA kernel, JIT-compiled from the body of a CUDA function (Python:
    /// `mx.fast.cuda_kernel`). It needs MLX's CUDA back end: elsewhere,
    /// [`CudaKernel::apply`] (or already [`CudaKernel::new`]) fails with MLX's error.
    CudaKernel(mlx_fast_cuda_kernel) {
        free: mlx_fast_cuda_kernel_free, new: mlx_fast_cuda_kernel_new,
        apply: mlx_fast_cuda_kernel_apply, config: CudaKernelConfig, backend: "CUDA",
    }
    /// A kernel named `name` with the given input and output names and CUDA `source`
    /// (the body only), `header`, whether inputs are made row-contiguous first, and the
    /// bytes of dynamic shared memory per block.
    fn new(.., shared_memory: i32);
}
