//! Sentence embeddings with all-MiniLM-L6-v2: embeds the sentences given and prints
//! their cosine-similarity matrix.
//!
//! ```text
//! cargo xtask example embed -- [--json] [--quantize 8|4] SENTENCE...
//! ```
//!
//! `cargo xtask example embed` fetches the model (83 MB, pinned in
//! third_party/pins.toml) into third_party/minilm/ first; through plain `cargo run` it
//! must be there already (`cargo xtask setup --models`). The sentences are tokenized
//! with the model's `tokenizer.json` (the `tokenizers` crate), embedded in one padded,
//! masked batch by `mlxrs::models::bert::SentenceEmbedder` (BERT, mean pooling over the
//! real tokens, L2 normalisation), and compared. With `--json` the last line is one JSON
//! object `{"embeddings": [[...384 floats...], ...]}`, in the order given. With
//! `--quantize 8|4` the model runs with 8- or 4-bit weights (group size 64), and the
//! cosine of each quantized embedding with the full-precision one is printed.

#[path = "support/minilm.rs"]
mod minilm;

use std::process::ExitCode;

use mlxrs::models::bert::SentenceEmbedder;

const DEFAULT: &[&str] = &[
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
];

struct Args {
    json: bool,
    quantize: Option<i32>,
    sentences: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        json: false,
        quantize: None,
        sentences: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => args.json = true,
            "--quantize" => {
                let bits = it.next().ok_or("--quantize needs 8 or 4")?;
                match bits.as_str() {
                    "8" => args.quantize = Some(8),
                    "4" => args.quantize = Some(4),
                    _ => return Err(format!("--quantize: expected 8 or 4, got `{bits}`")),
                }
            }
            "-h" | "--help" => {
                return Err("usage: embed [--json] [--quantize 8|4] SENTENCE...".into());
            }
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`")),
            _ => args.sentences.push(a),
        }
    }
    if args.sentences.is_empty() {
        args.sentences = DEFAULT.iter().map(ToString::to_string).collect();
    }
    Ok(args)
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let dir = minilm::require_model_dir()?;
    let tokenizer = minilm::tokenizer(&dir)?;
    let sentences: Vec<&str> = args.sentences.iter().map(String::as_str).collect();
    let ids = minilm::encode(&tokenizer, &sentences)?;
    let mut embedder = SentenceEmbedder::load(&dir).map_err(|e| e.to_string())?;
    let full = embedder.embed_ids(&ids).map_err(|e| e.to_string())?;
    let mut out = full.clone();
    if let Some(bits) = args.quantize {
        embedder
            .quantize(Some(64), Some(bits))
            .map_err(|e| e.to_string())?;
        out = embedder.embed_ids(&ids).map_err(|e| e.to_string())?;
    }
    let dims = out.shape()[1] as usize;
    let values = out.to_vec::<f32>().map_err(|e| e.to_string())?;
    let rows: Vec<&[f32]> = values.chunks(dims).collect();

    println!(
        "all-MiniLM-L6-v2{}: {} sentences, {dims} dimensions",
        args.quantize.map_or_else(String::new, |b| format!(
            " ({b}-bit weights, group size 64)"
        )),
        rows.len()
    );
    for (i, s) in sentences.iter().enumerate() {
        println!("  [{i}] {s}");
    }
    println!("cosine similarity:");
    print!("    ");
    for j in 0..rows.len() {
        print!(" {:>7}", format!("[{j}]"));
    }
    println!();
    for (i, a) in rows.iter().enumerate() {
        print!("  [{i}]");
        for b in &rows {
            print!(" {:>7.4}", minilm::cosine(a, b));
        }
        println!();
    }
    if args.quantize.is_some() {
        let reference = full.to_vec::<f32>().map_err(|e| e.to_string())?;
        println!("cosine with the full-precision embedding:");
        for (i, (q, f)) in rows.iter().zip(reference.chunks(dims)).enumerate() {
            println!("  [{i}] {:.6}", minilm::cosine(q, f));
        }
    }
    if args.json {
        let list: Vec<String> = rows
            .iter()
            .map(|r| {
                let nums: Vec<String> = r.iter().map(|v| format!("{v}")).collect();
                format!("[{}]", nums.join(","))
            })
            .collect();
        println!("{{\"embeddings\": [{}]}}", list.join(","));
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("embed: {e}");
            ExitCode::FAILURE
        }
    }
}
