//! The case table, one module per area of `mlx.core`, and the helpers that expand one op
//! into cases over shapes, dtypes, broadcasting and axes.
//!
//! A case's op is its Python name; its parameters are Python keyword arguments. Python
//! calls `mx.<op>(*inputs, **params)`, with the conventions listed at the top of
//! xtask/oracle/oracle.py: `_pre: "transpose"` (both sides transpose every input first: a
//! strided input), `_list`, `*name` ([`P::pos`]), `_kw_inputs`, `_tuples`, `_special`
//! (an entry of its `SPECIAL` table), `_transform`.

mod creation;
mod elementwise;
mod errors;
mod fft;
mod indexing;
pub mod io;
mod linalg;
mod losses;
mod nn;
mod nn_layers;
mod operators;
mod optimizers;
mod random;
mod reduction;
mod scan;
mod shape;

use mlxrs::{Array, Dtype, Result, ops};

use crate::harness::{Dom, P, Table, one};

pub const F32: Dtype = Dtype::Float32;
pub const F16: Dtype = Dtype::Float16;
pub const BF16: Dtype = Dtype::Bfloat16;
pub const F64: Dtype = Dtype::Float64;
pub const C64: Dtype = Dtype::Complex64;
pub const I32: Dtype = Dtype::Int32;
pub const I64: Dtype = Dtype::Int64;
pub const I16: Dtype = Dtype::Int16;
pub const I8: Dtype = Dtype::Int8;
pub const U8: Dtype = Dtype::Uint8;
pub const U16: Dtype = Dtype::Uint16;
pub const U32: Dtype = Dtype::Uint32;
pub const BOOL: Dtype = Dtype::Bool;

/// float32, float16, bfloat16.
pub const FLOATS: &[Dtype] = &[F32, F16, BF16];
/// The floats and two integer types.
pub const NUMERIC: &[Dtype] = &[F32, F16, BF16, I32, U8];

pub type Un = fn(&Array) -> Result<Array>;
pub type Bin = fn(&Array, &Array) -> Result<Array>;

/// Every case, in a fixed order (the derived `transforms` cases last).
pub fn all(t: &mut Table) -> Result<()> {
    elementwise::cases(t)?;
    reduction::cases(t)?;
    scan::cases(t)?;
    shape::cases(t)?;
    creation::cases(t)?;
    indexing::cases(t)?;
    linalg::cases(t)?;
    fft::cases(t)?;
    random::cases(t)?;
    nn::cases(t)?;
    nn_layers::cases(t)?;
    losses::cases(t)?;
    operators::cases(t)?;
    optimizers::cases(t)?;
    io::cases(t)?;
    errors::cases(t)?;
    transforms(t)
}

/// Ops whose first float32 differentiable cases are also run through `jvp`, `vjp`,
/// `vmap` and `compile` (Python: `mx.jvp`, ...; parameter `_transform`).
const TRANSFORMED: &[&str] = &[
    "exp",
    "sin",
    "tanh",
    "sigmoid",
    "erf",
    "sqrt",
    "add",
    "multiply",
    "divide",
    "power",
    "maximum",
    "logaddexp",
    "arctan2",
    "sum",
    "mean",
    "max",
    "prod",
    "logsumexp",
    "var",
    "softmax",
    "cumsum",
    "cumprod",
    "sort",
    "matmul",
    "addmm",
    "inner",
    "outer",
    "einsum",
    "tensordot",
    "transpose",
    "reshape",
    "swapaxes",
    "broadcast_to",
    "concatenate",
    "stack",
    "take",
    "take_along_axis",
    "where",
    "pad",
    "tile",
    "roll",
    "clip",
    "flatten",
    "squeeze",
    "expand_dims",
    "tril",
    "diagonal",
    "conv1d",
    "conv2d",
    "fast.layer_norm",
    "fast.rms_norm",
    "fast.rope",
    "linalg.norm",
    "linalg.cross",
];

/// Of those, the ones MLX 0.32.2 has no JVP rule for.
const NO_JVP: &[&str] = &["cumprod", "conv1d", "conv2d"];

/// Derived cases: the transforms of [`TRANSFORMED`] ops.
fn transforms(t: &mut Table) -> Result<()> {
    use mlxrs::transforms as tr;
    let mut picked = Vec::new();
    for &op in TRANSFORMED {
        let first = t.cases.iter().find(|c| {
            c.op == op
                && c.grad
                && !c.inputs.is_empty()
                && c.inputs.iter().all(|a| a.dtype() == F32)
        });
        if let Some(c) = first {
            picked.push((op, c.params.clone(), c.inputs.clone(), c.f.clone()));
        }
    }
    for (op, params, inputs, f) in picked {
        let n = inputs.len();
        let outputs = f(&inputs)?;
        let with = |name: &str| params.clone().s("_transform", name).i("_n", n as i64);
        // jvp: primals then tangents.
        if !NO_JVP.contains(&op) {
            let mut xs = inputs.clone();
            for a in &inputs {
                xs.push(t.input(F32, a.shape(), Dom::U(-1.0, 1.0))?);
            }
            let g = f.clone();
            t.add(op, with("jvp"), xs, move |x| {
                let g = g.clone();
                let (outs, jvps) = tr::jvp(move |a: &[Array]| g(a), &x[..n], &x[n..])?;
                Ok(outs.into_iter().chain(jvps).collect())
            })
            .tol(10.0);
        }
        // vjp: primals then cotangents (one per output).
        let mut xs = inputs.clone();
        for o in &outputs {
            xs.push(t.input(F32, o.shape(), Dom::U(-1.0, 1.0))?);
        }
        let g = f.clone();
        t.add(op, with("vjp"), xs, move |x| {
            let g = g.clone();
            let (outs, vjps) = tr::vjp(move |a: &[Array]| g(a), &x[..n], &x[n..])?;
            Ok(outs.into_iter().chain(vjps).collect())
        })
        .tol(10.0);
        // vmap over a new leading axis of size 3 of every input.
        let xs = inputs
            .iter()
            .map(|a| {
                let mut shape = vec![3];
                shape.extend_from_slice(a.shape());
                t.input(F32, &shape, Dom::U(0.5, 1.5))
            })
            .collect::<Result<Vec<_>>>()?;
        let g = f.clone();
        t.add(op, with("vmap"), xs, move |x| {
            let g = g.clone();
            let in_axes = vec![0; x.len()];
            tr::vmap(move |a: &[Array]| g(a), &in_axes, &[0])?(x)
        })
        .tol(10.0);
        // compile: the same results as the plain function.
        let g = f.clone();
        t.add(op, with("compile"), inputs, move |x| {
            let g = g.clone();
            tr::compile(move |a: &[Array]| g(a), false)?(x)
        })
        .tol(10.0);
    }
    Ok(())
}

/// Shapes for one-input elementwise cases: more for float32, two for the rest.
pub fn unary_shapes(d: Dtype) -> &'static [&'static [i32]] {
    if d == F32 {
        &[&[], &[7], &[3, 4], &[2, 3, 4]]
    } else {
        &[&[7], &[2, 3, 4]]
    }
}

/// Shape pairs for two-input elementwise cases (broadcasting included).
pub fn binary_shapes(d: Dtype) -> &'static [(&'static [i32], &'static [i32])] {
    if d == F32 {
        &[
            (&[3, 4], &[3, 4]),
            (&[2, 3, 4], &[4]),
            (&[3, 1], &[1, 4]),
            (&[], &[5]),
            (&[2, 1, 3], &[4, 1]),
        ]
    } else {
        &[(&[3, 4], &[3, 4]), (&[2, 3, 4], &[3, 1])]
    }
}

fn pre_transpose(xs: &[Array]) -> Result<Vec<Array>> {
    xs.iter().map(ops::transpose).collect()
}

/// Adds `f` on inputs of `shapes` for each of `dtypes`, values in `[-5, 5]` (gradients
/// for the floating-point dtypes).
pub fn each_dtype<F>(
    t: &mut Table,
    op: &str,
    p: P,
    shapes: &[&[i32]],
    dtypes: &[Dtype],
    f: F,
) -> Result<()>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + Clone + 'static,
{
    each(t, op, p, (shapes, Dom::U(-5.0, 5.0)), dtypes, true, f)
}

/// Adds `f` on inputs of `shapes` drawn from `dom` for each of `dtypes`; `grad`: also
/// compare gradients (for the floating-point dtypes).
pub fn each<F>(
    t: &mut Table,
    op: &str,
    p: P,
    (shapes, dom): (&[&[i32]], Dom),
    dtypes: &[Dtype],
    grad: bool,
    f: F,
) -> Result<()>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + Clone + 'static,
{
    for &d in dtypes {
        let inputs = shapes
            .iter()
            .map(|s| t.input(d, s, dom))
            .collect::<Result<Vec<_>>>()?;
        let c = t.add(op, p.clone(), inputs, f.clone());
        if grad && d.is_floating() {
            c.grad();
        }
    }
    Ok(())
}

/// A one-input op over [`unary_shapes`] for each dtype, plus a strided float32 input.
pub fn unary(t: &mut Table, op: &str, f: Un, dom: Dom, dtypes: &[Dtype], grad: bool) -> Result<()> {
    for &d in dtypes {
        for &s in unary_shapes(d) {
            let x = t.input(d, s, dom)?;
            let c = t.add(op, P::new(), vec![x], move |x| one(f(&x[0])));
            if grad {
                c.grad();
            }
        }
        if d == F32 {
            let x = t.input(d, &[4, 3], dom)?;
            let c = t.add(op, P::new().s("_pre", "transpose"), vec![x], move |x| {
                one(f(&pre_transpose(x)?[0]))
            });
            if grad {
                c.grad();
            }
        }
    }
    Ok(())
}

/// A one-input op on a single `[3, 4]` input per dtype (complex, float64, special values).
pub fn unary_one(
    t: &mut Table,
    op: &str,
    f: Un,
    dom: Dom,
    dtypes: &[Dtype],
    grad: bool,
) -> Result<()> {
    for &d in dtypes {
        let x = t.input(d, &[3, 4], dom)?;
        let c = t.add(op, P::new(), vec![x], move |x| one(f(&x[0])));
        if grad {
            c.grad();
        }
    }
    Ok(())
}

/// A two-input op over [`binary_shapes`] for each dtype, plus strided float32 inputs.
pub fn binary(
    t: &mut Table,
    op: &str,
    f: Bin,
    (da, db): (Dom, Dom),
    dtypes: &[Dtype],
    grad: bool,
) -> Result<()> {
    for &d in dtypes {
        for &(sa, sb) in binary_shapes(d) {
            let a = t.input(d, sa, da)?;
            let b = t.input(d, sb, db)?;
            let c = t.add(op, P::new(), vec![a, b], move |x| one(f(&x[0], &x[1])));
            if grad {
                c.grad();
            }
        }
        if d == F32 {
            let a = t.input(d, &[4, 3], da)?;
            let b = t.input(d, &[4, 3], db)?;
            let c = t.add(op, P::new().s("_pre", "transpose"), vec![a, b], move |x| {
                let x = pre_transpose(x)?;
                one(f(&x[0], &x[1]))
            });
            if grad {
                c.grad();
            }
        }
    }
    Ok(())
}

/// A two-input op on inputs of different dtypes (type promotion).
pub fn binary_mixed(
    t: &mut Table,
    op: &str,
    f: Bin,
    (da, db): (Dom, Dom),
    pairs: &[(Dtype, Dtype)],
) -> Result<()> {
    for &(ta, tb) in pairs {
        let a = t.input(ta, &[2, 3], da)?;
        let b = t.input(tb, &[3], db)?;
        t.add(op, P::new(), vec![a, b], move |x| one(f(&x[0], &x[1])));
    }
    Ok(())
}

/// The dtype pairs of [`binary_mixed`] for arithmetic.
pub const PROMOTIONS: &[(Dtype, Dtype)] = &[
    (I32, F32),
    (F16, F32),
    (BF16, F16),
    (U8, I8),
    (BOOL, I32),
    (U32, I32),
    (I64, F16),
];
