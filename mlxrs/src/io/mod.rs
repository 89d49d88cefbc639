//! Loading and saving arrays: NumPy `.npy`, `.safetensors` and `.gguf` files, and the
//! same formats through any Rust reader or writer (Python's `mx.load`, `mx.save`,
//! `mx.save_safetensors`, `mx.save_gguf`). All of it is re-exported at the crate root.
//!
//! | format        | from a path                | to a path            | Rust reader / writer               |
//! |---------------|----------------------------|----------------------|------------------------------------|
//! | `.npy`        | [`load`]                   | [`save`]             | [`load_from_reader`], [`save_to_writer`] |
//! | `.safetensors`| [`load_safetensors`]       | [`save_safetensors`] | [`load_safetensors_from_reader`], [`save_safetensors_to_writer`] |
//! | `.gguf`       | [`load_gguf`]              | [`save_gguf`]        | [`load_gguf_from_reader`], [`save_gguf_to_writer`] (through a temporary file: mlx-c reads and writes `.gguf` by path only) |
//!
//! ```
//! use std::collections::HashMap;
//! use std::io::Cursor;
//! use mlxrs::{Array, io};
//!
//! // .npy through an in-memory buffer.
//! let a = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
//! let mut buffer = Cursor::new(Vec::new());
//! io::save_to_writer(&mut buffer, &a)?;
//! buffer.set_position(0);
//! assert_eq!(io::load_from_reader(&mut buffer)?.to_vec::<f32>()?, [1.0, 2.0, 3.0]);
//!
//! // .safetensors on disk, with metadata.
//! let path = std::env::temp_dir().join(format!("mlxrs-io-doc-{}.safetensors", std::process::id()));
//! let arrays = HashMap::from([("w".to_string(), a)]);
//! let metadata = HashMap::from([("format".to_string(), "mlx".to_string())]);
//! io::save_safetensors(&path, &arrays, &metadata)?;
//! let (loaded, meta) = io::load_safetensors(&path)?;
//! assert_eq!(loaded["w"].to_vec::<f32>()?, [1.0, 2.0, 3.0]);
//! assert_eq!(meta["format"], "mlx");
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), mlxrs::Error>(())
//! ```
//!
//! # Reading once
//! The path loaders read the file **once**, into memory, check those bytes (see
//! [Errors](#errors)) and load from the same bytes through MLX's reader path: a file
//! replaced or truncated between the check and the load cannot reach MLX unchecked.
//! So, unlike Python's lazy `mx.load` of a path, the arrays are evaluated before the
//! loader returns, as the reader loaders (and Python for file objects) do; the file's
//! bytes are held in memory meanwhile.
//!
//! # Readers and writers
//! Any `Read + Seek` (`Write + Seek`) value works, owned or as `&mut`: a `File`, a
//! `Cursor<Vec<u8>>`, a `BufReader`. It is used from its **current position** on (offset
//! 0 for MLX is where it stood), so several files can share one stream. It must be
//! `Send`: MLX reads array data on its own I/O threads (one at a time, under a lock).
//!
//! # Errors
//! A missing, truncated or malformed file is an `Err`, never a crash:
//! - MLX's messages arrive as [`Error::Backend`], e.g.
//!   `"[load_safetensors] Invalid json header length file ..."`.
//! - An I/O error of a Rust reader or writer is returned as [`Error::Io`] (the first
//!   one), and a panic in one as [`Error::ClosurePanicked`]; neither unwinds into MLX.
//! - mlxrs checks what MLX 0.32.2 would not survive or would misreport, before handing
//!   the data over, and returns [`Error::Io`] of kind `InvalidData`: `.npy` data shorter
//!   than its header declares (MLX's file reader would repeat the last bytes), a header
//!   length beyond the end of the data, negative dimensions, GGUF headers whose lengths
//!   point out of the file (see [`load_gguf`]), and a `%` where MLX would quote it in an
//!   error message (mlx-c 0.7.0 passes its error messages to `printf` as the *format*
//!   string; a `.safetensors` header holding a `%` is validated in Rust first).
//! - For the same reason a path holding a `%` is refused, as [`Error::InvalidArgument`]
//!   naming `path`, like a path that is not valid UTF-8 or holds a NUL byte.

mod gguf;
mod gguf_scan;
mod precheck;

pub use gguf::{GgufMetadata, load_gguf, load_gguf_from_reader, save_gguf, save_gguf_to_writer};

use std::collections::HashMap;
use std::ffi::CString;
use std::io::{Read, Seek, Write};
use std::path::Path;

use crate::ffi::io_vtable::Lent;
use crate::ffi::status::panic_text;
use crate::ffi::{MapStringToArray, MapStringToString, c_string, mlx_call};
use crate::stream::current_raw;
use crate::{Array, Error, Result};

/// `path` as the C string mlx-c takes.
///
/// With an installed mlx-c (not built by mlxrs-sys, so without its error-format fix) a
/// `%` is refused: MLX quotes paths in its error messages, and mlx-c 0.7.0 hands those
/// messages to `printf` as the format string, so a `%` would be read as a directive.
pub(crate) fn path_arg(path: &Path) -> Result<CString> {
    let text = path
        .to_str()
        .ok_or_else(|| Error::invalid("path", format!("{} is not valid UTF-8", path.display())))?;
    if cfg!(not(mlxrs_mlx_error_fixed)) && text.contains('%') {
        return Err(Error::invalid(
            "path",
            format!(
                "{text:?} contains `%`, which mlx-c 0.7.0 would misread as a printf \
                 directive in its error messages"
            ),
        ));
    }
    c_string("path", text)
}

/// Runs a precheck on a Rust reader, turning a panic into [`Error::ClosurePanicked`].
fn precheck<R, T>(reader: &mut R, check: fn(&mut R) -> std::io::Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(reader))) {
        Ok(outcome) => outcome.map_err(Error::Io),
        Err(panic) => Err(Error::ClosurePanicked(panic_text(&*panic))),
    }
}

/// The whole file at `path`, read once: the path loaders check these bytes and hand MLX
/// the same bytes (through its reader path), never a file that could change between the
/// check and MLX opening it again. A file that cannot be read is [`Error::Io`] of the
/// same kind, with MLX's wording: `"[<op>] Failed to open file <path>: <reason>"`.
pub(crate) fn read_file(op: &str, path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("[{op}] Failed to open file {}: {e}", path.display()),
        ))
    })
}

/// Loads an array from a NumPy `.npy` file (Python: `mx.load` on a `.npy` path).
///
/// The file is read once and the array evaluated before this returns (see the
/// [module docs](self#reading-once)).
///
/// # Errors
/// [`Error::Io`] if the file cannot be read (`"[load] Failed to open file ..."`); MLX's
/// error if its header is malformed (`"[load] Invalid header in Rust reader ..."`);
/// [`Error::Io`] (`InvalidData`) for data
/// shorter than the header declares or a negative dimension; [`Error::InvalidArgument`]
/// for a path that is not UTF-8, or holds a NUL byte or `%` (see the
/// [module docs](self#errors)).
///
/// # Examples
/// ```
/// use mlxrs::{Array, io};
/// let path = std::env::temp_dir().join(format!("mlxrs-load-doc-{}.npy", std::process::id()));
/// io::save(&path, &Array::from_slice(&[1i32, 2, 3, 4], &[2, 2])?)?;
/// let a = io::load(&path)?;
/// assert_eq!((a.shape(), a.to_vec::<i32>()?), (&[2, 2][..], vec![1, 2, 3, 4]));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn load(file: impl AsRef<Path>) -> Result<Array> {
    path_arg(file.as_ref())?;
    let bytes = read_file("load", file.as_ref())?;
    load_from_reader(std::io::Cursor::new(bytes))
}

/// Saves `a` to a NumPy `.npy` file (Python: `mx.save`). As in MLX, `.npy` is appended
/// to a path that does not already end in it. Evaluates `a`.
///
/// # Errors
/// MLX's error if the file cannot be created or `a` cannot be evaluated;
/// [`Error::InvalidArgument`] for a path that is not UTF-8, or holds a NUL byte or `%`.
pub fn save(file: impl AsRef<Path>, a: &Array) -> Result<()> {
    let path = path_arg(file.as_ref())?;
    mlx_call!(mlx_save(path.as_ptr(), a.as_raw()))
}

/// Loads the arrays and the string metadata (`__metadata__`) of a `.safetensors` file
/// (Python: `mx.load(path, return_metadata=True)`). The file is read once and the
/// arrays evaluated before this returns (see the [module docs](self#reading-once)).
///
/// # Errors
/// [`Error::Io`] if the file cannot be read (`"[load_safetensors] Failed to open file
/// ..."`); MLX's error for a truncated or malformed file (e.g.
/// `"[load_safetensors] Invalid json header length ..."`); [`Error::Io`]
/// (`InvalidData`) for a negative dimension, or a header holding a `%` that is not
/// valid; [`Error::InvalidArgument`] for a bad path.
pub fn load_safetensors(
    file: impl AsRef<Path>,
) -> Result<(HashMap<String, Array>, HashMap<String, String>)> {
    path_arg(file.as_ref())?;
    let bytes = read_file("load_safetensors", file.as_ref())?;
    load_safetensors_from_reader(std::io::Cursor::new(bytes))
}

/// Saves `arrays` and string `metadata` to a `.safetensors` file (Python:
/// `mx.save_safetensors`). As in MLX, `.safetensors` is appended to a path that does not
/// already end in it. Evaluates the arrays.
///
/// # Errors
/// MLX's error if the file cannot be created; [`Error::InvalidArgument`] naming `arrays`
/// or `metadata` for a key or value holding a NUL byte, or naming `path` for a bad path.
pub fn save_safetensors(
    file: impl AsRef<Path>,
    arrays: &HashMap<String, Array>,
    metadata: &HashMap<String, String>,
) -> Result<()> {
    let path = path_arg(file.as_ref())?;
    let arrays = MapStringToArray::from_entries("arrays", arrays)?;
    let metadata = MapStringToString::from_entries("metadata", metadata)?;
    mlx_call!(mlx_save_safetensors(
        path.as_ptr(),
        arrays.as_raw(),
        metadata.as_raw()
    ))
}

/// Loads an array from `.npy` data in `reader`, starting at its current position
/// (Python: `mx.load` on a file object), evaluating it before returning. `reader` is only
/// borrowed for the call: pass `&mut reader` to keep using it.
///
/// # Errors
/// [`Error::Io`] when the reader fails (the first of its errors), and
/// [`Error::ClosurePanicked`] when it panics; otherwise MLX's error for a malformed or
/// cut-short header (`"[load] Invalid header in Rust reader ..."`,
/// `"[mlx_io_reader] unable to read ..."`), and [`Error::Io`] (`InvalidData`) for data
/// shorter than the header declares.
///
/// # Examples
/// ```
/// use std::io::Cursor;
/// use mlxrs::io::load_from_reader;
/// // A version 1.0 .npy file holding the int32 array [7, 8].
/// let mut bytes = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
/// let header = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
/// bytes.extend(format!("{header:<117}\n").as_bytes());
/// bytes.extend([7, 0, 0, 0, 8, 0, 0, 0]);
/// let a = load_from_reader(Cursor::new(&bytes))?;
/// assert_eq!(a.to_vec::<i32>()?, [7, 8]);
/// // Cut short: a clean error, not a crash.
/// assert!(load_from_reader(Cursor::new(&bytes[..bytes.len() - 1])).is_err());
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn load_from_reader<R: Read + Seek + Send>(mut reader: R) -> Result<Array> {
    let data = precheck(&mut reader, precheck::npy)?;
    let lent = Lent::new(&mut reader, "reader")?;
    let result = (|| {
        let handle = lent.reader()?;
        let mut out = Array::empty();
        mlx_call!(mlx_load_reader(
            out.as_out(),
            handle.as_raw(),
            current_raw()?
        ))?;
        drop(handle);
        if let Some(data) = data {
            data.check(out.shape(), out.itemsize())?;
        }
        out.eval()?;
        Ok(out)
    })();
    lent.finish(result)
}

/// Writes `a` as `.npy` data to `writer`, from its current position (Python: `mx.save`
/// on a file object), then flushes it. Evaluates `a`. `writer` is only borrowed for the
/// call: pass `&mut writer` to keep it.
///
/// # Errors
/// [`Error::Io`] when the writer fails, [`Error::ClosurePanicked`] when it panics, and
/// MLX's error when `a` cannot be evaluated.
pub fn save_to_writer<W: Write + Seek + Send>(mut writer: W, a: &Array) -> Result<()> {
    let lent = Lent::new(&mut writer, "writer")?;
    let result = (|| {
        let handle = lent.writer()?;
        mlx_call!(mlx_save_writer(handle.as_raw(), a.as_raw()))
    })();
    lent.finish(result)?;
    writer.flush()?;
    Ok(())
}

/// Loads the arrays and metadata of `.safetensors` data in `reader`, from its current
/// position, evaluating the arrays before returning. `reader` is only borrowed for the
/// call.
///
/// # Errors
/// As for [`load_from_reader`]; MLX's messages start with `[load_safetensors]`.
///
/// # Examples
/// ```
/// use std::collections::HashMap;
/// use std::io::Cursor;
/// use mlxrs::{Array, io};
/// let arrays = HashMap::from([("x".to_string(), Array::from_slice(&[1u8, 2], &[2])?)]);
/// let mut buffer = Cursor::new(Vec::new());
/// io::save_safetensors_to_writer(&mut buffer, &arrays, &HashMap::new())?;
/// buffer.set_position(0);
/// let (loaded, metadata) = io::load_safetensors_from_reader(&mut buffer)?;
/// assert_eq!(loaded["x"].to_vec::<u8>()?, [1, 2]);
/// assert!(metadata.is_empty());
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn load_safetensors_from_reader<R: Read + Seek + Send>(
    mut reader: R,
) -> Result<(HashMap<String, Array>, HashMap<String, String>)> {
    precheck(&mut reader, precheck::safetensors)?;
    let lent = Lent::new(&mut reader, "reader")?;
    let result = (|| {
        let handle = lent.reader()?;
        let mut arrays = MapStringToArray::empty();
        let mut metadata = MapStringToString::empty();
        mlx_call!(mlx_load_safetensors_reader(
            arrays.as_out(),
            metadata.as_out(),
            handle.as_raw(),
            current_raw()?
        ))?;
        drop(handle);
        let arrays = arrays.to_hash_map()?;
        for a in arrays.values() {
            precheck::shape_ok(".safetensors", a.shape())?;
        }
        let all: Vec<&Array> = arrays.values().collect();
        crate::transforms::eval(&all)?;
        Ok((arrays, metadata.to_hash_map()?))
    })();
    lent.finish(result)
}

/// Writes `arrays` and `metadata` as `.safetensors` data to `writer`, then flushes it.
/// `writer` is only borrowed for the call.
///
/// # Errors
/// As for [`save_to_writer`], and [`Error::InvalidArgument`] naming `arrays` or
/// `metadata` for a key or value holding a NUL byte.
pub fn save_safetensors_to_writer<W: Write + Seek + Send>(
    mut writer: W,
    arrays: &HashMap<String, Array>,
    metadata: &HashMap<String, String>,
) -> Result<()> {
    let arrays = MapStringToArray::from_entries("arrays", arrays)?;
    let metadata = MapStringToString::from_entries("metadata", metadata)?;
    let lent = Lent::new(&mut writer, "writer")?;
    let result = (|| {
        let handle = lent.writer()?;
        mlx_call!(mlx_save_safetensors_writer(
            handle.as_raw(),
            arrays.as_raw(),
            metadata.as_raw()
        ))
    })();
    lent.finish(result)?;
    writer.flush()?;
    Ok(())
}
