"""The Python MLX side of `cargo xtask bench`.

Implements the workloads of mlxrs/benches/common/mod.rs under the same ids and speaks the
same line protocol (see mlxrs/benches/runner.rs): `list`, `device`, `run <id> <target_ms>
<samples>` -> `ok <median ns per iteration>` | `skip <why>` | `err <msg>`, `drop <id>`, `quit`.
Ids prefixed `gpu_` are the GPU set (`cargo xtask bench --device gpu`). `MLXRS_BENCH_DEVICE=gpu`
(or `cpu`) sets the default device at start, on the thread that runs the workloads.
"""

import os
import re
import sys
import time
from functools import partial

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim


def data(shape, phase):
    n = 1
    for d in shape:
        n *= d
    i = mx.arange(0, n, 1, dtype=mx.float32)
    v = mx.sin(i * mx.array(0.37, dtype=mx.float32) + mx.array(phase, dtype=mx.float32)).reshape(shape)
    mx.eval(v)
    return v


def num_after(wid, key):
    m = re.search(re.escape(key) + r"(\d+)", wid)
    return int(m.group(1)) if m else 0


def dispatch_chain(wid):
    length = num_after(wid, "chain")
    n = num_after(wid, "_n")
    x = mx.ones((n,), dtype=mx.float32)
    mx.eval(x)
    one = mx.array(1.0, dtype=mx.float32)
    evaluate = wid.startswith("dispatch")

    def step():
        y = x
        for _ in range(length):
            y = y + one
        if evaluate:
            mx.eval(y)

    return step


def sum_of_squares(x):
    return mx.sum(x * x)


def tiny():
    x = mx.array([1.5], dtype=mx.float32)
    mx.eval(x)
    return x


def value_and_grad_tiny(_):
    vag = mx.value_and_grad(sum_of_squares)
    x = tiny()

    def step():
        v, g = vag(x)
        mx.eval(v, g)

    return step


def grad_tiny(_):
    g = mx.grad(sum_of_squares)
    x = tiny()
    return lambda: mx.eval(g(x))


def grad_grad_tiny(_):
    g = mx.grad(sum_of_squares)
    gg = mx.grad(lambda x: mx.sum(g(x)))
    x = tiny()
    return lambda: mx.eval(gg(x))


def compiled_value_and_grad_tiny(_):
    vag = mx.value_and_grad(sum_of_squares)
    f = mx.compile(lambda x: vag(x))
    x = tiny()

    def step():
        v, g = f(x)
        mx.eval(v, g)

    return step


def mlp_loss(w1, b1, w2, b2, w3, b3, x, y):
    zero = mx.array(0.0, dtype=mx.float32)
    h1 = mx.maximum(x @ w1 + b1, zero)
    h2 = mx.maximum(h1 @ w2 + b2, zero)
    logits = h2 @ w3 + b3
    picked = mx.sum(logits * y, axis=-1)
    return mx.mean(mx.logsumexp(logits, axis=-1) - picked)


def mlp_params(batch):
    p = [
        data((784, 256), 0.1) * mx.array(0.05, dtype=mx.float32),
        mx.zeros((256,), dtype=mx.float32),
        data((256, 256), 0.2) * mx.array(0.06, dtype=mx.float32),
        mx.zeros((256,), dtype=mx.float32),
        data((256, 10), 0.3) * mx.array(0.06, dtype=mx.float32),
        mx.zeros((10,), dtype=mx.float32),
        data((batch, 784), 0.4),
    ]
    eye = mx.eye(10, dtype=mx.float32)
    p.append(mx.concatenate([eye[i % 10 : i % 10 + 1] for i in range(batch)], axis=0))
    mx.eval(p)
    return p


def mlp_step(wid):
    batch = num_after(wid, "_b")
    p = mlp_params(batch)
    vag = mx.value_and_grad(mlp_loss, argnums=(0, 1, 2, 3, 4, 5))
    lr = mx.array(0.1, dtype=mx.float32)

    def sgd(*args):
        loss, grads = vag(*args)
        return [w - g * lr for w, g in zip(args[:6], grads)] + [loss]

    fn = mx.compile(sgd) if wid.endswith("_compiled") else sgd

    def step():
        out = fn(*p)
        mx.eval(out)
        p[:6] = out[:6]

    return step


def train_step(model, loss_fn, inputs, compiled):
    """One Adam (lr 1e-3) training step of `model` on fixed `inputs`, the way the
    mlx-examples train: value_and_grad of the loss, optimizer.update, eval of the new
    parameters and state; compiled with the model and optimizer state as inputs and
    outputs (mx.compile(step, inputs=state, outputs=state))."""
    optimizer = optim.Adam(learning_rate=1e-3)
    loss_and_grad = nn.value_and_grad(model, loss_fn)
    mx.eval(model.parameters())
    # Adam's state is created lazily on its first update; build it up front so the
    # compiled step sees the same state tree at every call.
    optimizer.init(model.trainable_parameters())
    state = [model.state, optimizer.state]

    def step(*args):
        loss, grads = loss_and_grad(*args)
        optimizer.update(model, grads)
        return loss

    if compiled:
        step = partial(mx.compile, inputs=state, outputs=state)(step)

    def run():
        loss = step(*inputs)
        mx.eval(loss, state)

    return run


def train_mlp(wid):
    # the flagship model of examples/train_digits: MLP 64-256-256-10, ReLU, cross-entropy
    batch = num_after(wid, "_b")
    mx.random.seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    x = data((batch, 64), 0.4)
    y = mx.arange(batch, dtype=mx.int32) % 10
    mx.eval(y)

    def loss_fn(x, y):
        return mx.mean(nn.losses.cross_entropy(model(x), y))

    return train_step(model, loss_fn, (x, y), wid.endswith("_compiled"))


def train_transformer(wid):
    # 2-layer TransformerEncoder (width 128, 4 heads, MLP 512, pre-norm), no mask,
    # mean squared error against a fixed target
    batch, seq, dims = num_after(wid, "_b"), num_after(wid, "_s"), num_after(wid, "_d")
    mx.random.seed(0)
    model = nn.TransformerEncoder(num_layers=2, dims=dims, num_heads=4)
    x = data((batch, seq, dims), 0.5)
    target = data((batch, seq, dims), 0.6)

    def loss_fn(x, target):
        return nn.losses.mse_loss(model(x, None), target)

    return train_step(model, loss_fn, (x, target), wid.endswith("_compiled"))


def matmul_bench(wid):
    dtype = wid.split("_")[1]
    n = num_after(wid, dtype + "_")
    a, b = data((n, n), 0.0), data((n, n), 1.0)
    if dtype != "f32":
        t = {"f16": mx.float16, "bf16": mx.bfloat16}[dtype]
        a, b = a.astype(t), b.astype(t)
        mx.eval(a, b)
    return lambda: mx.eval(a @ b)


def shape_nxm(wid):
    n, m = wid.rsplit("_", 1)[1].split("x")
    return int(n), int(m)


def softmax_bench(wid):
    x = data(shape_nxm(wid), 0.0)
    return lambda: mx.eval(mx.softmax(x, axis=-1))


def layer_norm_bench(wid):
    x = data(shape_nxm(wid), 0.0)
    return lambda: mx.eval(mx.fast.layer_norm(x, None, None, 1e-5))


def layer_norm_affine_bench(wid):
    # the GPU set's layer norm: with weight and bias
    n, m = shape_nxm(wid)
    x, w, b = data((n, m), 0.0), data((m,), 0.2), data((m,), 0.3)
    return lambda: mx.eval(mx.fast.layer_norm(x, w, b, 1e-5))


def rms_norm_bench(wid):
    n, m = shape_nxm(wid)
    x, w = data((n, m), 0.0), data((m,), 0.2)
    return lambda: mx.eval(mx.fast.rms_norm(x, w, 1e-5))


def add_bench(wid):
    shape = shape_nxm(wid)
    a, b = data(shape, 0.0), data(shape, 1.0)
    return lambda: mx.eval(a + b)


def sdpa_bench(wid):
    shape = tuple(num_after(wid, k) for k in ("_b", "_h", "_s", "_d"))
    q, k, v = (data(shape, p).astype(mx.bfloat16) for p in (0.0, 1.0, 2.0))
    mx.eval(q, k, v)
    scale = 1.0 / shape[3] ** 0.5
    return lambda: mx.eval(mx.fast.scaled_dot_product_attention(q, k, v, scale=scale))


def to_vec_bench(wid):
    a = data((num_after(wid, "to_vec_"),), 0.0)
    # a copy of the data into a Python-owned buffer, through the buffer protocol
    return lambda: bytes(memoryview(a))


class BertLayer(nn.Module):
    """One encoder layer of Hugging Face's BertModel, with its parameter names."""

    def __init__(self, h, heads, inter, eps):
        super().__init__()
        self.heads = heads
        self.attention = {
            "self": {"query": nn.Linear(h, h), "key": nn.Linear(h, h), "value": nn.Linear(h, h)},
            "output": {"dense": nn.Linear(h, h), "LayerNorm": nn.LayerNorm(h, eps=eps)},
        }
        self.intermediate = {"dense": nn.Linear(h, inter)}
        self.output = {"dense": nn.Linear(inter, h), "LayerNorm": nn.LayerNorm(h, eps=eps)}

    def __call__(self, x, mask):
        b, t, h = x.shape
        sa, ao = self.attention["self"], self.attention["output"]

        def split(a):
            return a.reshape(b, t, self.heads, -1).transpose(0, 2, 1, 3)

        q, k, v = split(sa["query"](x)), split(sa["key"](x)), split(sa["value"](x))
        ctx = mx.fast.scaled_dot_product_attention(q, k, v, scale=(h // self.heads) ** -0.5, mask=mask)
        ctx = ctx.transpose(0, 2, 1, 3).reshape(b, t, h)
        a = ao["LayerNorm"](ao["dense"](ctx) + x)
        m = nn.gelu(self.intermediate["dense"](a))
        return self.output["LayerNorm"](self.output["dense"](m) + a)


class Bert(nn.Module):
    """all-MiniLM-L6-v2 in mlx.nn: BertModel, mean pooling, L2 normalisation."""

    def __init__(self, cfg, pooler):
        super().__init__()
        h, eps = cfg["hidden_size"], cfg["layer_norm_eps"]
        self.embeddings = {
            "word_embeddings": nn.Embedding(cfg["vocab_size"], h),
            "position_embeddings": nn.Embedding(cfg["max_position_embeddings"], h),
            "token_type_embeddings": nn.Embedding(cfg["type_vocab_size"], h),
            "LayerNorm": nn.LayerNorm(h, eps=eps),
        }
        self.encoder = {
            "layer": [
                BertLayer(h, cfg["num_attention_heads"], cfg["intermediate_size"], eps)
                for _ in range(cfg["num_hidden_layers"])
            ]
        }
        if pooler:
            self.pooler = {"dense": nn.Linear(h, h)}

    def __call__(self, ids, mask):
        e = self.embeddings
        t = ids.shape[1]
        x = e["word_embeddings"](ids) + e["position_embeddings"](mx.arange(t))
        x = e["LayerNorm"](x + e["token_type_embeddings"](mx.zeros((1,), dtype=mx.int32)))
        m = mask.astype(x.dtype)
        additive = ((1 - m) * -1e9).reshape(ids.shape[0], 1, 1, t)
        for layer in self.encoder["layer"]:
            x = layer(x, additive)
        pooled = (x * m[..., None]).sum(1) / mx.maximum(m.sum(1, keepdims=True), 1e-9)
        return pooled / mx.maximum(mx.linalg.norm(pooled, axis=-1, keepdims=True), 1e-12)


def bert_bench(wid):
    import json

    d = os.environ.get("MLXRS_MINILM") or os.path.join(
        os.path.dirname(__file__), "..", "..", "third_party", "minilm"
    )
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    weights = mx.load(os.path.join(d, "model.safetensors"))
    weights.pop("embeddings.position_ids", None)
    model = Bert(cfg, any(k.startswith("pooler.") for k in weights))
    model.load_weights(list(weights.items()), strict=True)
    model.eval()
    if "_q8" in wid:
        nn.quantize(model, group_size=64, bits=8)
    mx.eval(model.parameters())
    batch = num_after(wid, "_b")
    ids = [[101] + [1000 + (i * 131 + j * 37) % 20000 for j in range(14)] + [102] for i in range(batch)]
    ids = mx.array(ids, dtype=mx.int32)
    mask = mx.ones(ids.shape, dtype=mx.int32)
    return lambda: mx.eval(model(ids, mask))


SETUPS = [
    (r"bert(_q8)?_b\d+", bert_bench),
    (r"dispatch_chain\d+_n\d+|build_chain\d+_n\d+", dispatch_chain),
    (r"value_and_grad_tiny", value_and_grad_tiny),
    (r"grad_tiny", grad_tiny),
    (r"grad_grad_tiny", grad_grad_tiny),
    (r"compiled_value_and_grad_tiny", compiled_value_and_grad_tiny),
    (r"mlp_step_b\d+(_compiled)?", mlp_step),
    (r"train_mlp_b\d+(_compiled)?", train_mlp),
    (r"train_transformer_b\d+_s\d+_d\d+(_compiled)?", train_transformer),
    (r"matmul_(f32|f16|bf16)_\d+", matmul_bench),
    (r"softmax_\d+x\d+", softmax_bench),
    (r"layer_norm_\d+x\d+", layer_norm_bench),
    (r"add_\d+x\d+", add_bench),
    (r"to_vec_\d+", to_vec_bench),
]

# the GPU set: `gpu_<id>`, set up from `<id>`; these come first
GPU_SETUPS = [
    (r"layer_norm_\d+x\d+", layer_norm_affine_bench),
    (r"rms_norm_\d+x\d+", rms_norm_bench),
    (r"sdpa_b\d+_h\d+_s\d+_d\d+", sdpa_bench),
]


def setup(wid):
    table = SETUPS
    if wid.startswith("gpu_"):
        wid, table = wid[4:], GPU_SETUPS + SETUPS
    for pattern, fn in table:
        if re.fullmatch(pattern, wid):
            return fn(wid)
    return None


def set_device():
    device = os.environ.get("MLXRS_BENCH_DEVICE", "")
    if device in ("cpu", "gpu"):
        try:
            mx.set_default_device(mx.gpu if device == "gpu" else mx.cpu)
        except ValueError as e:
            sys.exit(f"python bench runner: setting the device {device}: {e}")
    elif device:
        sys.exit(f"python bench runner: MLXRS_BENCH_DEVICE=`{device}`: expected cpu or gpu")


def device_name():
    info = mx.device_info(mx.default_device())
    return f"{mx.default_device()} {info.get('device_name', '')}".strip()


def measure(step, target_ms, samples):
    # warm-up; slow workloads get fewer samples instead of a run of minutes
    t = time.perf_counter()
    step()
    first = time.perf_counter() - t
    target = target_ms / 1e3
    if first * samples > target:
        per, samples = first, max(1, min(samples, int(target / first)))
    else:
        step()
        per = (time.perf_counter() - t) / 2
    budget = target / samples
    iters = max(1, min(1_000_000, int(budget / max(per, 1e-9))))
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(iters):
            step()
        times.append((time.perf_counter() - t) * 1e9 / iters)
    times.sort()
    return times[len(times) // 2]


def main():
    set_device()
    steps = {}
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        try:
            if parts[0] == "rss":
                import resource

                reply = str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            elif parts[0] == "list":
                reply = "python"
            elif parts[0] == "device":
                reply = device_name()
            elif parts[0] == "drop":
                steps.pop(parts[1], None)
                reply = "ok"
            elif parts[0] == "run":
                wid, ms, samples = parts[1], float(parts[2]), int(parts[3])
                if wid not in steps:
                    s = setup(wid)
                    if s is None:
                        print(f"skip no python twin for {wid}", flush=True)
                        continue
                    steps[wid] = s
                reply = f"ok {measure(steps[wid], ms, samples):.1f}"
            else:
                reply = f"err bad command: {line.strip()}"
        except Exception as e:  # noqa: BLE001 - reported to the driver
            reply = "err " + str(e).replace("\n", " ")
        print(reply, flush=True)


if __name__ == "__main__":
    main()
