"""Python halves of mlxrs's `nn` activation-layer and initializer oracle cases
(mlxrs/tests/oracle/cases/losses.rs). Loaded by oracle.py into its `SPECIAL` table."""

import mlx.core as mx
import mlx.nn as nn


def _dtypes(args):
    """`args` with a dtype name (JSON) as the `mx` dtype."""
    out = dict(args)
    if isinstance(out.get("dtype"), str):
        out["dtype"] = getattr(mx, out["dtype"])
    return out


def layer(xs, p):
    """`nn.<cls>(**args)(x)`: an activation layer built with Python's constructor."""
    return getattr(nn, p["cls"])(**p["args"])(xs[0])


def initializer(xs, p):
    """`nn.init.<init>(**args)(mx.zeros(shape), **call)` right after
    `mx.random.seed(seed)`, so that both sides draw the same values."""
    mx.random.seed(p["seed"])
    f = getattr(nn.init, p["init"])(**_dtypes(p["args"]))
    return f(mx.zeros(p["shape"]), **p["call"])


SPECIAL = {
    "losses_layer": layer,
    "losses_init": initializer,
}
