//! mlx-c's string-keyed maps (`mlx_map_string_to_array`, `mlx_map_string_to_string`) and
//! string lists (`mlx_vector_string`), converted to and from `HashMap`/`Vec` at the
//! boundary. Crate-private: the public API speaks `HashMap<String, Array>`.

use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char};

use mlxrs_sys as sys;

use super::call::{mlx_call, mlx_new, mlx_step};
use super::handle::handle;
use super::marshal::{c_string, read_c_str};
use crate::{Array, Result};

handle! {
    /// An owned `mlx_map_string_to_array` (a C++ `unordered_map<string, array>`).
    pub(crate) struct MapStringToArray(mlx_map_string_to_array) {
        new: mlx_map_string_to_array_new, free: mlx_map_string_to_array_free
    }
}

handle! {
    /// An iterator over a borrowed `mlx_map_string_to_array`.
    struct MapStringToArrayIter(mlx_map_string_to_array_iterator) {
        free: mlx_map_string_to_array_iterator_free
    }
}

impl MapStringToArray {
    /// A new map holding (shared references to) the arrays of `entries`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `name` when a key contains a NUL byte.
    pub(crate) fn from_entries<'a, K>(
        name: &'static str,
        entries: impl IntoIterator<Item = (K, &'a Array)>,
    ) -> Result<Self>
    where
        K: AsRef<str>,
    {
        let map = MapStringToArray::empty();
        for (key, value) in entries {
            let key = c_string(name, key.as_ref())?;
            mlx_call!(mlx_map_string_to_array_insert(
                map.as_raw(),
                key.as_ptr(),
                value.as_raw()
            ))?;
        }
        Ok(map)
    }

    /// +1 copies of the entries.
    pub(crate) fn to_hash_map(&self) -> Result<HashMap<String, Array>> {
        arrays_of(self.as_raw())
    }
}

/// +1 copies of the entries of a borrowed map (it stays its owner's).
pub(crate) fn arrays_of(map: sys::mlx_map_string_to_array) -> Result<HashMap<String, Array>> {
    let mut out = HashMap::new();
    if map.ctx.is_null() {
        return Ok(out);
    }
    // The iterator borrows the live, non-empty map for this function.
    let it = mlx_new!(
        MapStringToArrayIter,
        mlx_map_string_to_array_iterator_new(map)
    )?;
    loop {
        let mut key: *const c_char = std::ptr::null();
        let mut value = Array::empty();
        // `key` receives a pointer into the map's own key, valid until the map changes
        // (it does not, here); `value` is an owned handle.
        if !mlx_step!(
            [2],
            mlx_map_string_to_array_iterator_next(&mut key, value.as_out(), it.as_raw())
        )? {
            return Ok(out);
        }
        // SAFETY: a NUL-terminated key owned by the live map.
        out.insert(unsafe { read_c_str(key) }, value);
    }
}

handle! {
    /// An owned `mlx_map_string_to_string`.
    pub(crate) struct MapStringToString(mlx_map_string_to_string) {
        new: mlx_map_string_to_string_new, free: mlx_map_string_to_string_free
    }
}

handle! {
    /// An iterator over a borrowed `mlx_map_string_to_string`.
    struct MapStringToStringIter(mlx_map_string_to_string_iterator) {
        free: mlx_map_string_to_string_iterator_free
    }
}

impl MapStringToString {
    /// A new map with a copy of `entries`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `name` when a key or value contains a NUL byte.
    pub(crate) fn from_entries<K, V>(
        name: &'static str,
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let map = MapStringToString::empty();
        for (key, value) in entries {
            let key = c_string(name, key.as_ref())?;
            let value = c_string(name, value.as_ref())?;
            mlx_call!(mlx_map_string_to_string_insert(
                map.as_raw(),
                key.as_ptr(),
                value.as_ptr()
            ))?;
        }
        Ok(map)
    }

    /// A copy of the entries.
    pub(crate) fn to_hash_map(&self) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        if self.as_raw().ctx.is_null() {
            return Ok(out);
        }
        // The iterator borrows the live, non-empty map (via `&self`).
        let it = mlx_new!(
            MapStringToStringIter,
            mlx_map_string_to_string_iterator_new(self.as_raw())
        )?;
        loop {
            let mut key: *const c_char = std::ptr::null();
            let mut value: *const c_char = std::ptr::null();
            // `key`/`value` receive pointers into the map's own strings, valid while the
            // map is unchanged.
            if !mlx_step!(
                [2],
                mlx_map_string_to_string_iterator_next(&mut key, &mut value, it.as_raw())
            )? {
                return Ok(out);
            }
            // SAFETY: NUL-terminated strings owned by the live map.
            let (k, v) = unsafe { (read_c_str(key), read_c_str(value)) };
            out.insert(k, v);
        }
    }
}

handle! {
    /// An owned `mlx_vector_string` (a C++ `vector<string>`).
    pub(crate) struct VectorString(mlx_vector_string) {
        new: mlx_vector_string_new, free: mlx_vector_string_free
    }
}

impl VectorString {
    /// A new vector with a copy of `items`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `name` when an item contains a NUL byte.
    pub(crate) fn from_strs<S: AsRef<str>>(name: &'static str, items: &[S]) -> Result<Self> {
        let owned = items
            .iter()
            .map(|s| c_string(name, s.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        let mut ptrs: Vec<*const c_char> = owned.iter().map(|s| s.as_ptr()).collect();
        let mut v = VectorString::empty();
        mlx_call!(mlx_vector_string_set_data(
            v.as_out(),
            ptrs.as_mut_ptr(),
            ptrs.len()
        ))?;
        Ok(v)
    }

    /// A copy of the items, lossily decoded.
    pub(crate) fn to_vec(&self) -> Result<Vec<String>> {
        Ok(self
            .to_byte_strings()?
            .iter()
            .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned())
            .collect())
    }

    /// A copy of the items, as C strings (their bytes up to the first NUL).
    pub(crate) fn to_byte_strings(&self) -> Result<Vec<CString>> {
        if self.as_raw().ctx.is_null() {
            return Ok(Vec::new());
        }
        let n = super::accessors::vector_string_size(self.as_raw());
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let mut p: *mut c_char = std::ptr::null_mut();
            mlx_call!(mlx_vector_string_get(&mut p, self.as_raw(), i))?;
            if p.is_null() {
                out.push(CString::default());
            } else {
                // SAFETY: a NUL-terminated string owned by the live vector.
                out.push(unsafe { CStr::from_ptr(p) }.to_owned());
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_round_trip() -> Result<()> {
        let a = Array::from(1.5f32);
        let map = MapStringToArray::from_entries("arrays", [("x", &a), ("y", &a)])?;
        let back = map.to_hash_map()?;
        assert_eq!(back.len(), 2);
        assert_eq!(back["y"].item::<f32>()?, 1.5);

        let meta = MapStringToString::from_entries("metadata", [("k", "v"), ("", "é")])?;
        let back = meta.to_hash_map()?;
        assert_eq!(back[""], "é");
        assert_eq!(back["k"], "v");

        let v = VectorString::from_strs("names", &["a", "bc", ""])?;
        assert_eq!(v.to_vec()?, ["a", "bc", ""]);
        Ok(())
    }

    #[test]
    fn nul_in_a_key_is_an_invalid_argument() {
        let Err(err) = MapStringToString::from_entries("metadata", [("a\0b", "v")]) else {
            panic!("a NUL in a key is an error");
        };
        assert_eq!(
            err.to_string(),
            "invalid `metadata`: \"a\\0b\" contains a NUL byte at position 1"
        );
    }
}
