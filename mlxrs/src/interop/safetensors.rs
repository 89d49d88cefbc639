//! [`safetensors`] crate interop (feature `safetensors`): arrays from and to its
//! [`TensorView`]s, and named maps of arrays (a model's [`ParamMap`](crate::nn::ParamMap))
//! from and to `.safetensors` bytes in memory, so weights move without temporary files.
//!
//! ```
//! use mlxrs::{Array, nn::ParamMap};
//! use mlxrs::interop::safetensors::{deserialize, serialize};
//! let mut weights = ParamMap::new();
//! weights.insert("layers.0.weight".into(), Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?);
//! let bytes: Vec<u8> = serialize(&weights)?;           // the `safetensors` crate's format
//! let back = deserialize(&bytes)?;
//! assert_eq!(back["layers.0.weight"].to_vec::<f32>()?, [1.0, 2.0, 3.0, 4.0]);
//! # Ok::<(), mlxrs::Error>(())
//! ```
//!
//! Element types: those both have: `bool`, `u8`..`u64`, `i8`..`i64`, `f16`, `bf16`,
//! `f32`, `f64`. MLX's `complex64` has no `safetensors` dtype: an `Err`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use safetensors::tensor::{Dtype as StDtype, SafeTensors, TensorView, View};

use crate::{Array, ArrayElement, Complex64, Dtype, Error, Result};

/// The `safetensors` dtype of an MLX dtype.
///
/// # Errors
/// [`Error::InvalidArgument`] for `complex64`, which `safetensors` lacks.
pub fn to_safetensors_dtype(dtype: Dtype) -> Result<StDtype> {
    Ok(match dtype {
        Dtype::Bool => StDtype::BOOL,
        Dtype::Uint8 => StDtype::U8,
        Dtype::Uint16 => StDtype::U16,
        Dtype::Uint32 => StDtype::U32,
        Dtype::Uint64 => StDtype::U64,
        Dtype::Int8 => StDtype::I8,
        Dtype::Int16 => StDtype::I16,
        Dtype::Int32 => StDtype::I32,
        Dtype::Int64 => StDtype::I64,
        Dtype::Float16 => StDtype::F16,
        Dtype::Bfloat16 => StDtype::BF16,
        Dtype::Float32 => StDtype::F32,
        Dtype::Float64 => StDtype::F64,
        other => {
            return Err(Error::invalid(
                "dtype",
                format!("safetensors has no dtype for MLX's {}", other.name()),
            ));
        }
    })
}

/// The MLX dtype of a `safetensors` dtype.
///
/// # Errors
/// [`Error::InvalidArgument`] for the 4-, 6- and 8-bit float formats, which MLX lacks.
pub fn from_safetensors_dtype(dtype: StDtype) -> Result<Dtype> {
    Ok(match dtype {
        StDtype::BOOL => Dtype::Bool,
        StDtype::U8 => Dtype::Uint8,
        StDtype::U16 => Dtype::Uint16,
        StDtype::U32 => Dtype::Uint32,
        StDtype::U64 => Dtype::Uint64,
        StDtype::I8 => Dtype::Int8,
        StDtype::I16 => Dtype::Int16,
        StDtype::I32 => Dtype::Int32,
        StDtype::I64 => Dtype::Int64,
        StDtype::F16 => Dtype::Float16,
        StDtype::BF16 => Dtype::Bfloat16,
        StDtype::F32 => Dtype::Float32,
        StDtype::F64 => Dtype::Float64,
        other => {
            return Err(Error::invalid(
                "dtype",
                format!("MLX has no dtype for safetensors' {other:?}"),
            ));
        }
    })
}

/// An [`Array`] holding a copy of a `safetensors` tensor.
///
/// # Errors
/// [`Error::InvalidArgument`] for a dtype MLX lacks, a `bool` byte other than 0 or 1, or
/// a dimension over `i32::MAX`.
pub fn from_tensor_view(view: &TensorView<'_>) -> Result<Array> {
    from_bytes(
        view.data(),
        view.shape(),
        from_safetensors_dtype(view.dtype())?,
    )
}

/// An array of `dtype` and `shape` from its little-endian bytes (a copy).
fn from_bytes(bytes: &[u8], shape: &[usize], dtype: Dtype) -> Result<Array> {
    let dims = shape
        .iter()
        .map(|&d| {
            i32::try_from(d)
                .map_err(|_| Error::invalid("shape", format!("dimension {d} does not fit in i32")))
        })
        .collect::<Result<Vec<i32>>>()?;
    fn pod<T: ArrayElement + bytemuck::Pod>(bytes: &[u8], dims: &[i32]) -> Result<Array> {
        if bytes.len() % std::mem::size_of::<T>() != 0 {
            return Err(Error::invalid(
                "data",
                format!("{} bytes is not a whole number of elements", bytes.len()),
            ));
        }
        // Copied into an aligned buffer: the bytes may sit at any address.
        let mut values = vec![T::zeroed(); bytes.len() / std::mem::size_of::<T>()];
        bytemuck::cast_slice_mut::<T, u8>(&mut values).copy_from_slice(bytes);
        Array::from_vec(values, dims)
    }
    match dtype {
        Dtype::Bool => {
            let values = bytes
                .iter()
                .map(|&b| match b {
                    0 => Ok(false),
                    1 => Ok(true),
                    _ => Err(Error::invalid(
                        "data",
                        format!("bool byte {b} is not 0 or 1"),
                    )),
                })
                .collect::<Result<Vec<bool>>>()?;
            Array::from_vec(values, &dims)
        }
        Dtype::Uint8 => pod::<u8>(bytes, &dims),
        Dtype::Uint16 => pod::<u16>(bytes, &dims),
        Dtype::Uint32 => pod::<u32>(bytes, &dims),
        Dtype::Uint64 => pod::<u64>(bytes, &dims),
        Dtype::Int8 => pod::<i8>(bytes, &dims),
        Dtype::Int16 => pod::<i16>(bytes, &dims),
        Dtype::Int32 => pod::<i32>(bytes, &dims),
        Dtype::Int64 => pod::<i64>(bytes, &dims),
        Dtype::Float16 => pod::<half::f16>(bytes, &dims),
        Dtype::Bfloat16 => pod::<half::bf16>(bytes, &dims),
        Dtype::Float32 => pod::<f32>(bytes, &dims),
        Dtype::Float64 => pod::<f64>(bytes, &dims),
        Dtype::Complex64 => pod::<Complex64>(bytes, &dims),
    }
}

/// The row-major little-endian bytes of an array (evaluating it).
fn to_bytes(x: &Array) -> Result<Vec<u8>> {
    fn pod<T: ArrayElement + bytemuck::Pod>(x: &Array) -> Result<Vec<u8>> {
        Ok(bytemuck::cast_slice(&x.to_vec::<T>()?).to_vec())
    }
    match x.dtype() {
        Dtype::Bool => Ok(x.to_vec::<bool>()?.into_iter().map(u8::from).collect()),
        Dtype::Uint8 => pod::<u8>(x),
        Dtype::Uint16 => pod::<u16>(x),
        Dtype::Uint32 => pod::<u32>(x),
        Dtype::Uint64 => pod::<u64>(x),
        Dtype::Int8 => pod::<i8>(x),
        Dtype::Int16 => pod::<i16>(x),
        Dtype::Int32 => pod::<i32>(x),
        Dtype::Int64 => pod::<i64>(x),
        Dtype::Float16 => pod::<half::f16>(x),
        Dtype::Bfloat16 => pod::<half::bf16>(x),
        Dtype::Float32 => pod::<f32>(x),
        Dtype::Float64 => pod::<f64>(x),
        Dtype::Complex64 => pod::<Complex64>(x),
    }
}

/// An array's data in the `safetensors` crate's terms: it implements the crate's
/// [`View`], so it goes to [`safetensors::serialize`] as it is, and
/// [`Tensor::view`] lends a [`TensorView`].
#[derive(Debug, Clone)]
pub struct Tensor {
    dtype: StDtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl Tensor {
    /// A [`TensorView`] of this data.
    ///
    /// # Errors
    /// Not expected: only if the crate rejects the shape and data it was made from.
    pub fn view(&self) -> Result<TensorView<'_>> {
        TensorView::new(self.dtype, self.shape.clone(), &self.data)
            .map_err(|e| Error::invalid("tensor", format!("safetensors: {e}")))
    }
}

impl View for Tensor {
    fn dtype(&self) -> StDtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

/// An array's data as a [`Tensor`] (evaluating the array; one copy).
///
/// ```
/// use safetensors::tensor::View;
/// let t = mlxrs::interop::safetensors::to_tensor(&mlxrs::Array::from_slice(&[1u16, 2], &[2])?)?;
/// assert_eq!((t.shape(), t.data_len()), (&[2usize][..], 4));
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] for `complex64`; MLX's error if evaluation fails.
pub fn to_tensor(x: &Array) -> Result<Tensor> {
    Ok(Tensor {
        dtype: to_safetensors_dtype(x.dtype())?,
        shape: x.shape().iter().map(|&d| d as usize).collect(),
        data: to_bytes(x)?,
    })
}

/// `.safetensors` bytes of named arrays (a [`ParamMap`](crate::nn::ParamMap), optimizer
/// state, ...), written by the `safetensors` crate.
///
/// # Errors
/// As [`to_tensor`], naming the array.
pub fn serialize(arrays: &BTreeMap<String, Array>) -> Result<Vec<u8>> {
    let tensors = arrays
        .iter()
        .map(|(name, a)| {
            to_tensor(a)
                .map(|t| (name.clone(), t))
                .map_err(|e| Error::invalid("arrays", format!("`{name}`: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    safetensors::serialize(tensors, None)
        .map_err(|e| Error::invalid("arrays", format!("safetensors: {e}")))
}

/// Named arrays from `.safetensors` bytes, read by the `safetensors` crate (e.g. weights
/// for [`Module::update`](crate::nn::Module::update)).
///
/// # Errors
/// [`Error::InvalidArgument`] naming the problem for malformed bytes, and naming the
/// tensor for a dtype MLX lacks.
pub fn deserialize(bytes: &[u8]) -> Result<BTreeMap<String, Array>> {
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| Error::invalid("bytes", format!("safetensors: {e}")))?;
    st.tensors()
        .into_iter()
        .map(|(name, view)| {
            from_tensor_view(&view)
                .map(|a| (name.clone(), a))
                .map_err(|e| Error::invalid("bytes", format!("tensor `{name}`: {e}")))
        })
        .collect()
}
