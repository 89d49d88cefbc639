//! Threads: which types cross threads, what MLX 0.32 does with arrays and streams that
//! do, and many threads running their own graphs at once.

use std::sync::{Arc, Barrier, RwLock, mpsc};
use std::thread;

use mlxrs::ops::{add, matmul, multiply, square, sum};
use mlxrs::transforms::{Closure, compile, eval, value_and_grad};
use mlxrs::{Array, Device, DeviceGuard, Dtype, Error, Result, SharedArray, Stream, StreamGuard};

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

/// Compiles only while the value's type is not `Send`.
fn not_send<T, M>(_: &T)
where
    T: NotSend<M>,
{
    T::check();
}

#[test]
fn arrays_streams_and_guards_stay_on_their_thread() -> Result<()> {
    // Clones share one C++ array and its lazy graph, and MLX evaluates graphs without
    // locks and keeps streams per thread: neither `Array` nor `&Array` may cross.
    <Array as NotSend<_>>::check();
    <Array as NotSync<_>>::check();
    <Stream as NotSend<_>>::check();
    <Stream as NotSync<_>>::check();
    <StreamGuard as NotSend<_>>::check();
    <DeviceGuard as NotSend<_>>::check();
    // The callables transforms return capture closures and arrays: they stay too.
    let w = Array::from(2.0f32);
    let f = value_and_grad(move |x: &[Array]| Ok(vec![multiply(&x[0], &w)?]), &[0])?;
    not_send(&f);
    let g = compile(|x: &[Array]| Ok(vec![square(&x[0])?]), false)?;
    not_send(&g);
    let guard = Device::cpu().scope()?;
    not_send(&guard);
    Ok(())
}

#[test]
fn send_and_sync_where_documented() {
    assert_send::<SharedArray>();
    assert_sync::<SharedArray>();
    assert_send::<Device>();
    assert_sync::<Device>();
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

/// The lazy chain of the reproduction in the thread-soundness issue: 50 rounds of
/// `b = b * 1.0001 + 0.5` over 4096 ones.
fn lazy_chain() -> Result<Array> {
    let mut b = Array::from_slice(&vec![1.0f32; 4096], &[4096])?;
    for _ in 0..50 {
        b = add(
            &multiply(&b, &Array::from(1.0001f32))?,
            &Array::from(0.5f32),
        )?;
    }
    Ok(b)
}

/// The value of one element of [`lazy_chain`], computed in f64 by hand.
fn lazy_chain_element() -> f64 {
    (0..50).fold(1.0f64, |b, _| b * 1.0001 + 0.5)
}

#[test]
fn the_reproduction_runs_clean_with_shared_arrays() -> Result<()> {
    // The program, in the form the types now require: the clone that goes to
    // the other thread is a `SharedArray` (evaluated here, graph-free), reduced there
    // while this thread reduces its own lazy `b` at the same time. 10,000 rounds, as
    // the issue asks, on two long-lived workers: MLX gives every thread that evaluates
    // its own stream and stream thread, which live until the process ends, so a thread
    // per round would leave 10,000 of them behind (the same test runs under
    // ThreadSanitizer in `cargo xtask tsan`).
    let expected = 4096.0 * lazy_chain_element();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (to_worker, jobs) = mpsc::channel::<SharedArray>();
            let (answer, results) = mpsc::channel::<Result<f32>>();
            let handle = thread::spawn(move || {
                for c in jobs {
                    let r = sum(&c.to_array(), false).and_then(|s| s.item::<f32>());
                    if answer.send(r).is_err() {
                        break;
                    }
                }
            });
            (to_worker, results, handle)
        })
        .collect();
    // `cargo xtask leak-check` runs this under valgrind with fewer rounds.
    let rounds = std::env::var("MLXRS_THREAD_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000usize);
    for round in 0..rounds {
        let (to_worker, results, _) = &workers[round % workers.len()];
        let b = lazy_chain()?;
        let c = b.to_shared()?;
        to_worker.send(c).expect("worker gone");
        let r1 = sum(&b, false).and_then(|s| s.item::<f32>())?;
        let r2 = results.recv().expect("worker gone")?;
        assert!(
            (f64::from(r1) - expected).abs() <= 1e-4 * expected,
            "round {round}: {r1} vs {expected}"
        );
        assert_eq!(r1, r2, "round {round}");
    }
    for (to_worker, _, handle) in workers {
        drop(to_worker);
        handle.join().expect("worker panicked");
    }
    Ok(())
}

#[test]
fn a_shared_array_of_a_graph_still_used_here_is_independent_of_it() -> Result<()> {
    // `y` shares every node of `b`'s graph; its shared copy goes away while this thread
    // evaluates `b` and builds more on both.
    let b = lazy_chain()?;
    let y = add(&b, &Array::from(1.0f32))?;
    let shared = y.to_shared()?;
    let h = thread::spawn(move || -> Result<f32> {
        let a = shared.to_array();
        // New ops on the received array, evaluated there.
        let z = multiply(&a, &a)?;
        sum(&z, false)?.item::<f32>()
    });
    let here = sum(&add(&b, &y)?, false)?.item::<f32>()?;
    let there = h.join().expect("the spawned thread panicked")?;
    let e = lazy_chain_element();
    assert!((f64::from(here) - 4096.0 * (2.0 * e + 1.0)).abs() <= 1e-4 * 4096.0 * (2.0 * e + 1.0));
    let want = 4096.0 * (e + 1.0) * (e + 1.0);
    assert!(
        (f64::from(there) - want).abs() <= 1e-4 * want,
        "{there} vs {want}"
    );
    Ok(())
}

#[test]
fn shared_arrays_keep_shape_dtype_and_strided_data() -> Result<()> {
    // A transposed (strided) view, a broadcast, bool, int and half data, a scalar and an
    // empty array all come through with their values.
    let m = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3])?;
    let t = mlxrs::ops::transpose(&m)?.to_shared()?;
    assert_eq!((t.shape(), t.dtype()), (&[3, 2][..], Dtype::Int32));
    assert_eq!(t.to_vec::<i32>()?, [1, 4, 2, 5, 3, 6]);
    let b = mlxrs::ops::broadcast_to(&Array::from_slice(&[7u8, 8], &[2])?, &[3, 2])?;
    assert_eq!(b.to_shared()?.to_vec::<u8>()?, [7, 8, 7, 8, 7, 8]);
    let flags = Array::from_slice(&[true, false], &[2])?.to_shared()?;
    assert_eq!(flags.to_vec::<bool>()?, [true, false]);
    let h = Array::from_slice(&[half::f16::from_f32(1.5)], &[1])?.to_shared()?;
    assert_eq!(h.to_vec::<half::f16>()?, [half::f16::from_f32(1.5)]);
    assert_eq!(Array::from(3.5f64).to_shared()?.item::<f64>()?, 3.5);
    let empty = Array::zeros(&[0, 3], Dtype::Float32)?.to_shared()?;
    assert_eq!((empty.shape(), empty.size()), (&[0, 3][..], 0));
    let back = on_thread(move || -> Result<Vec<i32>> {
        let a = t.into_array();
        let e = empty.to_array();
        Ok(vec![
            (&a + 1)?.to_vec::<i32>()?.len() as i32,
            e.size() as i32,
        ])
    })?;
    assert_eq!(back, [6, 0]);
    Ok(())
}

/// A server: the weights are converted once and shared by four worker threads behind
/// an `Arc<RwLock<..>>`; each worker answers its own requests with them, and the
/// weights are swapped while the workers run.
#[test]
fn a_server_shares_weights_between_worker_threads() -> Result<()> {
    // y = x · W + b with W = [[1, 2], [3, 4]], b = [10, 20].
    let w = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    let b = Array::from_slice(&[10.0f32, 20.0], &[2])?;
    let weights = Arc::new(RwLock::new(SharedArray::from_arrays(&[w, b])?));
    let start = Arc::new(Barrier::new(5));
    let workers: Vec<_> = (0..4)
        .map(|id| {
            let weights = Arc::clone(&weights);
            let start = Arc::clone(&start);
            thread::spawn(move || -> Result<Vec<f32>> {
                start.wait();
                let mut answers = Vec::new();
                for i in 0..200 {
                    let (w, b) = {
                        let guard = weights.read().expect("weights lock poisoned");
                        (guard[0].to_array(), guard[1].to_array())
                    };
                    let x = Array::from_slice(&[id as f32, i as f32], &[1, 2])?;
                    let y = add(&matmul(&x, &w)?, &b)?;
                    let v = y.to_vec::<f32>()?;
                    // Either the first or the swapped weights (W and b times 2).
                    let k = if v[0] == 10.0 + id as f32 + 3.0 * i as f32 {
                        1.0
                    } else {
                        2.0
                    };
                    assert_eq!(
                        v,
                        [
                            k * (10.0 + id as f32 + 3.0 * i as f32),
                            k * (20.0 + 2.0 * id as f32 + 4.0 * i as f32)
                        ],
                        "worker {id}, request {i}"
                    );
                    answers.push(k);
                }
                Ok(answers)
            })
        })
        .collect();
    start.wait();
    // Swap in new weights while the workers answer.
    let doubled = {
        let guard = weights.read().expect("weights lock poisoned");
        let w2 = (&guard[0].to_array() * 2.0)?;
        let b2 = (&guard[1].to_array() * 2.0)?;
        SharedArray::from_arrays(&[w2, b2])?
    };
    *weights.write().expect("weights lock poisoned") = doubled;
    for (id, h) in workers.into_iter().enumerate() {
        let answers = h.join().expect("worker panicked")?;
        // Once a worker has seen the new weights it never sees the old ones again.
        let first_new = answers
            .iter()
            .position(|&k| k == 2.0)
            .unwrap_or(answers.len());
        assert!(
            answers[first_new..].iter().all(|&k| k == 2.0),
            "worker {id}"
        );
    }
    Ok(())
}

/// A data loader: one thread builds batches and sends them through a channel; the
/// training thread fits `y = a·x` by gradient descent on them.
#[test]
fn a_data_loader_thread_feeds_a_training_thread() -> Result<()> {
    let (tx, rx) = mpsc::sync_channel::<(SharedArray, SharedArray)>(4);
    let loader = thread::spawn(move || -> Result<()> {
        for step in 0..100 {
            let xs: Vec<f32> = (0..16)
                .map(|i| ((step * 16 + i) % 7) as f32 - 3.0)
                .collect();
            let x = Array::from_slice(&xs, &[16])?;
            let y = (&x * 3.0)?; // the true slope is 3
            if tx.send((x.to_shared()?, y.to_shared()?)).is_err() {
                break;
            }
        }
        Ok(())
    });
    let loss_grad = value_and_grad(
        |p: &[Array]| {
            let err = mlxrs::ops::subtract(&multiply(&p[0], &p[1])?, &p[2])?;
            Ok(vec![mlxrs::ops::mean(&square(&err)?, false)?])
        },
        &[0],
    )?;
    let mut a = Array::from(0.0f32);
    let mut batches = 0;
    for (x, y) in rx {
        let (_, g) = loss_grad(&[a.clone(), x.into_array(), y.into_array()])?;
        a = mlxrs::ops::subtract(&a, &(&g[0] * 0.05)?)?;
        a.eval()?;
        batches += 1;
    }
    loader.join().expect("loader panicked")?;
    assert_eq!(batches, 100);
    assert!(
        (a.item::<f32>()? - 3.0).abs() < 1e-3,
        "slope {}",
        a.item::<f32>()?
    );
    Ok(())
}

/// A thread pool: jobs build their own graphs and send their results back as shared
/// arrays, which the caller combines.
#[test]
fn a_thread_pool_sends_results_back() -> Result<()> {
    let results: Vec<SharedArray> = thread::scope(|scope| {
        let jobs: Vec<_> = (0..6)
            .map(|k| {
                scope.spawn(move || -> Result<SharedArray> {
                    let x = mlxrs::ops::arange(0.0, 4.0, 1.0, Dtype::Float32)?;
                    (&x * k as f32)?.to_shared()
                })
            })
            .collect();
        jobs.into_iter()
            .map(|j| j.join().expect("job panicked"))
            .collect::<Result<_>>()
    })?;
    let mut total = Array::zeros(&[4], Dtype::Float32)?;
    for r in &results {
        total = add(&total, &r.to_array())?;
    }
    // sum over k = 0..6 of k * [0, 1, 2, 3] = 15 * [0, 1, 2, 3]
    assert_eq!(total.to_vec::<f32>()?, [0.0, 15.0, 30.0, 45.0]);
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

/// A server with an `nn` model: the trained weights are converted once to shared arrays
/// by name; each worker thread builds its own model from them and answers requests.
#[test]
fn worker_threads_serve_one_nn_model() -> Result<()> {
    use mlxrs::nn::{Linear, Module, ParamMap, UnaryLayer};
    use std::collections::BTreeMap;
    let mut trained = Linear::new(3, 2, true)?;
    let mut p = ParamMap::new();
    p.insert(
        "weight".into(),
        Array::from_slice(&[1.0f32, 0.0, -1.0, 2.0, 1.0, 0.0], &[2, 3])?,
    );
    p.insert("bias".into(), Array::from_slice(&[0.5f32, -0.5], &[2])?);
    trained.update(&p)?;
    let shared: Arc<BTreeMap<String, SharedArray>> = Arc::new(
        trained
            .parameters()
            .into_iter()
            .map(|(k, v)| Ok((k, v.to_shared()?)))
            .collect::<Result<_>>()?,
    );
    let workers: Vec<_> = (0..4)
        .map(|id| {
            let shared = Arc::clone(&shared);
            thread::spawn(move || -> Result<Vec<f32>> {
                let mut model = Linear::new(3, 2, true)?;
                let weights: ParamMap = shared
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_array()))
                    .collect();
                model.update(&weights)?;
                let x = Array::from_slice(&[id as f32, 1.0, 2.0], &[1, 3])?;
                model.forward(&x)?.to_vec::<f32>()
            })
        })
        .collect();
    for (id, w) in workers.into_iter().enumerate() {
        let t = id as f32;
        // [t, 1, 2] · Wᵀ + b = [t - 2 + 0.5, 2t + 1 - 0.5]
        assert_eq!(
            w.join().expect("worker panicked")?,
            [t - 1.5, 2.0 * t + 0.5]
        );
    }
    Ok(())
}
