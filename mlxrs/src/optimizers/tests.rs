//! Unit tests of the optimizers' private helpers.

use super::*;
use crate::Dtype;

#[test]
fn weak_scalars_take_python_dtypes() -> Result<()> {
    let f16 = Array::zeros(&[2], Dtype::Float16)?;
    let u64s = Array::from(3u64);
    let f64s = Array::from(1.0f64);
    assert_eq!(weak(0.1, &f16)?.dtype(), Dtype::Float16);
    assert_eq!(weak(0.1, &u64s)?.dtype(), Dtype::Float32);
    assert_eq!(weak(0.1, &f64s)?.item::<f64>()?, 0.1);
    assert_eq!(weak_int(2, &u64s)?.dtype(), Dtype::Uint64);
    assert_eq!(weak_int(2, &Array::from(true))?.dtype(), Dtype::Int32);
    // `1 - b1` is computed in double and rounded once, as Python does.
    assert_eq!(
        weak(1.0 - 0.9, &Array::from(0.0f32))?.item::<f32>()?,
        (1.0f64 - 0.9) as f32
    );
    Ok(())
}

#[test]
fn learning_rate_checks() {
    assert!(check_learning_rate("Adam", 0.0).is_ok());
    assert!(check_learning_rate("Adam", 1e-3).is_ok());
    for bad in [-1e-3, f64::NAN, f64::INFINITY] {
        let msg = check_learning_rate("Adam", bad).unwrap_err().to_string();
        assert!(
            msg.starts_with("invalid `learning_rate`: `Adam` learning rate"),
            "{msg}"
        );
    }
}
