//! Neural-network building blocks: convolutions, quantization, and `mx.fast`.

use mlxrs::fast::{self, AttentionMask, AttentionOptions};
use mlxrs::ops::{
    self, Conv1dOptions, Conv2dOptions, Conv3dOptions, ConvGeneralOptions, ConvTranspose1dOptions,
    ConvTranspose2dOptions, ConvTranspose3dOptions, QuantizationMode, QuantizeOptions,
};
use mlxrs::{Array, Result};

use super::*;
use crate::harness::{Dom, P, Table, one};

const R1: Dom = Dom::U(-1.0, 1.0);

pub fn cases(t: &mut Table) -> Result<()> {
    convolutions(t)?;
    quantized(t)?;
    fast_ops(t)
}

fn convolutions(t: &mut Table) -> Result<()> {
    // conv1d: input [N, L, C_in], weight [C_out, K, C_in / groups].
    for (stride, padding, dilation, groups) in
        [(1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), (1, 1, 1, 2)]
    {
        let o = Conv1dOptions {
            stride,
            padding,
            dilation,
            groups,
        };
        let p = P::new()
            .i("stride", stride.into())
            .i("padding", padding.into())
            .i("dilation", dilation.into())
            .i("groups", groups.into());
        let w: &[i32] = &[4, 3, 4 / groups];
        each(
            t,
            "conv1d",
            p,
            (&[&[2, 9, 4], w], R1),
            FLOATS,
            true,
            move |x| one(ops::conv1d(&x[0], &x[1], o)),
        )?;
    }
    for (stride, padding, dilation, groups) in [
        ((1, 1), (0, 0), (1, 1), 1),
        ((2, 1), (1, 0), (1, 2), 1),
        ((1, 1), (1, 1), (1, 1), 2),
    ] {
        let o = Conv2dOptions {
            stride,
            padding,
            dilation,
            groups,
        };
        let p = P::new()
            .is("stride", &[stride.0, stride.1])
            .is("padding", &[padding.0, padding.1])
            .is("dilation", &[dilation.0, dilation.1])
            .i("groups", groups.into());
        let w: &[i32] = &[4, 3, 2, 4 / groups];
        each(
            t,
            "conv2d",
            p,
            (&[&[2, 6, 5, 4], w], R1),
            FLOATS,
            true,
            move |x| one(ops::conv2d(&x[0], &x[1], o)),
        )?;
    }
    let o = Conv3dOptions {
        stride: (1, 2, 1),
        padding: (1, 0, 1),
        ..Conv3dOptions::default()
    };
    let p = P::new().is("stride", &[1, 2, 1]).is("padding", &[1, 0, 1]);
    each(
        t,
        "conv3d",
        p,
        (&[&[1, 4, 5, 4, 2], &[3, 2, 2, 2, 2]], R1),
        &[F32, F16],
        true,
        move |x| one(ops::conv3d(&x[0], &x[1], o)),
    )?;
    for (stride, padding, output_padding) in [(1, 0, 0), (2, 1, 1)] {
        let o = ConvTranspose1dOptions {
            stride,
            padding,
            output_padding,
            ..ConvTranspose1dOptions::default()
        };
        let p = P::new()
            .i("stride", stride.into())
            .i("padding", padding.into())
            .i("output_padding", output_padding.into());
        each(
            t,
            "conv_transpose1d",
            p,
            (&[&[2, 7, 4], &[3, 3, 4]], R1),
            FLOATS,
            true,
            move |x| one(ops::conv_transpose1d(&x[0], &x[1], o)),
        )?;
    }
    let o = ConvTranspose2dOptions {
        stride: (2, 1),
        padding: (1, 0),
        ..ConvTranspose2dOptions::default()
    };
    let p = P::new().is("stride", &[2, 1]).is("padding", &[1, 0]);
    each(
        t,
        "conv_transpose2d",
        p,
        (&[&[1, 4, 5, 3], &[2, 3, 3, 3]], R1),
        &[F32, BF16],
        true,
        move |x| one(ops::conv_transpose2d(&x[0], &x[1], o)),
    )?;
    let o = ConvTranspose3dOptions {
        stride: (1, 2, 1),
        ..ConvTranspose3dOptions::default()
    };
    let p = P::new().is("stride", &[1, 2, 1]);
    each(
        t,
        "conv_transpose3d",
        p,
        (&[&[1, 3, 3, 3, 2], &[2, 2, 2, 2, 2]], R1),
        &[F32],
        true,
        move |x| one(ops::conv_transpose3d(&x[0], &x[1], o)),
    )?;
    // conv_general: asymmetric padding, input dilation, flip.
    for flip in [false, true] {
        let p = P::new()
            .is("stride", &[1, 2])
            .raw("padding", "[[1, 0], [2, 1]]")
            .raw("_tuples", "[\"padding\"]")
            .is("kernel_dilation", &[1, 2])
            .is("input_dilation", &[2, 1])
            .i("groups", 1)
            .b("flip", flip);
        each(
            t,
            "conv_general",
            p,
            (&[&[1, 5, 6, 2], &[3, 2, 2, 2]], R1),
            &[F32, F16],
            true,
            move |x| {
                let o = ConvGeneralOptions {
                    stride: &[1, 2],
                    padding_lo: &[1, 0],
                    padding_hi: &[2, 1],
                    kernel_dilation: &[1, 2],
                    input_dilation: &[2, 1],
                    groups: 1,
                    flip,
                };
                one(ops::conv_general(&x[0], &x[1], o))
            },
        )?;
    }
    Ok(())
}

fn quantized(t: &mut Table) -> Result<()> {
    let configs: [(Option<i32>, Option<i32>, QuantizationMode); 5] = [
        (Some(64), Some(4), QuantizationMode::Affine),
        (Some(32), Some(8), QuantizationMode::Affine),
        (Some(128), Some(2), QuantizationMode::Affine),
        (None, None, QuantizationMode::Affine),
        (None, None, QuantizationMode::Mxfp4),
    ];
    for (group_size, bits, mode) in configs {
        let o = QuantizeOptions {
            group_size,
            bits,
            mode,
        };
        let mut p = P::new().s("mode", mode.as_str());
        if let Some(g) = group_size {
            p = p.i("group_size", g.into());
        }
        if let Some(b) = bits {
            p = p.i("bits", b.into());
        }
        for &d in &[F32, F16, BF16] {
            let w = t.input(d, &[8, 128], R1)?;
            t.add("quantize", p.clone(), vec![w.clone()], move |x| {
                let (wq, scales, biases) = ops::quantize(&x[0], o, None)?;
                Ok([wq, scales].into_iter().chain(biases).collect())
            });
            // dequantize and quantized_matmul on the quantized weights.
            let (wq, scales, biases) = ops::quantize(&w, o, None)?;
            let mut qin = vec![wq, scales];
            qin.extend(biases.clone());
            for a in &qin {
                a.eval()?;
            }
            let has_biases = biases.is_some();
            let kw = if has_biases {
                "[null, \"scales\", \"biases\"]"
            } else {
                "[null, \"scales\"]"
            };
            t.add(
                "dequantize",
                p.clone().raw("_kw_inputs", kw),
                qin.clone(),
                move |x| one(ops::dequantize(&x[0], &x[1], x.get(2), o, None, None)),
            );
            let x = t.input(d, &[3, 128], R1)?;
            let mut inputs = vec![x];
            inputs.extend(qin.iter().cloned());
            let kw = if has_biases {
                "[null, null, \"scales\", \"biases\"]"
            } else {
                "[null, null, \"scales\"]"
            };
            let pm = p.clone().b("transpose", true).raw("_kw_inputs", kw);
            t.add("quantized_matmul", pm, inputs, move |x| {
                one(ops::quantized_matmul(
                    &x[0],
                    &x[1],
                    &x[2],
                    x.get(3),
                    true,
                    o,
                ))
            })
            .tol(10.0);
        }
    }
    // dequantize to another dtype, quantized_matmul without transpose, gather_qmm.
    let o = QuantizeOptions {
        group_size: Some(32),
        bits: Some(4),
        mode: QuantizationMode::Affine,
    };
    let w = t.input(F32, &[64, 32], R1)?;
    let (wq, scales, biases) = ops::quantize(&w, o, None)?;
    let biases = biases.ok_or_else(|| mlxrs::Error::Backend("affine has biases".into()))?;
    for a in [&wq, &scales, &biases] {
        a.eval()?;
    }
    let p = P::new()
        .i("group_size", 32)
        .i("bits", 4)
        .dtype("dtype", F16)
        .raw("_kw_inputs", "[null, \"scales\", \"biases\"]");
    t.add(
        "dequantize",
        p,
        vec![wq.clone(), scales.clone(), biases.clone()],
        move |x| {
            one(ops::dequantize(
                &x[0],
                &x[1],
                Some(&x[2]),
                o,
                None,
                Some(F16),
            ))
        },
    );
    let x = t.input(F32, &[2, 3, 64], R1)?;
    let p = P::new()
        .i("group_size", 32)
        .i("bits", 4)
        .b("transpose", false)
        .raw("_kw_inputs", "[null, null, \"scales\", \"biases\"]");
    t.add(
        "quantized_matmul",
        p,
        vec![x, wq.clone(), scales.clone(), biases.clone()],
        move |x| {
            one(ops::quantized_matmul(
                &x[0],
                &x[1],
                &x[2],
                Some(&x[3]),
                false,
                o,
            ))
        },
    )
    .tol(10.0);
    // gather_qmm: a batch of 3 quantized matrices, picked per row.
    let wb = t.input(F32, &[3, 16, 64], R1)?;
    let (wq, scales, biases) = ops::quantize(
        &wb,
        QuantizeOptions {
            group_size: Some(64),
            ..o
        },
        None,
    )?;
    let biases = biases.ok_or_else(|| mlxrs::Error::Backend("affine has biases".into()))?;
    for a in [&wq, &scales, &biases] {
        a.eval()?;
    }
    let x = t.input(F32, &[4, 1, 64], R1)?;
    let li = Array::from_slice(&[0u32, 1, 2, 3], &[4])?;
    let ri = Array::from_slice(&[2u32, 0, 0, 1], &[4])?;
    let p = P::new()
        .i("group_size", 64)
        .i("bits", 4)
        .b("transpose", true)
        .raw(
            "_kw_inputs",
            "[null, null, \"scales\", \"biases\", \"lhs_indices\", \"rhs_indices\"]",
        );
    let o64 = QuantizeOptions {
        group_size: Some(64),
        ..o
    };
    t.add(
        "gather_qmm",
        p,
        vec![x, wq, scales, biases, li, ri],
        move |x| {
            one(ops::gather_qmm(
                &x[0],
                &x[1],
                &x[2],
                Some(&x[3]),
                Some(&x[4]),
                Some(&x[5]),
                true,
                o64,
                false,
            ))
        },
    )
    .tol(10.0);
    // float8 round trip.
    for &d in FLOATS {
        let x = t.input(d, &[3, 5], Dom::U(-8.0, 8.0))?;
        t.add("to_fp8", P::new(), vec![x], |x| one(ops::to_fp8(&x[0])));
    }
    let x = t.input(F32, &[3, 5], Dom::U(-8.0, 8.0))?;
    let f8 = ops::to_fp8(&x)?;
    f8.eval()?;
    for to in [F32, BF16, F16] {
        t.add(
            "from_fp8",
            P::new().dtype("dtype", to),
            vec![f8.clone()],
            move |x| one(ops::from_fp8(&x[0], to)),
        );
    }
    Ok(())
}

fn fast_ops(t: &mut Table) -> Result<()> {
    let x: &[i32] = &[2, 3, 8];
    for &d in FLOATS {
        for eps in [1e-5f32, 1e-2] {
            let p = P::new().f("eps", eps.into());
            each(
                t,
                "fast.layer_norm",
                p.clone(),
                (&[x, &[8], &[8]], R1),
                &[d],
                true,
                move |x| one(fast::layer_norm(&x[0], Some(&x[1]), Some(&x[2]), eps)),
            )?;
            let pn = p.clone().none("weight").none("bias");
            each(t, "fast.layer_norm", pn, (&[x], R1), &[d], true, move |x| {
                one(fast::layer_norm(&x[0], None, None, eps))
            })?;
            let pb = p
                .clone()
                .none("weight")
                .raw("_kw_inputs", "[null, \"bias\"]");
            each(
                t,
                "fast.layer_norm",
                pb,
                (&[x, &[8]], R1),
                &[d],
                true,
                move |x| one(fast::layer_norm(&x[0], None, Some(&x[1]), eps)),
            )?;
            each(
                t,
                "fast.rms_norm",
                p.clone(),
                (&[x, &[8]], R1),
                &[d],
                true,
                move |x| one(fast::rms_norm(&x[0], Some(&x[1]), eps)),
            )?;
            each(
                t,
                "fast.rms_norm",
                p.none("weight"),
                (&[x], R1),
                &[d],
                true,
                move |x| one(fast::rms_norm(&x[0], None, eps)),
            )?;
        }
    }
    // rope: full or partial dims, traditional or not, base or freqs, integer or array offset.
    let a: &[i32] = &[2, 3, 5, 8];
    for (dims, traditional, scale, offset) in [
        (8, false, 1.0f32, 0),
        (8, true, 1.0, 3),
        (4, false, 0.5, 1),
        (6, true, 2.0, 0),
    ] {
        let p = P::new()
            .i("dims", dims.into())
            .b("traditional", traditional)
            .f("base", 10000.0)
            .f("scale", scale.into())
            .i("offset", offset.into());
        each(t, "fast.rope", p, (&[a], R1), FLOATS, true, move |x| {
            one(fast::rope(
                &x[0],
                dims,
                traditional,
                Some(10000.0),
                scale,
                offset,
                None,
            ))
        })?;
    }
    let freqs = t.input(F32, &[4], Dom::U(0.1, 1.0))?;
    for &d in &[F32, F16] {
        let x = t.input(d, a, R1)?;
        let p = P::new()
            .i("dims", 8)
            .b("traditional", false)
            .none("base")
            .f("scale", 1.0)
            .i("offset", 2)
            .raw("_kw_inputs", "[null, \"freqs\"]");
        t.add("fast.rope", p, vec![x.clone(), freqs.clone()], |x| {
            one(fast::rope(&x[0], 8, false, None, 1.0, 2, Some(&x[1])))
        });
        let off = Array::from(4i32);
        let p = P::new()
            .i("dims", 8)
            .b("traditional", true)
            .f("base", 500.0)
            .f("scale", 1.0)
            .raw("_kw_inputs", "[null, \"offset\"]");
        t.add("fast.rope", p, vec![x.clone(), off], |x| {
            one(fast::rope_dynamic(
                &x[0],
                8,
                true,
                Some(500.0),
                1.0,
                &x[1],
                None,
            ))
        });
        let offs = Array::from_slice(&[1i32, 7], &[2])?;
        let p = P::new()
            .i("dims", 8)
            .b("traditional", false)
            .f("base", 10000.0)
            .f("scale", 1.0)
            .raw("_kw_inputs", "[null, \"offset\"]");
        t.add("fast.rope", p, vec![x, offs], |x| {
            one(fast::rope_dynamic(
                &x[0],
                8,
                false,
                Some(10000.0),
                1.0,
                &x[1],
                None,
            ))
        });
    }
    // Attention: plain, causal, array masks (bool and additive), grouped queries, sinks.
    let q: &[i32] = &[2, 4, 5, 8];
    let kv: &[i32] = &[2, 2, 7, 8];
    let scale = 1.0 / 8f32.sqrt();
    for &d in FLOATS {
        let p = P::new().f("scale", scale.into());
        each(
            t,
            "fast.scaled_dot_product_attention",
            p.clone(),
            (&[q, kv, kv], R1),
            &[d],
            true,
            move |x| {
                one(fast::scaled_dot_product_attention(
                    &x[0],
                    &x[1],
                    &x[2],
                    &AttentionOptions::new(scale),
                ))
            },
        )?;
        let pc = p.clone().s("mask", "causal");
        each(
            t,
            "fast.scaled_dot_product_attention",
            pc,
            (&[q, kv, kv], R1),
            &[d],
            true,
            move |x| {
                let o = AttentionOptions::new(scale).mask(AttentionMask::Causal);
                one(fast::scaled_dot_product_attention(&x[0], &x[1], &x[2], &o))
            },
        )?;
        let inputs = vec![
            t.input(d, q, R1)?,
            t.input(d, kv, R1)?,
            t.input(d, kv, R1)?,
            t.input(BOOL, &[5, 7], Dom::Int(0, 1))?,
        ];
        let pm = p.clone().raw("_kw_inputs", "[null, null, null, \"mask\"]");
        t.add(
            "fast.scaled_dot_product_attention",
            pm.clone(),
            inputs,
            move |x| {
                let o = AttentionOptions::new(scale).mask(AttentionMask::Array(&x[3]));
                one(fast::scaled_dot_product_attention(&x[0], &x[1], &x[2], &o))
            },
        );
        let inputs = vec![
            t.input(d, q, R1)?,
            t.input(d, kv, R1)?,
            t.input(d, kv, R1)?,
            t.input(d, &[2, 1, 5, 7], R1)?,
        ];
        t.add("fast.scaled_dot_product_attention", pm, inputs, move |x| {
            let o = AttentionOptions::new(scale).mask(AttentionMask::Array(&x[3]));
            one(fast::scaled_dot_product_attention(&x[0], &x[1], &x[2], &o))
        })
        .grad();
        let inputs = vec![
            t.input(d, q, R1)?,
            t.input(d, kv, R1)?,
            t.input(d, kv, R1)?,
            t.input(d, &[4], R1)?,
        ];
        let ps = p.raw("_kw_inputs", "[null, null, null, \"sinks\"]");
        t.add("fast.scaled_dot_product_attention", ps, inputs, move |x| {
            let o = AttentionOptions::new(scale).sinks(&x[3]);
            one(fast::scaled_dot_product_attention(&x[0], &x[1], &x[2], &o))
        });
    }
    for &d in FLOATS {
        let logits = t.input(d, &[3, 4, 10], Dom::U(-3.0, 3.0))?;
        let targets = t.input(I32, &[3, 4], Dom::Int(0, 9))?;
        t.add("fast.cross_entropy", P::new(), vec![logits, targets], |x| {
            one(fast::cross_entropy(&x[0], &x[1]))
        })
        .grad();
    }
    Ok(())
}
