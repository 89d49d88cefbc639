//! `cargo xtask from-python`: checks `docs/FROM_PYTHON.md`, the Python MLX → mlxrs table.
//!
//! (a) Every Rust path in the mlxrs column (the second cell of a table row, written in
//! backticks as `a::b`, `Type::method` or a bare type name) exists in mlxrs's sources:
//! a module path, or an item found by the coverage scanner (definitions, `pub use`
//! re-exports, macro-made items), or a method (`Type::method`: the type resolves and a
//! `fn method` is written in the sources). Backticked text with spaces or parentheses is
//! an example and is not checked.
//! (b) Every public function of the installed Python `mlx.core` (the one `cargo xtask
//! setup --python` installs for the oracle) has a row naming it as `mx.<name>`.
//! (c) Every public function of `mlx.core`, `mx.fft`, `mx.linalg` and `mx.random` whose
//! signature gives a default to an axis parameter (`axis`, `axes`, `axis1`, `in_axes`,
//! ...) is named (`mx.<name>`, `mx.fft.<name>`) in the first column of the section
//! "Optional `axis` arguments", which says what mlxrs's plain name does with it.

use crate::coverage::nn::Crate;
use crate::{Result, project_root, setup};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

/// Prints the public functions (callables that are not classes) of `mlx.core`.
const LIST_CORE: &str = "\
import inspect, types, mlx.core as mx
for name in sorted(dir(mx)):
    obj = getattr(mx, name)
    if name.startswith('_') or isinstance(obj, types.ModuleType) or inspect.isclass(obj):
        continue
    if callable(obj):
        print(name)
";

/// Prints `name` (`fft.name`, ...) for each public function of `mlx.core` and its
/// `fft`, `linalg` and `random` modules whose signature (the first line of its
/// docstring, as nanobind writes it) gives a default to a parameter named like an axis.
const LIST_AXIS_DEFAULTS: &str = r#"
import inspect, re, types, mlx.core as mx
for prefix, mod in [("", mx), ("fft.", mx.fft), ("linalg.", mx.linalg), ("random.", mx.random)]:
    for name in sorted(dir(mod)):
        obj = getattr(mod, name)
        if name.startswith('_') or isinstance(obj, types.ModuleType) or inspect.isclass(obj):
            continue
        if not callable(obj):
            continue
        sig = ((obj.__doc__ or '').strip().splitlines() or [''])[0]
        if sig.startswith(name + '(') and re.search(r'\b\w*ax(is|es)\w*\s*:[^,=]*=', sig):
            print(prefix + name)
"#;

/// The section of `docs/FROM_PYTHON.md` that (c) checks.
const AXIS_SECTION: &str = "## Optional `axis` arguments";

/// `cargo xtask from-python`
pub fn run(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        return Err(format!("from-python: unexpected arguments {args:?}"));
    }
    let root = project_root();
    let doc = read_doc(&root)?;
    let table = Table::parse(&doc);
    let krate = Crate::scan(&root.join("mlxrs/src"))?;
    let sources = sources_text(&root.join("mlxrs/src"))?;
    let mut errors = table.unresolved(&krate, &sources);
    let names = python_core_functions()?;
    errors.extend(table.missing_rows(&names));
    let axis_fns = python_lines(LIST_AXIS_DEFAULTS, "functions with an axis default")?;
    if axis_fns.len() < 40 {
        return Err(format!(
            "Python's mlx.core reported only {} functions with an axis default",
            axis_fns.len()
        ));
    }
    errors.extend(missing_axis_rows(&doc, &axis_fns));
    if !errors.is_empty() {
        return Err(format!("docs/FROM_PYTHON.md:\n  {}", errors.join("\n  ")));
    }
    eprintln!(
        "from-python: {} Rust paths resolve; all {} functions of mlx.core have a row; all {} \
         with an axis default are in \"Optional `axis` arguments\"",
        table.rust_paths.len(),
        names.len(),
        axis_fns.len()
    );
    Ok(())
}

fn read_doc(root: &Path) -> Result<String> {
    let path = root.join("docs/FROM_PYTHON.md");
    fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Every `.rs` file under `src`, concatenated (for the method check).
fn sources_text(src: &Path) -> Result<String> {
    let mut files = Vec::new();
    crate::coverage::rust_files(src, &mut files)?;
    let mut all = String::new();
    for f in files {
        all.push_str(
            &fs::read_to_string(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?,
        );
        all.push('\n');
    }
    Ok(all)
}

/// The public functions of the installed Python `mlx.core`.
fn python_core_functions() -> Result<Vec<String>> {
    let names = python_lines(LIST_CORE, "mlx.core's functions")?;
    if names.len() < 100 {
        return Err(format!(
            "Python's mlx.core reported only {} functions",
            names.len()
        ));
    }
    Ok(names)
}

/// The non-empty lines that `script` prints, run by the installed Python MLX.
fn python_lines(script: &str, what: &str) -> Result<Vec<String>> {
    let pythonpath = setup::python_mlx()?;
    let out = Command::new(setup::python_exe())
        .arg("-c")
        .arg(script)
        .env("PYTHONPATH", &pythonpath)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", setup::python_exe()))?;
    if !out.status.success() {
        return Err(format!(
            "listing {what} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

/// The functions of `names` (`sum`, `fft.fft`) that no first cell of the section
/// [`AXIS_SECTION`] names as `mx.<name>` (all of them when the section is missing).
fn missing_axis_rows(doc: &str, names: &[String]) -> Vec<String> {
    let section = doc.split_once(AXIS_SECTION).map_or("", |(_, rest)| {
        rest.split_once("\n## ")
            .map_or(rest, |(section, _)| section)
    });
    let mut named = BTreeSet::new();
    for line in section.lines().map(str::trim) {
        if !line.starts_with('|') || line.starts_with("|---") {
            continue;
        }
        let first = line.trim_matches('|').split('|').next().unwrap_or("");
        for code in backticked(first) {
            let mut rest = code;
            while let Some(at) = rest.find("mx.") {
                let after = &rest[at + 3..];
                let end = after
                    .find(|c: char| !is_ident(c) && c != '.')
                    .unwrap_or(after.len());
                named.insert(after[..end].trim_end_matches('.').to_string());
                rest = &after[end..];
            }
        }
    }
    names
        .iter()
        .filter(|n| !named.contains(*n))
        .map(|n| {
            format!(
                "no row for `mx.{n}` in \"Optional `axis` arguments\" (it has a default for an \
                 axis: say what mlxrs's plain name does)"
            )
        })
        .collect()
}

/// What the table says.
#[derive(Debug, Default)]
pub struct Table {
    /// `mx.<name>` names in the Python column.
    pub python: BTreeSet<String>,
    /// Rust paths in the mlxrs column, with their line numbers.
    pub rust_paths: Vec<(usize, String)>,
}

impl Table {
    /// Reads the rows of every table of the document (header and rule rows skipped).
    pub fn parse(doc: &str) -> Table {
        let mut t = Table::default();
        for (n, line) in doc.lines().enumerate() {
            let line = line.trim();
            if !line.starts_with('|') || line.starts_with("|---") || line.starts_with("| Python |")
            {
                continue;
            }
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            let (Some(py), Some(rs)) = (cells.first(), cells.get(1)) else {
                continue;
            };
            for code in backticked(py) {
                let mut rest = code;
                while let Some(at) = rest.find("mx.") {
                    let before = rest[..at].chars().last().unwrap_or(' ');
                    let before_ok = !is_ident(before) && before != '.';
                    let after = &rest[at + 3..];
                    let end = after.find(|c: char| !is_ident(c)).unwrap_or(after.len());
                    if before_ok && end > 0 {
                        t.python.insert(after[..end].to_string());
                    }
                    rest = &after[end..];
                }
            }
            for code in backticked(rs) {
                if is_path(code) {
                    t.rust_paths.push((n + 1, code.to_string()));
                }
            }
        }
        t
    }

    /// The Rust paths that name nothing in mlxrs.
    pub fn unresolved(&self, krate: &Crate, sources: &str) -> Vec<String> {
        self.rust_paths
            .iter()
            .filter(|(_, p)| !resolves(p, krate, sources))
            .map(|(n, p)| format!("line {n}: `{p}` names nothing in mlxrs"))
            .collect()
    }

    /// The Python functions without a row.
    pub fn missing_rows(&self, names: &[String]) -> Vec<String> {
        names
            .iter()
            .filter(|n| !self.python.contains(*n))
            .map(|n| format!("no row for `mx.{n}` (map it, or say why it is not in mlx-c)"))
            .collect()
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The texts between backticks of a cell.
fn backticked(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// `a::b`, `Type::method`, `r#where` paths, or a bare capitalized type name.
fn is_path(code: &str) -> bool {
    let segments: Vec<&str> = code.split("::").collect();
    let ok = segments.iter().all(|s| {
        let s = s.strip_prefix("r#").unwrap_or(s);
        !s.is_empty() && s.chars().all(is_ident) && !s.starts_with(|c: char| c.is_ascii_digit())
    });
    ok && (segments.len() > 1 || code.starts_with(|c: char| c.is_ascii_uppercase()))
}

fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Whether a path names a module, item or method of mlxrs (paths are relative to the
/// crate root; a leading `mlxrs::` is allowed).
fn resolves(path: &str, krate: &Crate, sources: &str) -> bool {
    let path = path.strip_prefix("mlxrs::").unwrap_or(path);
    let segments: Vec<&str> = path
        .split("::")
        .map(|s| s.strip_prefix("r#").unwrap_or(s))
        .collect();
    // A type among the segments: `a::Type` or `a::Type::method`.
    if let Some(i) = segments.iter().position(|s| is_type_name(s)) {
        let module = segments[..i].join("::");
        if krate.find(&module, segments[i], true).is_none() {
            return false;
        }
        return match &segments[i + 1..] {
            [] => true,
            [method] => has_fn(sources, method),
            _ => false,
        };
    }
    if krate.has_module(&segments.join("::")) {
        return true;
    }
    let (last, module) = segments.split_last().expect("a path has a segment");
    let module = module.join("::");
    // Raw identifiers (`r#where`) are scanned as written.
    krate.find(&module, last, false).is_some()
        || krate.find(&module, &format!("r#{last}"), false).is_some()
}

/// Whether `fn <name>` is written in the sources (a method of a type or trait).
fn has_fn(sources: &str, name: &str) -> bool {
    let pat = format!("fn {name}");
    sources.match_indices(&pat).any(|(at, _)| {
        let next = sources[at + pat.len()..].chars().next().unwrap_or(' ');
        !is_ident(next)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn krate() -> Crate {
        let mut k = Crate::default();
        k.add_file("", "pub mod ops;\npub use ops::*;\npub struct Array;\n");
        k.add_file("ops", "pub fn add() {}\npub fn r#where() {}\n");
        k
    }

    const SRC: &str = "impl Array { pub fn reshape(&self) {} pub fn sum2() {} }";

    #[test]
    fn paths_resolve_to_items_modules_and_methods() {
        let k = krate();
        for good in [
            "ops::add",
            "add",
            "ops",
            "Array",
            "Array::reshape",
            "ops::r#where",
        ] {
            assert!(resolves(good, &k, SRC) || !is_path(good), "{good}");
        }
        for bad in [
            "ops::sub",
            "Array::sum",
            "Tensor",
            "nn::Linear",
            "ops::add::x",
        ] {
            assert!(!resolves(bad, &k, SRC), "{bad}");
        }
    }

    #[test]
    fn rows_give_python_names_and_rust_paths() {
        let doc = "| Python | mlxrs | notes |\n|---|---|---|\n\
                   | `mx.add`, `mx.sub(a)` | `ops::add`, `ops::nope` | `not::checked` |\n\
                   | `a.mx.x`, `mx.savez` | not in mlx-c | `ex(1, 2)` |\n";
        let t = Table::parse(doc);
        let py: Vec<&str> = t.python.iter().map(String::as_str).collect();
        assert_eq!(py, ["add", "savez", "sub"]);
        let rs: Vec<&str> = t.rust_paths.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(rs, ["ops::add", "ops::nope"]);
        let errors = t.unresolved(&krate(), SRC);
        assert_eq!(errors, ["line 3: `ops::nope` names nothing in mlxrs"]);
        let missing = t.missing_rows(&["add".into(), "mul".into()]);
        assert_eq!(missing.len(), 1);
        assert!(missing[0].contains("mx.mul"));
    }

    #[test]
    fn axis_section_rows_are_found_by_their_first_cell() {
        let doc = "# x\n## Optional `axis` arguments\n\n| Python | mlxrs | notes |\n|---|---|---|\n\
                   | `mx.sum(a)`, `mx.fft.fft` | `ops::sum` | `mx.take` |\n\n## Next\n\
                   | `mx.sort` | `ops::sort` | |\n";
        let names: Vec<String> = ["sum", "fft.fft", "take", "sort", "fft"]
            .map(String::from)
            .to_vec();
        let missing = missing_axis_rows(doc, &names);
        assert_eq!(missing.len(), 3, "{missing:?}");
        for (m, name) in missing.iter().zip(["mx.take", "mx.sort", "mx.fft`"]) {
            assert!(m.contains(name), "{m}");
        }
        assert_eq!(missing_axis_rows("no section", &names).len(), names.len());
    }

    /// The committed table: every Rust path it names exists in mlxrs's sources.
    #[test]
    fn every_rust_path_of_the_committed_table_exists() {
        let root = project_root();
        let table = Table::parse(&read_doc(&root).unwrap());
        assert!(table.rust_paths.len() > 200, "{}", table.rust_paths.len());
        let krate = Crate::scan(&root.join("mlxrs/src")).unwrap();
        let sources = sources_text(&root.join("mlxrs/src")).unwrap();
        let errors = table.unresolved(&krate, &sources);
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
}
