//! `grad` of many ops checked against central finite differences.
//!
//! Each case is a scalar function F of one or more arrays (mostly `sum(op(x))`). The
//! test takes `grad(F, every argnum)` once in `f32` and once in `f64` and compares every
//! element of every gradient with the five-point central difference
//! `(-F(x + 2h e_i) + 8 F(x + h e_i) - 8 F(x - h e_i) + F(x - 2h e_i)) / 12h`, evaluated
//! in `f64` with `h = 1e-2`.
//!
//! Why not `h = 1e-5` and the plain two-point difference: MLX 0.32.2's CPU backend
//! evaluates `exp`, `sin`, `cos`, `erf` (and what is built on them) in `float64` only to
//! about single precision (`mx.exp(mx.array(1.7, mx.float64))` is off by 1.3e-7 from
//! `math.exp(1.7)`, checked once with Python MLX), so the rounding noise of a difference
//! is about `1e-7 |f| / h`. With `h = 1e-2` that noise is about `1e-5 |f|`, and the
//! stencil's truncation error `h⁴ f⁽⁵⁾ / 30 ≈ 3e-10 f⁽⁵⁾` stays far below the tolerance
//! because the points keep away from the ops' poles, kinks and branch points.

use mlxrs::ops::*;
use mlxrs::transforms::grad;
use mlxrs::{Array, Device, Dtype, Result, Stream};

/// A scalar-valued function of arrays; it must follow its inputs' dtype.
type ScalarFn = fn(&[Array]) -> Result<Array>;

const H: f64 = 1e-2;
/// `|grad - fd| <= TOL * (1 + |fd|)`, for the `f64` and for the `f32` gradients.
const TOL: f64 = 1e-4;

/// An array of `dtype` from `data`: `float64` from the values themselves, every other
/// dtype through `float32` (so that no `float64` array reaches a GPU stream).
fn make(data: &[f64], shape: &[i32], dtype: Dtype) -> Result<Array> {
    if dtype == Dtype::Float64 {
        return Array::from_slice(data, shape);
    }
    let single: Vec<f32> = data.iter().map(|&x| x as f32).collect();
    let a = Array::from_slice(&single, shape)?;
    if dtype == Dtype::Float32 {
        Ok(a)
    } else {
        a.astype(dtype)
    }
}

thread_local! {
    /// This test thread's CPU stream for [`on_cpu`], made once: every MLX stream is a
    /// worker thread of its own, so a stream per call would pile up threads.
    static CPU_STREAM: std::cell::OnceCell<Stream> = const { std::cell::OnceCell::new() };
}

/// Runs `f` on a CPU stream when the default device is the GPU: the `float64` reference
/// of every check (MLX's GPU backends have no `float64`), so that on the GPU run
/// (`MLXRS_DEFAULT_DEVICE=gpu`) the `float32` gradients are the GPU's and the finite
/// differences stay the CPU's. Elsewhere `f` runs as it is.
fn on_cpu<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    if !crate::support::default_is_gpu() {
        return f();
    }
    CPU_STREAM.with(|cell| {
        if cell.get().is_none() {
            let _ = cell.set(Stream::new(&Device::cpu())?);
        }
        match cell.get() {
            Some(s) => {
                let _g = s.scope();
                f()
            }
            None => f(),
        }
    })
}

/// A constant in the dtype of `like`.
fn konst(like: &Array, data: &[f64], shape: &[i32]) -> Result<Array> {
    make(data, shape, like.dtype())
}

/// `F` at `point` with element `i` of argument `j` moved by `delta`, in `f64`.
fn eval_shifted(
    f: ScalarFn,
    point: &[&[f64]],
    shapes: &[&[i32]],
    j: usize,
    i: usize,
    delta: f64,
) -> Result<f64> {
    let mut args = Vec::with_capacity(point.len());
    for (k, (values, shape)) in point.iter().zip(shapes).enumerate() {
        let mut v = values.to_vec();
        if k == j {
            v[i] += delta;
        }
        args.push(make(&v, shape, Dtype::Float64)?);
    }
    let y = f(&args)?;
    assert_eq!(y.size(), 1, "the test function must return a scalar");
    y.item::<f64>()
}

/// Compares `grad(f)` with central differences at every point, for every argument and
/// every element, in `f32` and in `f64`.
fn check(name: &str, f: ScalarFn, shapes: &[&[i32]], points: &[&[&[f64]]]) -> Result<()> {
    let argnums: Vec<i32> = (0..shapes.len() as i32).collect();
    let g = grad(move |xs: &[Array]| Ok(vec![f(xs)?]), &argnums)?;
    for point in points {
        assert_eq!(
            point.len(),
            shapes.len(),
            "{name}: one value list per argument"
        );
        let build = |dtype| -> Result<Vec<Array>> {
            point
                .iter()
                .zip(shapes)
                .map(|(v, s)| make(v, s, dtype))
                .collect()
        };
        let g32 = g(&build(Dtype::Float32)?)?;
        // The `float64` gradient only where the default device has `float64`: the ops
        // MLX's transforms add by themselves (the cotangent, for one) go to the default
        // device, whatever stream is current, so on the GPU run only the `float32`
        // gradients (the GPU's) are checked against the CPU's finite differences.
        let g64 = if crate::support::default_is_gpu() {
            None
        } else {
            let g64 = g(&build(Dtype::Float64)?)?;
            assert_eq!(g64.len(), shapes.len(), "{name}: one gradient per argnum");
            Some(g64)
        };
        assert_eq!(g32.len(), shapes.len(), "{name}: one gradient per argnum");
        for (j, (values, shape)) in point.iter().zip(shapes).enumerate() {
            assert_eq!(g32[j].shape(), *shape, "{name}: gradient {j} shape");
            assert_eq!(g32[j].dtype(), Dtype::Float32, "{name}: gradient {j} dtype");
            let a32 = g32[j].to_vec::<f32>()?;
            let a64 = match &g64 {
                Some(g64) => {
                    assert_eq!(g64[j].dtype(), Dtype::Float64, "{name}: gradient {j} dtype");
                    Some(g64[j].to_vec::<f64>()?)
                }
                None => None,
            };
            for i in 0..values.len() {
                let at = |k: f64| on_cpu(|| eval_shifted(f, point, shapes, j, i, k * H));
                let fd = (-at(2.0)? + 8.0 * at(1.0)? - 8.0 * at(-1.0)? + at(-2.0)?) / (12.0 * H);
                if let Some(a64) = &a64 {
                    assert!(
                        (a64[i] - fd).abs() <= TOL * (1.0 + fd.abs()),
                        "{name} at {point:?}: d/d(arg {j})[{i}]: f64 grad {} vs finite difference {fd}",
                        a64[i]
                    );
                }
                assert!(
                    (f64::from(a32[i]) - fd).abs() <= TOL * (1.0 + fd.abs()),
                    "{name} at {point:?}: d/d(arg {j})[{i}]: f32 grad {} vs finite difference {fd}",
                    a32[i]
                );
            }
        }
    }
    Ok(())
}

/// Points anywhere on the real line (4 elements each).
const REALS: &[&[&[f64]]] = &[
    &[&[-2.0, -0.5, 0.3, 1.7]],
    &[&[0.0, 0.9, 2.5, -3.0]],
    &[&[1.1, -1.2, 0.05, -0.8]],
];
/// Points in (0, ∞).
const POSITIVE: &[&[&[f64]]] = &[
    &[&[0.3, 0.5, 1.0, 3.0]],
    &[&[0.4, 2.0, 7.5, 0.9]],
    &[&[1.5, 0.3, 4.0, 10.0]],
];
/// Points in (-1, 1).
const UNIT: &[&[&[f64]]] = &[
    &[&[-0.8, -0.5, 0.0, 0.6]],
    &[&[0.1, 0.75, -0.3, -0.05]],
    &[&[0.4, -0.7, 0.8, 0.2]],
];
/// Points away from 0 (for `abs`, `reciprocal`).
const NONZERO: &[&[&[f64]]] = &[
    &[&[-2.0, -0.5, 0.3, 1.7]],
    &[&[0.2, 0.9, 2.5, -3.0]],
    &[&[1.1, -1.2, 0.35, -0.8]],
];

/// One test per unary op: `F(x) = sum(op(x))`, `x` of shape (4,).
macro_rules! unary_cases {
    ($($test:ident: $op:ident over $points:expr;)*) => {$(
        #[test]
        fn $test() -> Result<()> {
            check(stringify!($op), |xs| sum(&$op(&xs[0])?, false), &[&[4]], $points)
        }
    )*};
}

unary_cases! {
    grad_sin: sin over REALS;
    grad_cos: cos over REALS;
    grad_exp: exp over REALS;
    grad_expm1: expm1 over REALS;
    grad_tanh: tanh over REALS;
    grad_sigmoid: sigmoid over REALS;
    grad_erf: erf over REALS;
    grad_arctan: arctan over REALS;
    grad_sinh: sinh over REALS;
    grad_cosh: cosh over REALS;
    grad_arcsinh: arcsinh over REALS;
    grad_square: square over REALS;
    grad_log: log over POSITIVE;
    grad_log2: log2 over POSITIVE;
    grad_log10: log10 over POSITIVE;
    grad_sqrt: sqrt over POSITIVE;
    grad_rsqrt: rsqrt over POSITIVE;
    grad_log1p: log1p over UNIT;
    grad_arcsin: arcsin over UNIT;
    grad_arccos: arccos over UNIT;
    grad_arctanh: arctanh over UNIT;
    grad_erfinv: erfinv over UNIT;
    grad_abs: abs over NONZERO;
    grad_reciprocal: reciprocal over NONZERO;
}

#[test]
fn grad_tan() -> Result<()> {
    check(
        "tan",
        |xs| sum(&tan(&xs[0])?, false),
        &[&[4]],
        &[
            &[&[-1.2, -0.4, 0.2, 1.0]],
            &[&[0.0, 0.7, -0.9, 1.2]],
            &[&[0.1, -0.1, 0.5, -1.25]],
        ],
    )
}

#[test]
fn grad_arccosh() -> Result<()> {
    check(
        "arccosh",
        |xs| sum(&arccosh(&xs[0])?, false),
        &[&[4]],
        &[&[&[1.1, 1.5, 2.0, 5.0]], &[&[3.0, 1.3, 7.0, 1.8]]],
    )
}

/// Two arguments of shape (4,), gradients with respect to both.
const PAIRS: &[&[&[f64]]] = &[
    &[&[-2.0, -0.5, 0.3, 1.7], &[0.4, -1.5, 2.2, -0.6]],
    &[&[0.7, 0.9, -2.5, -3.0], &[-1.1, 2.0, 0.35, 1.3]],
    &[&[1.1, -1.2, 0.05, -0.8], &[0.6, 0.8, -0.45, -2.1]],
];

/// One test per binary op: `F(a, b) = sum(op(a, b))`, both of shape (4,).
macro_rules! binary_cases {
    ($($test:ident: $op:ident over $points:expr;)*) => {$(
        #[test]
        fn $test() -> Result<()> {
            check(stringify!($op), |xs| sum(&$op(&xs[0], &xs[1])?, false), &[&[4], &[4]], $points)
        }
    )*};
}

binary_cases! {
    grad_add: add over PAIRS;
    grad_subtract: subtract over PAIRS;
    grad_multiply: multiply over PAIRS;
    grad_divide: divide over PAIRS;
    grad_maximum: maximum over PAIRS;
    grad_minimum: minimum over PAIRS;
    grad_logaddexp: logaddexp over PAIRS;
    grad_arctan2: arctan2 over PAIRS;
}

#[test]
fn grad_power_base_and_exponent() -> Result<()> {
    check(
        "power",
        |xs| sum(&power(&xs[0], &xs[1])?, false),
        &[&[4], &[4]],
        &[
            &[&[0.5, 1.2, 2.0, 3.0], &[-1.5, 0.5, 2.0, 3.3]],
            &[&[4.0, 0.3, 1.7, 0.9], &[0.25, -2.0, 1.0, 2.5]],
        ],
    )
}

#[test]
fn grad_logsumexp() -> Result<()> {
    check(
        "logsumexp",
        |xs| logsumexp(&xs[0], false),
        &[&[5]],
        &[
            &[&[-2.0, -0.5, 0.3, 1.7, 0.0]],
            &[&[3.0, 2.9, -4.0, 0.1, 1.0]],
        ],
    )
}

#[test]
fn grad_logsumexp_axis_weighted() -> Result<()> {
    check(
        "sum(w * logsumexp(x, axis=1))",
        |xs| {
            let w = konst(&xs[0], &[0.7, -1.3], &[2])?;
            sum(&(&logsumexp_axis(&xs[0], 1, false)? * &w)?, false)
        },
        &[&[2, 3]],
        &[
            &[&[-2.0, -0.5, 0.3, 1.7, 0.0, -1.0]],
            &[&[0.5, 0.4, 0.3, 3.0, -3.0, 2.0]],
        ],
    )
}

#[test]
fn grad_mean() -> Result<()> {
    check(
        "mean(x * sin(x))",
        |xs| mean(&(&xs[0] * &sin(&xs[0])?)?, false),
        &[&[4]],
        REALS,
    )
}

#[test]
fn grad_mean_axis() -> Result<()> {
    check(
        "sum(mean(x, axis=0)^2)",
        |xs| sum(&square(&mean_axis(&xs[0], 0, false)?)?, false),
        &[&[3, 2]],
        &[
            &[&[-2.0, -0.5, 0.3, 1.7, 0.0, -1.0]],
            &[&[0.5, 0.4, 0.3, 3.0, -3.0, 2.0]],
        ],
    )
}

#[test]
fn grad_prod() -> Result<()> {
    check(
        "prod",
        |xs| prod(&xs[0], false),
        &[&[5]],
        &[
            &[&[-2.0, -0.5, 0.3, 1.7, 1.1]],
            &[&[0.9, 1.4, -1.3, 2.0, 0.6]],
        ],
    )
}

#[test]
fn grad_prod_axis() -> Result<()> {
    check(
        "sum(prod(x, axis=1))",
        |xs| sum(&prod_axis(&xs[0], 1, false)?, false),
        &[&[2, 3]],
        &[
            &[&[-2.0, -0.5, 0.3, 1.7, 0.9, -1.0]],
            &[&[0.5, 0.4, 0.3, 3.0, -3.0, 2.0]],
        ],
    )
}

#[test]
fn grad_var_and_std() -> Result<()> {
    check("var", |xs| var(&xs[0], false, 0), &[&[4]], REALS)?;
    check("std (ddof 1)", |xs| std(&xs[0], false, 1), &[&[4]], REALS)
}

#[test]
fn grad_softplus_compositions() -> Result<()> {
    check(
        "log1p(exp(x))",
        |xs| sum(&log1p(&exp(&xs[0])?)?, false),
        &[&[4]],
        REALS,
    )?;
    check(
        "logaddexp(x, 0)",
        |xs| {
            let zero = Array::zeros_like(&xs[0])?;
            sum(&logaddexp(&xs[0], &zero)?, false)
        },
        &[&[4]],
        REALS,
    )
}

#[test]
fn grad_silu() -> Result<()> {
    check(
        "x * sigmoid(x)",
        |xs| sum(&(&xs[0] * &sigmoid(&xs[0])?)?, false),
        &[&[4]],
        REALS,
    )
}

#[test]
fn grad_log_softmax_entry() -> Result<()> {
    check(
        "x[2] - logsumexp(x)",
        |xs| {
            let picked = sum(&slice(&xs[0], &[2], &[3], &[1])?, false)?;
            &picked - &logsumexp(&xs[0], false)?
        },
        &[&[5]],
        &[
            &[&[-2.0, -0.5, 0.3, 1.7, 0.0]],
            &[&[3.0, 2.9, -4.0, 0.1, 1.0]],
        ],
    )
}

#[test]
fn grad_norm() -> Result<()> {
    check(
        "sqrt(sum(x^2))",
        |xs| sqrt(&sum(&square(&xs[0])?, false)?),
        &[&[4]],
        REALS,
    )
}

#[test]
fn grad_matmul_both_arguments() -> Result<()> {
    check(
        "sum(sin(A @ B))",
        |xs| sum(&sin(&matmul(&xs[0], &xs[1])?)?, false),
        &[&[2, 3], &[3, 2]],
        &[
            &[
                &[0.1, -0.4, 0.7, 1.2, 0.3, -0.9],
                &[0.5, -0.2, 0.8, 0.6, -1.1, 0.25],
            ],
            &[
                &[-1.0, 0.2, 0.4, 0.0, 0.9, -0.3],
                &[1.5, 0.7, -0.6, 0.1, 0.2, -0.8],
            ],
        ],
    )
}

#[test]
fn grad_inner_both_arguments() -> Result<()> {
    check(
        "inner(a, b)^2 + inner(a, sin(b))",
        |xs| {
            let ab = inner(&xs[0], &xs[1])?;
            &square(&ab)? + &inner(&xs[0], &sin(&xs[1])?)?
        },
        &[&[4], &[4]],
        PAIRS,
    )
}

#[test]
fn grad_outer_and_kron() -> Result<()> {
    check(
        "sum(tanh(outer(a, b)))",
        |xs| sum(&tanh(&outer(&xs[0], &xs[1])?)?, false),
        &[&[4], &[4]],
        PAIRS,
    )?;
    check(
        "sum(sin(kron(a, b)))",
        |xs| sum(&sin(&kron(&xs[0], &xs[1])?)?, false),
        &[&[4], &[4]],
        PAIRS,
    )
}
