//! The case table's building blocks: [`Case`], [`Table`], parameters ([`P`]), inputs
//! ([`Rng`], [`Dom`]) and tolerances ([`tolerance`]).

use std::fmt::Write as _;
use std::rc::Rc;

use mlxrs::{Array, Complex64, Dtype, Result};

/// What a case computes: inputs in, outputs out (through mlxrs's public API only).
pub type OpFn = Rc<dyn Fn(&[Array]) -> Result<Vec<Array>>>;

/// One differential case: an op (its Python MLX name), its parameters (Python keyword
/// arguments), its inputs, and how mlxrs computes it.
pub struct Case {
    /// The Python name: `mx.<op>` (`"linalg.inv"` is `mx.linalg.inv`), or a key of
    /// `SPECIAL` in xtask/oracle/oracle.py.
    pub op: String,
    pub params: P,
    pub inputs: Vec<Array>,
    pub f: OpFn,
    /// Differentiate `sum(outputs[0])` with respect to every floating-point input.
    pub grad: bool,
    /// Differentiate only with respect to these inputs (of those).
    pub grad_only: Option<Vec<i32>>,
    /// Multiplies the per-dtype tolerances of this case's floating-point results.
    pub tol_scale: f64,
    /// Both must fail, with the same message.
    pub expect_error: bool,
}

impl Case {
    /// Also compares `grad(sum(op(x)))` for every floating-point input.
    pub fn grad(&mut self) -> &mut Case {
        self.grad = true;
        self
    }

    /// Expects an error from both, with the same message.
    pub fn fails(&mut self) -> &mut Case {
        self.expect_error = true;
        self
    }

    /// Compares the gradients with respect to `argnums` only.
    pub fn grad_wrt(&mut self, argnums: &[i32]) -> &mut Case {
        self.grad = true;
        self.grad_only = Some(argnums.to_vec());
        self
    }

    /// Scales the default tolerances (for ops whose result is ill-conditioned).
    pub fn tol(&mut self, scale: f64) -> &mut Case {
        self.tol_scale = scale;
        self
    }

    /// The argnums to differentiate: the floating-point inputs.
    pub fn argnums(&self) -> Vec<i32> {
        if !self.grad {
            return Vec::new();
        }
        (0..self.inputs.len() as i32)
            .filter(|&i| self.inputs[i as usize].dtype().is_floating())
            .filter(|i| self.grad_only.as_ref().is_none_or(|only| only.contains(i)))
            .collect()
    }

    /// The dtype that names the case in reports: its first input's, else its first
    /// parameter `dtype`.
    pub fn dtype_name(&self) -> String {
        match self.inputs.first() {
            Some(a) => a.dtype().name().to_string(),
            None => self
                .params
                .get("dtype")
                .map_or("-".into(), |v| v.trim_matches('"').to_string()),
        }
    }
}

/// Python keyword arguments, as JSON text (order kept).
#[derive(Clone, Default)]
pub struct P(Vec<(String, String)>);

impl P {
    pub fn new() -> P {
        P::default()
    }
    fn with(mut self, key: &str, json: String) -> P {
        self.0.push((key.to_string(), json));
        self
    }
    pub fn i(self, key: &str, v: i64) -> P {
        self.with(key, v.to_string())
    }
    pub fn f(self, key: &str, v: f64) -> P {
        self.with(key, json_f64(v))
    }
    pub fn b(self, key: &str, v: bool) -> P {
        self.with(key, v.to_string())
    }
    pub fn s(self, key: &str, v: &str) -> P {
        self.with(key, json_string(v))
    }
    /// A list of ints (axes, shapes).
    pub fn is(self, key: &str, v: &[i32]) -> P {
        let items: Vec<String> = v.iter().map(i32::to_string).collect();
        self.with(key, format!("[{}]", items.join(", ")))
    }
    /// A dtype (Python receives `mx.<name>`; oracle.py converts every key named `dtype`).
    pub fn dtype(self, key: &str, d: Dtype) -> P {
        self.with(key, json_string(d.name()))
    }
    /// A positional argument (after the inputs, in order): Python gets `value`, not
    /// `key=value` (for parameters declared positional-only, such as `mx.tile`'s `reps`).
    pub fn pos(self, key: &str, json: &str) -> P {
        self.with(&format!("*{key}"), json.to_string())
    }
    /// Any JSON value, written as is (nested lists).
    pub fn raw(self, key: &str, json: &str) -> P {
        self.with(key, json.to_string())
    }
    /// `null` (Python's `None`).
    pub fn none(self, key: &str) -> P {
        self.with(key, "null".into())
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn to_json(&self) -> String {
        let items: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("{}: {v}", json_string(k)))
            .collect();
        format!("{{{}}}", items.join(", "))
    }
}

/// A JSON number (NaN and infinities, which JSON lacks, as Python's extensions).
pub fn json_f64(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.1}")
    } else {
        format!("{v:e}")
    }
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// splitmix64: small, fast, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// The domain inputs are drawn from.
#[derive(Clone, Copy, Debug)]
pub enum Dom {
    /// Uniform in `[lo, hi]` (integers: rounded; unsigned: absolute values).
    U(f64, f64),
    /// As `U`, but at least `gap` away from zero (divisors; integers: never 0).
    Away(f64, f64, f64),
    /// Mostly uniform in `[-3, 3]`, with NaN, ±inf, ±0 mixed in (floats only).
    Special,
    /// Integers in `[lo, hi]` whatever the dtype (for shifts, indices, exponents).
    Int(i64, i64),
}

impl Dom {
    fn draw(self, rng: &mut Rng) -> f64 {
        match self {
            Dom::U(lo, hi) => rng.uniform(lo, hi),
            Dom::Away(lo, hi, gap) => loop {
                let v = rng.uniform(lo, hi);
                if v.abs() >= gap {
                    return v;
                }
            },
            Dom::Special => match rng.next_u64() % 10 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => f64::NEG_INFINITY,
                3 => 0.0,
                4 => -0.0,
                _ => rng.uniform(-3.0, 3.0),
            },
            Dom::Int(lo, hi) => (lo + (rng.next_u64() % (hi - lo + 1) as u64) as i64) as f64,
        }
    }
}

/// Makes an evaluated array of `dtype` and `shape` with values from `dom`.
pub fn make_input(rng: &mut Rng, dtype: Dtype, shape: &[i32], dom: Dom) -> Result<Array> {
    let n: usize = shape.iter().map(|&d| d as usize).product();
    let a = if dtype == Dtype::Bool {
        let v: Vec<bool> = (0..n).map(|_| rng.next_u64() % 2 == 1).collect();
        Array::from_slice(&v, shape)?
    } else if dtype == Dtype::Complex64 {
        let v: Vec<Complex64> = (0..n)
            .map(|_| Complex64::new(dom.draw(rng) as f32, dom.draw(rng) as f32))
            .collect();
        Array::from_slice(&v, shape)?
    } else if dtype.is_integer() {
        let unsigned = matches!(
            dtype,
            Dtype::Uint8 | Dtype::Uint16 | Dtype::Uint32 | Dtype::Uint64
        );
        let v: Vec<i64> = (0..n)
            .map(|_| {
                let x = dom.draw(rng).round() as i64;
                if unsigned { x.abs() } else { x }
            })
            .collect();
        Array::from_slice(&v, shape)?.astype(dtype)?
    } else if dtype == Dtype::Float64 {
        let v: Vec<f64> = (0..n).map(|_| dom.draw(rng)).collect();
        Array::from_slice(&v, shape)?
    } else {
        let v: Vec<f32> = (0..n).map(|_| dom.draw(rng) as f32).collect();
        Array::from_slice(&v, shape)?.astype(dtype)?
    };
    a.eval()?;
    Ok(a)
}

/// The comparison tolerance `(rtol, atol)` for a result of `dtype`: exact for integers
/// and bool, per-precision defaults for floating point (complex64 as float32), scaled by
/// the case's `scale`. Python checks `|mlxrs - python| <= atol + rtol * |python|`.
pub fn tolerance(dtype: Dtype, scale: f64) -> (f64, f64) {
    let (rtol, atol) = match dtype {
        Dtype::Float64 => (1e-12, 1e-12),
        Dtype::Float32 | Dtype::Complex64 => (1e-5, 1e-5),
        Dtype::Float16 => (1e-3, 1e-3),
        Dtype::Bfloat16 => (1e-2, 1e-2),
        _ => return (0.0, 0.0),
    };
    (rtol * scale, atol * scale)
}

/// The case table: cases in order, with one generator for their inputs.
pub struct Table {
    pub cases: Vec<Case>,
    pub rng: Rng,
}

impl Table {
    pub fn new() -> Table {
        Table {
            cases: Vec::new(),
            rng: Rng::new(0x6d6c_7872_7300_0001),
        }
    }

    /// A fresh input (see [`make_input`]).
    pub fn input(&mut self, dtype: Dtype, shape: &[i32], dom: Dom) -> Result<Array> {
        make_input(&mut self.rng, dtype, shape, dom)
    }

    /// Adds a case; chain [`Case::grad`] or [`Case::tol`] on the result.
    pub fn add(
        &mut self,
        op: &str,
        params: P,
        inputs: Vec<Array>,
        f: impl Fn(&[Array]) -> Result<Vec<Array>> + 'static,
    ) -> &mut Case {
        self.cases.push(Case {
            op: op.to_string(),
            params,
            inputs,
            f: Rc::new(f),
            grad: false,
            grad_only: None,
            tol_scale: 1.0,
            expect_error: false,
        });
        let last = self.cases.len() - 1;
        &mut self.cases[last]
    }
}

/// Wraps a one-output op.
pub fn one(r: Result<Array>) -> Result<Vec<Array>> {
    r.map(|a| vec![a])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerances_per_dtype() {
        assert_eq!(tolerance(Dtype::Float32, 1.0), (1e-5, 1e-5));
        assert_eq!(tolerance(Dtype::Complex64, 1.0), (1e-5, 1e-5));
        assert_eq!(tolerance(Dtype::Float16, 1.0), (1e-3, 1e-3));
        assert_eq!(tolerance(Dtype::Bfloat16, 1.0), (1e-2, 1e-2));
        assert_eq!(tolerance(Dtype::Float64, 1.0), (1e-12, 1e-12));
        let (r, a) = tolerance(Dtype::Float32, 100.0);
        assert!((r - 1e-3).abs() < 1e-12 && (a - 1e-3).abs() < 1e-12);
        // Integers and bool are exact, whatever the scale.
        for d in [Dtype::Int32, Dtype::Uint8, Dtype::Int64, Dtype::Bool] {
            assert_eq!(tolerance(d, 1000.0), (0.0, 0.0), "{d}");
        }
    }

    #[test]
    fn json_text() {
        let p = P::new()
            .i("axis", -1)
            .b("keepdims", true)
            .is("shape", &[2, 3])
            .f("eps", 1e-5)
            .f("alpha", 2.0)
            .s("norm", "a\"b\\c\n")
            .dtype("dtype", Dtype::Bfloat16)
            .none("stream");
        assert_eq!(
            p.to_json(),
            r#"{"axis": -1, "keepdims": true, "shape": [2, 3], "eps": 1e-5, "alpha": 2.0, "norm": "a\"b\\c\n", "dtype": "bfloat16", "stream": null}"#
        );
        assert_eq!(P::new().to_json(), "{}");
        assert_eq!(json_f64(f64::NAN), "NaN");
        assert_eq!(json_f64(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(json_string("\u{1}"), "\"\\u0001\"");
    }

    #[test]
    fn rng_is_deterministic_and_domains_hold() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let u = Dom::U(-2.0, 3.0).draw(&mut r);
            assert!((-2.0..=3.0).contains(&u));
            let w = Dom::Away(-1.0, 1.0, 0.25).draw(&mut r);
            assert!(w.abs() >= 0.25 && w.abs() <= 1.0);
            let i = Dom::Int(-3, 4).draw(&mut r);
            assert!(i == i.round() && (-3.0..=4.0).contains(&i));
        }
    }

    #[test]
    fn inputs_have_the_dtype_shape_and_domain() -> Result<()> {
        let mut r = Rng::new(3);
        let a = make_input(&mut r, Dtype::Uint8, &[4, 5], Dom::U(-5.0, 5.0))?;
        assert_eq!((a.dtype(), a.shape()), (Dtype::Uint8, &[4, 5][..]));
        assert!(a.to_vec::<u8>()?.iter().all(|&x| x <= 5));
        let h = make_input(&mut r, Dtype::Float16, &[3], Dom::U(1.0, 2.0))?;
        assert_eq!(h.dtype(), Dtype::Float16);
        assert!(
            h.to_vec::<half::f16>()?
                .iter()
                .all(|x| (1.0..=2.0).contains(&x.to_f32()))
        );
        let s = make_input(&mut r, Dtype::Float32, &[], Dom::U(0.0, 1.0))?;
        assert_eq!(s.shape(), &[] as &[i32]);
        let c = make_input(&mut r, Dtype::Complex64, &[2], Dom::U(0.0, 1.0))?;
        assert_eq!(c.dtype(), Dtype::Complex64);
        Ok(())
    }
}
