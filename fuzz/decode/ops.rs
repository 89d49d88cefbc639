//! The decoder of the `ops` fuzz target: random op sequences from bytes. Shared by the
//! fuzz target and by mlxrs's replay of `fuzz/regressions/ops/` (public API only).

use mlxrs::{Array, Dtype, Result};

/// The input, read one byte at a time; reads past the end give 0.
struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
    /// An axis in `-4..=4` (valid or not for the array at hand).
    fn axis(&mut self) -> i32 {
        i32::from(self.byte() % 9) - 4
    }
    /// A shape of 0 to 3 dimensions, each 0 to 4.
    fn shape(&mut self) -> Vec<i32> {
        let ndim = self.byte() % 4;
        (0..ndim).map(|_| i32::from(self.byte() % 5)).collect()
    }
    fn dtype(&mut self) -> Dtype {
        Dtype::ALL[usize::from(self.byte()) % Dtype::ALL.len()]
    }
}

type Unary = fn(&Array) -> Result<Array>;
type Binary = fn(&Array, &Array) -> Result<Array>;

const UNARY: &[Unary] = &[
    mlxrs::abs,
    mlxrs::negative,
    mlxrs::exp,
    mlxrs::log,
    mlxrs::sqrt,
    mlxrs::square,
    mlxrs::sin,
    mlxrs::floor,
    mlxrs::sigmoid,
    mlxrs::logical_not,
    mlxrs::sign,
    mlxrs::reciprocal,
    mlxrs::erfinv,
    mlxrs::isnan,
    mlxrs::conjugate,
    mlxrs::real,
    mlxrs::imag,
    mlxrs::sort,
    mlxrs::argsort,
    mlxrs::flip,
    mlxrs::bitwise_invert,
    |a| mlxrs::sum(a, false),
    |a| mlxrs::mean(a, true),
    |a| mlxrs::prod(a, false),
    |a| mlxrs::max(a, false),
    |a| mlxrs::argmax(a, false),
    |a| mlxrs::cumsum(a, false, true, None),
    |a| mlxrs::cumprod(a, true, false, None),
    |a| mlxrs::softmax(a, false),
    |a| mlxrs::flatten(a, 0, -1),
    |a| mlxrs::round(a, 1),
    |a| mlxrs::var(a, false, 1),
    |a| mlxrs::diag(a, 0),
    |a| mlxrs::tril(a, 0),
    |a| mlxrs::contiguous(a, false),
    |a| mlxrs::topk(a, 1),
    |a| mlxrs::partition(a, 0),
    |a| mlxrs::nan_to_num(a, 0.0, None, None),
    |a| a.transpose(),
];

const BINARY: &[Binary] = &[
    mlxrs::add,
    mlxrs::subtract,
    mlxrs::multiply,
    mlxrs::divide,
    mlxrs::power,
    mlxrs::maximum,
    mlxrs::minimum,
    mlxrs::floor_divide,
    mlxrs::remainder,
    mlxrs::equal,
    mlxrs::less,
    mlxrs::logical_and,
    mlxrs::bitwise_and,
    mlxrs::left_shift,
    mlxrs::right_shift,
    mlxrs::matmul,
    mlxrs::inner,
    mlxrs::outer,
    mlxrs::kron,
    mlxrs::arctan2,
    mlxrs::logaddexp,
    mlxrs::take,
    |a, b| mlxrs::concatenate(&[a.clone(), b.clone()], 0),
    |a, b| mlxrs::stack(&[a.clone(), b.clone()], 0),
    |a, b| mlxrs::r#where(a, b, a),
    |a, b| mlxrs::searchsorted(a, b, mlxrs::ops::Side::Left),
    |a, b| mlxrs::take_axis(a, b, 0),
    |a, b| mlxrs::take_along_axis(a, b, -1),
    |a, b| mlxrs::put_along_axis(a, b, a, 0),
    |a, b| mlxrs::scatter_add_axis(a, b, a, -1),
    |a, b| mlxrs::gather_single(a, b, 0, &[1; 2]),
    |a, b| mlxrs::slice_dynamic(a, b, &[0], &[1]),
    |a, b| mlxrs::slice_update_dynamic(a, b, &Array::from(1i32), &[0]),
    |a, b| mlxrs::segmented_mm(a, a, b),
    |a, b| mlxrs::gather_mm(a, a, Some(b), None, false),
];

/// An array of `shape` and `dtype` with values `(k - offset) * scale` for k = 0, 1, ...,
/// some of them divided by zero (inf, NaN) when `special` is set.
fn make(shape: &[i32], dtype: Dtype, offset: u8, scale: u8, special: bool) -> Result<Array> {
    let n: i32 = shape.iter().product();
    let k = Array::arange(0.0, f64::from(n), 1.0, Dtype::Float32)?;
    let mut x = mlxrs::multiply(
        &mlxrs::subtract(&k, &Array::from(f32::from(offset)))?,
        &Array::from(f32::from(scale) / 16.0),
    )?;
    if special {
        x = mlxrs::divide(&x, &mlxrs::subtract(&k, &Array::from(1.0f32))?)?;
    }
    x.reshape(shape)?.astype(dtype)
}

/// A read of everything, as a user would: evaluation and the raw bytes.
fn read(a: &Array) {
    let _ = a.as_bytes();
}

fn step(input: &mut Input, stack: &mut Vec<Array>) -> Result<()> {
    const MAX: usize = 6;
    let top = stack.last().cloned();
    let second = stack.len().checked_sub(2).map(|k| stack[k].clone());
    let pushed: Option<Array> = match input.byte() % 10 {
        0 => {
            let shape = input.shape();
            let dtype = input.dtype();
            let (offset, scale, flags) = (input.byte(), input.byte(), input.byte());
            Some(make(&shape, dtype, offset, scale, flags & 1 == 1)?)
        }
        1 => {
            let f = UNARY[usize::from(input.byte()) % UNARY.len()];
            top.map(|a| f(&a)).transpose()?
        }
        2 => {
            let f = BINARY[usize::from(input.byte()) % BINARY.len()];
            match (&second, &top) {
                (Some(a), Some(b)) => Some(f(a, b)?),
                _ => None,
            }
        }
        3 => {
            let axis = input.axis();
            let Some(a) = top else { return Ok(()) };
            Some(match input.byte() % 10 {
                0 => mlxrs::sum_axis(&a, axis, true)?,
                1 => mlxrs::max_axis(&a, axis, false)?,
                2 => mlxrs::argmax_axis(&a, axis, false)?,
                3 => mlxrs::sort_axis(&a, axis)?,
                4 => mlxrs::cumsum_axis(&a, axis, true, true, None)?,
                5 => mlxrs::softmax_axis(&a, axis, true)?,
                6 => mlxrs::flip_axis(&a, axis)?,
                7 => mlxrs::expand_dims(&a, axis)?,
                8 => mlxrs::squeeze_axis(&a, axis)?,
                _ => mlxrs::repeat_axis(&a, 2, axis)?,
            })
        }
        4 => {
            let shape = input.shape();
            let Some(a) = top else { return Ok(()) };
            Some(match input.byte() % 5 {
                0 => mlxrs::reshape(&a, shape.as_slice())?,
                1 => mlxrs::broadcast_to(&a, shape.as_slice())?,
                2 => mlxrs::transpose_axes(&a, &shape)?,
                3 => mlxrs::tile(&a, &shape)?,
                _ => {
                    let start: Vec<i32> = shape.iter().map(|&d| d - 2).collect();
                    let stop: Vec<i32> = shape.iter().map(|&d| d + 1).collect();
                    let strides: Vec<i32> = shape.iter().map(|&d| d - 2).collect();
                    mlxrs::slice(&a, &start, &stop, &strides)?
                }
            })
        }
        5 => {
            let dtype = input.dtype();
            top.map(|a| a.astype(dtype)).transpose()?
        }
        6 => {
            // A transform of a unary op, applied to the top array.
            let f = UNARY[usize::from(input.byte()) % UNARY.len()];
            let Some(x) = top else { return Ok(()) };
            let body = move |xs: &[Array]| Ok(vec![mlxrs::sum(&f(&xs[0])?, false)?]);
            let args = std::slice::from_ref(&x);
            match input.byte() % 4 {
                0 => {
                    let vg = mlxrs::value_and_grad(body, &[0])?;
                    let (_, grads) = vg(args)?;
                    grads.into_iter().next()
                }
                1 => {
                    let (_, cot) = mlxrs::vjp(body, args, &[Array::from(1.0f32)])?;
                    cot.into_iter().next()
                }
                2 => {
                    let (out, _) = mlxrs::jvp(body, args, args)?;
                    out.into_iter().next()
                }
                _ => {
                    let mapped = mlxrs::vmap(move |xs: &[Array]| Ok(vec![f(&xs[0])?]), 0, 0)?;
                    mapped(args)?.into_iter().next()
                }
            }
        }
        7 => {
            if let Some(a) = &top {
                read(a);
            }
            None
        }
        8 => {
            stack.pop();
            None
        }
        _ => top,
    };
    // Results past 4,096 elements are dropped unevaluated: kron, outer, tile and repeat
    // would otherwise grow the arrays geometrically and exhaust memory, not find bugs.
    if let Some(a) = pushed.filter(|a| a.size() <= 1 << 12) {
        if stack.len() == MAX {
            drop(stack.remove(0));
        }
        stack.push(a);
    }
    Ok(())
}

/// Runs the op sequence that `data` decodes to: at most 64 steps, each ending in `Ok` or
/// `Err` (either is fine), then a full read of every array left.
pub fn run(data: &[u8]) {
    let mut input = Input { data, pos: 0 };
    let mut stack = Vec::new();
    let mut steps = 0;
    while !input.done() && steps < 64 {
        let _ = step(&mut input, &mut stack);
        steps += 1;
    }
    for a in &stack {
        read(a);
    }
}
