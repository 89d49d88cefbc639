//! `.gguf` data from bytes (through mlxrs's private temporary copy, as the path loader
//! does). Every loaded array and metadata array is read back in full.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok((arrays, metadata)) = mlxrs::io::load_gguf_from_reader(data) {
        for a in arrays.values() {
            let _ = a.as_bytes();
        }
        for value in metadata.values() {
            if let mlxrs::io::GgufMetadata::Array(a) = value {
                let _ = a.as_bytes();
            }
        }
    }
});
