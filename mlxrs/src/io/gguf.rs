//! `.gguf` files: [`load_gguf`], [`save_gguf`] and their reader/writer forms, and the
//! [`GgufMetadata`] values.

use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use super::{gguf_scan, path_arg};
#[cfg(doc)]
use crate::Error;
use crate::ffi::{MlxString, VectorString, c_string, handle, mlx_call, mlx_step};
use crate::stream::current_raw;
use crate::{Array, Result};

/// A GGUF metadata value, as MLX represents it.
///
/// Numbers and booleans are [`GgufMetadata::Array`]s: 0-dimensional for a single value,
/// 1-dimensional for a GGUF array (MLX reads `float64` values as `float32`).
#[derive(Debug, Clone)]
pub enum GgufMetadata {
    /// A number, boolean, or array of them.
    Array(Array),
    /// A string.
    String(String),
    /// An array of strings.
    Strings(Vec<String>),
}

impl From<Array> for GgufMetadata {
    fn from(a: Array) -> Self {
        GgufMetadata::Array(a)
    }
}

impl From<String> for GgufMetadata {
    fn from(s: String) -> Self {
        GgufMetadata::String(s)
    }
}

impl From<&str> for GgufMetadata {
    fn from(s: &str) -> Self {
        GgufMetadata::String(s.to_string())
    }
}

impl From<Vec<String>> for GgufMetadata {
    fn from(v: Vec<String>) -> Self {
        GgufMetadata::Strings(v)
    }
}

handle! {
    /// An owned `mlx_io_gguf`: MLX's (arrays, metadata) pair for GGUF files.
    struct Gguf(mlx_io_gguf) { new: mlx_io_gguf_new, free: mlx_io_gguf_free }
}

impl Gguf {
    fn arrays(&self) -> Result<HashMap<String, Array>> {
        let mut keys = VectorString::empty();
        mlx_call!(mlx_io_gguf_get_keys(keys.as_out(), self.as_raw()))?;
        let mut out = HashMap::new();
        // The names as bytes: a name that is not UTF-8 is looked up as it is, and only
        // its key in the map is decoded lossily. (A name holding a NUL is not found.)
        for key in keys.to_byte_strings()? {
            let mut a = Array::empty();
            if mlx_step!(
                [2, 3],
                mlx_io_gguf_get_array(a.as_out(), self.as_raw(), key.as_ptr())
            )? {
                out.insert(String::from_utf8_lossy(key.as_bytes()).into_owned(), a);
            }
        }
        Ok(out)
    }

    fn metadata(&self, key: &CStr) -> Result<Option<GgufMetadata>> {
        let raw = self.as_raw();
        let k = key.as_ptr();
        let mut flag = false;
        if mlx_step!([2, 3], mlx_io_gguf_has_metadata_array(&mut flag, raw, k))? && flag {
            let mut a = Array::empty();
            if mlx_step!([2, 3], mlx_io_gguf_get_metadata_array(a.as_out(), raw, k))? {
                return Ok(Some(GgufMetadata::Array(a)));
            }
        }
        if mlx_step!([2, 3], mlx_io_gguf_has_metadata_string(&mut flag, raw, k))? && flag {
            let mut s = MlxString::new();
            if mlx_step!([2, 3], mlx_io_gguf_get_metadata_string(s.as_out(), raw, k))? {
                return Ok(Some(GgufMetadata::String(s.to_string_lossy())));
            }
        }
        if mlx_step!(
            [2, 3],
            mlx_io_gguf_has_metadata_vector_string(&mut flag, raw, k)
        )? && flag
        {
            let mut v = VectorString::empty();
            if mlx_step!(
                [2, 3],
                mlx_io_gguf_get_metadata_vector_string(v.as_out(), raw, k)
            )? {
                return Ok(Some(GgufMetadata::Strings(v.to_vec()?)));
            }
        }
        Ok(None)
    }
}

/// Loads the arrays and the metadata of a `.gguf` file (Python:
/// `mx.load(path, return_metadata=True)` on a `.gguf` path). Tensors of type f32, f16,
/// i8, i16 and i32 load as such; q4_0, q4_1 and q8_0 tensors `name.weight` load as MLX
/// quantized triples (`name.weight`, `name.scales`, `name.biases`); other types are
/// converted to float16 where MLX can (bf16, q2_k, q4_k, q6_k).
///
/// mlxrs reads the file once, into a private temporary copy (mlx-c reads `.gguf` by
/// path only), walks that copy's header with bounds checks and has MLX load the same
/// copy: MLX 0.32.2 trusts the lengths in a GGUF header, so a corrupt file could
/// otherwise crash the process, and a file changed after the check never reaches MLX.
/// The arrays are evaluated before the copy is removed. Tensor names and
/// metadata keys that contain a NUL byte cannot be looked up through mlx-c and are left
/// out; names that are not UTF-8 are converted lossily.
///
/// # Errors
/// [`Error::Io`] for a missing or unreadable file (`"[load_gguf] Failed to open file
/// ..."`); MLX's error for a file it cannot parse (`"[load_gguf] gguf_init failed"`) or
/// an unsupported tensor type; [`Error::Io`] of kind
/// `InvalidData` for a header that would make MLX read out of bounds, abort or divide by
/// zero, or quote a `%` in its error; [`Error::InvalidArgument`] for a path that is not
/// UTF-8, or holds a NUL byte or `%`.
///
/// # Examples
/// ```
/// use std::collections::HashMap;
/// use mlxrs::{Array, io::{self, GgufMetadata}};
/// let path = std::env::temp_dir().join(format!("mlxrs-gguf-doc-{}.gguf", std::process::id()));
/// let arrays = HashMap::from([("w".to_string(), Array::from_slice(&[1.0f32, 2.0], &[2])?)]);
/// let metadata = HashMap::from([
///     ("name".to_string(), GgufMetadata::from("tiny")),
///     ("dims".to_string(), GgufMetadata::from(Array::from_slice(&[2i32], &[1])?)),
/// ]);
/// io::save_gguf(&path, &arrays, &metadata)?;
/// let (loaded, meta) = io::load_gguf(&path)?;
/// assert_eq!(loaded["w"].to_vec::<f32>()?, [1.0, 2.0]);
/// assert!(matches!(&meta["name"], GgufMetadata::String(s) if s == "tiny"));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn load_gguf(
    file: impl AsRef<Path>,
) -> Result<(HashMap<String, Array>, HashMap<String, GgufMetadata>)> {
    path_arg(file.as_ref())?;
    let bytes = super::read_file("load_gguf", file.as_ref())?;
    load_gguf_from_reader(bytes.as_slice())
}

/// Loads the `.gguf` file at `path`, a private copy only mlxrs writes: the scan and
/// MLX read the same bytes. Every array is evaluated before the copy goes away.
fn load_gguf_private(
    path: &Path,
) -> Result<(HashMap<String, Array>, HashMap<String, GgufMetadata>)> {
    let c_path = path_arg(path)?;
    let scan = gguf_scan::scan(path)?;
    let mut gguf = Gguf::empty();
    mlx_call!(mlx_load_gguf(
        gguf.as_out(),
        c_path.as_ptr(),
        current_raw()?
    ))?;
    let arrays = gguf.arrays()?;
    let mut metadata = HashMap::new();
    for key in scan.map(|s| s.keys).unwrap_or_default() {
        // A key with a NUL byte cannot be passed to mlx-c.
        let Ok(c_key) = CString::new(key.clone()) else {
            continue;
        };
        if let Some(value) = gguf.metadata(&c_key)? {
            metadata.insert(String::from_utf8_lossy(&key).into_owned(), value);
        }
    }
    let refs: Vec<&Array> = arrays.values().collect();
    crate::transforms::eval(&refs)?;
    Ok((arrays, metadata))
}

/// Saves `arrays` and `metadata` to a `.gguf` file (Python: `mx.save_gguf`). As in MLX,
/// `.gguf` is appended to a path that does not already end in it. MLX saves arrays of
/// dtype float32, float16, int8, int16 and int32, and metadata arrays of at most one
/// dimension (0 dimensions: a single value) of integer, bool or float32 dtype.
///
/// # Errors
/// MLX's error for an unsupported dtype or shape, or a file that cannot be created;
/// [`Error::InvalidArgument`] naming `arrays` or `metadata` for a key or string holding a
/// NUL byte, or naming `path` for a bad path.
pub fn save_gguf(
    file: impl AsRef<Path>,
    arrays: &HashMap<String, Array>,
    metadata: &HashMap<String, GgufMetadata>,
) -> Result<()> {
    let path = path_arg(file.as_ref())?;
    let gguf = Gguf::empty();
    for (key, a) in arrays {
        let key = c_string("arrays", key)?;
        mlx_call!(mlx_io_gguf_set_array(
            gguf.as_raw(),
            key.as_ptr(),
            a.as_raw()
        ))?;
    }
    for (key, value) in metadata {
        let key = c_string("metadata", key)?;
        match value {
            GgufMetadata::Array(a) => mlx_call!(mlx_io_gguf_set_metadata_array(
                gguf.as_raw(),
                key.as_ptr(),
                a.as_raw()
            ))?,
            GgufMetadata::String(s) => {
                let s = c_string("metadata", s)?;
                mlx_call!(mlx_io_gguf_set_metadata_string(
                    gguf.as_raw(),
                    key.as_ptr(),
                    s.as_ptr()
                ))?
            }
            GgufMetadata::Strings(v) => {
                let v = VectorString::from_strs("metadata", v)?;
                mlx_call!(mlx_io_gguf_set_metadata_vector_string(
                    gguf.as_raw(),
                    key.as_ptr(),
                    v.as_raw()
                ))?
            }
        }
    }
    mlx_call!(mlx_save_gguf(path.as_ptr(), gguf.as_raw()))
}

/// A file of the temp dir with a name of its own, removed when dropped.
struct TempPath(std::path::PathBuf);

impl TempPath {
    fn new(extension: &str) -> TempPath {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        TempPath(std::env::temp_dir().join(format!("mlxrs-{}-{n}.{extension}", std::process::id())))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Loads a `.gguf` file from any reader, as [`load_gguf`] does from a path. mlx-c reads
/// `.gguf` only by path, so the bytes go through a temporary file (removed before this
/// returns); every array is evaluated before it is.
///
/// # Errors
/// As [`load_gguf`]; [`Error::Io`] for a failing reader or temporary file.
///
/// # Examples
/// ```
/// use std::collections::HashMap;
/// use std::io::Cursor;
/// use mlxrs::{Array, io};
/// let arrays = HashMap::from([("w".to_string(), Array::from_slice(&[1.0f32, 2.0], &[2])?)]);
/// let mut buffer = Cursor::new(Vec::new());
/// io::save_gguf_to_writer(&mut buffer, &arrays, &HashMap::new())?;
/// buffer.set_position(0);
/// let (loaded, _) = io::load_gguf_from_reader(&mut buffer)?;
/// assert_eq!(loaded["w"].to_vec::<f32>()?, [1.0, 2.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn load_gguf_from_reader<R: Read>(
    mut reader: R,
) -> Result<(HashMap<String, Array>, HashMap<String, GgufMetadata>)> {
    let tmp = TempPath::new("gguf");
    // A new file of our own (never one that already exists under that name).
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp.0)?;
    std::io::copy(&mut reader, &mut file)?;
    drop(file);
    load_gguf_private(&tmp.0)
}

/// Saves `arrays` and `metadata` as a `.gguf` file to any writer, as [`save_gguf`] does
/// to a path (through a temporary file, removed before this returns).
///
/// # Errors
/// As [`save_gguf`]; [`Error::Io`] for a failing writer or temporary file.
pub fn save_gguf_to_writer<W: Write>(
    mut writer: W,
    arrays: &HashMap<String, Array>,
    metadata: &HashMap<String, GgufMetadata>,
) -> Result<()> {
    let tmp = TempPath::new("gguf");
    save_gguf(&tmp.0, arrays, metadata)?;
    std::io::copy(&mut File::open(&tmp.0)?, &mut writer)?;
    writer.flush()?;
    Ok(())
}
