"""Writes the Python MLX goldens of mlxrs/tests/it/optimizers.rs (run with Python MLX
0.32.2 from this folder: `python3 generate.py`).

For each case NAME (an optimizer of `mlx.optimizers`, built as in CASES):
- NAME.safetensors: `params.<p>` (initial parameters), `grads.<t>.<p>` (the gradients of
  steps t = 0..9), `params5.<p>` (the parameters after 5 updates), `final.<p>` and
  `final_state.<key>` (parameters and `tree_flatten(opt.state)` after 10 updates);
- NAME.state5.safetensors: the optimizer's state after 5 updates, saved as a user
  would: `mx.save_safetensors(path, dict(tree_flatten(opt.state)))`. Its names are the
  committed table of Python's state names.

`final*` come from a fresh optimizer that loaded NAME.state5.safetensors and continued
from `params5`, so the Rust test replays exactly that.
"""

import numpy as np

import mlx.core as mx
import mlx.optimizers as optim
from mlx.utils import tree_flatten, tree_unflatten

PARAMS = [("conv.weight", (2, 3, 2)), ("layers.0.bias", (4,)), ("layers.0.weight", (3, 4))]
STEPS = 10
HALF = 5

warm_cos = optim.join_schedules(
    [optim.linear_schedule(0.0, 0.01, 3), optim.cosine_decay(0.01, 10, 0.001)], [3]
)

CASES = {
    "sgd": lambda: optim.SGD(optim.step_decay(0.1, 0.5, 3), momentum=0.9, nesterov=True),
    "rmsprop": lambda: optim.RMSprop(optim.exponential_decay(0.01, 0.9), alpha=0.9, eps=1e-6),
    "adagrad": lambda: optim.Adagrad(0.1),
    "adadelta": lambda: optim.AdaDelta(optim.cosine_decay(1.0, 8, 0.1), rho=0.8),
    "adam": lambda: optim.Adam(warm_cos, betas=[0.8, 0.99], eps=1e-6, bias_correction=True),
    "adamw": lambda: optim.AdamW(0.01, weight_decay=0.1),
    "adamax": lambda: optim.Adamax(0.01),
    "lion": lambda: optim.Lion(optim.linear_schedule(0.001, 0.01, 6), weight_decay=0.1),
    "adafactor": lambda: optim.Adafactor(beta_1=0.9, weight_decay=0.01),
    "muon": lambda: optim.Muon(0.02),
    "multi": lambda: optim.MultiOptimizer(
        [optim.Adam(0.01), optim.SGD(0.1, momentum=0.9)], [lambda name, g: "weight" in name]
    ),
}


def copies(flat):
    """Fresh array objects: some optimizers update their inputs in place
    (`parameter += ...` in Adafactor, `gradient += ...` in SGD), which would also change
    the arrays saved below."""
    return [(k, mx.array(v)) for k, v in flat.items()]


def apply(opt, params, grads):
    new = opt.apply_gradients(tree_unflatten(copies(grads)), tree_unflatten(copies(params)))
    params.update(dict(tree_flatten(new)))


def main():
    rng = np.random.RandomState(20261203)
    for name, make in CASES.items():
        params = {k: mx.array(rng.uniform(-1, 1, s).astype(np.float32)) for k, s in PARAMS}
        grads = [
            {k: mx.array(rng.uniform(-1, 1, s).astype(np.float32)) for k, s in PARAMS}
            for _ in range(STEPS)
        ]
        out = {f"params.{k}": v for k, v in params.items()}
        for t, g in enumerate(grads):
            out.update({f"grads.{t}.{k}": v for k, v in g.items()})
        opt = make()
        for t in range(HALF):
            apply(opt, params, grads[t])
        out.update({f"params5.{k}": v for k, v in params.items()})
        state_file = f"{name}.state5.safetensors"
        mx.save_safetensors(state_file, dict(tree_flatten(opt.state)))
        opt = make()
        opt.state = tree_unflatten(list(mx.load(state_file).items()))
        for t in range(HALF, STEPS):
            apply(opt, params, grads[t])
        out.update({f"final.{k}": v for k, v in params.items()})
        out.update({f"final_state.{k}": v for k, v in tree_flatten(opt.state)})
        mx.save_safetensors(f"{name}.safetensors", out)
        print(name, sorted(k for k, _ in tree_flatten(opt.state)))


if __name__ == "__main__":
    main()
