//! The `nn` section of `cargo xtask coverage`: which public names of Python MLX's
//! `mlx.nn`, `mlx.nn.losses`, `mlx.nn.init`, `mlx.optimizers` and `mlx.utils` mlxrs has.
//!
//! The names come from the installed Python package (the one `cargo xtask setup
//! --python` installs for the oracle), never from a hand-kept list: every attribute of
//! the module that does not start with `_`, is not a module, and is defined in that
//! package (so `typing.Optional` or `mlx.optimizers.tree_map`, imported from elsewhere,
//! do not count). Each maps to its mlxrs path by convention (class `mlx.nn.Linear` →
//! `nn::Linear`, function `mlx.nn.relu` → `nn::relu`, `mlx.nn.losses.cross_entropy` →
//! `nn::losses::cross_entropy`, `mlx.optimizers.Adam` → `optimizers::Adam`,
//! `mlx.utils.tree_flatten` → `utils::tree_flatten`) and counts as wrapped when a public
//! item of that name is reachable there in `mlxrs/src`: defined at the module's top
//! level or re-exported into it by `pub use` (glob re-exports included). A class may be
//! any type item (struct, enum, trait, type alias) and matches case-insensitively
//! (`GELU` ↔ `Gelu`); a function must be a `fn` of exactly its name.

use super::strip_rust_noise;
use crate::{Result, setup};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

/// The Python modules covered, with the mlxrs module each maps to.
pub const MODULES: [(&str, &str); 5] = [
    ("mlx.nn", "nn"),
    ("mlx.nn.losses", "nn::losses"),
    ("mlx.nn.init", "nn::init"),
    ("mlx.optimizers", "optimizers"),
    ("mlx.utils", "utils"),
];

/// Prints the public names of [`MODULES`], one per line: `module<TAB>class|fn<TAB>name`.
const LIST_NAMES: &str = "\
import importlib, inspect, sys, types
for mod in sys.argv[1:]:
    m = importlib.import_module(mod)
    for name in sorted(dir(m)):
        obj = getattr(m, name)
        if name.startswith('_') or isinstance(obj, types.ModuleType):
            continue
        home = getattr(obj, '__module__', None) or ''
        if home != mod and not home.startswith(mod + '.'):
            continue
        kind = 'class' if inspect.isclass(obj) else 'fn' if callable(obj) else None
        if kind:
            print(f'{mod}\\t{kind}\\t{name}')
";

/// A public name of Python MLX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyName {
    /// `mlx.nn`, `mlx.optimizers`, ...
    pub module: String,
    /// Whether it is a class (else a function).
    pub class: bool,
    /// The name itself.
    pub name: String,
}

/// The names of [`MODULES`] read from the Python MLX that setup installs.
pub fn python_names() -> Result<Vec<PyName>> {
    let pythonpath = setup::python_mlx()?;
    let out = Command::new(setup::python_exe())
        .arg("-c")
        .arg(LIST_NAMES)
        .args(MODULES.map(|(py, _)| py))
        .env("PYTHONPATH", &pythonpath)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", setup::python_exe()))?;
    if !out.status.success() {
        return Err(format!(
            "listing Python MLX's names failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let names = parse_names(&String::from_utf8_lossy(&out.stdout))?;
    if names.is_empty() {
        return Err("Python MLX reported no public names".into());
    }
    Ok(names)
}

fn parse_names(text: &str) -> Result<Vec<PyName>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(
            |l| match l.trim().split('\t').collect::<Vec<_>>().as_slice() {
                [module, kind @ ("class" | "fn"), name] => Ok(PyName {
                    module: module.to_string(),
                    class: *kind == "class",
                    name: name.to_string(),
                }),
                _ => Err(format!("unexpected line from the name lister: `{l}`")),
            },
        )
        .collect()
}

/// What kind of item a public Rust name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `fn`
    Fn,
    /// `struct`, `enum`, `trait`, `type`, `union`
    Type,
    /// `mod`
    Mod,
    /// `const`, `static`
    Value,
}

/// One `pub use` entry: the path it names and the name it is visible under (`*` for a
/// glob).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reexport {
    path: Vec<String>,
    visible: String,
}

/// The public items of every module of a crate, as written in its sources.
#[derive(Debug, Default)]
pub struct Crate {
    /// module path (`""` for the root, `nn::losses`) → name → kind, items defined there.
    defs: BTreeMap<String, BTreeMap<String, Kind>>,
    /// module path → its `pub use` entries.
    uses: BTreeMap<String, Vec<Reexport>>,
    /// module path → identifiers named in the module's top-level macro invocations
    /// (items a macro such as `pool_layer! { MaxPool2d, .. }` may define): capitalized
    /// ones count as types, others as functions, unless preceded by `::` or `.` (paths)
    /// or, for lowercase ones, followed by `(` (calls).
    macro_items: BTreeMap<String, BTreeMap<String, Kind>>,
}

impl Crate {
    /// Scans every `.rs` file under `src` (the crate's `src/` folder).
    pub fn scan(src: &Path) -> Result<Crate> {
        let mut files = Vec::new();
        super::rust_files(src, &mut files)?;
        let mut krate = Crate::default();
        for f in files {
            let rel = f.strip_prefix(src).unwrap_or(&f);
            let text =
                fs::read_to_string(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
            krate.add_file(&module_of(rel), &text);
        }
        Ok(krate)
    }

    /// Adds the public items of one file that is module `module`.
    pub fn add_file(&mut self, module: &str, src: &str) {
        let code = strip_rust_noise(src);
        let toks = tokens(&code);
        // Scopes: Some(module path) for a module body, None for any other block.
        let mut scopes: Vec<Option<String>> = vec![Some(module.to_string())];
        let mut i = 0;
        while i < toks.len() {
            let here = scopes.last().cloned().flatten();
            match toks[i] {
                "{" => {
                    // `mod name {` opens a module; anything else an ordinary block.
                    let inline_mod = (i >= 2 && toks[i - 2] == "mod" && is_name(toks[i - 1]))
                        .then(|| join(here.as_deref().unwrap_or(""), toks[i - 1]));
                    scopes.push(inline_mod.filter(|_| here.is_some()));
                    i += 1;
                }
                "}" => {
                    if scopes.len() > 1 {
                        scopes.pop();
                    }
                    i += 1;
                }
                "pub" if here.is_some() => {
                    let m = here.unwrap_or_default();
                    i = self.item(&m, &toks, i + 1);
                }
                t if here.is_some()
                    && is_name(t)
                    && toks.get(i + 1) == Some(&"!")
                    && matches!(toks.get(i + 2), Some(&("{" | "(" | "["))) =>
                {
                    let end = group_end(&toks, i + 2);
                    if t != "macro_rules" {
                        let m = here.unwrap_or_default();
                        let items = self.macro_items.entry(m).or_default();
                        for k in i + 3..end {
                            let id = toks[k];
                            let upper = id.starts_with(|c: char| c.is_ascii_uppercase());
                            // `f(..)` is a call, but `CELU(alpha = 1.0)` names a type.
                            let call_or_path = (toks.get(k + 1) == Some(&"(") && !upper)
                                || matches!(toks[k - 1], "::" | ".");
                            if is_name(id) && !call_or_path {
                                items.insert(
                                    id.to_string(),
                                    if upper { Kind::Type } else { Kind::Fn },
                                );
                            }
                        }
                    }
                    i = end + 1;
                }
                "macro_rules" if toks.get(i + 1) == Some(&"!") => {
                    // `macro_rules! name { .. }`: its body is a template, not items.
                    let open = i + 3;
                    i = if matches!(toks.get(open), Some(&("{" | "(" | "["))) {
                        group_end(&toks, open) + 1
                    } else {
                        i + 1
                    };
                }
                _ => i += 1,
            }
        }
    }

    /// Reads the item after `pub` at `toks[i]`; returns where scanning goes on.
    fn item(&mut self, module: &str, toks: &[&str], mut i: usize) -> usize {
        if toks.get(i) == Some(&"(") {
            // pub(crate), pub(super), pub(in path): not public.
            return i;
        }
        while matches!(
            toks.get(i),
            Some(&("async" | "unsafe" | "extern" | "default"))
        ) {
            i += 1;
        }
        if toks.get(i) == Some(&"const") && toks.get(i + 1) == Some(&"fn") {
            i += 1;
        }
        let kind = match toks.get(i) {
            Some(&"fn") => Kind::Fn,
            Some(&("struct" | "enum" | "trait" | "type" | "union")) => Kind::Type,
            Some(&"mod") => Kind::Mod,
            Some(&("const" | "static")) => Kind::Value,
            Some(&"use") => {
                let end = toks[i..]
                    .iter()
                    .position(|t| *t == ";")
                    .map_or(toks.len(), |p| i + p);
                let mut out = Vec::new();
                use_tree(&toks[i + 1..end], &mut Vec::new(), &mut out);
                self.uses.entry(module.to_string()).or_default().extend(out);
                return end;
            }
            _ => return i,
        };
        let mut j = i + 1;
        if kind == Kind::Value && toks.get(j) == Some(&"mut") {
            j += 1;
        }
        if let Some(name) = toks.get(j).filter(|t| is_name(t)) {
            self.defs
                .entry(module.to_string())
                .or_default()
                .insert(name.to_string(), kind);
        }
        j
    }

    /// The Rust name under which `name` (a class when `class`) is reachable in
    /// `module`, if it is.
    pub fn find(&self, module: &str, name: &str, class: bool) -> Option<String> {
        let mut seen = BTreeSet::new();
        self.lookup(module, name, class, &mut seen)
    }

    fn lookup(
        &self,
        module: &str,
        name: &str,
        class: bool,
        seen: &mut BTreeSet<(String, String)>,
    ) -> Option<String> {
        if !seen.insert((module.to_string(), name.to_lowercase())) {
            return None;
        }
        let matches = |candidate: &str, kind: Kind| {
            if class {
                kind == Kind::Type && candidate.eq_ignore_ascii_case(name)
            } else {
                kind == Kind::Fn && candidate == name
            }
        };
        for items in [&self.defs, &self.macro_items] {
            if let Some(defs) = items.get(module) {
                if let Some((n, _)) = defs.iter().find(|(n, k)| matches(n, **k)) {
                    return Some(n.clone());
                }
            }
        }
        for r in self.uses.get(module).into_iter().flatten() {
            if r.visible == "*" {
                if let Some(target) = self.resolve_module(module, &r.path) {
                    if let Some(found) = self.lookup(&target, name, class, seen) {
                        return Some(found);
                    }
                }
                continue;
            }
            let name_matches = if class {
                r.visible.eq_ignore_ascii_case(name)
            } else {
                r.visible == name
            };
            if !name_matches {
                continue;
            }
            let (last, prefix) = r.path.split_last()?;
            if let Some(target) = self.resolve_module(module, prefix) {
                if self.lookup(&target, last, class, seen).is_some() {
                    return Some(r.visible.clone());
                }
            }
        }
        None
    }

    /// Whether `module` (`nn::losses`, `""` for the root) is a module of this crate.
    pub fn has_module(&self, module: &str) -> bool {
        self.resolve_module(
            "",
            &module.split("::").map(String::from).collect::<Vec<_>>(),
        )
        .is_some_and(|m| m == module)
    }

    /// The module a `use` path (relative to `from`) names, if it is one of this crate's.
    fn resolve_module(&self, from: &str, path: &[String]) -> Option<String> {
        let mut current: Vec<&str> = if from.is_empty() {
            Vec::new()
        } else {
            from.split("::").collect()
        };
        let mut segments = path.iter().map(String::as_str).peekable();
        match segments.peek() {
            Some(&"crate") => {
                current.clear();
                segments.next();
            }
            Some(&"self") => {
                segments.next();
            }
            _ => {}
        }
        for s in segments {
            if s == "super" {
                current.pop()?;
            } else {
                current.push(s);
            }
        }
        let m = current.join("::");
        let known = self.defs.contains_key(&m)
            || self.uses.contains_key(&m)
            || self.macro_items.contains_key(&m);
        (known || m.is_empty()).then_some(m)
    }
}

/// The module path of a file relative to `src/`: `lib.rs` → `""`, `nn/mod.rs` → `nn`,
/// `nn/losses.rs` → `nn::losses`.
pub fn module_of(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.strip_suffix(".rs").unwrap_or(&last).to_string();
        if !(stem == "mod" || (parts.is_empty() && (stem == "lib" || stem == "main"))) {
            parts.push(stem);
        }
    }
    parts.join("::")
}

fn join(module: &str, name: &str) -> String {
    if module.is_empty() {
        name.to_string()
    } else {
        format!("{module}::{name}")
    }
}

fn is_name(t: &str) -> bool {
    let t = t.strip_prefix("r#").unwrap_or(t);
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && t.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Identifiers (raw ones with their `r#`), `::`, and single punctuation characters.
fn tokens(code: &str) -> Vec<&str> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            let start = i;
            if b[i..].starts_with(b"r#") {
                i += 2;
            }
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            out.push(&code[start..i]);
        } else if b[i..].starts_with(b"::") {
            out.push("::");
            i += 2;
        } else {
            out.push(&code[i..i + 1]);
            i += 1;
        }
    }
    out
}

/// The index of the bracket closing the group opened at `toks[open]`.
fn group_end(toks: &[&str], open: usize) -> usize {
    let mut depth = 0i32;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match *t {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

/// Flattens a use tree (`a::b::{C, D as E, f::*}`) into its entries.
fn use_tree(toks: &[&str], prefix: &mut Vec<String>, out: &mut Vec<Reexport>) {
    // Split at top-level commas.
    let mut depth = 0;
    let mut start = 0;
    let mut parts = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        match *t {
            "{" => depth += 1,
            "}" => depth -= 1,
            "," if depth == 0 => {
                parts.push(&toks[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&toks[start..]);
    for part in parts {
        let part: Vec<&str> = part.iter().copied().filter(|t| *t != "::").collect();
        let Some(first) = part.first() else { continue };
        if let Some(open) = part.iter().position(|t| *t == "{") {
            let close = part.iter().rposition(|t| *t == "}").unwrap_or(part.len());
            let depth_before = prefix.len();
            prefix.extend(part[..open].iter().map(|s| s.to_string()));
            // Re-insert `::` is unnecessary: entries are split on commas only.
            use_tree(&part[open + 1..close], prefix, out);
            prefix.truncate(depth_before);
            continue;
        }
        if *first == "*" || part.last() == Some(&"*") {
            let mut path = prefix.clone();
            path.extend(part[..part.len() - 1].iter().map(|s| s.to_string()));
            out.push(Reexport {
                path,
                visible: "*".into(),
            });
            continue;
        }
        let (names, visible) = match part.iter().position(|t| *t == "as") {
            Some(k) => (&part[..k], part.get(k + 1).copied()),
            None => (&part[..], part.last().copied()),
        };
        let mut path = prefix.clone();
        path.extend(names.iter().map(|s| s.to_string()));
        let visible = match visible {
            Some("self") | None => path.last().cloned().unwrap_or_default(),
            Some(v) => v.to_string(),
        };
        if path.last().map(String::as_str) == Some("self") {
            path.pop();
        }
        if visible != "_" {
            out.push(Reexport { path, visible });
        }
    }
}

/// The outcome of [`check`].
#[derive(Debug)]
pub struct Report {
    pub text: String,
}

/// Maps every Python name to its mlxrs path and looks it up.
pub fn check(names: &[PyName], krate: &Crate) -> Report {
    let mut text = String::new();
    let mut missing = Vec::new();
    let mut per_module: Vec<(&str, usize, usize)> = Vec::new();
    for (py, rs) in MODULES {
        let mut wrapped = 0;
        let mut total = 0;
        for n in names.iter().filter(|n| n.module == py) {
            total += 1;
            if krate.find(rs, &n.name, n.class).is_some() {
                wrapped += 1;
            } else {
                missing.push(format!("{rs}::{}  ({py}.{})", n.name, n.name));
            }
        }
        per_module.push((py, wrapped, total));
    }
    let wrapped: usize = per_module.iter().map(|m| m.1).sum();
    let total: usize = per_module.iter().map(|m| m.2).sum();
    let _ = writeln!(text, "nn: wrapped {wrapped} of {total}");
    for (py, w, t) in &per_module {
        let _ = writeln!(text, "  {py}: wrapped {w} of {t}");
    }
    if !missing.is_empty() {
        let _ = writeln!(text, "nn missing ({}):", missing.len());
        for m in &missing {
            let _ = writeln!(text, "  {m}");
        }
    }
    Report { text }
}

/// The section as `cargo xtask coverage` prints it.
pub fn report(root: &Path) -> Result<Report> {
    let names = python_names()?;
    let krate = Crate::scan(&root.join("mlxrs/src"))?;
    Ok(check(&names, &krate))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn krate(files: &[(&str, &str)]) -> Crate {
        let mut k = Crate::default();
        for (m, src) in files {
            k.add_file(m, src);
        }
        k
    }

    #[test]
    fn files_map_to_module_paths() {
        assert_eq!(module_of(Path::new("lib.rs")), "");
        assert_eq!(module_of(Path::new("nn/mod.rs")), "nn");
        assert_eq!(module_of(Path::new("nn/losses.rs")), "nn::losses");
        assert_eq!(
            module_of(Path::new("nn/layers/linear.rs")),
            "nn::layers::linear"
        );
        assert_eq!(module_of(Path::new("utils.rs")), "utils");
    }

    #[test]
    fn finds_definitions_and_reexports_but_not_methods_or_private_items() {
        let k = krate(&[
            (
                "nn",
                "//! pub fn in_doc() {}\n\
                 mod layers;\n\
                 pub mod losses;\n\
                 pub use layers::{linear::Linear, Gelu as GELU2, activations::*};\n\
                 pub use self::containers::Sequential;\n\
                 pub fn value_and_grad() {}\n\
                 pub(crate) fn hidden() {}\n\
                 fn private() {}\n\
                 pub trait Module { fn update(&self); }\n\
                 impl Foo { pub fn step(&self) {} }\n\
                 /// pub fn sigmoid\n\
                 const X: &str = \"pub fn tanh() {}\";\n\
                 pub mod inline { pub struct Dropout; }\n\
                 mod containers { pub struct Sequential; }\n",
            ),
            (
                "nn::layers",
                "pub struct Gelu;\npub mod linear;\npub mod activations;\nmod pooling;\n\
                 pub use pooling::{MaxPool2d, CELU, gelu_approx, sqrt, sigmoid, tanh, fake};\n",
            ),
            (
                "nn::layers::linear",
                "pub struct Linear { pub weight: u8 }\n",
            ),
            (
                "nn::layers::activations",
                "pub fn relu() {}\npub struct ReLU;\npub const fn softplus() {}\n",
            ),
            ("nn::losses", "pub fn cross_entropy() {}\n"),
            (
                "nn::layers::pooling",
                "macro_rules! pool { ($name:ident) => { pub struct $name; pub fn fake() {} }; }\n\
                 pool! { MaxPool2d, Kind::Max, |k| ops::sqrt(k), x.sigmoid }\n\
                 activation!(gelu_approx, |x| tanh(x));\n\
                 with_options! { CELU(alpha = 1.0) => celu; }\n",
            ),
            ("optimizers", "pub struct Adam;\npub trait Optimizer {}\n"),
        ]);
        assert_eq!(k.find("nn", "Linear", true).as_deref(), Some("Linear"));
        assert_eq!(k.find("nn", "relu", false).as_deref(), Some("relu"));
        assert_eq!(k.find("nn", "ReLU", true).as_deref(), Some("ReLU"));
        assert_eq!(k.find("nn", "softplus", false).as_deref(), Some("softplus"));
        assert_eq!(k.find("nn", "GELU2", true).as_deref(), Some("GELU2"));
        assert_eq!(
            k.find("nn", "Sequential", true).as_deref(),
            Some("Sequential")
        );
        assert_eq!(
            k.find("nn", "value_and_grad", false).as_deref(),
            Some("value_and_grad")
        );
        assert_eq!(k.find("nn", "Module", true).as_deref(), Some("Module"));
        assert_eq!(
            k.find("nn::inline", "Dropout", true).as_deref(),
            Some("Dropout")
        );
        assert_eq!(
            k.find("nn::losses", "cross_entropy", false).as_deref(),
            Some("cross_entropy")
        );
        assert_eq!(k.find("optimizers", "Adam", true).as_deref(), Some("Adam"));
        // A class may differ in case (GELU ↔ Gelu) but must be a type; a function not.
        assert_eq!(k.find("nn::layers", "GELU", true).as_deref(), Some("Gelu"));
        // Items a top-level macro invocation names count; calls, paths and the bodies
        // of macro_rules do not.
        assert_eq!(
            k.find("nn::layers", "MaxPool2d", true).as_deref(),
            Some("MaxPool2d")
        );
        assert_eq!(
            k.find("nn::layers", "gelu_approx", false).as_deref(),
            Some("gelu_approx")
        );
        assert_eq!(k.find("nn::layers", "CELU", true).as_deref(), Some("CELU"));
        for f in ["sqrt", "sigmoid", "tanh", "fake"] {
            assert_eq!(k.find("nn::layers", f, false), None, "{f}");
        }
        assert_eq!(k.find("nn", "Relu", false), None);
        assert_eq!(k.find("nn", "Linear", false), None);
        assert_eq!(k.find("nn", "value_and_grad", true), None);
        // Private, restricted, methods, docs and strings do not count; nor other modules.
        for f in [
            "hidden", "private", "step", "update", "in_doc", "sigmoid", "tanh",
        ] {
            assert_eq!(k.find("nn", f, false), None, "{f}");
        }
        assert_eq!(k.find("nn", "Dropout", true), None);
        assert_eq!(k.find("nn", "cross_entropy", false), None);
        assert_eq!(k.find("optimizers", "Linear", true), None);
    }

    #[test]
    fn the_report_counts_per_module_and_lists_the_missing() {
        let names = parse_names(
            "mlx.nn\tclass\tLinear\nmlx.nn\tfn\trelu\nmlx.nn.losses\tfn\tmse_loss\n\
             mlx.optimizers\tclass\tAdam\nmlx.utils\tfn\ttree_flatten\n",
        )
        .unwrap();
        assert!(parse_names("mlx.nn\tvalue\tx\n").is_err());
        let k = krate(&[
            ("nn", "pub struct Linear;\npub fn relu() {}\n"),
            ("utils", "pub fn tree_flatten() {}\n"),
        ]);
        let r = check(&names, &k);
        assert!(r.text.starts_with("nn: wrapped 3 of 5\n"), "{}", r.text);
        assert!(r.text.contains("  mlx.nn: wrapped 2 of 2\n"), "{}", r.text);
        assert!(
            r.text.contains("  mlx.nn.losses: wrapped 0 of 1\n"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains(
                "nn missing (2):\n  nn::losses::mse_loss  (mlx.nn.losses.mse_loss)\n  \
                 optimizers::Adam  (mlx.optimizers.Adam)\n"
            ),
            "{}",
            r.text
        );
    }
}
