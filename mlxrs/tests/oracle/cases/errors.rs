//! Invalid calls: both sides must fail with MLX's message, verbatim.

use mlxrs::ops::{QuantizationMode, QuantizeOptions};
use mlxrs::{Array, Result, linalg, ops};

use super::*;
use crate::harness::{Dom, P, Table, one};

pub fn cases(t: &mut Table) -> Result<()> {
    let r = Dom::U(-1.0, 1.0);
    let a23 = t.input(F32, &[2, 3], r)?;
    let b4 = t.input(F32, &[4], r)?;
    t.add("add", P::new(), vec![a23.clone(), b4.clone()], |x| {
        one(ops::add(&x[0], &x[1]))
    })
    .fails();
    let b42 = t.input(F32, &[4, 2], r)?;
    t.add("matmul", P::new(), vec![a23.clone(), b42], |x| {
        one(ops::matmul(&x[0], &x[1]))
    })
    .fails();
    t.add(
        "reshape",
        P::new().is("shape", &[4]),
        vec![a23.clone()],
        |x| one(ops::reshape(&x[0], &[4])),
    )
    .fails();
    t.add("sum", P::new().i("axis", 3), vec![a23.clone()], |x| {
        one(ops::sum_axis(&x[0], 3, false))
    })
    .fails();
    let a24 = t.input(F32, &[2, 4], r)?;
    let p = P::new().b("_list", true).i("axis", 0);
    t.add("concatenate", p, vec![a23.clone(), a24], |x| {
        one(ops::concatenate(x, 0))
    })
    .fails();
    t.add("squeeze", P::new().i("axis", 1), vec![a23.clone()], |x| {
        one(ops::squeeze_axis(&x[0], 1))
    })
    .fails();
    t.add(
        "transpose",
        P::new().is("axes", &[0]),
        vec![a23.clone()],
        |x| one(ops::transpose_axes(&x[0], &[0])),
    )
    .fails();
    let p = P::new().i("indices_or_sections", 4).i("axis", 1);
    t.add("split", p, vec![a23.clone()], |x| ops::split(&x[0], 4, 1))
        .fails();
    t.add(
        "broadcast_to",
        P::new().is("shape", &[3, 3]),
        vec![a23.clone()],
        |x| one(ops::broadcast_to(&x[0], &[3, 3])),
    )
    .fails();
    t.add("linalg.inv", P::new(), vec![a23.clone()], |x| {
        one(linalg::inv(&x[0]))
    })
    .fails();
    // 4 input channels, a weight for 5.
    let input = t.input(F32, &[2, 8, 4], r)?;
    let w = t.input(F32, &[4, 3, 5], r)?;
    t.add("conv1d", P::new(), vec![input, w], |x| {
        one(ops::conv1d(&x[0], &x[1], ops::Conv1dOptions::default()))
    })
    .fails();
    // Not implemented on the CPU in MLX 0.32.2: fails at evaluation.
    let x = t.input(F32, &[4, 64], r)?;
    let w = t.input(F32, &[8, 64], r)?;
    t.add(
        "qqmm",
        P::new().s("mode", "nvfp4"),
        vec![x.clone(), w],
        |x| {
            let o = QuantizeOptions::new(QuantizationMode::Nvfp4);
            one(ops::qqmm(&x[0], &x[1], None, o, None, None))
        },
    )
    .fails();
    let wb = t.input(F32, &[2, 8, 64], r)?;
    let ri = Array::from_slice(&[0u32, 1, 1, 0], &[4])?;
    let p = P::new()
        .s("mode", "nvfp4")
        .raw("_kw_inputs", "[null, null, \"rhs_indices\"]");
    t.add("gather_qqmm", p, vec![x, wb, ri], |x| {
        let o = QuantizeOptions::new(QuantizationMode::Nvfp4);
        one(ops::gather_qqmm(
            &x[0],
            &x[1],
            None,
            None,
            Some(&x[2]),
            o,
            None,
            None,
            false,
        ))
    })
    .fails();
    let a = t.input(F16, &[3, 2, 4], r)?;
    let b = t.input(F16, &[5, 4, 6], r)?;
    let li = t.input(U32, &[4], Dom::Int(0, 2))?;
    let ri = t.input(U32, &[4], Dom::Int(0, 4))?;
    t.add("gather_mm", P::new(), vec![a, b, li, ri], |x| {
        one(ops::gather_mm(
            &x[0],
            &x[1],
            Some(&x[2]),
            Some(&x[3]),
            false,
        ))
    })
    .fails();
    Ok(())
}
