"""Python halves of the `nn` layer cases (mlxrs/tests/oracle/cases/nn_layers.rs).

`nn_layers.layer` builds `mlx.nn.<cls>(*args, **kwargs)`, gives it the case's weights
(the inputs after the first `n_in`, named by `names`) with
`layer.update(tree_unflatten(...))`, sets training mode (`train`), optionally quantizes
it (`quantize`: [group_size, bits]) and calls `method` (default `__call__`) on the first
`n_in` inputs (`mask`: the last of those is passed as `mask=`). With `outputs` the
named parameters after the call (BatchNorm's running statistics) are returned too.
"""

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_flatten, tree_unflatten


def _activation(name):
    return {"relu": nn.relu, "gelu": nn.gelu}[name]


def layer(xs, p):
    kwargs = dict(p.get("kwargs", {}))
    if "activation" in kwargs:
        kwargs["activation"] = _activation(kwargs["activation"])
    for k in p.get("tuples", []):
        kwargs[k] = tuple(kwargs[k])
    m = getattr(nn, p["cls"])(*p.get("args", []), **kwargs)
    n_in = p.get("n_in", 1)
    ins, ws = xs[:n_in], xs[n_in:]
    names = p["names"]
    if len(names) != len(ws):
        raise ValueError(f"{len(names)} names for {len(ws)} weights")
    m.update(tree_unflatten(list(zip(names, ws))))
    if "quantize" in p:
        gs, bits = p["quantize"]
        # What `nn.quantize` does to each leaf layer (the root itself is not swapped).
        m = m.to_quantized(group_size=gs, bits=bits)
    m.train(p.get("train", True))
    fn = getattr(m, p.get("method", "__call__"))
    if p.get("mask"):
        out = fn(*ins[:-1], mask=ins[-1])
    elif p.get("mask_none"):
        out = fn(*ins, mask=None)
    else:
        out = fn(*ins)
    flat = dict(tree_flatten(m.parameters()))
    return [out] + [flat[k] for k in p.get("outputs", [])]


def causal_mask(xs, p):
    return nn.MultiHeadAttention.create_additive_causal_mask(p["n"], dtype=p["dtype"])


SPECIAL = {
    "nn_layers.layer": layer,
    "nn_layers.causal_mask": causal_mask,
}


def mlp(xs, p):
    m = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3))
    m.update(tree_unflatten(list(zip(p["names"], xs[1:]))))
    return m(xs[0])


SPECIAL["nn_layers.mlp"] = mlp
