//! `cargo xtask coverage`: which mlx-c functions the safe API calls.
//!
//! Every `mlx_*` function declared in every header of mlx-c's include folder (`mlx/c/*.h`
//! of the tree mlxrs-sys compiles against, found by [`all_headers`], so that a header a
//! new mlx-c adds is counted without editing a list) must either be called somewhere in
//! `mlxrs/src/**/*.rs` or be listed, with a reason, in `xtask/coverage-exclusions.txt`.
//! The report has one `header: wrapped N of M (K excluded)` line per header and a final
//! `total: wrapped N of M` line; an exclusion that names a function mlxrs now calls, or
//! one no header declares, fails the command. A function counts as called when its name appears as
//! a whole identifier in Rust code (comments and string literals are ignored): as a call
//! `mlx_name(`, inside a call form (`mlx_call!`, `mlx_op!`, `mlx_new!`, ...), as
//! `sys::mlx_name`, or in a macro
//! table such as `negative => mlx_negative;`. Word boundaries are exact, so `mlx_sum`
//! is not matched by `mlx_sum_axis`.
//!
//! A second section, `nn: wrapped N of M` (see [`nn`]), maps every public name of Python
//! MLX's `mlx.nn`, `mlx.nn.losses`, `mlx.nn.init`, `mlx.optimizers` and `mlx.utils` to
//! its mlxrs path and lists the missing ones; it reports, but does not fail on, gaps.

pub mod cdecl;
pub mod nn;

use crate::{Result, project_root, setup, third_party};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use cdecl::is_ident;
pub use cdecl::{HEADERS, declared_functions};

const EXCLUSIONS: &str = "xtask/coverage-exclusions.txt";

/// `cargo xtask coverage`
pub fn run(args: &[String]) -> Result<()> {
    if let Some(a) = args.first() {
        return Err(format!("coverage: unexpected argument `{a}`"));
    }
    let headers = headers_dir()?;
    let root = project_root();
    let names = all_headers(&headers)?;
    // The sweep's op headers (`cdecl::HEADERS`) must still exist, or it sweeps nothing.
    if let Some(h) = HEADERS.iter().find(|h| !names.iter().any(|n| n == *h)) {
        return Err(format!(
            "coverage: {} has no {h}, which the edge sweep reads (`cdecl::HEADERS`)",
            headers.display()
        ));
    }
    let mut owned: Vec<(String, Vec<String>)> = Vec::new();
    for h in names {
        let path = headers.join(&h);
        let text = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        owned.push((h, declared_functions(&text)));
    }
    let declared: Vec<(&str, Vec<String>)> = owned
        .iter()
        .map(|(h, fns)| (h.as_str(), fns.clone()))
        .collect();
    let mut sources = Vec::new();
    rust_files(&root.join("mlxrs/src"), &mut sources)?;
    let mut used = BTreeSet::new();
    for file in &sources {
        let text =
            fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        used.extend(referenced_identifiers(&text));
    }
    let excl_path = root.join(EXCLUSIONS);
    let excl_text = fs::read_to_string(&excl_path).unwrap_or_default();
    let exclusions = parse_exclusions(&excl_text);

    let report = check(&declared, &used, &exclusions);
    print!("{}", report.text);
    let nn_report = nn::report(&root)?;
    print!("{}", nn_report.text);
    for e in &report.errors {
        eprintln!("coverage: {e}");
    }
    match (report.missing, report.errors.len()) {
        (0, 0) => Ok(()),
        (0, n) => Err(format!("coverage: {n} problem(s) in {EXCLUSIONS}")),
        (m, n) => Err(format!(
            "coverage: {m} function(s) neither wrapped nor excluded, {n} problem(s) in \
             {EXCLUSIONS}; wrap them or list them there as `mlx_name  # reason`"
        )),
    }
}

/// The mlx-c headers folder (`MLX_C_SRC`, or the tree `setup` unpacked).
fn headers_dir() -> Result<PathBuf> {
    let src = match std::env::var_os("MLX_C_SRC").filter(|v| !v.is_empty()) {
        Some(src) => PathBuf::from(src),
        None => {
            let dir = third_party().join("mlx-c");
            if !dir.join("mlx/c/mlx.h").is_file() {
                setup::setup(setup::natural_backend())?;
            }
            dir
        }
    };
    Ok(src.join("mlx/c"))
}

/// The file names of every C header (`*.h`) directly in `dir` (mlx-c's `mlx/c`), sorted.
/// Sub-folders (`private/`, C++ internals not part of the C API) are not read.
pub fn all_headers(dir: &Path) -> Result<Vec<String>> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "h") {
            if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                out.push(name.to_string());
            }
        }
    }
    if out.is_empty() {
        return Err(format!("coverage: no C headers in {}", dir.display()));
    }
    out.sort();
    Ok(out)
}

pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(())
}

/// The outcome of [`check`]: the printed report and what fails the command.
#[derive(Debug)]
pub struct Report {
    pub text: String,
    /// Functions neither wrapped nor excluded (listed in `text`).
    pub missing: usize,
    /// Problems with the exclusion list.
    pub errors: Vec<String>,
}

/// Compares the declared functions (per header) with the used identifiers and the
/// exclusion list.
pub fn check(
    declared: &[(&str, Vec<String>)],
    used: &BTreeSet<String>,
    exclusions: &Exclusions,
) -> Report {
    use std::fmt::Write as _;
    let mut text = String::new();
    let mut errors = exclusions.errors.clone();
    let mut all_declared = BTreeSet::new();
    let (mut total_wrapped, mut total, mut total_excluded) = (0, 0, 0);
    let mut missing: Vec<(&str, &str)> = Vec::new();
    for (header, fns) in declared {
        let wrapped = fns.iter().filter(|f| used.contains(f.as_str())).count();
        let excluded = fns
            .iter()
            .filter(|f| !used.contains(f.as_str()) && exclusions.reasons.contains_key(f.as_str()))
            .count();
        let _ = writeln!(
            text,
            "{header}: wrapped {wrapped} of {} ({excluded} excluded)",
            fns.len()
        );
        total_wrapped += wrapped;
        total += fns.len();
        total_excluded += excluded;
        for f in fns {
            all_declared.insert(f.as_str());
            if !used.contains(f.as_str()) && !exclusions.reasons.contains_key(f.as_str()) {
                missing.push((header, f));
            }
        }
    }
    let _ = writeln!(
        text,
        "total: wrapped {total_wrapped} of {total} ({total_excluded} excluded)"
    );
    if !missing.is_empty() {
        let _ = writeln!(text, "missing ({}):", missing.len());
        for (header, f) in &missing {
            let _ = writeln!(text, "  {f}  ({header})");
        }
    }
    for name in exclusions.reasons.keys() {
        if used.contains(name.as_str()) {
            errors.push(format!(
                "`{name}` is excluded in {EXCLUSIONS} but mlxrs calls it; remove the line"
            ));
        } else if !all_declared.contains(name.as_str()) {
            errors.push(format!(
                "`{name}` is excluded in {EXCLUSIONS} but no covered header declares it"
            ));
        }
    }
    Report {
        text,
        missing: missing.len(),
        errors,
    }
}

/// Every identifier starting with `mlx_` in Rust source, outside comments and string,
/// char and byte-string literals.
pub fn referenced_identifiers(src: &str) -> BTreeSet<String> {
    let code = strip_rust_noise(src);
    let mut out = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if is_ident(bytes[i] as char) {
            let start = i;
            while i < bytes.len() && is_ident(bytes[i] as char) {
                i += 1;
            }
            let word = &code[start..i];
            if word.starts_with("mlx_") {
                out.insert(word.to_string());
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Replaces comments and literals by spaces (keeping everything else).
fn strip_rust_noise(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                // Rust block comments nest.
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                out.push(' ');
            }
            b'r' if raw_string_hashes(&b[i..]).is_some() => {
                let hashes = raw_string_hashes(&b[i..]).unwrap_or(0);
                i += 2 + hashes; // r, #..., "
                let closing: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                while i < b.len() && !b[i..].starts_with(&closing) {
                    i += 1;
                }
                i += closing.len();
                out.push(' ');
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push(' ');
            }
            b'\'' => {
                // A char literal ('a', '\n', '\u{..}') or a lifetime ('a).
                let lit_end = match b.get(i + 1) {
                    Some(b'\\') => b
                        .get(i + 3..)
                        .and_then(|t| t.iter().position(|&c| c == b'\''))
                        .map(|p| i + 4 + p),
                    Some(&c) => {
                        let end = i + 1 + utf8_len(c);
                        (b.get(end) == Some(&b'\'')).then_some(end + 1)
                    }
                    None => None,
                };
                match lit_end {
                    Some(end) => {
                        i = end;
                        out.push(' ');
                    }
                    None => {
                        out.push('\'');
                        i += 1;
                    }
                }
            }
            _ => {
                // Copy one UTF-8 character.
                let len = utf8_len(b[i]);
                out.push_str(&src[i..(i + len).min(b.len())]);
                i += len;
            }
        }
    }
    out
}

/// `Some(number of #)` when `b` starts a raw (byte) string literal `r"`, `r#"`, `br"`.
fn raw_string_hashes(b: &[u8]) -> Option<usize> {
    let hashes = b[1..].iter().take_while(|&&c| c == b'#').count();
    (b.get(1 + hashes) == Some(&b'"')).then_some(hashes)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The parsed exclusion list: function name -> reason, plus format problems.
#[derive(Debug, Default)]
pub struct Exclusions {
    pub reasons: BTreeMap<String, String>,
    pub errors: Vec<String>,
}

/// Parses `mlx_name  # reason` lines; blank lines and lines starting with `#` are
/// comments.
pub fn parse_exclusions(text: &str) -> Exclusions {
    let mut ex = Exclusions::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, reason) = match line.split_once('#') {
            Some((name, reason)) => (name.trim(), reason.trim()),
            None => (line, ""),
        };
        let at = format!("{EXCLUSIONS}:{}", n + 1);
        if !name.starts_with("mlx_") || !name.chars().all(is_ident) {
            ex.errors
                .push(format!("{at}: expected `mlx_name  # reason`, got `{line}`"));
        } else if reason.is_empty() {
            ex.errors
                .push(format!("{at}: `{name}` is excluded without a reason"));
        } else if ex.reasons.contains_key(name) {
            ex.errors.push(format!("{at}: `{name}` is listed twice"));
        } else {
            ex.reasons.insert(name.to_string(), reason.to_string());
        }
    }
    ex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_and_multi_line_declarations() {
        let h = "/* Copyright */\n#ifndef X_H\n#define X_H\n#include \"mlx/c/array.h\"\n\
                 int mlx_abs(mlx_array* res, const mlx_array a, const mlx_stream s);\n\
                 int mlx_add(\n    mlx_array* res,\n    const mlx_array a /* may be null */,\n    const mlx_stream s);\n\
                 // int mlx_commented(void);\n\
                 /** \\defgroup ops\n * int mlx_in_doc(void);\n */\n\
                 typedef struct mlx_fast_kernel_ {\n  void* ctx;\n} mlx_fast_kernel;\n\
                 mlx_fast_kernel mlx_fast_kernel_new(const char* name);\n\
                 void mlx_fast_kernel_free(mlx_fast_kernel cls);\n\
                 typedef enum mlx_fft_norm_ { MLX_FFT_NORM_BACKWARD, } mlx_fft_norm;\n\
                 typedef int (*mlx_callback)(void);\n\
                 #ifdef __cplusplus\nextern \"C\" {\n#endif\n\
                 int mlx_sum_axis(mlx_array* res, int axis);\n}\n#endif\n";
        assert_eq!(
            declared_functions(h),
            [
                "mlx_abs",
                "mlx_add",
                "mlx_fast_kernel_new",
                "mlx_fast_kernel_free",
                "mlx_sum_axis"
            ]
        );
    }

    #[test]
    fn finds_every_function_of_the_real_headers() {
        let Ok(dir) = headers_dir() else { return };
        let ops = fs::read_to_string(dir.join("ops.h")).unwrap();
        let fns = declared_functions(&ops);
        assert!(fns.len() > 200, "{}", fns.len());
        for f in [
            "mlx_abs",
            "mlx_add",
            "mlx_sum_axis",
            "mlx_where",
            "mlx_zeros",
        ] {
            assert!(fns.iter().any(|g| g == f), "{f} not found");
        }
        let fast = fs::read_to_string(dir.join("fast.h")).unwrap();
        let fns = declared_functions(&fast);
        assert!(fns.iter().any(|g| g == "mlx_fast_metal_kernel_new"));
        assert!(fns.iter().any(|g| g == "mlx_fast_rope"));
        assert!(!fns.iter().any(|g| g.ends_with('_')));
    }

    #[test]
    fn the_safe_api_wraps_every_function_or_justifies_it() {
        // `cargo xtask coverage` itself, so that a plain `cargo test` fails on a gap.
        if headers_dir().is_err() {
            eprintln!("skipped: no mlx-c headers (run `cargo xtask setup`)");
            return;
        }
        run(&[]).unwrap();
    }

    #[test]
    fn the_header_walk_finds_every_top_level_header() {
        let dir = std::env::temp_dir().join(format!("xtask-cov-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("private")).unwrap();
        for f in [
            "ops.h",
            "array.h",
            "new_thing.h",
            "ops.cpp",
            "README",
            "private/p.h",
        ] {
            fs::write(dir.join(f), "").unwrap();
        }
        let found = all_headers(&dir);
        let empty = std::env::temp_dir().join(format!("xtask-cov-empty-{}", std::process::id()));
        fs::create_dir_all(&empty).unwrap();
        let none = all_headers(&empty);
        let _ = fs::remove_dir_all(&dir);
        let _ = fs::remove_dir_all(&empty);
        assert_eq!(found.unwrap(), ["array.h", "new_thing.h", "ops.h"]);
        assert!(none.unwrap_err().contains("no C headers"));

        // The real tree: every header is walked, the sweep's op headers among them.
        let Ok(real) = headers_dir() else { return };
        let names = all_headers(&real).unwrap();
        for h in HEADERS
            .iter()
            .chain(&["array.h", "closure.h", "vector.h", "stream.h"])
        {
            assert!(names.iter().any(|n| n == h), "{h} not walked: {names:?}");
        }
        assert!(names.len() >= 25, "{names:?}");
    }

    #[test]
    fn word_boundaries_are_exact() {
        let src = "mlx_call!(mlx_sum_axis(out.as_out(), a.as_raw()))?;\n\
                   let x = sys::mlx_array_new();";
        let ids = referenced_identifiers(src);
        assert!(ids.contains("mlx_sum_axis"));
        assert!(!ids.contains("mlx_sum"));
        assert!(ids.contains("mlx_array_new"));
        let src = "mlx_call!(mlx_sum(out.as_out()))?; xmlx_prod(); mlx_max_axes2();";
        let ids = referenced_identifiers(src);
        assert!(ids.contains("mlx_sum"));
        assert!(!ids.contains("mlx_sum_axis"));
        assert!(!ids.contains("mlx_prod"));
        assert!(!ids.contains("mlx_max_axes"));
    }

    #[test]
    fn macro_tables_and_calls_count_but_comments_and_strings_do_not() {
        let src = r####"
            unary! { /// `-a`.
                negative => mlx_negative; }
            mlx_value!(mlx_array_item_int32(a.as_raw()))?;
            // mlx_in_line_comment(
            /* mlx_in_block /* nested mlx_nested */ mlx_after_nested */
            /// See mlx_in_doc(
            let s = "mlx_in_string(";
            let r = r#"mlx_in_raw " string"#;
            let c = '"'; let q = '\''; let u = 'é'; let b = b'\\'; fn f<'a>(x: &'a i32) { mlx_after_lifetime(x) }
            let e = "escaped \" mlx_in_escaped";
        "####;
        let ids: Vec<String> = referenced_identifiers(src).into_iter().collect();
        assert_eq!(
            ids,
            [
                "mlx_after_lifetime",
                "mlx_array_item_int32",
                "mlx_negative",
                "mlx_value" // the macro's name: an identifier too, never a header function
            ]
        );
    }

    #[test]
    fn exclusions_need_a_reason_and_one_line_each() {
        let ex = parse_exclusions(
            "# comment\n\nmlx_a  # needs Metal\nmlx_b\nmlx_a # again\nnot a name # x\nmlx_c #\n",
        );
        assert_eq!(ex.reasons.len(), 1);
        assert_eq!(ex.reasons["mlx_a"], "needs Metal");
        assert_eq!(ex.errors.len(), 4, "{:?}", ex.errors);
        assert!(ex.errors[0].contains(":4: `mlx_b` is excluded without a reason"));
        assert!(ex.errors[1].contains("listed twice"));
        assert!(ex.errors[2].contains("expected `mlx_name  # reason`"));
        assert!(ex.errors[3].contains("`mlx_c` is excluded without a reason"));
    }

    #[test]
    fn report_counts_and_errors() {
        let declared = vec![
            ("ops.h", vec!["mlx_add".to_string(), "mlx_sum".to_string()]),
            (
                "fast.h",
                vec!["mlx_fast_rope".to_string(), "mlx_fast_kernel".to_string()],
            ),
        ];
        let used: BTreeSet<String> = ["mlx_add", "mlx_fast_rope", "mlx_array_new"]
            .map(String::from)
            .into();
        let ex = parse_exclusions("mlx_fast_kernel  # Metal only\n");
        let r = check(&declared, &used, &ex);
        assert!(
            r.text.contains("ops.h: wrapped 1 of 2 (0 excluded)\n"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("fast.h: wrapped 1 of 2 (1 excluded)\n"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("total: wrapped 2 of 4 (1 excluded)\n"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("missing (1):\n  mlx_sum  (ops.h)\n"),
            "{}",
            r.text
        );
        assert_eq!((r.missing, r.errors.len()), (1, 0), "{:?}", r.errors);

        // Excluding `mlx_sum` fixes it; excluding a wrapped or unknown function is an error.
        let ex = parse_exclusions(
            "mlx_fast_kernel # Metal only\nmlx_sum # later\nmlx_add # wrapped\nmlx_nope # gone\n",
        );
        let r = check(&declared, &used, &ex);
        assert!(!r.text.contains("missing"), "{}", r.text);
        assert_eq!((r.missing, r.errors.len()), (0, 2), "{:?}", r.errors);
        assert!(r.errors[0].contains("`mlx_add` is excluded") && r.errors[0].contains("calls it"));
        assert!(r.errors[1].contains("`mlx_nope`") && r.errors[1].contains("no covered header"));
    }
}
