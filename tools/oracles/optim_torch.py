#!/usr/bin/env python3
"""Reference values for @geoml/optim, computed with PyTorch 1.13 in float64.

Writes packages/optim/src/__fixtures__/optim_torch.json:
  - "problem": a fixed regression batch (x, y) and fixed initial weights of a
    small tanh network {hidden: {weight, bias}, output: {weight, bias}} with
    loss mean((tanh(x W1 + b1) W2 + b2 - y)^2); weights are stored [in, out].
  - "runs": for each optimiser configuration (option names as in @geoml/optim),
    the loss before training and after each of 20 full-batch steps, plus the
    final weights. Some runs step a learning-rate scheduler after every update.
  - "schedules": learning rates produced by StepLR, CosineAnnealingLR,
    LinearLR+CosineAnnealingLR (warm-up) and ReduceLROnPlateau.

Run: /usr/bin/python3 tools/oracles/optim_torch.py
"""
import json
import math
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "packages", "optim", "src", "__fixtures__", "optim_torch.json",
)
STEPS = 20

rng = np.random.default_rng(20261124)
N, D, H = 32, 5, 8
X = rng.normal(size=(N, D))
Y = np.sin(X[:, :1] * 1.5) + 0.5 * X[:, 1:2] - 0.3 * X[:, 2:3] ** 2 + 0.1 * rng.normal(size=(N, 1))
INIT = {
    "hidden": {
        "weight": rng.normal(0, 1 / math.sqrt(D), (D, H)),
        "bias": rng.normal(0, 0.1, (H,)),
    },
    "output": {
        "weight": rng.normal(0, 1 / math.sqrt(H), (H, 1)),
        "bias": rng.normal(0, 0.1, (1,)),
    },
}


def loss_fn(p, x, y):
    h = torch.tanh(x @ p["hidden"]["weight"] + p["hidden"]["bias"])
    out = h @ p["output"]["weight"] + p["output"]["bias"]
    return ((out - y) ** 2).mean()


def leaves(p):
    return [p["hidden"]["weight"], p["hidden"]["bias"], p["output"]["weight"], p["output"]["bias"]]


def to_list(p):
    return {k: {kk: vv.detach().numpy().tolist() for kk, vv in v.items()} for k, v in p.items()}


# name -> (optimiser kind, geoml options, torch constructor, scheduler or None)
CONFIGS = [
    ("sgd", "sgd", {"lr": 0.1}, None),
    ("sgd_momentum", "sgd", {"lr": 0.05, "momentum": 0.9}, None),
    ("sgd_momentum_dampening_decay", "sgd",
     {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weightDecay": 0.01}, None),
    ("sgd_nesterov", "sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weightDecay": 0.001}, None),
    ("adam", "adam", {"lr": 0.01}, None),
    ("adam_decay_amsgrad", "adam",
     {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.01, "amsgrad": True}, None),
    ("adamw", "adamw", {"lr": 0.01, "weightDecay": 0.1}, None),
    ("adamw_amsgrad", "adamw", {"lr": 0.02, "betas": [0.85, 0.995], "weightDecay": 0.05, "amsgrad": True}, None),
    ("rmsprop", "rmsprop", {"lr": 0.01}, None),
    ("rmsprop_centered_momentum", "rmsprop",
     {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "centered": True, "momentum": 0.5, "weightDecay": 0.001}, None),
    ("adam_step_decay", "adam", {"lr": 0.05}, {"kind": "step", "stepSize": 5, "gamma": 0.5}),
    ("sgd_cosine", "sgd", {"lr": 0.1, "momentum": 0.9}, {"kind": "cosine", "decaySteps": STEPS, "final": 0.001}),
]


def make_torch_optimizer(kind, opts, params):
    o = dict(opts)
    kw = {"lr": o["lr"]}
    if "weightDecay" in o:
        kw["weight_decay"] = o["weightDecay"]
    if kind == "sgd":
        for k in ("momentum", "dampening", "nesterov"):
            if k in o:
                kw[k] = o[k]
        return torch.optim.SGD(params, **kw)
    if kind in ("adam", "adamw"):
        if "betas" in o:
            kw["betas"] = tuple(o["betas"])
        for k in ("eps", "amsgrad"):
            if k in o:
                kw[k] = o[k]
        return (torch.optim.Adam if kind == "adam" else torch.optim.AdamW)(params, **kw)
    if kind == "rmsprop":
        for k in ("alpha", "eps", "centered", "momentum"):
            if k in o:
                kw[k] = o[k]
        return torch.optim.RMSprop(params, **kw)
    raise ValueError(kind)


def make_torch_scheduler(spec, opt):
    if spec is None:
        return None
    if spec["kind"] == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=spec["stepSize"], gamma=spec["gamma"])
    if spec["kind"] == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=spec["decaySteps"], eta_min=spec["final"])
    raise ValueError(spec["kind"])


def run(name, kind, opts, sched):
    x, y = torch.tensor(X), torch.tensor(Y)
    p = {k: {kk: torch.tensor(vv, requires_grad=True) for kk, vv in v.items()} for k, v in INIT.items()}
    opt = make_torch_optimizer(kind, opts, leaves(p))
    scheduler = make_torch_scheduler(sched, opt)
    losses = []
    with torch.no_grad():
        losses.append(loss_fn(p, x, y).item())
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(p, x, y)
        loss.backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        with torch.no_grad():
            losses.append(loss_fn(p, x, y).item())
    return {"name": name, "optimizer": kind, "options": opts, "schedule": sched,
            "losses": losses, "final": to_list(p)}


def lr_sequence(make_scheduler, base_lr, steps):
    """Learning rate used by update t (t = 0 .. steps-1), as torch applies it."""
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=base_lr)
    scheduler = make_scheduler(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return out


def plateau_sequence(losses, **kw):
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=kw.pop("lr"))
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    out = []
    for v in losses:
        scheduler.step(v)
        out.append(opt.param_groups[0]["lr"])
    return out


def schedules():
    lrs = torch.optim.lr_scheduler
    plateau_losses = [1.0, 0.9, 0.85, 0.85, 0.8499, 0.86, 0.84, 0.84, 0.84, 0.84, 0.5,
                      0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.49999, 0.4, 0.4, 0.4, 0.4, 0.4]
    plateau_scores = [0.1, 0.2, 0.25, 0.3, 0.31, 0.3, 0.45, 0.46, 0.5, 0.5, 0.5, 0.5, 0.7, 0.7, 0.7, 0.7]
    return {
        "step": {"options": {"lr": 0.1, "stepSize": 3, "gamma": 0.5},
                 "lrs": lr_sequence(lambda o: lrs.StepLR(o, step_size=3, gamma=0.5), 0.1, 20)},
        "cosine": {"options": {"lr": 0.1, "decaySteps": 15, "final": 0.001},
                   "lrs": lr_sequence(lambda o: lrs.CosineAnnealingLR(o, T_max=15, eta_min=0.001), 0.1, 16)},
        "warmupCosine": {
            "options": {"lr": 0.1, "warmupSteps": 5, "warmupInit": 0.01, "decaySteps": 15, "final": 0.001},
            "lrs": lr_sequence(lambda o: lrs.SequentialLR(o, [
                lrs.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
                lrs.CosineAnnealingLR(o, T_max=15, eta_min=0.001)], milestones=[5]), 0.1, 21),
        },
        "plateau": [
            {"options": {"lr": 0.1, "factor": 0.5, "patience": 2, "cooldown": 1, "minLr": 0.01},
             "losses": plateau_losses,
             "lrs": plateau_sequence(plateau_losses, lr=0.1, factor=0.5, patience=2, cooldown=1, min_lr=0.01)},
            {"options": {"lr": 0.1, "patience": 3},
             "losses": plateau_losses,
             "lrs": plateau_sequence(plateau_losses, lr=0.1, patience=3)},
            {"options": {"lr": 1.0, "mode": "max", "thresholdMode": "abs", "threshold": 0.05,
                         "factor": 0.1, "patience": 1},
             "losses": plateau_scores,
             "lrs": plateau_sequence(plateau_scores, lr=1.0, mode="max", threshold_mode="abs",
                                     threshold=0.05, factor=0.1, patience=1)},
        ],
    }


def main():
    runs = [run(*c) for c in CONFIGS]
    out = {
        "source": f"torch {torch.__version__}, float64",
        "steps": STEPS,
        "problem": {"x": X.tolist(), "y": Y.tolist(), "init": {
            k: {kk: vv.tolist() for kk, vv in v.items()} for k, v in INIT.items()}},
        "runs": runs,
        "schedules": schedules(),
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
