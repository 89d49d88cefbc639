//! Starting N ranks of one command on this machine for MLX's `ring` backend, with the
//! environment `mlx.launch` gives them: `MLX_RANK` and `MLX_HOSTFILE` (a JSON list of one
//! `["127.0.0.1:PORT"]` per rank, ports free at launch time), plus `MLX_RING_VERBOSE=1`
//! when asked. Standard library only: `cargo xtask launch` and mlxrs's distributed tests
//! (which include this file by path) share it.
//!
//! Each rank's stdout and stderr lines are prefixed with `[rank]`. When a rank exits
//! non-zero or is killed, the others are killed at once and the error names the rank and
//! its status; past the timeout every rank is killed. Ranks run in their own process
//! groups, so a rank that is itself a launcher (`cargo run`) is stopped with its children.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What to start and how.
#[derive(Debug, Clone)]
pub struct LocalLaunch {
    /// Number of ranks.
    pub ranks: usize,
    /// The program and its arguments.
    pub command: Vec<String>,
    /// Extra environment for every rank (besides `MLX_RANK`, `MLX_HOSTFILE`).
    pub env: Vec<(String, String)>,
    /// Set `MLX_RING_VERBOSE=1`.
    pub verbose: bool,
    /// Kill everything after this long.
    pub timeout: Duration,
    /// Keep each rank's output (prefixed) in [`Outcome::output`] instead of printing it.
    pub capture: bool,
}

/// How the ranks ended, when all of them exited with status 0.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The prefixed output lines of every rank, when [`LocalLaunch::capture`] was set.
    pub output: Vec<String>,
}

/// Free TCP ports on 127.0.0.1, as many as asked: bound all at once (so they differ),
/// then released for the ranks to bind.
///
/// # Errors
/// The socket error when no port could be bound.
pub fn free_ports(n: usize) -> Result<Vec<u16>, String> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| format!("launch: cannot bind a free port on 127.0.0.1: {e}"))?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| format!("launch: {e}"))
}

/// The ring backend's hostfile for `ports`: `[["127.0.0.1:P0"], ["127.0.0.1:P1"], ...]`.
#[must_use]
pub fn ring_hostfile(ports: &[u16]) -> String {
    let ranks: Vec<String> = ports
        .iter()
        .map(|p| format!("[\"127.0.0.1:{p}\"]"))
        .collect();
    format!("[{}]", ranks.join(", "))
}

/// A temporary file removed on drop.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Set (by a signal handler of the launcher) to stop every rank as if one had failed:
/// the ranks run in their own process groups, so a terminal's Ctrl-C reaches only the
/// launcher, which must pass it on.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Kills the process group of each child still running, then reaps them all.
fn kill_all(children: &mut [Option<Child>]) {
    for child in children.iter_mut().flatten() {
        if let Ok(None) = child.try_wait() {
            // The rank leads its own process group (`process_group(0)`): kill the group.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
        }
    }
    for child in children.iter_mut().flatten() {
        let _ = child.wait();
    }
}

fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(sig)) => format!("was killed by signal {sig}"),
        (None, None) => format!("ended with {status}"),
    }
}

/// Forwards one stream of one rank, line by line, prefixed with `[rank]`.
fn pump(
    rank: usize,
    source: impl Read + Send + 'static,
    to_stderr: bool,
    sink: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let reader = BufReader::new(source);
        for line in reader.split(b'\n') {
            let Ok(line) = line else { break };
            let text = format!("[{rank}] {}", String::from_utf8_lossy(&line));
            match &sink {
                Some(sink) => {
                    if let Ok(mut v) = sink.lock() {
                        v.push(text);
                    }
                }
                None if to_stderr => {
                    let _ = writeln!(std::io::stderr().lock(), "{text}");
                }
                None => {
                    let _ = writeln!(std::io::stdout().lock(), "{text}");
                }
            }
        }
    })
}

/// Starts the ranks and waits for them (see the module docs).
///
/// # Errors
/// A message naming the first rank that failed and how, or the timeout; every rank has
/// been stopped and reaped by then. With [`LocalLaunch::capture`], the captured output
/// follows the message.
pub fn run_local(launch: &LocalLaunch) -> Result<Outcome, String> {
    let Some((program, args)) = launch.command.split_first() else {
        return Err("launch: no command given".into());
    };
    if launch.ranks == 0 {
        return Err("launch: -n must be at least 1".into());
    }
    let ports = free_ports(launch.ranks)?;
    let path = std::env::temp_dir().join(format!(
        "mlxrs-launch-{}-{}.json",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, ring_hostfile(&ports))
        .map_err(|e| format!("launch: cannot write {}: {e}", path.display()))?;
    let hostfile = TempFile(path);

    let commands = (0..launch.ranks)
        .map(|rank| {
            let mut cmd = Command::new(program);
            cmd.args(args)
                .envs(launch.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .env("MLX_RANK", rank.to_string())
                .env("MLX_HOSTFILE", &hostfile.0);
            if launch.verbose {
                cmd.env("MLX_RING_VERBOSE", "1");
            }
            cmd
        })
        .collect();
    supervise(commands, launch.timeout, launch.capture)
}

/// Starts one process per rank (`commands[rank]`, each in its own process group, stdin
/// closed, output prefixed with `[rank]`) and waits for all of them, stopping every rank
/// as soon as one fails or the timeout passes (see the module docs).
///
/// # Errors
/// As [`run_local`].
pub fn supervise(
    commands: Vec<Command>,
    timeout: Duration,
    capture: bool,
) -> Result<Outcome, String> {
    use std::os::unix::process::CommandExt;
    let ranks = commands.len();
    let sink = capture.then(|| std::sync::Arc::new(std::sync::Mutex::new(Vec::new())));
    let mut children: Vec<Option<Child>> = Vec::with_capacity(ranks);
    let mut pumps = Vec::new();
    for (rank, mut cmd) in commands.into_iter().enumerate() {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        match cmd.spawn() {
            Ok(mut child) => {
                if let Some(out) = child.stdout.take() {
                    pumps.push(pump(rank, out, false, sink.clone()));
                }
                if let Some(err) = child.stderr.take() {
                    pumps.push(pump(rank, err, true, sink.clone()));
                }
                children.push(Some(child));
            }
            Err(e) => {
                kill_all(&mut children);
                let program = cmd.get_program().to_string_lossy().into_owned();
                return Err(format!("launch: cannot start rank {rank} ({program}): {e}"));
            }
        }
    }

    let start = Instant::now();
    let mut failure = None;
    let mut done = vec![false; ranks];
    while failure.is_none() && done.iter().any(|d| !d) {
        for (rank, slot) in children.iter_mut().enumerate() {
            if done[rank] {
                continue;
            }
            let Some(child) = slot else { continue };
            match child.try_wait() {
                Ok(Some(status)) => {
                    done[rank] = true;
                    if !status.success() {
                        failure = Some(format!("launch: rank {rank} {}", describe(status)));
                        break;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    failure = Some(format!("launch: cannot wait for rank {rank}: {e}"));
                    break;
                }
            }
        }
        if failure.is_none() && done.iter().any(|d| !d) {
            if INTERRUPTED.load(Ordering::Relaxed) {
                failure = Some("launch: interrupted; every rank was killed".into());
            } else if start.elapsed() > timeout {
                let running: Vec<String> = (0..ranks)
                    .filter(|&r| !done[r])
                    .map(|r| r.to_string())
                    .collect();
                failure = Some(format!(
                    "launch: timed out after {:.0?}; rank(s) {} still running were killed",
                    timeout,
                    running.join(", ")
                ));
            } else {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    kill_all(&mut children);
    for p in pumps {
        let _ = p.join();
    }
    let output = sink
        .map(|s| s.lock().map(|v| v.clone()).unwrap_or_default())
        .unwrap_or_default();
    match failure {
        None => Ok(Outcome { output }),
        Some(msg) if output.is_empty() => Err(msg),
        Some(msg) => Err(format!("{msg}\n{}", output.join("\n"))),
    }
}
