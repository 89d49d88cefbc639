//! GPU suite: runs only with the `gpu-tests` feature (`cargo xtask test --gpu`, or
//! automatically where MLX was set up with a GPU backend: CUDA or Metal). Each result is
//! checked against the same computation on the CPU.
#![cfg(feature = "gpu-tests")]

use mlxrs::ops::{matmul, softmax_axis, sum};
use mlxrs::transforms::{compile, eval, value_and_grad};
use mlxrs::{Array, Device, DeviceType, Dtype, Result, Stream};

fn data(n: i32, phase: f32) -> Result<Array> {
    let i = Array::arange(0.0, (n * n) as f64, 1.0, Dtype::Float32)?;
    let v = mlxrs::ops::sin(&((&i * 0.37)? + phase)?)?;
    mlxrs::ops::reshape(&v, &[n, n])
}

/// Runs `f` once on a GPU stream and once on a CPU stream.
fn both<T>(f: impl Fn() -> Result<T>) -> Result<(T, T)> {
    let gpu = {
        let s = Stream::new(&Device::gpu())?;
        let _g = s.scope();
        f()?
    };
    let cpu = {
        let s = Stream::new(&Device::cpu())?;
        let _g = s.scope();
        f()?
    };
    Ok((gpu, cpu))
}

fn assert_close(a: &[f32], b: &[f32], tol: f32) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "element {i}: gpu {x} vs cpu {y}"
        );
    }
}

#[test]
fn a_gpu_is_present() -> Result<()> {
    assert!(Device::gpu().is_available()?);
    assert!(Device::count(DeviceType::Gpu)? >= 1);
    println!("{}", mlxrs::info()?);
    Ok(())
}

#[test]
fn matmul_softmax_and_reductions_match_the_cpu() -> Result<()> {
    let (g, c) = both(|| {
        let a = data(256, 0.0)?;
        let b = data(256, 1.0)?;
        let m = matmul(&a, &b)?;
        let out = vec![softmax_axis(&m, -1, false)?, sum(&m, false)?];
        eval(&[&out[0], &out[1]])?;
        Ok(out)
    })?;
    // MLX's CUDA backend multiplies f32 matrices in TF32 (10-bit mantissa) unless
    // MLX_ENABLE_TF32=0: a relative error of a few 1e-3 (seen: 2.7e-3 on an H100).
    assert_close(&g[0].to_vec::<f32>()?, &c[0].to_vec::<f32>()?, 1e-2);
    assert_close(&g[1].to_vec::<f32>()?, &c[1].to_vec::<f32>()?, 1e-2);
    Ok(())
}

#[test]
fn half_precision_matmul_matches_the_cpu() -> Result<()> {
    for dtype in [Dtype::Float16, Dtype::Bfloat16] {
        let (g, c) = both(|| {
            let a = data(128, 0.5)?.astype(dtype)?;
            let b = data(128, 1.5)?.astype(dtype)?;
            matmul(&a, &b)?.astype(Dtype::Float32)
        })?;
        assert_close(&g.to_vec::<f32>()?, &c.to_vec::<f32>()?, 5e-2);
    }
    Ok(())
}

#[test]
fn value_and_grad_and_compile_run_on_the_gpu() -> Result<()> {
    let (g, c) = both(|| {
        let vag = value_and_grad(|x: &[Array]| Ok(vec![sum(&(&x[0] * &x[0])?, false)?]), &[0])?;
        let f = compile(
            move |x: &[Array]| {
                let (mut v, g) = vag(x)?;
                v.extend(g);
                Ok(v)
            },
            false,
        )?;
        let x = data(64, 0.25)?;
        f(&[x])
    })?;
    assert_close(&g[0].to_vec::<f32>()?, &c[0].to_vec::<f32>()?, 1e-4);
    assert_close(&g[1].to_vec::<f32>()?, &c[1].to_vec::<f32>()?, 1e-5);
    Ok(())
}

#[test]
fn gpu_memory_is_accounted() -> Result<()> {
    let s = Stream::new(&Device::gpu())?;
    let _g = s.scope();
    let a = Array::ones(&[1024, 1024], Dtype::Float32)?;
    a.eval()?;
    assert!(mlxrs::memory::active_memory()? >= 4 << 20);
    Ok(())
}

#[test]
fn a_device_scope_switches_the_default_and_restores_it() -> Result<()> {
    // The only test of this binary that relies on the default device (the others scope
    // their own streams), so it may change it while they run. The starting default is
    // the GPU, or the CPU under `MLXRS_DEFAULT_DEVICE=cpu` (as `cargo xtask test` runs).
    let kind = |d: Result<Device>| d.and_then(|d| d.device_type());
    let before = kind(Device::default_device())?;
    {
        let _gpu = Device::gpu().scope()?;
        assert_eq!(kind(Device::default_device())?, DeviceType::Gpu);
        assert_eq!(kind(Stream::current()?.device())?, DeviceType::Gpu);
        let x = (&Array::from_slice(&[1.0f32, 2.0], &[2])? * 3.0)?;
        assert_eq!(x.to_vec::<f32>()?, [3.0, 6.0]);
        {
            let _cpu = Device::cpu().scope()?;
            assert_eq!(kind(Device::default_device())?, DeviceType::Cpu);
            assert_eq!(kind(Stream::current()?.device())?, DeviceType::Cpu);
        }
        assert_eq!(kind(Device::default_device())?, DeviceType::Gpu);
        assert_eq!(kind(Stream::current()?.device())?, DeviceType::Gpu);
    }
    assert_eq!(kind(Device::default_device())?, before);
    Ok(())
}

#[test]
fn a_custom_cuda_kernel_runs_on_the_gpu() -> Result<()> {
    use mlxrs::fast::{CudaKernel, CudaKernelConfig};
    if cfg!(target_os = "macos") {
        // Metal: its custom kernels are checked in tests/it/fast.rs.
        return Ok(());
    }
    let n = 1000;
    let x = Array::arange(0.0, f64::from(n), 1.0, Dtype::Float32)?;
    let kernel = CudaKernel::new(
        "twice_plus_one",
        &["inp"],
        &["out"],
        "auto i = blockIdx.x * blockDim.x + threadIdx.x;\n\
         if (i < N) { out[i] = inp[i] * 2.0f + 1.0f; }",
        "",
        true,
        0,
    )?;
    let mut config = CudaKernelConfig::new()?;
    config
        .add_output_arg(&[n], Dtype::Float32)?
        .set_grid(n, 1, 1)?
        .set_thread_group(256, 1, 1)?
        .add_template_arg_int("N", n)?;
    let s = Stream::new(&Device::gpu())?;
    let _g = s.scope();
    let out = kernel.apply(std::slice::from_ref(&x), &config)?;
    assert_eq!(out.len(), 1);
    let want: Vec<f32> = (0..n).map(|i| i as f32 * 2.0 + 1.0).collect();
    assert_eq!(out[0].to_vec::<f32>()?, want);
    Ok(())
}

/// The text of an error, for the checks below.
fn message(e: &mlxrs::Error) -> String {
    e.to_string().to_lowercase()
}

#[test]
fn an_allocation_larger_than_the_card_is_an_err() -> Result<()> {
    // 4 TiB of float32: more than any GPU's memory (an H200 has 141 GB). MLX's CUDA
    // allocator refuses it; that must reach the caller as an `Err`, and the device must
    // stay usable afterwards.
    let s = Stream::new(&Device::gpu())?;
    let _g = s.scope();
    let huge = Array::ones(&[1 << 20, 1 << 20], Dtype::Float32)?;
    let err = huge
        .eval()
        .expect_err("a 4 TiB allocation on the GPU succeeded");
    let text = message(&err);
    assert!(
        text.contains("memory") || text.contains("alloc"),
        "the error names no allocation: {err}"
    );
    drop(huge);
    let x = (&Array::from_slice(&[1.0f32, 2.0], &[2])? + 1.0)?;
    assert_eq!(x.to_vec::<f32>()?, [2.0, 3.0]);
    Ok(())
}

#[test]
fn a_custom_cuda_kernel_that_does_not_compile_is_an_err() -> Result<()> {
    use mlxrs::fast::{CudaKernel, CudaKernelConfig};
    if cfg!(target_os = "macos") {
        return Ok(());
    }
    let n = 16;
    let x = Array::arange(0.0, f64::from(n), 1.0, Dtype::Float32)?;
    // `undeclared_name` is no variable: NVRTC rejects the kernel.
    let kernel = CudaKernel::new(
        "does_not_compile",
        &["inp"],
        &["out"],
        "auto i = threadIdx.x; out[i] = inp[i] + undeclared_name;",
        "",
        true,
        0,
    )?;
    let mut config = CudaKernelConfig::new()?;
    config
        .add_output_arg(&[n], Dtype::Float32)?
        .set_grid(n, 1, 1)?
        .set_thread_group(n, 1, 1)?;
    let s = Stream::new(&Device::gpu())?;
    let _g = s.scope();
    let result = kernel
        .apply(std::slice::from_ref(&x), &config)
        .and_then(|out| out[0].eval());
    let err = result.expect_err("a kernel with an undeclared name compiled and ran");
    assert!(
        message(&err).contains("undeclared_name") || message(&err).contains("compil"),
        "the error does not say the kernel failed to compile: {err}"
    );
    // The GPU still works.
    let y = (&x * 2.0)?;
    assert_eq!(y.to_vec::<f32>()?[3], 6.0);
    Ok(())
}

#[test]
fn float64_on_the_gpu_is_an_err() -> Result<()> {
    // MLX's GPU backends have no float64: an op on it is an `Err`, not an abort.
    let s = Stream::new(&Device::gpu())?;
    let _g = s.scope();
    // MLX refuses it where the array first meets the GPU stream (seen: already at its
    // creation from host data, "float64 is not supported on the GPU").
    let result = Array::from_slice(&[1.0f64, 2.0, 3.0], &[3])
        .and_then(|a| sum(&(&a * &a)?, false))
        .and_then(|r| r.eval().map(|()| r));
    let err = result.expect_err("float64 arithmetic ran on the GPU");
    assert!(
        message(&err).contains("float64") || message(&err).contains("double"),
        "the error does not name float64: {err}"
    );
    Ok(())
}
