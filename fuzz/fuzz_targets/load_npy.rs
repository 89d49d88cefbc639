//! `.npy` data from bytes, through the reader loader (the path loader reads the file
//! into memory and takes the same path). Any outcome but a crash, hang or unbounded
//! allocation is fine; a loaded array is read back in full.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(a) = mlxrs::io::load_from_reader(std::io::Cursor::new(data)) {
        let _ = a.as_bytes();
    }
});
