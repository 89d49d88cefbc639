//! The ops of a calling shape of their own: a few edge and bad inputs each, with the
//! expected shape worked out by hand from the op's definition (matmul: (m,k)@(k,n) is
//! (m,n); a window of m points has m points; ...).

use std::collections::HashMap;

use mlxrs::ops as o;
use mlxrs::{Array, Dtype, Result, fast, fft, linalg, random};

use crate::cases::{Case, Expect, one};

const F: Dtype = Dtype::Float32;

/// float32 values 0.25, 0.75, ... (cycling, never 0) in `shape`.
pub fn fa(shape: &[i32]) -> Result<Array> {
    let n: i32 = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|i| (i % 7) as f32 * 0.5 + 0.25).collect();
    Array::from_slice(&v, shape)
}

/// int32 values.
pub fn ia(v: &[i32], shape: &[i32]) -> Result<Array> {
    Array::from_slice(v, shape)
}

/// An identity-like well-conditioned (n, n) float32 matrix: 2·I + 0.1.
fn spd(n: i32) -> Result<Array> {
    let e = o::eye(n, n, 0, F)?;
    &(&e * 2.0f32)? + 0.1f32
}

pub fn ok(s: &[i32], d: Dtype) -> Expect {
    Expect::Ok(one(s.to_vec(), d))
}
pub fn oke(s: &[i32], d: Dtype) -> Expect {
    Expect::OkOrErr(one(s.to_vec(), d))
}
pub fn okm(outs: &[(&[i32], Dtype)]) -> Expect {
    Expect::Ok(outs.iter().map(|(s, d)| (s.to_vec(), *d)).collect())
}
pub const E: Expect = Expect::Err;

/// One case whose body yields one array.
macro_rules! c1 {
    ($v:expr, $op:literal, $label:expr, $exp:expr, $body:expr) => {
        $v.push(Case::new(
            $op,
            $label,
            $exp,
            Box::new(move || Ok(vec![$body?])),
        ))
    };
}
/// One case whose body yields `Result<Vec<Array>>`.
macro_rules! cn {
    ($v:expr, $op:literal, $label:expr, $exp:expr, $body:expr) => {
        $v.push(Case::new($op, $label, $exp, Box::new(move || $body)))
    };
}
pub(crate) use cn;

/// Accept `names` in the last case's `Err` message too.
pub fn also(v: &mut [Case], names: &[&'static str]) {
    if let Some(c) = v.last_mut() {
        c.names.extend_from_slice(names);
    }
}

pub fn cases(v: &mut Vec<Case>) {
    products(v);
    creation(v);
    shapes(v);
    indexing(v);
    misc(v);
    conv(v);
    quant(v);
    linalg_cases(v);
    fft_cases(v);
    random_cases(v);
    fast_cases(v);
    io_cases(v);
    crate::rust_api::cases(v);
}

fn products(v: &mut Vec<Case>) {
    c1!(
        v,
        "mlx_matmul",
        "(2,3)@(3,4)",
        ok(&[2, 4], F),
        o::matmul(&fa(&[2, 3])?, &fa(&[3, 4])?)
    );
    c1!(
        v,
        "mlx_matmul",
        "(3)@(3)",
        ok(&[], F),
        o::matmul(&fa(&[3])?, &fa(&[3])?)
    );
    c1!(
        v,
        "mlx_matmul",
        "(5,2,3)@(3,4)",
        ok(&[5, 2, 4], F),
        o::matmul(&fa(&[5, 2, 3])?, &fa(&[3, 4])?)
    );
    c1!(
        v,
        "mlx_matmul",
        "(2,0)@(0,3)",
        ok(&[2, 3], F),
        o::matmul(&fa(&[2, 0])?, &fa(&[0, 3])?)
    );
    c1!(
        v,
        "mlx_matmul",
        "(0,3)@(3,2)",
        ok(&[0, 2], F),
        o::matmul(&fa(&[0, 3])?, &fa(&[3, 2])?)
    );
    c1!(
        v,
        "mlx_matmul",
        "(2,3)@(4,2)",
        E,
        o::matmul(&fa(&[2, 3])?, &fa(&[4, 2])?)
    );
    c1!(
        v,
        "mlx_matmul",
        "()@(3)",
        E,
        o::matmul(&fa(&[])?, &fa(&[3])?)
    );
    c1!(
        v,
        "mlx_matmul",
        "int32",
        E,
        o::matmul(&ia(&[1; 6], &[2, 3])?, &ia(&[1; 6], &[3, 2])?)
    );
    c1!(
        v,
        "mlx_matmul",
        "(2,3,4)@(3,4,5) batch",
        E,
        o::matmul(&fa(&[2, 3, 4])?, &fa(&[3, 4, 5])?)
    );
    c1!(
        v,
        "mlx_inner",
        "(3).(3)",
        ok(&[], F),
        o::inner(&fa(&[3])?, &fa(&[3])?)
    );
    c1!(
        v,
        "mlx_inner",
        "(2,3).(4,3)",
        ok(&[2, 4], F),
        o::inner(&fa(&[2, 3])?, &fa(&[4, 3])?)
    );
    c1!(
        v,
        "mlx_inner",
        "(2,3).(2,4)",
        E,
        o::inner(&fa(&[2, 3])?, &fa(&[2, 4])?)
    );
    c1!(
        v,
        "mlx_outer",
        "(2)x(3)",
        ok(&[2, 3], F),
        o::outer(&fa(&[2])?, &fa(&[3])?)
    );
    c1!(
        v,
        "mlx_outer",
        "(2,3)x(4) flattens",
        ok(&[6, 4], F),
        o::outer(&fa(&[2, 3])?, &fa(&[4])?)
    );
    c1!(
        v,
        "mlx_outer",
        "(0)x(3)",
        ok(&[0, 3], F),
        o::outer(&fa(&[0])?, &fa(&[3])?)
    );
    c1!(
        v,
        "mlx_kron",
        "(2,3)x(4,5)",
        ok(&[8, 15], F),
        o::kron(&fa(&[2, 3])?, &fa(&[4, 5])?)
    );
    c1!(
        v,
        "mlx_kron",
        "(2)x(3,1)",
        ok(&[3, 2], F),
        o::kron(&fa(&[2])?, &fa(&[3, 1])?)
    );
    c1!(v, "mlx_kron", "(0)x(3)", E, o::kron(&fa(&[0])?, &fa(&[3])?));
    c1!(
        v,
        "mlx_addmm",
        "(2,4)+(2,3)@(3,4)",
        ok(&[2, 4], F),
        o::addmm(&fa(&[2, 4])?, &fa(&[2, 3])?, &fa(&[3, 4])?, 1.0, 1.0)
    );
    c1!(
        v,
        "mlx_addmm",
        "(4)+(2,3)@(3,4) broadcast",
        ok(&[2, 4], F),
        o::addmm(&fa(&[4])?, &fa(&[2, 3])?, &fa(&[3, 4])?, 0.5, 2.0)
    );
    c1!(
        v,
        "mlx_addmm",
        "(2,3)@(4,4)",
        E,
        o::addmm(&fa(&[2, 4])?, &fa(&[2, 3])?, &fa(&[4, 4])?, 1.0, 1.0)
    );
    c1!(
        v,
        "mlx_addmm",
        "c (3,3)",
        E,
        o::addmm(&fa(&[3, 3])?, &fa(&[2, 3])?, &fa(&[3, 4])?, 1.0, 1.0)
    );
    c1!(
        v,
        "mlx_tensordot",
        "(2,3,4)x(3,4,5) [1,2]/[0,1]",
        ok(&[2, 5], F),
        o::tensordot(&fa(&[2, 3, 4])?, &fa(&[3, 4, 5])?, &[1, 2], &[0, 1])
    );
    c1!(
        v,
        "mlx_tensordot",
        "axes lengths differ",
        E,
        o::tensordot(&fa(&[2, 3, 4])?, &fa(&[3, 4, 5])?, &[1], &[0, 1])
    );
    c1!(
        v,
        "mlx_tensordot",
        "sizes differ",
        E,
        o::tensordot(&fa(&[2, 3, 4])?, &fa(&[3, 4, 5])?, &[0], &[0])
    );
    c1!(
        v,
        "mlx_tensordot",
        "axis out of range",
        E,
        o::tensordot(&fa(&[2, 3])?, &fa(&[3, 4])?, &[5], &[0])
    );
    c1!(
        v,
        "mlx_tensordot_axis",
        "axis 2",
        ok(&[2, 5], F),
        o::tensordot_axis(&fa(&[2, 3, 4])?, &fa(&[3, 4, 5])?, 2)
    );
    c1!(
        v,
        "mlx_tensordot_axis",
        "axis 0",
        ok(&[2, 3, 4, 5], F),
        o::tensordot_axis(&fa(&[2, 3])?, &fa(&[4, 5])?, 0)
    );
    c1!(
        v,
        "mlx_tensordot_axis",
        "axis 3 of 2-d",
        E,
        o::tensordot_axis(&fa(&[2, 3])?, &fa(&[3, 4])?, 3)
    );
    c1!(
        v,
        "mlx_tensordot_axis",
        "axis -1",
        E,
        o::tensordot_axis(&fa(&[2, 3])?, &fa(&[3, 4])?, -1)
    );
    c1!(
        v,
        "mlx_einsum",
        "ij,jk->ik",
        ok(&[2, 4], F),
        o::einsum("ij,jk->ik", &[fa(&[2, 3])?, fa(&[3, 4])?])
    );
    c1!(
        v,
        "mlx_einsum",
        "ii (trace)",
        ok(&[], F),
        o::einsum("ii", &[fa(&[3, 3])?])
    );
    c1!(
        v,
        "mlx_einsum",
        "i,j->ij",
        ok(&[2, 3], F),
        o::einsum("i,j->ij", &[fa(&[2])?, fa(&[3])?])
    );
    c1!(
        v,
        "mlx_einsum",
        "sizes differ",
        E,
        o::einsum("ij,jk->ik", &[fa(&[2, 3])?, fa(&[4, 4])?])
    );
    c1!(
        v,
        "mlx_einsum",
        "two subscripts, one operand",
        E,
        o::einsum("ij,jk->ik", &[fa(&[2, 3])?])
    );
    c1!(
        v,
        "mlx_einsum",
        "rank differs",
        E,
        o::einsum("ijk->i", &[fa(&[2, 3])?])
    );
    c1!(
        v,
        "mlx_einsum",
        "bad character",
        E,
        o::einsum("i!->i", &[fa(&[2, 3])?])
    );
    c1!(v, "mlx_einsum", "no operands", E, o::einsum("->", &[]));
    c1!(
        v,
        "mlx_vecdot",
        "(2,3).(2,3) axis -1",
        ok(&[2], F),
        o::vecdot(&fa(&[2, 3])?, &fa(&[2, 3])?, -1)
    );
    c1!(
        v,
        "mlx_vecdot",
        "(2,3).(3) broadcast",
        E,
        o::vecdot(&fa(&[2, 3])?, &fa(&[3])?, -1)
    );
    c1!(
        v,
        "mlx_vecdot",
        "axis 5",
        E,
        o::vecdot(&fa(&[2, 3])?, &fa(&[2, 3])?, 5)
    );
    c1!(
        v,
        "mlx_vecdot",
        "(2,3).(2,4)",
        E,
        o::vecdot(&fa(&[2, 3])?, &fa(&[2, 4])?, -1)
    );
    also(v, &["broadcast_shapes"]);
    c1!(
        v,
        "mlx_hadamard_transform",
        "(4,8)",
        ok(&[4, 8], F),
        o::hadamard_transform(&fa(&[4, 8])?, None)
    );
    c1!(
        v,
        "mlx_hadamard_transform",
        "(2,12)",
        ok(&[2, 12], F),
        o::hadamard_transform(&fa(&[2, 12])?, Some(0.5))
    );
    c1!(
        v,
        "mlx_hadamard_transform",
        "(2,7)",
        E,
        o::hadamard_transform(&fa(&[2, 7])?, None)
    );
    also(v, &["hadamard"]);
    c1!(
        v,
        "mlx_hadamard_transform",
        "(2,6)",
        E,
        o::hadamard_transform(&fa(&[2, 6])?, None)
    );
    also(v, &["hadamard"]);
    c1!(v, "mlx_trace", "(3,3)", ok(&[], F), o::trace(&fa(&[3, 3])?));
    c1!(v, "mlx_trace", "(2,3)", ok(&[], F), o::trace(&fa(&[2, 3])?));
    c1!(v, "mlx_trace", "(3)", E, o::trace(&fa(&[3])?));
    c1!(v, "mlx_trace", "()", E, o::trace(&fa(&[])?));
    c1!(
        v,
        "mlx_trace_axes",
        "(2,3,4) axes 0,1",
        ok(&[4], F),
        o::trace_axes(&fa(&[2, 3, 4])?, 0, 0, 1, None)
    );
    c1!(
        v,
        "mlx_trace_axes",
        "(2,3,4) axes 2,1 int32",
        ok(&[2], Dtype::Int32),
        o::trace_axes(&fa(&[2, 3, 4])?, 1, 2, 1, Some(Dtype::Int32))
    );
    c1!(
        v,
        "mlx_trace_axes",
        "axes equal",
        E,
        o::trace_axes(&fa(&[2, 3, 4])?, 0, 1, 1, None)
    );
    c1!(
        v,
        "mlx_trace_axes",
        "axis 3",
        E,
        o::trace_axes(&fa(&[2, 3, 4])?, 0, 0, 3, None)
    );
    c1!(
        v,
        "mlx_block_masked_mm",
        "(64,64)@(64,64) block 32",
        ok(&[64, 64], F),
        o::block_masked_mm(&fa(&[64, 64])?, &fa(&[64, 64])?, 32, None, None, None)
    );
    c1!(
        v,
        "mlx_block_masked_mm",
        "inner sizes differ",
        E,
        o::block_masked_mm(&fa(&[64, 32])?, &fa(&[64, 64])?, 32, None, None, None)
    );
    c1!(
        v,
        "mlx_block_masked_mm",
        "block 16",
        oke(&[64, 64], F),
        o::block_masked_mm(&fa(&[64, 64])?, &fa(&[64, 64])?, 16, None, None, None)
    );
    c1!(
        v,
        "mlx_gather_mm",
        "(2,3)@(3,4)",
        ok(&[2, 4], F),
        o::gather_mm(&fa(&[2, 3])?, &fa(&[3, 4])?, None, None, false)
    );
    c1!(
        v,
        "mlx_gather_mm",
        "batched with indices",
        ok(&[2, 1, 4], F),
        o::gather_mm(
            &fa(&[3, 1, 3])?,
            &fa(&[2, 3, 4])?,
            Some(&Array::from_slice(&[0u32, 2], &[2])?),
            Some(&Array::from_slice(&[1u32, 0], &[2])?),
            false
        )
    );
    c1!(
        v,
        "mlx_gather_mm",
        "inner sizes differ",
        E,
        o::gather_mm(&fa(&[2, 3])?, &fa(&[4, 4])?, None, None, false)
    );
    c1!(
        v,
        "mlx_gather_mm",
        "float indices",
        E,
        o::gather_mm(
            &fa(&[3, 1, 3])?,
            &fa(&[2, 3, 4])?,
            Some(&fa(&[2])?),
            None,
            false
        )
    );
    c1!(
        v,
        "mlx_segmented_mm",
        "two segments",
        ok(&[2, 2, 3], F),
        o::segmented_mm(
            &fa(&[2, 6])?,
            &fa(&[6, 3])?,
            &Array::from_slice(&[0u32, 3, 3, 6], &[2, 2])?
        )
    );
    c1!(
        v,
        "mlx_segmented_mm",
        "segments (3)",
        E,
        o::segmented_mm(
            &fa(&[2, 6])?,
            &fa(&[6, 3])?,
            &Array::from_slice(&[0u32, 3, 6], &[3])?
        )
    );
    c1!(
        v,
        "mlx_segmented_mm",
        "inner sizes differ",
        E,
        o::segmented_mm(
            &fa(&[2, 6])?,
            &fa(&[5, 3])?,
            &Array::from_slice(&[0u32, 3], &[1, 2])?
        )
    );
    c1!(
        v,
        "mlx_segmented_mm",
        "segments past the end (clamped)",
        ok(&[1, 2, 3], F),
        o::segmented_mm(
            &fa(&[2, 6])?,
            &fa(&[6, 3])?,
            &Array::from_slice(&[0u32, 7], &[1, 2])?
        )
    );
}

/// Shapes of more than 1 GB are not swept: MLX 0.32's CPU allocator does not check
/// `malloc`, so an allocation that fails (`zeros((2^20, 2^20))`, 4 TB) is a SIGSEGV, the
/// one abort the safe API documents (docs/SWEEP.md); huge shapes that MLX rejects before
/// allocating (`arange` past 2^31 elements, a reshape or pad past i32 sizes) are swept.
fn creation(v: &mut Vec<Case>) {
    c1!(
        v,
        "mlx_zeros",
        "(2,3) f16",
        ok(&[2, 3], Dtype::Float16),
        o::zeros(&[2, 3], Dtype::Float16)
    );
    c1!(
        v,
        "mlx_zeros",
        "(0,5)",
        ok(&[0, 5], F),
        o::zeros(&[0, 5], F)
    );
    c1!(
        v,
        "mlx_zeros",
        "()",
        ok(&[], Dtype::Complex64),
        o::zeros(&[] as &[i32], Dtype::Complex64)
    );
    c1!(v, "mlx_zeros", "(-1)", E, o::zeros(&[-1], F));
    also(v, &["full"]);
    c1!(
        v,
        "mlx_ones",
        "(3) bool",
        ok(&[3], Dtype::Bool),
        o::ones(&[3], Dtype::Bool)
    );
    c1!(v, "mlx_ones", "(2,-3)", E, o::ones(&[2, -3], F));
    also(v, &["full"]);
    c1!(
        v,
        "mlx_full",
        "(2,3) of a scalar",
        ok(&[2, 3], F),
        o::full(&[2, 3], &Array::scalar(1.5f32), None)
    );
    c1!(
        v,
        "mlx_full",
        "(2,3) of a (3) row, as int8",
        ok(&[2, 3], Dtype::Int8),
        o::full(&[2, 3], &fa(&[3])?, Some(Dtype::Int8))
    );
    c1!(
        v,
        "mlx_full",
        "(2,3) of a (4)",
        E,
        o::full(&[2, 3], &fa(&[4])?, None)
    );
    also(v, &["broadcast"]);
    c1!(
        v,
        "mlx_full",
        "(-2)",
        E,
        o::full(&[-2], &Array::scalar(1.0f32), None)
    );
    c1!(
        v,
        "mlx_arange",
        "0..5",
        ok(&[5], F),
        o::arange(0.0, 5.0, 1.0, F)
    );
    c1!(
        v,
        "mlx_arange",
        "5..0 step 1: empty",
        ok(&[0], Dtype::Int32),
        o::arange(5.0, 0.0, 1.0, Dtype::Int32)
    );
    c1!(
        v,
        "mlx_arange",
        "0..1 step 0.25",
        ok(&[4], Dtype::Float64),
        o::arange(0.0, 1.0, 0.25, Dtype::Float64)
    );
    c1!(v, "mlx_arange", "step 0", E, o::arange(0.0, 5.0, 0.0, F));
    c1!(
        v,
        "mlx_arange",
        "1e12 elements",
        E,
        o::arange(0.0, 1e12, 1.0, F)
    );
    c1!(
        v,
        "mlx_arange",
        "NaN stop",
        E,
        o::arange(0.0, f64::NAN, 1.0, F)
    );
    c1!(
        v,
        "mlx_arange",
        "infinite stop",
        E,
        o::arange(0.0, f64::INFINITY, 1.0, F)
    );
    c1!(
        v,
        "mlx_arange",
        "bool",
        E,
        o::arange(0.0, 2.0, 1.0, Dtype::Bool)
    );
    c1!(
        v,
        "mlx_linspace",
        "5 points",
        ok(&[5], F),
        o::linspace(0.0, 1.0, 5, F)
    );
    c1!(
        v,
        "mlx_linspace",
        "0 points",
        ok(&[0], F),
        o::linspace(0.0, 1.0, 0, F)
    );
    c1!(
        v,
        "mlx_linspace",
        "-1 points",
        E,
        o::linspace(0.0, 1.0, -1, F)
    );
    c1!(
        v,
        "mlx_linspace_endpoint",
        "5 points, no endpoint",
        ok(&[5], F),
        o::linspace_endpoint(0.0, 1.0, 5, false, F)
    );
    c1!(
        v,
        "mlx_linspace_endpoint",
        "-3 points",
        E,
        o::linspace_endpoint(0.0, 1.0, -3, true, F)
    );
    c1!(
        v,
        "mlx_eye",
        "(2,3) k=1",
        ok(&[2, 3], F),
        o::eye(2, 3, 1, F)
    );
    c1!(
        v,
        "mlx_eye",
        "(3,3) k=10",
        ok(&[3, 3], Dtype::Int32),
        o::eye(3, 3, 10, Dtype::Int32)
    );
    c1!(v, "mlx_eye", "n=-1", E, o::eye(-1, 2, 0, F));
    c1!(v, "mlx_eye", "m=-1", E, o::eye(2, -1, 0, F));
    c1!(
        v,
        "mlx_identity",
        "3",
        ok(&[3, 3], Dtype::Bool),
        o::identity(3, Dtype::Bool)
    );
    c1!(v, "mlx_identity", "0", ok(&[0, 0], F), o::identity(0, F));
    c1!(v, "mlx_identity", "-1", E, o::identity(-1, F));
    also(v, &["eye"]);
    c1!(v, "mlx_tri", "(3,4)", ok(&[3, 4], F), o::tri(3, 4, 0, F));
    c1!(v, "mlx_tri", "(0,0)", ok(&[0, 0], F), o::tri(0, 0, 0, F));
    c1!(
        v,
        "mlx_tri",
        "(2,2) k=-5",
        ok(&[2, 2], Dtype::Int8),
        o::tri(2, 2, -5, Dtype::Int8)
    );
    for op in [0, 1] {
        let f: fn(&Array, i32) -> Result<Array> = if op == 0 { o::tril } else { o::triu };
        let name = if op == 0 { "mlx_tril" } else { "mlx_triu" };
        for k in [0, 1, -1, 100, i32::MIN] {
            v.push(Case::new(
                name,
                format!("(3,4) k={k}"),
                ok(&[3, 4], F),
                Box::new(move || Ok(vec![f(&fa(&[3, 4])?, k)?])),
            ));
            v.push(Case::new(
                name,
                format!("(2,3,4) k={k}"),
                ok(&[2, 3, 4], F),
                Box::new(move || Ok(vec![f(&fa(&[2, 3, 4])?, k)?])),
            ));
            v.push(Case::new(
                name,
                format!("(0,0) k={k}"),
                ok(&[0, 0], F),
                Box::new(move || Ok(vec![f(&fa(&[0, 0])?, k)?])),
            ));
        }
        v.push(Case::new(
            name,
            "(3)",
            E,
            Box::new(move || Ok(vec![f(&fa(&[3])?, 0)?])),
        ));
        v.push(Case::new(
            name,
            "()",
            E,
            Box::new(move || Ok(vec![f(&fa(&[])?, 0)?])),
        ));
    }
    c1!(
        v,
        "mlx_diag",
        "(3) k=0",
        ok(&[3, 3], F),
        o::diag(&fa(&[3])?, 0)
    );
    c1!(
        v,
        "mlx_diag",
        "(3) k=1",
        ok(&[4, 4], F),
        o::diag(&fa(&[3])?, 1)
    );
    c1!(
        v,
        "mlx_diag",
        "(3,4) k=0",
        ok(&[3], F),
        o::diag(&fa(&[3, 4])?, 0)
    );
    c1!(
        v,
        "mlx_diag",
        "(3,4) k=2",
        ok(&[2], F),
        o::diag(&fa(&[3, 4])?, 2)
    );
    c1!(
        v,
        "mlx_diag",
        "(3,4) k=10",
        ok(&[0], F),
        o::diag(&fa(&[3, 4])?, 10)
    );
    c1!(v, "mlx_diag", "(2,2,2)", E, o::diag(&fa(&[2, 2, 2])?, 0));
    c1!(v, "mlx_diag", "()", E, o::diag(&fa(&[])?, 0));
    c1!(
        v,
        "mlx_diagonal",
        "(2,3,4) axes 0,1",
        ok(&[4, 2], F),
        o::diagonal(&fa(&[2, 3, 4])?, 0, 0, 1)
    );
    c1!(
        v,
        "mlx_diagonal",
        "(2,3,4) axes -1,0 offset 1",
        ok(&[3, 1], F),
        o::diagonal(&fa(&[2, 3, 4])?, 1, -1, 0)
    );
    c1!(
        v,
        "mlx_diagonal",
        "axes equal",
        E,
        o::diagonal(&fa(&[2, 3, 4])?, 0, 1, 1)
    );
    c1!(
        v,
        "mlx_diagonal",
        "axis 3",
        E,
        o::diagonal(&fa(&[2, 3, 4])?, 0, 0, 3)
    );
    c1!(
        v,
        "mlx_diagonal",
        "(3)",
        E,
        o::diagonal(&fa(&[3])?, 0, 0, 1)
    );
    for (name, f) in [
        ("mlx_bartlett", o::bartlett as fn(i32) -> Result<Array>),
        ("mlx_blackman", o::blackman),
        ("mlx_hamming", o::hamming),
        ("mlx_hanning", o::hanning),
    ] {
        for m in [0, 1, 2, 7] {
            v.push(Case::new(
                name,
                format!("{m} points"),
                ok(&[m], F),
                Box::new(move || Ok(vec![f(m)?])),
            ));
        }
        // Python: a window of fewer than one point is empty.
        v.push(Case::new(
            name,
            "-1 points",
            ok(&[0], F),
            Box::new(move || Ok(vec![f(-1)?])),
        ));
    }
    cn!(
        v,
        "mlx_meshgrid",
        "(2),(3) xy",
        okm(&[(&[3, 2], F), (&[3, 2], F)]),
        o::meshgrid(&[fa(&[2])?, fa(&[3])?], false, o::MeshgridIndexing::Xy)
    );
    cn!(
        v,
        "mlx_meshgrid",
        "(2),(3) ij sparse",
        okm(&[(&[2, 1], F), (&[1, 3], F)]),
        o::meshgrid(&[fa(&[2])?, fa(&[3])?], true, o::MeshgridIndexing::Ij)
    );
    cn!(
        v,
        "mlx_meshgrid",
        "(0),(3) ij",
        okm(&[(&[0, 3], F), (&[0, 3], F)]),
        o::meshgrid(&[fa(&[0])?, fa(&[3])?], false, o::MeshgridIndexing::Ij)
    );
    cn!(
        v,
        "mlx_meshgrid",
        "(2,2),(3)",
        Expect::OkCount(2),
        o::meshgrid(&[fa(&[2, 2])?, fa(&[3])?], false, o::MeshgridIndexing::Xy)
    );
}

fn shapes(v: &mut Vec<Case>) {
    c1!(
        v,
        "mlx_reshape",
        "(2,3)->(3,2)",
        ok(&[3, 2], F),
        o::reshape(&fa(&[2, 3])?, &[3, 2])
    );
    c1!(
        v,
        "mlx_reshape",
        "(2,3)->(-1)",
        ok(&[6], F),
        o::reshape(&fa(&[2, 3])?, &[-1])
    );
    c1!(
        v,
        "mlx_reshape",
        "(2,0)->(0,5)",
        ok(&[0, 5], F),
        o::reshape(&fa(&[2, 0])?, &[0, 5])
    );
    c1!(
        v,
        "mlx_reshape",
        "transposed view ->(6)",
        ok(&[6], F),
        o::reshape(&fa(&[3, 2])?.transpose()?, &[6])
    );
    c1!(
        v,
        "mlx_reshape",
        "(2,3)->(4,2)",
        E,
        o::reshape(&fa(&[2, 3])?, &[4, 2])
    );
    c1!(
        v,
        "mlx_reshape",
        "(2,3)->(-1,-1)",
        E,
        o::reshape(&fa(&[2, 3])?, &[-1, -1])
    );
    c1!(
        v,
        "mlx_reshape",
        "(2,3)->(-2,-3)",
        E,
        o::reshape(&fa(&[2, 3])?, &[-2, -3])
    );
    c1!(
        v,
        "mlx_reshape",
        "(2,0)->(-1,0)",
        E,
        o::reshape(&fa(&[2, 0])?, &[-1, 0])
    );
    c1!(
        v,
        "mlx_reshape",
        "(6)->(2^16,2^16)",
        E,
        o::reshape(&fa(&[6])?, &[1 << 16, 1 << 16])
    );
    c1!(
        v,
        "mlx_broadcast_to",
        "(1,3)->(2,3)",
        ok(&[2, 3], F),
        o::broadcast_to(&fa(&[1, 3])?, &[2, 3])
    );
    c1!(
        v,
        "mlx_broadcast_to",
        "()->(0,4)",
        ok(&[0, 4], F),
        o::broadcast_to(&fa(&[])?, &[0, 4])
    );
    c1!(
        v,
        "mlx_broadcast_to",
        "(1,3)->(2,4)",
        E,
        o::broadcast_to(&fa(&[1, 3])?, &[2, 4])
    );
    c1!(
        v,
        "mlx_broadcast_to",
        "(3)->(-1)",
        E,
        o::broadcast_to(&fa(&[3])?, &[-1])
    );
    c1!(
        v,
        "mlx_broadcast_to",
        "(2,3)->(3)",
        E,
        o::broadcast_to(&fa(&[2, 3])?, &[3])
    );
    cn!(
        v,
        "mlx_broadcast_arrays",
        "(2,1),(1,3),()",
        okm(&[(&[2, 3], F), (&[2, 3], F), (&[2, 3], F)]),
        o::broadcast_arrays(&[fa(&[2, 1])?, fa(&[1, 3])?, fa(&[])?])
    );
    cn!(
        v,
        "mlx_broadcast_arrays",
        "(2),(3)",
        E,
        o::broadcast_arrays(&[fa(&[2])?, fa(&[3])?])
    );
    also(v, &["broadcast_shapes"]);
    cn!(
        v,
        "mlx_broadcast_arrays",
        "none",
        Expect::OkCount(0),
        o::broadcast_arrays(&[])
    );
    c1!(
        v,
        "mlx_transpose_axes",
        "(2,3,4) [2,0,1]",
        ok(&[4, 2, 3], F),
        o::transpose_axes(&fa(&[2, 3, 4])?, &[2, 0, 1])
    );
    c1!(
        v,
        "mlx_transpose_axes",
        "(2,3) [-1,0]",
        ok(&[3, 2], F),
        o::transpose_axes(&fa(&[2, 3])?, &[-1, 0])
    );
    c1!(
        v,
        "mlx_transpose_axes",
        "[0,0]",
        E,
        o::transpose_axes(&fa(&[2, 3])?, &[0, 0])
    );
    c1!(
        v,
        "mlx_transpose_axes",
        "[0]",
        E,
        o::transpose_axes(&fa(&[2, 3])?, &[0])
    );
    c1!(
        v,
        "mlx_transpose_axes",
        "[0,2]",
        E,
        o::transpose_axes(&fa(&[2, 3])?, &[0, 2])
    );
    c1!(
        v,
        "mlx_transpose_axes",
        "[0,-1] duplicate",
        E,
        o::transpose_axes(&fa(&[2, 2])?, &[1, -1])
    );
    c1!(
        v,
        "mlx_swapaxes",
        "(2,3) 0,1",
        ok(&[3, 2], F),
        o::swapaxes(&fa(&[2, 3])?, 0, 1)
    );
    c1!(
        v,
        "mlx_swapaxes",
        "(2,3,4) -1,0",
        ok(&[4, 3, 2], F),
        o::swapaxes(&fa(&[2, 3, 4])?, -1, 0)
    );
    c1!(
        v,
        "mlx_swapaxes",
        "axis 2",
        E,
        o::swapaxes(&fa(&[2, 3])?, 0, 2)
    );
    c1!(
        v,
        "mlx_swapaxes",
        "axis -3",
        E,
        o::swapaxes(&fa(&[2, 3])?, -3, 0)
    );
    c1!(
        v,
        "mlx_moveaxis",
        "(2,3,4) 0->-1",
        ok(&[3, 4, 2], F),
        o::moveaxis(&fa(&[2, 3, 4])?, 0, -1)
    );
    c1!(
        v,
        "mlx_moveaxis",
        "source 3",
        E,
        o::moveaxis(&fa(&[2, 3, 4])?, 3, 0)
    );
    c1!(
        v,
        "mlx_moveaxis",
        "destination -4",
        E,
        o::moveaxis(&fa(&[2, 3, 4])?, 0, -4)
    );
    c1!(
        v,
        "mlx_squeeze_axes",
        "(1,3,1) [0,2]",
        ok(&[3], F),
        o::squeeze_axes(&fa(&[1, 3, 1])?, &[0, 2])
    );
    c1!(
        v,
        "mlx_squeeze_axes",
        "(1,3,1) [-1]",
        ok(&[1, 3], F),
        o::squeeze_axes(&fa(&[1, 3, 1])?, &[-1])
    );
    c1!(
        v,
        "mlx_squeeze_axes",
        "size-3 axis",
        E,
        o::squeeze_axes(&fa(&[1, 3, 1])?, &[1])
    );
    c1!(
        v,
        "mlx_squeeze_axes",
        "axis 3",
        E,
        o::squeeze_axes(&fa(&[1, 3, 1])?, &[3])
    );
    c1!(
        v,
        "mlx_squeeze_axes",
        "duplicate",
        E,
        o::squeeze_axes(&fa(&[1, 3, 1])?, &[0, 0])
    );
    c1!(
        v,
        "mlx_expand_dims_axes",
        "(3) [0,2]",
        ok(&[1, 3, 1], F),
        o::expand_dims_axes(&fa(&[3])?, &[0, 2])
    );
    c1!(
        v,
        "mlx_expand_dims_axes",
        "() [0,-1]",
        ok(&[1, 1], F),
        o::expand_dims_axes(&fa(&[])?, &[0, -1])
    );
    c1!(
        v,
        "mlx_expand_dims_axes",
        "duplicate",
        E,
        o::expand_dims_axes(&fa(&[3])?, &[0, 0])
    );
    c1!(
        v,
        "mlx_expand_dims_axes",
        "axis 3",
        E,
        o::expand_dims_axes(&fa(&[3])?, &[0, 3])
    );
    c1!(
        v,
        "mlx_flatten",
        "(2,3,4) 0,-1",
        ok(&[24], F),
        o::flatten(&fa(&[2, 3, 4])?, 0, -1)
    );
    c1!(
        v,
        "mlx_flatten",
        "(2,3,4) 1,2",
        ok(&[2, 12], F),
        o::flatten(&fa(&[2, 3, 4])?, 1, 2)
    );
    c1!(
        v,
        "mlx_flatten",
        "() 0,-1",
        ok(&[1], F),
        o::flatten(&fa(&[])?, 0, -1)
    );
    c1!(
        v,
        "mlx_flatten",
        "start after end",
        E,
        o::flatten(&fa(&[2, 3, 4])?, 2, 1)
    );
    c1!(
        v,
        "mlx_flatten",
        "end 3 (clamped)",
        ok(&[24], F),
        o::flatten(&fa(&[2, 3, 4])?, 0, 3)
    );
    c1!(
        v,
        "mlx_unflatten",
        "(6) -> (2,3)",
        ok(&[2, 3], F),
        o::unflatten(&fa(&[6])?, 0, &[2, 3])
    );
    c1!(
        v,
        "mlx_unflatten",
        "(6) -> (-1,3)",
        ok(&[2, 3], F),
        o::unflatten(&fa(&[6])?, 0, &[-1, 3])
    );
    c1!(
        v,
        "mlx_unflatten",
        "(6) -> (4,2)",
        E,
        o::unflatten(&fa(&[6])?, 0, &[4, 2])
    );
    c1!(
        v,
        "mlx_unflatten",
        "axis 1",
        E,
        o::unflatten(&fa(&[6])?, 1, &[2, 3])
    );
    c1!(
        v,
        "mlx_unflatten",
        "empty shape",
        E,
        o::unflatten(&fa(&[6])?, 0, &[] as &[i32])
    );
    c1!(
        v,
        "mlx_flip_axes",
        "(2,3) [0,1]",
        ok(&[2, 3], F),
        o::flip_axes(&fa(&[2, 3])?, &[0, 1])
    );
    c1!(
        v,
        "mlx_flip_axes",
        "(2,3) []",
        ok(&[2, 3], F),
        o::flip_axes(&fa(&[2, 3])?, &[])
    );
    c1!(
        v,
        "mlx_flip_axes",
        "axis 2",
        E,
        o::flip_axes(&fa(&[2, 3])?, &[2])
    );
    c1!(
        v,
        "mlx_roll",
        "(2,3) shift 1",
        ok(&[2, 3], F),
        o::roll(&fa(&[2, 3])?, &[1])
    );
    c1!(
        v,
        "mlx_roll",
        "(0) shift 5",
        ok(&[0], F),
        o::roll(&fa(&[0])?, &[5])
    );
    c1!(
        v,
        "mlx_roll",
        "() shift -1",
        ok(&[], F),
        o::roll(&fa(&[])?, &[-1])
    );
    c1!(
        v,
        "mlx_roll",
        "(2,3) shift i32::MIN",
        ok(&[2, 3], F),
        o::roll(&fa(&[2, 3])?, &[i32::MIN])
    );
    c1!(
        v,
        "mlx_roll_axes",
        "shift [1,2] axes [0,1]",
        ok(&[2, 3], F),
        o::roll_axes(&fa(&[2, 3])?, &[1, 2], &[0, 1])
    );
    c1!(
        v,
        "mlx_roll_axes",
        "(2,0,3) shift [1] axes [1]",
        ok(&[2, 0, 3], F),
        o::roll_axes(&fa(&[2, 0, 3])?, &[1], &[1])
    );
    c1!(
        v,
        "mlx_roll_axes",
        "axis 2",
        E,
        o::roll_axes(&fa(&[2, 3])?, &[1], &[2])
    );
    c1!(
        v,
        "mlx_roll_axes",
        "more shifts than axes: the first ones",
        ok(&[2, 3], F),
        o::roll_axes(&fa(&[2, 3])?, &[1, 2, 3], &[0, 1])
    );
    c1!(
        v,
        "mlx_roll_axes",
        "fewer shifts than axes",
        E,
        o::roll_axes(&fa(&[2, 3, 4])?, &[1, 2], &[0, 1, 2])
    );
    c1!(
        v,
        "mlx_slice",
        "(4,5) [1:3, ::2]",
        ok(&[2, 3], F),
        o::slice(&fa(&[4, 5])?, &[1, 0], &[3, 5], &[1, 2])
    );
    c1!(
        v,
        "mlx_slice",
        "(4,5) reversed rows",
        ok(&[4, 5], F),
        o::slice(&fa(&[4, 5])?, &[-1, 0], &[-5, 5], &[-1, 1])
    );
    c1!(
        v,
        "mlx_slice",
        "past the end clamps",
        ok(&[4, 5], F),
        o::slice(&fa(&[4, 5])?, &[0, 0], &[100, 100], &[1, 1])
    );
    c1!(
        v,
        "mlx_slice",
        "empty range",
        ok(&[0, 5], F),
        o::slice(&fa(&[4, 5])?, &[3, 0], &[1, 5], &[1, 1])
    );
    c1!(
        v,
        "mlx_slice",
        "lengths differ",
        E,
        o::slice(&fa(&[4, 5])?, &[0], &[3, 5], &[1, 1])
    );
    c1!(
        v,
        "mlx_slice",
        "stride 0",
        E,
        o::slice(&fa(&[4, 5])?, &[0, 0], &[3, 5], &[0, 1])
    );
    c1!(
        v,
        "mlx_slice",
        "too many axes",
        E,
        o::slice(&fa(&[4])?, &[0, 0], &[3, 5], &[1, 1])
    );
    c1!(
        v,
        "mlx_view",
        "(2,3) f32 as i32",
        ok(&[2, 3], Dtype::Int32),
        o::view(&fa(&[2, 3])?, Dtype::Int32)
    );
    c1!(
        v,
        "mlx_view",
        "(2,3) f32 as u8",
        ok(&[2, 12], Dtype::Uint8),
        o::view(&fa(&[2, 3])?, Dtype::Uint8)
    );
    c1!(
        v,
        "mlx_view",
        "(2,4) f32 as f64",
        ok(&[2, 2], Dtype::Float64),
        o::view(&fa(&[2, 4])?, Dtype::Float64)
    );
    c1!(
        v,
        "mlx_view",
        "(2,3) f32 as f64",
        E,
        o::view(&fa(&[2, 3])?, Dtype::Float64)
    );
    c1!(
        v,
        "mlx_view",
        "() f32 as f64",
        E,
        o::view(&fa(&[])?, Dtype::Float64)
    );
    c1!(
        v,
        "mlx_view",
        "transposed (4,2) as f64",
        oke(&[2, 2], Dtype::Float64),
        o::view(&fa(&[4, 2])?.transpose()?, Dtype::Float64)
    );
    c1!(
        v,
        "mlx_as_strided",
        "(6) as (2,2) strides (1,1)",
        ok(&[2, 2], F),
        o::as_strided(&fa(&[6])?, &[2, 2], &[1, 1], 0)
    );
    c1!(
        v,
        "mlx_as_strided",
        "(6) as (2,3) strides (3,1)",
        ok(&[2, 3], F),
        o::as_strided(&fa(&[6])?, &[2, 3], &[3, 1], 0)
    );
    c1!(
        v,
        "mlx_as_strided",
        "reads past the end",
        E,
        o::as_strided(&fa(&[6])?, &[10], &[1], 0)
    );
    c1!(
        v,
        "mlx_as_strided",
        "offset past the end",
        E,
        o::as_strided(&fa(&[6])?, &[2], &[1], 6)
    );
    c1!(
        v,
        "mlx_as_strided",
        "negative stride before the start",
        E,
        o::as_strided(&fa(&[6])?, &[3], &[-1], 0)
    );
    c1!(
        v,
        "mlx_as_strided",
        "huge stride",
        E,
        o::as_strided(&fa(&[6])?, &[2], &[i64::MAX / 2], 0)
    );
    c1!(
        v,
        "mlx_as_strided",
        "shape and strides differ",
        E,
        o::as_strided(&fa(&[6])?, &[2, 2], &[1], 0)
    );
    c1!(
        v,
        "mlx_as_strided",
        "negative shape",
        E,
        o::as_strided(&fa(&[6])?, &[-2], &[1], 0)
    );
    c1!(
        v,
        "mlx_concatenate_axis",
        "(2,3)+(1,3) axis 0",
        ok(&[3, 3], F),
        o::concatenate(&[fa(&[2, 3])?, fa(&[1, 3])?], 0)
    );
    c1!(
        v,
        "mlx_concatenate_axis",
        "(2,3)+(2,0) axis -1",
        ok(&[2, 3], F),
        o::concatenate(&[fa(&[2, 3])?, fa(&[2, 0])?], -1)
    );
    c1!(
        v,
        "mlx_concatenate_axis",
        "f32 + i8 promotes",
        ok(&[4], F),
        o::concatenate(&[fa(&[2])?, Array::from_slice(&[1i8, 2], &[2])?], 0)
    );
    c1!(
        v,
        "mlx_concatenate_axis",
        "(2,3)+(2,4) axis 0",
        E,
        o::concatenate(&[fa(&[2, 3])?, fa(&[2, 4])?], 0)
    );
    c1!(
        v,
        "mlx_concatenate_axis",
        "axis 2",
        E,
        o::concatenate(&[fa(&[2, 3])?, fa(&[2, 3])?], 2)
    );
    c1!(
        v,
        "mlx_concatenate_axis",
        "ranks differ",
        E,
        o::concatenate(&[fa(&[2, 3])?, fa(&[3])?], 0)
    );
    c1!(
        v,
        "mlx_concatenate_axis",
        "no arrays",
        E,
        o::concatenate(&[], 0)
    );
    c1!(
        v,
        "mlx_concatenate_axis",
        "scalars",
        E,
        o::concatenate(&[fa(&[])?, fa(&[])?], 0)
    );
    c1!(
        v,
        "mlx_concatenate",
        "(2,3)+(4) flattened",
        ok(&[10], F),
        o::concatenate_flat(&[fa(&[2, 3])?, fa(&[4])?])
    );
    c1!(
        v,
        "mlx_concatenate",
        "no arrays",
        E,
        o::concatenate_flat(&[])
    );
    c1!(
        v,
        "mlx_stack_axis",
        "(2,3)x2 axis 0",
        ok(&[2, 2, 3], F),
        o::stack(&[fa(&[2, 3])?, fa(&[2, 3])?], 0)
    );
    c1!(
        v,
        "mlx_stack_axis",
        "(2,3)x2 axis -1",
        ok(&[2, 3, 2], F),
        o::stack(&[fa(&[2, 3])?, fa(&[2, 3])?], -1)
    );
    c1!(
        v,
        "mlx_stack_axis",
        "scalars",
        ok(&[2], F),
        o::stack(&[fa(&[])?, fa(&[])?], 0)
    );
    c1!(
        v,
        "mlx_stack_axis",
        "shapes differ",
        E,
        o::stack(&[fa(&[2, 3])?, fa(&[3, 2])?], 0)
    );
    c1!(
        v,
        "mlx_stack_axis",
        "axis 3",
        E,
        o::stack(&[fa(&[2, 3])?, fa(&[2, 3])?], 3)
    );
    c1!(v, "mlx_stack_axis", "no arrays", E, o::stack(&[], 0));
    cn!(
        v,
        "mlx_split",
        "(6) in 3",
        okm(&[(&[2], F), (&[2], F), (&[2], F)]),
        o::split(&fa(&[6])?, 3, 0)
    );
    cn!(
        v,
        "mlx_split",
        "(0) in 2",
        okm(&[(&[0], F), (&[0], F)]),
        o::split(&fa(&[0])?, 2, 0)
    );
    cn!(v, "mlx_split", "(6) in 4", E, o::split(&fa(&[6])?, 4, 0));
    cn!(v, "mlx_split", "(6) in 0", E, o::split(&fa(&[6])?, 0, 0));
    cn!(v, "mlx_split", "(6) in -2", E, o::split(&fa(&[6])?, -2, 0));
    cn!(v, "mlx_split", "axis 1", E, o::split(&fa(&[6])?, 2, 1));
    cn!(
        v,
        "mlx_split_sections",
        "(6) at [2,4]",
        okm(&[(&[2], F), (&[2], F), (&[2], F)]),
        o::split_sections(&fa(&[6])?, &[2, 4], 0)
    );
    cn!(
        v,
        "mlx_split_sections",
        "(6) at [4,2]",
        Expect::OkCount(3),
        o::split_sections(&fa(&[6])?, &[4, 2], 0)
    );
    cn!(
        v,
        "mlx_split_sections",
        "(6) at [10]",
        okm(&[(&[6], F), (&[0], F)]),
        o::split_sections(&fa(&[6])?, &[10], 0)
    );
    cn!(
        v,
        "mlx_split_sections",
        "axis -2",
        E,
        o::split_sections(&fa(&[6])?, &[2], -2)
    );
    cn!(
        v,
        "mlx_unstack_axis",
        "(2,3) axis 0",
        okm(&[(&[3], F), (&[3], F)]),
        o::unstack(&fa(&[2, 3])?, 0)
    );
    cn!(
        v,
        "mlx_unstack_axis",
        "(2,0) axis 1",
        Expect::OkCount(0),
        o::unstack(&fa(&[2, 0])?, 1)
    );
    cn!(
        v,
        "mlx_unstack_axis",
        "axis 2",
        E,
        o::unstack(&fa(&[2, 3])?, 2)
    );
    cn!(v, "mlx_unstack_axis", "()", E, o::unstack(&fa(&[])?, 0));
    c1!(
        v,
        "mlx_tile",
        "(2,3) [2,1]",
        ok(&[4, 3], F),
        o::tile(&fa(&[2, 3])?, &[2, 1])
    );
    c1!(
        v,
        "mlx_tile",
        "(2,3) [2]",
        ok(&[2, 6], F),
        o::tile(&fa(&[2, 3])?, &[2])
    );
    c1!(
        v,
        "mlx_tile",
        "(3) [2,2]",
        ok(&[2, 6], F),
        o::tile(&fa(&[3])?, &[2, 2])
    );
    c1!(
        v,
        "mlx_tile",
        "(3) [0]",
        ok(&[0], F),
        o::tile(&fa(&[3])?, &[0])
    );
    c1!(v, "mlx_tile", "(3) [-1]", E, o::tile(&fa(&[3])?, &[-1]));
    also(v, &["broadcast_to"]);
    c1!(
        v,
        "mlx_repeat",
        "(2,3) x2 flattened",
        ok(&[12], F),
        o::repeat(&fa(&[2, 3])?, 2)
    );
    c1!(
        v,
        "mlx_repeat",
        "(2,3) x0",
        ok(&[0], F),
        o::repeat(&fa(&[2, 3])?, 0)
    );
    c1!(
        v,
        "mlx_repeat",
        "(2,3) x-1",
        E,
        o::repeat(&fa(&[2, 3])?, -1)
    );
    c1!(
        v,
        "mlx_pad",
        "(2,3) [(1,1),(0,2)]",
        ok(&[4, 5], F),
        o::pad(&fa(&[2, 3])?, &[(1, 1), (0, 2)], o::PadMode::Constant, None)
    );
    c1!(
        v,
        "mlx_pad",
        "(2,3) edge [(1,1),(1,1)]",
        ok(&[4, 5], F),
        o::pad(&fa(&[2, 3])?, &[(1, 1), (1, 1)], o::PadMode::Edge, None)
    );
    c1!(
        v,
        "mlx_pad",
        "negative",
        E,
        o::pad(
            &fa(&[2, 3])?,
            &[(-1, 0), (0, 0)],
            o::PadMode::Constant,
            None
        )
    );
    c1!(
        v,
        "mlx_pad",
        "widths for 3 axes",
        E,
        o::pad(
            &fa(&[2, 3])?,
            &[(1, 1), (1, 1), (1, 1)],
            o::PadMode::Constant,
            None
        )
    );
    c1!(
        v,
        "mlx_pad",
        "edge of an empty axis",
        oke(&[2, 2], F),
        o::pad(&fa(&[2, 0])?, &[(0, 0), (1, 1)], o::PadMode::Edge, None)
    );
    c1!(
        v,
        "mlx_pad",
        "value not scalar",
        oke(&[4, 5], F),
        o::pad(
            &fa(&[2, 3])?,
            &[(1, 1), (0, 2)],
            o::PadMode::Constant,
            Some(&fa(&[2])?)
        )
    );
    c1!(
        v,
        "mlx_pad",
        "pad_axes axis 5",
        E,
        o::pad_axes(
            &fa(&[2, 3])?,
            &[5],
            &[1],
            &[1],
            &Array::scalar(0.0f32),
            o::PadMode::Constant
        )
    );
    c1!(
        v,
        "mlx_pad",
        "pad_axes (2,3) axis 1",
        ok(&[2, 5], F),
        o::pad_axes(
            &fa(&[2, 3])?,
            &[1],
            &[1],
            &[1],
            &Array::scalar(0.0f32),
            o::PadMode::Constant
        )
    );
    c1!(
        v,
        "mlx_pad_symmetric",
        "(2,3) width 1",
        ok(&[4, 5], F),
        o::pad_symmetric(
            &fa(&[2, 3])?,
            1,
            &Array::scalar(0.0f32),
            o::PadMode::Constant
        )
    );
    c1!(
        v,
        "mlx_pad_symmetric",
        "() width 1",
        ok(&[], F),
        o::pad_symmetric(&fa(&[])?, 1, &Array::scalar(0.0f32), o::PadMode::Constant)
    );
    c1!(
        v,
        "mlx_pad_symmetric",
        "width -1",
        E,
        o::pad_symmetric(
            &fa(&[2, 3])?,
            -1,
            &Array::scalar(0.0f32),
            o::PadMode::Constant
        )
    );
    c1!(
        v,
        "mlx_pad_symmetric",
        "width 2^30",
        E,
        o::pad_symmetric(
            &fa(&[2, 3])?,
            1 << 30,
            &Array::scalar(0.0f32),
            o::PadMode::Constant
        )
    );
    c1!(
        v,
        "mlx_partition",
        "(2,3) kth 1 flattened",
        ok(&[6], F),
        o::partition_flat(&fa(&[2, 3])?, 1)
    );
    c1!(
        v,
        "mlx_partition",
        "(2,3) kth 6",
        E,
        o::partition_flat(&fa(&[2, 3])?, 6)
    );
    c1!(
        v,
        "mlx_partition",
        "(0) kth 0",
        oke(&[0], F),
        o::partition_flat(&fa(&[0])?, 0)
    );
    c1!(
        v,
        "mlx_argpartition",
        "(2,3) kth -1",
        ok(&[6], Dtype::Uint32),
        o::argpartition_flat(&fa(&[2, 3])?, -1)
    );
    c1!(
        v,
        "mlx_argpartition",
        "(2,3) kth -7",
        E,
        o::argpartition_flat(&fa(&[2, 3])?, -7)
    );
    c1!(
        v,
        "mlx_partition_axis",
        "(2,3) kth 3 axis 1",
        E,
        o::partition_axis(&fa(&[2, 3])?, 3, 1)
    );
    c1!(
        v,
        "mlx_argpartition_axis",
        "(2,3) kth 2 axis 0",
        E,
        o::argpartition_axis(&fa(&[2, 3])?, 2, 0)
    );
    c1!(
        v,
        "mlx_topk",
        "(2,3) k 2 flattened",
        ok(&[2], F),
        o::topk_flat(&fa(&[2, 3])?, 2)
    );
    c1!(
        v,
        "mlx_topk",
        "(2,3) k 6",
        ok(&[6], F),
        o::topk_flat(&fa(&[2, 3])?, 6)
    );
    c1!(
        v,
        "mlx_topk",
        "(2,3) k 7",
        E,
        o::topk_flat(&fa(&[2, 3])?, 7)
    );
    c1!(
        v,
        "mlx_topk",
        "(2,3) k -1",
        E,
        o::topk_flat(&fa(&[2, 3])?, -1)
    );
    c1!(
        v,
        "mlx_topk_axis",
        "(2,3) k 4 axis 1",
        E,
        o::topk_axis(&fa(&[2, 3])?, 4, 1)
    );
    c1!(
        v,
        "mlx_softmax_axes",
        "(2,3,4) [0,2]",
        ok(&[2, 3, 4], F),
        o::softmax_axes(&fa(&[2, 3, 4])?, &[0, 2], false)
    );
    c1!(
        v,
        "mlx_softmax_axes",
        "(2,3) []",
        ok(&[2, 3], F),
        o::softmax_axes(&fa(&[2, 3])?, &[], false)
    );
    c1!(
        v,
        "mlx_softmax_axes",
        "(2,3) int32 [1]",
        ok(&[2, 3], F),
        o::softmax_axes(&ia(&[1; 6], &[2, 3])?, &[1], true)
    );
    c1!(
        v,
        "mlx_softmax_axes",
        "axis 2",
        E,
        o::softmax_axes(&fa(&[2, 3])?, &[2], false)
    );
    c1!(
        v,
        "mlx_softmax_axes",
        "duplicate",
        E,
        o::softmax_axes(&fa(&[2, 3])?, &[1, -1], false)
    );
    c1!(
        v,
        "mlx_number_of_elements",
        "(2,3) [0] int32",
        ok(&[], Dtype::Int32),
        o::number_of_elements(&fa(&[2, 3])?, &[0], false, Dtype::Int32)
    );
    c1!(
        v,
        "mlx_number_of_elements",
        "(2,3) [0,1] inverted f32",
        ok(&[], F),
        o::number_of_elements(&fa(&[2, 3])?, &[0, 1], true, F)
    );
    c1!(
        v,
        "mlx_number_of_elements",
        "axis 2 (wraps)",
        ok(&[], Dtype::Int32),
        o::number_of_elements(&fa(&[2, 3])?, &[2], false, Dtype::Int32)
    );
}

fn indexing(v: &mut Vec<Case>) {
    let idx = |v: &[i32]| Array::from_slice(v, &[v.len() as i32]);
    c1!(
        v,
        "mlx_take",
        "(2,3) [0,5] flattened",
        ok(&[2], F),
        o::take(&fa(&[2, 3])?, &idx(&[0, 5])?)
    );
    c1!(
        v,
        "mlx_take",
        "(2,3) [-1] wraps",
        ok(&[1], F),
        o::take(&fa(&[2, 3])?, &idx(&[-1])?)
    );
    c1!(
        v,
        "mlx_take",
        "(2,3) (2,2) indices",
        ok(&[2, 2], F),
        o::take(&fa(&[2, 3])?, &ia(&[0, 1, 2, 3], &[2, 2])?)
    );
    c1!(
        v,
        "mlx_take",
        "(2,3) no indices",
        ok(&[0], F),
        o::take(&fa(&[2, 3])?, &idx(&[])?)
    );
    c1!(
        v,
        "mlx_take",
        "(0) [0]",
        E,
        o::take(&fa(&[0])?, &idx(&[0])?)
    );
    c1!(
        v,
        "mlx_take",
        "float indices",
        E,
        o::take(&fa(&[2, 3])?, &fa(&[2])?)
    );
    c1!(
        v,
        "mlx_take_axis",
        "(2,3) [1] axis 0",
        ok(&[1, 3], F),
        o::take_axis(&fa(&[2, 3])?, &idx(&[1])?, 0)
    );
    c1!(
        v,
        "mlx_take_axis",
        "(2,3) [2,0,2] axis -1",
        ok(&[2, 3], F),
        o::take_axis(&fa(&[2, 3])?, &idx(&[2, 0, 2])?, -1)
    );
    c1!(
        v,
        "mlx_take_axis",
        "axis 2",
        E,
        o::take_axis(&fa(&[2, 3])?, &idx(&[0])?, 2)
    );
    c1!(
        v,
        "mlx_take_axis",
        "(2,0) axis 1",
        E,
        o::take_axis(&fa(&[2, 0])?, &idx(&[0])?, 1)
    );
    c1!(
        v,
        "mlx_take_axis",
        "() axis 0",
        E,
        o::take_axis(&fa(&[])?, &idx(&[0])?, 0)
    );
    c1!(
        v,
        "mlx_take_along_axis",
        "(2,3) (2,1) axis 1",
        ok(&[2, 1], F),
        o::take_along_axis(&fa(&[2, 3])?, &ia(&[0, 2], &[2, 1])?, 1)
    );
    c1!(
        v,
        "mlx_take_along_axis",
        "(2,3) (1,3) axis 0",
        ok(&[1, 3], F),
        o::take_along_axis(&fa(&[2, 3])?, &ia(&[0, 1, 1], &[1, 3])?, 0)
    );
    c1!(
        v,
        "mlx_take_along_axis",
        "ranks differ",
        E,
        o::take_along_axis(&fa(&[2, 3])?, &idx(&[0])?, 1)
    );
    c1!(
        v,
        "mlx_take_along_axis",
        "axis 2",
        E,
        o::take_along_axis(&fa(&[2, 3])?, &ia(&[0, 2], &[2, 1])?, 2)
    );
    c1!(
        v,
        "mlx_take_along_axis",
        "(2,0) axis 1",
        E,
        o::take_along_axis(&fa(&[2, 0])?, &ia(&[0, 0], &[2, 1])?, 1)
    );
    c1!(
        v,
        "mlx_put_along_axis",
        "(2,3) (2,1) axis 1",
        ok(&[2, 3], F),
        o::put_along_axis(&fa(&[2, 3])?, &ia(&[0, 2], &[2, 1])?, &fa(&[2, 1])?, 1)
    );
    c1!(
        v,
        "mlx_put_along_axis",
        "axis 2",
        E,
        o::put_along_axis(&fa(&[2, 3])?, &ia(&[0, 2], &[2, 1])?, &fa(&[2, 1])?, 2)
    );
    c1!(
        v,
        "mlx_put_along_axis",
        "values (3,3)",
        E,
        o::put_along_axis(&fa(&[2, 3])?, &ia(&[0, 2], &[2, 1])?, &fa(&[3, 3])?, 1)
    );
    also(v, &["broadcast"]);
    c1!(
        v,
        "mlx_put_along_axis",
        "(2,0) axis 1",
        E,
        o::put_along_axis(&fa(&[2, 0])?, &ia(&[0, 0], &[2, 1])?, &fa(&[2, 1])?, 1)
    );
    // The `axis=None` forms: the flattened array along its only axis.
    c1!(
        v,
        "mlx_take_along_axis",
        "flat (2,3) [0,5,-1]",
        ok(&[3], F),
        o::take_along_axis_flat(&fa(&[2, 3])?, &ia(&[0, 5, -1], &[3])?)
    );
    c1!(
        v,
        "mlx_take_along_axis",
        "flat () [0]",
        ok(&[1], F),
        o::take_along_axis_flat(&fa(&[])?, &ia(&[0], &[1])?)
    );
    c1!(
        v,
        "mlx_take_along_axis",
        "flat indices (1,1)",
        E,
        o::take_along_axis_flat(&fa(&[2, 3])?, &ia(&[0], &[1, 1])?)
    );
    c1!(
        v,
        "mlx_take_along_axis",
        "flat (0) [0]",
        E,
        o::take_along_axis_flat(&fa(&[0])?, &ia(&[0], &[1])?)
    );
    c1!(
        v,
        "mlx_put_along_axis",
        "flat (2,3) [1,4]",
        ok(&[2, 3], F),
        o::put_along_axis_flat(&fa(&[2, 3])?, &ia(&[1, 4], &[2])?, &fa(&[2])?)
    );
    c1!(
        v,
        "mlx_put_along_axis",
        "flat values (3)",
        E,
        o::put_along_axis_flat(&fa(&[2, 3])?, &ia(&[1, 4], &[2])?, &fa(&[3])?)
    );
    also(v, &["broadcast"]);
    c1!(
        v,
        "mlx_put_along_axis",
        "flat (0) [0]",
        E,
        o::put_along_axis_flat(&fa(&[0])?, &ia(&[0], &[1])?, &fa(&[1])?)
    );
    c1!(
        v,
        "mlx_scatter_add_axis",
        "(2,3) (2,1) axis 1",
        ok(&[2, 3], F),
        o::scatter_add_axis(&fa(&[2, 3])?, &ia(&[0, 2], &[2, 1])?, &fa(&[2, 1])?, 1)
    );
    c1!(
        v,
        "mlx_scatter_add_axis",
        "axis -3",
        E,
        o::scatter_add_axis(&fa(&[2, 3])?, &ia(&[0, 2], &[2, 1])?, &fa(&[2, 1])?, -3)
    );
    c1!(
        v,
        "mlx_scatter_add_axis",
        "(2,0) axis 1",
        E,
        o::scatter_add_axis(&fa(&[2, 0])?, &ia(&[0, 0], &[2, 1])?, &fa(&[2, 1])?, 1)
    );
    c1!(
        v,
        "mlx_gather",
        "(4,5) rows [0,2]",
        ok(&[2, 1, 5], F),
        o::gather(&fa(&[4, 5])?, &[idx(&[0, 2])?], &[0], &[1, 5])
    );
    c1!(
        v,
        "mlx_gather",
        "(4,5) two index arrays",
        ok(&[3, 1, 1], F),
        o::gather(
            &fa(&[4, 5])?,
            &[idx(&[0, 1, 3])?, idx(&[4, 0, 1])?],
            &[0, 1],
            &[1, 1]
        )
    );
    c1!(
        v,
        "mlx_gather",
        "slice sizes too long",
        E,
        o::gather(&fa(&[4, 5])?, &[idx(&[0])?], &[0], &[1, 5, 1])
    );
    c1!(
        v,
        "mlx_gather",
        "slice size past the axis",
        E,
        o::gather(&fa(&[4, 5])?, &[idx(&[0])?], &[0], &[1, 6])
    );
    c1!(
        v,
        "mlx_gather",
        "axes and indices differ",
        E,
        o::gather(&fa(&[4, 5])?, &[idx(&[0])?], &[0, 1], &[1, 1])
    );
    c1!(
        v,
        "mlx_gather",
        "(0,5)",
        E,
        o::gather(&fa(&[0, 5])?, &[idx(&[0])?], &[0], &[1, 5])
    );
    c1!(
        v,
        "mlx_gather_single",
        "(4,5) axis 1",
        ok(&[2, 4, 1], F),
        o::gather_single(&fa(&[4, 5])?, &idx(&[0, 3])?, 1, &[4, 1])
    );
    c1!(
        v,
        "mlx_gather_single",
        "axis 2",
        E,
        o::gather_single(&fa(&[4, 5])?, &idx(&[0])?, 2, &[4, 1])
    );
    type Sc = fn(&Array, &[Array], &Array, &[i32]) -> Result<Array>;
    type Sc1 = fn(&Array, &Array, &Array, i32) -> Result<Array>;
    let scatters: [(&'static str, &'static str, Sc, Sc1); 5] = [
        (
            "mlx_scatter",
            "mlx_scatter_single",
            o::scatter,
            o::scatter_single,
        ),
        (
            "mlx_scatter_add",
            "mlx_scatter_add_single",
            o::scatter_add,
            o::scatter_add_single,
        ),
        (
            "mlx_scatter_prod",
            "mlx_scatter_prod_single",
            o::scatter_prod,
            o::scatter_prod_single,
        ),
        (
            "mlx_scatter_max",
            "mlx_scatter_max_single",
            o::scatter_max,
            o::scatter_max_single,
        ),
        (
            "mlx_scatter_min",
            "mlx_scatter_min_single",
            o::scatter_min,
            o::scatter_min_single,
        ),
    ];
    for (many, single, f, g) in scatters {
        let i2 = move || Array::from_slice(&[0i32, 2], &[2]);
        v.push(Case::new(
            many,
            "(4,5) rows [0,2]",
            ok(&[4, 5], F),
            Box::new(move || Ok(vec![f(&fa(&[4, 5])?, &[i2()?], &fa(&[2, 1, 5])?, &[0])?])),
        ));
        v.push(Case::new(
            many,
            "(4,5) no index arrays",
            oke(&[4, 5], F),
            Box::new(move || Ok(vec![f(&fa(&[4, 5])?, &[], &fa(&[4, 5])?, &[])?])),
        ));
        v.push(Case::new(
            many,
            "updates of the wrong rank",
            E,
            Box::new(move || Ok(vec![f(&fa(&[4, 5])?, &[i2()?], &fa(&[2, 5])?, &[0])?])),
        ));
        v.push(Case::new(
            many,
            "axis 2",
            E,
            Box::new(move || Ok(vec![f(&fa(&[4, 5])?, &[i2()?], &fa(&[2, 1, 5])?, &[2])?])),
        ));
        v.push(Case::new(
            many,
            "(0,5)",
            E,
            Box::new(move || Ok(vec![f(&fa(&[0, 5])?, &[i2()?], &fa(&[2, 1, 5])?, &[0])?])),
        ));
        v.push(Case::new(
            many,
            "float indices",
            E,
            Box::new(move || {
                Ok(vec![f(
                    &fa(&[4, 5])?,
                    &[fa(&[2])?],
                    &fa(&[2, 1, 5])?,
                    &[0],
                )?])
            }),
        ));
        v.push(Case::new(
            single,
            "(4,5) rows [0,2]",
            ok(&[4, 5], F),
            Box::new(move || Ok(vec![g(&fa(&[4, 5])?, &i2()?, &fa(&[2, 1, 5])?, 0)?])),
        ));
        v.push(Case::new(
            single,
            "axis -3",
            E,
            Box::new(move || Ok(vec![g(&fa(&[4, 5])?, &i2()?, &fa(&[2, 1, 5])?, -3)?])),
        ));
        v.push(Case::new(
            single,
            "updates (3,1,5)",
            E,
            Box::new(move || Ok(vec![g(&fa(&[4, 5])?, &i2()?, &fa(&[3, 1, 5])?, 0)?])),
        ));
    }
    c1!(
        v,
        "mlx_masked_scatter",
        "(2,3) mask (2,3) src (6)",
        ok(&[2, 3], F),
        o::masked_scatter(
            &fa(&[2, 3])?,
            &Array::from_slice(&[true, false, true, false, true, true], &[2, 3])?,
            &fa(&[6])?
        )
    );
    c1!(
        v,
        "mlx_masked_scatter",
        "float mask",
        E,
        o::masked_scatter(&fa(&[2, 3])?, &fa(&[2, 3])?, &fa(&[6])?)
    );
    c1!(
        v,
        "mlx_masked_scatter",
        "mask (4)",
        E,
        o::masked_scatter(
            &fa(&[2, 3])?,
            &Array::from_slice(&[true; 4], &[4])?,
            &fa(&[6])?
        )
    );
    also(v, &["broadcast"]);
    c1!(
        v,
        "mlx_slice_dynamic",
        "(4,5) start [1] axis 0 size 2",
        ok(&[2, 5], F),
        o::slice_dynamic(&fa(&[4, 5])?, &idx(&[1])?, &[0], &[2, 5])
    );
    c1!(
        v,
        "mlx_slice_dynamic",
        "axis 3",
        E,
        o::slice_dynamic(&fa(&[4, 5])?, &idx(&[1])?, &[3], &[2, 5])
    );
    c1!(
        v,
        "mlx_slice_dynamic",
        "slice size too long",
        E,
        o::slice_dynamic(&fa(&[4, 5])?, &idx(&[1])?, &[0], &[2, 5, 1])
    );
    c1!(
        v,
        "mlx_slice_dynamic",
        "float start",
        E,
        o::slice_dynamic(&fa(&[4, 5])?, &fa(&[1])?, &[0], &[2, 5])
    );
    c1!(
        v,
        "mlx_slice_update_dynamic",
        "(4,5) (2,5) at [1] axis 0",
        ok(&[4, 5], F),
        o::slice_update_dynamic(&fa(&[4, 5])?, &fa(&[2, 5])?, &idx(&[1])?, &[0])
    );
    c1!(
        v,
        "mlx_slice_update_dynamic",
        "update rank 3",
        E,
        o::slice_update_dynamic(&fa(&[4, 5])?, &fa(&[1, 2, 5])?, &idx(&[1])?, &[0])
    );
    c1!(
        v,
        "mlx_slice_update_dynamic",
        "axis 2",
        E,
        o::slice_update_dynamic(&fa(&[4, 5])?, &fa(&[2, 5])?, &idx(&[1])?, &[2])
    );
    type Su = fn(&Array, &Array, &[i32], &[i32], &[i32]) -> Result<Array>;
    let updates: [(&'static str, Su); 5] = [
        ("mlx_slice_update", o::slice_update),
        ("mlx_slice_update_add", o::slice_update_add),
        ("mlx_slice_update_prod", o::slice_update_prod),
        ("mlx_slice_update_max", o::slice_update_max),
        ("mlx_slice_update_min", o::slice_update_min),
    ];
    for (name, f) in updates {
        v.push(Case::new(
            name,
            "(4,5) rows 1..3",
            ok(&[4, 5], F),
            Box::new(move || {
                Ok(vec![f(
                    &fa(&[4, 5])?,
                    &fa(&[2, 5])?,
                    &[1, 0],
                    &[3, 5],
                    &[1, 1],
                )?])
            }),
        ));
        v.push(Case::new(
            name,
            "(4,5) every other column, broadcast update",
            ok(&[4, 5], F),
            Box::new(move || {
                Ok(vec![f(
                    &fa(&[4, 5])?,
                    &fa(&[3])?,
                    &[0, 0],
                    &[4, 5],
                    &[1, 2],
                )?])
            }),
        ));
        v.push(Case::new(
            name,
            "empty range",
            ok(&[4, 5], F),
            Box::new(move || {
                Ok(vec![f(
                    &fa(&[4, 5])?,
                    &fa(&[0, 5])?,
                    &[2, 0],
                    &[2, 5],
                    &[1, 1],
                )?])
            }),
        ));
        v.push(
            Case::new(
                name,
                "update (3,5) for 2 rows",
                E,
                Box::new(move || {
                    Ok(vec![f(
                        &fa(&[4, 5])?,
                        &fa(&[3, 5])?,
                        &[1, 0],
                        &[3, 5],
                        &[1, 1],
                    )?])
                }),
            )
            .also(&["broadcast"]),
        );
        v.push(Case::new(
            name,
            "lengths differ",
            E,
            Box::new(move || {
                Ok(vec![f(
                    &fa(&[4, 5])?,
                    &fa(&[2, 5])?,
                    &[1],
                    &[3, 5],
                    &[1, 1],
                )?])
            }),
        ));
        v.push(Case::new(
            name,
            "stride 0",
            E,
            Box::new(move || {
                Ok(vec![f(
                    &fa(&[4, 5])?,
                    &fa(&[2, 5])?,
                    &[1, 0],
                    &[3, 5],
                    &[0, 1],
                )?])
            }),
        ));
    }
    c1!(
        v,
        "mlx_where",
        "(2,3) with (3) and ()",
        ok(&[2, 3], F),
        o::r#where(
            &Array::from_slice(&[true, false, true, false, true, true], &[2, 3])?,
            &fa(&[3])?,
            &fa(&[])?
        )
    );
    c1!(
        v,
        "mlx_where",
        "int condition, i8 and f16",
        ok(&[2], Dtype::Float16),
        o::r#where(
            &ia(&[1, 0], &[2])?,
            &Array::from_slice(&[1i8, 2], &[2])?,
            &fa(&[2])?.astype(Dtype::Float16)?
        )
    );
    c1!(
        v,
        "mlx_where",
        "(2,3) with (4)",
        E,
        o::r#where(
            &Array::from_slice(&[true; 6], &[2, 3])?,
            &fa(&[4])?,
            &fa(&[])?
        )
    );
    also(v, &["broadcast_shapes"]);
    c1!(
        v,
        "mlx_where",
        "(0) with (2)",
        E,
        o::r#where(
            &Array::from_slice::<bool>(&[], &[0])?,
            &fa(&[2])?,
            &fa(&[])?
        )
    );
    also(v, &["broadcast_shapes"]);
    c1!(
        v,
        "mlx_searchsorted",
        "(5) for (3)",
        ok(&[3], Dtype::Uint32),
        o::searchsorted(&fa(&[5])?, &fa(&[3])?, o::Side::Left)
    );
    c1!(
        v,
        "mlx_searchsorted",
        "(5) for (2,2) right",
        ok(&[2, 2], Dtype::Uint32),
        o::searchsorted(&fa(&[5])?, &fa(&[2, 2])?, o::Side::Right)
    );
    c1!(
        v,
        "mlx_searchsorted",
        "(0) for (3)",
        oke(&[3], Dtype::Uint32),
        o::searchsorted(&fa(&[0])?, &fa(&[3])?, o::Side::Left)
    );
    c1!(
        v,
        "mlx_searchsorted",
        "(2,3) sequence",
        E,
        o::searchsorted(&fa(&[2, 3])?, &fa(&[3])?, o::Side::Left)
    );
}

fn misc(v: &mut Vec<Case>) {
    c1!(
        v,
        "mlx_clip",
        "(2,3) min 0.5",
        ok(&[2, 3], F),
        o::clip(&fa(&[2, 3])?, Some(&Array::scalar(0.5f32)), None)
    );
    c1!(
        v,
        "mlx_clip",
        "(2,3) max (3)",
        ok(&[2, 3], F),
        o::clip(&fa(&[2, 3])?, None, Some(&fa(&[3])?))
    );
    c1!(
        v,
        "mlx_clip",
        "(2,3) int8 min/max",
        ok(&[2, 3], Dtype::Int8),
        o::clip(
            &fa(&[2, 3])?.astype(Dtype::Int8)?,
            Some(&Array::from_slice(&[0i8], &[1])?),
            Some(&Array::from_slice(&[1i8], &[1])?)
        )
    );
    c1!(
        v,
        "mlx_clip",
        "neither bound",
        E,
        o::clip(&fa(&[2, 3])?, None, None)
    );
    c1!(
        v,
        "mlx_clip",
        "min (4)",
        E,
        o::clip(&fa(&[2, 3])?, Some(&fa(&[4])?), None)
    );
    also(v, &["broadcast_shapes"]);
    c1!(
        v,
        "mlx_allclose",
        "(2,3) (3)",
        ok(&[], Dtype::Bool),
        o::allclose(&fa(&[2, 3])?, &fa(&[3])?, 1e-5, 1e-8, true)
    );
    c1!(
        v,
        "mlx_allclose",
        "empty",
        ok(&[], Dtype::Bool),
        o::allclose(&fa(&[0])?, &fa(&[0])?, 1e-5, 1e-8, false)
    );
    c1!(
        v,
        "mlx_allclose",
        "(2,3) (4)",
        E,
        o::allclose(&fa(&[2, 3])?, &fa(&[4])?, 1e-5, 1e-8, false)
    );
    also(v, &["broadcast_shapes"]);
    c1!(
        v,
        "mlx_array_equal",
        "(2,3) (2,3)",
        ok(&[], Dtype::Bool),
        o::array_equal(&fa(&[2, 3])?, &fa(&[2, 3])?, false)
    );
    c1!(
        v,
        "mlx_array_equal",
        "(2,3) (3,2): not equal, no error",
        ok(&[], Dtype::Bool),
        o::array_equal(&fa(&[2, 3])?, &fa(&[3, 2])?, false)
    );
    c1!(
        v,
        "mlx_array_equal",
        "f32 and i32",
        ok(&[], Dtype::Bool),
        o::array_equal(&fa(&[2])?, &ia(&[0, 1], &[2])?, true)
    );
    cn!(
        v,
        "mlx_depends",
        "two inputs on one",
        okm(&[(&[2], F), (&[3], F)]),
        o::depends(&[fa(&[2])?, fa(&[3])?], &[fa(&[4])?])
    );
    cn!(
        v,
        "mlx_depends",
        "no dependencies",
        Expect::OkCount(1),
        o::depends(&[fa(&[2])?], &[])
    );
    cn!(
        v,
        "mlx_depends",
        "no inputs",
        E,
        o::depends(&[], &[fa(&[2])?])
    );
}

fn conv(v: &mut Vec<Case>) {
    use o::{
        Conv1dOptions as C1, Conv2dOptions as C2, Conv3dOptions as C3, ConvGeneralOptions as CG,
        ConvTranspose1dOptions as T1, ConvTranspose2dOptions as T2, ConvTranspose3dOptions as T3,
    };
    c1!(
        v,
        "mlx_conv1d",
        "(1,5,2)*(4,3,2)",
        ok(&[1, 3, 4], F),
        o::conv1d(&fa(&[1, 5, 2])?, &fa(&[4, 3, 2])?, C1::default())
    );
    c1!(
        v,
        "mlx_conv1d",
        "stride 2 padding 1",
        ok(&[1, 3, 4], F),
        o::conv1d(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            C1 {
                stride: 2,
                padding: 1,
                ..C1::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv1d",
        "zero batch",
        ok(&[0, 3, 4], F),
        o::conv1d(&fa(&[0, 5, 2])?, &fa(&[4, 3, 2])?, C1::default())
    );
    c1!(
        v,
        "mlx_conv1d",
        "channels differ",
        E,
        o::conv1d(&fa(&[1, 5, 3])?, &fa(&[4, 3, 2])?, C1::default())
    );
    c1!(
        v,
        "mlx_conv1d",
        "rank 2 input",
        E,
        o::conv1d(&fa(&[5, 2])?, &fa(&[4, 3, 2])?, C1::default())
    );
    c1!(
        v,
        "mlx_conv1d",
        "stride 0",
        E,
        o::conv1d(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            C1 {
                stride: 0,
                ..C1::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv1d",
        "dilation 0",
        E,
        o::conv1d(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            C1 {
                dilation: 0,
                ..C1::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv1d",
        "groups 0",
        E,
        o::conv1d(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            C1 {
                groups: 0,
                ..C1::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv1d",
        "groups 3 of 2 channels",
        E,
        o::conv1d(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            C1 {
                groups: 3,
                ..C1::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv1d",
        "kernel longer than input",
        E,
        o::conv1d(&fa(&[1, 2, 2])?, &fa(&[4, 3, 2])?, C1::default())
    );
    c1!(
        v,
        "mlx_conv1d",
        "negative padding",
        E,
        o::conv1d(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            C1 {
                padding: -5,
                ..C1::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv1d",
        "int32",
        E,
        o::conv1d(
            &ia(&[1; 10], &[1, 5, 2])?,
            &ia(&[1; 24], &[4, 3, 2])?,
            C1::default()
        )
    );
    c1!(
        v,
        "mlx_conv2d",
        "(1,5,5,2)*(4,3,3,2)",
        ok(&[1, 3, 3, 4], F),
        o::conv2d(&fa(&[1, 5, 5, 2])?, &fa(&[4, 3, 3, 2])?, C2::default())
    );
    c1!(
        v,
        "mlx_conv2d",
        "stride (0,1)",
        E,
        o::conv2d(
            &fa(&[1, 5, 5, 2])?,
            &fa(&[4, 3, 3, 2])?,
            C2 {
                stride: (0, 1),
                ..C2::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv2d",
        "channels differ",
        E,
        o::conv2d(&fa(&[1, 5, 5, 3])?, &fa(&[4, 3, 3, 2])?, C2::default())
    );
    c1!(
        v,
        "mlx_conv2d",
        "rank 3 input",
        E,
        o::conv2d(&fa(&[5, 5, 2])?, &fa(&[4, 3, 3, 2])?, C2::default())
    );
    c1!(
        v,
        "mlx_conv3d",
        "(1,4,4,4,2)*(4,3,3,3,2)",
        ok(&[1, 2, 2, 2, 4], F),
        o::conv3d(
            &fa(&[1, 4, 4, 4, 2])?,
            &fa(&[4, 3, 3, 3, 2])?,
            C3::default()
        )
    );
    c1!(
        v,
        "mlx_conv3d",
        "stride (1,0,1)",
        E,
        o::conv3d(
            &fa(&[1, 4, 4, 4, 2])?,
            &fa(&[4, 3, 3, 3, 2])?,
            C3 {
                stride: (1, 0, 1),
                ..C3::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv3d",
        "channels differ",
        E,
        o::conv3d(
            &fa(&[1, 4, 4, 4, 1])?,
            &fa(&[4, 3, 3, 3, 2])?,
            C3::default()
        )
    );
    c1!(
        v,
        "mlx_conv_transpose1d",
        "(1,5,2)*(4,3,2)",
        ok(&[1, 7, 4], F),
        o::conv_transpose1d(&fa(&[1, 5, 2])?, &fa(&[4, 3, 2])?, T1::default())
    );
    c1!(
        v,
        "mlx_conv_transpose1d",
        "stride 0",
        E,
        o::conv_transpose1d(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            T1 {
                stride: 0,
                ..T1::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv_transpose1d",
        "channels differ",
        E,
        o::conv_transpose1d(&fa(&[1, 5, 3])?, &fa(&[4, 3, 2])?, T1::default())
    );
    c1!(
        v,
        "mlx_conv_transpose2d",
        "(1,5,5,2)*(4,3,3,2)",
        ok(&[1, 7, 7, 4], F),
        o::conv_transpose2d(&fa(&[1, 5, 5, 2])?, &fa(&[4, 3, 3, 2])?, T2::default())
    );
    c1!(
        v,
        "mlx_conv_transpose2d",
        "channels differ",
        E,
        o::conv_transpose2d(&fa(&[1, 5, 5, 1])?, &fa(&[4, 3, 3, 2])?, T2::default())
    );
    c1!(
        v,
        "mlx_conv_transpose3d",
        "(1,4,4,4,2)*(4,3,3,3,2)",
        ok(&[1, 6, 6, 6, 4], F),
        o::conv_transpose3d(
            &fa(&[1, 4, 4, 4, 2])?,
            &fa(&[4, 3, 3, 3, 2])?,
            T3::default()
        )
    );
    c1!(
        v,
        "mlx_conv_transpose3d",
        "rank 4 input",
        E,
        o::conv_transpose3d(&fa(&[4, 4, 4, 2])?, &fa(&[4, 3, 3, 3, 2])?, T3::default())
    );
    c1!(
        v,
        "mlx_conv_general",
        "(1,5,2)*(4,3,2)",
        ok(&[1, 3, 4], F),
        o::conv_general(&fa(&[1, 5, 2])?, &fa(&[4, 3, 2])?, CG::default())
    );
    c1!(
        v,
        "mlx_conv_general",
        "flip, input dilation 2",
        ok(&[1, 7, 4], F),
        o::conv_general(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            CG {
                input_dilation: &[2],
                flip: true,
                ..CG::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv_general",
        "stride 0",
        E,
        o::conv_general(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            CG {
                stride: &[0],
                ..CG::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv_general",
        "stride for two axes",
        E,
        o::conv_general(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            CG {
                stride: &[1, 1],
                ..CG::default()
            }
        )
    );
    c1!(
        v,
        "mlx_conv_general",
        "input dilation 0",
        E,
        o::conv_general(
            &fa(&[1, 5, 2])?,
            &fa(&[4, 3, 2])?,
            CG {
                input_dilation: &[0],
                ..CG::default()
            }
        )
    );
}

fn quant(v: &mut Vec<Case>) {
    use o::{QuantizationMode as M, QuantizeOptions as Q};
    let u = Dtype::Uint32;
    cn!(
        v,
        "mlx_quantize",
        "(64,64) affine",
        okm(&[(&[64, 8], u), (&[64, 1], F), (&[64, 1], F)]),
        {
            let (w, s, b) = o::quantize(&fa(&[64, 64])?, Q::default(), None)?;
            Ok([Some(w), Some(s), b].into_iter().flatten().collect())
        }
    );
    cn!(v, "mlx_quantize", "(64,63)", E, {
        let (w, s, b) = o::quantize(&fa(&[64, 63])?, Q::default(), None)?;
        Ok([Some(w), Some(s), b].into_iter().flatten().collect())
    });
    cn!(v, "mlx_quantize", "(64)", E, {
        let (w, s, b) = o::quantize(&fa(&[64])?, Q::default(), None)?;
        Ok([Some(w), Some(s), b].into_iter().flatten().collect())
    });
    cn!(v, "mlx_quantize", "bits 7", E, {
        let (w, s, b) = o::quantize(
            &fa(&[64, 64])?,
            Q {
                bits: Some(7),
                ..Q::default()
            },
            None,
        )?;
        Ok([Some(w), Some(s), b].into_iter().flatten().collect())
    });
    cn!(v, "mlx_quantize", "group size 0", E, {
        let (w, s, b) = o::quantize(
            &fa(&[64, 64])?,
            Q {
                group_size: Some(0),
                ..Q::default()
            },
            None,
        )?;
        Ok([Some(w), Some(s), b].into_iter().flatten().collect())
    });
    cn!(v, "mlx_quantize", "int32 weights", E, {
        let (w, s, b) = o::quantize(&ia(&[1; 128], &[2, 64])?, Q::default(), None)?;
        Ok([Some(w), Some(s), b].into_iter().flatten().collect())
    });
    cn!(v, "mlx_quantize", "(64,64) mxfp4", Expect::OkCount(2), {
        let (w, s, b) = o::quantize(&fa(&[64, 64])?, Q::new(M::Mxfp4), None)?;
        Ok([Some(w), Some(s), b].into_iter().flatten().collect())
    });
    c1!(
        v,
        "mlx_dequantize",
        "round trip (64,64)",
        ok(&[64, 64], F),
        {
            let (w, s, b) = o::quantize(&fa(&[64, 64])?, Q::default(), None)?;
            o::dequantize(&w, &s, b.as_ref(), Q::default(), None, None)
        }
    );
    c1!(v, "mlx_dequantize", "scales of the wrong shape", E, {
        let (w, _, b) = o::quantize(&fa(&[64, 64])?, Q::default(), None)?;
        o::dequantize(&w, &fa(&[3, 1])?, b.as_ref(), Q::default(), None, None)
    });
    c1!(
        v,
        "mlx_dequantize",
        "float weights",
        E,
        o::dequantize(
            &fa(&[64, 8])?,
            &fa(&[64, 1])?,
            Some(&fa(&[64, 1])?),
            Q::default(),
            None,
            None
        )
    );
    c1!(
        v,
        "mlx_quantized_matmul",
        "(2,64)x(32,64)^T",
        ok(&[2, 32], F),
        {
            let (w, s, b) = o::quantize(&fa(&[32, 64])?, Q::default(), None)?;
            o::quantized_matmul(&fa(&[2, 64])?, &w, &s, b.as_ref(), true, Q::default())
        }
    );
    c1!(v, "mlx_quantized_matmul", "inner sizes differ", E, {
        let (w, s, b) = o::quantize(&fa(&[32, 64])?, Q::default(), None)?;
        o::quantized_matmul(&fa(&[2, 32])?, &w, &s, b.as_ref(), true, Q::default())
    });
    c1!(v, "mlx_gather_qmm", "(2,64)x(32,64)^T", ok(&[2, 32], F), {
        let (w, s, b) = o::quantize(&fa(&[32, 64])?, Q::default(), None)?;
        o::gather_qmm(
            &fa(&[2, 64])?,
            &w,
            &s,
            b.as_ref(),
            None,
            None,
            true,
            Q::default(),
            false,
        )
    });
    c1!(v, "mlx_gather_qmm", "inner sizes differ", E, {
        let (w, s, b) = o::quantize(&fa(&[32, 64])?, Q::default(), None)?;
        o::gather_qmm(
            &fa(&[2, 48])?,
            &w,
            &s,
            b.as_ref(),
            None,
            None,
            true,
            Q::default(),
            false,
        )
    });
    // nvfp4 x nvfp4 is not implemented on the CPU in MLX 0.32 ("NYI"): an Err, or a result.
    c1!(
        v,
        "mlx_qqmm",
        "(4,64)x(8,64)",
        oke(&[4, 8], F),
        o::qqmm(
            &fa(&[4, 64])?,
            &fa(&[8, 64])?,
            None,
            Q::new(M::Nvfp4),
            None,
            None
        )
    );
    also(v, &["QQMatmul"]);
    c1!(
        v,
        "mlx_qqmm",
        "inner sizes differ",
        E,
        o::qqmm(
            &fa(&[4, 64])?,
            &fa(&[8, 32])?,
            None,
            Q::new(M::Nvfp4),
            None,
            None
        )
    );
    also(v, &["QQMatmul"]);
    c1!(
        v,
        "mlx_gather_qqmm",
        "(4,64)x(8,64)",
        oke(&[4, 8], F),
        o::gather_qqmm(
            &fa(&[4, 64])?,
            &fa(&[8, 64])?,
            None,
            None,
            None,
            Q::new(M::Nvfp4),
            None,
            None,
            false
        )
    );
    also(v, &["QQMatmul", "qqmm"]);
    c1!(
        v,
        "mlx_gather_qqmm",
        "(4) x",
        E,
        o::gather_qqmm(
            &fa(&[4])?,
            &fa(&[8, 64])?,
            None,
            None,
            None,
            Q::new(M::Nvfp4),
            None,
            None,
            false
        )
    );
    also(v, &["QQMatmul", "qqmm"]);
    c1!(
        v,
        "mlx_to_fp8",
        "(2,3)",
        ok(&[2, 3], Dtype::Uint8),
        o::to_fp8(&fa(&[2, 3])?)
    );
    c1!(
        v,
        "mlx_to_fp8",
        "(0)",
        ok(&[0], Dtype::Uint8),
        o::to_fp8(&fa(&[0])?)
    );
    c1!(
        v,
        "mlx_to_fp8",
        "NaN/inf",
        ok(&[8], Dtype::Uint8),
        o::to_fp8(&crate::cases::values(F, 8)?)
    );
    c1!(
        v,
        "mlx_from_fp8",
        "(2,3) to f16",
        ok(&[2, 3], Dtype::Float16),
        o::from_fp8(&o::to_fp8(&fa(&[2, 3])?)?, Dtype::Float16)
    );
    c1!(
        v,
        "mlx_from_fp8",
        "from float32",
        E,
        o::from_fp8(&fa(&[2, 3])?, Dtype::Float16)
    );
    c1!(
        v,
        "mlx_from_fp8",
        "to int32",
        E,
        o::from_fp8(&o::to_fp8(&fa(&[2, 3])?)?, Dtype::Int32)
    );
}

fn linalg_cases(v: &mut Vec<Case>) {
    type L1 = fn(&Array) -> Result<Array>;
    let square: [(&'static str, L1, &'static [i32]); 4] = [
        ("mlx_linalg_inv", linalg::inv, &[3, 3]),
        ("mlx_linalg_pinv", linalg::pinv, &[3, 3]),
        ("mlx_linalg_det", linalg::det, &[]),
        ("mlx_linalg_eigvals", linalg::eigvals, &[3]),
    ];
    for (name, f, out) in square {
        let want_d = if name == "mlx_linalg_eigvals" {
            Dtype::Complex64
        } else {
            F
        };
        v.push(Case::new(
            name,
            "(3,3)",
            ok(out, want_d),
            Box::new(move || Ok(vec![f(&spd(3)?)?])),
        ));
        let mut batch = vec![2];
        batch.extend_from_slice(out);
        v.push(Case::new(
            name,
            "(2,3,3)",
            ok(&batch, want_d),
            Box::new(move || Ok(vec![f(&o::broadcast_to(&spd(3)?, &[2, 3, 3])?)?])),
        ));
        v.push(Case::new(
            name,
            "(3)",
            E,
            Box::new(move || Ok(vec![f(&fa(&[3])?)?])),
        ));
        // det computes in float32 from any input (MLX); the others refuse integers.
        let int_in = if name == "mlx_linalg_det" {
            oke(out, F)
        } else {
            E
        };
        v.push(Case::new(
            name,
            "int32 (3,3)",
            int_in,
            Box::new(move || Ok(vec![f(&o::eye(3, 3, 0, Dtype::Int32)?)?])),
        ));
        v.push(Case::new(
            name,
            "() ",
            E,
            Box::new(move || Ok(vec![f(&fa(&[])?)?])),
        ));
        if name != "mlx_linalg_pinv" {
            v.push(Case::new(
                name,
                "(2,3)",
                E,
                Box::new(move || Ok(vec![f(&fa(&[2, 3])?)?])),
            ));
        }
    }
    c1!(
        v,
        "mlx_linalg_pinv",
        "(2,3)",
        ok(&[3, 2], F),
        linalg::pinv(&fa(&[2, 3])?)
    );
    c1!(
        v,
        "mlx_linalg_inv",
        "(0,0)",
        oke(&[0, 0], F),
        linalg::inv(&fa(&[0, 0])?)
    );
    c1!(
        v,
        "mlx_linalg_inv",
        "(3,3) f64",
        oke(&[3, 3], Dtype::Float64),
        linalg::inv(&spd(3)?.astype(Dtype::Float64)?)
    );
    c1!(
        v,
        "mlx_linalg_inv",
        "singular",
        oke(&[3, 3], F),
        linalg::inv(&o::zeros(&[3, 3], F)?)
    );
    c1!(
        v,
        "mlx_linalg_inv",
        "NaN",
        oke(&[2, 2], F),
        linalg::inv(&crate::cases::values(F, 4)?.reshape(&[2, 2])?)
    );
    type Tri = fn(&Array, bool) -> Result<Array>;
    for (name, f) in [
        ("mlx_linalg_cholesky", linalg::cholesky as Tri),
        ("mlx_linalg_cholesky_inv", linalg::cholesky_inv),
        ("mlx_linalg_tri_inv", linalg::tri_inv),
    ] {
        for upper in [false, true] {
            v.push(Case::new(
                name,
                format!("(3,3) upper={upper}"),
                ok(&[3, 3], F),
                Box::new(move || Ok(vec![f(&spd(3)?, upper)?])),
            ));
        }
        v.push(Case::new(
            name,
            "(2,3)",
            E,
            Box::new(move || Ok(vec![f(&fa(&[2, 3])?, false)?])),
        ));
        v.push(Case::new(
            name,
            "(3)",
            E,
            Box::new(move || Ok(vec![f(&fa(&[3])?, false)?])),
        ));
        v.push(Case::new(
            name,
            "int32",
            E,
            Box::new(move || Ok(vec![f(&o::eye(3, 3, 0, Dtype::Int32)?, false)?])),
        ));
    }
    cn!(
        v,
        "mlx_linalg_qr",
        "(2,3)",
        okm(&[(&[2, 2], F), (&[2, 3], F)]),
        {
            let (q, r) = linalg::qr(&fa(&[2, 3])?)?;
            Ok(vec![q, r])
        }
    );
    cn!(
        v,
        "mlx_linalg_qr",
        "(3,2)",
        okm(&[(&[3, 2], F), (&[2, 2], F)]),
        {
            let (q, r) = linalg::qr(&fa(&[3, 2])?)?;
            Ok(vec![q, r])
        }
    );
    cn!(v, "mlx_linalg_qr", "(3)", E, {
        let (q, r) = linalg::qr(&fa(&[3])?)?;
        Ok(vec![q, r])
    });
    cn!(v, "mlx_linalg_qr", "int32", E, {
        let (q, r) = linalg::qr(&o::eye(3, 3, 0, Dtype::Int32)?)?;
        Ok(vec![q, r])
    });
    cn!(
        v,
        "mlx_linalg_svd",
        "(2,3)",
        okm(&[(&[2, 2], F), (&[2], F), (&[3, 3], F)]),
        linalg::svd(&fa(&[2, 3])?, true)
    );
    cn!(
        v,
        "mlx_linalg_svd",
        "(2,3) values only",
        okm(&[(&[2], F)]),
        linalg::svd(&fa(&[2, 3])?, false)
    );
    cn!(v, "mlx_linalg_svd", "(3)", E, linalg::svd(&fa(&[3])?, true));
    cn!(
        v,
        "mlx_linalg_svd",
        "int32",
        E,
        linalg::svd(&o::eye(3, 3, 0, Dtype::Int32)?, true)
    );
    let c = Dtype::Complex64;
    cn!(
        v,
        "mlx_linalg_eig",
        "(3,3)",
        okm(&[(&[3], c), (&[3, 3], c)]),
        {
            let (w, q) = linalg::eig(&spd(3)?)?;
            Ok(vec![w, q])
        }
    );
    cn!(v, "mlx_linalg_eig", "(2,3)", E, {
        let (w, q) = linalg::eig(&fa(&[2, 3])?)?;
        Ok(vec![w, q])
    });
    cn!(
        v,
        "mlx_linalg_eigh",
        "(3,3) L",
        okm(&[(&[3], F), (&[3, 3], F)]),
        {
            let (w, q) = linalg::eigh(&spd(3)?, "L")?;
            Ok(vec![w, q])
        }
    );
    cn!(v, "mlx_linalg_eigh", "(2,3)", E, {
        let (w, q) = linalg::eigh(&fa(&[2, 3])?, "L")?;
        Ok(vec![w, q])
    });
    cn!(v, "mlx_linalg_eigh", "uplo X", Expect::OkCount(2), {
        let (w, q) = linalg::eigh(&spd(3)?, "X")?;
        Ok(vec![w, q])
    });
    c1!(
        v,
        "mlx_linalg_eigvalsh",
        "(3,3) U",
        ok(&[3], F),
        linalg::eigvalsh(&spd(3)?, "U")
    );
    c1!(
        v,
        "mlx_linalg_eigvalsh",
        "(3)",
        E,
        linalg::eigvalsh(&fa(&[3])?, "U")
    );
    c1!(
        v,
        "mlx_linalg_eigvalsh",
        "uplo empty",
        oke(&[3], F),
        linalg::eigvalsh(&spd(3)?, "")
    );
    let u = Dtype::Uint32;
    cn!(
        v,
        "mlx_linalg_lu",
        "(3,3)",
        okm(&[(&[3], u), (&[3, 3], F), (&[3, 3], F)]),
        {
            let (p, l, r) = linalg::lu(&spd(3)?)?;
            Ok(vec![p, l, r])
        }
    );
    cn!(v, "mlx_linalg_lu", "(3)", E, {
        let (p, l, r) = linalg::lu(&fa(&[3])?)?;
        Ok(vec![p, l, r])
    });
    cn!(
        v,
        "mlx_linalg_lu_factor",
        "(3,3)",
        okm(&[(&[3, 3], F), (&[3], u)]),
        {
            let (a, p) = linalg::lu_factor(&spd(3)?)?;
            Ok(vec![a, p])
        }
    );
    cn!(v, "mlx_linalg_lu_factor", "int32", E, {
        let (a, p) = linalg::lu_factor(&o::eye(3, 3, 0, Dtype::Int32)?)?;
        Ok(vec![a, p])
    });
    cn!(
        v,
        "mlx_linalg_slogdet",
        "(3,3)",
        okm(&[(&[], F), (&[], F)]),
        {
            let (s, l) = linalg::slogdet(&spd(3)?)?;
            Ok(vec![s, l])
        }
    );
    cn!(v, "mlx_linalg_slogdet", "(2,3)", E, {
        let (s, l) = linalg::slogdet(&fa(&[2, 3])?)?;
        Ok(vec![s, l])
    });
    c1!(
        v,
        "mlx_linalg_solve",
        "(3,3) (3)",
        ok(&[3], F),
        linalg::solve(&spd(3)?, &fa(&[3])?)
    );
    c1!(
        v,
        "mlx_linalg_solve",
        "(3,3) (3,2)",
        ok(&[3, 2], F),
        linalg::solve(&spd(3)?, &fa(&[3, 2])?)
    );
    c1!(
        v,
        "mlx_linalg_solve",
        "(3,3) (4)",
        E,
        linalg::solve(&spd(3)?, &fa(&[4])?)
    );
    c1!(
        v,
        "mlx_linalg_solve",
        "(2,3) (2)",
        E,
        linalg::solve(&fa(&[2, 3])?, &fa(&[2])?)
    );
    c1!(
        v,
        "mlx_linalg_solve_triangular",
        "(3,3) (3)",
        ok(&[3], F),
        linalg::solve_triangular(&spd(3)?, &fa(&[3])?, true)
    );
    c1!(
        v,
        "mlx_linalg_solve_triangular",
        "(3,3) (4)",
        E,
        linalg::solve_triangular(&spd(3)?, &fa(&[4])?, false)
    );
    c1!(
        v,
        "mlx_linalg_cross",
        "(3) x (3)",
        ok(&[3], F),
        linalg::cross(&fa(&[3])?, &fa(&[3])?, -1)
    );
    c1!(
        v,
        "mlx_linalg_cross",
        "(2,3) x (3)",
        ok(&[2, 3], F),
        linalg::cross(&fa(&[2, 3])?, &fa(&[3])?, -1)
    );
    c1!(
        v,
        "mlx_linalg_cross",
        "(2) x (2)",
        ok(&[3], F),
        linalg::cross(&fa(&[2])?, &fa(&[2])?, -1)
    );
    c1!(
        v,
        "mlx_linalg_cross",
        "axis 1 of 1-d",
        E,
        linalg::cross(&fa(&[3])?, &fa(&[3])?, 1)
    );
    use linalg::NormOrd;
    c1!(
        v,
        "mlx_linalg_norm_l2",
        "(2,3)",
        ok(&[], F),
        linalg::norm(&fa(&[2, 3])?, None, None, false)
    );
    c1!(
        v,
        "mlx_linalg_norm_l2",
        "(2,3) axis [1] keepdims",
        ok(&[2, 1], F),
        linalg::norm(&fa(&[2, 3])?, None, Some(&[1]), true)
    );
    c1!(
        v,
        "mlx_linalg_norm_l2",
        "(0)",
        ok(&[], F),
        linalg::norm(&fa(&[0])?, None, None, false)
    );
    c1!(
        v,
        "mlx_linalg_norm_l2",
        "axis [2]",
        E,
        linalg::norm(&fa(&[2, 3])?, None, Some(&[2]), false)
    );
    c1!(
        v,
        "mlx_linalg_norm_l2",
        "three axes",
        E,
        linalg::norm(&fa(&[2, 3, 4])?, None, Some(&[0, 1, 2]), false)
    );
    c1!(
        v,
        "mlx_linalg_norm",
        "(2,3) ord 1 axis [1]",
        ok(&[2], F),
        linalg::norm(&fa(&[2, 3])?, Some(NormOrd::P(1.0)), Some(&[1]), false)
    );
    c1!(
        v,
        "mlx_linalg_norm",
        "(3) ord inf",
        ok(&[], F),
        linalg::norm(&fa(&[3])?, Some(NormOrd::P(f64::INFINITY)), None, false)
    );
    c1!(
        v,
        "mlx_linalg_norm",
        "(3) ord NaN",
        oke(&[], F),
        linalg::norm(&fa(&[3])?, Some(NormOrd::P(f64::NAN)), None, false)
    );
    c1!(
        v,
        "mlx_linalg_norm",
        "(2,3,4) ord 2 without axes",
        E,
        linalg::norm(&fa(&[2, 3, 4])?, Some(NormOrd::P(2.0)), None, false)
    );
    c1!(
        v,
        "mlx_linalg_norm",
        "(2,3) ord 3 over both axes",
        E,
        linalg::norm(&fa(&[2, 3])?, Some(NormOrd::P(3.0)), Some(&[0, 1]), false)
    );
    c1!(
        v,
        "mlx_linalg_norm_matrix",
        "(2,3) fro",
        ok(&[], F),
        linalg::norm(&fa(&[2, 3])?, Some(NormOrd::Fro), None, false)
    );
    c1!(
        v,
        "mlx_linalg_norm_matrix",
        "(3) fro",
        E,
        linalg::norm(&fa(&[3])?, Some(NormOrd::Fro), None, false)
    );
    c1!(
        v,
        "mlx_linalg_norm_matrix",
        "(2,3,4) fro axes [0,2]",
        ok(&[3], F),
        linalg::norm(&fa(&[2, 3, 4])?, Some(NormOrd::Fro), Some(&[0, 2]), false)
    );
}

fn fft_cases(v: &mut Vec<Case>) {
    use fft::FftNorm as N;
    let c = Dtype::Complex64;
    type F1 = fn(&Array, Option<i32>, i32, N) -> Result<Array>;
    // (name, f, input dtype, n_in -> n_out along the axis, output dtype)
    type Row = (&'static str, F1, Dtype, fn(i32) -> i32, Dtype);
    let ones: [Row; 4] = [
        ("mlx_fft_fft", fft::fft, F, |n| n, c),
        ("mlx_fft_ifft", fft::ifft, c, |n| n, c),
        ("mlx_fft_rfft", fft::rfft, F, |n| n / 2 + 1, c),
        ("mlx_fft_irfft", fft::irfft, c, |n| 2 * (n - 1), F),
    ];
    for (name, f, din, out, dout) in ones {
        v.push(Case::new(
            name,
            "(8)",
            ok(&[out(8)], dout),
            Box::new(move || Ok(vec![f(&fa(&[8])?.astype(din)?, None, -1, N::Backward)?])),
        ));
        v.push(Case::new(
            name,
            "(2,8) n=4 ortho",
            ok(&[2, if name.contains("irfft") { 4 } else { out(4) }], dout),
            Box::new(move || Ok(vec![f(&fa(&[2, 8])?.astype(din)?, Some(4), 1, N::Ortho)?])),
        ));
        v.push(Case::new(
            name,
            "(3,8) axis 0 forward",
            ok(&[out(3), 8], dout),
            Box::new(move || Ok(vec![f(&fa(&[3, 8])?.astype(din)?, None, 0, N::Forward)?])),
        ));
        v.push(
            Case::new(
                name,
                "axis 2",
                E,
                Box::new(move || Ok(vec![f(&fa(&[2, 8])?.astype(din)?, None, 2, N::Backward)?])),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "n=0",
                E,
                Box::new(move || Ok(vec![f(&fa(&[8])?.astype(din)?, Some(0), -1, N::Backward)?])),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "n=-4",
                E,
                Box::new(move || Ok(vec![f(&fa(&[8])?.astype(din)?, Some(-4), -1, N::Backward)?])),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "(0)",
                E,
                Box::new(move || Ok(vec![f(&fa(&[0])?.astype(din)?, None, -1, N::Backward)?])),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "()",
                E,
                Box::new(move || Ok(vec![f(&fa(&[])?.astype(din)?, None, -1, N::Backward)?])),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "int32 (8)",
                oke(&[out(8)], dout),
                Box::new(move || Ok(vec![f(&ia(&[1; 8], &[8])?, None, -1, N::Backward)?])),
            )
            .also(&["fft"]),
        );
    }
    type F2 = fn(&Array, Option<&[i32]>, &[i32], N) -> Result<Array>;
    let twos: [(&'static str, F2, Dtype, [i32; 2], Dtype); 4] = [
        ("mlx_fft_fft2", fft::fft2, F, [4, 4], c),
        ("mlx_fft_ifft2", fft::ifft2, c, [4, 4], c),
        ("mlx_fft_rfft2", fft::rfft2, F, [4, 3], c),
        ("mlx_fft_irfft2", fft::irfft2, c, [4, 6], F),
    ];
    for (name, f, din, out, dout) in twos {
        v.push(Case::new(
            name,
            "(4,4)",
            ok(&out, dout),
            Box::new(move || {
                Ok(vec![f(
                    &fa(&[4, 4])?.astype(din)?,
                    None,
                    &[-2, -1],
                    N::Backward,
                )?])
            }),
        ));
        v.push(
            Case::new(
                name,
                "(4,4) s=(2,2)",
                oke(&[2, 2], dout),
                Box::new(move || {
                    Ok(vec![f(
                        &fa(&[4, 4])?.astype(din)?,
                        Some(&[2, 2]),
                        &[-2, -1],
                        N::Backward,
                    )?])
                }),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "axes [0,0]",
                E,
                Box::new(move || {
                    Ok(vec![f(
                        &fa(&[4, 4])?.astype(din)?,
                        None,
                        &[0, 0],
                        N::Backward,
                    )?])
                }),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "axes [0,2]",
                E,
                Box::new(move || {
                    Ok(vec![f(
                        &fa(&[4, 4])?.astype(din)?,
                        None,
                        &[0, 2],
                        N::Backward,
                    )?])
                }),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "s and axes differ",
                E,
                Box::new(move || {
                    Ok(vec![f(
                        &fa(&[4, 4])?.astype(din)?,
                        Some(&[2]),
                        &[0, 1],
                        N::Backward,
                    )?])
                }),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "(4)",
                E,
                Box::new(move || {
                    Ok(vec![f(
                        &fa(&[4])?.astype(din)?,
                        None,
                        &[-2, -1],
                        N::Backward,
                    )?])
                }),
            )
            .also(&["fft"]),
        );
    }
    type Fn_ = fn(&Array, Option<&[i32]>, Option<&[i32]>, N) -> Result<Array>;
    let ns: [(&'static str, Fn_, Dtype, [i32; 3], Dtype); 4] = [
        ("mlx_fft_fftn", fft::fftn, F, [2, 4, 4], c),
        ("mlx_fft_ifftn", fft::ifftn, c, [2, 4, 4], c),
        ("mlx_fft_rfftn", fft::rfftn, F, [2, 4, 3], c),
        ("mlx_fft_irfftn", fft::irfftn, c, [2, 4, 6], F),
    ];
    for (name, f, din, out, dout) in ns {
        v.push(Case::new(
            name,
            "(2,4,4)",
            ok(&out, dout),
            Box::new(move || {
                Ok(vec![f(
                    &fa(&[2, 4, 4])?.astype(din)?,
                    None,
                    None,
                    N::Backward,
                )?])
            }),
        ));
        v.push(
            Case::new(
                name,
                "axes [5]",
                E,
                Box::new(move || {
                    Ok(vec![f(
                        &fa(&[2, 4, 4])?.astype(din)?,
                        None,
                        Some(&[5]),
                        N::Backward,
                    )?])
                }),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "s [0]",
                E,
                Box::new(move || {
                    Ok(vec![f(
                        &fa(&[2, 4, 4])?.astype(din)?,
                        Some(&[0]),
                        Some(&[0]),
                        N::Backward,
                    )?])
                }),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "axes [1,1]",
                E,
                Box::new(move || {
                    Ok(vec![f(
                        &fa(&[2, 4, 4])?.astype(din)?,
                        None,
                        Some(&[1, 1]),
                        N::Backward,
                    )?])
                }),
            )
            .also(&["fft"]),
        );
        v.push(
            Case::new(
                name,
                "(2,0,4)",
                E,
                Box::new(move || {
                    Ok(vec![f(
                        &fa(&[2, 0, 4])?.astype(din)?,
                        None,
                        None,
                        N::Backward,
                    )?])
                }),
            )
            .also(&["fft"]),
        );
    }
    c1!(v, "mlx_fft_fftfreq", "8", ok(&[8], F), fft::fftfreq(8, 1.0));
    c1!(
        v,
        "mlx_fft_fftfreq",
        "1, d=0.5",
        ok(&[1], F),
        fft::fftfreq(1, 0.5)
    );
    c1!(v, "mlx_fft_fftfreq", "0", E, fft::fftfreq(0, 1.0));
    c1!(v, "mlx_fft_fftfreq", "-3", E, fft::fftfreq(-3, 1.0));
    c1!(
        v,
        "mlx_fft_fftfreq",
        "d=0",
        oke(&[4], F),
        fft::fftfreq(4, 0.0)
    );
    c1!(
        v,
        "mlx_fft_rfftfreq",
        "8",
        ok(&[5], F),
        fft::rfftfreq(8, 1.0)
    );
    c1!(v, "mlx_fft_rfftfreq", "0", E, fft::rfftfreq(0, 1.0));
    c1!(
        v,
        "mlx_fft_fftshift",
        "(2,8)",
        ok(&[2, 8], F),
        fft::fftshift(&fa(&[2, 8])?, None)
    );
    c1!(
        v,
        "mlx_fft_fftshift",
        "(2,8) axes [0]",
        ok(&[2, 8], F),
        fft::fftshift(&fa(&[2, 8])?, Some(&[0]))
    );
    c1!(
        v,
        "mlx_fft_fftshift",
        "(0)",
        ok(&[0], F),
        fft::fftshift(&fa(&[0])?, None)
    );
    c1!(
        v,
        "mlx_fft_fftshift",
        "axes [2]",
        E,
        fft::fftshift(&fa(&[2, 8])?, Some(&[2]))
    );
    c1!(
        v,
        "mlx_fft_ifftshift",
        "(5) int8",
        ok(&[5], Dtype::Int8),
        fft::ifftshift(&fa(&[5])?.astype(Dtype::Int8)?, None)
    );
    c1!(
        v,
        "mlx_fft_ifftshift",
        "axes [-3]",
        E,
        fft::ifftshift(&fa(&[2, 8])?, Some(&[-3]))
    );
}

type RandFn = fn(&[i32], Dtype, f32, f32, Option<&Array>) -> Result<Array>;

fn random_cases(v: &mut Vec<Case>) {
    let u = Dtype::Uint32;
    let k = || random::key(7);
    cn!(v, "mlx_random_seed", "seed 0", Expect::OkCount(0), {
        random::seed(0)?;
        Ok(vec![])
    });
    cn!(v, "mlx_random_seed", "seed u64::MAX", Expect::OkCount(0), {
        random::seed(u64::MAX)?;
        Ok(vec![])
    });
    c1!(v, "mlx_random_key", "0", ok(&[2], u), random::key(0));
    c1!(
        v,
        "mlx_random_key",
        "u64::MAX",
        ok(&[2], u),
        random::key(u64::MAX)
    );
    c1!(
        v,
        "mlx_random_split_num",
        "3",
        ok(&[3, 2], u),
        random::split(&k()?, 3)
    );
    c1!(
        v,
        "mlx_random_split_num",
        "0",
        ok(&[0, 2], u),
        random::split(&k()?, 0)
    );
    c1!(v, "mlx_random_split_num", "-1", E, random::split(&k()?, -1));
    c1!(
        v,
        "mlx_random_split_num",
        "key (3)",
        E,
        random::split(&Array::from_slice(&[1u32, 2, 3], &[3])?, 2)
    );
    cn!(
        v,
        "mlx_random_split",
        "pair",
        okm(&[(&[2], u), (&[2], u)]),
        {
            let (a, b) = random::split_pair(&k()?)?;
            Ok(vec![a, b])
        }
    );
    cn!(v, "mlx_random_split", "float key", E, {
        let (a, b) = random::split_pair(&fa(&[2])?)?;
        Ok(vec![a, b])
    });
    c1!(
        v,
        "mlx_random_bits",
        "(2,3) width 4",
        ok(&[2, 3], u),
        random::bits(&[2, 3], 4, Some(&k()?))
    );
    c1!(
        v,
        "mlx_random_bits",
        "(5) width 1",
        ok(&[5], Dtype::Uint8),
        random::bits(&[5], 1, None)
    );
    c1!(
        v,
        "mlx_random_bits",
        "(0) width 2",
        ok(&[0], Dtype::Uint16),
        random::bits(&[0], 2, None)
    );
    c1!(
        v,
        "mlx_random_bits",
        "width 3",
        E,
        random::bits(&[2], 3, None)
    );
    c1!(
        v,
        "mlx_random_bits",
        "(-1)",
        E,
        random::bits(&[-1], 4, None)
    );
    c1!(
        v,
        "mlx_random_bits",
        "key (3)",
        E,
        random::bits(&[2], 4, Some(&Array::from_slice(&[1u32, 2, 3], &[3])?))
    );
    let z = || Array::scalar(0.0f32);
    let one_ = || Array::scalar(1.0f32);
    c1!(
        v,
        "mlx_random_uniform",
        "(2,3)",
        ok(&[2, 3], F),
        random::uniform(&z(), &one_(), &[2, 3], F, Some(&k()?))
    );
    c1!(
        v,
        "mlx_random_uniform",
        "bounds (3) into (2,3) f16",
        ok(&[2, 3], Dtype::Float16),
        random::uniform(
            &fa(&[3])?,
            &(&fa(&[3])? + 1.0f32)?,
            &[2, 3],
            Dtype::Float16,
            None
        )
    );
    c1!(
        v,
        "mlx_random_uniform",
        "int32",
        E,
        random::uniform(&z(), &one_(), &[2, 3], Dtype::Int32, None)
    );
    c1!(
        v,
        "mlx_random_uniform",
        "bounds (4) into (2,3)",
        E,
        random::uniform(&fa(&[4])?, &one_(), &[2, 3], F, None)
    );
    also(v, &["broadcast"]);
    for (name, f) in [
        (
            "mlx_random_normal",
            (|s, d, l, sc, k| random::normal(s, d, l, sc, k)) as RandFn,
        ),
        (
            "mlx_random_laplace",
            (|s, d, l, sc, k| random::laplace(s, d, l, sc, k)) as RandFn,
        ),
    ] {
        v.push(Case::new(
            name,
            "(2,3)",
            ok(&[2, 3], F),
            Box::new(move || Ok(vec![f(&[2, 3], F, 0.0, 1.0, None)?])),
        ));
        v.push(Case::new(
            name,
            "(0) bf16",
            ok(&[0], Dtype::Bfloat16),
            Box::new(move || Ok(vec![f(&[0], Dtype::Bfloat16, 1.0, 2.0, None)?])),
        ));
        v.push(Case::new(
            name,
            "int32",
            E,
            Box::new(move || Ok(vec![f(&[2], Dtype::Int32, 0.0, 1.0, None)?])),
        ));
        v.push(Case::new(
            name,
            "(-2)",
            E,
            Box::new(move || Ok(vec![f(&[-2], F, 0.0, 1.0, None)?])),
        ));
        v.push(Case::new(
            name,
            "NaN scale",
            ok(&[2], F),
            Box::new(move || Ok(vec![f(&[2], F, 0.0, f32::NAN, None)?])),
        ));
    }
    c1!(
        v,
        "mlx_random_normal_broadcast",
        "(2,3) loc (3)",
        ok(&[2, 3], F),
        random::normal_broadcast(&[2, 3], F, Some(&fa(&[3])?), None, None)
    );
    c1!(
        v,
        "mlx_random_normal_broadcast",
        "loc (4)",
        E,
        random::normal_broadcast(&[2, 3], F, Some(&fa(&[4])?), None, None)
    );
    also(v, &["broadcast"]);
    c1!(
        v,
        "mlx_random_multivariate_normal",
        "mean (2) cov (2,2) x3",
        ok(&[3, 2], F),
        random::multivariate_normal(&fa(&[2])?, &spd(2)?, &[3], F, None)
    );
    c1!(
        v,
        "mlx_random_multivariate_normal",
        "cov (3,3)",
        E,
        random::multivariate_normal(&fa(&[2])?, &spd(3)?, &[3], F, None)
    );
    c1!(
        v,
        "mlx_random_multivariate_normal",
        "mean ()",
        E,
        random::multivariate_normal(&fa(&[])?, &spd(2)?, &[3], F, None)
    );
    c1!(
        v,
        "mlx_random_multivariate_normal",
        "f16",
        E,
        random::multivariate_normal(&fa(&[2])?, &spd(2)?, &[3], Dtype::Float16, None)
    );
    let i = |x: i32| Array::scalar(x);
    c1!(
        v,
        "mlx_random_randint",
        "0..10 (4)",
        ok(&[4], Dtype::Int32),
        random::randint(&i(0), &i(10), &[4], Dtype::Int32, None)
    );
    c1!(
        v,
        "mlx_random_randint",
        "10..0 (4) uint8",
        ok(&[4], Dtype::Uint8),
        random::randint(&i(10), &i(0), &[4], Dtype::Uint8, None)
    );
    c1!(
        v,
        "mlx_random_randint",
        "extremes",
        ok(&[4], Dtype::Int32),
        random::randint(&i(i32::MIN), &i(i32::MAX), &[4], Dtype::Int32, None)
    );
    c1!(
        v,
        "mlx_random_randint",
        "float32",
        E,
        random::randint(&i(0), &i(10), &[4], F, None)
    );
    c1!(
        v,
        "mlx_random_randint",
        "bounds (3) into (4)",
        E,
        random::randint(&ia(&[0, 1, 2], &[3])?, &i(10), &[4], Dtype::Int32, None)
    );
    also(v, &["broadcast"]);
    c1!(
        v,
        "mlx_random_bernoulli",
        "p 0.5 (3)",
        ok(&[3], Dtype::Bool),
        random::bernoulli(&Array::scalar(0.5f32), Some(&[3]), None)
    );
    c1!(
        v,
        "mlx_random_bernoulli",
        "p (2,3)",
        ok(&[2, 3], Dtype::Bool),
        random::bernoulli(&fa(&[2, 3])?, None, None)
    );
    c1!(
        v,
        "mlx_random_bernoulli",
        "p NaN",
        ok(&[], Dtype::Bool),
        random::bernoulli(&Array::scalar(f32::NAN), None, None)
    );
    c1!(
        v,
        "mlx_random_bernoulli",
        "p (4) into (3)",
        E,
        random::bernoulli(&fa(&[4])?, Some(&[3]), None)
    );
    also(v, &["broadcast"]);
    c1!(
        v,
        "mlx_random_bernoulli",
        "int p",
        E,
        random::bernoulli(&Array::scalar(1i32), None, None)
    );
    c1!(
        v,
        "mlx_random_truncated_normal",
        "-1..1 (3)",
        ok(&[3], F),
        random::truncated_normal(&Array::scalar(-1.0f32), &one_(), Some(&[3]), F, None)
    );
    c1!(
        v,
        "mlx_random_truncated_normal",
        "bounds (2,3)",
        ok(&[2, 3], F),
        random::truncated_normal(&(&fa(&[2, 3])? - 3.0f32)?, &fa(&[2, 3])?, None, F, None)
    );
    c1!(
        v,
        "mlx_random_truncated_normal",
        "int32",
        E,
        random::truncated_normal(
            &Array::scalar(-1.0f32),
            &one_(),
            Some(&[3]),
            Dtype::Int32,
            None
        )
    );
    c1!(
        v,
        "mlx_random_truncated_normal",
        "bounds (4) into (3)",
        E,
        random::truncated_normal(&fa(&[4])?, &one_(), Some(&[3]), F, None)
    );
    also(v, &["broadcast"]);
    c1!(
        v,
        "mlx_random_gumbel",
        "(3)",
        ok(&[3], F),
        random::gumbel(&[3], F, None)
    );
    c1!(
        v,
        "mlx_random_gumbel",
        "(0,2) f16",
        ok(&[0, 2], Dtype::Float16),
        random::gumbel(&[0, 2], Dtype::Float16, None)
    );
    c1!(
        v,
        "mlx_random_gumbel",
        "int8",
        E,
        random::gumbel(&[3], Dtype::Int8, None)
    );
    c1!(
        v,
        "mlx_random_categorical",
        "(2,5)",
        ok(&[2], u),
        random::categorical(&fa(&[2, 5])?, -1, None, None, None)
    );
    c1!(
        v,
        "mlx_random_categorical",
        "axis 2",
        E,
        random::categorical(&fa(&[2, 5])?, 2, None, None, None)
    );
    c1!(
        v,
        "mlx_random_categorical",
        "()",
        E,
        random::categorical(&fa(&[])?, 0, None, None, None)
    );
    c1!(
        v,
        "mlx_random_categorical_shape",
        "(2,5) into (4,2)",
        ok(&[4, 2], u),
        random::categorical(&fa(&[2, 5])?, -1, Some(&[4, 2]), None, None)
    );
    c1!(
        v,
        "mlx_random_categorical_shape",
        "(2,5) into (3)",
        E,
        random::categorical(&fa(&[2, 5])?, -1, Some(&[3]), None, None)
    );
    also(v, &["broadcast"]);
    c1!(
        v,
        "mlx_random_categorical_num_samples",
        "(2,5) x3",
        ok(&[2, 3], u),
        random::categorical(&fa(&[2, 5])?, -1, None, Some(3), None)
    );
    c1!(
        v,
        "mlx_random_categorical_num_samples",
        "x-1",
        E,
        random::categorical(&fa(&[2, 5])?, -1, None, Some(-1), None)
    );
    c1!(
        v,
        "mlx_random_categorical_num_samples",
        "both shape and num_samples",
        E,
        random::categorical(&fa(&[2, 5])?, -1, Some(&[2]), Some(3), None)
    );
    c1!(
        v,
        "mlx_random_permutation",
        "(5) int32",
        ok(&[5], Dtype::Int32),
        random::permutation(&ia(&[1, 2, 3, 4, 5], &[5])?, 0, None)
    );
    c1!(
        v,
        "mlx_random_permutation",
        "(2,3) axis 1",
        ok(&[2, 3], F),
        random::permutation(&fa(&[2, 3])?, 1, None)
    );
    c1!(
        v,
        "mlx_random_permutation",
        "axis 2",
        E,
        random::permutation(&fa(&[2, 3])?, 2, None)
    );
    c1!(
        v,
        "mlx_random_permutation",
        "()",
        E,
        random::permutation(&fa(&[])?, 0, None)
    );
    c1!(
        v,
        "mlx_random_permutation_arange",
        "5",
        ok(&[5], u),
        random::permutation_arange(5, None)
    );
    c1!(
        v,
        "mlx_random_permutation_arange",
        "0",
        ok(&[0], u),
        random::permutation_arange(0, None)
    );
    c1!(
        v,
        "mlx_random_permutation_arange",
        "-1",
        E,
        random::permutation_arange(-1, None)
    );
}

fn fast_cases(v: &mut Vec<Case>) {
    c1!(
        v,
        "mlx_fast_layer_norm",
        "(2,4) w b",
        ok(&[2, 4], F),
        fast::layer_norm(&fa(&[2, 4])?, Some(&fa(&[4])?), Some(&fa(&[4])?), 1e-5)
    );
    c1!(
        v,
        "mlx_fast_layer_norm",
        "(0,4)",
        ok(&[0, 4], F),
        fast::layer_norm(&fa(&[0, 4])?, None, None, 1e-5)
    );
    c1!(
        v,
        "mlx_fast_layer_norm",
        "weight (3)",
        E,
        fast::layer_norm(&fa(&[2, 4])?, Some(&fa(&[3])?), None, 1e-5)
    );
    c1!(
        v,
        "mlx_fast_layer_norm",
        "weight (2,4)",
        E,
        fast::layer_norm(&fa(&[2, 4])?, Some(&fa(&[2, 4])?), None, 1e-5)
    );
    c1!(
        v,
        "mlx_fast_layer_norm",
        "int32",
        E,
        fast::layer_norm(&ia(&[1; 8], &[2, 4])?, None, None, 1e-5)
    );
    c1!(
        v,
        "mlx_fast_layer_norm",
        "()",
        E,
        fast::layer_norm(&fa(&[])?, None, None, 1e-5)
    );
    c1!(
        v,
        "mlx_fast_rms_norm",
        "(2,4) w",
        ok(&[2, 4], F),
        fast::rms_norm(&fa(&[2, 4])?, Some(&fa(&[4])?), 1e-5)
    );
    c1!(
        v,
        "mlx_fast_rms_norm",
        "weight (5)",
        E,
        fast::rms_norm(&fa(&[2, 4])?, Some(&fa(&[5])?), 1e-5)
    );
    c1!(
        v,
        "mlx_fast_rms_norm",
        "()",
        E,
        fast::rms_norm(&fa(&[])?, None, 1e-5)
    );
    c1!(
        v,
        "mlx_fast_rms_norm",
        "int32",
        E,
        fast::rms_norm(&ia(&[1; 8], &[2, 4])?, None, 1e-5)
    );
    c1!(
        v,
        "mlx_fast_rope",
        "(1,2,4,8) dims 8",
        ok(&[1, 2, 4, 8], F),
        fast::rope(&fa(&[1, 2, 4, 8])?, 8, false, Some(10000.0), 1.0, 0, None)
    );
    c1!(
        v,
        "mlx_fast_rope",
        "dims 4 traditional offset 3",
        ok(&[1, 2, 4, 8], F),
        fast::rope(&fa(&[1, 2, 4, 8])?, 4, true, Some(10000.0), 1.0, 3, None)
    );
    c1!(
        v,
        "mlx_fast_rope",
        "dims 9",
        E,
        fast::rope(&fa(&[1, 2, 4, 9])?, 9, false, Some(10000.0), 1.0, 0, None)
    );
    c1!(
        v,
        "mlx_fast_rope",
        "dims 16 > 8",
        E,
        fast::rope(&fa(&[1, 2, 4, 8])?, 16, false, Some(10000.0), 1.0, 0, None)
    );
    c1!(
        v,
        "mlx_fast_rope",
        "(8)",
        E,
        fast::rope(&fa(&[8])?, 8, false, Some(10000.0), 1.0, 0, None)
    );
    c1!(
        v,
        "mlx_fast_rope",
        "neither base nor freqs",
        E,
        fast::rope(&fa(&[1, 2, 4, 8])?, 8, false, None, 1.0, 0, None)
    );
    c1!(
        v,
        "mlx_fast_rope",
        "freqs (3) for dims 8",
        E,
        fast::rope(
            &fa(&[1, 2, 4, 8])?,
            8,
            false,
            None,
            1.0,
            0,
            Some(&fa(&[3])?)
        )
    );
    c1!(
        v,
        "mlx_fast_rope_dynamic",
        "offset 2",
        ok(&[1, 2, 4, 8], F),
        fast::rope_dynamic(
            &fa(&[1, 2, 4, 8])?,
            8,
            false,
            Some(10000.0),
            1.0,
            &Array::scalar(2i32),
            None
        )
    );
    c1!(
        v,
        "mlx_fast_rope_dynamic",
        "offset (3)",
        E,
        fast::rope_dynamic(
            &fa(&[1, 2, 4, 8])?,
            8,
            false,
            Some(10000.0),
            1.0,
            &ia(&[1, 2, 3], &[3])?,
            None
        )
    );
    also(v, &["rope"]);
    c1!(
        v,
        "mlx_fast_rope_dynamic",
        "dims 9",
        E,
        fast::rope_dynamic(
            &fa(&[1, 2, 4, 9])?,
            9,
            false,
            Some(10000.0),
            1.0,
            &Array::scalar(0i32),
            None
        )
    );
    also(v, &["rope"]);
    let opts = || fast::AttentionOptions::new(0.5);
    c1!(
        v,
        "mlx_fast_scaled_dot_product_attention",
        "(1,2,3,8) k/v (1,2,4,8)",
        ok(&[1, 2, 3, 8], F),
        fast::scaled_dot_product_attention(
            &fa(&[1, 2, 3, 8])?,
            &fa(&[1, 2, 4, 8])?,
            &fa(&[1, 2, 4, 8])?,
            &opts()
        )
    );
    c1!(
        v,
        "mlx_fast_scaled_dot_product_attention",
        "causal",
        ok(&[1, 2, 3, 8], F),
        fast::scaled_dot_product_attention(
            &fa(&[1, 2, 3, 8])?,
            &fa(&[1, 2, 4, 8])?,
            &fa(&[1, 2, 4, 8])?,
            &opts().mask(fast::AttentionMask::Causal)
        )
    );
    c1!(
        v,
        "mlx_fast_scaled_dot_product_attention",
        "grouped heads 4/2",
        ok(&[1, 4, 3, 8], F),
        fast::scaled_dot_product_attention(
            &fa(&[1, 4, 3, 8])?,
            &fa(&[1, 2, 4, 8])?,
            &fa(&[1, 2, 4, 8])?,
            &opts()
        )
    );
    c1!(
        v,
        "mlx_fast_scaled_dot_product_attention",
        "head dims differ",
        E,
        fast::scaled_dot_product_attention(
            &fa(&[1, 2, 3, 8])?,
            &fa(&[1, 2, 4, 4])?,
            &fa(&[1, 2, 4, 8])?,
            &opts()
        )
    );
    c1!(
        v,
        "mlx_fast_scaled_dot_product_attention",
        "heads 3/2",
        E,
        fast::scaled_dot_product_attention(
            &fa(&[1, 3, 3, 8])?,
            &fa(&[1, 2, 4, 8])?,
            &fa(&[1, 2, 4, 8])?,
            &opts()
        )
    );
    c1!(
        v,
        "mlx_fast_scaled_dot_product_attention",
        "rank 3",
        E,
        fast::scaled_dot_product_attention(
            &fa(&[2, 3, 8])?,
            &fa(&[2, 4, 8])?,
            &fa(&[2, 4, 8])?,
            &opts()
        )
    );
    c1!(
        v,
        "mlx_fast_scaled_dot_product_attention",
        "keys and values lengths differ",
        E,
        fast::scaled_dot_product_attention(
            &fa(&[1, 2, 3, 8])?,
            &fa(&[1, 2, 4, 8])?,
            &fa(&[1, 2, 5, 8])?,
            &opts()
        )
    );
    c1!(
        v,
        "mlx_fast_cross_entropy",
        "(2,5) targets (2)",
        oke(&[2], F),
        fast::cross_entropy(&fa(&[2, 5])?, &ia(&[0, 4], &[2])?)
    );
    c1!(
        v,
        "mlx_fast_cross_entropy",
        "targets (3)",
        E,
        fast::cross_entropy(&fa(&[2, 5])?, &ia(&[0, 4, 1], &[3])?)
    );
    also(v, &["broadcast"]);
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("mlxrs-sweep-{}-{name}", std::process::id()))
}

fn io_cases(v: &mut Vec<Case>) {
    use mlxrs::io;
    c1!(
        v,
        "mlx_load",
        "no such file",
        E,
        io::load(tmp("missing.npy"))
    );
    c1!(
        v,
        "mlx_save",
        "round trip (2,3) f16",
        ok(&[2, 3], Dtype::Float16),
        {
            let p = tmp("rt.npy");
            io::save(&p, &fa(&[2, 3])?.astype(Dtype::Float16)?)?;
            let a = io::load(&p);
            let _ = std::fs::remove_file(&p);
            a
        }
    );
    c1!(v, "mlx_save", "into a missing folder", E, {
        io::save(tmp("no/such/dir/x.npy"), &fa(&[2])?)?;
        fa(&[1])
    });
    c1!(
        v,
        "mlx_load_safetensors",
        "no such file",
        E,
        io::load_safetensors(tmp("missing.safetensors"))
            .map(|(m, _)| m.into_values().next().unwrap_or(Array::scalar(0.0f32)))
    );
    c1!(
        v,
        "mlx_save_safetensors",
        "round trip () and (0,3)",
        ok(&[0, 3], Dtype::Int8),
        {
            let p = tmp("rt.safetensors");
            let mut m = HashMap::new();
            m.insert("e".to_string(), o::zeros(&[0, 3], Dtype::Int8)?);
            m.insert("s".to_string(), fa(&[])?);
            io::save_safetensors(&p, &m, &HashMap::new())?;
            let (back, _) = io::load_safetensors(&p)?;
            let _ = std::fs::remove_file(&p);
            back.get("e")
                .map(|a| a.try_clone())
                .unwrap_or_else(|| fa(&[9]))
        }
    );
    c1!(v, "mlx_save_safetensors", "into a missing folder", E, {
        io::save_safetensors(
            tmp("no/such/dir/x.safetensors"),
            &HashMap::new(),
            &HashMap::new(),
        )?;
        fa(&[1])
    });
    c1!(
        v,
        "mlx_load_reader",
        "garbage bytes",
        E,
        io::load_from_reader(std::io::Cursor::new(b"not an npy file".to_vec()))
    );
    c1!(
        v,
        "mlx_load_reader",
        "no bytes",
        E,
        io::load_from_reader(std::io::Cursor::new(Vec::new()))
    );
    c1!(
        v,
        "mlx_save_writer",
        "round trip through memory",
        ok(&[3, 0], Dtype::Uint16),
        {
            let mut buf = std::io::Cursor::new(Vec::new());
            io::save_to_writer(&mut buf, &o::zeros(&[3, 0], Dtype::Uint16)?)?;
            io::load_from_reader(std::io::Cursor::new(buf.into_inner()))
        }
    );
    c1!(
        v,
        "mlx_load_safetensors_reader",
        "garbage bytes",
        E,
        io::load_safetensors_from_reader(std::io::Cursor::new(vec![0xffu8; 16]))
            .map(|(m, _)| m.into_values().next().unwrap_or(Array::scalar(0.0f32)))
    );
    c1!(
        v,
        "mlx_save_safetensors_writer",
        "round trip through memory",
        ok(&[2, 3], Dtype::Bfloat16),
        {
            let mut buf = std::io::Cursor::new(Vec::new());
            let mut m = HashMap::new();
            m.insert("w".to_string(), fa(&[2, 3])?.astype(Dtype::Bfloat16)?);
            io::save_safetensors_to_writer(&mut buf, &m, &HashMap::new())?;
            let (back, _) =
                io::load_safetensors_from_reader(std::io::Cursor::new(buf.into_inner()))?;
            back.get("w")
                .map(|a| a.try_clone())
                .unwrap_or_else(|| fa(&[9]))
        }
    );
    c1!(
        v,
        "mlx_load_gguf",
        "no such file",
        E,
        io::load_gguf(tmp("missing.gguf"))
            .map(|(m, _)| m.into_values().next().unwrap_or(Array::scalar(0.0f32)))
    );
    c1!(
        v,
        "mlx_save_gguf",
        "round trip (2,3) f32",
        ok(&[2, 3], F),
        {
            let p = tmp("rt.gguf");
            let mut m = HashMap::new();
            m.insert("w".to_string(), fa(&[2, 3])?);
            io::save_gguf(&p, &m, &HashMap::new())?;
            let (back, _) = io::load_gguf(&p)?;
            let _ = std::fs::remove_file(&p);
            back.get("w")
                .map(|a| a.try_clone())
                .unwrap_or_else(|| fa(&[9]))
        }
    );
    c1!(v, "mlx_save_gguf", "into a missing folder", E, {
        io::save_gguf(tmp("no/such/dir/x.gguf"), &HashMap::new(), &HashMap::new())?;
        fa(&[1])
    });
}
