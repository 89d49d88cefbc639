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
    if !errors.is_empty() {
        return Err(format!("docs/FROM_PYTHON.md:\n  {}", errors.join("\n  ")));
    }
    eprintln!(
        "from-python: {} Rust paths resolve; all {} functions of mlx.core have a row",
        table.rust_paths.len(),
        names.len()
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
    let pythonpath = setup::python_mlx()?;
    let out = Command::new(setup::python_exe())
        .arg("-c")
        .arg(LIST_CORE)
        .env("PYTHONPATH", &pythonpath)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", setup::python_exe()))?;
    if !out.status.success() {
        return Err(format!(
            "listing mlx.core's functions failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if names.len() < 100 {
        return Err(format!(
            "Python's mlx.core reported only {} functions",
            names.len()
        ));
    }
    Ok(names)
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
