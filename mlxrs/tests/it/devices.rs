//! Devices and streams: identity, availability, the default device and its scope guard,
//! streams and the current-stream convention.
//!
//! The default device is process-wide and the tests of this binary run in parallel, so
//! the tests that set it hold `DEFAULT_DEVICE` and only ever set the CPU (the default of
//! this build already); other threads therefore always see the CPU.

use std::sync::{Mutex, MutexGuard};

use mlxrs::ops::{exp, matmul, multiply, sum};
use mlxrs::stream::{synchronize, with_stream};
use mlxrs::transforms::{async_eval, value_and_grad};
use mlxrs::{Array, Device, DeviceType, Dtype, Error, Result, Stream};

use crate::support::{assert_allclose, backend_message};

static DEFAULT_DEVICE: Mutex<()> = Mutex::new(());

fn lock_default_device() -> MutexGuard<'static, ()> {
    // A failed test holding the lock must not fail the others.
    DEFAULT_DEVICE.lock().unwrap_or_else(|e| e.into_inner())
}

fn gpu_count() -> Result<usize> {
    Device::count(DeviceType::Gpu)
}

#[test]
fn cpu_and_gpu_devices_have_type_and_index() -> Result<()> {
    let cpu = Device::cpu();
    assert_eq!(cpu.device_type()?, DeviceType::Cpu);
    assert_eq!(cpu.index()?, 0);
    assert_eq!(format!("{cpu:?}"), "Device(cpu, 0)");
    assert_eq!(cpu.to_string(), "Device(cpu, 0)");
    let gpu = Device::gpu();
    assert_eq!(gpu.device_type()?, DeviceType::Gpu);
    assert_eq!(gpu.index()?, 0);
    assert_eq!(format!("{gpu}"), "Device(gpu, 0)");
    let other = Device::new(DeviceType::Cpu, 3);
    assert_eq!((other.device_type()?, other.index()?), (DeviceType::Cpu, 3));
    assert_eq!(cpu, Device::new(DeviceType::Cpu, 0));
    assert_eq!(cpu.clone(), cpu);
    assert_ne!(cpu, gpu);
    assert_ne!(cpu, other);
    Ok(())
}

#[test]
fn availability_agrees_with_the_device_count() -> Result<()> {
    assert!(Device::cpu().is_available()?);
    assert_eq!(Device::count(DeviceType::Cpu)?, 1);
    let gpus = gpu_count()?;
    let available = Device::gpu().is_available()?;
    assert_eq!(available, gpus > 0);
    assert_eq!(Device::gpu_available(), available);
    if cfg!(not(feature = "gpu-tests")) {
        // This CPU-only build (mlx-cpu): MLX sees no GPU.
        assert_eq!((gpus, available), (0, false));
    }
    Ok(())
}

#[test]
fn the_default_device_is_the_cpu_without_a_gpu() -> Result<()> {
    let _lock = lock_default_device();
    let default = Device::default_device()?;
    // `cargo xtask test` runs the suites on the CPU on every backend.
    let forced_cpu = std::env::var("MLXRS_DEFAULT_DEVICE").as_deref() == Ok("cpu");
    if gpu_count()? == 0 || forced_cpu {
        assert_eq!(default, Device::cpu());
    } else {
        assert_eq!(default, Device::gpu());
    }
    Ok(())
}

#[test]
fn setting_the_default_device() -> Result<()> {
    let _lock = lock_default_device();
    let before = Device::default_device()?;
    Device::set_default(&Device::cpu())?;
    assert_eq!(Device::default_device()?, Device::cpu());
    if gpu_count()? == 0 {
        // Refused by MLX, and nothing changes.
        assert_eq!(
            backend_message(Device::set_default(&Device::gpu())),
            "[set_default_device] Cannot set gpu device without gpu backend."
        );
        assert_eq!(Device::default_device()?, Device::cpu());
    }
    Device::set_default(&before)?;
    assert_eq!(Device::default_device()?, before);
    Ok(())
}

#[test]
fn device_scope_restores_the_previous_default_also_when_nested() -> Result<()> {
    let _lock = lock_default_device();
    let before = Device::default_device()?;
    let x = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    {
        let _outer = Device::cpu().scope()?;
        assert_eq!(Device::default_device()?, Device::cpu());
        {
            let _inner = Device::cpu().scope()?;
            assert_eq!(Device::default_device()?, Device::cpu());
            // Ops run on the scoped device's default stream.
            assert_eq!(Stream::current()?, Stream::default_for(&Device::cpu())?);
            assert_eq!(multiply(&x, &x)?.to_vec::<f32>()?, [1.0, 4.0]);
        }
        assert_eq!(Device::default_device()?, Device::cpu());
        if gpu_count()? == 0 {
            // A scope that cannot start changes nothing and restores nothing.
            match Device::gpu().scope() {
                Err(Error::Backend(m)) => assert!(m.starts_with("[set_default_device]"), "{m}"),
                Err(other) => panic!("expected Backend, got {other:?}"),
                Ok(_) => panic!("the GPU scope started on a build without a GPU"),
            }
            assert_eq!(Device::default_device()?, Device::cpu());
        }
        assert_eq!(sum(&x, false)?.item::<f32>()?, 3.0);
    }
    assert_eq!(Device::default_device()?, before);
    assert_eq!(sum(&x, false)?.item::<f32>()?, 3.0);
    Ok(())
}

#[test]
fn default_streams_are_per_thread() -> Result<()> {
    if crate::support::skip_on_gpu("asserts the CPU as the default device") {
        return Ok(());
    }
    let s = Stream::default_for(&Device::cpu())?;
    assert_eq!(s.device()?, Device::cpu());
    let index = s.index()?;
    assert_eq!(format!("{s:?}"), format!("Stream(Device(cpu, 0), {index})"));
    // Stable on this thread.
    assert_eq!(Stream::default_for(&Device::cpu())?, s);
    assert_eq!(Stream::default_for(&Device::cpu())?.index()?, index);
    // With no scope, ops use the default device's default stream.
    assert_eq!(
        Stream::current()?,
        Stream::default_for(&Device::default_device()?)?
    );
    assert_eq!(Stream::current()?, s);
    assert_eq!(s.clone(), s);
    // MLX 0.32 gives each thread its own default stream (as Python's threads show:
    // Stream(Device(cpu, 0), 1), then 2, ...), stable within that thread.
    // (`Stream` is not `Send`: the other thread reports what it sees.)
    let (same, device, other_index) = std::thread::spawn(|| -> Result<_> {
        let first = Stream::default_for(&Device::cpu())?;
        let second = Stream::current()?;
        Ok((first == second, first.device()?, first.index()?))
    })
    .join()
    .expect("stream thread panicked")?;
    assert!(same);
    assert_eq!(device, Device::cpu());
    assert_ne!(other_index, index);
    Ok(())
}

#[test]
fn new_streams_are_distinct() -> Result<()> {
    let a = Stream::new(&Device::cpu())?;
    let b = Stream::new(&Device::cpu())?;
    assert_eq!(a.device()?, Device::cpu());
    assert_eq!(b.device()?, Device::cpu());
    let (ia, ib) = (a.index()?, b.index()?);
    let default = Stream::default_for(&Device::cpu())?.index()?;
    assert!(
        ia != default && ib != default,
        "new streams {ia}, {ib} reuse the default's index {default}"
    );
    assert_ne!(ia, ib);
    assert_ne!(a, b);
    assert_ne!(a, Stream::default_for(&Device::cpu())?);
    assert_eq!(format!("{a:?}"), format!("Stream(Device(cpu, 0), {ia})"));
    if gpu_count()? == 0 {
        assert_eq!(
            backend_message(Stream::new(&Device::gpu())),
            "[new_stream] Cannot make gpu stream without gpu backend."
        );
    }
    Ok(())
}

#[test]
fn stream_scopes_nest_and_restore() -> Result<()> {
    if crate::support::skip_on_gpu("asserts the CPU as the default device") {
        return Ok(());
    }
    let default = Stream::current()?;
    let s1 = Stream::new(&Device::cpu())?;
    let s2 = Stream::new(&Device::cpu())?;
    {
        let _g1 = s1.scope();
        assert_eq!(Stream::current()?, s1);
        {
            let _g2 = s2.scope();
            assert_eq!(Stream::current()?, s2);
        }
        assert_eq!(Stream::current()?, s1);
        // with_stream returns its closure's value and restores, too.
        let inner = with_stream(&s2, Stream::current)?;
        assert_eq!(inner, s2);
        assert_eq!(Stream::current()?, s1);
    }
    assert_eq!(Stream::current()?, default);
    Ok(())
}

#[test]
fn ops_under_a_scoped_stream_compute_correctly() -> Result<()> {
    let s = Stream::new(&Device::cpu())?;
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    let b = Array::from_slice(&[5.0f32, 6.0, 7.0, 8.0], &[2, 2])?;
    let (product, grads) = with_stream(&s, || -> Result<_> {
        let p = matmul(&a, &b)?;
        let f = |x: &[Array]| Ok(vec![sum(&multiply(&x[0], &x[0])?, false)?]);
        let (_, g) = value_and_grad(f, &[0])?(std::slice::from_ref(&a))?;
        async_eval(&[&p, &g[0]])?;
        s.synchronize()?;
        Ok((p, g))
    })?;
    assert_eq!(product.to_vec::<f32>()?, [19.0, 22.0, 43.0, 50.0]);
    assert_eq!(grads[0].to_vec::<f32>()?, [2.0, 4.0, 6.0, 8.0]);
    // The default stream can be waited on as well.
    let e = exp(&Array::zeros(&[3], Dtype::Float32)?)?;
    async_eval(&[&e])?;
    synchronize()?;
    Stream::default_for(&Device::cpu())?.synchronize()?;
    assert_eq!(e.to_vec::<f32>()?, [1.0; 3]);
    Ok(())
}

#[test]
fn ops_really_run_on_the_scoped_stream() -> Result<()> {
    // A stream of this thread other than the default one: under its scope it is the
    // current stream, ops built there evaluate (MLX serves it on this thread), and
    // synchronizing it waits for them.
    let s = Stream::new(&Device::cpu())?;
    let default = Stream::default_for(&Device::cpu())?;
    assert_ne!(s, default);
    let x = Array::from_slice(&[0.0f32, 1.0], &[2])?;
    let (current, y) = with_stream(&s, || -> Result<_> { Ok((Stream::current()?, exp(&x)?)) })?;
    assert_eq!(current, s);
    mlxrs::transforms::async_eval(&[&y])?;
    s.synchronize()?;
    assert_allclose(&y, &[1.0, std::f32::consts::E], 1e-6, 0.0)?;
    // The same op outside the scope runs on this thread's default stream.
    assert_eq!(Stream::current()?, default);
    let z = exp(&x)?;
    assert_allclose(&z, &[1.0, std::f32::consts::E], 1e-6, 0.0)?;
    Ok(())
}

#[test]
fn stream_guards_dropped_out_of_order_keep_the_live_scope() -> mlxrs::Result<()> {
    if crate::support::skip_on_gpu("asserts the CPU as the default device") {
        return Ok(());
    }
    use mlxrs::{Device, Stream};
    let a = Stream::new(&Device::cpu())?;
    let b = Stream::new(&Device::cpu())?;
    let base = Stream::current()?;
    let guard_a = a.scope();
    let guard_b = b.scope();
    assert_eq!(Stream::current()?, b);
    drop(guard_a); // out of order: b's scope is still alive and stays current
    assert_eq!(Stream::current()?, b);
    drop(guard_b);
    assert_eq!(Stream::current()?, base);
    Ok(())
}
