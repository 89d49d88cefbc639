//! BERT encoders (Hugging Face's `BertModel`) and sentence embeddings in the manner of
//! sentence-transformers (mean pooling over the real tokens, then L2 normalisation).
//!
//! The modules are built from [`crate::nn`] layers with `#[derive(Module)]`, so the
//! parameter names are the published checkpoints' own
//! (`embeddings.word_embeddings.weight`, `encoder.layer.0.attention.self.query.weight`,
//! `encoder.layer.0.attention.output.LayerNorm.bias`, ...), and a `model.safetensors`
//! loads without renaming. [`SentenceEmbedder`] loads a sentence-transformers folder
//! (`config.json`, `model.safetensors`, optionally `1_Pooling/config.json`) and embeds
//! token ids; tokenization (WordPiece, from `tokenizer.json`) is left to the caller, e.g.
//! the `tokenizers` crate as the `embed` example does.
//!
//! ```
//! use mlxrs::models::bert::{BertConfig, BertModel, mean_pooling, normalize};
//! use mlxrs::Array;
//! let config = BertConfig {
//!     vocab_size: 100, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2,
//!     intermediate_size: 16, ..BertConfig::default()
//! };
//! let model = BertModel::new(&config, false)?;
//! let ids = Array::from_slice(&[2i32, 7, 9, 0], &[1, 4])?;
//! let mask = Array::from_slice(&[1i32, 1, 1, 0], &[1, 4])?;
//! let hidden = model.forward(&ids, Some(&mask), None)?;
//! assert_eq!(hidden.shape(), &[1, 4, 8]);
//! let e = normalize(&mean_pooling(&hidden, &mask)?)?;
//! let norm: f32 = e.to_vec::<f32>()?.iter().map(|v| v * v).sum();
//! assert!((norm - 1.0).abs() < 1e-5);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::json::Json;
use crate::fast::{self, AttentionMask, AttentionOptions};
use crate::nn::{self, Embedding, LayerNorm, Linear, Module, ParamMap, UnaryLayer};
use crate::{Array, Dtype, Error, Result, ops};

/// The architecture of a BERT encoder, with Hugging Face's `BertConfig` names and
/// defaults (those of `bert-base-uncased`). Read from a `config.json` by
/// [`BertConfig::from_json`] / [`BertConfig::from_file`].
#[derive(Debug, Clone, PartialEq)]
pub struct BertConfig {
    /// The number of token ids (30522).
    pub vocab_size: i32,
    /// The width of every hidden state (768).
    pub hidden_size: i32,
    /// The number of encoder layers (12).
    pub num_hidden_layers: i32,
    /// The number of attention heads; divides `hidden_size` (12).
    pub num_attention_heads: i32,
    /// The width of the feed-forward layer (3072).
    pub intermediate_size: i32,
    /// The feed-forward activation: `"gelu"` (exact, erf), `"gelu_new"` /
    /// `"gelu_pytorch_tanh"` (tanh approximation) or `"relu"` (`"gelu"`).
    pub hidden_act: String,
    /// The number of positions, the longest input (512).
    pub max_position_embeddings: i32,
    /// The number of token types (segments) (2).
    pub type_vocab_size: i32,
    /// The epsilon of every LayerNorm (1e-12).
    pub layer_norm_eps: f32,
    /// The id of the padding token (0).
    pub pad_token_id: i32,
}

impl Default for BertConfig {
    fn default() -> Self {
        BertConfig {
            vocab_size: 30522,
            hidden_size: 768,
            num_hidden_layers: 12,
            num_attention_heads: 12,
            intermediate_size: 3072,
            hidden_act: "gelu".to_string(),
            max_position_embeddings: 512,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            pad_token_id: 0,
        }
    }
}

/// The activations [`BertConfig::hidden_act`] may name.
const ACTIVATIONS: &[&str] = &["gelu", "gelu_new", "gelu_pytorch_tanh", "relu"];

impl BertConfig {
    /// Reads a Hugging Face `config.json`: the keys above (missing ones keep their
    /// defaults; other keys are ignored), then [`validate`](BertConfig::validate)s.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `config` for text that is not a JSON object, a
    /// key of the wrong type (`hidden_size` not a positive integer, ...), or an invalid
    /// configuration.
    ///
    /// # Examples
    /// ```
    /// use mlxrs::models::bert::BertConfig;
    /// let c = BertConfig::from_json(r#"{"hidden_size": 384, "num_attention_heads": 12}"#)?;
    /// assert_eq!((c.hidden_size, c.num_hidden_layers), (384, 12));
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    pub fn from_json(text: &str) -> Result<BertConfig> {
        let json = Json::parse(text).map_err(|e| Error::invalid("config", e))?;
        if !matches!(json, Json::Object(_)) {
            return Err(Error::invalid(
                "config",
                "a BERT config must be a JSON object",
            ));
        }
        let mut c = BertConfig::default();
        let int = |key: &str, slot: &mut i32| -> Result<()> {
            match json.get(key) {
                None => Ok(()),
                Some(Json::Number(n)) if n.fract() == 0.0 && n.abs() < 2f64.powi(31) => {
                    *slot = *n as i32;
                    Ok(())
                }
                Some(other) => Err(Error::invalid(
                    "config",
                    format!("`{key}` must be an integer, got {other:?}"),
                )),
            }
        };
        int("vocab_size", &mut c.vocab_size)?;
        int("hidden_size", &mut c.hidden_size)?;
        int("num_hidden_layers", &mut c.num_hidden_layers)?;
        int("num_attention_heads", &mut c.num_attention_heads)?;
        int("intermediate_size", &mut c.intermediate_size)?;
        int("max_position_embeddings", &mut c.max_position_embeddings)?;
        int("type_vocab_size", &mut c.type_vocab_size)?;
        int("pad_token_id", &mut c.pad_token_id)?;
        match json.get("layer_norm_eps") {
            None => {}
            Some(Json::Number(n)) => c.layer_norm_eps = *n as f32,
            Some(other) => {
                return Err(Error::invalid(
                    "config",
                    format!("`layer_norm_eps` must be a number, got {other:?}"),
                ));
            }
        }
        match json.get("hidden_act") {
            None => {}
            Some(Json::String(s)) => c.hidden_act.clone_from(s),
            Some(other) => {
                return Err(Error::invalid(
                    "config",
                    format!("`hidden_act` must be a string, got {other:?}"),
                ));
            }
        }
        if let Some(Json::String(p)) = json.get("position_embedding_type") {
            if p != "absolute" {
                return Err(Error::invalid(
                    "config",
                    format!("position_embedding_type `{p}` is not supported (only `absolute`)"),
                ));
            }
        }
        c.validate()?;
        Ok(c)
    }

    /// [`from_json`](BertConfig::from_json) of the file at `path`.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; as [`from_json`](BertConfig::from_json),
    /// the message naming the file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<BertConfig> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)?;
        BertConfig::from_json(&text).map_err(|e| match e {
            Error::InvalidArgument { name, reason } => Error::InvalidArgument {
                name,
                reason: format!("{}: {reason}", path.display()),
            },
            other => other,
        })
    }

    /// Checks that every size is positive, that the heads divide the hidden size, that
    /// the epsilon is positive and that the activation is known.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the offending field.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_hidden_layers", self.num_hidden_layers),
            ("num_attention_heads", self.num_attention_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
            ("type_vocab_size", self.type_vocab_size),
        ] {
            if v <= 0 {
                return Err(Error::invalid(
                    name,
                    format!("BertConfig: must be positive, got {v}"),
                ));
            }
        }
        if self.hidden_size % self.num_attention_heads != 0 {
            return Err(Error::invalid(
                "num_attention_heads",
                format!(
                    "BertConfig: {} heads do not divide hidden_size {}",
                    self.num_attention_heads, self.hidden_size
                ),
            ));
        }
        if self.layer_norm_eps.is_nan() || self.layer_norm_eps <= 0.0 {
            return Err(Error::invalid(
                "layer_norm_eps",
                format!("BertConfig: must be positive, got {}", self.layer_norm_eps),
            ));
        }
        if !ACTIVATIONS.contains(&self.hidden_act.as_str()) {
            return Err(Error::invalid(
                "hidden_act",
                format!(
                    "BertConfig: `{}` is not supported (expected one of {ACTIVATIONS:?})",
                    self.hidden_act
                ),
            ));
        }
        Ok(())
    }
}

/// The sum of word, position and token-type embeddings, then LayerNorm
/// (`embeddings.*`).
#[derive(Debug, Clone, Module)]
pub struct BertEmbeddings {
    /// `[vocab_size, hidden_size]`.
    pub word_embeddings: Embedding,
    /// `[max_position_embeddings, hidden_size]`.
    pub position_embeddings: Embedding,
    /// `[type_vocab_size, hidden_size]`.
    pub token_type_embeddings: Embedding,
    /// `embeddings.LayerNorm`.
    #[module(rename = "LayerNorm")]
    pub layer_norm: LayerNorm,
}

/// The query, key and value projections (`attention.self.*`).
#[derive(Debug, Clone, Module)]
pub struct BertSelfAttention {
    /// `[hidden_size, hidden_size]`.
    pub query: Linear,
    /// `[hidden_size, hidden_size]`.
    pub key: Linear,
    /// `[hidden_size, hidden_size]`.
    pub value: Linear,
    /// The number of heads.
    pub num_heads: i32,
}

/// A projection, a residual connection and LayerNorm (`attention.output.*` and
/// `output.*`).
#[derive(Debug, Clone, Module)]
pub struct BertResidual {
    /// The projection.
    pub dense: Linear,
    /// `LayerNorm`.
    #[module(rename = "LayerNorm")]
    pub layer_norm: LayerNorm,
}

impl BertResidual {
    fn forward(&self, x: &Array, residual: &Array) -> Result<Array> {
        self.layer_norm
            .forward(&ops::add(&self.dense.forward(x)?, residual)?)
    }
}

/// Self-attention and its output projection (`attention.*`).
#[derive(Debug, Clone, Module)]
pub struct BertAttention {
    /// `attention.self`.
    #[module(rename = "self")]
    pub self_attention: BertSelfAttention,
    /// `attention.output`.
    pub output: BertResidual,
}

/// The feed-forward expansion (`intermediate.dense`).
#[derive(Debug, Clone, Module)]
pub struct BertIntermediate {
    /// `[intermediate_size, hidden_size]`.
    pub dense: Linear,
}

/// One encoder layer (`encoder.layer.N.*`).
#[derive(Debug, Clone, Module)]
pub struct BertLayer {
    /// Self-attention with its residual.
    pub attention: BertAttention,
    /// The feed-forward expansion.
    pub intermediate: BertIntermediate,
    /// The feed-forward projection with its residual.
    pub output: BertResidual,
    /// The feed-forward activation ([`BertConfig::hidden_act`]).
    pub hidden_act: String,
}

/// The encoder layers (`encoder.layer`).
#[derive(Debug, Clone, Module)]
pub struct BertEncoder {
    /// `encoder.layer.0`, `encoder.layer.1`, ...
    pub layer: Vec<BertLayer>,
}

/// The pooler of Hugging Face's `BertModel` (`pooler.dense`, tanh of the first token's
/// projection). Sentence embeddings do not use it; it is kept so that checkpoints that
/// carry it load strictly.
#[derive(Debug, Clone, Module)]
pub struct BertPooler {
    /// `[hidden_size, hidden_size]`.
    pub dense: Linear,
}

/// A BERT encoder (Hugging Face's `BertModel`): embeddings, `num_hidden_layers` encoder
/// layers and an optional pooler, with the published parameter names.
#[derive(Debug, Clone, Module)]
pub struct BertModel {
    /// `embeddings.*`.
    pub embeddings: BertEmbeddings,
    /// `encoder.layer.*`.
    pub encoder: BertEncoder,
    /// `pooler.dense.*`, when the checkpoint has it.
    pub pooler: Option<BertPooler>,
    /// The architecture.
    #[module(skip)]
    pub config: BertConfig,
}

/// Buffers that Hugging Face checkpoints store beside the parameters and that the model
/// recomputes (the position ids `0..max_position_embeddings`): skipped on load.
const BUFFERS: &[&str] = &["embeddings.position_ids"];

fn linear(input: i32, output: i32) -> Result<Linear> {
    Linear::new(input, output, true)
}

fn layer_norm(config: &BertConfig) -> Result<LayerNorm> {
    LayerNorm::with_options(config.hidden_size, config.layer_norm_eps, true, true)
}

impl BertModel {
    /// A model with `config`'s architecture and freshly initialised parameters (load
    /// weights with [`load_weights`](BertModel::load_weights)), in evaluation mode;
    /// `pooler` adds the pooler layer.
    ///
    /// # Errors
    /// As [`BertConfig::validate`].
    pub fn new(config: &BertConfig, pooler: bool) -> Result<BertModel> {
        config.validate()?;
        let h = config.hidden_size;
        let residual = |input: i32| -> Result<BertResidual> {
            Ok(BertResidual {
                dense: linear(input, h)?,
                layer_norm: layer_norm(config)?,
            })
        };
        let layer = (0..config.num_hidden_layers)
            .map(|_| {
                Ok(BertLayer {
                    attention: BertAttention {
                        self_attention: BertSelfAttention {
                            query: linear(h, h)?,
                            key: linear(h, h)?,
                            value: linear(h, h)?,
                            num_heads: config.num_attention_heads,
                        },
                        output: residual(h)?,
                    },
                    intermediate: BertIntermediate {
                        dense: linear(h, config.intermediate_size)?,
                    },
                    output: residual(config.intermediate_size)?,
                    hidden_act: config.hidden_act.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut model = BertModel {
            embeddings: BertEmbeddings {
                word_embeddings: Embedding::new(config.vocab_size, h)?,
                position_embeddings: Embedding::new(config.max_position_embeddings, h)?,
                token_type_embeddings: Embedding::new(config.type_vocab_size, h)?,
                layer_norm: layer_norm(config)?,
            },
            encoder: BertEncoder { layer },
            pooler: if pooler {
                Some(BertPooler {
                    dense: linear(h, h)?,
                })
            } else {
                None
            },
            config: config.clone(),
        };
        model.eval();
        Ok(model)
    }

    /// Sets every parameter from `weights`, strictly: every parameter must be present
    /// with its shape, and every name in `weights` must be a parameter (the buffer
    /// `embeddings.position_ids` of Hugging Face checkpoints is skipped). Nothing changes
    /// on error.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `weights` and listing the missing tensors, the
    /// unexpected ones, and those whose shape differs (got vs expected).
    pub fn set_weights(&mut self, weights: &ParamMap) -> Result<()> {
        let mut known: BTreeMap<String, Vec<i32>> = BTreeMap::new();
        self.visit_parameters("", &mut |name, p| {
            known.insert(name.to_string(), p.value.shape().to_vec());
        });
        let given: BTreeSet<&str> = weights
            .keys()
            .map(String::as_str)
            .filter(|k| !BUFFERS.contains(k))
            .collect();
        let mut problems = Vec::new();
        let missing: Vec<&str> = known
            .keys()
            .map(String::as_str)
            .filter(|k| !given.contains(k))
            .collect();
        if !missing.is_empty() {
            problems.push(format!("missing tensors {missing:?}"));
        }
        let unexpected: Vec<&str> = given
            .iter()
            .copied()
            .filter(|k| !known.contains_key(*k))
            .collect();
        if !unexpected.is_empty() {
            problems.push(format!("unexpected tensors {unexpected:?}"));
        }
        for (name, want) in &known {
            if let Some(w) = weights.get(name) {
                if w.shape() != want.as_slice() {
                    problems.push(format!(
                        "tensor `{name}` has shape {:?}, expected {want:?}",
                        w.shape()
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::invalid(
                "weights",
                format!("BertModel: {}", problems.join("; ")),
            ));
        }
        let params: ParamMap = weights
            .iter()
            .filter(|(k, _)| known.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.update(&params)
    }

    /// Loads a `model.safetensors` strictly (as [`set_weights`](BertModel::set_weights)),
    /// and evaluates the weights so that a truncated or damaged file fails here rather
    /// than in a later forward pass.
    ///
    /// # Errors
    /// The error of [`crate::io::load_safetensors`] (naming the problem: a truncated file,
    /// a malformed header), prefixed with the file's path; as
    /// [`set_weights`](BertModel::set_weights).
    pub fn load_weights(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let weights = read_weights(path.as_ref())?;
        self.set_weights(&weights)?;
        let arrays: Vec<Array> = self.parameters().into_values().collect();
        crate::transforms::eval(&arrays.iter().collect::<Vec<_>>())
            .map_err(|e| with_path(path.as_ref(), e))
    }

    /// Loads a Hugging Face model folder: `config.json` and `model.safetensors` (with
    /// the pooler when the file has one).
    ///
    /// # Errors
    /// As [`BertConfig::from_file`] and [`load_weights`](BertModel::load_weights).
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<BertModel> {
        let dir = dir.as_ref();
        let config = BertConfig::from_file(dir.join("config.json"))?;
        let path = dir.join("model.safetensors");
        let weights = read_weights(&path)?;
        let pooler = weights.keys().any(|k| k.starts_with("pooler."));
        let mut model = BertModel::new(&config, pooler)?;
        model.set_weights(&weights)?;
        let arrays: Vec<Array> = model.parameters().into_values().collect();
        crate::transforms::eval(&arrays.iter().collect::<Vec<_>>())
            .map_err(|e| with_path(&path, e))?;
        Ok(model)
    }

    /// The hidden states `[B, T, hidden_size]` of token ids `input_ids` `[B, T]`
    /// (integers). `attention_mask` `[B, T]` (1 for real tokens, 0 for padding; all ones
    /// when `None`) keeps padding out of every token's attention; `token_type_ids`
    /// `[B, T]` default to zeros.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `input_ids`, `attention_mask` or
    /// `token_type_ids` for a shape that is not `[B, T]` (the same for all three), an
    /// empty or too long sequence (more than `max_position_embeddings`), or ids that
    /// are not integers.
    pub fn forward(
        &self,
        input_ids: &Array,
        attention_mask: Option<&Array>,
        token_type_ids: Option<&Array>,
    ) -> Result<Array> {
        let c = &self.config;
        if input_ids.ndim() != 2 || !input_ids.dtype().is_integer() {
            return Err(Error::invalid(
                "input_ids",
                format!(
                    "BertModel: expected integer ids of shape [batch, tokens], got {:?} {:?}",
                    input_ids.dtype(),
                    input_ids.shape()
                ),
            ));
        }
        let (b, t) = (input_ids.shape()[0], input_ids.shape()[1]);
        if t == 0 || t > c.max_position_embeddings {
            return Err(Error::invalid(
                "input_ids",
                format!(
                    "BertModel: {t} tokens; expected 1 to {} (max_position_embeddings)",
                    c.max_position_embeddings
                ),
            ));
        }
        for (name, a) in [
            ("attention_mask", attention_mask),
            ("token_type_ids", token_type_ids),
        ] {
            if let Some(a) = a {
                if a.shape() != input_ids.shape() {
                    return Err(Error::invalid(
                        name,
                        format!(
                            "BertModel: shape {:?} differs from input_ids' {:?}",
                            a.shape(),
                            input_ids.shape()
                        ),
                    ));
                }
            }
        }
        let e = &self.embeddings;
        let positions = ops::arange(0.0, f64::from(t), 1.0, Dtype::Int32)?;
        let mut x = ops::add(
            &e.word_embeddings.forward(input_ids)?,
            &e.position_embeddings.forward(&positions)?,
        )?;
        let types = match token_type_ids {
            Some(tt) => e.token_type_embeddings.forward(tt)?,
            None => e
                .token_type_embeddings
                .forward(&Array::zeros(&[1], Dtype::Int32)?)?,
        };
        x = e.layer_norm.forward(&ops::add(&x, &types)?)?;
        let mask = match attention_mask {
            Some(m) => Some(additive_mask(m, x.dtype(), b, t)?),
            None => None,
        };
        for layer in &self.encoder.layer {
            x = layer.forward(&x, mask.as_ref())?;
        }
        Ok(x)
    }
}

/// `[B, 1, 1, T]`: 0 where `mask` is 1, a large negative number where it is 0.
fn additive_mask(mask: &Array, dtype: Dtype, b: i32, t: i32) -> Result<Array> {
    let keep = mask.astype(dtype)?;
    let blocked = ops::subtract(&Array::from(1.0f32).astype(dtype)?, &keep)?;
    let big = Array::from(-1e9f32).astype(dtype)?;
    ops::reshape(&ops::multiply(&blocked, &big)?, &[b, 1, 1, t])
}

impl BertLayer {
    /// One encoder layer on hidden states `[B, T, H]`, with an additive mask
    /// `[B, 1, 1, T]`.
    fn forward(&self, x: &Array, mask: Option<&Array>) -> Result<Array> {
        let sa = &self.attention.self_attention;
        let (b, t, h) = (x.shape()[0], x.shape()[1], x.shape()[2]);
        let n = sa.num_heads;
        let d = h / n;
        let heads = |a: Array| -> Result<Array> {
            ops::transpose_axes(&ops::reshape(&a, &[b, t, n, d])?, &[0, 2, 1, 3])
        };
        let q = heads(sa.query.forward(x)?)?;
        let k = heads(sa.key.forward(x)?)?;
        let v = heads(sa.value.forward(x)?)?;
        let scale = 1.0 / (d as f32).sqrt();
        let options = match mask {
            Some(m) => AttentionOptions::new(scale).mask(AttentionMask::Array(m)),
            None => AttentionOptions::new(scale),
        };
        let ctx = fast::scaled_dot_product_attention(&q, &k, &v, &options)?;
        let ctx = ops::reshape(&ops::transpose_axes(&ctx, &[0, 2, 1, 3])?, &[b, t, h])?;
        let attended = self.attention.output.forward(&ctx, x)?;
        let inner = self.intermediate.dense.forward(&attended)?;
        let inner = match self.hidden_act.as_str() {
            "gelu_new" | "gelu_pytorch_tanh" => nn::gelu_approx(&inner)?,
            "relu" => nn::relu(&inner)?,
            _ => nn::gelu(&inner)?,
        };
        self.output.forward(&inner, &attended)
    }
}

fn with_path(path: &Path, e: Error) -> Error {
    match e {
        Error::InvalidArgument { name, reason } => Error::InvalidArgument {
            name,
            reason: format!("{}: {reason}", path.display()),
        },
        Error::Backend(msg) => Error::Backend(format!("{}: {msg}", path.display())),
        other => other,
    }
}

/// Checks that a `.safetensors` file holds all the tensor data its header promises (MLX
/// reads tensors lazily, so a truncated file would otherwise fail, or not, at the first
/// evaluation).
fn check_complete(path: &Path) -> Result<()> {
    use std::io::Read;
    let bad = |why: String| {
        Err(Error::invalid(
            "weights",
            format!("{}: {why}", path.display()),
        ))
    };
    let mut f = std::fs::File::open(path)?;
    let size = f.metadata()?.len();
    let mut len = [0u8; 8];
    if f.read_exact(&mut len).is_err() {
        return bad(format!("{size} bytes is too short for a .safetensors file"));
    }
    let header_len = u64::from_le_bytes(len);
    if header_len > size.saturating_sub(8) {
        return bad(format!(
            "the header claims {header_len} bytes but the file has {size}: truncated or not a .safetensors file"
        ));
    }
    let mut header = vec![0u8; header_len as usize];
    f.read_exact(&mut header)?;
    let text = String::from_utf8(header).map_err(|_| {
        Error::invalid(
            "weights",
            format!("{}: the header is not UTF-8", path.display()),
        )
    })?;
    let json = Json::parse(&text).map_err(|e| {
        Error::invalid(
            "weights",
            format!("{}: the header is not JSON ({e})", path.display()),
        )
    })?;
    let Json::Object(entries) = json else {
        return bad("the header is not a JSON object".into());
    };
    let mut end = 0f64;
    for (name, entry) in &entries {
        if name == "__metadata__" {
            continue;
        }
        if let Some(Json::Array(offsets)) = entry.get("data_offsets") {
            if let Some(Json::Number(e)) = offsets.get(1) {
                end = end.max(*e);
            }
        }
    }
    let data = size - 8 - header_len;
    if end > data as f64 {
        return bad(format!(
            "truncated: the tensors need {end} bytes of data, the file holds {data}"
        ));
    }
    Ok(())
}

fn read_weights(path: &Path) -> Result<ParamMap> {
    check_complete(path)?;
    let (arrays, _) = crate::io::load_safetensors(path).map_err(|e| with_path(path, e))?;
    Ok(arrays.into_iter().collect())
}

/// The mean of the hidden states `[B, T, H]` over the real tokens of each sequence
/// (`attention_mask` `[B, T]`, 1 for real tokens): `[B, H]`, as sentence-transformers'
/// mean pooling (the token count clamped below at 1e-9).
///
/// # Errors
/// [`Error::InvalidArgument`] naming `attention_mask` when its shape is not the first
/// two axes of `hidden`.
///
/// # Examples
/// ```
/// use mlxrs::{Array, models::bert::mean_pooling};
/// let h = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 100.0, 100.0], &[1, 3, 2])?;
/// let mask = Array::from_slice(&[1i32, 1, 0], &[1, 3])?;
/// assert_eq!(mean_pooling(&h, &mask)?.to_vec::<f32>()?, [2.0, 3.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn mean_pooling(hidden: &Array, attention_mask: &Array) -> Result<Array> {
    if hidden.ndim() != 3 || attention_mask.shape() != &hidden.shape()[..2] {
        return Err(Error::invalid(
            "attention_mask",
            format!(
                "mean_pooling: mask shape {:?} does not match hidden states {:?}",
                attention_mask.shape(),
                hidden.shape()
            ),
        ));
    }
    let m = ops::expand_dims(&attention_mask.astype(hidden.dtype())?, -1)?;
    let total = ops::sum_axis(&ops::multiply(hidden, &m)?, 1, false)?;
    let count = ops::maximum(
        &ops::sum_axis(&m, 1, false)?,
        &Array::from(1e-9f32).astype(hidden.dtype())?,
    )?;
    ops::divide(&total, &count)
}

/// Each row of `x` `[..., H]` divided by its Euclidean norm (clamped below at 1e-12, as
/// PyTorch's `F.normalize`).
///
/// # Errors
/// MLX's error for an `x` without axes.
///
/// # Examples
/// ```
/// use mlxrs::{Array, models::bert::normalize};
/// let x = Array::from_slice(&[3.0f32, 4.0], &[1, 2])?;
/// assert_eq!(normalize(&x)?.to_vec::<f32>()?, [0.6, 0.8]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn normalize(x: &Array) -> Result<Array> {
    let norm = ops::sqrt(&ops::sum_axis(&ops::square(x)?, -1, true)?)?;
    let norm = ops::maximum(&norm, &Array::from(1e-12f32).astype(x.dtype())?)?;
    ops::divide(x, &norm)
}

/// How token states become one sentence vector (sentence-transformers'
/// `1_Pooling/config.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// The mean over the real tokens (`pooling_mode_mean_tokens`).
    Mean,
    /// The first token's state (`pooling_mode_cls_token`).
    Cls,
}

/// A compiled embedding function: `[input_ids, attention_mask]` to `[embeddings]`.
type CompiledFn = Rc<dyn Fn(&[Array]) -> Result<Vec<Array>>>;

/// A sentence-transformers embedder: a [`BertModel`], its pooling, and L2
/// normalisation. Takes token ids (from a WordPiece tokenizer, e.g. the `tokenizers`
/// crate reading the model's `tokenizer.json`) and gives one unit vector per sentence.
#[derive(Clone)]
pub struct SentenceEmbedder {
    /// The encoder.
    pub model: BertModel,
    /// How token states are pooled.
    pub pooling: Pooling,
    /// Whether embeddings are L2-normalised.
    pub normalize: bool,
    /// The folder the model was loaded from.
    pub dir: PathBuf,
    compiled: Option<CompiledFn>,
}

impl std::fmt::Debug for SentenceEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentenceEmbedder")
            .field("model", &self.model)
            .field("pooling", &self.pooling)
            .field("normalize", &self.normalize)
            .field("dir", &self.dir)
            .field("compiled", &self.compiled.is_some())
            .finish()
    }
}

impl SentenceEmbedder {
    /// Loads a sentence-transformers folder: `config.json`, `model.safetensors` and,
    /// when present, `1_Pooling/config.json` (mean pooling otherwise); embeddings are
    /// normalised (all-MiniLM-L6-v2's `Normalize` module).
    ///
    /// # Errors
    /// As [`BertModel::from_pretrained`]; [`Error::InvalidArgument`] naming `pooling` for
    /// a pooling config that asks for a mode other than mean or CLS, or none.
    pub fn load(dir: impl AsRef<Path>) -> Result<SentenceEmbedder> {
        let dir = dir.as_ref();
        let model = BertModel::from_pretrained(dir)?;
        let pooling_path = dir.join("1_Pooling").join("config.json");
        let pooling = if pooling_path.is_file() {
            read_pooling(&pooling_path)?
        } else {
            Pooling::Mean
        };
        Ok(SentenceEmbedder {
            model,
            pooling,
            normalize: true,
            dir: dir.to_path_buf(),
            compiled: None,
        })
    }

    /// Makes [`embed_batch`](SentenceEmbedder::embed_batch) run through
    /// [`compile`](crate::transforms::compile) (`true`) or not (`false`, the default).
    /// The compiled function holds the current weights as constants and is traced
    /// again for every new batch shape; [`quantize`](SentenceEmbedder::quantize) turns it
    /// off.
    ///
    /// # Errors
    /// As [`crate::transforms::compile`].
    pub fn set_compiled(&mut self, on: bool) -> Result<()> {
        if !on {
            self.compiled = None;
            return Ok(());
        }
        let this = SentenceEmbedder {
            compiled: None,
            ..self.clone()
        };
        let f = crate::transforms::compile(
            move |xs: &[Array]| Ok(vec![this.embed_uncompiled(&xs[0], &xs[1])?]),
            false,
        )?;
        self.compiled = Some(Rc::new(f));
        Ok(())
    }

    /// Quantizes every linear and embedding layer of the encoder in place (Python:
    /// `nn.quantize(model, group_size, bits)`; affine, `group_size` 64 and `bits` 4 by
    /// default).
    ///
    /// # Errors
    /// As [`nn::quantize`].
    pub fn quantize(&mut self, group_size: Option<i32>, bits: Option<i32>) -> Result<()> {
        self.compiled = None;
        nn::quantize(&mut self.model, group_size, bits, None)
    }

    /// The embeddings `[B, H]` of a padded batch: `input_ids` and `attention_mask`
    /// `[B, T]`.
    ///
    /// # Errors
    /// As [`BertModel::forward`].
    pub fn embed_batch(&self, input_ids: &Array, attention_mask: &Array) -> Result<Array> {
        if let Some(f) = &self.compiled {
            // Shapes are checked before tracing, so errors name the input.
            self.check_batch(input_ids, attention_mask)?;
            let mut out = f(&[input_ids.clone(), attention_mask.clone()])?;
            return out
                .pop()
                .ok_or_else(|| Error::Backend("the compiled embedder returned nothing".into()));
        }
        self.embed_uncompiled(input_ids, attention_mask)
    }

    fn check_batch(&self, input_ids: &Array, attention_mask: &Array) -> Result<()> {
        if input_ids.ndim() != 2 || attention_mask.shape() != input_ids.shape() {
            return Err(Error::invalid(
                "attention_mask",
                format!(
                    "SentenceEmbedder: input_ids {:?} and attention_mask {:?} must both be [batch, tokens]",
                    input_ids.shape(),
                    attention_mask.shape()
                ),
            ));
        }
        Ok(())
    }

    fn embed_uncompiled(&self, input_ids: &Array, attention_mask: &Array) -> Result<Array> {
        let hidden = self.model.forward(input_ids, Some(attention_mask), None)?;
        let pooled = match self.pooling {
            Pooling::Mean => mean_pooling(&hidden, attention_mask)?,
            Pooling::Cls => ops::take_axis(&hidden, &Array::from(0i32), 1)?,
        };
        if self.normalize {
            normalize(&pooled)
        } else {
            Ok(pooled)
        }
    }

    /// The embeddings `[len, H]` of token-id sequences of any lengths: padded with
    /// `pad_token_id` to the longest, masked, and evaluated.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `sequences` for no sequence or an empty one; as
    /// [`embed_batch`](SentenceEmbedder::embed_batch).
    pub fn embed_ids(&self, sequences: &[Vec<u32>]) -> Result<Array> {
        let (ids, mask) = pad_batch(sequences, self.model.config.pad_token_id)?;
        let out = self.embed_batch(&ids, &mask)?;
        out.eval()?;
        Ok(out)
    }
}

/// Pads token-id sequences with `pad_id` into `input_ids` and `attention_mask`, both
/// `[len, longest]` `int32`.
///
/// # Errors
/// [`Error::InvalidArgument`] naming `sequences` for none, an empty one, or an id above
/// `i32::MAX`.
///
/// # Examples
/// ```
/// use mlxrs::models::bert::pad_batch;
/// let (ids, mask) = pad_batch(&[vec![101, 7, 102], vec![101, 102]], 0)?;
/// assert_eq!(ids.to_vec::<i32>()?, [101, 7, 102, 101, 102, 0]);
/// assert_eq!(mask.to_vec::<i32>()?, [1, 1, 1, 1, 1, 0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn pad_batch(sequences: &[Vec<u32>], pad_id: i32) -> Result<(Array, Array)> {
    if sequences.is_empty() || sequences.iter().any(Vec::is_empty) {
        return Err(Error::invalid(
            "sequences",
            "pad_batch: expected at least one sequence, none of them empty",
        ));
    }
    let longest = sequences.iter().map(Vec::len).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(sequences.len() * longest);
    let mut mask = Vec::with_capacity(sequences.len() * longest);
    for s in sequences {
        for &id in s {
            ids.push(i32::try_from(id).map_err(|_| {
                Error::invalid("sequences", format!("pad_batch: token id {id} exceeds i32"))
            })?);
            mask.push(1);
        }
        for _ in s.len()..longest {
            ids.push(pad_id);
            mask.push(0);
        }
    }
    let shape = [sequences.len() as i32, longest as i32];
    Ok((
        Array::from_slice(&ids, &shape)?,
        Array::from_slice(&mask, &shape)?,
    ))
}

fn read_pooling(path: &Path) -> Result<Pooling> {
    let text = std::fs::read_to_string(path)?;
    let json = Json::parse(&text)
        .map_err(|e| Error::invalid("pooling", format!("{}: {e}", path.display())))?;
    let on = |key: &str| json.get(key) == Some(&Json::Bool(true));
    let modes: HashMap<&str, bool> = [
        ("pooling_mode_mean_tokens", on("pooling_mode_mean_tokens")),
        ("pooling_mode_cls_token", on("pooling_mode_cls_token")),
        ("pooling_mode_max_tokens", on("pooling_mode_max_tokens")),
        (
            "pooling_mode_mean_sqrt_len_tokens",
            on("pooling_mode_mean_sqrt_len_tokens"),
        ),
    ]
    .into_iter()
    .collect();
    let chosen: Vec<&str> = modes.iter().filter(|(_, v)| **v).map(|(k, _)| *k).collect();
    match chosen.as_slice() {
        ["pooling_mode_mean_tokens"] => Ok(Pooling::Mean),
        ["pooling_mode_cls_token"] => Ok(Pooling::Cls),
        _ => Err(Error::invalid(
            "pooling",
            format!(
                "{}: expected exactly one of pooling_mode_mean_tokens or pooling_mode_cls_token, got {chosen:?}",
                path.display()
            ),
        )),
    }
}
