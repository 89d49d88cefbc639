//! Criterion benchmarks: the `compute` workloads of `common` (see there).

#![allow(missing_docs)] // criterion's macros generate undocumented functions

mod common;

fn bench(c: &mut criterion::Criterion) {
    common::criterion_group(c, common::Group::Compute);
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
