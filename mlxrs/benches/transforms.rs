//! Criterion benchmarks: the `transforms` workloads of `common` (see there).

#![allow(missing_docs)] // criterion's macros generate undocumented functions

mod common;

fn bench(c: &mut criterion::Criterion) {
    common::criterion_group(c, common::Group::Transforms);
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
