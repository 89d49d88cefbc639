//! What the `embed` and `semantic_search` examples (and the tests in `tests/it/bert.rs`)
//! share: where the all-MiniLM-L6-v2 model lives, its tokenizer, and cosine similarity.
//!
//! The model is fetched into `third_party/minilm/` by `cargo xtask setup --models` (and
//! by `cargo xtask example embed|semantic_search`); `MLXRS_MINILM` points elsewhere.

#![allow(dead_code)] // each user takes what it needs

use std::path::{Path, PathBuf};

use tokenizers::{Tokenizer, TruncationParams};

/// The folder `cargo xtask setup --models` fills: `MLXRS_MINILM`, else
/// third_party/minilm/ (`MLXRS_THIRD_PARTY` moves third_party/).
pub fn model_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("MLXRS_MINILM").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().unwrap_or(manifest);
    std::env::var_os("MLXRS_THIRD_PARTY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("third_party"))
        .join("minilm")
}

/// The model folder, or a message saying how to fetch it.
pub fn require_model_dir() -> Result<PathBuf, String> {
    let dir = model_dir();
    if dir.join("model.safetensors").is_file() && dir.join("tokenizer.json").is_file() {
        Ok(dir)
    } else {
        Err(format!(
            "the all-MiniLM-L6-v2 model is not at {} (83 MB): run `cargo xtask setup --models` \
             (or `cargo xtask example embed`, which fetches it), or set MLXRS_MINILM to its folder",
            dir.display()
        ))
    }
}

/// The model's WordPiece tokenizer from `tokenizer.json`, with padding off (the file
/// pads to 128; batches are padded and masked by `mlxrs::models::bert::pad_batch`) and
/// truncation to 512 tokens, the model's longest input.
pub fn tokenizer(dir: &Path) -> Result<Tokenizer, String> {
    let path = dir.join("tokenizer.json");
    let mut t =
        Tokenizer::from_file(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    t.with_padding(None);
    t.with_truncation(Some(TruncationParams {
        max_length: 512,
        ..TruncationParams::default()
    }))
    .map_err(|e| format!("tokenizer truncation: {e}"))?;
    Ok(t)
}

/// The token ids of each sentence, `[CLS] ... [SEP]`.
pub fn encode(t: &Tokenizer, sentences: &[&str]) -> Result<Vec<Vec<u32>>, String> {
    sentences
        .iter()
        .map(|s| {
            t.encode(*s, true)
                .map(|e| e.get_ids().to_vec())
                .map_err(|e| format!("cannot tokenize {s:?}: {e}"))
        })
        .collect()
}

/// The cosine similarity of two vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb).max(1e-12)
}
