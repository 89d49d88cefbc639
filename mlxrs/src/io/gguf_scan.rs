//! A bounds-checked walk over a GGUF file's header, done before MLX opens the file.
//!
//! MLX 0.32.2 parses GGUF headers with gguflib straight out of a memory map, trusting
//! every length in the file: a truncated or corrupt file can make it read past the
//! mapping (a crash), trip one of gguflib's live `assert`s (an abort), or divide by zero
//! (`general.alignment = 0`, or a deprecated tensor type with zero-sized blocks). This
//! walk follows the exact path MLX takes (including its offset arithmetic, which advances
//! by 4 bytes after a float64 value) and rejects a file before MLX reads out of bounds.
//! Where MLX itself would stop with a clean error, the walk stops too and lets MLX
//! report. On the way it collects the metadata keys, which mlx-c cannot list.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// gguflib's tensor type table: (items per block, bytes per block).
const TENSOR_TYPES: [(u64, u64); 31] = [
    (1, 4),     // f32
    (1, 2),     // f16
    (32, 18),   // q4_0
    (32, 20),   // q4_1
    (0, 0),     // q4_2, removed
    (0, 0),     // q4_3, removed
    (32, 22),   // q5_0
    (32, 24),   // q5_1
    (32, 34),   // q8_0
    (32, 40),   // q8_1
    (256, 82),  // q2_k
    (256, 110), // q3_k
    (256, 144), // q4_k
    (256, 176), // q5_k
    (256, 210), // q6_k
    (256, 292), // q8_k
    (256, 66),  // iq2_xxs
    (256, 74),  // iq2_xs
    (256, 98),  // iq3_xxs
    (256, 110), // iq1_s
    (256, 50),  // iq4_nl
    (256, 110), // iq3_s
    (256, 82),  // iq2_s
    (256, 136), // iq4_xs
    (1, 1),     // i8
    (1, 2),     // i16
    (1, 4),     // i32
    (1, 8),     // i64
    (1, 8),     // f64
    (256, 56),  // iq1_m
    (1, 2),     // bf16
];
const TYPE_Q4_0: u32 = 2;
const TYPE_Q4_1: u32 = 3;
const TYPE_Q8_0: u32 = 8;
const MAX_DIMS: u32 = 8;

const VALUE_STRING: u32 = 8;
const VALUE_ARRAY: u32 = 9;
const VALUE_UINT32: u32 = 4;

/// What the walk found.
pub(crate) struct Scan {
    /// Metadata keys in file order (raw bytes; MLX keys its map by them).
    pub(crate) keys: Vec<Vec<u8>>,
}

fn malformed(path: &Path, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("malformed GGUF file {}: {what}", path.display()),
    )
}

struct Cursor<R> {
    inner: R,
    pos: u64,
    size: u64,
}

impl<R: Read + Seek> Cursor<R> {
    /// Whether `n` bytes starting at `at` lie inside the file.
    fn fits(&self, at: u64, n: u64) -> bool {
        at.checked_add(n).is_some_and(|end| end <= self.size)
    }

    fn read_at(&mut self, at: u64, buf: &mut [u8]) -> io::Result<bool> {
        if !self.fits(at, buf.len() as u64) {
            return Ok(false);
        }
        if at != self.pos {
            self.inner.seek(SeekFrom::Start(at))?;
        }
        self.inner.read_exact(buf)?;
        self.pos = at + buf.len() as u64;
        Ok(true)
    }

    fn u32_at(&mut self, at: u64) -> io::Result<Option<u32>> {
        let mut b = [0u8; 4];
        Ok(self.read_at(at, &mut b)?.then(|| u32::from_le_bytes(b)))
    }

    fn u64_at(&mut self, at: u64) -> io::Result<Option<u64>> {
        let mut b = [0u8; 8];
        Ok(self.read_at(at, &mut b)?.then(|| u64::from_le_bytes(b)))
    }
}

/// The scalar value types: (bytes read, bytes MLX advances by).
fn scalar_size(value_type: u32) -> Option<(u64, u64)> {
    match value_type {
        0 | 1 | 7 => Some((1, 1)), // u8, i8, bool
        2 | 3 => Some((2, 2)),     // u16, i16
        4..=6 => Some((4, 4)),     // u32, i32, f32
        10 | 11 => Some((8, 8)),   // u64, i64
        12 => Some((8, 4)),        // f64: MLX stores it as float32 and advances by 4
        _ => None,
    }
}

/// Walks the file at `path` as MLX 0.32.2 would. `Ok(Some(scan))`: MLX can parse it
/// without reading out of bounds (it may still reject it, cleanly). `Ok(None)`: the file
/// could not be opened for reading (MLX reports that itself). `Err`: MLX would crash.
pub(crate) fn scan(path: &Path) -> io::Result<Option<Scan>> {
    let Ok(file) = File::open(path) else {
        return Ok(None);
    };
    let size = file.metadata()?.len();
    let mut c = Cursor {
        inner: BufReader::new(file),
        pos: 0,
        size,
    };
    let mut keys = Vec::new();
    // gguflib refuses files shorter than its 24-byte header or without the magic.
    let mut magic = [0u8; 4];
    if !c.read_at(0, &mut magic)? || &magic != b"GGUF" || size < 24 {
        return Ok(Some(Scan { keys }));
    }
    let bad = |what: &str| malformed(path, what);
    let tensor_count = c.u64_at(8)?.ok_or_else(|| bad("truncated header"))?;
    let kv_count = c.u64_at(16)?.ok_or_else(|| bad("truncated header"))?;
    let mut off: u64 = 24;
    let mut alignment: u64 = 32;

    for index in 0..kv_count {
        let at = |what: &str| malformed(path, format!("metadata entry {index}: {what}"));
        let name_len = c
            .u64_at(off)?
            .ok_or_else(|| at("key length past the end"))?;
        let name_at = off + 8;
        if !c.fits(name_at, name_len) || name_len > i32::MAX as u64 {
            return Err(at("key past the end of the file"));
        }
        let mut name = vec![0u8; name_len as usize];
        c.read_at(name_at, &mut name)?;
        let type_at = name_at + name_len;
        let value_type = c.u32_at(type_at)?.ok_or_else(|| at("type past the end"))?;
        let val = type_at + 4;
        if value_type == VALUE_UINT32 && name == b"general.alignment" {
            alignment = u64::from(c.u32_at(val)?.ok_or_else(|| at("value past the end"))?);
        }
        if let Some((read, advance)) = scalar_size(value_type) {
            if !c.fits(val, read) {
                return Err(at("value past the end of the file"));
            }
            off = val + advance;
        } else if value_type == VALUE_STRING {
            let len = c
                .u64_at(val)?
                .ok_or_else(|| at("string length past the end"))?;
            if !c.fits(val + 8, len) || len > i32::MAX as u64 {
                return Err(at("string past the end of the file"));
            }
            off = val + 8 + len;
        } else if value_type == VALUE_ARRAY {
            let elem_type = c
                .u32_at(val)?
                .ok_or_else(|| at("array header past the end"))?;
            let count = c
                .u64_at(val + 4)?
                .ok_or_else(|| at("array header past the end"))?;
            if count > i32::MAX as u64 {
                return Err(at("array longer than MLX supports"));
            }
            let mut p = val + 12;
            if let Some((read, advance)) = scalar_size(elem_type) {
                if !c.fits(p, count * read) {
                    return Err(at("array past the end of the file"));
                }
                p += count * advance;
            } else if elem_type == VALUE_STRING {
                for _ in 0..count {
                    let len = c.u64_at(p)?.ok_or_else(|| at("string past the end"))?;
                    if !c.fits(p + 8, len) || len > i32::MAX as u64 {
                        return Err(at("string past the end of the file"));
                    }
                    p += 8 + len;
                }
            } else {
                // Nested or unknown element types: MLX throws before reading further.
                keys.push(name);
                return Ok(Some(Scan { keys }));
            }
            off = p;
        } else {
            // An unknown value type: MLX throws "Received unexpected type".
            keys.push(name);
            return Ok(Some(Scan { keys }));
        }
        keys.push(name);
    }

    if tensor_count == 0 {
        return Ok(Some(Scan { keys }));
    }
    // Each tensor info takes at least 24 bytes; gguflib loops with a 32-bit counter.
    if tensor_count > size.saturating_sub(off) / 24 {
        return Err(bad("more tensors declared than the file can hold"));
    }
    if alignment == 0 {
        return Err(bad("`general.alignment` is 0"));
    }

    // gguflib's first pass: find the end of the tensor infos (the data section).
    let mut end = off;
    for index in 0..tensor_count {
        let at = |what: &str| malformed(path, format!("tensor info {index}: {what}"));
        let name_len = c
            .u64_at(end)?
            .ok_or_else(|| at("name length past the end"))?;
        let ndim_at = (end + 8)
            .checked_add(name_len)
            .ok_or_else(|| at("name past the end"))?;
        let ndim = c.u32_at(ndim_at)?.ok_or_else(|| at("name past the end"))?;
        end = ndim_at + 4 + 8 * u64::from(ndim) + 4 + 8;
        if end > size {
            return Err(at("past the end of the file"));
        }
    }
    let data_off = end + (alignment - end % alignment) % alignment;

    // Second pass: each tensor as gguflib and MLX read it.
    for index in 0..tensor_count {
        let at = |what: &str| malformed(path, format!("tensor info {index}: {what}"));
        let name_len = c
            .u64_at(off)?
            .ok_or_else(|| at("name length past the end"))?;
        if !c.fits(off + 8, name_len) {
            return Err(at("name past the end of the file"));
        }
        let mut name = vec![0u8; name_len as usize];
        c.read_at(off + 8, &mut name)?;
        // MLX quotes the name in some of its errors, and mlx-c passes those to printf as
        // the format: a `%` in a name must never reach an MLX error.
        let quoted = cfg!(not(mlxrs_mlx_error_fixed)) && name.contains(&b'%');
        off += 8 + name_len;
        let ndim = c.u32_at(off)?.ok_or_else(|| at("rank past the end"))?;
        off += 4;
        if ndim > MAX_DIMS {
            return Err(at(&format!(
                "{ndim} dimensions, more than gguflib's {MAX_DIMS}"
            )));
        }
        let mut weights: u64 = 1;
        let mut exact: Option<u64> = Some(1);
        let mut first_dim = 0;
        for j in 0..ndim {
            let dim = c.u64_at(off)?.ok_or_else(|| at("shape past the end"))?;
            off += 8;
            if j == 0 {
                first_dim = dim;
            }
            weights = weights.wrapping_mul(dim);
            exact = exact
                .and_then(|e| e.checked_mul(dim))
                .filter(|_| dim <= i32::MAX as u64);
        }
        let tensor_type = c.u32_at(off)?.ok_or_else(|| at("type past the end"))?;
        if tensor_type as usize >= TENSOR_TYPES.len() {
            // gguflib stops listing tensors here; MLX loads the ones before.
            return Ok(Some(Scan { keys }));
        }
        off += 4;
        let rel = c.u64_at(off)?.ok_or_else(|| at("offset past the end"))?;
        off += 8;
        let (per_block, block_bytes) = TENSOR_TYPES[tensor_type as usize];
        if per_block == 0 {
            return Err(at(&format!("deprecated tensor type {tensor_type}")));
        }
        let offset = data_off.wrapping_add(rel);
        let padding = (per_block - weights % per_block) % per_block;
        let bytes = (weights.wrapping_add(padding) / per_block).wrapping_mul(block_bytes);
        // MLX's own bounds check: it throws cleanly on these.
        if offset < data_off || offset > size || bytes > size - offset {
            if quoted {
                return Err(at("data past the end of the file"));
            }
            return Ok(Some(Scan { keys }));
        }
        // MLX builds the array with 32-bit dimensions: a dimension over `i32::MAX`, or
        // a product that wrapped, would describe more memory than it copies.
        if exact != Some(weights) {
            return Err(at("dimensions too large for MLX"));
        }
        if matches!(tensor_type, TYPE_Q4_0 | TYPE_Q4_1 | TYPE_Q8_0) {
            // MLX reads the last dimension of a quantized tensor (none if rank 0), and
            // sizes its buffers with `int` arithmetic.
            if ndim == 0 {
                return Err(at("quantized tensor of rank 0"));
            }
            if weights / 4 > i32::MAX as u64 {
                return Err(at("quantized tensor too large for MLX"));
            }
            // MLX's last axis is GGUF's first; MLX throws (quoting the name) unless it
            // holds whole blocks of 32.
            if first_dim % 32 != 0 {
                if quoted {
                    return Err(at("quantized tensor with a partial block"));
                }
                return Ok(Some(Scan { keys }));
            }
        }
    }
    Ok(Some(Scan { keys }))
}
