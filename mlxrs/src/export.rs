//! Exporting functions to files and importing them back (Python's `mx.export_function`,
//! `mx.import_function`, `mx.exporter`).
//!
//! Exporting traces a Rust closure on example inputs and saves the resulting graph of MLX
//! operations in a `.mlxfn` file; importing gives back a callable that runs that graph
//! (from any language with MLX bindings), without the original closure. A function
//! exported with `shapeless = true` accepts inputs of other shapes (of the same rank and
//! dtypes); otherwise calls must match the traced shapes, or another trace of them (see
//! [`exporter`]).
//!
//! ```
//! use mlxrs::{Array, export, ops};
//! let path = std::env::temp_dir().join(format!("mlxrs-export-doc-{}.mlxfn", std::process::id()));
//! // f(x, y) = x * y + 1
//! let f = |xs: &[Array]| Ok(vec![ops::add(&ops::multiply(&xs[0], &xs[1])?, &Array::from(1.0f32))?]);
//! let example = [Array::from_slice(&[1.0f32, 2.0], &[2])?, Array::from_slice(&[3.0f32, 4.0], &[2])?];
//! export::export_function(&path, f, &example, false)?;
//!
//! let g = export::import_function(&path)?;
//! let out = g.call(&[Array::from_slice(&[2.0f32, 3.0], &[2])?, Array::from_slice(&[5.0f32, 6.0], &[2])?])?;
//! assert_eq!(out[0].to_vec::<f32>()?, [11.0, 19.0]);
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), mlxrs::Error>(())
//! ```
//!
//! The closures are called while exporting only (on the calling thread), to trace them;
//! they must be `'static` because MLX keeps them until the export (or the exporter) is
//! done.
//!
//! # Threads
//! MLX 0.32.2 binds an imported function to the process's first CPU stream (its
//! `import_function` picks the first stream of the device MLX ever made), and MLX keeps
//! streams per thread: the outputs of [`ImportedFunction::call`] can be evaluated only on
//! the thread that first used MLX (usually the main thread). On another thread their
//! evaluation fails with MLX's `"There is no Stream(cpu, 0) in current thread."`.
//!
//! # Untrusted files
//! Import only files you trust. MLX 0.32.2 quotes names read from the file in some of
//! its errors, and mlx-c 0.7.0 passes error messages to `printf` as the format string,
//! so a corrupt file holding `%` directives can crash the process. (mlxrs refuses `%` in
//! the paths and keyword names it passes itself.)

use std::collections::HashMap;
use std::path::Path;

use crate::ffi::closure::{Closure, ClosureKwargs};
use crate::ffi::{MapStringToArray, TempCFile, VectorArray, c_string, handle, mlx_call, mlx_new};
use crate::io::path_arg;
use crate::{Array, Error, Result};

/// The keyword arguments as the map mlx-c takes. MLX quotes the keywords in the error
/// for a call that matches no trace, and mlx-c 0.7.0 passes its error messages to
/// `printf` as the format string: without mlxrs-sys's fix (an installed mlx-c), a key
/// holding `%` is refused.
fn kwargs_map(kwargs: &HashMap<String, Array>) -> Result<MapStringToArray> {
    if let Some(key) = kwargs
        .keys()
        .find(|k| cfg!(not(mlxrs_mlx_error_fixed)) && k.contains('%'))
    {
        return Err(Error::invalid(
            "kwargs",
            format!("{key:?} contains `%`, which mlx-c 0.7.0 would misread as a printf directive"),
        ));
    }
    MapStringToArray::from_entries("kwargs", kwargs)
}

/// Traces `fun` on `args` and saves it to `file` (Python: `mx.export_function`).
///
/// With `shapeless`, the export can be called with inputs of other shapes (MLX rejects
/// exporting functions whose graph depends on the shapes).
///
/// # Errors
/// The first error of `fun` (returned as is), [`Error::ClosurePanicked`] if it panics,
/// MLX's error if the file cannot be written or the graph cannot be exported;
/// [`Error::InvalidArgument`] for a path that is not UTF-8, or holds a NUL byte or `%`.
pub fn export_function<F>(
    file: impl AsRef<Path>,
    fun: F,
    args: &[Array],
    shapeless: bool,
) -> Result<()>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    let path = path_arg(file.as_ref())?;
    let closure = Closure::new(fun)?;
    let args = VectorArray::from_arrays(args)?;
    crate::ffi::status::clear_pending();
    mlx_call!(mlx_export_function(
        path.as_ptr(),
        closure.as_raw(),
        args.as_raw(),
        shapeless
    ))
}

/// Traces `fun` on positional `args` and keyword `kwargs` and saves it to `file`
/// (Python: `mx.export_function(file, fun, *args, **kwargs)`). The imported function is
/// then called with [`ImportedFunction::call_kwargs`], with the same keywords.
///
/// # Errors
/// As for [`export_function`]; [`Error::InvalidArgument`] naming `kwargs` for a key
/// holding a NUL byte or `%`.
///
/// # Examples
/// ```
/// use std::collections::HashMap;
/// use mlxrs::{Array, export, ops};
/// let path = std::env::temp_dir().join(format!("mlxrs-export-kw-doc-{}.mlxfn", std::process::id()));
/// let f = |args: &[Array], kwargs: &HashMap<String, Array>| {
///     Ok(vec![ops::subtract(&args[0], &kwargs["bias"])?])
/// };
/// let kwargs = HashMap::from([("bias".to_string(), Array::from(1.0f32))]);
/// export::export_function_kwargs(&path, f, &[Array::from(3.0f32)], &kwargs, false)?;
/// let g = export::import_function(&path)?;
/// let kwargs = HashMap::from([("bias".to_string(), Array::from(0.5f32))]);
/// assert_eq!(g.call_kwargs(&[Array::from(3.0f32)], &kwargs)?[0].item::<f32>()?, 2.5);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn export_function_kwargs<F>(
    file: impl AsRef<Path>,
    fun: F,
    args: &[Array],
    kwargs: &HashMap<String, Array>,
    shapeless: bool,
) -> Result<()>
where
    F: Fn(&[Array], &HashMap<String, Array>) -> Result<Vec<Array>> + 'static,
{
    let path = path_arg(file.as_ref())?;
    let closure = ClosureKwargs::new(fun)?;
    let args = VectorArray::from_arrays(args)?;
    let kwargs = kwargs_map(kwargs)?;
    crate::ffi::status::clear_pending();
    mlx_call!(mlx_export_function_kwargs(
        path.as_ptr(),
        closure.as_raw(),
        args.as_raw(),
        kwargs.as_raw(),
        shapeless
    ))
}

handle! {
    /// Exports several traces of one function (for several input shapes) to one file
    /// (Python: `mx.exporter`). Each [`FunctionExporter::call`] traces the function on
    /// new inputs and appends the trace to the file; [`FunctionExporter::close`] (or
    /// dropping it) closes the file.
    ///
    /// ```
    /// use mlxrs::{Array, export, ops};
    /// let path = std::env::temp_dir().join(format!("mlxrs-exporter-doc-{}.mlxfn", std::process::id()));
    /// let exporter = export::exporter(&path, |xs: &[Array]| Ok(vec![ops::square(&xs[0])?]), false)?;
    /// exporter.call(&[Array::from_slice(&[1.0f32], &[1])?])?;
    /// exporter.call(&[Array::from_slice(&[1.0f32, 2.0], &[2])?])?;
    /// exporter.close()?;
    ///
    /// let square = export::import_function(&path)?;
    /// assert_eq!(square.call(&[Array::from_slice(&[3.0f32], &[1])?])?[0].to_vec::<f32>()?, [9.0]);
    /// assert_eq!(square.call(&[Array::from_slice(&[2.0f32, 4.0], &[2])?])?[0].to_vec::<f32>()?, [4.0, 16.0]);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    pub struct FunctionExporter(mlx_function_exporter) { free: mlx_function_exporter_free }
}

/// An exporter that writes every trace of `fun` to `file` (Python: `mx.exporter`).
///
/// # Errors
/// MLX's error if the file cannot be created; [`Error::InvalidArgument`] for a path that
/// is not UTF-8, or holds a NUL byte or `%`.
pub fn exporter<F>(file: impl AsRef<Path>, fun: F, shapeless: bool) -> Result<FunctionExporter>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    let path = path_arg(file.as_ref())?;
    let closure = Closure::new(fun)?;
    let exporter = mlx_new!(
        FunctionExporter,
        mlx_function_exporter_new(path.as_ptr(), closure.as_raw(), shapeless)
    )?;
    Ok(exporter)
}

impl std::fmt::Debug for FunctionExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FunctionExporter").finish_non_exhaustive()
    }
}

impl FunctionExporter {
    /// Traces the function on `args` and adds the trace to the file.
    ///
    /// # Errors
    /// The function's own error or panic ([`Error::ClosurePanicked`]); MLX's error, e.g.
    /// for inputs whose number or dtypes differ from the first trace.
    pub fn call(&self, args: &[Array]) -> Result<()> {
        let args = VectorArray::from_arrays(args)?;
        crate::ffi::status::clear_pending();
        mlx_call!(mlx_function_exporter_apply(self.as_raw(), args.as_raw()))
    }

    /// Traces the function on positional `args` and keyword `kwargs`. The function was
    /// made from positional arguments only, so MLX rejects keywords it does not take.
    ///
    /// # Errors
    /// As for [`FunctionExporter::call`]; [`Error::InvalidArgument`] naming `kwargs` for a
    /// key holding a NUL byte or `%`.
    pub fn call_kwargs(&self, args: &[Array], kwargs: &HashMap<String, Array>) -> Result<()> {
        let args = VectorArray::from_arrays(args)?;
        let kwargs = kwargs_map(kwargs)?;
        crate::ffi::status::clear_pending();
        mlx_call!(mlx_function_exporter_apply_kwargs(
            self.as_raw(),
            args.as_raw(),
            kwargs.as_raw()
        ))
    }

    /// Closes the exporter and its file; every trace is already written (dropping the
    /// exporter does the same, ignoring errors).
    ///
    /// # Errors
    /// MLX's error if the file cannot be finished.
    pub fn close(self) -> Result<()> {
        let raw = self.into_raw();
        mlx_call!(mlx_function_exporter_free(raw))
    }
}

handle! {
    /// A function imported from a `.mlxfn` file (Python: the result of
    /// `mx.import_function`). See the [module docs](self#threads) for the thread its
    /// outputs can be evaluated on.
    pub struct ImportedFunction(mlx_imported_function) { free: mlx_imported_function_free }
}

/// Imports the function exported to `file` (Python: `mx.import_function`).
///
/// # Errors
/// MLX's error if the file is missing, truncated, or not an exported function (see the
/// [module docs](self#untrusted-files) on corrupt files); [`Error::InvalidArgument`] for
/// a path that is not UTF-8, or holds a NUL byte or `%`.
pub fn import_function(file: impl AsRef<Path>) -> Result<ImportedFunction> {
    let path = path_arg(file.as_ref())?;
    let function = mlx_new!(ImportedFunction, mlx_imported_function_new(path.as_ptr()))?;
    Ok(function)
}

impl std::fmt::Debug for ImportedFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportedFunction").finish_non_exhaustive()
    }
}

impl ImportedFunction {
    /// Calls the function on positional `args`; the outputs are lazy.
    ///
    /// # Errors
    /// MLX's error when no exported trace matches the inputs' number, shapes or dtypes.
    pub fn call(&self, args: &[Array]) -> Result<Vec<Array>> {
        let args = VectorArray::from_arrays(args)?;
        let mut out = VectorArray::empty();
        mlx_call!(mlx_imported_function_apply(
            out.as_out(),
            self.as_raw(),
            args.as_raw()
        ))?;
        out.to_arrays()
    }

    /// Calls the function on positional `args` and keyword `kwargs`.
    ///
    /// # Errors
    /// As for [`ImportedFunction::call`], and when the keywords differ from the export's;
    /// [`Error::InvalidArgument`] naming `kwargs` for a key holding a NUL byte or `%`.
    pub fn call_kwargs(
        &self,
        args: &[Array],
        kwargs: &HashMap<String, Array>,
    ) -> Result<Vec<Array>> {
        let args = VectorArray::from_arrays(args)?;
        let kwargs = kwargs_map(kwargs)?;
        let mut out = VectorArray::empty();
        mlx_call!(mlx_imported_function_apply_kwargs(
            out.as_out(),
            self.as_raw(),
            args.as_raw(),
            kwargs.as_raw()
        ))?;
        out.to_arrays()
    }
}

handle! {
    /// The names given to arrays in a DOT export.
    struct NodeNamer(mlx_node_namer) { new: mlx_node_namer_new, free: mlx_node_namer_free }
}

/// The graph that computes `outputs`, in Graphviz DOT format (Python:
/// `mx.export_to_dot`). The graph includes every unevaluated input of the outputs,
/// recursively: operations are boxes labelled with MLX's primitive names (`Add`,
/// `Multiply`, ...), arrays are ellipses named `A`, `B`, ... unless `names` gives them a
/// name (Python's keyword arguments).
///
/// Python writes the text to a file; this returns it (write it with
/// [`std::fs::write`]).
///
/// ```
/// use mlxrs::{Array, export::export_to_dot, ops};
/// let x = Array::from_slice(&[1.0f32, 2.0], &[2])?;
/// let y = ops::add(&ops::exp(&x)?, &x)?;
/// let dot = export_to_dot(&[&y], &[("x", &x)])?;
/// assert!(dot.starts_with("digraph {"));
/// assert!(dot.contains("label =\"Exp\"") && dot.contains("label =\"Add\""));
/// assert!(dot.contains("\"x\" ->"));
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] (`names`) for a name holding a NUL byte; MLX's error if the
/// graph cannot be written.
pub fn export_to_dot(outputs: &[&Array], names: &[(&str, &Array)]) -> Result<String> {
    let namer = NodeNamer::empty();
    for (name, array) in names {
        let name = c_string("names", name)?;
        mlx_call!(mlx_node_namer_set_name(
            namer.as_raw(),
            array.as_raw(),
            name.as_ptr()
        ))?;
    }
    let outputs = VectorArray::from_refs(outputs)?;
    let file = TempCFile::new()?;
    mlx_call!(mlx_export_to_dot(
        file.as_raw(),
        namer.as_raw(),
        outputs.as_raw()
    ))?;
    file.read_to_string()
}
