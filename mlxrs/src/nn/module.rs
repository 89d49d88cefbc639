//! The [`Module`] trait, its parameter leaves ([`Param`], plain [`Array`]) and the
//! containers a module's fields may be ([`ModuleField`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::ParamMap;
use crate::{Array, Error, Result};

/// A trainable (or frozen) parameter: an array and its frozen flag. Dereferences to the
/// array. Python MLX keeps the frozen names per module; mlxrs keeps the flag beside the
/// array, so freezing survives moves and clones.
#[derive(Debug, Clone)]
pub struct Param {
    /// The current value.
    pub value: Array,
    /// Whether the parameter is excluded from [`Module::trainable_parameters`].
    pub frozen: bool,
}

impl Param {
    /// A trainable parameter holding `value`.
    pub fn new(value: Array) -> Param {
        Param {
            value,
            frozen: false,
        }
    }

    /// A frozen parameter holding `value` (as Python's `freeze` right after creation).
    pub fn frozen(value: Array) -> Param {
        Param {
            value,
            frozen: true,
        }
    }
}

impl From<Array> for Param {
    fn from(value: Array) -> Param {
        Param::new(value)
    }
}

impl std::ops::Deref for Param {
    type Target = Array;
    fn deref(&self) -> &Array {
        &self.value
    }
}

/// A parameter seen by [`Module::visit_parameters`].
#[derive(Debug, Clone, Copy)]
pub struct ParamRef<'a> {
    /// Its value.
    pub value: &'a Array,
    /// Whether it is frozen.
    pub frozen: bool,
    /// Whether its frozen flag can change: `false` for plain [`Array`] fields (always
    /// trainable) and for BatchNorm's running statistics (always frozen).
    pub freezable: bool,
}

/// A parameter seen by [`Module::visit_parameters_mut`]: its value, and its frozen flag
/// where it has one that can change.
#[derive(Debug)]
pub struct ParamMut<'a> {
    /// Its value (replace it to update the parameter).
    pub value: &'a mut Array,
    /// Its frozen flag; `None` for plain [`Array`] fields and fixed-state parameters.
    pub frozen: Option<&'a mut bool>,
}

/// `prefix.name`, or `name` at the root: the dotted names of Python's `tree_flatten`.
#[doc(hidden)]
pub fn join_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A neural-network module: a tree of named parameters and sub-modules (Python MLX's
/// `nn.Module`). Implement it with `#[derive(Module)]` (the derive and the trait share
/// the name `mlxrs::nn::Module`, as serde's `Serialize` does).
///
/// The required methods walk the tree and are written by the derive; the provided ones
/// are Python's API: [`parameters`](Module::parameters),
/// [`trainable_parameters`](Module::trainable_parameters), [`update`](Module::update),
/// [`freeze`](Module::freeze), [`train`](Module::train),
/// [`save_weights`](Module::save_weights), [`load_weights`](Module::load_weights).
///
/// Modules are `Clone` by convention (`#[derive(Clone, Module)]`): arrays are cheap
/// handles, so a model can be captured by value in a transform's closure.
///
/// # Examples
/// ```
/// use mlxrs::nn::{self, Linear, Module, UnaryLayer};
/// #[derive(Clone, Module)]
/// struct Mlp {
///     layers: Vec<Linear>,
///     hidden: usize, // plain configuration: ignored
/// }
/// let mlp = Mlp { layers: vec![Linear::new(4, 8, true)?, Linear::new(8, 2, true)?], hidden: 8 };
/// let names: Vec<String> = mlp.parameters().into_keys().collect();
/// assert_eq!(names, ["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub trait Module {
    /// Calls `f` with the dotted name (under `prefix`) of every parameter, in field order.
    fn visit_parameters(&self, prefix: &str, f: &mut dyn FnMut(&str, ParamRef<'_>));

    /// As [`visit_parameters`](Module::visit_parameters), with mutable access.
    fn visit_parameters_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, ParamMut<'_>));

    /// Calls `f` on this module (named `prefix`) and then on every sub-module.
    ///
    /// # Errors
    /// The first error `f` returns.
    fn visit_modules_mut(
        &mut self,
        prefix: &str,
        f: &mut dyn FnMut(&str, &mut dyn Module) -> Result<()>,
    ) -> Result<()>;

    /// Sets training mode (`true`) or evaluation mode (`false`) on this module and every
    /// sub-module (Python: `module.train(mode)`; `module.eval()` is `train(false)`).
    /// Dropout and BatchNorm obey it.
    fn train(&mut self, mode: bool);

    /// Whether the module is in training mode (the default for new modules).
    fn training(&self) -> bool;

    /// The Rust type name of the module (`mlxrs::nn::Linear`), e.g. for the predicate of
    /// [`quantize`](super::quantize).
    fn type_name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }

    /// Evaluation mode: `train(false)` (Python: `module.eval()`).
    fn eval(&mut self) {
        self.train(false);
    }

    /// Replaces this module's weights by a quantized form in place, if it has one
    /// (Linear and Embedding do; see [`quantize`](super::quantize)). Returns whether it
    /// did.
    ///
    /// # Errors
    /// MLX's error when the weights cannot be quantized with these settings (e.g. a last
    /// dimension not divisible by `group_size`).
    fn quantize_in_place(&mut self, group_size: Option<i32>, bits: Option<i32>) -> Result<bool> {
        let _ = (group_size, bits);
        Ok(false)
    }

    /// Every parameter, frozen ones included, by dotted name (Python:
    /// `dict(tree_flatten(model.parameters()))`).
    fn parameters(&self) -> ParamMap {
        let mut out = ParamMap::new();
        self.visit_parameters("", &mut |name, p| {
            out.insert(name.to_string(), p.value.clone());
        });
        out
    }

    /// The parameters that are not frozen (Python: `model.trainable_parameters()`).
    fn trainable_parameters(&self) -> ParamMap {
        let mut out = ParamMap::new();
        self.visit_parameters("", &mut |name, p| {
            if !p.frozen {
                out.insert(name.to_string(), p.value.clone());
            }
        });
        out
    }

    /// Sets the parameters named in `params` (a subset is fine), as Python's
    /// `model.update(tree_unflatten(...))`. Nothing changes unless every name exists and
    /// every shape matches.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `params`, listing the unknown names and the
    /// names whose shape differs (got vs expected).
    fn update(&mut self, params: &ParamMap) -> Result<()> {
        let mut known = BTreeMap::new();
        self.visit_parameters("", &mut |name, p| {
            known.insert(name.to_string(), p.value.shape().to_vec());
        });
        check_names("params", params, &known, false)?;
        self.visit_parameters_mut("", &mut |name, p| {
            if let Some(v) = params.get(name) {
                *p.value = v.clone();
            }
        });
        Ok(())
    }

    /// Freezes every parameter (Python: `model.freeze()`): it keeps its value but
    /// leaves [`trainable_parameters`](Module::trainable_parameters) and gradients.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) listing the plain [`Array`] fields, which have no frozen
    /// flag (use [`Param`] for a parameter that can be frozen); nothing changes then.
    fn freeze(&mut self) -> Result<()> {
        set_frozen(self, None, true)
    }

    /// Unfreezes every parameter (Python: `model.unfreeze()`); BatchNorm's running
    /// statistics stay frozen, as in Python.
    ///
    /// # Errors
    /// Not expected: every parameter can be unfrozen.
    fn unfreeze(&mut self) -> Result<()> {
        set_frozen(self, None, false)
    }

    /// Freezes the parameters named in `names`. A name is a full dotted name
    /// (`layers.0.bias`) or a local one (`bias`), which matches that parameter in every
    /// sub-module (Python: `model.freeze(keys=[...])`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `names` for a name that matches no parameter, or
    /// matches a plain [`Array`] field; nothing changes then.
    fn freeze_parameters(&mut self, names: &[&str]) -> Result<()> {
        set_frozen(self, Some(names), true)
    }

    /// Unfreezes the parameters named in `names` (as in
    /// [`freeze_parameters`](Module::freeze_parameters)).
    ///
    /// # Errors
    /// As [`freeze_parameters`](Module::freeze_parameters).
    fn unfreeze_parameters(&mut self, names: &[&str]) -> Result<()> {
        set_frozen(self, Some(names), false)
    }

    /// Saves every parameter to a `.safetensors` file by dotted name (Python:
    /// `model.save_weights("model.safetensors")`); files load in Python MLX with
    /// `model.load_weights`.
    ///
    /// # Errors
    /// As [`crate::io::save_safetensors`].
    fn save_weights(&self, path: impl AsRef<Path>) -> Result<()>
    where
        Self: Sized,
    {
        let arrays: HashMap<String, Array> = self.parameters().into_iter().collect();
        crate::io::save_safetensors(path, &arrays, &HashMap::new())
    }

    /// Loads a `.safetensors` file written by [`save_weights`](Module::save_weights) or by
    /// Python MLX's `model.save_weights`, strictly: the file must hold exactly this
    /// model's parameters, with the same shapes (Python: `load_weights(path,
    /// strict=True)`). Nothing changes on error.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `weights` and listing the missing, unexpected
    /// and wrongly shaped names; the error of [`crate::io::load_safetensors`] for a file
    /// that cannot be read.
    fn load_weights(&mut self, path: impl AsRef<Path>) -> Result<()>
    where
        Self: Sized,
    {
        let (arrays, _) = crate::io::load_safetensors(path)?;
        let weights: ParamMap = arrays.into_iter().collect();
        let mut known = BTreeMap::new();
        self.visit_parameters("", &mut |name, p| {
            known.insert(name.to_string(), p.value.shape().to_vec());
        });
        check_names("weights", &weights, &known, true)?;
        self.update(&weights)
    }

    /// Loads what matches from a `.safetensors` file (Python: `load_weights(path,
    /// strict=False)`) and reports the rest: names the file lacks, names the model lacks,
    /// and names whose shapes differ (those are not loaded).
    ///
    /// # Errors
    /// The error of [`crate::io::load_safetensors`] for a file that cannot be read.
    fn load_weights_non_strict(&mut self, path: impl AsRef<Path>) -> Result<LoadReport>
    where
        Self: Sized,
    {
        let (arrays, _) = crate::io::load_safetensors(path)?;
        let mut weights: ParamMap = arrays.into_iter().collect();
        let mut report = LoadReport::default();
        let mut known = BTreeMap::new();
        self.visit_parameters("", &mut |name, p| {
            known.insert(name.to_string(), p.value.shape().to_vec());
        });
        for (name, shape) in &known {
            match weights.get(name) {
                None => report.missing.push(name.clone()),
                Some(w) if w.shape() != shape.as_slice() => {
                    report
                        .mismatched
                        .push((name.clone(), w.shape().to_vec(), shape.clone()));
                }
                Some(_) => report.loaded.push(name.clone()),
            }
        }
        report.unexpected = weights
            .keys()
            .filter(|k| !known.contains_key(*k))
            .cloned()
            .collect();
        weights.retain(|k, _| report.loaded.contains(k));
        self.update(&weights)?;
        Ok(report)
    }
}

/// What [`Module::load_weights_non_strict`] loaded and what it left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// The parameters set from the file.
    pub loaded: Vec<String>,
    /// The model's parameters the file lacks (left unchanged).
    pub missing: Vec<String>,
    /// The file's arrays the model has no parameter for (ignored).
    pub unexpected: Vec<String>,
    /// `(name, shape in the file, shape in the model)` for arrays not loaded because
    /// their shapes differ.
    pub mismatched: Vec<(String, Vec<i32>, Vec<i32>)>,
}

/// Checks `given` against the model's `known` names and shapes: unknown names and shape
/// mismatches are errors; with `all`, so are known names missing from `given`.
fn check_names(
    what: &'static str,
    given: &ParamMap,
    known: &BTreeMap<String, Vec<i32>>,
    all: bool,
) -> Result<()> {
    let mut problems = Vec::new();
    let unknown: Vec<&str> = given
        .keys()
        .filter(|k| !known.contains_key(*k))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        problems.push(format!("unexpected names {unknown:?}"));
    }
    if all {
        let missing: Vec<&str> = known
            .keys()
            .filter(|k| !given.contains_key(*k))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            problems.push(format!("missing names {missing:?}"));
        }
    }
    let shapes: Vec<String> = given
        .iter()
        .filter_map(|(k, v)| {
            let want = known.get(k)?;
            (v.shape() != want.as_slice())
                .then(|| format!("`{k}` has shape {:?}, expected {want:?}", v.shape()))
        })
        .collect();
    if !shapes.is_empty() {
        problems.push(format!("wrong shapes: {}", shapes.join(", ")));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid(what, problems.join("; ")))
    }
}

fn matches_name(full: &str, key: &str) -> bool {
    full == key || full.ends_with(&format!(".{key}"))
}

fn set_frozen<M: Module + ?Sized>(m: &mut M, names: Option<&[&str]>, frozen: bool) -> Result<()> {
    let mut fixed = Vec::new();
    let mut hit = vec![false; names.map_or(0, <[&str]>::len)];
    m.visit_parameters("", &mut |name, p| {
        let selected = match names {
            None => true,
            Some(keys) => {
                let mut any = false;
                for (i, k) in keys.iter().enumerate() {
                    if matches_name(name, k) {
                        hit[i] = true;
                        any = true;
                    }
                }
                any
            }
        };
        if selected && !p.freezable && p.frozen != frozen && frozen {
            fixed.push(name.to_string());
        }
    });
    if let Some(keys) = names {
        let unknown: Vec<&str> = keys
            .iter()
            .zip(&hit)
            .filter(|(_, h)| !**h)
            .map(|(k, _)| *k)
            .collect();
        if !unknown.is_empty() {
            return Err(Error::invalid(
                "names",
                format!("no parameter matches {unknown:?}"),
            ));
        }
    }
    if !fixed.is_empty() {
        return Err(Error::invalid(
            "names",
            format!("plain `Array` fields cannot be frozen (make them `nn::Param`): {fixed:?}"),
        ));
    }
    m.visit_parameters_mut("", &mut |name, p| {
        let selected = names.is_none_or(|keys| keys.iter().any(|k| matches_name(name, k)));
        if let (true, Some(flag)) = (selected, p.frozen) {
            *flag = frozen;
        }
    });
    Ok(())
}

/// A single-input layer: `y = layer.forward(&x)?` (Python: `layer(x)`). `forward` takes
/// `&self`; layers with state that changes in the forward pass (BatchNorm's running
/// statistics) keep it with interior mutability.
pub trait UnaryLayer: Module + CloneUnaryLayer {
    /// Applies the layer to `x`.
    ///
    /// # Errors
    /// An error naming the layer and the shapes when `x` does not fit it.
    fn forward(&self, x: &Array) -> Result<Array>;
}

/// Cloning a boxed [`UnaryLayer`] (implemented for every `Clone` layer): what makes
/// [`Sequential`](super::Sequential) `Clone`.
pub trait CloneUnaryLayer {
    /// A boxed clone.
    fn clone_box(&self) -> Box<dyn UnaryLayer>;
}

impl<T: UnaryLayer + Clone + 'static> CloneUnaryLayer for T {
    fn clone_box(&self) -> Box<dyn UnaryLayer> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn UnaryLayer> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}

impl std::fmt::Debug for dyn UnaryLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.parameters().into_keys().collect();
        write!(f, "UnaryLayer {{ parameters: {names:?} }}")
    }
}

/// What a field of a `#[derive(Module)]` struct may be: a parameter ([`Array`],
/// [`Param`]), a module, or a `Vec`, `Option`, `Box` or string-keyed map of those.
/// Written by the derive for modules; implement it only for a new kind of container.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither a parameter, a module, nor a container of them",
    label = "not a module field",
    note = "fields of a #[derive(Module)] struct are arrays (`Array`, `nn::Param`), modules, or `Vec`/`Option`/`Box`/maps of those; mark anything else `#[module(skip)]`"
)]
pub trait ModuleField {
    /// Visits the parameters under `path`.
    fn visit_field(&self, path: &str, f: &mut dyn FnMut(&str, ParamRef<'_>));
    /// Visits the parameters under `path`, mutably.
    fn visit_field_mut(&mut self, path: &str, f: &mut dyn FnMut(&str, ParamMut<'_>));
    /// Visits the modules under `path`.
    ///
    /// # Errors
    /// The first error `f` returns.
    fn visit_field_modules(
        &mut self,
        path: &str,
        f: &mut dyn FnMut(&str, &mut dyn Module) -> Result<()>,
    ) -> Result<()> {
        let _ = (path, f);
        Ok(())
    }
    /// Sets training mode on the modules under it.
    fn set_training(&mut self, mode: bool) {
        let _ = mode;
    }
    /// The training mode of the modules under it, `None` when it holds none.
    fn field_training(&self) -> Option<bool> {
        None
    }
}

impl ModuleField for Array {
    fn visit_field(&self, path: &str, f: &mut dyn FnMut(&str, ParamRef<'_>)) {
        f(
            path,
            ParamRef {
                value: self,
                frozen: false,
                freezable: false,
            },
        );
    }
    fn visit_field_mut(&mut self, path: &str, f: &mut dyn FnMut(&str, ParamMut<'_>)) {
        f(
            path,
            ParamMut {
                value: self,
                frozen: None,
            },
        );
    }
}

impl ModuleField for Param {
    fn visit_field(&self, path: &str, f: &mut dyn FnMut(&str, ParamRef<'_>)) {
        f(
            path,
            ParamRef {
                value: &self.value,
                frozen: self.frozen,
                freezable: true,
            },
        );
    }
    fn visit_field_mut(&mut self, path: &str, f: &mut dyn FnMut(&str, ParamMut<'_>)) {
        f(
            path,
            ParamMut {
                value: &mut self.value,
                frozen: Some(&mut self.frozen),
            },
        );
    }
}

impl<T: ModuleField> ModuleField for Option<T> {
    fn visit_field(&self, path: &str, f: &mut dyn FnMut(&str, ParamRef<'_>)) {
        if let Some(x) = self {
            x.visit_field(path, f);
        }
    }
    fn visit_field_mut(&mut self, path: &str, f: &mut dyn FnMut(&str, ParamMut<'_>)) {
        if let Some(x) = self {
            x.visit_field_mut(path, f);
        }
    }
    fn visit_field_modules(
        &mut self,
        path: &str,
        f: &mut dyn FnMut(&str, &mut dyn Module) -> Result<()>,
    ) -> Result<()> {
        match self {
            Some(x) => x.visit_field_modules(path, f),
            None => Ok(()),
        }
    }
    fn set_training(&mut self, mode: bool) {
        if let Some(x) = self {
            x.set_training(mode);
        }
    }
    fn field_training(&self) -> Option<bool> {
        self.as_ref().and_then(ModuleField::field_training)
    }
}

/// The items of a list-like or map-like field, with their path components.
macro_rules! container_field {
    ($iter:ident, $iter_mut:ident, |$k:ident| $key:expr) => {
        fn visit_field(&self, path: &str, f: &mut dyn FnMut(&str, ParamRef<'_>)) {
            for ($k, x) in self.$iter() {
                x.visit_field(&join_path(path, &$key), f);
            }
        }
        fn visit_field_mut(&mut self, path: &str, f: &mut dyn FnMut(&str, ParamMut<'_>)) {
            for ($k, x) in self.$iter_mut() {
                x.visit_field_mut(&join_path(path, &$key), f);
            }
        }
        fn visit_field_modules(
            &mut self,
            path: &str,
            f: &mut dyn FnMut(&str, &mut dyn Module) -> Result<()>,
        ) -> Result<()> {
            for ($k, x) in self.$iter_mut() {
                x.visit_field_modules(&join_path(path, &$key), f)?;
            }
            Ok(())
        }
        fn set_training(&mut self, mode: bool) {
            for (_, x) in self.$iter_mut() {
                x.set_training(mode);
            }
        }
        fn field_training(&self) -> Option<bool> {
            let modes: Vec<bool> = self
                .$iter()
                .filter_map(|(_, x)| x.field_training())
                .collect();
            (!modes.is_empty()).then(|| modes.iter().all(|&m| m))
        }
    };
}

/// `Vec`'s items with their indices.
trait Indexed<T> {
    fn items<'a>(&'a self) -> impl Iterator<Item = (usize, &'a T)>
    where
        T: 'a;
    fn items_mut<'a>(&'a mut self) -> impl Iterator<Item = (usize, &'a mut T)>
    where
        T: 'a;
}

impl<T> Indexed<T> for Vec<T> {
    fn items<'a>(&'a self) -> impl Iterator<Item = (usize, &'a T)>
    where
        T: 'a,
    {
        self.iter().enumerate()
    }
    fn items_mut<'a>(&'a mut self) -> impl Iterator<Item = (usize, &'a mut T)>
    where
        T: 'a,
    {
        self.iter_mut().enumerate()
    }
}

impl<T: ModuleField> ModuleField for Vec<T> {
    container_field!(items, items_mut, |i| i.to_string());
}

impl<T: ModuleField> ModuleField for BTreeMap<String, T> {
    container_field!(iter, iter_mut, |k| k.as_str());
}

impl<T: ModuleField> ModuleField for HashMap<String, T> {
    container_field!(iter, iter_mut, |k| k.as_str());
}

impl<T: ModuleField + ?Sized> ModuleField for Box<T> {
    fn visit_field(&self, path: &str, f: &mut dyn FnMut(&str, ParamRef<'_>)) {
        (**self).visit_field(path, f);
    }
    fn visit_field_mut(&mut self, path: &str, f: &mut dyn FnMut(&str, ParamMut<'_>)) {
        (**self).visit_field_mut(path, f);
    }
    fn visit_field_modules(
        &mut self,
        path: &str,
        f: &mut dyn FnMut(&str, &mut dyn Module) -> Result<()>,
    ) -> Result<()> {
        (**self).visit_field_modules(path, f)
    }
    fn set_training(&mut self, mode: bool) {
        (**self).set_training(mode);
    }
    fn field_training(&self) -> Option<bool> {
        (**self).field_training()
    }
}

impl ModuleField for dyn UnaryLayer {
    fn visit_field(&self, path: &str, f: &mut dyn FnMut(&str, ParamRef<'_>)) {
        self.visit_parameters(path, f);
    }
    fn visit_field_mut(&mut self, path: &str, f: &mut dyn FnMut(&str, ParamMut<'_>)) {
        self.visit_parameters_mut(path, f);
    }
    fn visit_field_modules(
        &mut self,
        path: &str,
        f: &mut dyn FnMut(&str, &mut dyn Module) -> Result<()>,
    ) -> Result<()> {
        self.visit_modules_mut(path, f)
    }
    fn set_training(&mut self, mode: bool) {
        self.train(mode);
    }
    fn field_training(&self) -> Option<bool> {
        Some(self.training())
    }
}
