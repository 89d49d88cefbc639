//! Criterion benchmarks: the `dispatch` workloads of `common` (see there).

mod common;

fn bench(c: &mut criterion::Criterion) {
    common::criterion_group(c, common::Group::Dispatch);
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
