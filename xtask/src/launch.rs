//! `cargo xtask launch`: start a distributed MLX job, as Python's `mlx.launch` does.
//!
//! ```text
//! cargo xtask launch -n N [--backend ring|mpi] [--hostfile FILE] [--verbose]
//!     [--timeout SECS] [--env K=V]... [--starting-port P] [--print] -- CMD [ARGS...]
//! ```
//!
//! - `ring` (default) without a hostfile: N local ranks (see `launch/local.rs`), with
//!   `MLX_RANK` and `MLX_HOSTFILE` (free loopback ports), `MLX_RING_VERBOSE=1` with
//!   `--verbose`.
//! - `ring` with `--hostfile` (mlx.launch's format: a JSON list of
//!   `{"ssh": "host", "ips": ["10.0.0.1"]}`, or an object with `"hosts"`, `"backend"` and
//!   `"envs"`): one rank per host, listening on `ip:port` from `--starting-port` (32323,
//!   as mlx.launch) up; each rank runs through `ssh host bash -c SCRIPT` (or locally for
//!   127.0.0.1/localhost), the script writing the ring hostfile to a temp file and setting
//!   `MLX_RANK`/`MLX_HOSTFILE`. `--print` prints the per-host commands instead.
//! - `mpi`: `mpirun --oversubscribe --tag-output -np N [-x K=V]... -- CMD` (hosts from the hostfile's
//!   ssh names when given; `--allow-run-as-root` added when run as root).
//!
//! Output is prefixed with `[rank]`. When a rank exits non-zero or dies, the others are
//! killed and the launcher fails naming the rank and its status; `--timeout` (default
//! 1800 s) kills everything after that long.

// Shared with mlxrs's distributed tests, which also read the captured output.
#[allow(dead_code)]
mod local;

use std::process::Command;
use std::time::Duration;

use crate::Result;

const USAGE: &str = "usage: cargo xtask launch -n N [--backend ring|mpi] [--hostfile FILE] \
[--verbose] [--timeout SECS] [--env K=V]... [--starting-port P] [--print] -- CMD [ARGS...]";

#[derive(Debug)]
struct Args {
    ranks: Option<usize>,
    backend: Option<String>,
    hostfile: Option<String>,
    verbose: bool,
    timeout: Duration,
    env: Vec<(String, String)>,
    starting_port: u16,
    print: bool,
    command: Vec<String>,
}

fn parse(args: &[String]) -> Result<Args> {
    let mut a = Args {
        ranks: None,
        backend: None,
        hostfile: None,
        verbose: false,
        timeout: Duration::from_secs(1800),
        env: Vec::new(),
        starting_port: 32323,
        print: false,
        command: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("launch: {flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "-n" | "--repeat-hosts" => {
                let v = value()?;
                let n: usize = v
                    .parse()
                    .map_err(|_| format!("launch: -n takes a positive number, got {v:?}"))?;
                if n == 0 {
                    return Err("launch: -n must be at least 1".into());
                }
                a.ranks = Some(n);
            }
            "--backend" => a.backend = Some(value()?),
            "--hostfile" => a.hostfile = Some(value()?),
            "--verbose" => a.verbose = true,
            "--print" => a.print = true,
            "--timeout" => {
                let v = value()?;
                let secs: f64 = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s > 0.0 && s.is_finite())
                    .ok_or_else(|| format!("launch: --timeout takes seconds > 0, got {v:?}"))?;
                a.timeout = Duration::from_secs_f64(secs);
            }
            "--starting-port" | "-p" => {
                let v = value()?;
                a.starting_port = v
                    .parse()
                    .map_err(|_| format!("launch: --starting-port takes a port, got {v:?}"))?;
            }
            "--env" => {
                let v = value()?;
                a.env.push(parse_env(&v)?);
            }
            "--" => {
                a.command = it.cloned().collect();
                break;
            }
            other => return Err(format!("launch: unknown option {other:?}\n{USAGE}")),
        }
    }
    if a.command.is_empty() {
        return Err(format!("launch: no command given\n{USAGE}"));
    }
    Ok(a)
}

fn parse_env(v: &str) -> Result<(String, String)> {
    let (k, val) = v.split_once('=').unwrap_or((v, ""));
    if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("launch: --env {v:?} is not NAME=VALUE"));
    }
    Ok((k.to_owned(), val.to_owned()))
}

extern "C" fn on_signal(_: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    local::INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Runs `cargo xtask launch`.
pub fn run(args: &[String]) -> Result<()> {
    let mut a = parse(args)?;
    // SAFETY: `on_signal` only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    let hosts = match &a.hostfile {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("launch: cannot read hostfile {path}: {e}"))?;
            let file =
                parse_hostfile(&text).map_err(|e| format!("launch: hostfile {path}: {e}"))?;
            if a.backend.is_none() && !file.backend.is_empty() {
                a.backend = Some(file.backend.clone());
            }
            let mut env = file
                .envs
                .iter()
                .map(|e| parse_env(e))
                .collect::<Result<Vec<_>>>()?;
            env.append(&mut a.env);
            a.env = env;
            Some(file.hosts)
        }
        None => None,
    };
    let backend = a.backend.clone().unwrap_or_else(|| "ring".into());
    match (backend.as_str(), hosts) {
        ("ring", None) => {
            let launch = local::LocalLaunch {
                ranks: a.ranks.unwrap_or(1),
                command: a.command.clone(),
                env: a.env.clone(),
                verbose: a.verbose,
                timeout: a.timeout,
                capture: false,
            };
            if a.print {
                println!(
                    "{} local rank(s) with MLX_RANK and MLX_HOSTFILE (free 127.0.0.1 ports): {}",
                    launch.ranks,
                    shell_join(&launch.command)
                );
                return Ok(());
            }
            local::run_local(&launch).map(|_| ())
        }
        ("ring", Some(hosts)) => {
            if a.ranks.is_some_and(|n| n != 1) {
                return Err("launch: with --hostfile, each host is one rank (drop -n)".into());
            }
            ring_hosts(&a, &hosts)
        }
        ("mpi", hosts) => mpi(&a, hosts.as_deref()),
        (other, _) => Err(format!(
            "launch: backend {other:?} is not launched by this tool (ring and mpi are; \
             nccl and jaccl jobs are started by mlx.launch)"
        )),
    }
}

/// One rank per host of the hostfile, over ssh (or bash for a local host).
fn ring_hosts(a: &Args, hosts: &[Host]) -> Result<()> {
    if let Some(h) = hosts.iter().find(|h| h.ips.is_empty()) {
        return Err(format!(
            "launch: the ring backend needs IPs: host {:?} has no \"ips\"",
            h.ssh
        ));
    }
    let mut port = a.starting_port;
    let mut ring = Vec::new();
    for h in hosts {
        let mut node = Vec::new();
        for ip in &h.ips {
            node.push(format!("\"{ip}:{port}\""));
            port = port
                .checked_add(1)
                .ok_or("launch: --starting-port too high for this many ranks")?;
        }
        ring.push(format!("[{}]", node.join(", ")));
    }
    let ring = format!("[{}]", ring.join(", "));
    let cwd = std::env::current_dir().map_err(|e| format!("launch: {e}"))?;
    let mut commands = Vec::new();
    let mut shown = Vec::new();
    for (rank, h) in hosts.iter().enumerate() {
        let mut script = format!("cd {} 2>/dev/null; ", shell_quote(&cwd.to_string_lossy()));
        for (k, v) in &a.env {
            script += &format!("export {k}={}; ", shell_quote(v));
        }
        if a.verbose {
            script += "export MLX_RING_VERBOSE=1; ";
        }
        script += &format!(
            "fname=$(mktemp); echo {} >$fname; export MLX_HOSTFILE=$fname; export MLX_RANK={rank}; exec {}",
            shell_quote(&ring),
            shell_join(&a.command)
        );
        let local = matches!(h.ssh.as_str(), "127.0.0.1" | "localhost");
        let argv: Vec<String> = if local {
            vec!["bash".into(), "-c".into(), script]
        } else {
            vec![
                "ssh".into(),
                "-o".into(),
                "LogLevel=QUIET".into(),
                h.ssh.clone(),
                format!("bash -c {}", shell_quote(&script)),
            ]
        };
        shown.push(format!("rank {rank} ({}): {}", h.ssh, shell_join(&argv)));
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]);
        commands.push(cmd);
    }
    if a.print {
        for line in shown {
            println!("{line}");
        }
        return Ok(());
    }
    local::supervise(commands, a.timeout, false).map(|_| ())
}

/// `mpirun` for the `mpi` backend.
fn mpi(a: &Args, hosts: Option<&[Host]>) -> Result<()> {
    let mut argv: Vec<String> = vec![
        "mpirun".into(),
        "--oversubscribe".into(),
        "--tag-output".into(),
    ];
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        // Open MPI refuses to run as root without it (containers, CI).
        argv.push("--allow-run-as-root".into());
    }
    let hostfile;
    match hosts {
        Some(hosts) => {
            let mut counts: Vec<(String, usize)> = Vec::new();
            for h in hosts {
                match counts.iter_mut().find(|(n, _)| *n == h.ssh) {
                    Some((_, c)) => *c += 1,
                    None => counts.push((h.ssh.clone(), 1)),
                }
            }
            let text: String = counts
                .iter()
                .map(|(h, n)| format!("{h} slots={n}\n"))
                .collect();
            let path = std::env::temp_dir().join(format!("mlxrs-mpi-hosts-{}", std::process::id()));
            std::fs::write(&path, text).map_err(|e| format!("launch: {e}"))?;
            hostfile = Some(path);
            argv.push("--hostfile".into());
            argv.push(
                hostfile
                    .as_ref()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        }
        None => {
            hostfile = None;
            argv.extend(["-np".into(), a.ranks.unwrap_or(1).to_string()]);
        }
    }
    for (k, v) in &a.env {
        argv.extend(["-x".into(), format!("{k}={v}")]);
    }
    argv.push("--".into());
    argv.extend(a.command.iter().cloned());
    if a.print {
        println!("{}", shell_join(&argv));
        return Ok(());
    }
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    let result = local::supervise(vec![cmd], a.timeout, false).map(|_| ());
    if let Some(p) = hostfile {
        let _ = std::fs::remove_file(p);
    }
    result.map_err(|e| {
        if e.contains("cannot start rank 0") {
            format!("{e} (install Open MPI: apt-get install openmpi-bin libopenmpi-dev)")
        } else {
            e
        }
    })
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn shell_join(args: &[String]) -> String {
    args.iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One host of an mlx.launch hostfile.
#[derive(Debug, PartialEq)]
struct Host {
    ssh: String,
    ips: Vec<String>,
}

#[derive(Debug, PartialEq)]
struct HostFile {
    hosts: Vec<Host>,
    backend: String,
    envs: Vec<String>,
}

/// Parses mlx.launch's hostfile: a list of hosts, or `{"backend", "envs", "hosts"}`.
fn parse_hostfile(text: &str) -> Result<HostFile> {
    let value = json::parse(text)?;
    let (hosts, backend, envs) = match &value {
        json::Value::Array(hosts) => (hosts.as_slice(), String::new(), Vec::new()),
        json::Value::Object(fields) => {
            let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v);
            let hosts = match get("hosts") {
                Some(json::Value::Array(h)) => h.as_slice(),
                _ => return Err("no \"hosts\" list".into()),
            };
            let backend = match get("backend") {
                Some(json::Value::String(s)) => s.clone(),
                None => String::new(),
                Some(_) => return Err("\"backend\" is not a string".into()),
            };
            let envs = match get("envs") {
                Some(json::Value::Array(v)) => v
                    .iter()
                    .map(|e| match e {
                        json::Value::String(s) => Ok(s.clone()),
                        _ => Err("\"envs\" holds a non-string".to_string()),
                    })
                    .collect::<Result<Vec<_>>>()?,
                None => Vec::new(),
                Some(_) => return Err("\"envs\" is not a list".into()),
            };
            (hosts, backend, envs)
        }
        _ => return Err("expected a list of hosts or an object with \"hosts\"".into()),
    };
    let hosts = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let json::Value::Object(fields) = h else {
                return Err(format!("host {i} is not an object"));
            };
            let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v);
            let ssh = match get("ssh") {
                Some(json::Value::String(s)) => s.clone(),
                _ => return Err(format!("host {i} has no \"ssh\" name")),
            };
            let ips = match get("ips") {
                Some(json::Value::Array(v)) => v
                    .iter()
                    .map(|e| match e {
                        json::Value::String(s) => Ok(s.clone()),
                        _ => Err(format!("host {i}: \"ips\" holds a non-string")),
                    })
                    .collect::<Result<Vec<_>>>()?,
                None => Vec::new(),
                Some(_) => return Err(format!("host {i}: \"ips\" is not a list")),
            };
            Ok(Host { ssh, ips })
        })
        .collect::<Result<Vec<_>>>()?;
    if hosts.is_empty() {
        return Err("no hosts".into());
    }
    Ok(HostFile {
        hosts,
        backend,
        envs,
    })
}

/// Just enough JSON for hostfiles (std only, to keep xtask quick to build).
mod json {
    #[derive(Debug, PartialEq)]
    pub enum Value {
        Null,
        Bool(bool),
        Number(f64),
        String(String),
        Array(Vec<Value>),
        Object(Vec<(String, Value)>),
    }

    pub fn parse(text: &str) -> Result<Value, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("unexpected text at byte {}", p.i));
        }
        Ok(v)
    }

    struct Parser<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl Parser<'_> {
        fn ws(&mut self) {
            while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
        }

        fn eat(&mut self, c: u8) -> Result<(), String> {
            self.ws();
            if self.s.get(self.i) == Some(&c) {
                self.i += 1;
                Ok(())
            } else {
                Err(format!("expected '{}' at byte {}", c as char, self.i))
            }
        }

        fn value(&mut self) -> Result<Value, String> {
            self.ws();
            match self.s.get(self.i) {
                Some(b'{') => {
                    self.i += 1;
                    let mut fields = Vec::new();
                    self.ws();
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Ok(Value::Object(fields));
                    }
                    loop {
                        self.ws();
                        let k = self.string()?;
                        self.eat(b':')?;
                        fields.push((k, self.value()?));
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                return Ok(Value::Object(fields));
                            }
                            _ => return Err(format!("expected ',' or '}}' at byte {}", self.i)),
                        }
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    let mut items = Vec::new();
                    self.ws();
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Ok(Value::Array(items));
                    }
                    loop {
                        items.push(self.value()?);
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                return Ok(Value::Array(items));
                            }
                            _ => return Err(format!("expected ',' or ']' at byte {}", self.i)),
                        }
                    }
                }
                Some(b'"') => Ok(Value::String(self.string()?)),
                Some(b't') if self.s[self.i..].starts_with(b"true") => {
                    self.i += 4;
                    Ok(Value::Bool(true))
                }
                Some(b'f') if self.s[self.i..].starts_with(b"false") => {
                    self.i += 5;
                    Ok(Value::Bool(false))
                }
                Some(b'n') if self.s[self.i..].starts_with(b"null") => {
                    self.i += 4;
                    Ok(Value::Null)
                }
                Some(c) if *c == b'-' || c.is_ascii_digit() => {
                    let start = self.i;
                    while self.i < self.s.len()
                        && (self.s[self.i].is_ascii_digit() || b"+-.eE".contains(&self.s[self.i]))
                    {
                        self.i += 1;
                    }
                    let t = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                    t.parse()
                        .map(Value::Number)
                        .map_err(|_| format!("bad number at byte {start}"))
                }
                _ => Err(format!("unexpected input at byte {}", self.i)),
            }
        }

        fn string(&mut self) -> Result<String, String> {
            if self.s.get(self.i) != Some(&b'"') {
                return Err(format!("expected a string at byte {}", self.i));
            }
            self.i += 1;
            let mut out = Vec::new();
            loop {
                match self.s.get(self.i) {
                    None => return Err("unterminated string".into()),
                    Some(b'"') => {
                        self.i += 1;
                        return String::from_utf8(out).map_err(|_| "invalid UTF-8".to_string());
                    }
                    Some(b'\\') => {
                        let c = *self.s.get(self.i + 1).ok_or("unterminated string")?;
                        self.i += 2;
                        match c {
                            b'"' | b'\\' | b'/' => out.push(c),
                            b'n' => out.push(b'\n'),
                            b't' => out.push(b'\t'),
                            b'r' => out.push(b'\r'),
                            b'b' => out.push(8),
                            b'f' => out.push(12),
                            b'u' => {
                                let hex = self
                                    .s
                                    .get(self.i..self.i + 4)
                                    .and_then(|h| std::str::from_utf8(h).ok())
                                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                                    .ok_or("bad \\u escape")?;
                                self.i += 4;
                                let ch = char::from_u32(hex).unwrap_or('\u{fffd}');
                                let mut buf = [0u8; 4];
                                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                            }
                            _ => return Err(format!("bad escape at byte {}", self.i - 1)),
                        }
                    }
                    Some(&c) => {
                        out.push(c);
                        self.i += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostfile_formats() {
        let list =
            r#"[{"ssh": "a", "ips": ["10.0.0.1"]}, {"ssh": "b", "ips": ["10.0.0.2", "10.1.0.2"]}]"#;
        let f = parse_hostfile(list).unwrap();
        assert_eq!(f.hosts.len(), 2);
        assert_eq!(f.hosts[1].ips, ["10.0.0.2", "10.1.0.2"]);
        assert_eq!(f.backend, "");
        let obj = r#"{"backend": "ring", "envs": ["A=1"], "hosts": [{"ssh": "h\u0031", "rdma": [null]}]}"#;
        let f = parse_hostfile(obj).unwrap();
        assert_eq!(f.backend, "ring");
        assert_eq!(f.envs, ["A=1"]);
        assert_eq!(
            f.hosts,
            [Host {
                ssh: "h1".into(),
                ips: vec![]
            }]
        );
        assert!(parse_hostfile("[]").unwrap_err().contains("no hosts"));
        assert!(
            parse_hostfile("[{\"ips\": []}]")
                .unwrap_err()
                .contains("no \"ssh\"")
        );
        assert!(parse_hostfile("[1,").is_err());
    }

    #[test]
    fn arguments() {
        let args: Vec<String> = [
            "-n",
            "3",
            "--verbose",
            "--env",
            "X=1",
            "--",
            "prog",
            "-n",
            "2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let a = parse(&args).unwrap();
        assert_eq!(a.ranks, Some(3));
        assert!(a.verbose);
        assert_eq!(a.env, [("X".to_string(), "1".to_string())]);
        assert_eq!(a.command, ["prog", "-n", "2"]);
        assert!(parse(&["-n".into(), "0".into(), "--".into(), "x".into()]).is_err());
        assert!(
            parse(&["-n".into(), "2".into()])
                .unwrap_err()
                .contains("no command")
        );
        assert!(parse(&["--env".into(), "1X".into()]).is_err());
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("a/b-c"), "a/b-c");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
