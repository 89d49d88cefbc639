//! Random op sequences decoded from bytes: arrays of every dtype and small shapes (empty
//! and 0-d included), unary, binary, axis, shape and indexing ops with arbitrary (often
//! invalid) axes, shapes and indices, transforms (value_and_grad, vjp, jvp, vmap) of
//! such ops, and evaluation with a full read of the data. Every call must end in `Ok` or
//! `Err`: a crash, abort or sanitizer report is a bug.
#![no_main]

#[path = "../decode/ops.rs"]
mod decode;

libfuzzer_sys::fuzz_target!(|data: &[u8]| decode::run(data));
