//! Threads: which types cross threads, what MLX 0.32 does with arrays and streams that
//! do, and many threads running their own graphs at once.

use std::sync::{Arc, Barrier};
use std::thread;

use mlxrs::ops::{add, matmul, multiply, square, sum};
use mlxrs::transforms::{Closure, eval, value_and_grad};
use mlxrs::{Array, Device, Dtype, Error, Result, Stream};

use crate::support::{MATMUL_MESSAGE, backend_message};

fn assert_send<T: Send>() {}
fn assert_sync<T: Sync>() {}

/// Compiles only while `T` is not `Sync`: with a `Sync` type both impls apply and the
/// call below becomes ambiguous.
trait NotSync<Marker> {
    fn check() {}
}
impl<T: ?Sized> NotSync<()> for T {}
impl<T: ?Sized + Sync> NotSync<u8> for T {}

/// Compiles only while `T` is not `Send` (the same construction).
trait NotSend<Marker> {
    fn check() {}
}
impl<T: ?Sized> NotSend<()> for T {}
impl<T: ?Sized + Send> NotSend<u8> for T {}

#[test]
fn closure_handles_are_neither_send_nor_sync() {
    // They hold Rust closures that need not be `Send`, called back on the applying thread.
    <Closure as NotSend<_>>::check();
    <Closure as NotSync<_>>::check();
}

#[test]
fn array_is_send_but_not_sync() {
    // Clones share one C++ array, and two threads evaluating one lazy graph would race:
    // `&Array` must not cross threads.
    assert_send::<Array>();
    <Array as NotSync<_>>::check();
}

#[test]
fn send_and_sync_where_documented() {
    assert_send::<Array>();
    assert_send::<Device>();
    assert_sync::<Device>();
    assert_send::<Stream>();
    assert_sync::<Stream>();
    assert_send::<Dtype>();
    assert_sync::<Dtype>();
    // Errors can cross threads (and go into `Box<dyn Error + Send + Sync>`).
    assert_send::<Error>();
    assert_sync::<Error>();
}

/// Runs `f` on a new thread and returns its result.
fn on_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    thread::spawn(f)
        .join()
        .expect("the spawned thread panicked")
}

#[test]
fn an_evaluated_array_moves_to_another_thread_and_back() -> Result<()> {
    let x = Array::from_slice(&[0.0f32, 1.5, -2.0], &[3])?;
    let a = add(&multiply(&x, &x)?, &Array::from(1.0f32))?;
    a.eval()?;
    let expected = [1.0, 3.25, 5.0];
    let (read, doubled) = on_thread(move || -> Result<_> {
        // Read there, and used as the input of new work there.
        let read = a.to_vec::<f32>()?;
        let doubled = add(&a, &a)?;
        doubled.eval()?;
        Ok((read, doubled))
    })?;
    assert_eq!(read, expected);
    // Evaluated on the other thread, read here.
    assert_eq!(doubled.to_vec::<f32>()?, expected.map(|x| 2.0 * x));
    Ok(())
}

#[test]
fn a_lazy_array_cannot_be_evaluated_on_another_thread() -> Result<()> {
    let x = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    let lazy = multiply(&x, &x)?;
    // Each thread has its own default stream; MLX names this thread's in the error.
    let expected = format!(
        "There is no Stream(cpu, {}) in current thread.",
        Stream::current()?.index()?
    );
    let (lazy, message, derived_message) = on_thread(move || {
        // MLX 0.32 keeps streams per thread: the graph's stream is this thread's.
        let message = backend_message(lazy.to_vec::<f32>());
        // Building on it works (op building uses this thread's stream), evaluating
        // fails in the same way.
        let derived_message = add(&lazy, &lazy).map(|d| backend_message(d.eval()));
        (lazy, message, derived_message)
    });
    assert_eq!(message, expected);
    assert_eq!(derived_message?, expected);
    // Back on the thread that built it, the same array evaluates to the right value.
    assert_eq!(lazy.to_vec::<f32>()?, [1.0, 4.0]);
    // Dropping a lazy array on another thread is fine.
    let other = square(&x)?;
    on_thread(move || drop(other));
    Ok(())
}

#[test]
fn a_stream_moved_to_another_thread_keeps_its_identity_but_not_its_work() -> Result<()> {
    let s = Stream::new(&Device::cpu())?;
    let index = s.index()?;
    let (device, moved_index, message) = on_thread(move || -> Result<_> {
        let device = s.device()?;
        let moved_index = s.index()?;
        let x = Array::from(2.0f32);
        let y = mlxrs::stream::with_stream(&s, || square(&x))?;
        Ok((device, moved_index, backend_message(y.eval())))
    })?;
    assert_eq!(device, Device::cpu());
    assert_eq!(moved_index, index);
    assert_eq!(
        message,
        format!("There is no Stream(cpu, {index}) in current thread.")
    );
    Ok(())
}

#[test]
fn a_device_is_shared_between_threads() -> Result<()> {
    let cpu = Arc::new(Device::cpu());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let cpu = Arc::clone(&cpu);
            thread::spawn(move || -> Result<bool> {
                Ok(cpu.device_type()? == mlxrs::DeviceType::Cpu
                    && *cpu == Device::default_device()?
                    && Stream::default_for(&cpu)?.device()? == *cpu)
            })
        })
        .collect();
    for h in handles {
        assert!(h.join().expect("device thread panicked")?);
    }
    Ok(())
}

/// One thread's workload: its own graphs, value_and_grad, eval and caught errors.
fn worker(id: usize, iterations: usize) -> Result<()> {
    let c = id as f32 + 1.0;
    let scale = Array::from(c);
    // f(x) = c * sum(x^2); df/dx = 2cx.
    let f = value_and_grad(
        move |x: &[Array]| Ok(vec![multiply(&sum(&square(&x[0])?, false)?, &scale)?]),
        &[0],
    )?;
    for i in 0..iterations {
        let t = i as f32;
        let x = Array::from_slice(&[t, 1.0, -2.0], &[3])?;
        let (value, grads) = f(std::slice::from_ref(&x))?;
        let y = add(&x, &Array::from(c))?;
        // [[1, t], [0, 1]] · [[c], [1]] = [[c + t], [1]]
        let m = matmul(
            &Array::from_slice(&[1.0f32, t, 0.0, 1.0], &[2, 2])?,
            &Array::from_slice(&[c, 1.0], &[2, 1])?,
        )?;
        eval(&[&value[0], &grads[0], &y, &m])?;
        assert_eq!(
            value[0].item::<f32>()?,
            c * (t * t + 5.0),
            "thread {id}, i {i}"
        );
        assert_eq!(
            grads[0].to_vec::<f32>()?,
            [2.0 * c * t, 2.0 * c, -4.0 * c],
            "thread {id}, i {i}"
        );
        assert_eq!(y.to_vec::<f32>()?, [t + c, 1.0 + c, c - 2.0]);
        assert_eq!(m.to_vec::<f32>()?, [c + t, 1.0]);
        if i % 3 == id % 3 {
            let bad = matmul(
                &Array::zeros(&[2, 3], Dtype::Float32)?,
                &Array::zeros(&[4, 2], Dtype::Float32)?,
            );
            assert_eq!(backend_message(bad), MATMUL_MESSAGE, "thread {id}, i {i}");
        }
    }
    Ok(())
}

#[test]
fn eight_threads_run_their_own_graphs_concurrently() {
    const THREADS: usize = 8;
    const ITERATIONS: usize = 300;
    let start = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|id| {
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                worker(id, ITERATIONS)
            })
        })
        .collect();
    for (id, h) in handles.into_iter().enumerate() {
        match h.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("thread {id} failed: {e}"),
            Err(_) => panic!("thread {id} panicked"),
        }
    }
}
