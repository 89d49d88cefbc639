//! `.safetensors` data from bytes, through the reader loader (the path loader reads the
//! file into memory and takes the same path). Every loaded array is read back in full.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok((arrays, _)) = mlxrs::io::load_safetensors_from_reader(std::io::Cursor::new(data)) {
        for a in arrays.values() {
            let _ = a.as_bytes();
        }
    }
});
