//! The README's first program: arrays, ops, lazy evaluation, a gradient, and an error.
//!
//! Run it with `cargo xtask example quickstart` (fetches MLX on first use). It checks
//! its own results and exits non-zero when one is wrong, so CI runs it as a test.

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
    let total = sum(&c, false)?.item::<f32>()?;
    println!("sum = {total}");
    assert_eq!(total, 14.0, "2 + 3 + 4 + 5");

    // A gradient: f(x) = sum(x²), so df/dx = 2x.
    let df = grad(|x: &[Array]| Ok(vec![sum(&square(&x[0])?, false)?]), &[0])?;
    let x = Array::from_slice(&[1.0f32, -2.0, 3.0], &[3])?;
    let dx = df(std::slice::from_ref(&x))?.remove(0);
    println!("d/dx sum(x²) at {x} = {dx}");
    assert_eq!(dx.to_vec::<f32>()?, [2.0, -4.0, 6.0], "2x");

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
    let fitted = w.item::<f32>()?;
    println!("fitted w = {fitted:.4} (true value 3)");
    assert!((fitted - 3.0).abs() < 1e-3, "the fit converged");

    // MLX's errors arrive as Err with MLX's message.
    let err = matmul(&a, &Array::zeros(&[3, 2], Dtype::Float32)?).unwrap_err();
    println!("a shape mismatch is an Err: {err}");
    assert!(matches!(err, mlxrs::Error::Backend(ref m) if m.starts_with("[matmul]")));
    Ok(())
}
