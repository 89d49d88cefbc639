//! The README's first program: arrays, ops, lazy evaluation, a gradient, and an error.
//!
//! Run it with `cargo xtask example quickstart` (fetches MLX on first use).

use mlxrs::ops::{matmul, mean, square, subtract, sum};
use mlxrs::transforms::{grad, value_and_grad};
use mlxrs::{Array, Device, Dtype, Result};

fn main() -> Result<()> {
    println!("MLX {} on {}", mlxrs::version()?, Device::default_device()?);

    // Arrays and ops (lazy until printed or read).
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    let b = Array::eye(2, 2, 0, Dtype::Float32)?;
    let c = (&matmul(&a, &b)? + 1.0)?;
    println!("a @ I + 1 =\n{c}");
    println!("sum = {}", sum(&c, false)?.item::<f32>()?);

    // A gradient: f(x) = sum(x²), so df/dx = 2x.
    let df = grad(|x: &[Array]| Ok(vec![sum(&square(&x[0])?, false)?]), &[0])?;
    let x = Array::from_slice(&[1.0f32, -2.0, 3.0], &[3])?;
    println!("d/dx sum(x²) at {x} = {}", df(std::slice::from_ref(&x))?[0]);

    // Fit y = w·x by gradient descent on the mean squared error.
    let xs = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[4])?;
    let ys = (&xs * 3.0)?;
    let loss = value_and_grad(
        move |p: &[Array]| {
            Ok(vec![mean(
                &square(&subtract(&(&xs * &p[0])?, &ys)?)?,
                false,
            )?])
        },
        &[0],
    )?;
    let mut w = Array::from(0.0f32);
    for _ in 0..50 {
        let (_, g) = loss(&[w.clone()])?;
        w = (&w - &(&g[0] * 0.05)?)?;
        w.eval()?;
    }
    println!("fitted w = {:.4} (true value 3)", w.item::<f32>()?);

    // MLX's errors arrive as Err with MLX's message.
    let err = matmul(&a, &Array::zeros(&[3, 2], Dtype::Float32)?).unwrap_err();
    println!("a shape mismatch is an Err: {err}");
    Ok(())
}
