//! `#[derive(Module)]` for mlxrs: use it as `mlxrs::nn::Module` (derive and trait under
//! one name, as serde's `Serialize`).
//!
//! The derive walks the named fields of a struct, in declaration order, and names each
//! parameter by its field path, as Python MLX's `tree_flatten(model.parameters())` does
//! (`layers.0.weight`). A field is
//! - a parameter (`Array`, `nn::Param`), a sub-module (any `#[derive(Module)]` type or
//!   built-in layer), or a `Vec`, `Option`, `Box` or string-keyed map of those: walked;
//! - a plain configuration value (numbers, `bool`, `usize`, `String`, `Dtype`, tuples,
//!   arrays and `Option`s of those): ignored automatically;
//! - anything else marked `#[module(skip)]`: ignored.
//!
//! `#[module(rename = "name")]` on a walked field names it `name` in parameter paths
//! instead of the field's own name, for published weights whose names are not Rust
//! identifiers in snake case (`LayerNorm`, `self`): `#[module(rename = "LayerNorm")]
//! layer_norm: LayerNorm` gives `LayerNorm.weight`.
//!
//! `#[module(training)]` on a `bool` field makes it the module's own training flag
//! (set by `train`, read by `training`); without one, `training()` reports whether
//! every sub-module is in training mode. `#[module(quantize)]` on the struct makes
//! `Module::quantize_in_place` call the type's `quantize_weights(group_size, bits)`.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericArgument, PathArguments, Type, parse_macro_input};

/// Derives `mlxrs::nn::Module` (and `mlxrs::nn::ModuleField`) for a struct with named
/// fields. See the crate documentation for which fields are walked.
#[proc_macro_derive(Module, attributes(module))]
pub fn derive_module(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// What a field's `#[module(..)]` attributes say.
#[derive(Default)]
struct FieldAttrs {
    skip: bool,
    training: bool,
    rename: Option<String>,
}

fn field_attrs(field: &syn::Field) -> syn::Result<FieldAttrs> {
    let mut out = FieldAttrs::default();
    for attr in &field.attrs {
        if !attr.path().is_ident("module") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                out.skip = true;
                Ok(())
            } else if meta.path.is_ident("training") {
                out.training = true;
                Ok(())
            } else if meta.path.is_ident("rename") {
                let name: syn::LitStr = meta.value()?.parse()?;
                let value = name.value();
                if value.is_empty() || value.contains('.') {
                    return Err(syn::Error::new(
                        name.span(),
                        "#[module(rename = ..)] needs a non-empty name without `.`",
                    ));
                }
                out.rename = Some(value);
                Ok(())
            } else {
                let name = meta
                    .path
                    .get_ident()
                    .map_or_else(|| "?".to_string(), ToString::to_string);
                Err(meta.error(format!(
                    "unknown `module` attribute `{name}`: expected `skip`, `training` or `rename = \"..\"`"
                )))
            }
        })?;
    }
    Ok(out)
}

/// Scalar and configuration types that hold no parameters.
const PLAIN: &[&str] = &[
    "bool",
    "char",
    "f32",
    "f64",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "String",
    "str",
    "Dtype",
    "Device",
    "DeviceType",
    "QuantizationMode",
    "QuantizeOptions",
    "Conv1dOptions",
    "Conv2dOptions",
    "Conv3dOptions",
    "PhantomData",
];

/// Whether `ty` is a plain configuration value (ignored without an attribute).
fn is_plain(ty: &Type) -> bool {
    match ty {
        Type::Tuple(t) => t.elems.iter().all(is_plain),
        Type::Array(a) => is_plain(&a.elem),
        Type::Reference(r) => is_plain(&r.elem),
        Type::Paren(p) => is_plain(&p.elem),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            if name == "PhantomData" {
                return true;
            }
            if PLAIN.contains(&name.as_str()) {
                return matches!(last.arguments, PathArguments::None);
            }
            if name == "Option" || name == "Vec" {
                if let PathArguments::AngleBracketed(args) = &last.arguments {
                    return args.args.iter().all(|a| match a {
                        GenericArgument::Type(t) => is_plain(t),
                        _ => false,
                    });
                }
            }
            false
        }
        _ => false,
    }
}

/// `#[module(quantize)]` on the struct: `quantize_in_place` calls the inherent
/// `quantize_weights(&mut self, group_size, bits)`.
fn struct_quantize(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let mut quantize = false;
    for attr in &input.attrs {
        if !attr.path().is_ident("module") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("quantize") {
                quantize = true;
                Ok(())
            } else {
                Err(meta.error("unknown `module` attribute on a struct: expected `quantize`"))
            }
        })?;
    }
    if !quantize {
        return Ok(TokenStream2::new());
    }
    Ok(quote! {
        fn quantize_in_place(
            &mut self,
            group_size: ::core::option::Option<i32>,
            bits: ::core::option::Option<i32>,
        ) -> ::mlxrs::Result<bool> {
            Self::quantize_weights(self, group_size, bits)?;
            ::core::result::Result::Ok(true)
        }
    })
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let name = &input.ident;
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => named.named.iter().collect::<Vec<_>>(),
            Fields::Unit => Vec::new(),
            Fields::Unnamed(_) => {
                return Err(syn::Error::new(
                    s.fields.span(),
                    "#[derive(Module)] does not support tuple structs: parameter names come from field names, so name the fields",
                ));
            }
        },
        Data::Enum(e) => {
            return Err(syn::Error::new(
                e.enum_token.span(),
                "#[derive(Module)] supports only structs with named fields, not enums",
            ));
        }
        Data::Union(u) => {
            return Err(syn::Error::new(
                u.union_token.span(),
                "#[derive(Module)] supports only structs with named fields, not unions",
            ));
        }
    };

    let mut walked = Vec::new();
    let mut training_field = None;
    for field in fields {
        let attrs = field_attrs(field)?;
        let ident = field.ident.as_ref().expect("named field");
        if attrs.training {
            let is_bool = matches!(&field.ty, Type::Path(p) if p.path.is_ident("bool"));
            if !is_bool {
                return Err(syn::Error::new(
                    field.ty.span(),
                    "#[module(training)] needs a field of type `bool`",
                ));
            }
            if training_field.is_some() {
                return Err(syn::Error::new(
                    ident.span(),
                    "#[module(training)] may mark only one field",
                ));
            }
            training_field = Some(ident.clone());
            continue;
        }
        if attrs.skip || is_plain(&field.ty) {
            if attrs.rename.is_some() {
                return Err(syn::Error::new(
                    ident.span(),
                    "#[module(rename = ..)] names a walked field; this one holds no parameters",
                ));
            }
            continue;
        }
        let key = attrs.rename.unwrap_or_else(|| ident.to_string());
        walked.push((ident.clone(), field.ty.clone(), key));
    }

    let quantize = struct_quantize(input)?;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let nn = quote!(::mlxrs::nn);

    let visit = walked.iter().map(|(ident, ty, key)| {
        quote_spanned! {ty.span()=>
            <#ty as #nn::ModuleField>::visit_field(&self.#ident, &#nn::join_path(prefix, #key), f);
        }
    });
    let visit_mut = walked.iter().map(|(ident, ty, key)| {
        quote_spanned! {ty.span()=>
            <#ty as #nn::ModuleField>::visit_field_mut(&mut self.#ident, &#nn::join_path(prefix, #key), f);
        }
    });
    let modules = walked.iter().map(|(ident, ty, key)| {
        quote_spanned! {ty.span()=>
            <#ty as #nn::ModuleField>::visit_field_modules(&mut self.#ident, &#nn::join_path(prefix, #key), f)?;
        }
    });
    let set_training = walked.iter().map(|(ident, ty, _)| {
        quote_spanned! {ty.span()=>
            <#ty as #nn::ModuleField>::set_training(&mut self.#ident, mode);
        }
    });
    let set_own = training_field
        .as_ref()
        .map(|t| quote!(self.#t = mode;))
        .unwrap_or_default();
    let training = match &training_field {
        Some(t) => quote!(self.#t),
        None => {
            let each = walked.iter().map(|(ident, ty, _)| {
                quote_spanned! {ty.span()=>
                    <#ty as #nn::ModuleField>::field_training(&self.#ident).unwrap_or(true)
                }
            });
            quote!(true #(&& #each)*)
        }
    };

    Ok(quote! {
        impl #impl_generics #nn::Module for #name #ty_generics #where_clause {
            fn visit_parameters(
                &self,
                prefix: &str,
                f: &mut dyn FnMut(&str, #nn::ParamRef<'_>),
            ) {
                #(#visit)*
            }
            fn visit_parameters_mut(
                &mut self,
                prefix: &str,
                f: &mut dyn FnMut(&str, #nn::ParamMut<'_>),
            ) {
                #(#visit_mut)*
            }
            fn visit_modules_mut(
                &mut self,
                prefix: &str,
                f: &mut dyn FnMut(&str, &mut dyn #nn::Module) -> ::mlxrs::Result<()>,
            ) -> ::mlxrs::Result<()> {
                f(prefix, self)?;
                #(#modules)*
                Ok(())
            }
            fn train(&mut self, mode: bool) {
                #set_own
                #(#set_training)*
            }
            fn training(&self) -> bool {
                #training
            }
            #quantize
        }

        impl #impl_generics #nn::ModuleField for #name #ty_generics #where_clause {
            fn visit_field(&self, path: &str, f: &mut dyn FnMut(&str, #nn::ParamRef<'_>)) {
                #nn::Module::visit_parameters(self, path, f)
            }
            fn visit_field_mut(&mut self, path: &str, f: &mut dyn FnMut(&str, #nn::ParamMut<'_>)) {
                #nn::Module::visit_parameters_mut(self, path, f)
            }
            fn visit_field_modules(
                &mut self,
                path: &str,
                f: &mut dyn FnMut(&str, &mut dyn #nn::Module) -> ::mlxrs::Result<()>,
            ) -> ::mlxrs::Result<()> {
                #nn::Module::visit_modules_mut(self, path, f)
            }
            fn set_training(&mut self, mode: bool) {
                #nn::Module::train(self, mode)
            }
            fn field_training(&self) -> ::core::option::Option<bool> {
                ::core::option::Option::Some(#nn::Module::training(self))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::is_plain;

    fn ty(s: &str) -> syn::Type {
        syn::parse_str(s).expect("a type")
    }

    #[test]
    fn plain_configuration_types() {
        for s in [
            "usize",
            "f32",
            "bool",
            "String",
            "mlxrs::Dtype",
            "(i32, i32)",
            "[usize; 3]",
            "Option<f32>",
            "Vec<usize>",
            "Option<(i32, i32)>",
            "std::marker::PhantomData<T>",
            "&'static str",
        ] {
            assert!(is_plain(&ty(s)), "{s} should be plain");
        }
        for s in [
            "Array",
            "mlxrs::nn::Linear",
            "Vec<Linear>",
            "Option<Param>",
            "Box<dyn UnaryLayer>",
            "(Linear, usize)",
            "BTreeMap<String, f32>",
            "String<T>",
        ] {
            assert!(!is_plain(&ty(s)), "{s} should be walked");
        }
    }
}
