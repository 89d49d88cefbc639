//! `cargo xtask tidy`: repository invariants, also run by `cargo test -p xtask`.
//!
//! - Layers (STYLE.md §1, docs/ARCHITECTURE.md): only the FFI core, `mlxrs/src/ffi/`,
//!   names `mlxrs_sys` (`sys::`); the rest of `mlxrs/src` calls mlx-c through the core's
//!   call forms. `nn` and `optimizers` use the public API only (no `unsafe`, no
//!   `crate::ffi`, no call forms); tests, benches and examples never name `mlxrs_sys` (or
//!   its re-export `mlxrs::sys`).
//! - One mechanism per kind: direct `sys::mlx_*(...)` calls only in
//!   `ffi/accessors.rs` (the infallible accessors) and `ffi/status.rs` (the handler);
//!   statuses and handler messages decoded only in `ffi/status.rs`, driven only by the
//!   call forms of `ffi/call.rs`; no other macro makes raw calls.
//! - Pins: `third_party/pins.toml`, mlxrs-sys's version metadata and its build script's
//!   version constants name the same MLX and mlx-c versions; `mlxrs-sys/pins.toml` (what
//!   the published build script fetches) is that same file.

use crate::{Result, pins, project_root};
use std::path::{Path, PathBuf};

pub fn run(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        return Err(format!("tidy: unexpected arguments {args:?}"));
    }
    let root = project_root();
    let problems = check(&root);
    if problems.is_empty() {
        eprintln!("tidy: ok; {}", count(&root));
        Ok(())
    } else {
        Err(format!(
            "tidy found {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        ))
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// What the layer checks counted: the evidence that the boundary holds.
#[derive(Debug, Default, PartialEq)]
pub struct Counts {
    /// Files under `mlxrs/src/ffi/`.
    pub core_files: usize,
    /// Other files under `mlxrs/src/`.
    pub api_files: usize,
    /// Uses of each call form, in `call.rs`'s order.
    pub mlx_call: usize,
    /// `mlx_op!` uses.
    pub mlx_op: usize,
    /// `mlx_new!` uses.
    pub mlx_new: usize,
    /// `mlx_value!` uses.
    pub mlx_value: usize,
    /// `mlx_step!` uses.
    pub mlx_step: usize,
    /// Direct `sys::mlx_*(` calls in `ffi/accessors.rs` and `ffi/status.rs`.
    pub accessor_calls: usize,
    /// `handle!` declarations (a macro that declares several types counts once).
    pub handles: usize,
    /// Lines naming `sys::`/`mlxrs_sys` outside the core (always 0 when tidy passes).
    pub outside_core: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FFI core: {} files, API: {} files; mlx-c calls: {} mlx_call!, {} mlx_op!, \
             {} mlx_new!, {} mlx_value!, {} mlx_step!, {} direct calls in the accessors \
             and the handler; {} handle! declarations; {} lines naming mlxrs_sys outside \
             the core",
            self.core_files,
            self.api_files,
            self.mlx_call,
            self.mlx_op,
            self.mlx_new,
            self.mlx_value,
            self.mlx_step,
            self.accessor_calls,
            self.handles,
            self.outside_core
        )
    }
}

/// The counts of [`Counts`] for the tree at `root`.
pub fn count(root: &Path) -> Counts {
    let mut counts = Counts::default();
    let mut problems = Vec::new();
    for (rel, text) in sources(root, "mlxrs/src") {
        check_source(&rel, &text, &mut problems, &mut counts);
    }
    counts
}

fn sources(root: &Path, dir: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&root.join(dir), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(root).unwrap_or(&f).display().to_string();
            (
                rel.replace('\\', "/"),
                std::fs::read_to_string(&f).unwrap_or_default(),
            )
        })
        .collect()
}

/// The code of a line: without `//` comments (and so without doc comments).
fn code(line: &str) -> &str {
    line.split("//").next().unwrap_or("")
}

/// How many times `needle` occurs in the code of `text`.
fn occurrences(text: &str, needle: &str) -> usize {
    text.lines().map(|l| code(l).matches(needle).count()).sum()
}

/// The layer and one-mechanism rules for one file of `mlxrs/src` (path relative to the
/// repository root, with `/`).
pub fn check_source(rel: &str, text: &str, problems: &mut Vec<String>, counts: &mut Counts) {
    let in_core = rel.starts_with("mlxrs/src/ffi/");
    let file = rel.rsplit('/').next().unwrap_or(rel);
    let public_only = rel.starts_with("mlxrs/src/nn/") || rel.starts_with("mlxrs/src/optimizers/");
    if in_core {
        counts.core_files += 1;
    } else {
        counts.api_files += 1;
    }
    if rel.ends_with("ffi/call.rs") {
        // The definitions, not uses.
    } else {
        counts.mlx_call += occurrences(text, "mlx_call!(");
        counts.mlx_op += occurrences(text, "mlx_op!(");
        counts.mlx_new += occurrences(text, "mlx_new!(");
        counts.mlx_value += occurrences(text, "mlx_value!(");
        counts.mlx_step += occurrences(text, "mlx_step!(");
    }
    if !rel.ends_with("ffi/handle.rs") {
        counts.handles += text
            .lines()
            .filter(|l| code(l).trim_start().starts_with("handle! {"))
            .count();
    }
    let mut problem = |n: usize, what: &str| {
        problems.push(format!("{rel}:{}: {what} (docs/ARCHITECTURE.md)", n + 1));
    };
    for (n, line) in text.lines().enumerate() {
        let code = code(line);
        let names_sys = code.contains("mlxrs_sys") || code.contains("sys::");
        if names_sys && !in_core {
            counts.outside_core += 1;
            problem(
                n,
                "names mlxrs-sys outside the FFI core; call mlx-c through the call forms of \
                 mlxrs/src/ffi",
            );
        }
        let direct_call = code.match_indices("sys::mlx_").any(|(i, _)| {
            let rest = &code[i + "sys::mlx_".len()..];
            let name_end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            rest[name_end..].starts_with('(')
        });
        if direct_call {
            if in_core && (file == "accessors.rs" || file == "status.rs") {
                counts.accessor_calls += 1;
            } else if in_core {
                problem(
                    n,
                    "calls mlx-c directly; use a call form (ffi/call.rs) or an accessor \
                     (ffi/accessors.rs)",
                );
            }
        }
        if !in_core || file != "call.rs" && file != "handle.rs" {
            if code.contains("sys::$") {
                problem(
                    n,
                    "a macro making raw mlx-c calls; use the call forms of ffi/call.rs",
                );
            }
            if code.contains("let status = unsafe") {
                problem(
                    n,
                    "a hand-rolled status check; use a call form of ffi/call.rs",
                );
            }
        }
        // The core's unit tests (`ffi/tests.rs`) check the decoder itself.
        if !(in_core && (file == "status.rs" || file == "call.rs" || file == "tests.rs")) {
            for decoder in [
                "status::check(",
                "check_handler(",
                "check_step(",
                "check_made(",
                "LAST_ERROR",
                "mlx_set_error_handler",
            ] {
                if code.contains(decoder) {
                    problem(
                        n,
                        &format!(
                            "decodes an mlx-c status or message (`{decoder}`); only \
                             ffi/status.rs does, through the call forms"
                        ),
                    );
                }
            }
        }
        if public_only {
            for private in [
                "unsafe",
                "crate::ffi",
                "mlx_call!",
                "mlx_op!",
                "mlx_new!",
                "handle!",
            ] {
                if code.contains(private) {
                    problem(
                        n,
                        &format!("`{private}` in nn/optimizers, which use the public API only"),
                    );
                }
            }
        }
    }
}

/// Every problem found, one line each.
pub fn check(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    // Layers inside the crate
    let mut counts = Counts::default();
    for (rel, text) in sources(root, "mlxrs/src") {
        check_source(&rel, &text, &mut problems, &mut counts);
    }
    // Layers outside it
    let mut files = Vec::new();
    for dir in ["mlxrs/tests", "mlxrs/benches", "mlxrs/examples"] {
        rust_files(&root.join(dir), &mut files);
    }
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let code = code(line);
            if code.contains("mlxrs_sys") || code.contains("mlxrs::sys") {
                problems.push(format!(
                    "{}:{}: names mlxrs-sys; only mlxrs/src/ffi may (docs/ARCHITECTURE.md)",
                    f.strip_prefix(root).unwrap_or(&f).display(),
                    n + 1
                ));
            }
        }
    }
    // Pins: one file, which the mlxrs-sys package carries as a link.
    let shipped = std::fs::read(root.join("mlxrs-sys/pins.toml"));
    let pinned = std::fs::read(root.join("third_party/pins.toml"));
    if shipped.is_err() || shipped.ok() != pinned.ok() {
        problems.push(
            "mlxrs-sys/pins.toml must be a link to ../third_party/pins.toml (the build script \
             fetches what it names)"
                .to_string(),
        );
    }
    match pins::load(&root.join("third_party/pins.toml")) {
        Err(e) => problems.push(e),
        Ok(pins) => {
            let version_of = |name: &str| {
                pins.iter()
                    .find(|a| a.opt("name") == Some(name))
                    .and_then(|a| a.opt("version"))
                    .unwrap_or("")
                    .to_string()
            };
            let (mlx_c, mlx) = (version_of("mlx-c"), version_of("mlx-cpu"));
            let build =
                std::fs::read_to_string(root.join("mlxrs-sys/build.rs")).unwrap_or_default();
            if !build.contains(&format!("const MLX_C_VERSION: &str = \"{mlx_c}\";")) {
                problems.push(format!(
                    "mlxrs-sys/build.rs: MLX_C_VERSION is not the pinned mlx-c {mlx_c}"
                ));
            }
            if !build.contains(&format!("const MLX_VERSION: &str = \"{mlx}\";")) {
                problems.push(format!(
                    "mlxrs-sys/build.rs: MLX_VERSION is not the pinned MLX {mlx}"
                ));
            }
            let manifest =
                std::fs::read_to_string(root.join("mlxrs-sys/Cargo.toml")).unwrap_or_default();
            if !manifest.contains(&format!("+mlx-c.{mlx_c}\"")) {
                problems.push(format!(
                    "mlxrs-sys/Cargo.toml: the version's build metadata is not +mlx-c.{mlx_c}"
                ));
            }
            for a in &pins {
                if a.opt("name")
                    .is_some_and(|n| n.starts_with("mlx-") && n != "mlx-c")
                    && a.opt("version") != Some(&mlx)
                {
                    problems.push(format!(
                        "third_party/pins.toml: {} is version {}, but the MLX pin is {mlx}",
                        a.opt("file").unwrap_or("?"),
                        a.opt("version").unwrap_or("?")
                    ));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::{Counts, check_source};

    #[test]
    fn the_repository_is_tidy() {
        let problems = super::check(&crate::project_root());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let counts = super::count(&crate::project_root());
        assert_eq!(counts.outside_core, 0);
        assert!(
            counts.mlx_call + counts.mlx_op > 200 && counts.mlx_new > 5 && counts.handles > 10,
            "{counts}"
        );
    }

    fn problems_of(rel: &str, text: &str) -> Vec<String> {
        let mut problems = Vec::new();
        check_source(rel, text, &mut problems, &mut Counts::default());
        problems
    }

    #[test]
    fn sys_outside_the_core_is_rejected() {
        let p = problems_of(
            "mlxrs/src/ops/x.rs",
            "let d = mlxrs_sys::mlx_dtype::MLX_BOOL;\n",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("mlxrs/src/ops/x.rs:1: names mlxrs-sys"),
            "{p:?}"
        );
        assert!(problems_of("mlxrs/src/ops/x.rs", "/// sys::mlx_add in a doc\n").is_empty());
        assert!(problems_of("mlxrs/src/ffi/marshal.rs", "sys::mlx_dtype::MLX_BOOL\n").is_empty());
    }

    #[test]
    fn direct_calls_only_in_the_accessors() {
        let call = "let n = unsafe { sys::mlx_array_ndim(a.as_raw()) };\n";
        assert_eq!(problems_of("mlxrs/src/ffi/map.rs", call).len(), 1);
        let mut counts = Counts::default();
        let mut problems = Vec::new();
        check_source(
            "mlxrs/src/ffi/accessors.rs",
            call,
            &mut problems,
            &mut counts,
        );
        assert!(problems.is_empty());
        assert_eq!(counts.accessor_calls, 1);
    }

    #[test]
    fn a_second_status_decoder_is_rejected() {
        let macro_body = "let status = unsafe { sys::$f($($arg),*) };\n";
        assert_eq!(problems_of("mlxrs/src/ffi/map.rs", macro_body).len(), 2);
        let p = problems_of(
            "mlxrs/src/io/mod.rs",
            "crate::ffi::status::check_handler(c)?;\n",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(problems_of("mlxrs/src/ffi/call.rs", macro_body).is_empty());
    }

    #[test]
    fn nn_and_optimizers_use_the_public_api_only() {
        assert_eq!(
            problems_of("mlxrs/src/nn/linear.rs", "use crate::ffi::mlx_call;\n").len(),
            1
        );
        assert_eq!(
            problems_of("mlxrs/src/optimizers/sgd.rs", "unsafe { x }\n").len(),
            1
        );
        assert!(problems_of("mlxrs/src/nn/linear.rs", "use crate::{Array, ops};\n").is_empty());
    }
}
