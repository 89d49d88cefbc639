//! Criterion benchmarks: the `compute` workloads of `common` (see there).

mod common;

fn bench(c: &mut criterion::Criterion) {
    common::criterion_group(c, common::Group::Compute);
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
