//! Handles: the escape hatches to mlx-c (`as_raw`, `into_raw`, `from_raw`), clones, and
//! evaluation of nothing.

use mlxrs::transforms::{async_eval, eval};
use mlxrs::{Array, Result};

#[test]
fn into_raw_then_from_raw_gives_the_same_array_back() -> Result<()> {
    let a = Array::from_slice(&[1.5f32, -2.0, 4.0], &[3])?;
    let raw = a.into_raw();
    // SAFETY: `raw` is the +1 handle `into_raw` gave up; nothing else frees it.
    let b = unsafe { Array::from_raw(raw) };
    assert_eq!(b.as_raw().ctx, raw.ctx, "the same C++ array");
    assert_eq!(b.to_vec::<f32>()?, [1.5, -2.0, 4.0]);
    Ok(())
}

#[test]
fn try_clone_shares_the_array_and_outlives_the_original() -> Result<()> {
    let a = Array::from_slice(&[7i32, 8], &[2])?;
    let b = a.try_clone()?;
    assert_ne!(a.as_raw().ctx, b.as_raw().ctx, "two handles");
    drop(a);
    assert_eq!(b.to_vec::<i32>()?, [7, 8]);
    assert_eq!(b.clone().to_vec::<i32>()?, [7, 8]);
    Ok(())
}

#[test]
fn clones_share_one_buffer() -> Result<()> {
    let a = Array::zeros(&[256, 1024], mlxrs::Dtype::Float32)?;
    a.eval()?;
    let b = a.try_clone()?;
    b.eval()?;
    // Both point at the same data: no copy was made.
    assert_eq!(a.as_bytes()?.as_ptr(), b.as_bytes()?.as_ptr());
    Ok(())
}

#[test]
fn evaluating_nothing_is_a_no_op() -> Result<()> {
    eval(&[])?;
    async_eval(&[])?;
    Ok(())
}
