//! Finds or builds mlx-c 0.7.0 and links it with MLX 0.32.2.
//!
//! Order of search (the first hit wins):
//! 1. an installed mlx-c: `MLXRS_MLX_C_DIR` (a prefix with `lib/libmlxc.a` and
//!    `include/mlx/c/mlx.h`), else pkg-config `mlxc`, else a CMake package `MLXC`
//!    (`share/cmake/MLXC/MLXCConfig.cmake`) under `CMAKE_PREFIX_PATH` or a standard prefix;
//! 2. mlx-c built from source with the `cmake` crate: the tree at `MLX_C_SRC`, else the
//!    one `cargo xtask setup` unpacked into `third_party/mlx-c`;
//! 3. otherwise (a build from the registry, or a checkout without `cargo xtask setup`):
//!    the pinned artifacts of `pins.toml` (a link to `third_party/pins.toml`), fetched by
//!    the same code as `cargo xtask setup` (`build/fetch.rs`: `pip download` and
//!    `cargo fetch`, every sha256 checked) into a cache shared by all projects
//!    (`MLXRS_CACHE_DIR`, else `~/.cache/mlxrs`), where mlx-c is built once.
//!    `MLXRS_NO_FETCH=1` turns this step off (hermetic and offline builds).
//!
//! MLX itself (headers, `libmlx`) comes from `MLX_DIR` (the folder holding
//! `MLXConfig.cmake`), else from the Python environment's `mlx` when
//! `MLXRS_USE_PYTHON_MLX=1`, else from the wheel in `third_party/mlx-<backend>` (or the
//! cache of step 3).

#[allow(dead_code)] // shared with `cargo xtask setup`, which uses all of it
#[path = "build/fetch.rs"]
mod fetch;

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const MLX_VERSION: &str = "0.32.2";
const MLX_C_VERSION: &str = "0.7.0";
const MIN_CMAKE: (u32, u32) = (3, 24);

fn main() {
    if let Err(msg) = run() {
        // One actionable message; cargo shows it under "error: failed to run custom build command".
        eprintln!("\nerror: mlxrs-sys: {msg}\n");
        std::process::exit(1);
    }
}

/// Reads an environment variable, tells cargo to rerun when it changes, and treats an
/// empty value as unset.
fn env_var(name: &str) -> Option<String> {
    println!("cargo:rerun-if-env-changed={name}");
    env::var(name).ok().filter(|v| !v.is_empty())
}

fn help_text() -> String {
    format!(
        "how to fix it:\n\
         \x20 * run `cargo xtask setup` in the mlxrs checkout: it fetches the pinned MLX {MLX_VERSION} wheel and the\n\
         \x20   mlx-c {MLX_C_VERSION} sources into third_party/, and this build script finds them there;\n\
         \x20 * or point the build at what you have:\n\
         \x20     MLXRS_MLX_C_DIR=<prefix>   an installed mlx-c {MLX_C_VERSION} (lib/libmlxc.a, include/mlx/c/mlx.h)\n\
         \x20     MLX_C_SRC=<dir>            an mlx-c {MLX_C_VERSION} source checkout to build with cmake\n\
         \x20     MLX_DIR=<dir>              MLX {MLX_VERSION}'s CMake package folder (holds MLXConfig.cmake)\n\
         \x20     MLXRS_THIRD_PARTY=<dir>    a third_party/ folder filled by `cargo xtask setup`\n\
         \x20     MLXRS_BACKEND=cpu|cuda|metal  which MLX wheel of third_party/ to use\n\
         \x20     MLXRS_USE_PYTHON_MLX=1     the MLX {MLX_VERSION} of the active Python environment (pip install mlx=={MLX_VERSION})\n\
         \x20 * or let this script fetch the pinned MLX wheel and mlx-c sources itself into a shared cache\n\
         \x20   (unset MLXRS_NO_FETCH; needs python3 with pip, and access to PyPI and crates.io)"
    )
}

struct Mlx {
    /// Folder holding `MLXConfig.cmake`.
    cmake_dir: PathBuf,
    /// Folder holding `libmlx.so` / `libmlx.dylib`.
    lib_dir: PathBuf,
    /// Folder holding `mlx/mlx.h`.
    include_dir: PathBuf,
    /// Folder the binaries load `libmlx` from (rpath): `lib_dir`, except for the CUDA
    /// wheel (see `find_mlx`).
    runtime_lib_dir: PathBuf,
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=compat/mlxrs_format_compat.h");
    println!("cargo:rerun-if-changed=compat/mlxrs_mlx_error_fix.h");
    println!("cargo:rerun-if-changed=pins.toml");
    println!("cargo:rerun-if-changed=build/fetch.rs");
    // Declared before the documentation-only return: `src/lib.rs` tests this cfg.
    println!("cargo:rustc-check-cfg=cfg(mlxrs_openblas)");

    if env::var("DOCS_RS").is_ok()
        || env::var_os("CARGO_FEATURE_DOC_ONLY").is_some()
        || env_var("MLXRS_SYS_DOC_ONLY").is_some()
    {
        // Documentation builds need no native library.
        return Ok(());
    }

    let third_party = env_var("MLXRS_THIRD_PARTY")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("..").join("third_party"));
    let third_party = third_party.canonicalize().unwrap_or(third_party);

    let (mlxc_lib_dir, mlxc_include_dir, mlx) = match find_installed_mlx_c(&third_party)? {
        Some(found) => {
            println!(
                "cargo:warning=linking an installed mlx-c: it lacks mlxrs's fix for error \
                 messages holding `%` (see compat/mlxrs_mlx_error_fix.h); mlxrs refuses such inputs"
            );
            found
        }
        None => {
            // Our build carries the fix: dependents may pass `%` through to MLX.
            println!("cargo:error_format_fixed=1");
            let local_src = env_var("MLX_C_SRC").is_some()
                || third_party.join("mlx-c/CMakeLists.txt").is_file();
            if local_src {
                build_from_source(&third_party)?
            } else {
                build_in_cache(&manifest_dir)?
            }
        }
    };

    println!("cargo:rustc-link-search=native={}", mlxc_lib_dir.display());
    println!("cargo:rustc-link-lib=static=mlxc");
    println!("cargo:rustc-link-search=native={}", mlx.lib_dir.display());
    println!("cargo:rustc-link-lib=dylib=mlx");
    if env::var("CARGO_CFG_TARGET_VENDOR").as_deref() == Ok("apple") {
        println!("cargo:rustc-link-lib=dylib=c++");
    } else {
        println!("cargo:rustc-link-lib=dylib=stdc++");
    }
    // This crate's own tests find libmlx without LD_LIBRARY_PATH.
    println!(
        "cargo:rustc-link-arg=-Wl,-rpath,{}",
        mlx.runtime_lib_dir.display()
    );

    // An optimized BLAS, linked ahead of the MLX wheel's reference BLAS: the dynamic
    // loader resolves libmlx's (and the wheel LAPACK's) BLAS calls to the first library
    // in load order that defines them, and libraries a binary links directly load before
    // libmlx's own dependencies.
    match find_blas()? {
        Some(lib) => {
            println!("cargo:rerun-if-changed={}", lib.display());
            let dir = lib.parent().unwrap_or(Path::new("/"));
            let name = lib
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("libopenblas.so");
            println!("cargo:rustc-link-search=native={}", dir.display());
            println!("cargo:rustc-link-lib=dylib:+verbatim={name}");
            println!("cargo:rustc-cfg=mlxrs_openblas");
            println!("cargo:blas={}", lib.display());
        }
        None => println!("cargo:blas=reference"),
    }

    // Metadata for dependents: DEP_MLXC_LIB_DIR, DEP_MLXC_INCLUDE, DEP_MLXC_MLX_INCLUDE,
    // DEP_MLXC_MLX_DIR. `mlxrs` turns DEP_MLXC_LIB_DIR into an rpath.
    println!("cargo:lib_dir={}", mlx.runtime_lib_dir.display());
    println!("cargo:include={}", mlxc_include_dir.display());
    println!("cargo:mlx_include={}", mlx.include_dir.display());
    println!("cargo:mlx_dir={}", mlx.cmake_dir.display());
    println!("cargo:mlxc_lib_dir={}", mlxc_lib_dir.display());
    println!("cargo:version={MLX_C_VERSION}");
    println!("cargo:mlx_version={MLX_VERSION}");
    Ok(())
}

/// OpenBLAS to link: `MLXRS_BLAS=<library file>`, `MLXRS_BLAS=reference` (none), else
/// pkg-config `openblas`, else the usual distribution paths. Linux only: on macOS MLX
/// uses Accelerate.
fn find_blas() -> Result<Option<PathBuf>, String> {
    let choice = env_var("MLXRS_BLAS");
    if choice.as_deref() == Some("reference") {
        return Ok(None);
    }
    if let Some(path) = choice {
        let p = PathBuf::from(&path);
        return if p.is_file() {
            Ok(Some(p))
        } else {
            Err(format!(
                "MLXRS_BLAS={path} is not a library file (give the path of libopenblas.so.0, or \
                 `reference` to keep the MLX wheel's reference BLAS)"
            ))
        };
    }
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return Ok(None);
    }
    if let Ok(lib) = pkg_config::Config::new()
        .cargo_metadata(false)
        .probe("openblas")
    {
        for dir in &lib.link_paths {
            for name in ["libopenblas.so.0", "libopenblas.so"] {
                if dir.join(name).is_file() {
                    return Ok(Some(dir.join(name)));
                }
            }
        }
    }
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let triple = format!("{arch}-linux-gnu");
    let candidates = [
        format!("/usr/lib/{triple}/libopenblas.so.0"),
        format!("/usr/lib/{triple}/openblas-pthread/libopenblas.so.0"),
        "/usr/lib64/libopenblas.so.0".to_string(),
        "/usr/lib/libopenblas.so.0".to_string(),
        "/usr/local/lib/libopenblas.so.0".to_string(),
        "/usr/local/lib/libopenblas.so".to_string(),
    ];
    // (Not watched when absent: cargo would rerun this script on every build. `cargo xtask
    // setup` touches third_party/BACKEND, which is watched, when it installs OpenBLAS.)
    Ok(candidates
        .into_iter()
        .map(PathBuf::from)
        .find(|c| c.is_file()))
}

/// Step 1: an mlx-c that is already built and installed.
fn find_installed_mlx_c(third_party: &Path) -> Result<Option<(PathBuf, PathBuf, Mlx)>, String> {
    if let Some(prefix) = env_var("MLXRS_MLX_C_DIR") {
        let prefix = PathBuf::from(prefix);
        let (lib, inc) = check_mlx_c_prefix(&prefix).ok_or_else(|| {
            format!(
                "MLXRS_MLX_C_DIR={} does not hold an installed mlx-c (expected lib/libmlxc.a and \
                 include/mlx/c/mlx.h)\n{}",
                prefix.display(),
                help_text()
            )
        })?;
        let config = prefix.join("share/cmake/MLXC/MLXCConfigVersion.cmake");
        if let Some(v) = cmake_package_version(&config) {
            if v != MLX_C_VERSION && env_var("MLXRS_SKIP_VERSION_CHECK").is_none() {
                return Err(format!(
                    "MLXRS_MLX_C_DIR={} holds mlx-c {v}, but mlxrs-sys's bindings are for mlx-c \
                     {MLX_C_VERSION} (set MLXRS_SKIP_VERSION_CHECK=1 to try anyway)\n{}",
                    prefix.display(),
                    help_text()
                ));
            }
        }
        let mlx = find_mlx(third_party, Some(&prefix))?;
        return Ok(Some((lib, inc, mlx)));
    }
    if let Ok(lib) = pkg_config::Config::new()
        .exactly_version(MLX_C_VERSION)
        .cargo_metadata(false)
        .probe("mlxc")
    {
        if let (Some(lib_dir), Some(inc)) = (lib.link_paths.first(), lib.include_paths.first()) {
            let mlx = find_mlx(third_party, lib_dir.parent())?;
            return Ok(Some((lib_dir.clone(), inc.clone(), mlx)));
        }
    }
    let mut prefixes: Vec<PathBuf> = env_var("CMAKE_PREFIX_PATH")
        .map(|v| env::split_paths(&v).collect())
        .unwrap_or_default();
    prefixes.extend(["/usr/local", "/opt/homebrew", "/usr"].map(PathBuf::from));
    for prefix in prefixes {
        let config = prefix.join("share/cmake/MLXC/MLXCConfigVersion.cmake");
        if !config.is_file() {
            continue;
        }
        let version = cmake_package_version(&config);
        if version.as_deref() != Some(MLX_C_VERSION) {
            println!(
                "cargo:warning=ignoring the mlx-c CMake package at {} (version {}, need {MLX_C_VERSION})",
                prefix.display(),
                version.as_deref().unwrap_or("unknown")
            );
            continue;
        }
        if let Some((lib, inc)) = check_mlx_c_prefix(&prefix) {
            let mlx = find_mlx(third_party, Some(&prefix))?;
            return Ok(Some((lib, inc, mlx)));
        }
    }
    Ok(None)
}

fn check_mlx_c_prefix(prefix: &Path) -> Option<(PathBuf, PathBuf)> {
    let inc = prefix.join("include");
    if !inc.join("mlx/c/mlx.h").is_file() {
        return None;
    }
    ["lib", "lib64"]
        .iter()
        .map(|l| prefix.join(l))
        .find(|l| l.join("libmlxc.a").is_file())
        .map(|l| (l, inc))
}

/// Reads `set(PACKAGE_VERSION "x.y.z")` from a CMake `*ConfigVersion.cmake`.
fn cmake_package_version(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("set(PACKAGE_VERSION ")?;
        Some(rest.trim_end_matches(')').trim_matches('"').to_string())
    })
}

/// MLX: `MLX_DIR`, else the wheel in third_party/, else (for an installed mlx-c) the
/// same prefix.
fn find_mlx(third_party: &Path, installed_prefix: Option<&Path>) -> Result<Mlx, String> {
    if let Some(dir) = env_var("MLX_DIR") {
        return mlx_from_cmake_dir(Path::new(&dir), "MLX_DIR");
    }
    if use_python_mlx() {
        return python_mlx();
    }
    let backend = selected_backend(third_party);
    if backend == "cuda" {
        // The CUDA wheel's CMake package needs the CUDA toolkit just to configure, though
        // mlx-c uses no CUDA header. Its C++ API and ABI are those of the CPU wheel of
        // the same version: compile and link against the CPU wheel, and load the CUDA
        // wheel's libmlx at run time (rpath). Its CUDA libraries (cuBLAS, cuDNN, NCCL,
        // NVRTC, cuFFT) must be on the loader's path, e.g. NVIDIA's wheels.
        let cpu = third_party.join("mlx-cpu/mlx/share/cmake/MLX");
        let cuda_lib = third_party.join("mlx-cuda/mlx/lib");
        println!("cargo:rerun-if-changed={}", cuda_lib.display());
        if !cpu.is_dir() || !cuda_lib.join("libmlx.so").is_file() {
            return Err(format!(
                "the cuda backend needs the mlx-cuda-13 wheel and, to build against, the mlx-cpu \
                 wheel in {}: run `cargo xtask setup --backend cuda`\n{}",
                third_party.display(),
                help_text()
            ));
        }
        let mut mlx = mlx_from_cmake_dir(&cpu, "third_party")?;
        mlx.runtime_lib_dir = cuda_lib.canonicalize().unwrap_or(cuda_lib);
        return Ok(mlx);
    }
    let wheel_dir = third_party.join(format!("mlx-{backend}/mlx/share/cmake/MLX"));
    println!("cargo:rerun-if-changed={}", wheel_dir.display());
    if wheel_dir.is_dir() {
        return mlx_from_cmake_dir(&wheel_dir, "third_party");
    }
    if let Some(prefix) = installed_prefix {
        let cmake_dir = prefix.join("share/cmake/MLX");
        if cmake_dir.is_dir() {
            return mlx_from_cmake_dir(&cmake_dir, "the installed mlx-c's prefix");
        }
    }
    Err(format!(
        "MLX {MLX_VERSION} was not found: MLX_DIR is not set and {} does not exist\n{}",
        wheel_dir.display(),
        help_text()
    ))
}

fn selected_backend(third_party: &Path) -> String {
    if let Some(b) = env_var("MLXRS_BACKEND") {
        return b;
    }
    let marker = third_party.join("BACKEND");
    println!("cargo:rerun-if-changed={}", marker.display());
    std::fs::read_to_string(&marker)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("macos") {
                "metal".into()
            } else {
                "cpu".into()
            }
        })
}

fn mlx_from_cmake_dir(dir: &Path, origin: &str) -> Result<Mlx, String> {
    let config = dir.join("MLXConfig.cmake");
    if !config.is_file() {
        return Err(format!(
            "{origin} points at {}, which holds no MLXConfig.cmake: MLX_DIR must be MLX's CMake \
             package folder (for a wheel: <site-packages>/mlx/share/cmake/MLX)\n{}",
            dir.display(),
            help_text()
        ));
    }
    let version = cmake_package_version(&dir.join("MLXConfigVersion.cmake"));
    if version.as_deref() != Some(MLX_VERSION) && env_var("MLXRS_SKIP_VERSION_CHECK").is_none() {
        return Err(format!(
            "the MLX at {} is version {}, but mlx-c {MLX_C_VERSION} needs exactly MLX {MLX_VERSION} \
             (set MLXRS_SKIP_VERSION_CHECK=1 to try anyway)\n{}",
            dir.display(),
            version.as_deref().unwrap_or("unknown"),
            help_text()
        ));
    }
    // <prefix>/share/cmake/MLX -> <prefix>
    let prefix = dir
        .join("../../..")
        .canonicalize()
        .map_err(|e| format!("cannot resolve the MLX prefix above {}: {e}", dir.display()))?;
    let lib_dir = prefix.join("lib");
    let lib_name = if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("macos") {
        "libmlx.dylib"
    } else {
        "libmlx.so"
    };
    if !lib_dir.join(lib_name).is_file() {
        return Err(format!(
            "{origin} points at {}, but {} is missing\n{}",
            dir.display(),
            lib_dir.join(lib_name).display(),
            help_text()
        ));
    }
    Ok(Mlx {
        cmake_dir: dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()),
        runtime_lib_dir: lib_dir.clone(),
        lib_dir,
        include_dir: prefix.join("include"),
    })
}

/// Step 2: build mlx-c with cmake against MLX.
fn build_from_source(third_party: &Path) -> Result<(PathBuf, PathBuf, Mlx), String> {
    let src = match env_var("MLX_C_SRC") {
        Some(s) => PathBuf::from(s),
        None => third_party.join("mlx-c"),
    };
    if !src.join("CMakeLists.txt").is_file() || !src.join("mlx/c/mlx.h").is_file() {
        return Err(format!(
            "no mlx-c was found: MLXRS_MLX_C_DIR is not set, no installed mlx-c {MLX_C_VERSION} was \
             found, and {} holds no mlx-c source tree\n{}",
            src.display(),
            help_text()
        ));
    }
    // Rebuild only when the sources change, not on every file of the tree.
    println!(
        "cargo:rerun-if-changed={}",
        src.join("CMakeLists.txt").display()
    );
    println!("cargo:rerun-if-changed={}", src.join("mlx/c").display());
    let mlx = find_mlx(third_party, None)?;
    let (lib_dir, include_dir) = build_mlx_c(&src, &mlx, third_party, None)?;
    Ok((lib_dir, include_dir, mlx))
}

/// Configures, builds and installs mlx-c from `src` against `mlx` (into `out_dir`, else
/// cargo's OUT_DIR); returns the folders of `libmlxc.a` and of its headers.
fn build_mlx_c(
    src: &Path,
    mlx: &Mlx,
    third_party: &Path,
    out_dir: Option<&Path>,
) -> Result<(PathBuf, PathBuf), String> {
    if env::var_os("CMAKE").is_none() && !cmake_on_path_is_recent() {
        let bundled = third_party.join("cmake/cmake/data/bin/cmake");
        if !bundled.is_file() {
            return Err(format!(
                "building mlx-c needs cmake >= {}.{}, and none is on PATH nor in {}\n{}",
                MIN_CMAKE.0,
                MIN_CMAKE.1,
                bundled.display(),
                help_text()
            ));
        }
        // SAFETY: build scripts are single-threaded; the cmake crate reads CMAKE below.
        unsafe { env::set_var("CMAKE", &bundled) };
    }

    let mut cfg = cmake::Config::new(src);
    cfg.profile("Release")
        .define("MLX_C_USE_SYSTEM_MLX", "ON")
        .define("MLX_DIR", &mlx.cmake_dir)
        .define("MLX_C_BUILD_EXAMPLES", "OFF")
        .define("BUILD_SHARED_LIBS", "OFF")
        .define("CMAKE_POSITION_INDEPENDENT_CODE", "ON");
    if let Some(dir) = out_dir {
        cfg.out_dir(dir);
    }
    for flag in compat_flags()? {
        cfg.cxxflag(flag);
    }
    let out = cfg.build();
    let lib_dir = ["lib", "lib64"]
        .iter()
        .map(|l| out.join(l))
        .find(|l| l.join("libmlxc.a").is_file())
        .ok_or_else(|| format!("cmake finished but {} holds no libmlxc.a", out.display()))?;
    Ok((lib_dir, out.join("include")))
}

/// The compiler flags that patch mlx-c 0.7.0 (force-included headers of `compat/`).
fn compat_flags() -> Result<Vec<String>, String> {
    let compat =
        Path::new(&env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?).join("compat");
    let mut flags = Vec::new();
    if !compiler_has_format() {
        flags.push(format!(
            "-include {}",
            compat.join("mlxrs_format_compat.h").display()
        ));
    }
    // Always: mlx-c 0.7.0 passes MLX's messages to printf as the format (see the header).
    flags.push(format!(
        "-include {}",
        compat.join("mlxrs_mlx_error_fix.h").display()
    ));
    Ok(flags)
}

/// Step 3: the pinned artifacts fetched into the shared cache (once for every project
/// on this machine), mlx-c built there once per compiler and MLX.
fn build_in_cache(manifest_dir: &Path) -> Result<(PathBuf, PathBuf, Mlx), String> {
    if env_var("MLXRS_NO_FETCH").is_some() {
        return Err(format!(
            "no mlx-c {MLX_C_VERSION} was given or found, and MLXRS_NO_FETCH is set, so nothing is \
             fetched\n{}",
            help_text()
        ));
    }
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    env_var("XDG_CACHE_HOME");
    let root = env_var("MLXRS_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| fetch::cache_root(target_os == "macos"))
        .ok_or_else(|| {
            format!(
                "no cache folder for the fetched MLX and mlx-c: HOME is not set (set MLXRS_CACHE_DIR)\n{}",
                help_text()
            )
        })?;
    let tp = root.join(format!("mlx-{MLX_VERSION}+mlx-c-{MLX_C_VERSION}"));
    let pins = fetch::load(&manifest_dir.join("pins.toml"))?;
    let backend = env_var("MLXRS_BACKEND")
        .unwrap_or_else(|| if target_os == "macos" { "metal" } else { "cpu" }.to_string());
    let platform = fetch::platform_name(&target_os, &target_arch);
    let need_cmake = env::var_os("CMAKE").is_none() && !cmake_on_path_is_recent();
    let need_mlx = env_var("MLX_DIR").is_none() && !use_python_mlx();
    let wanted = fetch::native_artifacts(&pins, &backend, &platform, need_cmake, need_mlx)?;
    let cargo = PathBuf::from(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));

    // One build at a time fills the cache; the others wait, then find it filled.
    let _lock = fetch::DirLock::acquire(
        &tp.join(".lock"),
        Duration::from_secs(30 * 60),
        Duration::from_secs(60 * 60),
    )?;
    for a in wanted {
        fetch::ensure(a, &tp, &tp.join(".downloads"), &cargo)?;
    }
    let src = tp.join("mlx-c");
    let mlx = find_mlx(&tp, None)?;
    // One mlx-c build per (compiler, flags, MLX): a key of what the build depends on.
    let compiler = cc::Build::new()
        .cpp(true)
        .cargo_metadata(false)
        .get_compiler();
    let key_text = format!(
        "{}|{:?}|{}|{}",
        compiler.path().display(),
        compat_flags()?,
        mlx.cmake_dir.display(),
        manifest_dir.display()
    );
    let key = fetch::sha256_of_bytes(key_text.as_bytes());
    let out = tp.join("build").join(format!("{backend}-{}", &key[..16]));
    let stamp = out.join(".mlxrs-built");
    let built = std::fs::read_to_string(&stamp).ok().as_deref() == Some(key_text.as_str());
    let installed = ["lib", "lib64"]
        .iter()
        .map(|l| out.join(l))
        .find(|l| l.join("libmlxc.a").is_file());
    let lib_dir = match installed {
        Some(lib) if built => lib,
        _ => {
            eprintln!(
                "mlxrs: building mlx-c {MLX_C_VERSION} into {}",
                out.display()
            );
            let _ = std::fs::remove_file(&stamp);
            let (lib, _) = build_mlx_c(&src, &mlx, &tp, Some(&out))?;
            std::fs::write(&stamp, &key_text)
                .map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
            lib
        }
    };
    println!(
        "cargo:rerun-if-changed={}",
        lib_dir.join("libmlxc.a").display()
    );
    Ok((lib_dir, out.join("include"), mlx))
}

/// Whether `MLXRS_USE_PYTHON_MLX` asks for the Python environment's MLX.
fn use_python_mlx() -> bool {
    env_var("MLXRS_USE_PYTHON_MLX").is_some_and(|v| v != "0")
}

/// MLX from the active Python environment's `mlx` package (`pip install mlx` with its
/// `mlx-cpu` or `mlx-metal` part), version-checked against the pin.
fn python_mlx() -> Result<Mlx, String> {
    env_var("VIRTUAL_ENV");
    env_var("CONDA_PREFIX");
    let python = env_var("PYTHON").unwrap_or_else(|| "python3".into());
    let script = "import importlib.util as u, importlib.metadata as m\n\
                  s = u.find_spec('mlx')\n\
                  print(m.version('mlx') if s else '')\n\
                  for p in (s.submodule_search_locations if s else []): print(p)\n";
    let out = Command::new(&python)
        .args(["-c", script])
        .output()
        .map_err(|e| {
            format!("MLXRS_USE_PYTHON_MLX is set, but `{python}` does not run ({e}); set PYTHON to the interpreter of the environment holding mlx")
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let version = lines.next().unwrap_or("").trim().to_string();
    if !out.status.success() || version.is_empty() {
        return Err(format!(
            "MLXRS_USE_PYTHON_MLX is set, but `{python}` has no `mlx` package: install it with \
             `{python} -m pip install mlx=={MLX_VERSION}` (on Linux also mlx-cpu=={MLX_VERSION}), or \
             activate the environment that has it{}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default()
        ));
    }
    if version != MLX_VERSION && env_var("MLXRS_SKIP_VERSION_CHECK").is_none() {
        return Err(format!(
            "MLXRS_USE_PYTHON_MLX: `{python}` has Python MLX {version}, but mlxrs-sys is pinned to MLX \
             {MLX_VERSION} (mlx-c {MLX_C_VERSION} needs it): `{python} -m pip install mlx=={MLX_VERSION}` \
             (set MLXRS_SKIP_VERSION_CHECK=1 to try {version} anyway)"
        ));
    }
    let dirs: Vec<PathBuf> = lines.map(|l| PathBuf::from(l.trim())).collect();
    let cmake_dir = dirs
        .iter()
        .map(|d| d.join("share/cmake/MLX"))
        .find(|d| d.join("MLXConfig.cmake").is_file())
        .ok_or_else(|| {
            format!(
                "MLXRS_USE_PYTHON_MLX: Python MLX {version} of `{python}` ({}) holds no \
                 share/cmake/MLX: on Linux install its library part too (`pip install \
                 mlx-cpu=={MLX_VERSION}`)",
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    println!("cargo:rerun-if-changed={}", cmake_dir.display());
    mlx_from_cmake_dir(&cmake_dir, "MLXRS_USE_PYTHON_MLX")
}

/// Whether `cmake` on PATH is at least `MIN_CMAKE`.
fn cmake_on_path_is_recent() -> bool {
    let Ok(out) = Command::new("cmake").arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = text.split_whitespace().nth(2) else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= MIN_CMAKE
}

/// Probes whether the C++ compiler cmake will use offers `std::format` in C++20 mode.
fn compiler_has_format() -> bool {
    let compiler = cc::Build::new()
        .cpp(true)
        .cargo_metadata(false)
        .get_compiler();
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    let probe = out_dir.join("format_probe.cpp");
    let code = "#include <format>\n#include <string>\nstd::string f() { return std::format(\"{}\", 1); }\n";
    if std::fs::write(&probe, code).is_err() {
        return false;
    }
    let mut cmd = compiler.to_command();
    cmd.args(["-std=c++20", "-fsyntax-only"]).arg(&probe);
    cmd.output().map(|o| o.status.success()).unwrap_or(false)
}
