//! `mlxrs::models::bert` on the real all-MiniLM-L6-v2 weights: embeddings against an
//! independent float64 numpy forward pass (`xtask/oracle/bert_reference.py`), padded
//! batches against single sentences, published similarities, quantized weights, and
//! clear errors for damaged files, missing tensors and wrong shapes.
//!
//! The model (83 MB) is fetched by `cargo xtask setup --models`; `cargo xtask test
//! --models` (or with `MLXRS_REQUIRE_MODELS=1`) fetches it and makes these tests
//! required. Without it they print that they skipped.

#[path = "../../examples/support/minilm.rs"]
mod minilm;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use mlxrs::models::bert::{BertConfig, BertModel, SentenceEmbedder, pad_batch};
use mlxrs::nn::{Module, ParamMap};
use mlxrs::{Array, Dtype, Result};

use crate::support::TempDir;

/// The model folder, when present; required (a failure) under `MLXRS_REQUIRE_MODELS`.
fn model() -> Option<PathBuf> {
    match minilm::require_model_dir() {
        Ok(dir) => Some(dir),
        Err(msg) => {
            let required =
                std::env::var("MLXRS_REQUIRE_MODELS").is_ok_and(|v| !v.is_empty() && v != "0");
            assert!(!required, "MLXRS_REQUIRE_MODELS is set but {msg}");
            eprintln!("skipped: {msg}");
            None
        }
    }
}

const SENTENCES: &[&str] = &[
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a white horse on an enclosed ground.",
    "Rust bindings for MLX run BERT on the CPU, unaltered by padding!",
    "x",
];

fn embed(e: &SentenceEmbedder, ids: &[Vec<u32>]) -> Result<Vec<Vec<f32>>> {
    let out = e.embed_ids(ids)?;
    let dims = out.shape()[1] as usize;
    Ok(out
        .to_vec::<f32>()?
        .chunks(dims)
        .map(<[f32]>::to_vec)
        .collect())
}

fn ids_of(dir: &Path, sentences: &[&str]) -> Vec<Vec<u32>> {
    let t = minilm::tokenizer(dir).expect("the tokenizer loads");
    minilm::encode(&t, sentences).expect("the sentences tokenize")
}

/// The numpy float64 reference embeddings of `ids` (each sentence alone).
fn reference(dir: &Path, ids: &[Vec<u32>]) -> Vec<Vec<f64>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../xtask/oracle/bert_reference.py");
    let mut child = Command::new(std::env::var("PYTHON").unwrap_or_else(|_| "python3".into()))
        .arg(&script)
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 runs");
    let input: Vec<String> = ids
        .iter()
        .map(|s| {
            format!(
                "[{}]",
                s.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("[{}]", input.join(",")).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "bert_reference.py failed");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn minilm_matches_a_float64_numpy_forward_pass() -> Result<()> {
    let Some(dir) = model() else { return Ok(()) };
    let ids = ids_of(&dir, SENTENCES);
    // [CLS] a man is eating food . [SEP], as BERT's uncased vocabulary numbers them.
    assert_eq!(ids[0], [101, 1037, 2158, 2003, 5983, 2833, 1012, 102]);
    let e = SentenceEmbedder::load(&dir)?;
    let ours = embed(&e, &ids)?;
    let theirs = reference(&dir, &ids);
    let mut worst = 0.0f64;
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(a.len(), 384);
        for (x, y) in a.iter().zip(b) {
            worst = worst.max((f64::from(*x) - y).abs());
        }
    }
    eprintln!(
        "max |mlxrs - numpy float64| over {} embeddings: {worst:.3e}",
        ours.len()
    );
    assert!(worst < 1e-4, "max abs difference {worst}");
    Ok(())
}

#[test]
fn a_padded_batch_equals_single_sentences() -> Result<()> {
    let Some(dir) = model() else { return Ok(()) };
    let ids = ids_of(&dir, SENTENCES);
    let e = SentenceEmbedder::load(&dir)?;
    let batch = embed(&e, &ids)?;
    for (i, s) in ids.iter().enumerate() {
        let single = embed(&e, std::slice::from_ref(s))?;
        let diff = batch[i]
            .iter()
            .zip(&single[0])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            diff < 1e-5,
            "sentence {i}: batched and single differ by {diff}"
        );
    }
    Ok(())
}

#[test]
fn similarities_match_the_published_ones() -> Result<()> {
    let Some(dir) = model() else { return Ok(()) };
    let e = SentenceEmbedder::load(&dir)?;
    let pair = embed(&e, &ids_of(&dir, &SENTENCES[..2]))?;
    let c = minilm::cosine(&pair[0], &pair[1]);
    assert!((c - 0.755).abs() < 0.005, "cosine {c}");
    // sentence-transformers' README: the similarity matrix of these three.
    let three = embed(
        &e,
        &ids_of(
            &dir,
            &[
                "The weather is lovely today.",
                "It's so sunny outside!",
                "He drove to the stadium.",
            ],
        ),
    )?;
    let got = [
        minilm::cosine(&three[0], &three[1]),
        minilm::cosine(&three[0], &three[2]),
        minilm::cosine(&three[1], &three[2]),
    ];
    for (g, want) in got.iter().zip([0.6660f32, 0.1046, 0.1411]) {
        assert!((g - want).abs() < 1e-3, "{got:?}");
    }
    Ok(())
}

#[test]
fn quantized_weights_keep_the_embeddings() -> Result<()> {
    let Some(dir) = model() else { return Ok(()) };
    let ids = ids_of(&dir, SENTENCES);
    let mut e = SentenceEmbedder::load(&dir)?;
    let full = embed(&e, &ids)?;
    let mut q8 = e.clone();
    q8.quantize(Some(64), Some(8))?;
    assert!(
        q8.model
            .parameters()
            .contains_key("encoder.layer.0.attention.self.query.scales")
    );
    let min8 = embed(&q8, &ids)?
        .iter()
        .zip(&full)
        .map(|(a, b)| minilm::cosine(a, b))
        .fold(1.0f32, f32::min);
    e.quantize(Some(64), Some(4))?;
    let min4 = embed(&e, &ids)?
        .iter()
        .zip(&full)
        .map(|(a, b)| minilm::cosine(a, b))
        .fold(1.0f32, f32::min);
    eprintln!("lowest cosine with full precision: 8-bit {min8:.5}, 4-bit {min4:.5}");
    assert!(min8 >= 0.99, "8-bit {min8}");
    assert!(min4 >= 0.9, "4-bit {min4}");
    Ok(())
}

fn copy_model(dir: &Path, tmp: &TempDir) -> PathBuf {
    for f in ["config.json", "model.safetensors"] {
        std::fs::copy(dir.join(f), tmp.join(f)).unwrap();
    }
    tmp.path().to_path_buf()
}

#[test]
fn a_truncated_or_corrupted_file_is_a_clear_error() -> Result<()> {
    let Some(dir) = model() else { return Ok(()) };
    let tmp = TempDir::new("bert-damaged");
    let copy = copy_model(&dir, &tmp);
    let file = copy.join("model.safetensors");
    let bytes = std::fs::read(&file).unwrap();
    // Cut in the middle of the tensor data.
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let err = BertModel::from_pretrained(&copy).unwrap_err().to_string();
    assert!(err.contains("model.safetensors"), "{err}");
    // A header that is no longer JSON.
    let mut bad = bytes.clone();
    for b in &mut bad[8..40] {
        *b = b'#';
    }
    std::fs::write(&file, &bad).unwrap();
    let err = BertModel::from_pretrained(&copy).unwrap_err().to_string();
    assert!(err.contains("model.safetensors"), "{err}");
    // A header length beyond the file.
    let mut bad = bytes;
    bad[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    std::fs::write(&file, &bad).unwrap();
    assert!(BertModel::from_pretrained(&copy).is_err());
    Ok(())
}

#[test]
fn a_missing_or_misshapen_tensor_is_named() -> Result<()> {
    let Some(dir) = model() else { return Ok(()) };
    let config = BertConfig::from_file(dir.join("config.json"))?;
    assert_eq!(
        (
            config.hidden_size,
            config.num_hidden_layers,
            config.num_attention_heads
        ),
        (384, 6, 12)
    );
    let (arrays, _) = mlxrs::io::load_safetensors(dir.join("model.safetensors"))?;
    let weights: ParamMap = arrays.into_iter().collect();
    let mut model = BertModel::new(&config, true)?;
    model.set_weights(&weights)?;

    let mut missing = weights.clone();
    missing.remove("encoder.layer.3.output.dense.weight");
    let err = model.set_weights(&missing).unwrap_err().to_string();
    assert!(
        err.contains("missing tensors [\"encoder.layer.3.output.dense.weight\"]"),
        "{err}"
    );

    let mut wrong = weights.clone();
    wrong.insert(
        "encoder.layer.2.attention.self.key.weight".into(),
        Array::zeros(&[384, 383], Dtype::Float32)?,
    );
    let err = model.set_weights(&wrong).unwrap_err().to_string();
    assert!(
        err.contains(
            "`encoder.layer.2.attention.self.key.weight` has shape [384, 383], expected [384, 384]"
        ),
        "{err}"
    );

    let mut extra = weights.clone();
    extra.insert(
        "encoder.layer.6.output.dense.bias".into(),
        Array::zeros(&[384], Dtype::Float32)?,
    );
    let err = model.set_weights(&extra).unwrap_err().to_string();
    assert!(
        err.contains("unexpected tensors [\"encoder.layer.6.output.dense.bias\"]"),
        "{err}"
    );

    // Without a pooler the checkpoint's pooler is unexpected.
    let mut no_pooler = BertModel::new(&config, false)?;
    let err = no_pooler.set_weights(&weights).unwrap_err().to_string();
    assert!(err.contains("pooler.dense.weight"), "{err}");
    Ok(())
}

#[test]
fn forward_rejects_bad_inputs_by_name() -> Result<()> {
    let config = BertConfig {
        vocab_size: 50,
        hidden_size: 8,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        intermediate_size: 16,
        max_position_embeddings: 4,
        ..BertConfig::default()
    };
    let model = BertModel::new(&config, false)?;
    let ids = Array::from_slice(&[1i32, 2, 3], &[1, 3])?;
    let err = model
        .forward(&Array::from_slice(&[1.0f32, 2.0], &[1, 2])?, None, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("input_ids"), "{err}");
    let long = Array::from_slice(&[1i32; 5], &[1, 5])?;
    let err = model.forward(&long, None, None).unwrap_err().to_string();
    assert!(err.contains("max_position_embeddings"), "{err}");
    let mask = Array::from_slice(&[1i32, 1], &[1, 2])?;
    let err = model
        .forward(&ids, Some(&mask), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("attention_mask"), "{err}");
    assert!(pad_batch(&[], 0).is_err());
    assert!(pad_batch(&[vec![]], 0).is_err());
    let bad = BertConfig {
        num_attention_heads: 3,
        ..config.clone()
    };
    assert!(
        BertModel::new(&bad, false)
            .unwrap_err()
            .to_string()
            .contains("num_attention_heads")
    );
    let bad = BertConfig {
        hidden_act: "swish".into(),
        ..config
    };
    assert!(
        BertModel::new(&bad, false)
            .unwrap_err()
            .to_string()
            .contains("hidden_act")
    );
    Ok(())
}
