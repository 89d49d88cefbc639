//! The soak loop, shared by the soak-lite test (`tests/reliability`) and the full soak
//! (`examples/soak.rs`, run by `cargo xtask soak`): transform calls and op errors in a
//! loop, with MLX's active memory and the process's resident set sampled as it runs.
//! Public API only.

use std::collections::HashMap;
use std::io::Cursor;

use mlxrs::{
    Array, Dtype, Error, Result, add, compile, custom_vjp, grad, io, matmul, memory, multiply,
    reshape, square, sum, value_and_grad, vmap,
};

/// Transform calls per iteration: value_and_grad, a compiled step, vmap and the
/// gradient of a custom_vjp function.
pub const TRANSFORMS_PER_ITERATION: usize = 4;
/// Op errors per iteration: a matmul of mismatched shapes, a failed broadcast, a
/// reshape to the wrong size and an error returned from inside a transformed closure.
pub const ERRORS_PER_ITERATION: usize = 4;

/// One sample of the curve.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Iterations done when it was taken.
    pub iteration: usize,
    /// MLX's active memory, bytes.
    pub active: usize,
    /// The process's resident set, bytes (`/proc/self/statm`).
    pub rss: usize,
}

/// The process's resident set in bytes, from `/proc/self/statm` (0 where there is none).
pub fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn sample(iteration: usize) -> Result<Sample> {
    Ok(Sample {
        iteration,
        active: memory::active_memory()?,
        rss: rss_bytes(),
    })
}

/// Checks that `r` failed with a message starting with `prefix`.
fn expect_error<T>(r: Result<T>, prefix: &str) -> Result<()> {
    match r {
        Err(e) if e.to_string().starts_with(prefix) => Ok(()),
        Err(e) => Err(Error::Backend(format!(
            "soak: expected an error starting with {prefix:?}, got {e}"
        ))),
        Ok(_) => Err(Error::Backend(format!(
            "soak: expected an error starting with {prefix:?}, got Ok"
        ))),
    }
}

/// Checks `got` against `want` (exact: every value here is exactly representable).
fn expect_values(what: &str, got: &Array, want: &[f32]) -> Result<()> {
    let got = got.to_vec::<f32>()?;
    if got == want {
        Ok(())
    } else {
        Err(Error::Backend(format!(
            "soak: {what}: got {got:?}, want {want:?}"
        )))
    }
}

/// One iteration: [`TRANSFORMS_PER_ITERATION`] transform calls and
/// [`ERRORS_PER_ITERATION`] errors, every result checked against values computed by hand.
/// `step` is the long-lived compiled function (`2x + 1`); the other transforms are made
/// and dropped here, so their closures' lifetimes are soaked too.
pub fn iteration(i: usize, step: &dyn Fn(&[Array]) -> Result<Vec<Array>>) -> Result<()> {
    let t = (i % 64) as f32;
    let x = Array::from_slice(&[t, 1.0, -2.0], &[3])?;

    // value_and_grad of sum(x^2): value t^2 + 5, gradient 2x.
    let vg = value_and_grad(|a: &[Array]| Ok(vec![sum(&square(&a[0])?, false)?]), &[0])?;
    let (value, grads) = vg(std::slice::from_ref(&x))?;
    expect_values("value_and_grad value", &value[0], &[t * t + 5.0])?;
    expect_values("value_and_grad grad", &grads[0], &[2.0 * t, 2.0, -4.0])?;

    // The compiled step: 2x + 1.
    let y = step(std::slice::from_ref(&x))?;
    expect_values("compiled step", &y[0], &[2.0 * t + 1.0, 3.0, -3.0])?;

    // vmap of a dot product over rows: [[t, 1], [1, 2]] · [1, 2] = [t + 2, 5].
    let dot = |a: &[Array]| Ok(vec![sum(&multiply(&a[0], &a[1])?, false)?]);
    let rows = vmap(dot, [Some(0), None], 0)?;
    let m = Array::from_slice(&[t, 1.0, 1.0, 2.0], &[2, 2])?;
    let out = rows(&[m, Array::from_slice(&[1.0f32, 2.0], &[2])?])?;
    expect_values("vmap", &out[0], &[t + 2.0, 5.0])?;

    // The gradient of a custom_vjp function whose backward claims 3 everywhere.
    let f = custom_vjp(
        |a: &[Array]| Ok(vec![sum(&square(&a[0])?, false)?]),
        |primals: &[Array], _cot: &[Array], _out: &[Array]| {
            Ok(vec![Array::full::<f32>(primals[0].shape(), 3.0)?])
        },
    )?;
    let g = grad(f, &[0])?;
    expect_values(
        "custom_vjp grad",
        &g(std::slice::from_ref(&x))?[0],
        &[3.0; 3],
    )?;

    // Errors: three from MLX's shape checks, one from inside a transform.
    let a23 = Array::zeros(&[2, 3], Dtype::Float32)?;
    let a42 = Array::zeros(&[4, 2], Dtype::Float32)?;
    expect_error(matmul(&a23, &a42), "[matmul]")?;
    expect_error(add(&a23, &a42), "[broadcast_shapes]")?;
    expect_error(reshape(&a23, &[4, 2]), "[reshape]")?;
    let failing = value_and_grad(
        move |_: &[Array]| -> Result<Vec<Array>> {
            Err(Error::invalid("x", format!("iteration {i} refused")))
        },
        &[0],
    )?;
    expect_error(
        failing(std::slice::from_ref(&x)),
        &format!("invalid `x`: iteration {i} refused"),
    )?;
    Ok(())
}

/// One io round trip (`.npy` and `.safetensors` through memory), checked.
pub fn io_round_trip(values: &[f32]) -> Result<()> {
    let a = Array::from_slice(values, &[values.len()])?;
    let mut buffer = Cursor::new(Vec::new());
    io::save_to_writer(&mut buffer, &a)?;
    buffer.set_position(0);
    expect_values(
        "npy round trip",
        &io::load_from_reader(&mut buffer)?,
        values,
    )?;
    let arrays = HashMap::from([("a".to_string(), a)]);
    let mut buffer = Cursor::new(Vec::new());
    io::save_safetensors_to_writer(&mut buffer, &arrays, &HashMap::new())?;
    buffer.set_position(0);
    let (loaded, _) = io::load_safetensors_from_reader(&mut buffer)?;
    expect_values("safetensors round trip", &loaded["a"], values)
}

/// The long-lived compiled step of [`iteration`].
pub fn compiled_step() -> Result<impl Fn(&[Array]) -> Result<Vec<Array>>> {
    compile(
        |a: &[Array]| {
            Ok(vec![add(
                &multiply(&a[0], &Array::from(2.0f32))?,
                &Array::from(1.0f32),
            )?])
        },
        false,
    )
}

/// What a soak run measured.
#[derive(Debug)]
pub struct Report {
    /// The sample after the warm-up, which the end is compared with.
    pub baseline: Sample,
    /// Every sample, the baseline first and the end last.
    pub samples: Vec<Sample>,
}

impl Report {
    /// Growth of MLX's active memory from the baseline to the end, bytes (negative when it
    /// shrank).
    pub fn active_growth(&self) -> i64 {
        self.end().active as i64 - self.baseline.active as i64
    }

    /// Growth of the resident set from the baseline to the end, bytes.
    pub fn rss_growth(&self) -> i64 {
        self.end().rss as i64 - self.baseline.rss as i64
    }

    fn end(&self) -> Sample {
        *self.samples.last().unwrap_or(&self.baseline)
    }
}

/// Runs `warmup` iterations, takes the baseline, then `iterations` more, sampling
/// `samples` times along the way (plus the end).
pub fn run(warmup: usize, iterations: usize, samples: usize) -> Result<Report> {
    let step = compiled_step()?;
    for i in 0..warmup {
        iteration(i, &step)?;
    }
    io_round_trip(&[1.0, 2.0])?;
    let baseline = sample(0)?;
    let every = (iterations / samples.max(1)).max(1);
    let mut curve = vec![baseline];
    for i in 0..iterations {
        iteration(i, &step)?;
        if (i + 1) % every == 0 || i + 1 == iterations {
            curve.push(sample(i + 1)?);
        }
    }
    Ok(Report {
        baseline,
        samples: curve,
    })
}
