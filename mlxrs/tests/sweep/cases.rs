//! Cases, their expected outcomes, the generated edge inputs and the dtype rules.

use std::panic::AssertUnwindSafe;

use mlxrs::{Array, Dtype, Result};

/// Every dtype; float64 runs on the CPU device, where the sweep runs.
pub const DTYPES: [Dtype; 14] = [
    Dtype::Bool,
    Dtype::Uint8,
    Dtype::Uint16,
    Dtype::Uint32,
    Dtype::Uint64,
    Dtype::Int8,
    Dtype::Int16,
    Dtype::Int32,
    Dtype::Int64,
    Dtype::Float16,
    Dtype::Bfloat16,
    Dtype::Float32,
    Dtype::Float64,
    Dtype::Complex64,
];

/// A bad input (must be answered with `Err`) or an edge input (`Ok` with the predicted
/// shape and dtype, or, where [`Expect::OkOrErr`], an `Err` naming the op).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bad,
    Edge,
}

/// The predicted result: one (shape, dtype) per output.
pub type Want = Vec<(Vec<i32>, Dtype)>;

pub enum Expect {
    /// Must succeed with these outputs.
    Ok(Want),
    /// May be refused (an `Err` naming the op); if it succeeds, with these outputs.
    OkOrErr(Want),
    /// Must succeed; outputs checked by count only (values random, shapes data-dependent).
    OkCount(usize),
    /// Must be refused with an `Err` naming the op.
    Err,
}

pub type Thunk = Box<dyn Fn() -> Result<Vec<Array>>>;

pub struct Case {
    /// The mlx-c function the case calls (through mlxrs).
    pub op: &'static str,
    /// Names of which one an `Err` message must contain.
    pub names: Vec<&'static str>,
    /// The inputs, in words.
    pub label: String,
    pub kind: Kind,
    pub expect: Expect,
    pub run: Thunk,
}

/// Python MLX's name of an mlx-c function: `mlx_sum_axis` -> `sum`, `mlx_linalg_inv` ->
/// `inv`.
pub fn base_name(op: &'static str) -> &'static str {
    let mut n = op.strip_prefix("mlx_").unwrap_or(op);
    for p in ["linalg_", "fft_", "random_", "fast_"] {
        if let Some(r) = n.strip_prefix(p) {
            n = r;
        }
    }
    for s in [
        "_axis",
        "_axes",
        "_single",
        "_dtype",
        "_endpoint",
        "_num_samples",
    ] {
        if let Some(r) = n.strip_suffix(s) {
            n = r;
        }
    }
    n
}

/// The MLX routines that check an op's arguments under their own name (`conv1d`'s
/// checks say `[conv]`, `take`'s `[gather]`, the random ops' `[bits]`): an `Err` naming
/// one of them names the op.
pub fn routines(op: &'static str) -> Vec<&'static str> {
    let n = base_name(op);
    let mut r = Vec::new();
    if n.starts_with("conv") {
        r.push("conv");
    }
    if n.starts_with("scatter") {
        r.push("scatter");
    }
    if n.starts_with("slice") {
        r.push("slice");
    }
    if n.starts_with("take") {
        r.push("gather");
    }
    if op.starts_with("mlx_random_") {
        r.extend(["bits", "uniform", "trunc_normal"]);
    }
    if op.starts_with("mlx_linalg_") {
        r.push("linalg::");
    }
    if op.starts_with("mlx_fft_") {
        r.push("fft");
    }
    if n.contains("mm")
        || n.contains("matmul")
        || n == "addmm"
        || n == "scaled_dot_product_attention"
    {
        r.extend(["matmul", "broadcast_shapes"]);
    }
    if n.contains("quantize") || n.contains("qmm") || n.contains("qqmm") {
        r.push("quantize");
    }
    if n.starts_with("load") || n.starts_with("save") {
        r.extend(["load", "save", "mlx_io_reader", "mlx_io_writer"]);
    }
    match n {
        "split_sections" => r.push("split"),
        "pad_symmetric" => r.push("pad"),
        "broadcast_to" => r.push("broadcast"),
        "floor_divide" => r.push("floor"),
        // var and std are computed through mean, which checks the axes.
        "var" | "std" => r.push("mean"),
        _ => {}
    }
    r
}

impl Case {
    pub fn new(op: &'static str, label: impl Into<String>, expect: Expect, run: Thunk) -> Case {
        let kind = if matches!(expect, Expect::Err) {
            Kind::Bad
        } else {
            Kind::Edge
        };
        let mut names = vec![base_name(op)];
        names.extend(routines(op));
        Case {
            op,
            names,
            label: label.into(),
            kind,
            expect,
            run,
        }
    }

    /// Also accepts `name` in an `Err` message (MLX reports some checks under the
    /// routine that made them, e.g. `broadcast_shapes` for a binary op).
    pub fn also(mut self, names: &[&'static str]) -> Case {
        self.names.extend_from_slice(names);
        self
    }
}

pub enum Outcome {
    Ok,
    Err(String),
    Fail(String),
}

fn names_op(msg: &str, names: &[&str]) -> bool {
    let m = msg.to_lowercase();
    names.iter().any(|n| m.contains(&n.to_lowercase()))
}

pub fn run_case(c: &Case) -> Outcome {
    let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let outs = (c.run)()?;
        for o in &outs {
            o.eval()?;
        }
        Ok::<_, mlxrs::Error>(outs)
    }));
    let r = match r {
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Outcome::Fail(format!("panicked: {msg}"));
        }
        Ok(r) => r,
    };
    match (r, &c.expect) {
        (Err(e), Expect::Err | Expect::OkOrErr(_)) => {
            let msg = e.to_string();
            if names_op(&msg, &c.names) {
                Outcome::Err(msg)
            } else {
                Outcome::Fail(format!(
                    "Err does not name the op (want one of {:?}): {msg}",
                    c.names
                ))
            }
        }
        (Err(e), _) => Outcome::Fail(format!("unexpected Err: {e}")),
        (Ok(outs), Expect::Err) => Outcome::Fail(format!(
            "expected an Err, got Ok {:?}",
            outs.iter()
                .map(|o| (o.shape().to_vec(), o.dtype()))
                .collect::<Vec<_>>()
        )),
        (Ok(outs), Expect::OkCount(n)) => {
            if outs.len() == *n {
                Outcome::Ok
            } else {
                Outcome::Fail(format!("{} outputs, want {n}", outs.len()))
            }
        }
        (Ok(outs), Expect::Ok(want) | Expect::OkOrErr(want)) => {
            let got: Want = outs
                .iter()
                .map(|o| (o.shape().to_vec(), o.dtype()))
                .collect();
            if &got == want {
                Outcome::Ok
            } else {
                Outcome::Fail(format!("got {got:?}, want {want:?}"))
            }
        }
    }
}

/// The interesting values of a dtype, cycled to `n` elements: NaN, ±inf, ±0, tiny and
/// huge for floats; the extremes, 0, ±1 for integers.
pub fn values(d: Dtype, n: usize) -> Result<Array> {
    let n_i = n as i32;
    match d {
        Dtype::Bool => {
            let v: Vec<bool> = (0..n).map(|i| i % 3 != 1).collect();
            Array::from_slice(&v, &[n_i])
        }
        Dtype::Uint64 => {
            let src = [u64::MAX, 0, 1, 7, u64::MAX - 1, 2];
            let v: Vec<u64> = (0..n).map(|i| src[i % src.len()]).collect();
            Array::from_slice(&v, &[n_i])
        }
        Dtype::Int64 => {
            let src = [i64::MIN, i64::MAX, 0, -1, 1, 7];
            let v: Vec<i64> = (0..n).map(|i| src[i % src.len()]).collect();
            Array::from_slice(&v, &[n_i])
        }
        Dtype::Uint8 | Dtype::Uint16 | Dtype::Uint32 => {
            let max = match d {
                Dtype::Uint8 => u8::MAX as i64,
                Dtype::Uint16 => u16::MAX as i64,
                _ => u32::MAX as i64,
            };
            let src = [max, 0, 1, 7, max - 1, 2];
            let v: Vec<i64> = (0..n).map(|i| src[i % src.len()]).collect();
            Array::from_slice(&v, &[n_i])?.astype(d)
        }
        Dtype::Int8 | Dtype::Int16 | Dtype::Int32 => {
            let (min, max) = match d {
                Dtype::Int8 => (i8::MIN as i64, i8::MAX as i64),
                Dtype::Int16 => (i16::MIN as i64, i16::MAX as i64),
                _ => (i32::MIN as i64, i32::MAX as i64),
            };
            let src = [min, max, 0, -1, 1, 7];
            let v: Vec<i64> = (0..n).map(|i| src[i % src.len()]).collect();
            Array::from_slice(&v, &[n_i])?.astype(d)
        }
        Dtype::Float64 => {
            let src = [
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                -0.0,
                1e-300,
                1e300,
                -1.5,
                2.0,
            ];
            let v: Vec<f64> = (0..n).map(|i| src[i % src.len()]).collect();
            Array::from_slice(&v, &[n_i])
        }
        _ => {
            let src = [
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                -0.0,
                1e-30,
                1e30,
                -1.5,
                2.0,
            ];
            let v: Vec<f32> = (0..n).map(|i| src[i % src.len()]).collect();
            Array::from_slice(&v, &[n_i])?.astype(d)
        }
    }
}

/// A generated input's form.
#[derive(Debug, Clone, Copy)]
pub enum Form {
    /// 0-d.
    Scalar,
    /// Shape (0).
    Empty,
    /// Shape (2, 0, 3).
    ZeroSize,
    /// Shape (6), the interesting values.
    Vector,
    /// Shape (2, 3), contiguous.
    Matrix,
    /// Shape (2, 3), the transpose of a (3, 2) array.
    Transposed,
    /// Shape (2, 3), every other column of a (2, 6) array.
    Strided,
    /// Shape (2, 3), a (1, 3) row broadcast.
    Broadcast,
}

pub const FORMS: [Form; 8] = [
    Form::Scalar,
    Form::Empty,
    Form::ZeroSize,
    Form::Vector,
    Form::Matrix,
    Form::Transposed,
    Form::Strided,
    Form::Broadcast,
];

impl Form {
    pub fn shape(self) -> Vec<i32> {
        match self {
            Form::Scalar => vec![],
            Form::Empty => vec![0],
            Form::ZeroSize => vec![2, 0, 3],
            Form::Vector => vec![6],
            _ => vec![2, 3],
        }
    }
}

pub fn input(d: Dtype, f: Form) -> Result<Array> {
    match f {
        Form::Scalar => values(d, 1)?.reshape(&[] as &[i32]),
        Form::Empty => Array::zeros(&[0], d),
        Form::ZeroSize => Array::zeros(&[2, 0, 3], d),
        Form::Vector => values(d, 6),
        Form::Matrix => values(d, 6)?.reshape(&[2, 3]),
        Form::Transposed => values(d, 6)?.reshape(&[3, 2])?.transpose(),
        Form::Strided => {
            mlxrs::ops::slice(&values(d, 12)?.reshape(&[2, 6])?, &[0, 0], &[2, 6], &[1, 2])
        }
        Form::Broadcast => values(d, 3)?.reshape(&[1, 3])?.broadcast_to(&[2, 3]),
    }
}

/// Python MLX's type promotion (`mlx.core.promote_types`), written out as its rules:
/// bool yields to everything; unsigned with unsigned or signed with signed takes the
/// wider; unsigned with signed takes the signed type twice the unsigned's width (at
/// least the signed one's), and uint64 with any signed type is float32; an integer with
/// a float takes the float; float16 with bfloat16 is float32, other floats take the
/// wider; anything with complex64 is complex64.
pub fn promote(a: Dtype, b: Dtype) -> Dtype {
    use Dtype::*;
    if a == b {
        return a;
    }
    if a == Complex64 || b == Complex64 {
        return Complex64;
    }
    if a == Bool {
        return b;
    }
    if b == Bool {
        return a;
    }
    let fa = a.is_floating();
    let fb = b.is_floating();
    match (fa, fb) {
        (true, false) => return a,
        (false, true) => return b,
        (true, true) => {
            return match (a, b) {
                (Float64, _) | (_, Float64) => Float64,
                _ => Float32, // f16/bf16 with f32, or f16 with bf16
            };
        }
        _ => {}
    }
    let unsigned = |d: Dtype| matches!(d, Uint8 | Uint16 | Uint32 | Uint64);
    let width = |d: Dtype| d.size();
    let signed_of = |w: usize| match w {
        1 => Int8,
        2 => Int16,
        4 => Int32,
        _ => Int64,
    };
    match (unsigned(a), unsigned(b)) {
        (true, true) | (false, false) => {
            if width(a) >= width(b) {
                a
            } else {
                b
            }
        }
        _ => {
            let (u, s) = if unsigned(a) { (a, b) } else { (b, a) };
            if u == Uint64 {
                Float32
            } else {
                signed_of((width(u) * 2).max(width(s)))
            }
        }
    }
}

/// Integers and bool become float32; floats and complex stay.
pub fn at_least_float(d: Dtype) -> Dtype {
    if d.is_floating() || d == Dtype::Complex64 {
        d
    } else {
        Dtype::Float32
    }
}

/// `sum`/`prod`: bool and narrow signed integers accumulate in int32, narrow unsigned
/// ones in uint32.
pub fn sum_dtype(d: Dtype) -> Dtype {
    match d {
        Dtype::Bool | Dtype::Int8 | Dtype::Int16 => Dtype::Int32,
        Dtype::Uint8 | Dtype::Uint16 => Dtype::Uint32,
        d => d,
    }
}

/// The shape left by reducing `axes` (normalized, unique) of `shape`.
pub fn reduced(shape: &[i32], axes: &[usize], keepdims: bool) -> Vec<i32> {
    let mut out = Vec::new();
    for (i, &s) in shape.iter().enumerate() {
        if axes.contains(&i) {
            if keepdims {
                out.push(1);
            }
        } else {
            out.push(s);
        }
    }
    out
}

/// `axis` normalized against `ndim`, or None when out of range.
pub fn norm_axis(axis: i32, ndim: usize) -> Option<usize> {
    let n = ndim as i32;
    let a = if axis < 0 { axis + n } else { axis };
    (0..n).contains(&a).then_some(a as usize)
}

/// One output.
pub fn one(shape: Vec<i32>, d: Dtype) -> Want {
    vec![(shape, d)]
}
