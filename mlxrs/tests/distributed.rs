//! `mlxrs::distributed` with several real processes: MLX's `ring` backend on 127.0.0.1.
//!
//! A multi-process test runs as a parent and as ranks. The parent (an ordinary test)
//! starts this test binary N times with `--exact <its own name>`, `MLX_RANK`,
//! `MLX_HOSTFILE` (free loopback ports picked at run time) and `MLXRS_DIST_RANK_TEST=ring`,
//! through the same launcher as `cargo xtask launch` (xtask/src/launch/local.rs); each
//! rank then runs the test's body and panics on a wrong value, which fails the parent
//! with every rank's output. Ranks have a watchdog and the launcher a timeout, so no run
//! outlives its test. Expected values are computed locally by each rank from the inputs
//! of all ranks (which are functions of the rank), independently of MLX's communication.
//!
//! The `mpi_*` tests run the same checks under Open MPI's `mpirun` with the `mpi`
//! backend (skipped, saying so, where `mpirun` is not installed).
//!
//! The single-process tests (no launcher) check Python's singleton-group semantics and
//! the errors.

#![allow(
    clippy::needless_borrows_for_generic_args,
    reason = "`&[2, 3]` is the documented way to write a shape"
)]

#[path = "../../xtask/src/launch/local.rs"]
#[allow(dead_code)]
mod local;

use std::time::Duration;

use mlxrs::distributed::{self, Backend, Group};
use mlxrs::nn::{self, Linear, Module, ParamMap, UnaryLayer};
use mlxrs::optimizers::{Optimizer, SGD};
use mlxrs::{Array, Dtype, Error, ops};

const RANK_ENV: &str = "MLXRS_DIST_RANK_TEST";

/// Runs `body` as each of `n` ranks of the `ring` backend (see the module docs). In the
/// parent, returns once all ranks succeeded, else panics with the launcher's message and
/// the ranks' output.
fn ranks(test: &str, n: usize, body: impl FnOnce(&Group)) {
    if let Some(backend) = rank_backend() {
        return run_rank(backend, n, body);
    }
    let exe = std::env::current_exe().expect("test binary path");
    let launch = local::LocalLaunch {
        ranks: n,
        command: vec![
            exe.to_string_lossy().into_owned(),
            test.to_owned(),
            "--exact".into(),
            "--nocapture".into(),
            "--test-threads=1".into(),
        ],
        env: vec![(RANK_ENV.into(), "ring".into())],
        verbose: false,
        timeout: Duration::from_secs(55),
        capture: true,
    };
    if let Err(e) = local::run_local(&launch) {
        panic!("{test} with {n} ranks failed: {e}");
    }
}

/// The backend this process runs a rank of (`MLXRS_DIST_RANK_TEST`), if it is a rank.
fn rank_backend() -> Option<Backend> {
    std::env::var(RANK_ENV)
        .ok()
        .map(|b| b.parse().expect("rank backend"))
}

fn run_rank(backend: Backend, n: usize, body: impl FnOnce(&Group)) {
    // Watchdog: a rank never outlives a stuck peer by long.
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(50));
        eprintln!("rank watchdog: giving up after 50 s");
        std::process::exit(3);
    });
    let group = distributed::init(true, backend).expect("distributed init");
    assert_eq!(group.size().unwrap(), n as i32);
    body(&group);
}

/// Runs `body` as each of `n` ranks of the `mpi` backend, under Open MPI's `mpirun`
/// (through the launcher's supervision: output prefixed, timeout). Where `mpirun` is not
/// installed the test says so and passes (`.ci/run` installs Open MPI).
fn mpi_ranks(test: &str, n: usize, body: impl FnOnce(&Group)) {
    if let Some(backend) = rank_backend() {
        return run_rank(backend, n, body);
    }
    if std::process::Command::new("mpirun")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("{test}: skipped, no mpirun (apt-get install openmpi-bin libopenmpi-dev)");
        return;
    }
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = std::process::Command::new("mpirun");
    cmd.args([
        "--oversubscribe",
        "--allow-run-as-root",
        "-np",
        &n.to_string(),
    ])
    .arg(exe)
    .args([test, "--exact", "--nocapture", "--test-threads=1"])
    .env(RANK_ENV, "mpi");
    if let Err(e) = local::supervise(vec![cmd], Duration::from_secs(55), true) {
        panic!("{test} under mpirun -np {n} failed: {e}");
    }
}

/// Rank `r`'s input for a collective: shape `[2, 3]`, small integers (exact in every
/// dtype), differing by rank.
fn input_values(r: i32) -> Vec<f64> {
    (0..6)
        .map(|i| f64::from((i * 3 + r * 5) % 11 - 4))
        .collect()
}

fn make(values: &[f64], shape: &[i32], dtype: Dtype) -> Array {
    let v: Vec<f32> = values.iter().map(|&x| x as f32).collect();
    Array::from_slice(&v, shape).unwrap().astype(dtype).unwrap()
}

fn read(a: &Array) -> Vec<f64> {
    a.astype(Dtype::Float64)
        .unwrap()
        .to_vec::<f64>()
        .unwrap_or_else(|_| {
            a.astype(Dtype::Float32)
                .unwrap()
                .to_vec::<f32>()
                .unwrap()
                .into_iter()
                .map(f64::from)
                .collect()
        })
}

const DTYPES: [Dtype; 4] = [
    Dtype::Float32,
    Dtype::Int32,
    Dtype::Float16,
    Dtype::Bfloat16,
];

fn check_collectives(group: &Group) {
    let r = group.rank().unwrap();
    let n = group.size().unwrap();
    let all: Vec<Vec<f64>> = (0..n).map(input_values).collect();
    for dtype in DTYPES {
        let x = make(&all[r as usize], &[2, 3], dtype);
        let sum = distributed::all_sum(&x, Some(group)).unwrap();
        let max = distributed::all_max(&x, Some(group)).unwrap();
        let min = distributed::all_min(&x, Some(group)).unwrap();
        let gathered = distributed::all_gather(&x, Some(group)).unwrap();
        mlxrs::eval(&[&sum, &max, &min, &gathered]).unwrap();
        let want_sum: Vec<f64> = (0..6).map(|i| all.iter().map(|v| v[i]).sum()).collect();
        let want_max: Vec<f64> = (0..6)
            .map(|i| all.iter().map(|v| v[i]).fold(f64::MIN, f64::max))
            .collect();
        let want_min: Vec<f64> = (0..6)
            .map(|i| all.iter().map(|v| v[i]).fold(f64::MAX, f64::min))
            .collect();
        let want_gather: Vec<f64> = all.concat();
        for (a, what) in [(&sum, "sum"), (&max, "max"), (&min, "min")] {
            assert_eq!(a.dtype(), dtype, "all_{what} {dtype:?}");
            assert_eq!(a.shape(), &[2, 3], "all_{what} {dtype:?}");
        }
        assert_eq!(read(&sum), want_sum, "all_sum {dtype:?} rank {r}");
        assert_eq!(read(&max), want_max, "all_max {dtype:?} rank {r}");
        assert_eq!(read(&min), want_min, "all_min {dtype:?} rank {r}");
        assert_eq!(gathered.shape(), &[2 * n, 3], "all_gather {dtype:?}");
        assert_eq!(
            read(&gathered),
            want_gather,
            "all_gather {dtype:?} rank {r}"
        );
    }
    // A scalar gathers to a vector of one entry per rank.
    let s = distributed::all_gather(&Array::from(r as f32 * 2.0), Some(group)).unwrap();
    assert_eq!(s.shape(), &[n]);
    assert_eq!(
        s.to_vec::<f32>().unwrap(),
        (0..n).map(|k| k as f32 * 2.0).collect::<Vec<_>>()
    );
    // A larger f32 all_sum (several ring segments): 100,003 elements.
    let len = 100_003;
    let big = ops::arange(0.0, len as f64, 1.0, Dtype::Float32).unwrap();
    let mine = (&big * (r + 1) as f32).unwrap();
    let total = distributed::all_sum(&mine, Some(group))
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    let factor: i32 = (1..=n).sum();
    for (i, t) in total.iter().enumerate().step_by(997) {
        assert_eq!(*t, i as f32 * factor as f32, "big all_sum at {i}");
    }
}

/// Point-to-point around the ring: rank r sends to r+1 and receives from r-1. Rank 0
/// sends first and the others receive first, so the chain never waits on itself.
fn check_send_recv(group: &Group) {
    let r = group.rank().unwrap();
    let n = group.size().unwrap();
    let (next, prev) = ((r + 1) % n, (r + n - 1) % n);
    for dtype in DTYPES {
        let mine = make(&input_values(r), &[2, 3], dtype);
        let like = Array::zeros(&[2, 3], dtype).unwrap();
        let sent = distributed::send(&mine, next, Some(group)).unwrap();
        let got = if r == 0 {
            mlxrs::eval(&[&sent]).unwrap();
            let got = distributed::recv_like(&like, prev, Some(group)).unwrap();
            mlxrs::eval(&[&got]).unwrap();
            got
        } else {
            let got = distributed::recv(&[2, 3], dtype, prev, Some(group)).unwrap();
            mlxrs::eval(&[&got]).unwrap();
            mlxrs::eval(&[&sent]).unwrap();
            got
        };
        assert_eq!(got.dtype(), dtype);
        assert_eq!(got.shape(), &[2, 3]);
        assert_eq!(read(&got), input_values(prev), "recv {dtype:?} on rank {r}");
    }
}

#[test]
fn collectives_two_ranks() {
    ranks("collectives_two_ranks", 2, check_collectives);
}

#[test]
fn collectives_three_ranks() {
    ranks("collectives_three_ranks", 3, check_collectives);
}

#[test]
fn mpi_collectives_two_ranks() {
    mpi_ranks("mpi_collectives_two_ranks", 2, check_collectives);
}

/// MPI can split a group (the ring backend cannot): one color for all and `key = -rank`
/// reverses the ranks; a color per rank gives singleton groups.
#[test]
fn mpi_split_two_ranks() {
    mpi_ranks("mpi_split_two_ranks", 2, |group| {
        let r = group.rank().unwrap();
        let reversed = group.split(0, -r + 10).unwrap();
        assert_eq!(reversed.size().unwrap(), 2);
        assert_eq!(reversed.rank().unwrap(), 1 - r);
        // all_gather in the new group orders by the new ranks.
        let x = Array::from_slice(&[r as f32], &[1]).unwrap();
        let g = distributed::all_gather(&x, Some(&reversed)).unwrap();
        assert_eq!(g.to_vec::<f32>().unwrap(), [1.0, 0.0]);
        let alone = group.split(r, -1).unwrap();
        assert_eq!((alone.rank().unwrap(), alone.size().unwrap()), (0, 1));
        let s = distributed::all_sum(&x, Some(&alone)).unwrap();
        assert_eq!(s.to_vec::<f32>().unwrap(), [r as f32]);
    });
}

#[test]
fn mpi_send_recv_two_ranks() {
    mpi_ranks("mpi_send_recv_two_ranks", 2, check_send_recv);
}

#[test]
fn send_recv_two_ranks() {
    ranks("send_recv_two_ranks", 2, check_send_recv);
}

#[test]
fn send_recv_three_ranks() {
    ranks("send_recv_three_ranks", 3, check_send_recv);
}

/// Gradients through the collectives, by MLX's rules: `all_sum` passes the cotangent
/// through unchanged; `all_gather` gives each rank its own slice of the cotangent.
#[test]
fn gradients_through_collectives() {
    ranks("gradients_through_collectives", 2, |group| {
        let r = group.rank().unwrap();
        let n = group.size().unwrap();
        let g1 = group_ref(group);
        // f(x) = sum(all_sum(x) * w_r), w_r = [1, 2, 3] * (r + 1).
        let w: Vec<f32> = (1..=3).map(|k| (k * (r + 1)) as f32).collect();
        let wa = Array::from_slice(&w, &[3]).unwrap();
        let f = mlxrs::value_and_grad(
            move |xs: &[Array]| {
                let s = distributed::all_sum(&xs[0], Some(&g1()?))?;
                Ok(vec![ops::sum(&(&s * &wa)?, false)?])
            },
            &[0],
        )
        .unwrap();
        let x = Array::from_slice(&[(r + 1) as f32, -1.0, 0.5], &[3]).unwrap();
        let (value, grad) = f(&[x]).unwrap();
        // sum over ranks of x: [1+2, -2, 1]
        let xs_sum = [3.0f32, -2.0, 1.0];
        let want_value: f32 = xs_sum.iter().zip(&w).map(|(a, b)| a * b).sum();
        assert_eq!(value[0].item::<f32>().unwrap(), want_value);
        assert_eq!(grad[0].to_vec::<f32>().unwrap(), w);

        // g(x) = sum(all_gather(x) * c), c = 0..2n*... ; grad = c[r*2..(r+1)*2].
        let c: Vec<f32> = (0..2 * n).map(|k| (k * k + 1) as f32).collect();
        let ca = Array::from_slice(&c, &[2 * n]).unwrap();
        let g2 = group_ref(group);
        let g = mlxrs::grad(
            move |xs: &[Array]| {
                let s = distributed::all_gather(&xs[0], Some(&g2()?))?;
                Ok(vec![ops::sum(&(&s * &ca)?, false)?])
            },
            &[0],
        )
        .unwrap();
        let grad = g(&[Array::from_slice(&[1.0f32, 2.0], &[2]).unwrap()]).unwrap();
        assert_eq!(
            grad[0].to_vec::<f32>().unwrap(),
            c[(2 * r) as usize..(2 * r + 2) as usize]
        );
    });
}

/// The closures of the transforms must be `'static`: they re-join the global group
/// (`init` again returns the same group).
fn group_ref(_: &Group) -> impl Fn() -> mlxrs::Result<Group> + 'static {
    || distributed::init(true, rank_backend().unwrap_or(Backend::Ring))
}

/// Errors on a real 2-rank group: a bad destination/source, split (which the ring backend
/// does not implement) and sum_scatter (neither).
#[test]
fn errors_with_two_ranks() {
    ranks("errors_with_two_ranks", 2, |group| {
        let x = Array::from_slice(&[1.0f32], &[1]).unwrap();
        let e = distributed::send(&x, 5, Some(group))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "[distributed::send] Invalid destination=5 for a group of size 2"
        );
        let e = distributed::recv(&[1], Dtype::Float32, -1, Some(group))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "[distributed::recv] Invalid source=-1 for a group of size 2"
        );
        let e = group.split(0, -1).unwrap_err().to_string();
        assert_eq!(e, "[ring] Group split not supported.");
        let e = distributed::sum_scatter(&Array::zeros(&[3], Dtype::Float32).unwrap(), Some(group))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("[sum_scatter] Invalid shape=(3)"), "{e}");
        // The ring backend has no reduce-scatter: the error comes at evaluation.
        let s = distributed::sum_scatter(&Array::zeros(&[4], Dtype::Float32).unwrap(), Some(group))
            .unwrap();
        assert_eq!(s.shape(), &[2]);
        let e = mlxrs::eval(&[&s]).unwrap_err().to_string();
        assert_eq!(e, "[ring] sum_scatter not supported.");
        // The group still works afterwards.
        let t = distributed::all_sum(&x, Some(group)).unwrap();
        assert_eq!(t.to_vec::<f32>().unwrap(), [2.0]);
    });
}

/// A small MLP and a fixed regression batch of 16 rows.
#[derive(Clone, Module)]
struct Mlp {
    l1: Linear,
    l2: Linear,
}

impl Mlp {
    fn forward(&self, x: &Array) -> mlxrs::Result<Array> {
        let h = ops::maximum(&self.l1.forward(x)?, &Array::from(0.0f32))?;
        self.l2.forward(&h)
    }
}

fn loss(m: &Mlp, xs: &[Array]) -> mlxrs::Result<Array> {
    ops::mean(&ops::square(&(&m.forward(&xs[0])? - &xs[1])?)?, false)
}

/// Trains 25 SGD steps on `x, y` (all rows, or this rank's half with averaged
/// gradients), from the same seeded initial weights; returns the final weights.
fn train(x: &Array, y: &Array, group: Option<&Group>) -> ParamMap {
    mlxrs::random::seed(7).unwrap();
    let mut model = Mlp {
        l1: Linear::new(4, 16, true).unwrap(),
        l2: Linear::new(16, 1, true).unwrap(),
    };
    let mut opt = SGD::new(0.1f32).unwrap();
    let step = nn::value_and_grad(loss);
    for _ in 0..25 {
        let (_, grads) = step(&model, &[x.clone(), y.clone()]).unwrap();
        let grads = match group {
            Some(g) => {
                nn::average_gradients(&grads, Some(g), nn::DEFAULT_ALL_REDUCE_SIZE, None).unwrap()
            }
            None => grads,
        };
        opt.update(&mut model, &grads).unwrap();
        let params: Vec<Array> = model.parameters().into_values().collect();
        mlxrs::eval(&params.iter().collect::<Vec<_>>()).unwrap();
    }
    model.parameters()
}

#[test]
fn data_parallel_training_matches_full_batch() {
    ranks("data_parallel_training_matches_full_batch", 2, |group| {
        let r = group.rank().unwrap();
        let key = mlxrs::random::key(3).unwrap();
        let x = mlxrs::random::normal(&[16, 4], Dtype::Float32, 0.0, 1.0, Some(&key)).unwrap();
        let y = ops::sum_axis(&ops::sin(&x).unwrap(), 1, true).unwrap();
        let shard = |a: &Array| ops::split(a, 2, 0).unwrap().swap_remove(r as usize);
        let parallel = train(&shard(&x), &shard(&y), Some(group));
        let single = train(&x, &y, None);
        let mut worst = 0.0f32;
        for (name, w) in &parallel {
            let mine = w.to_vec::<f32>().unwrap();
            // Identical on every rank: the max and min over ranks agree bit for bit.
            let hi = distributed::all_max(w, Some(group))
                .unwrap()
                .to_vec::<f32>()
                .unwrap();
            let lo = distributed::all_min(w, Some(group))
                .unwrap()
                .to_vec::<f32>()
                .unwrap();
            assert_eq!(hi, lo, "{name} differs between ranks");
            assert_eq!(mine, hi, "{name}");
            for (a, b) in mine.iter().zip(single[name].to_vec::<f32>().unwrap()) {
                worst = worst.max((a - b).abs() / (1.0 + b.abs()));
            }
        }
        println!("rank {r}: worst relative difference to full-batch training {worst:e}");
        assert!(worst < 1e-5, "data-parallel vs full batch: {worst}");
        // And training did something: the weights moved from their initial values.
        let initial = {
            mlxrs::random::seed(7).unwrap();
            Linear::new(4, 16, true).unwrap().parameters()
        };
        assert_ne!(
            initial["weight"].to_vec::<f32>().unwrap(),
            parallel["l1.weight"].to_vec::<f32>().unwrap()
        );
    });
}

/// A rank that fails makes the launcher stop the others at once and name it.
#[test]
fn failing_rank_stops_the_launch() {
    if rank_backend().is_some() {
        // Rank 1 dies; rank 0 would wait for it forever inside an all_sum.
        let group = distributed::init(true, Backend::Ring).unwrap();
        if group.rank().unwrap() == 1 {
            std::process::exit(7);
        }
        let x = Array::from_slice(&[1.0f32], &[1]).unwrap();
        let _ = distributed::all_sum(&x, Some(&group)).and_then(|s| s.to_vec::<f32>());
        std::thread::sleep(Duration::from_secs(40));
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let start = std::time::Instant::now();
    let err = local::run_local(&local::LocalLaunch {
        ranks: 2,
        command: vec![
            exe.to_string_lossy().into_owned(),
            "failing_rank_stops_the_launch".into(),
            "--exact".into(),
            "--nocapture".into(),
        ],
        env: vec![(RANK_ENV.into(), "ring".into())],
        verbose: false,
        timeout: Duration::from_secs(30),
        capture: true,
    })
    .unwrap_err();
    assert!(
        err.starts_with("launch: rank 1 exited with status 7"),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

/// A rank killed mid-run (SIGKILL, as the OOM killer or `kill -9` would) makes the
/// launcher stop the other at once and name the rank and the signal.
#[test]
fn killed_rank_stops_the_launch() {
    if rank_backend().is_some() {
        let group = distributed::init(true, Backend::Ring).unwrap();
        let x = Array::from_slice(&[1.0f32], &[1]).unwrap();
        // One collective succeeds, so both ranks are mid-run.
        let _ = distributed::all_sum(&x, Some(&group)).and_then(|s| s.to_vec::<f32>());
        if group.rank().unwrap() == 1 {
            let _ = std::process::Command::new("kill")
                .args(["-9", &std::process::id().to_string()])
                .status();
            std::thread::sleep(Duration::from_secs(40));
        }
        let _ = distributed::all_sum(&x, Some(&group)).and_then(|s| s.to_vec::<f32>());
        std::thread::sleep(Duration::from_secs(40));
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let start = std::time::Instant::now();
    let err = local::run_local(&local::LocalLaunch {
        ranks: 2,
        command: vec![
            exe.to_string_lossy().into_owned(),
            "killed_rank_stops_the_launch".into(),
            "--exact".into(),
            "--nocapture".into(),
        ],
        env: vec![(RANK_ENV.into(), "ring".into())],
        verbose: false,
        timeout: Duration::from_secs(30),
        capture: true,
    })
    .unwrap_err();
    assert!(
        err.starts_with("launch: rank 1 was killed by signal 9"),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

/// The launcher's timeout kills ranks that never finish.
#[test]
fn launcher_timeout_kills_the_ranks() {
    let start = std::time::Instant::now();
    let err = local::run_local(&local::LocalLaunch {
        ranks: 2,
        command: vec!["sleep".into(), "30".into()],
        env: vec![],
        verbose: false,
        timeout: Duration::from_millis(500),
        capture: true,
    })
    .unwrap_err();
    assert!(err.starts_with("launch: timed out after"), "{err}");
    assert!(err.contains("rank(s) 0, 1"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

/// Without a launcher: a singleton group, in which collectives are identities (Python's
/// semantics), and point-to-point ops fail.
#[test]
fn singleton_group() {
    if std::env::var_os(RANK_ENV).is_some() {
        return;
    }
    let g = distributed::init(false, Backend::Any).unwrap();
    assert_eq!((g.rank().unwrap(), g.size().unwrap()), (0, 1));
    let x = Array::from_slice(&[1.5f32, -2.0, 3.0, 4.0], &[2, 2]).unwrap();
    for group in [None, Some(&g)] {
        for op in [
            distributed::all_sum,
            distributed::all_max,
            distributed::all_min,
            distributed::all_gather,
            distributed::sum_scatter,
        ] {
            let y = op(&x, group).unwrap();
            assert_eq!(y.shape(), &[2, 2]);
            assert_eq!(y.to_vec::<f32>().unwrap(), [1.5, -2.0, 3.0, 4.0]);
        }
    }
    let mut grads = ParamMap::new();
    grads.insert("a".into(), x.clone());
    let avg = nn::average_gradients(&grads, None, nn::DEFAULT_ALL_REDUCE_SIZE, None).unwrap();
    assert_eq!(avg["a"].to_vec::<f32>().unwrap(), [1.5, -2.0, 3.0, 4.0]);

    let e = distributed::send(&x, 0, None).unwrap_err().to_string();
    assert_eq!(e, "[distributed::send] Cannot send to a singleton group");
    let e = distributed::recv(&[2], Dtype::Float32, 0, Some(&g))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "[distributed::recv] Cannot recv from a singleton group");
    let e = distributed::recv_like(&x, 0, None).unwrap_err().to_string();
    assert_eq!(
        e,
        "[distributed::recv_like] Cannot recv from a singleton group"
    );
    assert!(format!("{g:?}").contains("size: Some(1)"));
}

#[test]
fn strict_init_without_launcher_fails() {
    if std::env::var_os(RANK_ENV).is_some() {
        return;
    }
    let e = distributed::init(true, Backend::Ring).unwrap_err();
    assert!(matches!(e, Error::Backend(_)), "{e:?}");
    let msg = e.to_string();
    assert!(msg.starts_with('['), "{msg}");
    println!("strict ring init without a launcher: {msg}");
}

#[test]
fn backends_and_availability() {
    if std::env::var_os(RANK_ENV).is_some() {
        return;
    }
    for b in Backend::ALL {
        assert_eq!(b.as_str().parse::<Backend>().unwrap(), b);
        assert_eq!(b.to_string(), b.as_str());
    }
    let e = "tcp".parse::<Backend>().unwrap_err().to_string();
    assert_eq!(
        e,
        "invalid `backend`: unknown distributed backend \"tcp\"; expected one of any, ring, mpi, nccl, jaccl"
    );
    assert!(distributed::is_available(Backend::Ring).unwrap());
    assert!(distributed::is_available(Backend::Any).unwrap());
    // This CPU build of MLX has no NCCL and no JACCL.
    assert!(!distributed::is_available(Backend::Jaccl).unwrap());
}
