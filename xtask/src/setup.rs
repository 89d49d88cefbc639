//! `cargo xtask setup`: fetch the pinned native dependencies into `third_party/`.
//!
//! Wheels come from PyPI through `pip download`, the mlx-c tree from the crates.io
//! package `mlx-sys` through `cargo fetch`. Every file is checked against its sha256 in
//! `third_party/pins.toml` before it is unpacked; a mismatch deletes the file. Data
//! artifacts (`role = "data"`: the digits of the `train_digits` example) unpack a single
//! `member` of their wheel, checked against its own `member_sha256`; model artifacts
//! (`role = "model"`: all-MiniLM-L6-v2) unpack several `members`, each checked against
//! its entry in `members_sha256`.

use crate::pins::{self, Artifact};
use crate::{Result, cargo, run_cmd, third_party};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What `setup` decided and did.
pub struct Setup {
    /// The MLX backend whose wheel is unpacked (`cpu`, `cuda`, `metal`).
    pub backend: String,
}

/// The backend a host uses when none is asked for.
pub fn natural_backend() -> &'static str {
    if cfg!(target_os = "macos") {
        "metal"
    } else {
        "cpu"
    }
}

fn host_platform() -> String {
    let os = if cfg!(target_os = "macos") {
        "macos"
    } else {
        std::env::consts::OS
    };
    format!("{os}-{}", std::env::consts::ARCH)
}

/// Parses `[--backend B]` and runs setup.
pub fn run(args: &[String]) -> Result<Setup> {
    let mut backend = None;
    let mut with_python = false;
    let mut with_data = false;
    let mut with_models = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--python" => with_python = true,
            "--data" => with_data = true,
            "--models" => with_models = true,
            "--backend" => backend = Some(it.next().ok_or("--backend needs a value")?.clone()),
            s if s.starts_with("--backend=") => backend = Some(s["--backend=".len()..].to_string()),
            other => return Err(format!("setup: unknown option `{other}`")),
        }
    }
    let backend = backend.unwrap_or_else(|| natural_backend().to_string());
    if !["cpu", "cuda", "metal"].contains(&backend.as_str()) {
        return Err(format!(
            "setup: unknown backend `{backend}` (expected cpu, cuda or metal)"
        ));
    }
    let done = setup(&backend)?;
    if with_python {
        python_mlx()?;
    }
    if with_data {
        digits()?;
    }
    if with_models {
        minilm()?;
    }
    Ok(done)
}

/// Fetches the digits data set (the pinned artifact `digits`) into `third_party/digits/`
/// unless it is there already; returns the path of `digits.csv.gz`.
pub fn digits() -> Result<PathBuf> {
    let tp = third_party();
    let pins = pins::load(&tp.join("pins.toml"))?;
    let a = pins
        .iter()
        .find(|a| a.opt("role") == Some("data") && a.opt("name") == Some("digits"))
        .ok_or("pins.toml: no data artifact named `digits`")?;
    ensure(a, &tp, &tp.join(".downloads"))?;
    let member = members(a)?
        .into_iter()
        .next()
        .ok_or("pins.toml: the `digits` artifact names no member")?;
    Ok(tp.join(a.get("dir")?).join(member.out))
}

/// Fetches the sentence-embedding model all-MiniLM-L6-v2 (the pinned artifact `minilm`,
/// `role = "model"`) into `third_party/minilm/` unless it is there already; returns that
/// folder (`model.safetensors`, `config.json`, `tokenizer.json`, `1_Pooling/config.json`).
pub fn minilm() -> Result<PathBuf> {
    let tp = third_party();
    let pins = pins::load(&tp.join("pins.toml"))?;
    let a = pins
        .iter()
        .find(|a| a.opt("role") == Some("model") && a.opt("name") == Some("minilm"))
        .ok_or("pins.toml: no model artifact named `minilm`")?;
    ensure(a, &tp, &tp.join(".downloads"))?;
    Ok(tp.join(a.get("dir")?))
}

/// Fetches and unpacks what `backend` needs on this host.
pub fn setup(backend: &str) -> Result<Setup> {
    let tp = third_party();
    let pins = pins::load(&tp.join("pins.toml"))?;
    let platform = host_platform();
    let mut wanted: Vec<&Artifact> = Vec::new();
    let mut missing_wheel = true;
    for a in &pins {
        let applies = a.opt("platform") == Some("any") || a.opt("platform") == Some(&platform);
        // Python MLX, data sets and models are fetched on request (`--python`, `--data`,
        // `--models`).
        if !applies || a.opt("role").is_some() {
            continue;
        }
        match (a.get("name")?, a.opt("backend")) {
            ("cmake", _) => {
                if !system_cmake_is_recent() {
                    wanted.push(a);
                }
            }
            (_, Some(b)) if b == backend => {
                missing_wheel = false;
                wanted.push(a);
            }
            // The cuda backend builds against the CPU wheel (same API and ABI; see
            // mlxrs-sys/build.rs) and loads the CUDA wheel's libmlx at run time.
            (_, Some("cpu")) if backend == "cuda" => wanted.push(a),
            (_, Some(_)) => {}
            _ => wanted.push(a),
        }
    }
    if missing_wheel {
        return Err(format!(
            "setup: no MLX wheel is pinned for backend `{backend}` on {platform} (see third_party/pins.toml)"
        ));
    }
    let downloads = tp.join(".downloads");
    let mut changed = 0;
    for a in wanted {
        if ensure(a, &tp, &downloads)? {
            changed += 1;
        }
    }
    let blas_installed = ensure_openblas();
    let marker = tp.join("BACKEND");
    // Rewriting the marker also makes mlxrs-sys's build script look for OpenBLAS again.
    if blas_installed || fs::read_to_string(&marker).ok().as_deref().map(str::trim) != Some(backend)
    {
        fs::write(&marker, format!("{backend}\n"))
            .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
        changed += 1;
    }
    if changed == 0 {
        eprintln!("setup: third_party/ is up to date (backend {backend}); nothing to do");
    } else {
        eprintln!("setup: done (backend {backend})");
    }
    Ok(Setup {
        backend: backend.to_string(),
    })
}

/// Installs Python MLX (the pinned `mlx` wheel for this Python, with the `mlx-cpu` wheel)
/// into `third_party/python`; returns that folder, for `PYTHONPATH`.
pub fn python_mlx() -> Result<PathBuf> {
    setup("cpu")?;
    let tp = third_party();
    let pins = pins::load(&tp.join("pins.toml"))?;
    let platform = host_platform();
    let out = Command::new(python_exe())
        .args([
            "-c",
            "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')",
        ])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python_exe()))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let wheel = pins
        .iter()
        .find(|a| a.opt("role") == Some("python") && a.opt("platform") == Some(&platform) && a.opt("python") == Some(&version))
        .ok_or_else(|| {
            format!("no Python MLX wheel is pinned for Python {version} on {platform} (third_party/pins.toml)")
        })?;
    let cpu = pins
        .iter()
        .find(|a| a.opt("backend") == Some("cpu") && a.opt("platform") == Some(&platform))
        .ok_or_else(|| format!("no mlx-cpu wheel is pinned for {platform}"))?;
    let dest = tp.join("python");
    let stamp = dest.join(".mlxrs-pin");
    let stamp_text = format!(
        "{} {}\n{} {}\n",
        wheel.get("file")?,
        wheel.get("sha256")?,
        cpu.get("file")?,
        cpu.get("sha256")?
    );
    if fs::read_to_string(&stamp).ok().as_deref() == Some(stamp_text.as_str()) {
        return Ok(dest);
    }
    let downloads = tp.join(".downloads");
    fs::create_dir_all(&downloads).map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    for a in [wheel, cpu] {
        let path = downloads.join(a.get("file")?);
        if !(path.is_file() && verify(&path, a.get("sha256")?).is_ok()) {
            eprintln!(
                "setup: fetching {} {} ({})",
                a.get("package")?,
                a.get("version")?,
                a.get("file")?
            );
            fetch_wheel(a, &downloads)?;
            verify(&path, a.get("sha256")?)?;
        }
        files.push(path);
    }
    let _ = fs::remove_dir_all(&dest);
    run_cmd(
        Command::new(python_exe())
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-index",
                "--target",
            ])
            .arg(&dest)
            .args(&files),
    )?;
    fs::write(&stamp, stamp_text).map_err(|e| e.to_string())?;
    eprintln!("setup: Python MLX installed into {}", dest.display());
    Ok(dest)
}

/// The OpenBLAS that mlxrs-sys/build.rs links, found the same way: pkg-config's
/// `openblas`, then the known places (kept in step with build.rs's `find_blas`).
pub fn openblas_path() -> Option<PathBuf> {
    let from_pkg_config = Command::new("pkg-config")
        .args(["--variable=libdir", "openblas"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .into_iter()
        .flat_map(|dir| [dir.join("libopenblas.so.0"), dir.join("libopenblas.so")]);
    let triple = format!("{}-linux-gnu", std::env::consts::ARCH);
    let known = [
        format!("/usr/lib/{triple}/libopenblas.so.0"),
        format!("/usr/lib/{triple}/openblas-pthread/libopenblas.so.0"),
        "/usr/lib64/libopenblas.so.0".to_string(),
        "/usr/lib/libopenblas.so.0".to_string(),
        "/usr/local/lib/libopenblas.so.0".to_string(),
        "/usr/local/lib/libopenblas.so".to_string(),
    ]
    .into_iter()
    .map(PathBuf::from);
    from_pkg_config.chain(known).find(|p| p.is_file())
}

fn openblas_present() -> bool {
    openblas_path().is_some()
}

/// On Linux, makes sure an OpenBLAS is installed for mlxrs-sys to link ahead of the
/// wheel's reference BLAS: installs Debian's `libopenblas0-pthread` where we may (root
/// with apt-get), otherwise says what to install. Returns whether it installed anything.
fn ensure_openblas() -> bool {
    if !cfg!(target_os = "linux") || std::env::var("MLXRS_BLAS").is_ok() || openblas_present() {
        return false;
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let apt = Command::new("apt-get").arg("--version").output().is_ok();
    if root && apt {
        eprintln!(
            "setup: installing OpenBLAS (libopenblas0-pthread) so MLX's matrix products use it"
        );
        let install = || {
            Command::new("apt-get")
                .args(["install", "-y", "-q", "libopenblas0-pthread"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .is_ok_and(|s| s.success())
        };
        let ok = install()
            || (Command::new("apt-get")
                .args(["update", "-q"])
                .status()
                .is_ok_and(|s| s.success())
                && install());
        if ok && openblas_present() {
            return true;
        }
        eprintln!("setup: warning: installing libopenblas0-pthread failed");
    }
    eprintln!(
        "setup: note: no OpenBLAS found; MLX will use its wheel's reference BLAS (f32 matmul ~30x slower). \
         Install libopenblas0-pthread (Debian/Ubuntu) or openblas (Fedora), or set MLXRS_BLAS=<libopenblas.so path>"
    );
    false
}

fn system_cmake_is_recent() -> bool {
    let Ok(out) = Command::new("cmake").arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.split_whitespace().nth(2).unwrap_or("");
    let mut p = version.split('.').map(|x| x.parse::<u32>().unwrap_or(0));
    (p.next().unwrap_or(0), p.next().unwrap_or(0)) >= (3, 24)
}

/// Makes `third_party/<dir>` hold `a`; returns whether anything was done.
fn ensure(a: &Artifact, tp: &Path, downloads: &Path) -> Result<bool> {
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
            .inspect_err(|e| eprintln!("setup: {e}; fetching it again"))
            .is_ok();
    if !reuse {
        eprintln!(
            "setup: fetching {} {} ({file})",
            a.get("package")?,
            a.get("version")?
        );
        match a.get("registry")? {
            "pypi" => fetch_wheel(a, downloads)?,
            "crates.io" => fetch_crate(a, downloads)?,
            other => return Err(format!("pins.toml: unknown registry `{other}`")),
        }
        verify(&path, sha)?;
    }
    eprintln!("setup: unpacking {file} into {}", dest.display());
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
pub fn verify(path: &Path, sha256: &str) -> Result<()> {
    let actual = sha256_of(path)?;
    if actual.eq_ignore_ascii_case(sha256) {
        return Ok(());
    }
    let _ = fs::remove_file(path);
    Err(format!(
        "checksum mismatch for {}: expected sha256 {sha256}, got {actual}; the file was deleted \
         (run `cargo xtask setup` again; if it keeps failing the registry served a different file \
         than the one pinned in third_party/pins.toml)",
        path.display()
    ))
}

/// The hex sha256 of a file.
pub fn sha256_of(path: &Path) -> Result<String> {
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

pub fn python_exe() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// `pip download` of exactly the pinned wheel into `downloads/`. A failure leaves nothing.
fn fetch_wheel(a: &Artifact, downloads: &Path) -> Result<()> {
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
    got.map_err(|e| format!("downloading {file} failed: {e}"))
}

/// `cargo fetch` of the pinned crate through a throw-away manifest, then a copy of the
/// `.crate` file out of cargo's cache.
fn fetch_crate(a: &Artifact, downloads: &Path) -> Result<()> {
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
    let fetched = run_cmd(
        cargo()
            .arg("fetch")
            .arg("--manifest-path")
            .arg(project.join("Cargo.toml")),
    );
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
    if let Some(h) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(h);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cargo")
}

/// One file taken out of an archive: its path there, its sha256, and where it goes under
/// `third_party/<dir>`.
pub struct Member<'a> {
    /// The path inside the archive.
    pub path: &'a str,
    /// Its pinned sha256.
    pub sha256: &'a str,
    /// Its path under `third_party/<dir>`: `path` without `member_prefix`, or its file
    /// name when the pin names no prefix.
    pub out: String,
}

/// The members an artifact unpacks (none: the whole archive): `member` with
/// `member_sha256`, or `members` with `members_sha256` (whitespace-separated lists of the
/// same length, in the same order), each placed under `member_prefix` stripped.
pub fn members(a: &Artifact) -> Result<Vec<Member<'_>>> {
    let (paths, shas): (Vec<&str>, Vec<&str>) = match (a.opt("member"), a.opt("members")) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "pins.toml: artifact `{}` has both `member` and `members`",
                a.get("name")?
            ));
        }
        (Some(m), None) => (vec![m], vec![a.get("member_sha256")?]),
        (None, Some(ms)) => (
            ms.split_whitespace().collect(),
            a.get("members_sha256")?.split_whitespace().collect(),
        ),
        (None, None) => return Ok(Vec::new()),
    };
    if paths.len() != shas.len() || paths.is_empty() {
        return Err(format!(
            "pins.toml: artifact `{}` names {} members but {} sha256s",
            a.get("name")?,
            paths.len(),
            shas.len()
        ));
    }
    let prefix = a.opt("member_prefix");
    paths
        .into_iter()
        .zip(shas)
        .map(|(path, sha256)| {
            let out = match prefix {
                Some(p) => path
                    .strip_prefix(p)
                    .filter(|rest| !rest.is_empty())
                    .ok_or_else(|| {
                        format!(
                            "pins.toml: member `{path}` does not start with member_prefix `{p}`"
                        )
                    })?
                    .to_string(),
                None => path.rsplit('/').next().unwrap_or(path).to_string(),
            };
            Ok(Member { path, sha256, out })
        })
        .collect()
}

/// Unpacks into `staging` and returns the folder that becomes `third_party/<dir>`.
fn unpack(a: &Artifact, archive: &Path, staging: &Path) -> Result<PathBuf> {
    let members = members(a)?;
    if !members.is_empty() {
        // Some files of the archive (a zip: a wheel), each checked against its own sha256.
        let script = "import os, sys, zipfile\n\
                      with zipfile.ZipFile(sys.argv[1]) as z:\n\
                      \x20   for m, out in zip(sys.argv[3::2], sys.argv[4::2]):\n\
                      \x20       data = z.read(m)\n\
                      \x20       p = os.path.join(sys.argv[2], out)\n\
                      \x20       os.makedirs(os.path.dirname(p), exist_ok=True)\n\
                      \x20       with open(p, 'wb') as f:\n\
                      \x20           f.write(data)\n";
        let root = staging.join("root");
        let mut cmd = Command::new(python_exe());
        cmd.arg("-c").arg(script).arg(archive).arg(&root);
        for m in &members {
            cmd.arg(m.path).arg(&m.out);
        }
        run_cmd(&mut cmd).map_err(|e| {
            let names: Vec<&str> = members.iter().map(|m| m.path).collect();
            format!(
                "cannot take {} out of {}: {e}",
                names.join(", "),
                archive.display()
            )
        })?;
        for m in &members {
            verify(&root.join(&m.out), m.sha256)
                .map_err(|e| format!("{} of {}: {e}", m.path, archive.display()))?;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mlxrs-xtask-{}-{name}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        // FIPS 180-2 test vector for "abc".
        let p = temp_file("abc", b"abc");
        assert_eq!(
            sha256_of(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        verify(
            &p,
            "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        )
        .unwrap();
        assert!(p.is_file());
    }

    #[test]
    fn a_flipped_byte_is_reported_and_the_file_deleted() {
        let mut bytes = b"pinned artifact contents".to_vec();
        let p = temp_file("good", &bytes);
        let good = sha256_of(&p).unwrap();
        bytes[3] ^= 0x01;
        let bad = temp_file("flipped", &bytes);
        let err = verify(&bad, &good).unwrap_err();
        assert!(err.contains("checksum mismatch"), "{err}");
        assert!(err.contains(&good), "{err}");
        assert!(!bad.exists(), "the corrupted file must be deleted");
    }

    #[test]
    fn a_corrupted_real_download_is_caught() {
        // Uses the pinned mlx-c crate when setup has fetched it (it is small).
        let tp = third_party();
        let pins = pins::load(&tp.join("pins.toml")).unwrap();
        let a = pins
            .iter()
            .find(|a| a.get("name").unwrap() == "mlx-c")
            .unwrap();
        let src = tp.join(".downloads").join(a.get("file").unwrap());
        let Ok(mut bytes) = fs::read(&src) else {
            eprintln!("skipped: {} not downloaded", src.display());
            return;
        };
        verify(&src, a.get("sha256").unwrap()).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x80;
        let bad = temp_file("mlx-sys.crate", &bytes);
        let err = verify(&bad, a.get("sha256").unwrap()).unwrap_err();
        assert!(err.contains("checksum mismatch"), "{err}");
        assert!(!bad.exists());
    }

    #[test]
    fn a_corrupted_cached_download_is_fetched_again_and_a_second_run_does_nothing() {
        // `ensure` end to end on the pinned mlx-c crate (0.2 MB; cargo serves it from its
        // cache), in a third_party/ of its own whose cached download has a flipped byte.
        let real_tp = third_party();
        let pins = pins::load(&real_tp.join("pins.toml")).unwrap();
        let a = pins
            .iter()
            .find(|a| a.get("name").unwrap() == "mlx-c")
            .unwrap();
        let file = a.get("file").unwrap();
        let Ok(mut bytes) = fs::read(real_tp.join(".downloads").join(file)) else {
            eprintln!("skipped: {file} not downloaded");
            return;
        };
        let tp = std::env::temp_dir().join(format!("mlxrs-xtask-{}-ensure", std::process::id()));
        let _ = fs::remove_dir_all(&tp);
        let downloads = tp.join(".downloads");
        fs::create_dir_all(&downloads).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x01;
        fs::write(downloads.join(file), &bytes).unwrap();

        assert!(ensure(a, &tp, &downloads).unwrap(), "the first run unpacks");
        verify(&downloads.join(file), a.get("sha256").unwrap()).unwrap();
        let unpacked = tp.join(a.get("dir").unwrap());
        assert!(unpacked.join("CMakeLists.txt").is_file());
        assert!(unpacked.join("mlx/c/mlx.h").is_file());
        assert!(
            !ensure(a, &tp, &downloads).unwrap(),
            "a second run does nothing"
        );
        let _ = fs::remove_dir_all(&tp);
    }

    #[test]
    fn members_pair_paths_with_sha256s_and_strip_the_prefix() {
        let pin = |extra: &str| {
            pins::parse(&format!("[[artifact]]\nname = \"m\"\n{extra}")).unwrap()[0].clone()
        };
        let a = pin(
            "member_prefix = \"pkg/model/\"\nmembers = \"pkg/model/a.json pkg/model/sub/b.json\"\n\
             members_sha256 = \"11 22\"\n",
        );
        let m = members(&a).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].path, m[0].sha256, m[0].out.as_str()),
            ("pkg/model/a.json", "11", "a.json")
        );
        assert_eq!(m[1].out, "sub/b.json");
        let one = pin("member = \"x/y/z.csv\"\nmember_sha256 = \"33\"\n");
        assert_eq!(members(&one).unwrap()[0].out, "z.csv");
        assert!(members(&pin("")).unwrap().is_empty());
        let short = pin("members = \"a b\"\nmembers_sha256 = \"11\"\n");
        assert!(
            members(&short)
                .err()
                .unwrap()
                .contains("2 members but 1 sha256s")
        );
        let outside = pin("member_prefix = \"p/\"\nmembers = \"q/a\"\nmembers_sha256 = \"11\"\n");
        assert!(members(&outside).err().unwrap().contains("member_prefix"));
        let both =
            pin("member = \"a\"\nmember_sha256 = \"1\"\nmembers = \"a\"\nmembers_sha256 = \"1\"\n");
        assert!(members(&both).is_err());
    }

    #[test]
    fn a_data_member_is_unpacked_alone_checked_and_a_second_run_does_nothing() {
        // A wheel-like zip holding the member and another file, as a cached download.
        let tp = std::env::temp_dir().join(format!("mlxrs-xtask-{}-member", std::process::id()));
        let _ = fs::remove_dir_all(&tp);
        let downloads = tp.join(".downloads");
        fs::create_dir_all(&downloads).unwrap();
        let wheel = downloads.join("fake-1.0-py3-none-any.whl");
        let made = Command::new(python_exe())
            .arg("-c")
            .arg(
                "import sys, zipfile\n\
                 with zipfile.ZipFile(sys.argv[1], 'w') as z:\n\
                 \x20   z.writestr('pkg/data/digits.csv.gz', b'0,1,2\\n')\n\
                 \x20   z.writestr('pkg/other.py', b'x = 1\\n')\n",
            )
            .arg(&wheel)
            .status()
            .unwrap();
        assert!(made.success());
        let member_sha = {
            let p = temp_file("member", b"0,1,2\n");
            sha256_of(&p).unwrap()
        };
        let pin = |dir: &str, member_sha: &str| {
            format!(
                "[[artifact]]\nname = \"digits\"\nversion = \"1.0\"\nregistry = \"pypi\"\n\
                 package = \"fake\"\nfile = \"fake-1.0-py3-none-any.whl\"\nplatform = \"any\"\n\
                 role = \"data\"\nmember = \"pkg/data/digits.csv.gz\"\nmember_sha256 = \"{member_sha}\"\n\
                 dir = \"{dir}\"\nsha256 = \"{}\"\n",
                sha256_of(&wheel).unwrap()
            )
        };
        let good = pins::parse(&pin("digits", &member_sha)).unwrap();
        assert!(
            ensure(&good[0], &tp, &downloads).unwrap(),
            "the first run unpacks"
        );
        let dest = tp.join("digits");
        assert_eq!(fs::read(dest.join("digits.csv.gz")).unwrap(), b"0,1,2\n");
        assert!(!dest.join("other.py").exists() && !dest.join("pkg").exists());
        assert!(
            !ensure(&good[0], &tp, &downloads).unwrap(),
            "a second run does nothing"
        );

        // A member whose checksum differs from the pin is reported and nothing is kept.
        let wrong = "0".repeat(64);
        let bad = pins::parse(&pin("digits-bad", &wrong)).unwrap();
        let err = ensure(&bad[0], &tp, &downloads).unwrap_err();
        assert!(err.contains("checksum mismatch"), "{err}");
        assert!(err.contains("pkg/data/digits.csv.gz"), "{err}");
        assert!(!tp.join("digits-bad").exists());
        let _ = fs::remove_dir_all(&tp);
    }
}
