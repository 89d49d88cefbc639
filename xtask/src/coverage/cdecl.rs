//! The mlx-c header parser of `cargo xtask coverage`, shared with the edge-input sweep
//! (`mlxrs/tests/sweep`, which includes this file by path): which `mlx_*` functions a
//! header declares. Self-contained (std only) for that reason.

/// The mlx-c headers of the ops the edge-input sweep walks (its distributed functions are
/// excluded there with a reason). Coverage itself reads every header of `mlx/c`, not this
/// list.
pub const HEADERS: [&str; 9] = [
    "ops.h",
    "linalg.h",
    "fft.h",
    "random.h",
    "fast.h",
    "io.h",
    "export.h",
    "distributed.h",
    "distributed_group.h",
];

/// Every function named `mlx_*` declared in a C header, in order of appearance.
///
/// Comments and preprocessor lines are dropped; the rest is split into declarations at
/// `;` outside braces. A declaration is a function when it is not a `typedef` and has a
/// `(`; its name is the identifier just before the first `(`.
pub fn declared_functions(header: &str) -> Vec<String> {
    let code = strip_c_comments(header);
    let code: String = code
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| [l, "\n"])
        .collect();
    let mut out = Vec::new();
    // One entry per open brace: whether it is transparent (`extern "C" {`), so that
    // what it holds is still read as top-level declarations.
    let mut braces: Vec<bool> = Vec::new();
    let mut current = String::new();
    for c in code.chars() {
        let top = braces.iter().all(|&transparent| transparent);
        match c {
            '{' => {
                braces.push(top && current.trim() == "extern \"C\"");
                current.clear();
            }
            '}' => {
                braces.pop();
                current.clear();
            }
            ';' if top => {
                if let Some(name) = function_name(&current) {
                    out.push(name);
                }
                current.clear();
            }
            _ if top => current.push(c),
            _ => {}
        }
    }
    out
}

fn function_name(decl: &str) -> Option<String> {
    let decl = decl.trim();
    if decl.starts_with("typedef") || decl.starts_with("extern") {
        return None;
    }
    let open = decl.find('(')?;
    let before = decl[..open].trim_end();
    let start = before.rfind(|c: char| !is_ident(c)).map_or(0, |i| i + 1);
    let name = &before[start..];
    name.starts_with("mlx_").then(|| name.to_string())
}

pub fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn strip_c_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |i| &after[i + 2..]);
            out.push(' ');
        } else if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}
