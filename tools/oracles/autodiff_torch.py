#!/usr/bin/python3
"""Reference values for @geoml/autodiff from PyTorch (Debian python3-torch).

For every case: forward output, gradient of sum(out * w) for a fixed random
cotangent w, and the Hessian-vector product d/dx sum(grad * v) (grad of grad).
Each case is run in float64 and float32.

Writes packages/autodiff/src/__fixtures__/torch_ops.json. Deterministic; rerun with
    /usr/bin/python3 tools/oracles/autodiff_torch.py
"""
import json
import os

import mpmath
import numpy as np
import scipy.special
import torch

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "packages", "autodiff", "src", "__fixtures__", "torch_ops.json",
)

rng = np.random.default_rng(20261124)


def U(shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape)


def nonint(shape, lo, hi):
    x = rng.uniform(lo, hi, size=shape)
    # keep away from poles at the non-positive integers
    bad = np.abs(x - np.round(x)) < 0.05
    x[bad] += 0.2
    return x


# name, op, input arrays, args, differentiable input indices, second order?
CASES = []


def case(name, op, inputs, args=None, diff=None, second=True):
    CASES.append(dict(name=name, op=op, inputs=inputs, args=args or {},
                      diff=list(range(len(inputs))) if diff is None else diff, second=second))


# unary, with domains where the op is smooth
for op, lo, hi in [
    ("neg", -3, 3), ("exp", -3, 3), ("log", 0.1, 5), ("log1p", -0.9, 3), ("expm1", -2, 2),
    ("sqrt", 0.1, 5), ("square", -3, 3), ("abs", -3, 3), ("sin", -4, 4), ("cos", -4, 4),
    ("tanh", -3, 3), ("sigmoid", -8, 8), ("softplus", -8, 8), ("relu", -3, 3),
    ("erf", -3, 3), ("erfc", -3, 5),
]:
    case(op, op, [U((3, 4), lo, hi)])
case("lgamma", "lgamma", [np.concatenate([nonint((8,), 0.05, 12), nonint((4,), -4.9, -0.1)])])
case("lgamma_large", "lgamma", [U((6,), 12, 300)])
case("digamma", "digamma", [np.concatenate([nonint((8,), 0.05, 12), nonint((4,), -4.9, -0.1)])])
case("digamma_large", "digamma", [U((6,), 12, 300)])
case("erf_tails", "erf", [np.array([-6.0, -4.5, -1.6, -0.3, 1e-3, 0.7, 1.4, 1.55, 2.5, 5.5])])
case("erfc_tails", "erfc", [np.array([-3.0, -1.0, 0.2, 1.0, 1.49, 1.51, 3.0, 6.0, 10.0, 20.0])])
case("sigmoid_tails", "sigmoid", [np.array([-40.0, -20.0, -1.0, 0.0, 1.0, 20.0, 40.0])])
case("clip", "clip", [U((3, 4), -3, 3)], {"lo": -1.0, "hi": 1.5})

# binary with broadcasting
for op in ["add", "sub", "mul", "div", "maximum", "minimum"]:
    a, b = U((3, 1, 4)), U((2, 4))
    if op == "div":
        b = np.sign(b) * (np.abs(b) + 0.5)
    case(f"{op}_bcast", op, [a, b])
    case(f"{op}_same", op, [U((2, 3)), U((2, 3)) + (2.5 if op == "div" else 0)])
    case(f"{op}_scalar", op, [U((4,)), U(()) + (2.5 if op == "div" else 0)])
case("pow_bcast", "pow", [U((3, 4), 0.2, 3), U((4,), -2, 2)])
case("pow_int_exponent", "pow", [U((5,), -2, 2), np.array(3.0)], diff=[0])
case("maximum_ties", "maximum", [np.array([1.0, 2.0, 3.0, -1.0]), np.array([1.0, 0.0, 3.0, 2.0])])
case("where", "where", [U((3, 4)), U((4,))], {"cond": [[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 1, 0]]})

# reductions
x34 = U((2, 3, 4))
for op in ["sum", "mean", "max", "min", "logsumexp"]:
    case(f"{op}_all", op, [x34], {"axis": None, "keepdims": False})
    case(f"{op}_ax1", op, [x34], {"axis": 1, "keepdims": False})
    case(f"{op}_ax02_keep", op, [x34], {"axis": [0, 2], "keepdims": True})
    case(f"{op}_neg", op, [x34], {"axis": -1, "keepdims": False})
case("max_ties", "max", [np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])], {"axis": 1, "keepdims": False})
case("logsumexp_big", "logsumexp", [U((2, 5), 500, 700)], {"axis": 1, "keepdims": False})
case("softmax", "softmax", [U((3, 5))], {"axis": -1})
case("softmax_ax0", "softmax", [U((3, 5))], {"axis": 0})
case("logSoftmax", "logSoftmax", [U((3, 5))], {"axis": -1})

# linear algebra
case("matmul_2d", "matmul", [U((3, 5)), U((5, 4))])
case("matmul_batched", "matmul", [U((2, 3, 5)), U((5, 2))])
case("matmul_bcast", "matmul", [U((2, 1, 3, 4)), U((3, 4, 2))])
case("matmul_vec_right", "matmul", [U((3, 4)), U((4,))])
case("matmul_vec_left", "matmul", [U((4,)), U((2, 4, 3))])
case("matmul_dot", "matmul", [U((5,)), U((5,))])
case("matmul_odd", "matmul", [U((7, 9)), U((9, 6))])

# shape ops
case("reshape", "reshape", [U((2, 6))], {"shape": [3, -1]})
case("transpose", "transpose", [U((2, 3, 4))], {"perm": [2, 0, 1]})
case("slice", "slice", [U((4, 5))], {"begin": [1, 2], "size": [2, -1]})
case("concat", "concat", [U((2, 3)), U((2, 2))], {"axis": 1})
case("stack", "stack", [U((2, 3)), U((2, 3))], {"axis": 1})
case("gather", "gather", [U((3, 4))], {"indices": [3, 0, 3, 1], "axis": 1})
case("pad", "pad", [U((2, 3))], {"widths": [[1, 0], [2, 1]], "value": 0.5})

# composite: a small MLP loss, exercises the whole chain
case("mlp", "mlp", [U((4, 3)), U((3, 5)), U((5,)), U((5, 2))])

# ops added with the model contract (after the others, so earlier inputs are unchanged)
case("atan", "atan", [U((3, 4), -4, 4)])
case("atan_tails", "atan", [np.array([-1e8, -50.0, -1.0, 0.0, 1e-3, 2.0, 50.0, 1e8])])
case("takeAlongAxis", "takeAlongAxis", [U((3, 4))],
     {"indices": [[3, 0, 3], [1, 1, 2], [0, 2, 3]], "axis": 1})
case("takeAlongAxis_ax0", "takeAlongAxis", [U((3, 2, 2))],
     {"indices": [[[2, 0], [1, 1]]], "axis": 0})
case("maskSelect", "maskSelect", [U((3, 4))],
     {"mask": [[1, 0, 1, 1], [0, 0, 0, 1], [1, 1, 0, 0]]})


def run(op, xs, args):
    if op == "pow":
        return torch.pow(xs[0], xs[1])
    if op in ("neg", "exp", "log", "log1p", "expm1", "sqrt", "square", "abs", "sin", "cos",
              "tanh", "sigmoid", "relu", "erf", "erfc", "lgamma", "digamma"):
        return getattr(torch, op)(xs[0])
    if op == "softplus":
        # torch's softplus switches to x above a threshold; compare to the exact value
        return torch.logaddexp(xs[0], torch.zeros_like(xs[0]))
    if op == "clip":
        return torch.clamp(xs[0], args["lo"], args["hi"])
    if op in ("add", "sub", "mul", "div", "maximum", "minimum"):
        return getattr(torch, op)(xs[0], xs[1])
    if op == "where":
        c = torch.tensor(args["cond"], dtype=torch.bool)
        return torch.where(c, xs[0], xs[1])
    if op in ("sum", "mean", "max", "min", "logsumexp"):
        ax = args["axis"]
        dims = tuple(range(xs[0].dim())) if ax is None else ax
        f = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin,
             "logsumexp": torch.logsumexp}[op]
        return f(xs[0], dim=dims, keepdim=args["keepdims"])
    if op == "softmax":
        return torch.softmax(xs[0], dim=args["axis"])
    if op == "logSoftmax":
        return torch.log_softmax(xs[0], dim=args["axis"])
    if op == "matmul":
        return torch.matmul(xs[0], xs[1])
    if op == "reshape":
        return xs[0].reshape(args["shape"])
    if op == "transpose":
        return xs[0].permute(args["perm"])
    if op == "slice":
        b, s = args["begin"], args["size"]
        idx = tuple(slice(bi, None if si == -1 else bi + si) for bi, si in zip(b, s))
        return xs[0][idx]
    if op == "concat":
        return torch.cat(xs, dim=args["axis"])
    if op == "stack":
        return torch.stack(xs, dim=args["axis"])
    if op == "gather":
        return torch.index_select(xs[0], args["axis"], torch.tensor(args["indices"]))
    if op == "pad":
        flat = []
        for lo, hi in reversed(args["widths"]):
            flat += [lo, hi]
        return torch.nn.functional.pad(xs[0], flat, value=args["value"])
    if op == "atan":
        return torch.atan(xs[0])
    if op == "takeAlongAxis":
        return torch.take_along_dim(xs[0], torch.tensor(args["indices"]), dim=args["axis"])
    if op == "maskSelect":
        return torch.masked_select(xs[0], torch.tensor(args["mask"], dtype=torch.bool))
    if op == "mlp":
        x, w1, b1, w2 = xs
        return torch.matmul(torch.tanh(torch.matmul(x, w1) + b1), w2)
    raise ValueError(op)


def num(v):
    # JSON has no NaN/Infinity: non-finite values are written as strings
    v = float(v)
    return v if np.isfinite(v) else str(v).replace("inf", "Infinity").replace("nan", "NaN")


def arr(t):
    t = t.detach().clone().contiguous()
    return {"shape": list(t.shape), "data": [num(v) for v in t.reshape(-1).tolist()]}


def evaluate(c, dtype):
    xs = [torch.tensor(np.asarray(a, dtype=np.float64), dtype=dtype) for a in c["inputs"]]
    for i in c["diff"]:
        xs[i].requires_grad_(True)
    out = run(c["op"], xs, c["args"])
    # per-case seed from the name, so adding a case does not change the others
    r = np.random.default_rng(sum((i + 1) * ord(ch) for i, ch in enumerate(c["name"])))
    w = torch.tensor(r.uniform(-1, 1, size=tuple(out.shape)), dtype=dtype)
    loss = (out * w).sum()
    dx = [xs[i] for i in c["diff"]]
    grads = torch.autograd.grad(loss, dx, create_graph=c["second"])
    res = {"inputs": [arr(x) for x in xs], "out": arr(out), "w": arr(w), "grads": [arr(g) for g in grads]}
    if c["second"]:
        vs = [torch.tensor(r.uniform(-1, 1, size=tuple(x.shape)), dtype=dtype) for x in dx]
        s = sum((g * v).sum() for g, v in zip(grads, vs))
        if s.requires_grad:
            hv = torch.autograd.grad(s, dx, allow_unused=True)
            hv = [torch.zeros_like(x) if h is None else h for h, x in zip(hv, dx)]
        else:
            hv = [torch.zeros_like(x) for x in dx]
        res["v"] = [arr(v) for v in vs]
        res["hvp"] = [arr(h) for h in hv]
        if dtype == torch.float64 and c["op"] in ("lgamma", "digamma"):
            trigamma_from_scipy(c["op"], xs[0], w, vs[0], res)
        if dtype == torch.float64 and c["op"] == "sigmoid":
            sigmoid_from_mpmath(xs[0], w, vs[0], res)
    return res


def sigmoid_from_mpmath(x, w, v, res):
    """torch's float64 sigmoid backward is y·(1 − y), which cancels on the upper tail
    (relative error ~1e-8 at x = 20). The derivatives are taken from mpmath at 40
    digits instead: σ' = σ(x)σ(−x), σ'' = σ'(x)(1 − 2σ(x))."""
    mpmath.mp.dps = 40
    xd = x.detach().numpy().reshape(-1)
    wd = w.numpy().reshape(-1)
    vd = v.numpy().reshape(-1)
    g, h = [], []
    for xi, wi, vi in zip(xd, wd, vd):
        s = 1 / (1 + mpmath.exp(-mpmath.mpf(float(xi))))
        d1 = s * (1 - s)
        g.append(float(wi * d1))
        h.append(float(wi * d1 * (1 - 2 * s) * vi))
    res["grads"] = [arr(torch.tensor(g, dtype=torch.float64).reshape(x.shape))]
    res["hvp"] = [arr(torch.tensor(h, dtype=torch.float64).reshape(x.shape))]


def trigamma_from_scipy(op, x, w, v, res):
    """torch 1.13's float64 trigamma is only good to ~1e-9 (a short asymptotic
    series); mpmath and scipy (Cephes) agree to ~1e-16, so terms that involve
    polygamma(1) or polygamma(2) are taken from scipy instead."""
    xd = x.detach().numpy()
    wd = w.numpy()
    vd = v.numpy()
    if op == "digamma":
        g = wd * scipy.special.polygamma(1, xd)
        res["grads"] = [arr(torch.tensor(g))]
        res["hvp"] = [arr(torch.tensor(wd * scipy.special.polygamma(2, xd) * vd))]
    else:
        res["hvp"] = [arr(torch.tensor(wd * scipy.special.polygamma(1, xd) * vd))]


def main():
    out = {"torch": torch.__version__, "cases": []}
    for c in CASES:
        entry = {"name": c["name"], "op": c["op"], "args": c["args"], "diff": c["diff"]}
        entry["float64"] = evaluate(c, torch.float64)
        entry["float32"] = evaluate(c, torch.float32)
        out["cases"].append(entry)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(out['cases'])} cases to {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
