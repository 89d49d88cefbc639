//! Checks made in Rust before MLX parses `.npy` or `.safetensors` data, for inputs that
//! would make MLX or mlx-c misbehave instead of failing cleanly.
//!
//! - mlx-c 0.7.0 reports every C++ exception through `mlx_error(e.what())`, which uses
//!   the message as a **printf format string**. MLX's parse errors quote bytes of the
//!   file (nlohmann-json's "last read: '...'", an unsupported dtype string, a tensor
//!   name), so a `%` there would be read as a conversion directive: a crash, or worse.
//!   A `.npy` header never holds a `%`: one that does is rejected. A `.safetensors`
//!   header may (in metadata or tensor names); one that does is validated here first,
//!   as strictly as MLX does and more, so that MLX is only handed headers it accepts.
//! - MLX allocates and zero-fills a `.npy` header of the length the file declares (up
//!   to 4 GiB) before reading it; a length beyond the end of the data is rejected.
//!
//! Everything else (bad magic, short reads, ...) is left to MLX, whose messages name
//! only the reader or path (the path itself is checked for `%` by `path_arg`).

use std::io::{self, Read, Seek, SeekFrom};

fn invalid(what: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Reads up to `buf.len()` bytes; the count read (short only at the end of the data).
fn read_some(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match r.read(&mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Runs `check` from the current position, then seeks back to it.
fn from_start<R: Read + Seek, T>(
    r: &mut R,
    check: impl FnOnce(&mut R, u64) -> io::Result<T>,
) -> io::Result<T> {
    let start = r.stream_position()?;
    let end = r.seek(SeekFrom::End(0))?;
    r.seek(SeekFrom::Start(start))?;
    let outcome = check(r, end.saturating_sub(start));
    r.seek(SeekFrom::Start(start))?;
    outcome
}

/// Where the data of a `.npy` file starts, and how many bytes follow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NpyData {
    available: u64,
}

impl NpyData {
    /// Checks that the data holds the `nbytes` MLX will read for the array. MLX's file
    /// reader would otherwise fill the rest by reading the last bytes again (its `pread`
    /// loop does not advance the offset), and a failed read on MLX's I/O threads is
    /// reported unreliably in MLX 0.32 (sometimes not at all, sometimes to a later,
    /// unrelated evaluation).
    pub(crate) fn check(self, shape: &[i32], itemsize: usize) -> io::Result<()> {
        shape_ok(".npy", shape)?;
        let nbytes = shape
            .iter()
            .try_fold(itemsize as u64, |n, &d| n.checked_mul(d as u64))
            .unwrap_or(u64::MAX);
        if nbytes > self.available {
            return Err(invalid(format!(
                "truncated .npy data: the array needs {nbytes} bytes after the header, but \
                 only {} follow",
                self.available
            )));
        }
        Ok(())
    }
}

/// Rejects a negative dimension, which MLX's loaders accept from a corrupt header (a
/// `.npy` shape, or a `.safetensors` shape whose byte count wraps around).
pub(crate) fn shape_ok(format: &str, shape: &[i32]) -> io::Result<()> {
    if shape.iter().any(|&d| d < 0) {
        return Err(invalid(format!(
            "malformed {format} data: negative dimension in shape {shape:?}"
        )));
    }
    Ok(())
}

/// The `.npy` checks (see the module docs). `Some` with the data's extent when the
/// header looks valid to MLX.
pub(crate) fn npy<R: Read + Seek>(r: &mut R) -> io::Result<Option<NpyData>> {
    from_start(r, |r, size| {
        let mut prefix = [0u8; 12];
        let got = read_some(r, &mut prefix[..10])?;
        if got < 10 || &prefix[..6] != b"\x93NUMPY" || !matches!(prefix[6], 1 | 2) {
            return Ok(None); // MLX reports these
        }
        let (len_size, header_len) = if prefix[6] == 1 {
            (2u64, u64::from(u16::from_le_bytes([prefix[8], prefix[9]])))
        } else {
            if read_some(r, &mut prefix[10..12])? < 2 {
                return Ok(None);
            }
            let b = &prefix[8..12];
            (4, u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
        };
        let available = size.saturating_sub(8 + len_size);
        if header_len > available {
            return Err(invalid(format!(
                "malformed .npy data: the header is declared {header_len} bytes long, but \
                 only {available} bytes follow"
            )));
        }
        let mut header = vec![0u8; header_len as usize];
        read_some(r, &mut header)?;
        if cfg!(not(mlxrs_mlx_error_fixed)) && header.contains(&b'%') {
            return Err(invalid("malformed .npy data: unexpected `%` in the header"));
        }
        Ok(Some(NpyData {
            available: available - header_len,
        }))
    })
}

/// MLX's `.safetensors` dtypes and their sizes in bytes.
fn safetensors_itemsize(dtype: &str) -> Option<u64> {
    Some(match dtype {
        "BOOL" | "U8" | "I8" | "F8_E4M3" | "F8_E8M0" => 1,
        "U16" | "I16" | "F16" | "BF16" => 2,
        "U32" | "I32" | "F32" => 4,
        "U64" | "I64" | "F64" | "C64" => 8,
        _ => return None,
    })
}

/// The `.safetensors` checks (see the module docs).
pub(crate) fn safetensors<R: Read + Seek>(r: &mut R) -> io::Result<()> {
    from_start(r, |r, size| {
        let mut len = [0u8; 8];
        if read_some(r, &mut len)? < 8 {
            return Ok(());
        }
        let header_len = u64::from_le_bytes(len);
        // MLX's own limits, reported by MLX.
        if header_len == 0 || header_len >= 100_000_000 || size < header_len + 8 {
            return Ok(());
        }
        let mut header = vec![0u8; header_len as usize];
        if cfg!(mlxrs_mlx_error_fixed)
            || read_some(r, &mut header)? < header.len()
            || !header.contains(&b'%')
        {
            return Ok(());
        }
        validate_safetensors_header(&header, size)
            .map_err(|why| invalid(format!("malformed .safetensors header: {why}")))
    })
}

/// Accepts only headers that MLX loads without an error (given the data size `size`).
fn validate_safetensors_header(header: &[u8], size: u64) -> Result<(), String> {
    let text = std::str::from_utf8(header).map_err(|_| "not valid UTF-8".to_string())?;
    let Json::Object(entries) = parse_json(text)? else {
        return Err("not a JSON object".into());
    };
    let mut seen = std::collections::HashSet::new();
    for (key, value) in &entries {
        if !seen.insert(key.as_str()) {
            return Err("a repeated key".into());
        }
        let Json::Object(fields) = value else {
            return Err("an entry that is not an object".into());
        };
        if key == "__metadata__" {
            if fields.iter().any(|(_, v)| !matches!(v, Json::String(_))) {
                return Err("a metadata value that is not a string".into());
            }
            continue;
        }
        let field = |name: &str| fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
        let Some(Json::String(dtype)) = field("dtype") else {
            return Err("a tensor without a string `dtype`".into());
        };
        let itemsize = safetensors_itemsize(dtype).ok_or("an unsupported dtype")?;
        let Some(Json::Array(shape)) = field("shape") else {
            return Err("a tensor without a `shape` list".into());
        };
        let mut nbytes = Some(itemsize);
        for dim in shape {
            let dim = dim.as_index().filter(|&d| d <= i32::MAX as u64);
            nbytes = match (nbytes, dim) {
                (Some(n), Some(d)) => n.checked_mul(d),
                _ => return Err("a dimension that is not an integer in 0..2^31".into()),
            };
        }
        let nbytes = nbytes.ok_or("a tensor too large")?;
        let Some(Json::Array(offsets)) = field("data_offsets") else {
            return Err("a tensor without `data_offsets`".into());
        };
        let [begin, end] = offsets.as_slice() else {
            return Err("`data_offsets` without exactly 2 entries".into());
        };
        let (Some(begin), Some(end)) = (begin.as_index(), end.as_index()) else {
            return Err("`data_offsets` that are not non-negative integers".into());
        };
        if end < begin || end - begin != nbytes {
            return Err("`data_offsets` that do not match the shape and dtype".into());
        }
        let data_start = header.len() as u64 + 8;
        if data_start.checked_add(end).is_none_or(|e| e > size) {
            return Err("a tensor past the end of the data".into());
        }
    }
    Ok(())
}

/// A parsed JSON value (only what the header check needs).
enum Json {
    Null,
    Bool,
    /// The number's text.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The value as a non-negative integer written without fraction or exponent.
    fn as_index(&self) -> Option<u64> {
        match self {
            Json::Number(text) => text.parse().ok(),
            _ => None,
        }
    }
}

/// A strict JSON parser (RFC 8259; nesting depth at most 64).
fn parse_json(text: &str) -> Result<Json, String> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = p.value(0)?;
    p.skip_ws();
    if p.at != p.bytes.len() {
        return Err("trailing characters after the JSON value".into());
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Result<(), String> {
        self.skip_ws();
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("invalid JSON at byte {}", self.at))
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), String> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(())
        } else {
            Err(format!("invalid JSON at byte {}", self.at))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > 64 {
            return Err("JSON nested too deeply".into());
        }
        self.skip_ws();
        match self.bytes.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                let mut entries = Vec::new();
                self.skip_ws();
                if self.bytes.get(self.at) == Some(&b'}') {
                    self.at += 1;
                    return Ok(Json::Object(entries));
                }
                loop {
                    self.skip_ws();
                    let key = self.string()?;
                    self.eat(b':')?;
                    entries.push((key, self.value(depth + 1)?));
                    self.skip_ws();
                    match self.bytes.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Json::Object(entries));
                        }
                        _ => return Err(format!("invalid JSON at byte {}", self.at)),
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.bytes.get(self.at) == Some(&b']') {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.bytes.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(format!("invalid JSON at byte {}", self.at)),
                    }
                }
            }
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b't') => self.literal("true").map(|()| Json::Bool),
            Some(b'f') => self.literal("false").map(|()| Json::Bool),
            Some(b'n') => self.literal("null").map(|()| Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(format!("invalid JSON at byte {}", self.at)),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        let bad = |at: usize| format!("invalid JSON number at byte {at}");
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match self.bytes.get(self.at) {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(bad(start)),
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(bad(start));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(bad(start));
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| bad(start))?;
        Ok(Json::Number(text.to_string()))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| format!("invalid \\u escape at byte {}", self.at))?;
        self.at += 4;
        Ok(digits)
    }

    fn string(&mut self) -> Result<String, String> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return Err(format!("expected a string at byte {}", self.at));
        }
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(&b) = self.bytes.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // The input is a `str`, and the loop stops only at ASCII bytes.
            out.push_str(
                std::str::from_utf8(&self.bytes[start..self.at]).map_err(|e| e.to_string())?,
            );
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escape = self.bytes.get(self.at).copied();
                    self.at += 1;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first) {
                                if self.bytes.get(self.at..self.at + 2) != Some(b"\\u") {
                                    return Err("an unpaired surrogate".into());
                                }
                                self.at += 2;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err("an unpaired surrogate".into());
                                }
                                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                            } else {
                                first
                            };
                            out.push(char::from_u32(code).ok_or("an unpaired surrogate")?);
                        }
                        _ => return Err(format!("invalid escape at byte {}", self.at - 1)),
                    }
                }
                _ => return Err(format!("unterminated string at byte {start}")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(json: &str) -> Vec<u8> {
        json.as_bytes().to_vec()
    }

    #[test]
    fn valid_headers_with_percent_pass() {
        let h = header(
            r#"{"__metadata__":{"note":"100% fine"},"w%":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
        );
        let size = 8 + h.len() as u64 + 8;
        assert_eq!(validate_safetensors_header(&h, size), Ok(()));
        // Past the end of the data.
        assert!(validate_safetensors_header(&h, size - 1).is_err());
    }

    #[test]
    fn malformed_headers_are_rejected() {
        for bad in [
            r#"{"a%":1}"#,
            r#"{"a%":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}"#,
            r#"{"a%":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
            r#"{"a%":{"dtype":"F32","shape":[1],"data_offsets":[0,5]}}"#,
            r#"{"a%":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
            r#"{"a%":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#,
            r#"{"__metadata__":{"k%":1}}"#,
            r#"{"x":"%s"} trailing"#,
            r#"{"x":"\ud800%"}"#,
            r#"["%"]"#,
        ] {
            assert!(
                validate_safetensors_header(&header(bad), 1 << 20).is_err(),
                "{bad}"
            );
        }
        assert!(validate_safetensors_header(b"{\"\xff%\":1}", 100).is_err());
    }

    #[test]
    fn json_strings_decode_escapes() {
        let Ok(Json::String(s)) = parse_json(r#""a\n\u00e9\ud83d\ude00""#) else {
            panic!("a JSON string");
        };
        assert_eq!(s, "a\n\u{e9}\u{1f600}");
    }
}
