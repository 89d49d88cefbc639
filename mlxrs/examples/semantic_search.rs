//! Semantic search with all-MiniLM-L6-v2: embeds a corpus (one sentence per line) in
//! batches, with a progress bar, then ranks it against a query by cosine similarity.
//!
//! ```text
//! cargo xtask example semantic_search -- --query "TEXT" [--top K] [--corpus FILE]
//!     [--batch-size N] [--quantize 8|4]
//! ```
//!
//! The corpus defaults to `examples/data/corpus.txt` (253 short sentences on food,
//! weather, sport, technology, health, travel, animals, ...). `cargo xtask example
//! semantic_search` fetches the model first; plain `cargo run` needs
//! `cargo xtask setup --models` to have been run. Embeddings are unit vectors, so the
//! ranking is one matrix product of the corpus with the query.

#[path = "support/minilm.rs"]
mod minilm;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use mlxrs::models::bert::SentenceEmbedder;
use mlxrs::{Array, ops};

struct Args {
    query: String,
    top: usize,
    corpus: PathBuf,
    batch_size: usize,
    quantize: Option<i32>,
}

fn parse_args() -> Result<Args, String> {
    let mut query = None;
    let mut args = Args {
        query: String::new(),
        top: 5,
        corpus: Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/corpus.txt"),
        batch_size: 32,
        quantize: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--query" => query = Some(value("--query")?),
            "--top" => {
                args.top = value("--top")?.parse().map_err(|e| format!("--top: {e}"))?;
            }
            "--corpus" => args.corpus = PathBuf::from(value("--corpus")?),
            "--batch-size" => {
                args.batch_size = value("--batch-size")?
                    .parse()
                    .map_err(|e| format!("--batch-size: {e}"))?;
            }
            "--quantize" => {
                args.quantize = match value("--quantize")?.as_str() {
                    "8" => Some(8),
                    "4" => Some(4),
                    other => return Err(format!("--quantize: expected 8 or 4, got `{other}`")),
                };
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}`\nusage: semantic_search --query TEXT [--top K] \
                     [--corpus FILE] [--batch-size N] [--quantize 8|4]"
                ));
            }
        }
    }
    args.query = query.ok_or("--query TEXT is required")?;
    if args.top == 0 || args.batch_size == 0 {
        return Err("--top and --batch-size must be positive".into());
    }
    Ok(args)
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let dir = minilm::require_model_dir()?;
    let text = std::fs::read_to_string(&args.corpus)
        .map_err(|e| format!("cannot read {}: {e}", args.corpus.display()))?;
    let corpus: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if corpus.is_empty() {
        return Err(format!("{} holds no sentences", args.corpus.display()));
    }
    let tokenizer = minilm::tokenizer(&dir)?;
    let mut embedder = SentenceEmbedder::load(&dir).map_err(|e| e.to_string())?;
    if let Some(bits) = args.quantize {
        embedder
            .quantize(Some(64), Some(bits))
            .map_err(|e| e.to_string())?;
    }

    let start = Instant::now();
    let bar = ProgressBar::new(corpus.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("embedding {bar:40} {pos}/{len} sentences ({per_sec})")
            .map_err(|e| e.to_string())?,
    );
    let mut parts = Vec::new();
    for chunk in corpus.chunks(args.batch_size) {
        let ids = minilm::encode(&tokenizer, chunk)?;
        parts.push(embedder.embed_ids(&ids).map_err(|e| e.to_string())?);
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    let matrix = ops::concatenate(&parts, 0).map_err(|e| e.to_string())?;
    eprintln!(
        "embedded {} sentences in {:.2} s",
        corpus.len(),
        start.elapsed().as_secs_f64()
    );

    let query_ids = minilm::encode(&tokenizer, &[args.query.as_str()])?;
    let q = embedder.embed_ids(&query_ids).map_err(|e| e.to_string())?;
    let scores: Array = ops::matmul(&matrix, &ops::transpose(&q).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let scores = scores.to_vec::<f32>().map_err(|e| e.to_string())?;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    println!("query: {}", args.query);
    for (rank, &i) in order.iter().take(args.top).enumerate() {
        println!("{:>2}. {:.4}  {}", rank + 1, scores[i], corpus[i]);
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("semantic_search: {e}");
            ExitCode::FAILURE
        }
    }
}
