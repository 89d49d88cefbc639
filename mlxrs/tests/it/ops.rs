//! Ops where mlxrs guards against MLX 0.32 behaviour (values checked by hand).

use mlxrs::ops::{PadMode, divmod, floor_divide, pad_axes, remainder, sum};
use mlxrs::transforms::grad;
use mlxrs::{Array, Result};

#[test]
fn integer_division_by_zero_gives_zero_instead_of_killing_the_process() -> Result<()> {
    let a = Array::from_slice(&[7i32, -7, 5, 9], &[4])?;
    let b = Array::from_slice(&[2i32, 2, 0, -4], &[4])?;
    // MLX 0.32's integer floor_divide truncates toward zero (Python MLX prints the same
    // [3, -3, 5, -2] for divisors [2, 2, 1, -4]); divmod floors.
    assert_eq!(floor_divide(&a, &b)?.to_vec::<i32>()?, [3, -3, 0, -2]);
    assert_eq!(remainder(&a, &b)?.to_vec::<i32>()?, [1, 1, 0, -3]);
    let (q, r) = divmod(&a, &b)?;
    assert_eq!(
        (q.to_vec::<i32>()?, r.to_vec::<i32>()?),
        (vec![3, -4, 0, -3], vec![1, 1, 0, -3])
    );
    // operators use the same path
    assert_eq!((&a % &b)?.to_vec::<i32>()?, [1, 1, 0, -3]);
    // unsigned and broadcast zero
    let u = Array::from_slice(&[5u8, 6], &[2])?;
    assert_eq!(floor_divide(&u, &Array::from(0u8))?.to_vec::<u8>()?, [0, 0]);
    // floats keep IEEE semantics
    let f = remainder(&Array::from(1.0f32), &Array::from(0.0f32))?.item::<f32>()?;
    assert!(f.is_nan());
    Ok(())
}

#[test]
fn pad_axes_on_a_subset_of_axes_pads_only_those() -> Result<()> {
    // (2, 3) padded on axis 1 only, edge mode: each row repeats its end values.
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
    let p = pad_axes(&a, &[1], &[1], &[2], &Array::from(0.0f32), PadMode::Edge)?;
    assert_eq!(p.shape(), &[2, 6]);
    assert_eq!(
        p.to_vec::<f32>()?,
        [1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0, 6.0, 6.0, 6.0]
    );
    // negative axis, constant mode, on a 3-d array
    let z = Array::zeros(&[3, 4, 5], mlxrs::Dtype::Float32)?;
    let q = pad_axes(
        &z,
        &[-2],
        &[2],
        &[2],
        &Array::from(1.0f32),
        PadMode::Constant,
    )?;
    assert_eq!(q.shape(), &[3, 8, 5]);
    assert_eq!(sum(&q, false)?.item::<f32>()?, (3 * 4 * 5) as f32);
    // the gradient has the input's shape: d/dx sum(pad(x)) counts each element's copies
    let g = grad(
        |xs: &[Array]| {
            Ok(vec![sum(
                &pad_axes(
                    &xs[0],
                    &[1],
                    &[1],
                    &[1],
                    &Array::from(0.0f32),
                    PadMode::Edge,
                )?,
                false,
            )?])
        },
        &[0],
    )?;
    let d = g(&[a])?;
    assert_eq!(d[0].shape(), &[2, 3]);
    assert_eq!(d[0].to_vec::<f32>()?, [2.0, 1.0, 2.0, 2.0, 1.0, 2.0]);
    // bad input is an Err naming the op
    let err = pad_axes(
        &z,
        &[5],
        &[1],
        &[1],
        &Array::from(0.0f32),
        PadMode::Constant,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("pad_axes: axis 5 is out of bounds"),
        "{err}"
    );
    Ok(())
}

#[test]
fn rust_scalars_combine_with_arrays_as_python_scalars_do() -> Result<()> {
    use half::f16;
    use mlxrs::Dtype;
    // integer array + integer scalar stays integer (Python: int32)
    let i = Array::from_slice(&[1i32, 2, 3], &[3])?;
    let r = (&i + 1)?;
    assert_eq!(
        (r.dtype(), r.to_vec::<i32>()?),
        (Dtype::Int32, vec![2, 3, 4])
    );
    let r = (10 - &i)?;
    assert_eq!(r.to_vec::<i32>()?, [9, 8, 7]);
    // integer array * float scalar becomes float32
    let r = (&i * 0.5)?;
    assert_eq!(
        (r.dtype(), r.to_vec::<f32>()?),
        (Dtype::Float32, vec![0.5, 1.0, 1.5])
    );
    // half array keeps its dtype with any scalar
    let h = Array::from_slice(&[f16::from_f32(1.5), f16::from_f32(-2.0)], &[2])?;
    for r in [(&h * 2.0)?, (&h * 2)?] {
        assert_eq!(r.dtype(), Dtype::Float16);
        assert_eq!(
            r.to_vec::<f16>()?,
            [f16::from_f32(3.0), f16::from_f32(-4.0)]
        );
    }
    // float64 arrays stay float64
    let d = Array::from_slice(&[1.0f64], &[1])?;
    assert_eq!((&d + 0.5)?.to_vec::<f64>()?, [1.5]);
    // shape errors come back as MLX's message
    let err = (&i + &Array::zeros(&[2], Dtype::Int32)?).unwrap_err();
    assert!(err.to_string().starts_with("[broadcast_shapes]"), "{err}");
    Ok(())
}

#[test]
fn comparison_and_binary_methods_take_scalars_like_the_operators() -> Result<()> {
    use mlxrs::Dtype;
    let i = Array::from_slice(&[1i32, 5, 3], &[3])?;
    assert_eq!(i.gt(2)?.to_vec::<bool>()?, [false, true, true]);
    assert_eq!(i.le(3.0)?.to_vec::<bool>()?, [true, false, true]);
    assert_eq!(i.eq(5)?.to_vec::<bool>()?, [false, true, false]);
    assert_eq!(i.ne(&i)?.to_vec::<bool>()?, [false, false, false]);
    // an integer scalar keeps the array's integer dtype; a float one promotes as `+` does
    let m = i.maximum(4)?;
    assert_eq!(
        (m.dtype(), m.to_vec::<i32>()?),
        (Dtype::Int32, vec![4, 5, 4])
    );
    let p = i.power(0.5)?;
    assert_eq!(p.dtype(), Dtype::Float32);
    let expect = [1f32, 5f32.sqrt(), 3f32.sqrt()];
    for (got, want) in p.to_vec::<f32>()?.iter().zip(expect) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
    Ok(())
}

#[test]
fn ops_transforms_and_memory_are_flat_at_the_crate_root() -> Result<()> {
    // As in Python's `mlx.core`: `mx.add`, `mx.grad`, `mx.get_peak_memory`.
    let x = Array::from_slice(&[1.0f32, -2.0], &[2])?;
    let y = mlxrs::add(&x, &x)?;
    assert_eq!(y.to_vec::<f32>()?, [2.0, -4.0]);
    let g = mlxrs::grad(
        |a: &[Array]| Ok(vec![mlxrs::sum(&mlxrs::square(&a[0])?, false)?]),
        &[0],
    )?;
    assert_eq!(g(&[x])?[0].to_vec::<f32>()?, [2.0, -4.0]);
    mlxrs::eval(&[&y])?;
    assert!(mlxrs::get_peak_memory()? >= mlxrs::get_active_memory()?);
    assert_eq!(mlxrs::get_peak_memory()?, mlxrs::memory::peak_memory()?);
    Ok(())
}
