"""The Python half of mlxrs's `mlx.optimizers` oracle cases
(mlxrs/tests/oracle/cases/optimizers.rs).

Parameters shared by the cases:
- `optimizer`: a class name of `mlx.optimizers` (`"Adam"`), `kwargs` its keyword
  arguments, `learning_rate` a number, a schedule spec, or absent (Adafactor's default);
  `MultiOptimizer` has `parts` (a list of such specs) and `filters` (substrings: the
  i-th filter is `lambda name, g: filters[i] in name`);
- a schedule spec: `{"fn": "cosine_decay", "args": [...]}`, or
  `{"fn": "join_schedules", "schedules": [spec, ...], "boundaries": [...]}`;
- `names`: the parameter names (dotted, as `tree_flatten` gives them); the inputs are
  the initial parameters in that order, then the gradients of every step in that order
  (`grad_names`, when given, names a subset used for every step).
"""

import os
import sys

import mlx.core as mx
import mlx.optimizers as optim
from mlx.utils import tree_flatten, tree_unflatten


def make_schedule(spec):
    if spec["fn"] == "join_schedules":
        return optim.join_schedules(
            [make_schedule(s) for s in spec["schedules"]], spec["boundaries"]
        )
    return getattr(optim, spec["fn"])(*spec["args"])


def make_optimizer(spec):
    if spec["optimizer"] == "MultiOptimizer":
        filters = [(lambda sub: lambda name, g: sub in name)(s) for s in spec["filters"]]
        return optim.MultiOptimizer([make_optimizer(s) for s in spec["parts"]], filters)
    cls = getattr(optim, spec["optimizer"])
    kwargs = dict(spec.get("kwargs", {}))
    lr = spec.get("learning_rate")
    if isinstance(lr, dict):
        lr = make_schedule(lr)
    if lr is not None:
        kwargs["learning_rate"] = lr
    return cls(**kwargs)


def run_steps(opt, params, xs, p, steps):
    """Applies the gradients of `steps` (a range of step indices) to `params` (a flat
    dict, updated in place)."""
    names = p["names"]
    n = len(names)
    used = p.get("grad_names", names)
    for t in steps:
        grads = dict(zip(names, xs[n + t * n : n + (t + 1) * n]))
        # Fresh array objects: Adafactor and SGD update some inputs in place.
        grads = tree_unflatten([(k, mx.array(grads[k])) for k in used])
        new = opt.apply_gradients(grads, tree_unflatten([(k, mx.array(v)) for k, v in params.items()]))
        params.update(dict(tree_flatten(new)))


def results(opt, params, p):
    """The final parameters in `names` order, then the state in sorted name order;
    fails when the state's names differ from mlxrs's (`state_names`)."""
    state = dict(tree_flatten(opt.state))
    if sorted(state) != sorted(p["state_names"]):
        raise ValueError(
            f"state names differ: python {sorted(state)}, mlxrs {sorted(p['state_names'])}"
        )
    return [params[k] for k in p["names"]] + [state[k] for k in sorted(state)]


def trajectory(xs, p):
    """`steps` updates from the initial parameters."""
    opt = make_optimizer(p)
    params = dict(zip(p["names"], xs[: len(p["names"])]))
    run_steps(opt, params, xs, p, range(p["steps"]))
    return results(opt, params, p)


def resume(xs, p):
    """`half` updates in Python, then a fresh optimizer takes the state mlxrs saved after
    the same `half` updates (`file`) and goes on to `steps`."""
    params = dict(zip(p["names"], xs[: len(p["names"])]))
    run_steps(make_optimizer(p), params, xs, p, range(p["half"]))
    opt = make_optimizer(p)
    # `file` is relative to the oracle's folder (oracle.py's FOLDER).
    folder = getattr(sys.modules.get("__main__"), "FOLDER", ".")
    opt.state = tree_unflatten(list(mx.load(os.path.join(folder, p["file"])).items()))
    run_steps(opt, params, xs, p, range(p["half"], p["steps"]))
    return results(opt, params, p)


def schedule_values(xs, p):
    """The schedule at each of `at` (uint64 steps, as the optimizers pass them)."""
    s = make_schedule(p["schedule"])
    return [s(mx.array(k, dtype=mx.uint64)) for k in p["at"]]


def clip(xs, p):
    grads = tree_unflatten(list(zip(p["names"], xs)))
    clipped, norm = optim.clip_grad_norm(grads, p["max_norm"])
    flat = dict(tree_flatten(clipped))
    return [flat[k] for k in p["names"]] + [norm]


SPECIAL = {
    "optimizers_trajectory": trajectory,
    "optimizers_resume": resume,
    "optimizers_schedule": schedule_values,
    "optimizers_clip": clip,
}
