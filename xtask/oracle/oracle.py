"""The Python half of mlxrs's differential suite (`cargo xtask oracle`).

Usage: oracle.py DIR, with Python MLX (the pinned version) on PYTHONPATH. DIR holds what
mlxrs's oracle test wrote: manifest.json (cases) and arrays.safetensors (their inputs,
mlxrs's outputs and gradients). Each case is recomputed with mlx.core and compared:
`|mlxrs - python| <= atol + rtol * |python|` with the tolerances the manifest gives per
result (exact for integers and bool), same shape, same dtype, NaN where Python has NaN,
equal infinities.

A case runs `mx.<op>(*inputs, **params)` (`op` may name a submodule: `linalg.inv`),
with these conventions in `params` (written by mlxrs/tests/oracle/harness.rs):
- `dtype`: a dtype name, passed as `mx.<name>`;
- `*name`: a positional argument after the inputs, in order;
- `_kw_inputs`: keywords for the inputs (`null`: positional);
- `_list`: the inputs are passed as one list (`mx.concatenate([a, b])`);
- `_tuples`: these list parameters are passed as tuples;
- `_pre: "transpose"`: every input is transposed first;
- `_special`: the entry of `SPECIAL` that computes the case instead;
- `_transform` (jvp, vjp, vmap, compile) with `_n`: that transform of the op, over the
  first `_n` inputs (the rest are tangents or cotangents).
Gradients (`argnums`) are those of `sum(outputs[0])`. A case with `expect_error` passes
when both fail with the same message.

Prints `oracle: N ops, M cases`, one line per failed case, and last `P passed, F failed`.
Exit status: 0 all passed, 1 some case failed, 2 the suite itself broke (or covers
fewer than MIN_OPS ops).
"""

import json
import math
import operator
import os
import sys
import traceback

import mlx.core as mx

DTYPE_KEYS = ("dtype",)

# The folder of the manifest (set by `main`); `load_files` reads files from it.
FOLDER = "."


def scatter_add_axis(xs, p):
    """C++'s `scatter_add_axis`, which Python does not expose: a one-hot sum."""
    a, idx, v = xs
    axis = p["axis"] % a.ndim
    onehot = (mx.expand_dims(idx, -1) == mx.arange(a.shape[axis])).astype(a.dtype)
    added = mx.sum(onehot * mx.expand_dims(v, -1), axis=axis)
    return a + mx.moveaxis(added, -1, axis)


def gather(xs, p):
    """C++'s `gather` (the primitive behind indexing) from flat indices."""
    a, idxs = xs[0], mx.broadcast_arrays(*xs[1:])
    axes, sizes = p["axes"], p["slice_sizes"]
    batch = tuple(idxs[0].shape)
    grids = mx.meshgrid(*[mx.arange(s) for s in sizes], indexing="ij")
    flat = mx.array(0)
    for ax in range(a.ndim):
        c = grids[ax].reshape((1,) * len(batch) + tuple(sizes))
        if ax in axes:
            c = c + idxs[axes.index(ax)].reshape(batch + (1,) * len(sizes))
        flat = flat * a.shape[ax] + c
    return mx.take(a.reshape(-1), flat)


def update_at(a, index, v, how):
    """`a[index] = v` (`how` "set") or `a.at[index].<how>(v)`."""
    if how == "set":
        out = mx.array(a)
        out[index] = v
        return out
    return getattr(a.at[index], how)(v)


def scatter_at(xs, p):
    """C++'s `scatter*` (index arrays into the leading axes) as Python indexing."""
    k = len(p["axes"])
    assert p["axes"] == list(range(k))
    a, idx, upd = xs[0], xs[1 : 1 + k], xs[1 + k]
    batch = tuple(mx.broadcast_shapes(*[tuple(i.shape) for i in idx]))
    return update_at(a, tuple(idx), upd.reshape(batch + tuple(a.shape[k:])), p["how"])


def array_at(xs, p):
    """`a.at[index].<how>(v)`: `index` entries are ints, `"a<k>"` (the input `xs[k]`) or
    `[start, stop, step]` slices; the value is the last input."""
    index = []
    for e in p["index"]:
        if isinstance(e, int):
            index.append(e)
        elif isinstance(e, str):
            index.append(xs[int(e[1:])])
        else:
            index.append(slice(*e))
    return update_at(xs[0], tuple(index), xs[-1], p["how"])


def slice_update_at(xs, p):
    index = tuple(slice(*s) for s in zip(p["start"], p["stop"], p["strides"]))
    return update_at(xs[0], index, xs[1], p["how"])


def apply_operator(xs, p):
    """`a <op> b`, `a <op> scalar` or `scalar <op> a` with Python's operators."""
    fn = getattr(operator, p["name"])
    if "scalar" not in p:
        return fn(*xs)
    if p["side"] == "right":
        return fn(xs[0], p["scalar"])
    return fn(p["scalar"], xs[0])


def load_files(xs, p):
    """What Python MLX loads from the file mlxrs saved, twice: once against the arrays
    mlxrs saved, once against what mlxrs loaded back."""
    path = os.path.join(FOLDER, p["file"])
    if path.endswith(".safetensors"):
        arrays, meta = mx.load(path, return_metadata=True)
        want = dict(kv.split("=") for kv in p["metadata"].split(","))
        if meta != want:
            raise ValueError(f"metadata {meta}, expected {want}")
        got = [arrays[f"a{i}"] for i in range(len(xs))]
    elif path.endswith(".gguf"):
        arrays = mx.load(path)
        got = [arrays[f"a{i}"] for i in range(len(xs))]
    else:
        got = [mx.load(path)]
    return got + got


def import_function(xs, p):
    """What the function mlxrs exported gives when Python MLX imports it, twice (against
    mlxrs's own results and against what mlxrs's import gives)."""
    fn = mx.import_function(os.path.join(FOLDER, p["file"]))
    n = p.get("kwargs_at", [len(xs)])[0]
    kwargs = dict(zip(p.get("kwargs", []), xs[n:]))
    out = as_list(fn(*xs[:n], **kwargs))
    return out + out


def masked_scatter(xs, p):
    a, mask, src = xs
    out = mx.array(a)
    out[mask] = src
    return out


# Cases whose Python call is not `mx.<op>(*inputs, **params)`.
SPECIAL = {
    "scatter_add_axis": scatter_add_axis,
    "gather": gather,
    "masked_scatter": masked_scatter,
    "scatter_at": scatter_at,
    "operator": apply_operator,
    "load_files": load_files,
    "import_function": import_function,
    "slice_update_at": slice_update_at,
    "array_at": array_at,
    "depends": lambda xs, p: mx.depends(xs[: p["n_inputs"]], xs[p["n_inputs"] :]),
    # C++'s `number_of_elements`: the product of the sizes of `axes` (or its inverse).
    "number_of_elements": lambda xs, p: mx.array(
        math.prod(xs[0].shape[a] for a in p["axes"]) ** (-1 if p["inverted"] else 1),
        dtype=p["dtype"],
    ),
    "pad_axes": lambda xs, p: mx.pad(
        xs[0],
        [
            (p["low_pad_size"][p["axes"].index(a)], p["high_pad_size"][p["axes"].index(a)])
            if a in p["axes"]
            else (0, 0)
            for a in range(xs[0].ndim)
        ],
        mode=p["mode"],
        constant_values=xs[1],
    ),
    # mlxrs's `ops::slice(a, start, stop, strides)` is Python's basic indexing.
    "slice_index": lambda xs, p: xs[0][
        tuple(slice(a, b, s) for a, b, s in zip(p["start"], p["stop"], p["strides"]))
    ],
    # mx has no `copy`; `mx.array(a)` copies.
    "copy": lambda xs, p: mx.array(xs[0]),
    "einsum": lambda xs, p: mx.einsum(p["subscripts"], *xs),
    # Python's `mx.full(shape, vals, dtype)` ignores `dtype` when `vals` is an array
    # (`to_array(vals, dtype)` only types scalars); mlx-c's `mlx_full` (C++'s
    # `full(shape, vals, dtype)`) casts. mlxrs follows mlx-c.
    "full_cast": lambda xs, p: mx.full(p["shape"], xs[0].astype(p["dtype"])),
    "clip_max": lambda xs, p: mx.clip(xs[0], None, xs[1]),
    "clip_min": lambda xs, p: mx.clip(xs[0], xs[1], None),
}

# More special cases, one file per area (`special_*.py` beside this file, each with a
# `SPECIAL` dict of its own): `nn` layers, losses and optimizers keep their Python
# halves there.
def _load_special_files():
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if name.startswith("special_") and name.endswith(".py"):
            spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(here, name))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            clash = set(module.SPECIAL) & set(SPECIAL)
            if clash:
                raise ValueError(f"{name}: SPECIAL keys defined twice: {sorted(clash)}")
            SPECIAL.update(module.SPECIAL)


_load_special_files()


def dtype(name):
    return mx.bool_ if name == "bool" else getattr(mx, name)


def resolve(op):
    """`mx.<op>`, or `mlx.nn.<rest>` / `mlx.optimizers.<rest>` for `nn.` / `optimizers.` ops."""
    parts = op.split(".")
    if parts[0] in ("nn", "optimizers", "utils"):
        import importlib

        target = importlib.import_module(f"mlx.{parts[0]}")
        parts = parts[1:]
    else:
        target = mx
    for part in parts:
        target = getattr(target, part)
    return target


def as_list(out):
    if isinstance(out, (list, tuple)):
        return list(out)
    return [out]


def call(op, xs, params):
    """Runs `op` on the inputs `xs` with keyword arguments `params`, or a transform of
    it (`_transform`: jvp, vjp, vmap or compile, over the first `_n` inputs)."""
    p = dict(params)
    transform = p.pop("_transform", None)
    if transform is None:
        return call_plain(op, xs, p)
    n = p.pop("_n")

    def fn(*args):
        return call_plain(op, list(args), p)

    if transform == "jvp":
        outs, jvps = mx.jvp(fn, xs[:n], xs[n:])
        return list(outs) + list(jvps)
    if transform == "vjp":
        outs, vjps = mx.vjp(fn, xs[:n], xs[n:])
        return list(outs) + list(vjps)
    if transform == "vmap":
        return as_list(mx.vmap(fn, in_axes=0, out_axes=0)(*xs))
    if transform == "compile":
        return as_list(mx.compile(fn)(*xs))
    raise ValueError(f"unknown _transform {transform!r}")


def call_plain(op, xs, params):
    p = dict(params)
    for k in DTYPE_KEYS:
        if isinstance(p.get(k), str):
            p[k] = dtype(p[k])
    for k in p.pop("_tuples", []):
        p[k] = tuple(p[k])
    pre = p.pop("_pre", None)
    if pre == "transpose":
        xs = [mx.transpose(x) for x in xs]
    elif pre is not None:
        raise ValueError(f"unknown _pre {pre!r}")
    as_one_list = p.pop("_list", False)
    special = p.pop("_special", op if op in SPECIAL else None)
    if special is not None:
        return as_list(SPECIAL[special](xs, p))
    # `*name` parameters are positional, after the inputs, in order.
    args = [p.pop(k) for k in [k for k in p if k.startswith("*")]]
    # `_kw_inputs`: the inputs are passed by these keywords (`None`: positionally).
    names = p.pop("_kw_inputs", [])
    names = names + [None] * (len(xs) - len(names))
    p.update({name: x for name, x in zip(names, xs) if name is not None})
    xs = [x for name, x in zip(names, xs) if name is None]
    fn = resolve(op)
    if as_one_list:
        return as_list(fn(xs, *args, **p))
    return as_list(fn(*xs, *args, **p))


def grads_of(op, xs, params, argnums):
    def loss(*args):
        return mx.sum(call(op, list(args), params)[0])

    g = mx.grad(loss, argnums=argnums)(*xs)
    return as_list(g)


def compare(got, want, rtol, atol):
    """None when `got` (mlxrs) matches `want` (Python), else (max |diff|, message)."""
    if tuple(got.shape) != tuple(want.shape):
        return (float("inf"), f"shape {tuple(got.shape)}, python {tuple(want.shape)}")
    if got.dtype != want.dtype:
        return (float("inf"), f"dtype {got.dtype}, python {want.dtype}")
    if got.size == 0:
        return None
    inexact = mx.issubdtype(want.dtype, mx.inexact)
    if not inexact or (rtol == 0 and atol == 0):
        if mx.array_equal(got, want, equal_nan=inexact).item():
            return None
        if got.dtype == mx.bool_:
            diff = mx.sum(got != want).item()
            return (float(diff), f"{diff} of {got.size} elements differ")
        diff = mx.max(mx.abs(got.astype(mx.float64) - want.astype(mx.float64))).item()
        return (diff, f"max |diff| {diff:g} (exact)")
    if mx.issubdtype(want.dtype, mx.complexfloating):
        parts = [(mx.real(got), mx.real(want)), (mx.imag(got), mx.imag(want))]
    else:
        parts = [(got, want)]
    worst = 0.0
    bad = 0
    for g, w in parts:
        g = g.astype(mx.float64)
        w = w.astype(mx.float64)
        g_nan, w_nan = mx.isnan(g), mx.isnan(w)
        bad += mx.sum(g_nan != w_nan).item()
        g_inf, w_inf = mx.isinf(g), mx.isinf(w)
        bad += mx.sum((g_inf | w_inf) & (g != w)).item()
        finite = ~(g_nan | w_nan | g_inf | w_inf)
        d = mx.where(finite, mx.abs(g - w), 0.0)
        limit = atol + rtol * mx.abs(mx.where(finite, w, 0.0))
        bad += mx.sum(d > limit).item()
        worst = max(worst, mx.max(d).item())
    if bad == 0:
        return None
    return (worst, f"max |diff| {worst:g}, {bad} of {got.size} elements out of tolerance "
                   f"(rtol {rtol:g}, atol {atol:g})")


def self_check():
    """The comparison itself, on known inputs (runs before every suite)."""
    a = mx.array([1.0, 2.0, float("nan"), float("inf")])
    assert compare(a, a, 1e-5, 1e-5) is None
    assert compare(a, mx.array([1.0, 2.0, 1.0, float("inf")]), 1, 1) is not None  # NaN
    assert compare(a, mx.array([1.0, 2.0, float("nan"), -float("inf")]), 1, 1) is not None
    b = mx.array([1.0, 2.00001, float("nan"), float("inf")])
    assert compare(b, a, 1e-5, 1e-5) is None
    assert compare(mx.array([1.0, 2.1]), mx.array([1.0, 2.0]), 1e-5, 1e-5)[0] > 0.09
    h = mx.array([1.0, 2.0], dtype=mx.float16)
    assert compare(h, a[:2], 1e-3, 1e-3)[1].startswith("dtype")
    assert compare(a[:2], a[:3], 1, 1)[1].startswith("shape")
    i = mx.array([1, 2, 3])
    assert compare(i, i, 0, 0) is None
    assert compare(i, mx.array([1, 2, 4]), 1, 1) is not None  # integers are exact
    t = mx.array([True, False])
    assert compare(t, mx.array([True, True]), 0, 0)[1] == "1 of 2 elements differ"
    c = mx.array([1 + 1j, 2 - 1j])
    assert compare(c, c, 1e-5, 1e-5) is None
    assert compare(c, mx.array([1 + 1j, 2 - 1.1j]), 1e-5, 1e-5) is not None


def describe(case, arrays):
    shapes = [list(arrays[k].shape) for k in case["inputs"]]
    params = json.dumps(case["params"])
    return f"{case['op']} {case['dtype']} shapes {shapes} params {params}"


def run_case(case, arrays):
    """A list of failure messages (empty when the case passed)."""
    xs = [arrays[k] for k in case["inputs"]]
    if case["expect_error"]:
        if case["error"] is None:
            return ["mlxrs returned a result where an error is expected"]
        try:
            mx.eval(call(case["op"], xs, case["params"]))
        except Exception as e:
            if str(e) == case["error"]:
                return []
            # Where MLX's message names no op, mlxrs prefixes it with `[op] ` (a
            # documented difference); the rest must be MLX's message, unchanged.
            if not str(e).startswith("[") and case["error"] == f"[{case['op']}] {e}":
                return []
            return [f"error messages differ: mlxrs {case['error']!r}, python {str(e)!r}"]
        return [f"python returned a result where mlxrs failed with {case['error']!r}"]
    if case["error"] is not None:
        return [f"mlxrs error: {case['error']}"]
    try:
        want = call(case["op"], xs, case["params"])
        mx.eval(want)
    except Exception as e:  # MLX's errors are plain exceptions
        return [f"python error: {type(e).__name__}: {e}"]
    problems = []
    if len(want) != len(case["outputs"]):
        return [f"{len(case['outputs'])} outputs, python {len(want)}"]
    for k, (res, w) in enumerate(zip(case["outputs"], want)):
        bad = compare(arrays[res["key"]], w, res["rtol"], res["atol"])
        if bad is not None:
            problems.append(f"output {k}: {bad[1]}")
    if case["argnums"]:
        try:
            gw = grads_of(case["op"], xs, case["params"], case["argnums"])
            mx.eval(gw)
        except Exception as e:
            return problems + [f"python grad error: {type(e).__name__}: {e}"]
        if len(gw) != len(case["grads"]):
            return problems + [f"{len(case['grads'])} gradients, python {len(gw)}"]
        for k, (res, w) in enumerate(zip(case["grads"], gw)):
            bad = compare(arrays[res["key"]], w, res["rtol"], res["atol"])
            if bad is not None:
                problems.append(f"grad wrt input {case['argnums'][k]}: {bad[1]}")
    return problems


def load(path):
    """The arrays of `path`; `<key>@float64` (stored as int64 bytes) becomes `<key>`."""
    arrays = {}
    for k, v in mx.load(path).items():
        if k.endswith("@float64"):
            arrays[k[: -len("@float64")]] = v.view(mx.float64)
        else:
            arrays[k] = v
    return arrays


# The suite must keep comparing at least this many distinct ops.
MIN_OPS = 200


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    self_check()
    global FOLDER
    folder = FOLDER = argv[1]
    with open(os.path.join(folder, "manifest.json")) as f:
        cases = json.load(f)["cases"]
    arrays = load(os.path.join(folder, "arrays.safetensors"))
    ops = {c["op"] for c in cases}
    print(f"oracle: {len(ops)} ops, {len(cases)} cases", flush=True)
    too_few = len(ops) < MIN_OPS
    if too_few:
        print(f"the suite covers {len(ops)} ops, fewer than the {MIN_OPS} it must", flush=True)
    passed = failed = 0
    for case in cases:
        problems = run_case(case, arrays)
        if problems:
            failed += 1
            print(f"FAIL {case['id']} {describe(case, arrays)}: {'; '.join(problems)}",
                  flush=True)
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 2 if too_few else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception:
        traceback.print_exc()
        sys.exit(2)
