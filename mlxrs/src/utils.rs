//! Tree utilities: Python MLX's `mlx.utils` (`tree_flatten`, `tree_unflatten`,
//! `tree_map`, `tree_map_with_path`, `tree_reduce`, `tree_merge`) over a nested
//! [`Tree`] of lists and string-keyed dictionaries, and the flat [`ParamMap`] form
//! whose dotted names they produce.
//!
//! ```
//! use mlxrs::utils::{Tree, tree_flatten, tree_unflatten};
//! let flat = vec![("layers.0.w".to_string(), 1), ("layers.1.w".to_string(), 2), ("b".to_string(), 3)];
//! let tree = tree_unflatten(flat.clone())?;
//! // `layers` has integer keys only: a list, as in Python.
//! assert!(matches!(tree.get("layers"), Some(Tree::List(l)) if l.len() == 2));
//! let mut back = tree_flatten(&tree);
//! back.sort();
//! let mut want = flat;
//! want.sort();
//! assert_eq!(back, want);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use std::collections::BTreeMap;

use crate::nn::{ParamMap, join_path};
use crate::{Array, Error, Result};

/// A nested tree: Python's nested lists and dicts with leaves (arrays, usually).
#[derive(Debug, Clone, PartialEq)]
pub enum Tree<T> {
    /// A leaf value.
    Leaf(T),
    /// A list (Python `list`), its items named `0`, `1`, ... in flat names.
    List(Vec<Tree<T>>),
    /// A dictionary (Python `dict`) with string keys.
    Dict(BTreeMap<String, Tree<T>>),
}

impl<T> Tree<T> {
    /// The child named `key`: a dictionary entry, or a list item by its index.
    pub fn get(&self, key: &str) -> Option<&Tree<T>> {
        match self {
            Tree::Leaf(_) => None,
            Tree::List(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            Tree::Dict(map) => map.get(key),
        }
    }
}

impl Tree<Array> {
    /// The tree of a [`ParamMap`] (Python: `tree_unflatten(list(params.items()))`).
    ///
    /// # Errors
    /// As [`tree_unflatten`].
    pub fn from_params(params: &ParamMap) -> Result<Tree<Array>> {
        tree_unflatten(params.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    /// The flat [`ParamMap`] of the tree (Python: `dict(tree_flatten(tree))`).
    pub fn to_params(&self) -> ParamMap {
        tree_flatten(self).into_iter().collect()
    }
}

/// The leaves of `tree` with their dotted paths, depth first, list items in order and
/// dictionary entries by key (Python: `tree_flatten(tree)`). A bare leaf has the path
/// `""`.
pub fn tree_flatten<T: Clone>(tree: &Tree<T>) -> Vec<(String, T)> {
    let mut out = Vec::new();
    tree_visit(tree, "", &mut |path, leaf| {
        out.push((path.to_string(), leaf.clone()))
    });
    out
}

fn tree_visit<T>(tree: &Tree<T>, path: &str, f: &mut dyn FnMut(&str, &T)) {
    match tree {
        Tree::Leaf(x) => f(path, x),
        Tree::List(items) => {
            for (i, t) in items.iter().enumerate() {
                tree_visit(t, &join_path(path, &i.to_string()), f);
            }
        }
        Tree::Dict(map) => {
            for (k, t) in map {
                tree_visit(t, &join_path(path, k), f);
            }
        }
    }
}

/// Rebuilds a tree from dotted paths (Python: `tree_unflatten(items)`): a level whose
/// keys are all integers becomes a list (indices `0..n`, missing ones are an error),
/// any other level a dictionary.
///
/// # Errors
/// [`Error::InvalidArgument`] naming `items` for a path that is both a leaf and a
/// prefix of another path, a repeated path, or list indices with gaps.
pub fn tree_unflatten<T>(items: Vec<(String, T)>) -> Result<Tree<T>> {
    if items.len() == 1 && items[0].0.is_empty() {
        let (_, v) = items.into_iter().next().expect("one item");
        return Ok(Tree::Leaf(v));
    }
    let mut children: BTreeMap<String, Vec<(String, T)>> = BTreeMap::new();
    for (path, v) in items {
        if path.is_empty() {
            return Err(Error::invalid(
                "items",
                "tree_unflatten: a leaf path is also a prefix of other paths",
            ));
        }
        let (head, rest) = match path.split_once('.') {
            Some((h, r)) => (h.to_string(), r.to_string()),
            None => (path, String::new()),
        };
        children.entry(head).or_default().push((rest, v));
    }
    let mut built = BTreeMap::new();
    for (k, group) in children {
        if group.len() > 1 && group.iter().any(|(r, _)| r.is_empty()) {
            return Err(Error::invalid(
                "items",
                format!("tree_unflatten: `{k}` is given twice, or both as a leaf and as a subtree"),
            ));
        }
        built.insert(k, tree_unflatten(group)?);
    }
    let indices: Option<Vec<usize>> = built.keys().map(|k| k.parse::<usize>().ok()).collect();
    match indices {
        Some(mut idx) if !idx.is_empty() => {
            idx.sort_unstable();
            if idx.iter().enumerate().any(|(i, &j)| i != j) {
                return Err(Error::invalid(
                    "items",
                    format!(
                        "tree_unflatten: list indices {idx:?} are not 0..{}",
                        idx.len()
                    ),
                ));
            }
            let mut by_index: BTreeMap<usize, Tree<T>> = built
                .into_iter()
                .map(|(k, v)| (k.parse::<usize>().unwrap_or(0), v))
                .collect();
            Ok(Tree::List(
                (0..idx.len()).filter_map(|i| by_index.remove(&i)).collect(),
            ))
        }
        _ => Ok(Tree::Dict(built)),
    }
}

/// `params` with `f(name, array)` applied to every entry: [`tree_map_with_path`] on the
/// flat form (Python: `tree_map_with_path(f, params)`), e.g. for an optimizer update.
///
/// # Errors
/// The first error `f` returns.
///
/// # Examples
/// ```
/// use mlxrs::nn::{Linear, Module};
/// let params = Linear::new(2, 3, true)?.parameters();
/// let zeros = mlxrs::utils::tree_map_params(&params, |_, a| mlxrs::Array::zeros_like(a))?;
/// assert_eq!(zeros["weight"].to_vec::<f32>()?, [0.0; 6]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn tree_map_params(
    params: &ParamMap,
    mut f: impl FnMut(&str, &Array) -> Result<Array>,
) -> Result<ParamMap> {
    params
        .iter()
        .map(|(k, v)| Ok((k.clone(), f(k, v)?)))
        .collect()
}

/// `tree` with `f` applied to every leaf (Python: `tree_map(f, tree)`).
pub fn tree_map<T, U>(tree: &Tree<T>, mut f: impl FnMut(&T) -> U) -> Tree<U> {
    tree_map_with_path(tree, |_, x| f(x))
}

/// `tree` with `f(path, leaf)` applied to every leaf (Python: `tree_map_with_path`).
pub fn tree_map_with_path<T, U>(tree: &Tree<T>, mut f: impl FnMut(&str, &T) -> U) -> Tree<U> {
    fn go<T, U>(t: &Tree<T>, path: &str, f: &mut dyn FnMut(&str, &T) -> U) -> Tree<U> {
        match t {
            Tree::Leaf(x) => Tree::Leaf(f(path, x)),
            Tree::List(items) => Tree::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, c)| go(c, &join_path(path, &i.to_string()), f))
                    .collect(),
            ),
            Tree::Dict(map) => Tree::Dict(
                map.iter()
                    .map(|(k, c)| (k.clone(), go(c, &join_path(path, k), f)))
                    .collect(),
            ),
        }
    }
    go(tree, "", &mut f)
}

/// Folds the leaves of `tree` in [`tree_flatten`] order (Python: `tree_reduce(fn, tree,
/// initializer)`).
pub fn tree_reduce<T, A>(tree: &Tree<T>, init: A, mut f: impl FnMut(A, &T) -> A) -> A {
    let mut acc = Some(init);
    tree_visit(tree, "", &mut |_, x| {
        if let Some(a) = acc.take() {
            acc = Some(f(a, x));
        }
    });
    acc.expect("the accumulator is always put back")
}

/// `a` with `b`'s entries merged in (Python: `tree_merge(a, b)`): dictionaries merge by
/// key, lists by index, and where both have a leaf (or the kinds differ) `b` wins.
pub fn tree_merge<T: Clone>(a: &Tree<T>, b: &Tree<T>) -> Tree<T> {
    match (a, b) {
        (Tree::Dict(x), Tree::Dict(y)) => {
            let mut out = x.clone();
            for (k, v) in y {
                let merged = match x.get(k) {
                    Some(old) => tree_merge(old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Tree::Dict(out)
        }
        (Tree::List(x), Tree::List(y)) => {
            let n = x.len().max(y.len());
            Tree::List(
                (0..n)
                    .map(|i| match (x.get(i), y.get(i)) {
                        (Some(p), Some(q)) => tree_merge(p, q),
                        (Some(p), None) => p.clone(),
                        (None, Some(q)) => q.clone(),
                        (None, None) => unreachable!("i < max(len)"),
                    })
                    .collect(),
            )
        }
        (_, b) => b.clone(),
    }
}
