//! A minimal `.safetensors` writer: 8-byte little-endian header length, a JSON header
//! `{"name": {"dtype", "shape", "data_offsets"}}` padded with spaces to 8 bytes, then the
//! raw row-major little-endian data (<https://github.com/huggingface/safetensors>).
//! Python MLX reads it with `mx.load`, bfloat16 and complex64 included; MLX does not read
//! `F64`, so a float64 array is stored as `I64` under `<name>@float64` and oracle.py
//! views it back.

use mlxrs::{Array, Dtype, Result};

use crate::harness::json_string;

/// The safetensors name of a dtype.
pub fn dtype_code(d: Dtype) -> &'static str {
    match d {
        Dtype::Bool => "BOOL",
        Dtype::Uint8 => "U8",
        Dtype::Uint16 => "U16",
        Dtype::Uint32 => "U32",
        Dtype::Uint64 => "U64",
        Dtype::Int8 => "I8",
        Dtype::Int16 => "I16",
        Dtype::Int32 => "I32",
        Dtype::Int64 => "I64",
        Dtype::Float16 => "F16",
        Dtype::Bfloat16 => "BF16",
        Dtype::Float32 => "F32",
        Dtype::Float64 => "F64",
        Dtype::Complex64 => "C64",
        _ => "UNKNOWN",
    }
}

/// Collects named arrays, then writes them as one file.
#[derive(Default)]
pub struct Writer {
    header: Vec<String>,
    data: Vec<u8>,
}

impl Writer {
    pub fn new() -> Writer {
        Writer::default()
    }

    /// Adds `a` (evaluating it) under `name`.
    pub fn add(&mut self, name: &str, a: &Array) -> Result<()> {
        let bytes = a.as_bytes()?;
        let (name, code) = match a.dtype() {
            Dtype::Float64 => (format!("{name}@float64"), "I64"),
            d => (name.to_string(), dtype_code(d)),
        };
        let start = self.data.len();
        self.data.extend_from_slice(&bytes);
        let shape: Vec<String> = a.shape().iter().map(i32::to_string).collect();
        self.header.push(format!(
            "{}:{{\"dtype\":\"{}\",\"shape\":[{}],\"data_offsets\":[{start},{}]}}",
            json_string(&name),
            code,
            shape.join(","),
            self.data.len()
        ));
        Ok(())
    }

    /// The file's bytes.
    pub fn finish(self) -> Vec<u8> {
        let mut header = format!("{{{}}}", self.header.join(","));
        while header.len() % 8 != 0 {
            header.push(' ');
        }
        let mut out = Vec::with_capacity(8 + header.len() + self.data.len());
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(&self.data);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_format() -> Result<()> {
        let mut w = Writer::new();
        w.add("a", &Array::from_slice(&[1.0f32, -2.0], &[2, 1])?)?;
        w.add("b", &Array::from_slice(&[true, false, true], &[3])?)?;
        w.add("c", &Array::from(half::bf16::from_f32(1.5)))?;
        // A transposed (strided) array is written in row-major order.
        let t = mlxrs::ops::transpose(&Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3])?)?;
        w.add("t\"q", &t)?;
        w.add("d", &Array::from(0.5f64))?;
        let bytes = w.finish();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!(n % 8, 0);
        let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
        assert_eq!(
            header.trim_end(),
            r#"{"a":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},"b":{"dtype":"BOOL","shape":[3],"data_offsets":[8,11]},"c":{"dtype":"BF16","shape":[],"data_offsets":[11,13]},"t\"q":{"dtype":"I32","shape":[3,2],"data_offsets":[13,37]},"d@float64":{"dtype":"I64","shape":[],"data_offsets":[37,45]}}"#
        );
        let data = &bytes[8 + n..];
        assert_eq!(&data[..8], &[0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
        assert_eq!(&data[8..11], &[1, 0, 1]);
        assert_eq!(&data[11..13], &half::bf16::from_f32(1.5).to_le_bytes());
        let ints: Vec<i32> = data[13..37]
            .chunks(4)
            .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(ints, [1, 4, 2, 5, 3, 6]);
        assert_eq!(&data[37..45], &0.5f64.to_le_bytes());
        assert_eq!(data.len(), 45);
        Ok(())
    }
}
