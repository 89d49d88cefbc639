//! The sweep table: every mlx-c op mapped to a calling shape (unary, binary, reduction,
//! axis op, ...), each shape exercised with generated edge inputs, plus hand-made cases
//! for the ops of a shape of their own, the transforms and `nn`.

use mlxrs::ops as o;
use mlxrs::{Array, Dtype, Result};

use crate::cases::{
    Case, DTYPES, Expect, FORMS, Form, Thunk, Want, at_least_float, input, norm_axis, one, promote,
    reduced, sum_dtype,
};

/// mlx-c functions of the covered headers that the sweep does not call, with the reason.
pub const EXCLUDED: &[(&str, &str)] = &[
    (
        "mlx_distributed_all_gather",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_all_max",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_all_min",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_all_sum",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_group_free",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_group_new",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_group_rank",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_group_size",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_group_split",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_init",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_is_available",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_recv",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_recv_like",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_send",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_distributed_sum_scatter",
        "distributed: needs a launched group of processes; swept with 2 and 3 ranks, errors included, by tests/distributed.rs",
    ),
    (
        "mlx_fast_metal_kernel_new",
        "custom Metal kernels need a Metal device; the CPU sweep cannot run one",
    ),
    (
        "mlx_fast_metal_kernel_apply",
        "Metal only (see mlx_fast_metal_kernel_new)",
    ),
    ("mlx_fast_metal_kernel_free", "Metal only; a destructor"),
    (
        "mlx_fast_metal_kernel_config_new",
        "Metal only; kernel configuration plumbing",
    ),
    (
        "mlx_fast_metal_kernel_config_free",
        "Metal only; a destructor",
    ),
    (
        "mlx_fast_metal_kernel_config_add_output_arg",
        "Metal only; configuration plumbing",
    ),
    (
        "mlx_fast_metal_kernel_config_add_template_arg_bool",
        "Metal only; configuration plumbing",
    ),
    (
        "mlx_fast_metal_kernel_config_add_template_arg_dtype",
        "Metal only; configuration plumbing",
    ),
    (
        "mlx_fast_metal_kernel_config_add_template_arg_int",
        "Metal only; configuration plumbing",
    ),
    (
        "mlx_fast_metal_kernel_config_set_grid",
        "Metal only; configuration plumbing",
    ),
    (
        "mlx_fast_metal_kernel_config_set_init_value",
        "Metal only; configuration plumbing",
    ),
    (
        "mlx_fast_metal_kernel_config_set_thread_group",
        "Metal only; configuration plumbing",
    ),
    (
        "mlx_fast_metal_kernel_config_set_verbose",
        "Metal only; configuration plumbing",
    ),
    (
        "mlx_fast_cuda_kernel_new",
        "custom CUDA kernels need a CUDA device; the CPU sweep cannot run one",
    ),
    (
        "mlx_fast_cuda_kernel_apply",
        "CUDA only (see mlx_fast_cuda_kernel_new)",
    ),
    ("mlx_fast_cuda_kernel_free", "CUDA only; a destructor"),
    (
        "mlx_fast_cuda_kernel_config_new",
        "CUDA only; kernel configuration plumbing",
    ),
    (
        "mlx_fast_cuda_kernel_config_free",
        "CUDA only; a destructor",
    ),
    (
        "mlx_fast_cuda_kernel_config_add_output_arg",
        "CUDA only; configuration plumbing",
    ),
    (
        "mlx_fast_cuda_kernel_config_add_template_arg_bool",
        "CUDA only; configuration plumbing",
    ),
    (
        "mlx_fast_cuda_kernel_config_add_template_arg_dtype",
        "CUDA only; configuration plumbing",
    ),
    (
        "mlx_fast_cuda_kernel_config_add_template_arg_int",
        "CUDA only; configuration plumbing",
    ),
    (
        "mlx_fast_cuda_kernel_config_set_grid",
        "CUDA only; configuration plumbing",
    ),
    (
        "mlx_fast_cuda_kernel_config_set_init_value",
        "CUDA only; configuration plumbing",
    ),
    (
        "mlx_fast_cuda_kernel_config_set_thread_group",
        "CUDA only; configuration plumbing",
    ),
    (
        "mlx_fast_cuda_kernel_config_set_verbose",
        "CUDA only; configuration plumbing",
    ),
    (
        "mlx_function_exporter_free",
        "a destructor, run by every exporter case's drop",
    ),
    (
        "mlx_imported_function_free",
        "a destructor, run by every import case's drop",
    ),
];

pub fn all_cases() -> Vec<Case> {
    let mut v = Vec::new();
    unary(&mut v);
    binary(&mut v);
    reductions(&mut v);
    cumulative(&mut v);
    axis_ops(&mut v);
    crate::custom::cases(&mut v);
    // MLXRS_SWEEP_SELFTEST=1: one case that aborts, to see the driver count and name a
    // crash (the suite must then fail with `1 crashed` and a CRASH line).
    if std::env::var_os("MLXRS_SWEEP_SELFTEST").is_some() {
        v.push(Case::new(
            "selftest::abort",
            "std::process::abort()",
            Expect::OkCount(0),
            th(|| std::process::abort()),
        ));
    }
    v
}

fn th(f: impl Fn() -> Result<Vec<Array>> + 'static) -> Thunk {
    Box::new(f)
}

/// Float32 on inputs of one or more dimensions and elements must succeed; the rest may
/// be refused by name.
fn edge(d: Dtype, f: Form, want: Want) -> Expect {
    edge_strict(Dtype::Float32, d, f, want)
}

/// As [`edge`], with `strict` the dtype that must succeed.
fn edge_strict(strict: Dtype, d: Dtype, f: Form, want: Want) -> Expect {
    let plain = !matches!(f, Form::Empty | Form::ZeroSize | Form::Scalar);
    if d == strict && plain {
        Expect::Ok(want)
    } else {
        Expect::OkOrErr(want)
    }
}

// ---------------------------------------------------------------------------------------
// Unary element-wise ops (and the ops that take one array and nothing else).

#[derive(Clone, Copy)]
enum DRule {
    Same,
    Float,
    /// complex64 -> float32, else the same.
    RealPart,
    Bool,
    Uint32,
}

fn apply(r: DRule, d: Dtype) -> Dtype {
    match r {
        DRule::Same => d,
        DRule::Float => at_least_float(d),
        DRule::RealPart => {
            if d == Dtype::Complex64 {
                Dtype::Float32
            } else {
                d
            }
        }
        DRule::Bool => Dtype::Bool,
        DRule::Uint32 => Dtype::Uint32,
    }
}

type Un = fn(&Array) -> Result<Array>;
type ShapeRule = fn(&[i32]) -> Vec<i32>;

fn same(s: &[i32]) -> Vec<i32> {
    s.to_vec()
}
fn flat(s: &[i32]) -> Vec<i32> {
    vec![s.iter().product()]
}
fn rev(s: &[i32]) -> Vec<i32> {
    s.iter().rev().copied().collect()
}
fn squeezed(s: &[i32]) -> Vec<i32> {
    s.iter().copied().filter(|&d| d != 1).collect()
}
fn at_least(n: usize) -> impl Fn(&[i32]) -> Vec<i32> {
    move |s: &[i32]| match (n, s.len()) {
        (_, k) if k >= n => s.to_vec(),
        (1, 0) => vec![1],
        (2, 0) => vec![1, 1],
        (2, 1) => vec![1, s[0]],
        (3, 0) => vec![1, 1, 1],
        (3, 1) => vec![1, s[0], 1],
        (3, 2) => vec![s[0], s[1], 1],
        _ => unreachable!(),
    }
}
fn atl1(s: &[i32]) -> Vec<i32> {
    at_least(1)(s)
}
fn atl2(s: &[i32]) -> Vec<i32> {
    at_least(2)(s)
}
fn atl3(s: &[i32]) -> Vec<i32> {
    at_least(3)(s)
}

fn softmax_all(a: &Array) -> Result<Array> {
    o::softmax(a, false)
}
fn round0(a: &Array) -> Result<Array> {
    o::round(a, 0)
}
fn nan_to_num0(a: &Array) -> Result<Array> {
    o::nan_to_num(a, 0.0, None, None)
}
fn copy_(a: &Array) -> Result<Array> {
    o::copy(a)
}
fn contiguous_(a: &Array) -> Result<Array> {
    o::contiguous(a, false)
}
fn sort_flat(a: &Array) -> Result<Array> {
    o::sort_flat(a)
}
fn argsort_flat(a: &Array) -> Result<Array> {
    o::argsort_flat(a)
}
fn flip_all(a: &Array) -> Result<Array> {
    o::flip(a)
}
fn zeros_like(a: &Array) -> Result<Array> {
    o::zeros_like(a)
}
fn ones_like(a: &Array) -> Result<Array> {
    o::ones_like(a)
}
fn zeros_like_f16(a: &Array) -> Result<Array> {
    o::zeros_like_dtype(a, Dtype::Float16)
}
fn ones_like_i8(a: &Array) -> Result<Array> {
    o::ones_like_dtype(a, Dtype::Int8)
}
fn full_like7(a: &Array) -> Result<Array> {
    Array::full_like(a, 7i32)
}
fn astype_f32(a: &Array) -> Result<Array> {
    a.astype(Dtype::Float32)
}
fn stop_grad(a: &Array) -> Result<Array> {
    o::stop_gradient(a)
}

fn unary(v: &mut Vec<Case>) {
    let table: Vec<(&'static str, Un, DRule, ShapeRule)> = vec![
        ("mlx_abs", o::abs, DRule::RealPart, same),
        ("mlx_negative", o::negative, DRule::Same, same),
        ("mlx_positive", o::positive, DRule::Same, same),
        ("mlx_square", o::square, DRule::Same, same),
        ("mlx_sqrt", o::sqrt, DRule::Float, same),
        ("mlx_rsqrt", o::rsqrt, DRule::Float, same),
        ("mlx_reciprocal", o::reciprocal, DRule::Float, same),
        ("mlx_exp", o::exp, DRule::Float, same),
        ("mlx_expm1", o::expm1, DRule::Float, same),
        ("mlx_log", o::log, DRule::Float, same),
        ("mlx_log2", o::log2, DRule::Float, same),
        ("mlx_log10", o::log10, DRule::Float, same),
        ("mlx_log1p", o::log1p, DRule::Float, same),
        ("mlx_sin", o::sin, DRule::Float, same),
        ("mlx_cos", o::cos, DRule::Float, same),
        ("mlx_tan", o::tan, DRule::Float, same),
        ("mlx_arcsin", o::arcsin, DRule::Float, same),
        ("mlx_arccos", o::arccos, DRule::Float, same),
        ("mlx_arctan", o::arctan, DRule::Float, same),
        ("mlx_sinh", o::sinh, DRule::Float, same),
        ("mlx_cosh", o::cosh, DRule::Float, same),
        ("mlx_tanh", o::tanh, DRule::Float, same),
        ("mlx_arcsinh", o::arcsinh, DRule::Float, same),
        ("mlx_arccosh", o::arccosh, DRule::Float, same),
        ("mlx_arctanh", o::arctanh, DRule::Float, same),
        ("mlx_sigmoid", o::sigmoid, DRule::Float, same),
        ("mlx_erf", o::erf, DRule::Float, same),
        ("mlx_erfinv", o::erfinv, DRule::Float, same),
        ("mlx_sign", o::sign, DRule::Same, same),
        ("mlx_floor", o::floor, DRule::Same, same),
        ("mlx_ceil", o::ceil, DRule::Same, same),
        ("mlx_trunc", o::trunc, DRule::Same, same),
        ("mlx_degrees", o::degrees, DRule::Float, same),
        ("mlx_radians", o::radians, DRule::Float, same),
        ("mlx_conjugate", o::conjugate, DRule::Same, same),
        ("mlx_real", o::real, DRule::RealPart, same),
        ("mlx_imag", o::imag, DRule::RealPart, same),
        ("mlx_stop_gradient", stop_grad, DRule::Same, same),
        ("mlx_isnan", o::isnan, DRule::Bool, same),
        ("mlx_isinf", o::isinf, DRule::Bool, same),
        ("mlx_isfinite", o::isfinite, DRule::Bool, same),
        ("mlx_isposinf", o::isposinf, DRule::Bool, same),
        ("mlx_isneginf", o::isneginf, DRule::Bool, same),
        ("mlx_logical_not", o::logical_not, DRule::Bool, same),
        ("mlx_bitwise_invert", o::bitwise_invert, DRule::Same, same),
        ("mlx_round", round0, DRule::Same, same),
        ("mlx_nan_to_num", nan_to_num0, DRule::Same, same),
        ("mlx_copy", copy_, DRule::Same, same),
        ("mlx_contiguous", contiguous_, DRule::Same, same),
        ("mlx_sort", sort_flat, DRule::Same, flat),
        ("mlx_argsort", argsort_flat, DRule::Uint32, flat),
        ("mlx_flip", flip_all, DRule::Same, same),
        ("mlx_transpose", o::transpose, DRule::Same, rev),
        ("mlx_squeeze", o::squeeze, DRule::Same, squeezed),
        ("mlx_atleast_1d", o::atleast_1d, DRule::Same, atl1),
        ("mlx_atleast_2d", o::atleast_2d, DRule::Same, atl2),
        ("mlx_atleast_3d", o::atleast_3d, DRule::Same, atl3),
        ("mlx_zeros_like", zeros_like, DRule::Same, same),
        ("mlx_ones_like", ones_like, DRule::Same, same),
        ("mlx_astype", astype_f32, DRule::Same, same),
    ];
    for (op, f, rule, shape) in table {
        for d in DTYPES {
            for form in FORMS {
                let want_d = if op == "mlx_astype" {
                    Dtype::Float32
                } else {
                    apply(rule, d)
                };
                let want = one(shape(&form.shape()), want_d);
                let strict = if op == "mlx_bitwise_invert" {
                    Dtype::Int32
                } else {
                    Dtype::Float32
                };
                v.push(Case::new(
                    op,
                    format!("{d:?} {form:?}"),
                    edge_strict(strict, d, form, want),
                    th(move || Ok(vec![f(&input(d, form)?)?])),
                ));
            }
        }
    }
    // softmax over every axis: MLX computes in floating point only for a single last
    // axis (a 1-d input); otherwise the result keeps the input's dtype; an empty input
    // comes back as it is.
    for d in DTYPES {
        for form in FORMS {
            let s = form.shape();
            let empty = s.contains(&0);
            let want_d = if s.len() == 1 && !empty {
                at_least_float(d)
            } else {
                d
            };
            v.push(Case::new(
                "mlx_softmax",
                format!("{d:?} {form:?}"),
                edge(d, form, one(s, want_d)),
                th(move || Ok(vec![softmax_all(&input(d, form)?)?])),
            ));
        }
    }
    // Creation from a template: one entry per fixed target dtype.
    let like: Vec<(&'static str, Un, Dtype)> = vec![
        ("mlx_zeros_like_dtype", zeros_like_f16, Dtype::Float16),
        ("mlx_ones_like_dtype", ones_like_i8, Dtype::Int8),
    ];
    for (op, f, target) in like {
        for d in DTYPES {
            for form in FORMS {
                v.push(Case::new(
                    op,
                    format!("{d:?} {form:?}"),
                    edge(d, form, one(form.shape(), target)),
                    th(move || Ok(vec![f(&input(d, form)?)?])),
                ));
            }
        }
    }
    for d in DTYPES {
        for form in FORMS {
            v.push(Case::new(
                "mlx_full_like",
                format!("{d:?} {form:?}"),
                edge(d, form, one(form.shape(), d)),
                th(move || Ok(vec![full_like7(&input(d, form)?)?])),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Binary element-wise ops: every dtype pair (promotion rule) and every pair of forms
// (broadcast rule).

#[derive(Clone, Copy)]
enum BRule {
    Promote,
    Float,
    Bool,
    /// Shifts: bool operands give uint8.
    Shift,
}

/// NumPy's broadcast rule: the shapes aligned at the right; each pair of sizes equal or
/// one of them 1.
pub fn broadcast(a: &[i32], b: &[i32]) -> Option<Vec<i32>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let x = if i < a.len() { a[a.len() - 1 - i] } else { 1 };
        let y = if i < b.len() { b[b.len() - 1 - i] } else { 1 };
        out[n - 1 - i] = match (x, y) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

type Bin = fn(&Array, &Array) -> Result<Array>;

fn isclose_(a: &Array, b: &Array) -> Result<Array> {
    o::isclose(a, b, 1e-5, 1e-8, false)
}

fn binary(v: &mut Vec<Case>) {
    let table: Vec<(&'static str, Bin, BRule)> = vec![
        ("mlx_add", o::add, BRule::Promote),
        ("mlx_subtract", o::subtract, BRule::Promote),
        ("mlx_multiply", o::multiply, BRule::Promote),
        ("mlx_divide", o::divide, BRule::Float),
        ("mlx_power", o::power, BRule::Promote),
        ("mlx_maximum", o::maximum, BRule::Promote),
        ("mlx_minimum", o::minimum, BRule::Promote),
        ("mlx_logaddexp", o::logaddexp, BRule::Float),
        ("mlx_arctan2", o::arctan2, BRule::Float),
        ("mlx_floor_divide", o::floor_divide, BRule::Promote),
        ("mlx_remainder", o::remainder, BRule::Promote),
        ("mlx_equal", o::equal, BRule::Bool),
        ("mlx_not_equal", o::not_equal, BRule::Bool),
        ("mlx_less", o::less, BRule::Bool),
        ("mlx_less_equal", o::less_equal, BRule::Bool),
        ("mlx_greater", o::greater, BRule::Bool),
        ("mlx_greater_equal", o::greater_equal, BRule::Bool),
        ("mlx_logical_and", o::logical_and, BRule::Bool),
        ("mlx_logical_or", o::logical_or, BRule::Bool),
        ("mlx_logical_xor", o::logical_xor, BRule::Bool),
        ("mlx_bitwise_and", o::bitwise_and, BRule::Promote),
        ("mlx_bitwise_or", o::bitwise_or, BRule::Promote),
        ("mlx_bitwise_xor", o::bitwise_xor, BRule::Promote),
        ("mlx_left_shift", o::left_shift, BRule::Shift),
        ("mlx_right_shift", o::right_shift, BRule::Shift),
        ("mlx_isclose", isclose_, BRule::Bool),
    ];
    for (op, f, rule) in table {
        let dt = move |a: Dtype, b: Dtype| {
            let p = promote(a, b);
            match rule {
                BRule::Promote => p,
                BRule::Float => at_least_float(p),
                BRule::Bool => Dtype::Bool,
                BRule::Shift => {
                    if p == Dtype::Bool {
                        Dtype::Uint8
                    } else {
                        p
                    }
                }
            }
        };
        let int_only = matches!(rule, BRule::Shift) || op.starts_with("mlx_bitwise");
        let base = if int_only {
            Dtype::Int32
        } else {
            Dtype::Float32
        };
        for da in DTYPES {
            for db in DTYPES {
                // Every dtype with itself, with float32 and with int32 (both ways).
                let keep = da == db
                    || [Dtype::Float32, Dtype::Int32].contains(&da)
                    || [Dtype::Float32, Dtype::Int32].contains(&db);
                if !keep {
                    continue;
                }
                let want = one(vec![6], dt(da, db));
                let expect = if da == base && db == base {
                    Expect::Ok(want)
                } else {
                    Expect::OkOrErr(want)
                };
                v.push(Case::new(
                    op,
                    format!("{da:?} (6) with {db:?} (6)"),
                    expect,
                    th(move || {
                        Ok(vec![f(
                            &input(da, Form::Vector)?,
                            &input(db, Form::Vector)?,
                        )?])
                    }),
                ));
            }
        }
        let d = base;
        for fa in FORMS {
            for fb in FORMS {
                let expect = match broadcast(&fa.shape(), &fb.shape()) {
                    Some(s) => Expect::Ok(one(s, dt(d, d))),
                    None => Expect::Err,
                };
                v.push(
                    Case::new(
                        op,
                        format!("{fa:?} {:?} with {fb:?} {:?}", fa.shape(), fb.shape()),
                        expect,
                        th(move || Ok(vec![f(&input(d, fa)?, &input(d, fb)?)?])),
                    )
                    .also(&["broadcast_shapes"]),
                );
            }
        }
    }
    // divmod: two outputs.
    for da in DTYPES {
        for db in [Dtype::Int32, Dtype::Float32, Dtype::Uint8, da] {
            let p = promote(da, db);
            v.push(Case::new(
                "mlx_divmod",
                format!("{da:?} with {db:?}"),
                Expect::OkOrErr(vec![(vec![6], p), (vec![6], p)]),
                th(move || {
                    let (q, r) = o::divmod(&input(da, Form::Vector)?, &input(db, Form::Vector)?)?;
                    Ok(vec![q, r])
                }),
            ));
        }
    }
    for (fa, fb) in [(Form::Matrix, Form::Vector), (Form::Empty, Form::Vector)] {
        v.push(
            Case::new(
                "mlx_divmod",
                format!("{fa:?} with {fb:?}"),
                Expect::Err,
                th(move || {
                    let (q, r) =
                        o::divmod(&input(Dtype::Float32, fa)?, &input(Dtype::Float32, fb)?)?;
                    Ok(vec![q, r])
                }),
            )
            .also(&["broadcast_shapes"]),
        );
    }
}

// ---------------------------------------------------------------------------------------
// Reductions: over everything, over one axis, over a list of axes.

type All = fn(&Array, bool) -> Result<Array>;
type AxisR = fn(&Array, i32, bool) -> Result<Array>;
type AxesR = fn(&Array, &[i32], bool) -> Result<Array>;

fn var_all(a: &Array, k: bool) -> Result<Array> {
    o::var(a, k, 0)
}
fn var_axis(a: &Array, ax: i32, k: bool) -> Result<Array> {
    o::var_axis(a, ax, k, 0)
}
fn var_axes(a: &Array, ax: &[i32], k: bool) -> Result<Array> {
    o::var_axes(a, ax, k, 0)
}
fn std_all(a: &Array, k: bool) -> Result<Array> {
    o::std(a, k, 1)
}
fn std_axis(a: &Array, ax: i32, k: bool) -> Result<Array> {
    o::std_axis(a, ax, k, 1)
}
fn std_axes(a: &Array, ax: &[i32], k: bool) -> Result<Array> {
    o::std_axes(a, ax, k, 1)
}
fn var_dtype(d: Dtype) -> Dtype {
    if d == Dtype::Complex64 {
        Dtype::Float32
    } else {
        at_least_float(d)
    }
}
fn float_dtype(d: Dtype) -> Dtype {
    at_least_float(d)
}
fn same_dtype(d: Dtype) -> Dtype {
    d
}
fn bool_dtype(_: Dtype) -> Dtype {
    Dtype::Bool
}
fn u32_dtype(_: Dtype) -> Dtype {
    Dtype::Uint32
}
fn i32_dtype(_: Dtype) -> Dtype {
    Dtype::Int32
}

fn reductions(v: &mut Vec<Case>) {
    type Row = (
        [&'static str; 3],
        All,
        AxisR,
        Option<AxesR>,
        fn(Dtype) -> Dtype,
    );
    let table: Vec<Row> = vec![
        (
            ["mlx_sum", "mlx_sum_axis", "mlx_sum_axes"],
            o::sum,
            o::sum_axis,
            Some(o::sum_axes),
            sum_dtype,
        ),
        (
            ["mlx_prod", "mlx_prod_axis", "mlx_prod_axes"],
            o::prod,
            o::prod_axis,
            Some(o::prod_axes),
            sum_dtype,
        ),
        (
            ["mlx_mean", "mlx_mean_axis", "mlx_mean_axes"],
            o::mean,
            o::mean_axis,
            Some(o::mean_axes),
            float_dtype,
        ),
        (
            ["mlx_max", "mlx_max_axis", "mlx_max_axes"],
            o::max,
            o::max_axis,
            Some(o::max_axes),
            same_dtype,
        ),
        (
            ["mlx_min", "mlx_min_axis", "mlx_min_axes"],
            o::min,
            o::min_axis,
            Some(o::min_axes),
            same_dtype,
        ),
        (
            ["mlx_all", "mlx_all_axis", "mlx_all_axes"],
            o::all,
            o::all_axis,
            Some(o::all_axes),
            bool_dtype,
        ),
        (
            ["mlx_any", "mlx_any_axis", "mlx_any_axes"],
            o::any,
            o::any_axis,
            Some(o::any_axes),
            bool_dtype,
        ),
        (
            ["mlx_logsumexp", "mlx_logsumexp_axis", "mlx_logsumexp_axes"],
            o::logsumexp,
            o::logsumexp_axis,
            Some(o::logsumexp_axes),
            float_dtype,
        ),
        (
            ["mlx_median", "mlx_median_axis", "mlx_median_axes"],
            o::median,
            o::median_axis,
            Some(o::median_axes),
            float_dtype,
        ),
        (
            [
                "mlx_count_nonzero",
                "mlx_count_nonzero_axis",
                "mlx_count_nonzero_axes",
            ],
            o::count_nonzero,
            o::count_nonzero_axis,
            Some(o::count_nonzero_axes),
            i32_dtype,
        ),
        (
            ["mlx_var", "mlx_var_axis", "mlx_var_axes"],
            var_all,
            var_axis,
            Some(var_axes),
            var_dtype,
        ),
        (
            ["mlx_std", "mlx_std_axis", "mlx_std_axes"],
            std_all,
            std_axis,
            Some(std_axes),
            var_dtype,
        ),
        (
            ["mlx_argmax", "mlx_argmax_axis", ""],
            o::argmax,
            o::argmax_axis,
            None,
            u32_dtype,
        ),
        (
            ["mlx_argmin", "mlx_argmin_axis", ""],
            o::argmin,
            o::argmin_axis,
            None,
            u32_dtype,
        ),
    ];
    for ([all_op, axis_op, axes_op], all, axis, axes, rule) in table {
        for d in DTYPES {
            for form in FORMS {
                for keep in [false, true] {
                    let s = form.shape();
                    let every: Vec<usize> = (0..s.len()).collect();
                    // A 0-d input has no axis to reduce: sum and prod give it back as it is.
                    let want_d = if s.is_empty() && ["mlx_sum", "mlx_prod"].contains(&all_op) {
                        d
                    } else {
                        rule(d)
                    };
                    v.push(Case::new(
                        all_op,
                        format!("{d:?} {form:?} keepdims={keep}"),
                        edge(d, form, one(reduced(&s, &every, keep), want_d)),
                        th(move || Ok(vec![all(&input(d, form)?, keep)?])),
                    ));
                }
            }
        }
        for d in [Dtype::Float32, Dtype::Int8, Dtype::Float16] {
            for form in [
                Form::Matrix,
                Form::Transposed,
                Form::Broadcast,
                Form::ZeroSize,
                Form::Vector,
                Form::Scalar,
            ] {
                let s = form.shape();
                for ax in [0, -1, 2, -3, i32::MIN] {
                    for keep in [false, true] {
                        let expect = match norm_axis(ax, s.len()) {
                            Some(a) => edge(d, form, one(reduced(&s, &[a], keep), rule(d))),
                            None => Expect::Err,
                        };
                        v.push(Case::new(
                            axis_op,
                            format!("{d:?} {form:?} axis={ax} keepdims={keep}"),
                            expect,
                            th(move || Ok(vec![axis(&input(d, form)?, ax, keep)?])),
                        ));
                    }
                }
                let Some(axes) = axes else { continue };
                if matches!(form, Form::Broadcast | Form::Vector) {
                    continue;
                }
                let lists: [&'static [i32]; 8] = [
                    &[0, 1],
                    &[1, 0],
                    &[-1],
                    &[0, 0],
                    &[0, -2],
                    &[5],
                    &[-4],
                    &[0, 1, 2],
                ];
                for list in lists {
                    let norm: Option<Vec<usize>> =
                        list.iter().map(|&a| norm_axis(a, s.len())).collect();
                    let unique = norm.as_ref().is_some_and(|n| {
                        let mut m = n.clone();
                        m.sort();
                        m.dedup();
                        m.len() == n.len()
                    });
                    for keep in [false, true] {
                        let expect = match (&norm, unique) {
                            (Some(n), true) => edge(d, form, one(reduced(&s, n, keep), rule(d))),
                            _ => Expect::Err,
                        };
                        v.push(Case::new(
                            axes_op,
                            format!("{d:?} {form:?} axes={list:?} keepdims={keep}"),
                            expect,
                            th(move || Ok(vec![axes(&input(d, form)?, list, keep)?])),
                        ));
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Cumulative ops: flattened (shape (size)) or along an axis (shape kept).

fn cumulative(v: &mut Vec<Case>) {
    type Flat = Box<dyn Fn(&Array) -> Result<Array>>;
    type Ax = Box<dyn Fn(&Array, i32) -> Result<Array>>;
    fn cumsum_dtype(d: Dtype) -> Dtype {
        if d == Dtype::Bool { Dtype::Int32 } else { d }
    }
    type Row = (&'static str, &'static str, Flat, Ax, fn(Dtype) -> Dtype);
    let table: Vec<Row> = vec![
        (
            "mlx_cumsum",
            "mlx_cumsum_axis",
            Box::new(|a| o::cumsum(a, false, true, None)),
            Box::new(|a, ax| o::cumsum_axis(a, ax, true, true, None)),
            cumsum_dtype,
        ),
        (
            "mlx_cumprod",
            "mlx_cumprod_axis",
            Box::new(|a| o::cumprod(a, true, false, None)),
            Box::new(|a, ax| o::cumprod_axis(a, ax, false, false, None)),
            same_dtype,
        ),
        (
            "mlx_cummax",
            "mlx_cummax_axis",
            Box::new(|a| o::cummax(a, false, true)),
            Box::new(|a, ax| o::cummax_axis(a, ax, false, true)),
            same_dtype,
        ),
        (
            "mlx_cummin",
            "mlx_cummin_axis",
            Box::new(|a| o::cummin(a, false, true)),
            Box::new(|a, ax| o::cummin_axis(a, ax, true, true)),
            same_dtype,
        ),
        (
            "mlx_logcumsumexp",
            "mlx_logcumsumexp_axis",
            Box::new(|a| o::logcumsumexp(a, false, true)),
            Box::new(|a, ax| o::logcumsumexp_axis(a, ax, false, true)),
            same_dtype,
        ),
    ];
    let table: Vec<_> = table
        .into_iter()
        .map(|(a, b, f, g, r)| (a, b, std::rc::Rc::new(f), std::rc::Rc::new(g), r))
        .collect();
    for (flat_op, axis_op, flat_f, axis_f, rule) in table {
        for d in DTYPES {
            for form in FORMS {
                let f = flat_f.clone();
                v.push(Case::new(
                    flat_op,
                    format!("{d:?} {form:?}"),
                    edge(d, form, one(flat(&form.shape()), rule(d))),
                    th(move || Ok(vec![f(&input(d, form)?)?])),
                ));
                let s = form.shape();
                if !matches!(
                    d,
                    Dtype::Float32 | Dtype::Int8 | Dtype::Bool | Dtype::Uint64 | Dtype::Float16
                ) {
                    continue;
                }
                for ax in [0, -1, 3, i32::MIN] {
                    let g = axis_f.clone();
                    let expect = match norm_axis(ax, s.len()) {
                        Some(_) => edge(d, form, one(s.clone(), rule(d))),
                        None => Expect::Err,
                    };
                    v.push(Case::new(
                        axis_op,
                        format!("{d:?} {form:?} axis={ax}"),
                        expect,
                        th(move || Ok(vec![g(&input(d, form)?, ax)?])),
                    ));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Ops taking one array and one axis.

fn axis_ops(v: &mut Vec<Case>) {
    type F = fn(&Array, i32) -> Result<Array>;
    /// (shape, normalized axis) -> shape, or None for a bad input.
    type R = fn(&[i32], usize) -> Option<Vec<i32>>;
    fn keep(s: &[i32], _: usize) -> Option<Vec<i32>> {
        Some(s.to_vec())
    }
    fn first(s: &[i32], a: usize) -> Option<Vec<i32>> {
        let mut s = s.to_vec();
        (s[a] >= 1).then(|| {
            s[a] = 1;
            s
        })
    }
    fn squeeze1(s: &[i32], a: usize) -> Option<Vec<i32>> {
        let mut s = s.to_vec();
        (s[a] == 1).then(|| {
            s.remove(a);
            s
        })
    }
    fn softmax_axis(a: &Array, ax: i32) -> Result<Array> {
        o::softmax_axis(a, ax, true)
    }
    fn topk1(a: &Array, ax: i32) -> Result<Array> {
        o::topk_axis(a, 1, ax)
    }
    fn partition0(a: &Array, ax: i32) -> Result<Array> {
        o::partition_axis(a, 0, ax)
    }
    fn argpartition0(a: &Array, ax: i32) -> Result<Array> {
        o::argpartition_axis(a, 0, ax)
    }
    fn roll1(a: &Array, ax: i32) -> Result<Array> {
        o::roll_axis(a, &[1], ax)
    }
    fn repeat2(a: &Array, ax: i32) -> Result<Array> {
        o::repeat_axis(a, 2, ax)
    }
    fn double(s: &[i32], a: usize) -> Option<Vec<i32>> {
        let mut s = s.to_vec();
        s[a] *= 2;
        Some(s)
    }
    fn diff1(a: &Array, ax: i32) -> Result<Array> {
        o::diff(a, 1, ax)
    }
    fn minus1(s: &[i32], a: usize) -> Option<Vec<i32>> {
        let mut s = s.to_vec();
        s[a] = (s[a] - 1).max(0);
        Some(s)
    }
    type Row = (&'static str, F, R, fn(Dtype) -> Dtype);
    let table: Vec<Row> = vec![
        ("mlx_sort_axis", o::sort_axis, keep, same_dtype),
        ("mlx_argsort_axis", o::argsort_axis, keep, u32_dtype),
        ("mlx_softmax_axis", softmax_axis, keep, float_dtype),
        ("mlx_flip_axis", o::flip_axis, keep, same_dtype),
        ("mlx_topk_axis", topk1, first, same_dtype),
        ("mlx_partition_axis", partition0, keep, same_dtype),
        ("mlx_argpartition_axis", argpartition0, keep, u32_dtype),
        ("mlx_roll_axis", roll1, keep, same_dtype),
        ("mlx_squeeze_axis", o::squeeze_axis, squeeze1, same_dtype),
        ("mlx_repeat_axis", repeat2, double, same_dtype),
        ("mlx_diff", diff1, minus1, same_dtype),
    ];
    for (op, f, rule, drule) in table {
        for d in [
            Dtype::Float32,
            Dtype::Int8,
            Dtype::Bool,
            Dtype::Uint64,
            Dtype::Float16,
            Dtype::Complex64,
        ] {
            for form in FORMS {
                let s = form.shape();
                for ax in [0, -1, 1, 2, i32::MAX] {
                    let mut expect = match norm_axis(ax, s.len()).and_then(|a| rule(&s, a)) {
                        Some(shape) => edge(d, form, one(shape, drule(d))),
                        None => Expect::Err,
                    };
                    if op == "mlx_softmax_axis" {
                        // Floating point only along the last axis; an empty input comes
                        // back as it is, whatever the axis.
                        expect = if s.contains(&0) {
                            Expect::OkOrErr(one(s.clone(), d))
                        } else {
                            match norm_axis(ax, s.len()) {
                                Some(a) if a + 1 == s.len() => {
                                    edge(d, form, one(s.clone(), float_dtype(d)))
                                }
                                Some(_) => edge(d, form, one(s.clone(), d)),
                                None => Expect::Err,
                            }
                        };
                    }
                    v.push(Case::new(
                        op,
                        format!("{d:?} {form:?} axis={ax}"),
                        expect,
                        th(move || Ok(vec![f(&input(d, form)?, ax)?])),
                    ));
                }
            }
        }
    }
    // expand_dims: the axis ranges over ndim + 1 positions.
    for d in DTYPES {
        for form in FORMS {
            let s = form.shape();
            for ax in [0, -1, 1, 2, 3, -4, i32::MIN] {
                let expect = match norm_axis(ax, s.len() + 1) {
                    Some(a) => {
                        let mut t = s.clone();
                        t.insert(a, 1);
                        edge(d, form, one(t, d))
                    }
                    None => Expect::Err,
                };
                v.push(Case::new(
                    "mlx_expand_dims",
                    format!("{d:?} {form:?} axis={ax}"),
                    expect,
                    th(move || Ok(vec![o::expand_dims(&input(d, form)?, ax)?])),
                ));
            }
        }
    }
}
