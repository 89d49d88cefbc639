//! `mlxrs::fast` (Python: python/tests/test_fast.py, test_fast_sdpa.py). Expected values
//! were printed once by Python MLX 0.32.2 (`mx.fast.*`) unless worked by hand.

use mlxrs::fast::{
    self, AttentionMask, AttentionOptions, CudaKernel, CudaKernelConfig, MetalKernel,
    MetalKernelConfig,
};
use mlxrs::{Array, Device, Dtype, Error, Result};

use crate::support::{assert_allclose, backend_message};

fn x2() -> Result<Array> {
    Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0], &[1, 2, 4])
}

#[test]
fn rope_matches_python() -> Result<()> {
    let x = x2()?;
    assert_allclose(
        &fast::rope(&x, 4, false, Some(10000.0), 1.0, 0, None)?,
        &[
            1.0,
            2.0,
            3.0,
            4.0,
            -1.984_110_6,
            1.959_900_6,
            2.462_377_8,
            4.019_799_7,
        ],
        1e-5,
        1e-5,
    )?;
    assert_allclose(
        &fast::rope(&x, 4, true, Some(10000.0), 1.0, 1, None)?,
        &[
            -1.142_639_6,
            1.922_075_5,
            2.959_850_8,
            4.029_799_5,
            -2.234_741_7,
            0.077_003_78,
            2.919_405_5,
            4.059_196,
        ],
        1e-5,
        1e-5,
    )?;
    // Only the first `dims` features rotate.
    assert_allclose(
        &fast::rope(&x, 2, false, Some(10000.0), 1.0, 1, None)?,
        &[
            -1.142_639_6,
            1.922_075_5,
            3.0,
            4.0,
            -2.234_741_7,
            0.077_003_78,
            3.0,
            4.0,
        ],
        1e-5,
        1e-5,
    )?;
    let dynamic = [
        -1.984_110_6,
        1.959_900_6,
        2.462_377_8,
        4.019_799_7,
        -3.144_039,
        1.919_605_4,
        -0.339_143_1,
        4.039_197_4,
    ];
    assert_allclose(
        &fast::rope_dynamic(&x, 4, false, Some(10000.0), 1.0, &Array::from(1i32), None)?,
        &dynamic,
        1e-5,
        1e-5,
    )?;
    // The same through an integer offset.
    assert_allclose(
        &fast::rope(&x, 4, false, Some(10000.0), 1.0, 1, None)?,
        &dynamic,
        1e-5,
        1e-5,
    )?;
    let freqs = Array::from_slice(&[1.0f32, 0.5], &[2])?;
    assert_allclose(
        &fast::rope(&x, 4, false, None, 1.0, 1, Some(&freqs))?,
        &[
            -1.984_110_6,
            -4.469_483_4,
            2.462_377_8,
            0.154_007_55,
            -3.144_039,
            1.719_922_8,
            -0.339_143_1,
            -4.128_179_6,
        ],
        1e-5,
        1e-5,
    )?;
    Ok(())
}

#[test]
fn rope_needs_exactly_one_of_base_and_freqs() -> Result<()> {
    let freqs = Array::from_slice(&[1.0f32, 0.5], &[2])?;
    assert!(fast::rope(&x2()?, 4, false, Some(10000.0), 1.0, 0, Some(&freqs)).is_err());
    Ok(())
}

/// q, k: [1, 1, 3, 2], v: [1, 1, 3, 1].
fn qkv() -> Result<(Array, Array, Array)> {
    Ok((
        Array::from_slice(&[1.0f32, 0.0, 0.0, 1.0, 1.0, 1.0], &[1, 1, 3, 2])?,
        Array::from_slice(&[1.0f32, 0.0, 0.0, 1.0, 1.0, -1.0], &[1, 1, 3, 2])?,
        Array::from_slice(&[1.0f32, 2.0, 4.0], &[1, 1, 3, 1])?,
    ))
}

#[test]
fn attention_matches_python() -> Result<()> {
    let (q, k, v) = qkv()?;
    let sdpa =
        |options: AttentionOptions<'_>| fast::scaled_dot_product_attention(&q, &k, &v, &options);
    assert_allclose(
        &sdpa(AttentionOptions::new(1.0))?,
        &[2.422_319, 1.935_332_7, 1.888_406],
        1e-5,
        1e-6,
    )?;
    // Causal: the first query sees only the first key.
    assert_allclose(
        &sdpa(AttentionOptions::new(1.0).mask(AttentionMask::Causal))?,
        &[1.0, 1.731_058_6, 1.888_406],
        1e-5,
        1e-6,
    )?;
    let bool_mask = Array::from_slice(
        &[true, false, true, true, true, false, false, true, true],
        &[3, 3],
    )?;
    assert_allclose(
        &sdpa(AttentionOptions::new(1.0).mask(AttentionMask::Array(&bool_mask)))?,
        &[2.5, 1.731_058_6, 2.537_883],
        1e-5,
        1e-6,
    )?;
    let additive = Array::from_slice(&[0.0f32, -1.0, 0.0], &[1, 3])?;
    assert_allclose(
        &sdpa(AttentionOptions::new(0.5).mask(AttentionMask::Array(&additive)))?,
        &[2.449_816_2, 2.096_274_4, 2.107_911_6],
        1e-5,
        1e-6,
    )?;
    let sinks = Array::from_slice(&[0.5f32], &[1])?;
    assert_allclose(
        &sdpa(AttentionOptions::new(1.0).sinks(&sinks))?,
        &[1.928_368_6, 1.378_944, 1.503_329_3],
        1e-5,
        1e-6,
    )?;
    Ok(())
}

#[test]
fn attention_shape_errors_are_mlx_messages() -> Result<()> {
    let (q, _, v) = qkv()?;
    let k = Array::zeros(&[1, 1, 3, 5], Dtype::Float32)?;
    let msg = backend_message(fast::scaled_dot_product_attention(
        &q,
        &k,
        &v,
        &AttentionOptions::new(1.0),
    ));
    assert!(msg.starts_with("[scaled_dot_product_attention]"), "{msg}");
    Ok(())
}

#[test]
fn norms_and_cross_entropy() -> Result<()> {
    let logits = Array::from_slice(&[1.0f32, 2.0, 3.0, 0.0, 0.0, 0.0], &[2, 3])?;
    let targets = Array::from_slice(&[2i32, 0], &[2])?;
    // logsumexp([1,2,3]) - 3 = 0.407606; ln 3 = 1.098612.
    assert_allclose(
        &fast::cross_entropy(&logits, &targets)?,
        &[0.407_605_9, 1.098_612_3],
        1e-6,
        1e-6,
    )?;
    let w = Array::from_slice(&[1.0f32, 2.0, 0.5], &[3])?;
    // x / sqrt(mean(x^2)) * w, mean(x^2) = 14/3.
    assert_allclose(
        &fast::rms_norm(
            &Array::from_slice(&[1.0f32, 2.0, 3.0], &[1, 3])?,
            Some(&w),
            1e-5,
        )?,
        &[0.462_909_55, 1.851_638_2, 0.694_364_3],
        1e-5,
        1e-6,
    )?;
    Ok(())
}

#[test]
fn custom_kernels_fail_cleanly_without_their_back_end() -> Result<()> {
    let source = "uint i = thread_position_in_grid.x; out[i] = inp[i];";
    let mut metal = MetalKernelConfig::new()?;
    metal
        .add_output_arg(&[2], Dtype::Float32)?
        .set_grid(2, 1, 1)?
        .set_thread_group(2, 1, 1)?
        .set_init_value(0.0)?
        .set_verbose(false)?
        .add_template_arg_dtype("T", Dtype::Float32)?
        .add_template_arg_int("N", 2)?
        .add_template_arg_bool("B", true)?;
    let x = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    // Custom kernels run on a GPU stream only; the suites' default device may be the CPU
    // even where there is a GPU (`MLXRS_DEFAULT_DEVICE=cpu`, as `cargo xtask test` runs).
    let gpu_stream = if Device::gpu_available() {
        Some(mlxrs::Stream::new(&Device::gpu())?)
    } else {
        None
    };
    let _scope = gpu_stream.as_ref().map(|s| s.scope());
    // Without the back end MLX fails when the kernel is made or when it runs.
    let result = MetalKernel::new("copy", &["inp"], &["out"], source, "", true, false)
        .and_then(|kernel| kernel.apply(std::slice::from_ref(&x), &metal));
    if cfg!(target_os = "macos") && Device::gpu_available() {
        assert_eq!(result?[0].to_vec::<f32>()?, [1.0, 2.0]);
    } else {
        assert_eq!(backend_message(result), "[metal_kernel] No Metal back-end.");
    }

    let mut cuda = CudaKernelConfig::new()?;
    cuda.add_output_arg(&[2], Dtype::Float32)?
        .set_grid(2, 1, 1)?
        .set_thread_group(2, 1, 1)?
        .add_template_arg_int("N", 2)?;
    let result = CudaKernel::new("copy", &["inp"], &["out"], "out[0] = inp[0];", "", true, 0)
        .and_then(|kernel| kernel.apply(&[x], &cuda));
    if cfg!(target_os = "linux") && Device::gpu_available() {
        assert_eq!(result?[0].to_vec::<f32>()?[0], 1.0);
    } else {
        assert_eq!(backend_message(result), "[cuda_kernel] No CUDA back-end.");
    }
    Ok(())
}

#[test]
fn kernel_strings_with_nul_are_invalid_arguments() -> Result<()> {
    let err = MetalKernel::new("k\0", &["a"], &["b"], "", "", true, false).unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument { name: "name", .. }),
        "{err}"
    );
    let err = CudaKernel::new("k", &["a\0"], &["b"], "", "", true, 0).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                name: "input_names",
                ..
            }
        ),
        "{err}"
    );
    let err = MetalKernelConfig::new()?
        .add_template_arg_int("N\0", 1)
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument { name: "name", .. }),
        "{err}"
    );
    Ok(())
}
