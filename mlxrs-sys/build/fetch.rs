//! The pinned native artifacts: reading `pins.toml`, fetching each file through its
//! registry's own client (`pip download` for PyPI wheels, `cargo fetch` for crates),
//! checking its sha256, and unpacking it into a `third_party/`-shaped folder.
//!
//! One copy of this code serves both users of the pins: mlxrs-sys's build script (which
//! fetches into a shared cache when no MLX/mlx-c was given or found) and
//! `cargo xtask setup` (which fetches into the checkout's `third_party/`). Both include
//! this file with `#[path]`; it needs only `std` and `sha2`.
//!
//! `pins.toml` is a list of `[[artifact]]` tables of `key = "string"` pairs, the only TOML
//! it uses, so a few lines parse it. Fields: name, version, registry (`pypi` |
//! `crates.io`), package, file (the exact file the registry serves), platform (`os-arch`
//! or `any`), backend (MLX builds), dir (where it is unpacked), sha256 (of `file`); data
//! and model artifacts add `role` and `member`/`member_sha256`.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The error type: a message for the user.
pub type FetchResult<T> = std::result::Result<T, String>;

/// One pinned file.
#[derive(Debug, Clone)]
pub struct Artifact {
    fields: BTreeMap<String, String>,
}

impl Artifact {
    /// A required field.
    pub fn get(&self, key: &str) -> FetchResult<&str> {
        self.fields
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| format!("pins.toml: an artifact lacks `{key}`"))
    }

    /// An optional field.
    pub fn opt(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }
}

/// Parses the pin file at `path`.
pub fn load(path: &Path) -> FetchResult<Vec<Artifact>> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the text of a pin file.
pub fn parse(text: &str) -> FetchResult<Vec<Artifact>> {
    let mut out: Vec<Artifact> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[artifact]]" {
            out.push(Artifact {
                fields: BTreeMap::new(),
            });
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: expected `key = \"value\"`", n + 1))?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| format!("line {}: the value must be a quoted string", n + 1))?;
        let current = out
            .last_mut()
            .ok_or_else(|| format!("line {}: a key outside of [[artifact]]", n + 1))?;
        current
            .fields
            .insert(key.trim().to_string(), value.to_string());
    }
    Ok(out)
}

/// The pins' name for a platform: `linux-x86_64`, `macos-aarch64`, ...
pub fn platform_name(os: &str, arch: &str) -> String {
    format!("{os}-{arch}")
}

/// The MLX and mlx-c artifacts (no Python, data or model artifacts) that building for
/// `backend` on `platform` needs: mlx-c's sources, the MLX wheel of the backend (the
/// `cuda` backend also builds against the CPU wheel; see mlxrs-sys/build.rs), and a
/// cmake wheel when `need_cmake`. Without `with_mlx`, the MLX wheels are left out (MLX
/// comes from elsewhere: `MLX_DIR` or the Python environment).
pub fn native_artifacts<'a>(
    pins: &'a [Artifact],
    backend: &str,
    platform: &str,
    need_cmake: bool,
    with_mlx: bool,
) -> FetchResult<Vec<&'a Artifact>> {
    let mut wanted: Vec<&Artifact> = Vec::new();
    let mut missing_wheel = true;
    for a in pins {
        let applies = a.opt("platform") == Some("any") || a.opt("platform") == Some(platform);
        // Python MLX, data sets and models are fetched on request.
        if !applies || a.opt("role").is_some() {
            continue;
        }
        match (a.get("name")?, a.opt("backend")) {
            ("cmake", _) => {
                if need_cmake {
                    wanted.push(a);
                }
            }
            (_, Some(b)) if b == backend => {
                missing_wheel = false;
                if with_mlx {
                    wanted.push(a);
                }
            }
            (_, Some("cpu")) if backend == "cuda" => {
                if with_mlx {
                    wanted.push(a);
                }
            }
            (_, Some(_)) => {}
            _ => wanted.push(a),
        }
    }
    if missing_wheel {
        return Err(format!(
            "no MLX wheel is pinned for backend `{backend}` on {platform} (see third_party/pins.toml)"
        ));
    }
    Ok(wanted)
}

/// Whether `cmake` (a program name or path) runs and is at least `min`.
pub fn cmake_is_at_least(cmake: &str, min: (u32, u32)) -> bool {
    let Ok(out) = Command::new(cmake).arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = text.split_whitespace().nth(2) else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= min
}

/// The Python interpreter whose pip fetches wheels: `PYTHON`, else `python3`.
pub fn python_exe() -> String {
    std::env::var("PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".to_string())
}

/// Runs a command to completion, echoing it on stderr; a non-zero exit is an error. The
/// child's stdout goes to our stderr: a build script's stdout is read by cargo.
pub fn run_cmd(cmd: &mut Command) -> FetchResult<()> {
    eprintln!("$ {}", show(cmd));
    let status = cmd
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", show(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(cmd)))
    }
}

fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Makes `<tp>/<dir>` hold `a` (fetching into `downloads/` unless a download with the
/// right checksum is there); returns whether anything was done. `cargo` runs
/// `cargo fetch` for crates.io artifacts.
pub fn ensure(a: &Artifact, tp: &Path, downloads: &Path, cargo: &Path) -> FetchResult<bool> {
    let file = a.get("file")?;
    let sha = a.get("sha256")?;
    let dest = tp.join(a.get("dir")?);
    let stamp = dest.join(".mlxrs-pin");
    let stamp_text = format!("{file} {sha}\n");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(stamp_text.as_str()) {
        return Ok(false);
    }
    fs::create_dir_all(downloads)
        .map_err(|e| format!("cannot create {}: {e}", downloads.display()))?;
    let path = downloads.join(file);
    // A cached download that fails its checksum is reported (verify deletes it), then
    // fetched again.
    let reuse = path.is_file()
        && verify(&path, sha)
            .inspect_err(|e| eprintln!("mlxrs: {e}; fetching it again"))
            .is_ok();
    if !reuse {
        eprintln!(
            "mlxrs: fetching {} {} ({file})",
            a.get("package")?,
            a.get("version")?
        );
        match a.get("registry")? {
            "pypi" => fetch_wheel(a, downloads)?,
            "crates.io" => fetch_crate(a, downloads, cargo)?,
            other => return Err(format!("pins.toml: unknown registry `{other}`")),
        }
        verify(&path, sha)?;
    }
    eprintln!("mlxrs: unpacking {file} into {}", dest.display());
    let staging = tp.join(format!(".staging-{}", a.get("dir")?));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging)
        .map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    let unpacked = unpack(a, &path, &staging);
    let result = unpacked.and_then(|root| {
        let _ = fs::remove_dir_all(&dest);
        fs::rename(&root, &dest)
            .map_err(|e| format!("cannot move {} to {}: {e}", root.display(), dest.display()))?;
        fs::write(&stamp, &stamp_text).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
    });
    let _ = fs::remove_dir_all(&staging);
    result.map(|()| true)
}

/// Checks `path` against `sha256`; on a mismatch the file is deleted.
pub fn verify(path: &Path, sha256: &str) -> FetchResult<()> {
    let actual = sha256_of(path)?;
    if actual.eq_ignore_ascii_case(sha256) {
        return Ok(());
    }
    let _ = fs::remove_file(path);
    Err(format!(
        "checksum mismatch for {}: expected sha256 {sha256}, got {actual}; the file was deleted \
         (fetch it again; if it keeps failing the registry served a different file than the one \
         pinned in third_party/pins.toml)",
        path.display()
    ))
}

/// The hex sha256 of a file.
pub fn sha256_of(path: &Path) -> FetchResult<String> {
    let mut f = fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The hex sha256 of bytes.
pub fn sha256_of_bytes(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `pip download` of exactly the pinned wheel into `downloads/`. A failure leaves nothing.
pub fn fetch_wheel(a: &Artifact, downloads: &Path) -> FetchResult<()> {
    let file = a.get("file")?;
    let tmp = downloads.join(format!(".pip-{file}"));
    let _ = fs::remove_dir_all(&tmp);
    // <name>-<version>-<python tag>-<abi tag>-<platform tags>.whl
    let parts: Vec<&str> = file
        .strip_suffix(".whl")
        .unwrap_or(file)
        .split('-')
        .collect();
    let [.., py_tag, abi, tags] = parts.as_slice() else {
        return Err(format!("pins.toml: `{file}` is not a wheel file name"));
    };
    let py_version = match py_tag.strip_prefix("cp") {
        Some(d) if d.len() >= 2 => format!("{}.{}", &d[..1], &d[1..]),
        _ => "3.11".to_string(),
    };
    let mut cmd = Command::new(python_exe());
    cmd.args([
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-q",
    ])
    .args([
        "--python-version",
        &py_version,
        "--implementation",
        "cp",
        "--abi",
        abi,
    ]);
    for tag in tags.split('.') {
        cmd.args(["--platform", tag]);
    }
    cmd.arg(format!("{}=={}", a.get("package")?, a.get("version")?))
        .arg("-d")
        .arg(&tmp);
    let got = run_cmd(&mut cmd).and_then(|()| {
        let src = tmp.join(file);
        if !src.is_file() {
            return Err(format!("pip did not produce {file}"));
        }
        fs::rename(&src, downloads.join(file)).map_err(|e| format!("cannot move {file}: {e}"))
    });
    let _ = fs::remove_dir_all(&tmp);
    got.map_err(|e| {
        format!("downloading {file} failed: {e} (pip needs access to PyPI or a configured index)")
    })
}

/// `cargo fetch` of the pinned crate through a throw-away manifest, then a copy of the
/// `.crate` file out of cargo's cache.
pub fn fetch_crate(a: &Artifact, downloads: &Path, cargo: &Path) -> FetchResult<()> {
    let package = a.get("package")?;
    let version = a.get("package_version")?;
    let file = a.get("file")?;
    let project = downloads.join(".cargo-fetch");
    let _ = fs::remove_dir_all(&project);
    fs::create_dir_all(project.join("src")).map_err(|e| e.to_string())?;
    fs::write(
        project.join("Cargo.toml"),
        format!(
            "[package]\nname = \"mlxrs-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [dependencies]\n{package} = \"={version}\"\n\n[workspace]\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    fs::write(project.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    let mut cmd = Command::new(cargo);
    cmd.arg("fetch")
        .arg("--manifest-path")
        .arg(project.join("Cargo.toml"))
        // Inside a build script cargo describes the outer build in these; the fetch is
        // its own.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_MANIFEST_DIR")
        .env_remove("RUSTC_WRAPPER");
    let fetched = run_cmd(&mut cmd);
    let _ = fs::remove_dir_all(&project);
    fetched.map_err(|e| format!("fetching the crate {package} {version} failed: {e}"))?;
    let cache = cargo_home().join("registry").join("cache");
    let found = fs::read_dir(&cache)
        .map_err(|e| format!("cannot read cargo's cache {}: {e}", cache.display()))?
        .filter_map(|d| d.ok())
        .map(|d| d.path().join(file))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "cargo fetched {package} but {file} is not in {}",
                cache.display()
            )
        })?;
    let tmp = downloads.join(format!(".partial-{file}"));
    let copied = fs::copy(&found, &tmp)
        .map_err(|e| format!("cannot copy {}: {e}", found.display()))
        .and_then(|_| fs::rename(&tmp, downloads.join(file)).map_err(|e| e.to_string()));
    if copied.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    copied
}

fn cargo_home() -> PathBuf {
    if let Some(h) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cargo")
}

/// Unpacks into `staging` and returns the folder that becomes `<tp>/<dir>`.
pub fn unpack(a: &Artifact, archive: &Path, staging: &Path) -> FetchResult<PathBuf> {
    if let Some(member) = a.opt("member") {
        // One file of the archive (a zip: a wheel), checked against its own sha256.
        let script = "import os, sys, zipfile\n\
                      with zipfile.ZipFile(sys.argv[1]) as z:\n\
                      \x20   data = z.read(sys.argv[3])\n\
                      os.makedirs(sys.argv[2], exist_ok=True)\n\
                      with open(os.path.join(sys.argv[2], os.path.basename(sys.argv[3])), 'wb') as f:\n\
                      \x20   f.write(data)\n";
        let root = staging.join("root");
        run_cmd(
            Command::new(python_exe())
                .arg("-c")
                .arg(script)
                .arg(archive)
                .arg(&root)
                .arg(member),
        )
        .map_err(|e| format!("cannot take {member} out of {}: {e}", archive.display()))?;
        let name = member.rsplit('/').next().unwrap_or(member);
        verify(&root.join(name), a.get("member_sha256")?)
            .map_err(|e| format!("{member} of {}: {e}", archive.display()))?;
        return Ok(root);
    }
    if archive.extension().and_then(|e| e.to_str()) == Some("whl") {
        // zipfile drops the Unix mode bits; keep them (cmake's binary must stay executable).
        let script = "import os, sys, zipfile\n\
                      with zipfile.ZipFile(sys.argv[1]) as z:\n\
                      \x20   for i in z.infolist():\n\
                      \x20       p = z.extract(i, sys.argv[2])\n\
                      \x20       m = (i.external_attr >> 16) & 0o777\n\
                      \x20       if m: os.chmod(p, m)\n";
        let root = staging.join("root");
        run_cmd(
            Command::new(python_exe())
                .arg("-c")
                .arg(script)
                .arg(archive)
                .arg(&root),
        )?;
        Ok(root)
    } else {
        run_cmd(
            Command::new("tar")
                .arg("xzf")
                .arg(archive)
                .arg("-C")
                .arg(staging),
        )?;
        let sub = staging.join(a.get("subdir")?);
        if !sub.is_dir() {
            return Err(format!(
                "{} holds no {}",
                archive.display(),
                a.get("subdir")?
            ));
        }
        Ok(sub)
    }
}

/// The shared cache that mlxrs-sys's build script fetches into: `MLXRS_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/mlxrs`, else `~/Library/Caches/mlxrs` (macOS) or `~/.cache/mlxrs`.
pub fn cache_root(macos: bool) -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("MLXRS_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("mlxrs"));
    }
    let home = PathBuf::from(var("HOME")?);
    Some(if macos {
        home.join("Library/Caches/mlxrs")
    } else {
        home.join(".cache/mlxrs")
    })
}

/// A lock held while one process fills or builds in a cache folder: a directory created
/// atomically, removed on drop. A lock older than `stale_after` is taken over (its
/// owner died).
pub struct DirLock {
    path: PathBuf,
}

impl DirLock {
    /// Waits (up to `wait`) for the lock at `path`.
    pub fn acquire(
        path: &Path,
        wait: std::time::Duration,
        stale_after: std::time::Duration,
    ) -> FetchResult<DirLock> {
        let start = std::time::Instant::now();
        let mut told = false;
        loop {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            match fs::create_dir(path) {
                Ok(()) => {
                    return Ok(DirLock {
                        path: path.to_path_buf(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|a| a > stale_after) {
                        let _ = fs::remove_dir(path);
                        continue;
                    }
                    if start.elapsed() > wait {
                        return Err(format!(
                            "timed out waiting for {} (another build is filling the cache; \
                             remove that folder if no build is running)",
                            path.display()
                        ));
                    }
                    if !told {
                        eprintln!("mlxrs: waiting for {}", path.display());
                        told = true;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(250));
                }
                Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
            }
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = fs::remove_dir(&self.path);
    }
}
