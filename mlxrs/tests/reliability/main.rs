//! Reliability suites that measure process-wide state (MLX's active memory, the resident
//! set), so they run in a binary of their own, without a test harness, one after the
//! other: the 8-thread stress with injected errors and panics, and the soak-lite.
//!
//! `MLXRS_SOAK_ITERATIONS` sets the soak-lite's length (default 1,250 iterations: 5,000
//! transform calls and 5,000 errors) and `MLXRS_STRESS_ROUNDS` the rounds of each stress
//! thread (default 100); `cargo xtask soak` runs the full soak in release. Under valgrind
//! or AddressSanitizer, which hold freed memory back, `MLXRS_SOAK_SKIP_RSS=1` (set by
//! `cargo xtask leak-check` and `sanitize`) leaves the resident-set bound out; MLX's
//! active memory is checked all the same.

mod soak;

use std::sync::{Arc, Barrier, mpsc};
use std::thread;

use mlxrs::{Array, Error, Result, SharedArray, compile, memory, multiply, value_and_grad};

const THREADS: usize = 8;

/// Rounds per stress thread: `MLXRS_STRESS_ROUNDS`, else 100.
fn rounds() -> usize {
    env_usize("MLXRS_STRESS_ROUNDS", 100)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What a thread injects in a round: nothing, an error returned from a transformed
/// closure, or a panic inside one.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    Nothing,
    Error,
    Panic,
}

/// Threads 1 and 5 return errors every third round, threads 3 and 7 panic every fourth
/// round; threads 0, 2, 4 and 6 inject nothing.
fn fault(id: usize, round: usize) -> Fault {
    match id % 4 {
        1 if round % 3 == 0 => Fault::Error,
        3 if round % 4 == 0 => Fault::Panic,
        _ => Fault::Nothing,
    }
}

/// The message thread `id` puts in its fault of `round`.
fn message(id: usize, round: usize) -> String {
    format!("thread {id} round {round}")
}

/// Injects `fault` through value_and_grad and through a compiled function, and checks
/// that each comes back to this thread as this thread's own error. Returns how many
/// errors it saw.
fn inject(id: usize, round: usize, fault: Fault) -> Result<usize> {
    if fault == Fault::Nothing {
        return Ok(0);
    }
    let text = message(id, round);
    let body = move |_: &[Array]| -> Result<Vec<Array>> {
        match fault {
            Fault::Panic => panic!("{text}"),
            _ => Err(Error::invalid("x", text.clone())),
        }
    };
    let want = match fault {
        Fault::Panic => format!("closure panicked: {}", message(id, round)),
        _ => format!("invalid `x`: {}", message(id, round)),
    };
    let x = [Array::from(1.0f32)];
    let mut seen = 0;
    let vg = value_and_grad(body.clone(), &[0])?;
    let compiled = compile(body, false)?;
    for got in [vg(&x).map(drop), compiled(&x).map(drop)] {
        match got {
            Err(e) if e.to_string() == want => seen += 1,
            other => {
                return Err(Error::Backend(format!(
                    "thread {id} round {round}: expected {want:?}, got {other:?}"
                )));
            }
        }
    }
    Ok(seen)
}

/// One thread of the stress: `ROUNDS` rounds of the soak iteration (value_and_grad, a
/// compiled step, vmap, custom_vjp, and four expected errors), an io round trip, its
/// injected faults, and an evaluated array sent to the next thread and one received from
/// the previous. Returns the errors it injected and saw.
fn stress_thread(
    id: usize,
    to_next: mpsc::Sender<(usize, usize, SharedArray)>,
    from_previous: mpsc::Receiver<(usize, usize, SharedArray)>,
) -> Result<usize> {
    let step = soak::compiled_step()?;
    let mut injected = 0;
    for round in 0..rounds() {
        soak::iteration(round * THREADS + id, &step)?;
        soak::io_round_trip(&[id as f32, round as f32, -1.5])?;
        injected += inject(id, round, fault(id, round))?;
        // Evaluated here, consumed on the next thread.
        let mine = multiply(
            &Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?,
            &Array::from((id * 1000 + round) as f32),
        )?;
        to_next
            .send((id, round, mine.to_shared()?))
            .map_err(|_| Error::Backend(format!("thread {id}: next thread gone")))?;
        let (from, r, shared) = from_previous
            .recv()
            .map_err(|_| Error::Backend(format!("thread {id}: previous thread gone")))?;
        let k = (from * 1000 + r) as f32;
        let got = multiply(&shared.to_array(), &Array::from(2.0f32))?.to_vec::<f32>()?;
        if from != (id + THREADS - 1) % THREADS || r != round || got != [2.0 * k, 4.0 * k, 6.0 * k]
        {
            return Err(Error::Backend(format!(
                "thread {id} round {round}: got {got:?} from thread {from} round {r}"
            )));
        }
    }
    Ok(injected)
}

fn expected_injected(id: usize) -> usize {
    (0..rounds())
        .filter(|&r| fault(id, r) != Fault::Nothing)
        .count()
        * 2
}

/// 8 threads at once; then, while they are still alive (MLX keeps a stream thread per
/// evaluating thread), MLX's active memory is back at its baseline.
fn eight_threads_with_injected_faults() -> Result<()> {
    let started = std::time::Instant::now();
    // A panic inside a transformed closure is caught at the C boundary and becomes that
    // thread's `Error::ClosurePanicked`; keep the default hook's report of the injected
    // ones off stderr.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let injected = info
            .payload()
            .downcast_ref::<String>()
            .is_some_and(|m| m.starts_with("thread ") && m.contains(" round "));
        if !injected {
            default_hook(info);
        }
    }));
    let baseline = memory::active_memory()?;
    let done = Arc::new(Barrier::new(THREADS + 1));
    let release = Arc::new(Barrier::new(THREADS + 1));
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..THREADS).map(|_| mpsc::channel()).unzip();
    let mut receivers: Vec<Option<_>> = receivers.into_iter().map(Some).collect();
    let handles: Vec<_> = (0..THREADS)
        .map(|id| {
            let to_next = senders[(id + 1) % THREADS].clone();
            let from_previous = receivers[id].take().expect("one receiver per thread");
            let (done, release) = (Arc::clone(&done), Arc::clone(&release));
            thread::spawn(move || {
                let outcome = stress_thread(id, to_next, from_previous);
                done.wait();
                release.wait();
                outcome
            })
        })
        .collect();
    drop(senders);
    done.wait();
    // Every thread has dropped its arrays, transforms and compiled functions.
    let after = memory::active_memory()?;
    release.wait();
    for (id, h) in handles.into_iter().enumerate() {
        match h.join() {
            Ok(Ok(seen)) => assert_eq!(seen, expected_injected(id), "thread {id}"),
            Ok(Err(e)) => panic!("thread {id} failed: {e}"),
            Err(_) => panic!("thread {id} panicked outside a transform"),
        }
    }
    let _ = std::panic::take_hook();
    let injected: usize = (0..THREADS).map(expected_injected).sum();
    println!(
        "threads: {THREADS} threads x {} rounds, {injected} injected errors and panics \
         each seen by its own thread, active memory {baseline} -> {after} bytes, {:.1} s",
        rounds(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        after, baseline,
        "MLX's active memory did not return to its baseline"
    );
    Ok(())
}

/// The samples as `iteration: active bytes, RSS KiB` lines.
fn curve(samples: &[soak::Sample]) -> String {
    samples
        .iter()
        .map(|s| format!("{:>6}: {} B, {} KiB\n", s.iteration, s.active, s.rss >> 10))
        .collect()
}

/// Bounds of the soak-lite (see `soak_lite`).
const ACTIVE_BOUND: i64 = 0;
const RSS_BOUND: i64 = 8 << 20;

/// The soak-lite: after a warm-up, MLX's active memory returns exactly to its baseline
/// (every array of every iteration freed), and the resident set grows less than 8 MiB.
fn soak_lite() -> Result<()> {
    let iterations = env_usize("MLXRS_SOAK_ITERATIONS", 1_250);
    let started = std::time::Instant::now();
    let report = soak::run(200, iterations, 10)?;
    println!(
        "soak-lite: {} transform calls and {} errors after a warm-up; active memory {} -> {} \
         bytes ({:+}), resident set {} -> {} KiB ({:+} KiB), {:.1} s",
        iterations * soak::TRANSFORMS_PER_ITERATION,
        iterations * soak::ERRORS_PER_ITERATION,
        report.baseline.active,
        report.samples.last().map_or(0, |s| s.active),
        report.active_growth(),
        report.baseline.rss >> 10,
        report.samples.last().map_or(0, |s| s.rss) >> 10,
        report.rss_growth() >> 10,
        started.elapsed().as_secs_f64()
    );
    assert!(
        report.active_growth() <= ACTIVE_BOUND,
        "active memory grew by {} bytes:\n{}",
        report.active_growth(),
        curve(&report.samples)
    );
    let rss_checked = std::env::var_os("MLXRS_SOAK_SKIP_RSS").is_none();
    assert!(
        !rss_checked || report.rss_growth() <= RSS_BOUND,
        "resident set grew by {} bytes:\n{}",
        report.rss_growth(),
        curve(&report.samples)
    );
    Ok(())
}

fn main() -> Result<()> {
    // `cargo test` passes harness flags (`--quiet`, a filter); this binary runs all.
    eight_threads_with_injected_faults()?;
    soak_lite()?;
    Ok(())
}
