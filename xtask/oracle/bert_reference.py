"""An independent float64 forward pass of a BERT sentence embedder (numpy only).

Reads config.json and model.safetensors (the header is parsed here, no safetensors
package), runs embeddings, the encoder layers (exact erf GELU), mean pooling over the
real tokens and L2 normalisation, all in float64.

usage: python3 bert_reference.py MODEL_DIR < ids.json > embeddings.json
ids.json is a JSON list of token-id lists (one per sentence, unpadded); the output is a
JSON list of embeddings, one list of floats per sentence, in the same order. Each
sentence runs alone (no padding), so nothing here depends on masking.
"""

import json
import math
import os
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64}


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
        out = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            start, end = info["data_offsets"]
            f.seek(base + start)
            raw = f.read(end - start)
            a = np.frombuffer(raw, dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
            out[name] = a.astype(np.float64) if a.dtype.kind == "f" else a
        return out


_erf = np.vectorize(math.erf)


def gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def embed(ids, W, cfg):
    eps = cfg.get("layer_norm_eps", 1e-12)
    heads = cfg["num_attention_heads"]
    t = len(ids)
    x = (
        W["embeddings.word_embeddings.weight"][ids]
        + W["embeddings.position_embeddings.weight"][:t]
        + W["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
    h = x.shape[-1]
    d = h // heads
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def lin(name, v):
            return v @ W[p + name + ".weight"].T + W[p + name + ".bias"]

        q = lin("attention.self.query", x).reshape(t, heads, d).transpose(1, 0, 2)
        k = lin("attention.self.key", x).reshape(t, heads, d).transpose(1, 0, 2)
        v = lin("attention.self.value", x).reshape(t, heads, d).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.exp(s - s.max(-1, keepdims=True))
        s = s / s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(t, h)
        a = layer_norm(
            lin("attention.output.dense", ctx) + x,
            W[p + "attention.output.LayerNorm.weight"],
            W[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        m = gelu(lin("intermediate.dense", a))
        x = layer_norm(
            lin("output.dense", m) + a,
            W[p + "output.LayerNorm.weight"],
            W[p + "output.LayerNorm.bias"],
            eps,
        )
    e = x.mean(0)
    return e / max(np.linalg.norm(e), 1e-12)


def main():
    model_dir = sys.argv[1]
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    W = load_safetensors(os.path.join(model_dir, "model.safetensors"))
    batch = json.load(sys.stdin)
    json.dump([embed(np.array(ids), W, cfg).tolist() for ids in batch], sys.stdout)


if __name__ == "__main__":
    main()
