#!/usr/bin/env python3
"""Reference values for the @geoml/models MLP, computed with PyTorch in float64.

Writes packages/models/src/mlp/__fixtures__/mlp_torch.json:
  - "grad": loss and gradient of every parameter for fixed weights and a fixed
    batch (tanh/relu/gelu/elu/sigmoid/softplus nets, with and without layer
    normalisation; Gaussian, Bernoulli-logit, Categorical and heteroscedastic
    Gaussian losses, with per-observation weights).
  - "adam": the loss curve of twenty full-batch Adam steps from fixed weights.

Conventions shared with the TypeScript side: a dense layer stores its weight
as [in, out] (the transpose of torch.nn.Linear) so that h = x W + b; layer
normalisation sits between the affine map and the activation; the training
loss is the weighted mean sum_i nll_i / sum_i w_i of the per-row negative
log-likelihood with prior weights w_i, constants included, as @geoml/losses'
`family.loss` (Gaussian with phi = 1: w (y - mu)^2 / 2 - log(w) / 2 + log(2 pi) / 2;
Bernoulli-logit with 0/1 targets: w (softplus(eta) - y eta); Categorical:
w (logsumexp(eta) - eta_y); heteroscedastic Gaussian: w times the Gaussian NLL
with sigma = softplus(s) + 1e-6).

Run: /usr/bin/python3 tools/oracles/mlp_torch.py
"""
import json
import math
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "packages", "models", "src", "mlp", "__fixtures__", "mlp_torch.json",
)

ACTIVATIONS = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "gelu": torch.nn.functional.gelu,  # exact erf form
    "elu": torch.nn.functional.elu,
    "sigmoid": torch.sigmoid,
    "softplus": torch.nn.functional.softplus,
    "identity": lambda h: h,
}
LN_EPS = 1e-5


def make_params(rng, sizes, layer_norm):
    layers = []
    for i in range(len(sizes) - 1):
        fan_in, fan_out = sizes[i], sizes[i + 1]
        layer = {
            "weight": rng.normal(0, 1 / math.sqrt(fan_in), (fan_in, fan_out)),
            "bias": rng.normal(0, 0.1, (fan_out,)),
        }
        if layer_norm and i < len(sizes) - 2:
            layer["gain"] = 1 + rng.normal(0, 0.1, (fan_out,))
            layer["shift"] = rng.normal(0, 0.1, (fan_out,))
        layers.append(layer)
    return layers


def to_torch(layers):
    return [{k: torch.tensor(v, requires_grad=True) for k, v in layer.items()} for layer in layers]


def forward(tlayers, x, activation):
    act = ACTIVATIONS[activation]
    h = x
    for i, layer in enumerate(tlayers):
        h = h @ layer["weight"] + layer["bias"]
        if i == len(tlayers) - 1:
            break
        if "gain" in layer:
            mean = h.mean(dim=-1, keepdim=True)
            var = ((h - mean) ** 2).mean(dim=-1, keepdim=True)
            h = (h - mean) / torch.sqrt(var + LN_EPS) * layer["gain"] + layer["shift"]
        h = act(h)
    return h


def per_row_loss(loss, eta, y, w):
    """Weighted per-row negative log-likelihood."""
    if loss == "gaussian":
        return 0.5 * w * (y - eta[:, 0]) ** 2 - 0.5 * torch.log(w) + 0.5 * math.log(2 * math.pi)
    return w * unweighted_loss(loss, eta, y)


def unweighted_loss(loss, eta, y):
    if loss == "binomial":
        e = eta[:, 0]
        return torch.nn.functional.softplus(e) - y * e
    if loss == "categorical":
        return torch.logsumexp(eta, dim=1) - eta.gather(1, y.long().unsqueeze(1))[:, 0]
    if loss == "heteroscedastic":
        mu = eta[:, 0]
        sigma = torch.nn.functional.softplus(eta[:, 1]) + 1e-6
        return torch.log(sigma) + 0.5 * ((y - mu) / sigma) ** 2 + 0.5 * math.log(2 * math.pi)
    raise ValueError(loss)


def total_loss(tlayers, x, y, w, activation, loss, weight_decay=0.0):
    eta = forward(tlayers, x, activation)
    value = per_row_loss(loss, eta, y, w).sum() / w.sum()
    if weight_decay > 0:
        # L2 on the dense weights only: (lambda / 2) * sum ||W||^2
        value = value + 0.5 * weight_decay * sum((layer["weight"] ** 2).sum() for layer in tlayers)
    return value


def make_data(rng, n, d, loss, k):
    x = rng.normal(0, 1, (n, d))
    if loss in ("gaussian", "heteroscedastic"):
        y = x[:, 0] - 0.5 * x[:, 1] ** 2 + rng.normal(0, 0.3, n)
    elif loss == "binomial":
        y = (rng.uniform(0, 1, n) < 1 / (1 + np.exp(-x[:, 0]))).astype(float)
    else:
        y = rng.integers(0, k, n).astype(float)
    w = rng.uniform(0.5, 2.0, n)
    return x, y, w


def out_width(loss, k):
    return {"gaussian": 1, "binomial": 1, "categorical": k, "heteroscedastic": 2}[loss]


def plain(layers):
    return [{k: np.asarray(v).tolist() for k, v in layer.items()} for layer in layers]


def grad_case(seed, activation, loss, layer_norm, hidden=(7, 6), n=32, d=5, k=3, weight_decay=0.0):
    rng = np.random.default_rng(seed)
    x, y, w = make_data(rng, n, d, loss, k)
    sizes = [d, *hidden, out_width(loss, k)]
    layers = make_params(rng, sizes, layer_norm)
    t = to_torch(layers)
    value = total_loss(t, torch.tensor(x), torch.tensor(y), torch.tensor(w), activation, loss, weight_decay)
    value.backward()
    grads = [{k: v.grad.numpy().tolist() for k, v in layer.items()} for layer in t]
    return {
        "activation": activation,
        "loss": loss,
        "layerNorm": layer_norm,
        "weightDecay": weight_decay,
        "x": x.tolist(),
        "y": y.tolist(),
        "weights": w.tolist(),
        "params": plain(layers),
        "value": value.item(),
        "grads": grads,
    }


def adam_case(seed, activation, loss, steps=20, lr=0.01, n=64, d=4, hidden=(8, 8), k=3):
    rng = np.random.default_rng(seed)
    x, y, w = make_data(rng, n, d, loss, k)
    layers = make_params(rng, [d, *hidden, out_width(loss, k)], False)
    t = to_torch(layers)
    opt = torch.optim.Adam([p for layer in t for p in layer.values()], lr=lr)
    tx, ty, tw = torch.tensor(x), torch.tensor(y), torch.tensor(w)
    curve = []
    for _ in range(steps):
        opt.zero_grad()
        value = total_loss(t, tx, ty, tw, activation, loss)
        curve.append(value.item())
        value.backward()
        opt.step()
    final = total_loss(t, tx, ty, tw, activation, loss).item()
    return {
        "activation": activation,
        "loss": loss,
        "lr": lr,
        "steps": steps,
        "x": x.tolist(),
        "y": y.tolist(),
        "weights": w.tolist(),
        "params": plain(layers),
        "curve": curve,
        "final": final,
        "finalParams": [{k: v.detach().numpy().tolist() for k, v in layer.items()} for layer in t],
    }


def main():
    cases = []
    seed = 100
    for activation in ("tanh", "relu"):
        for loss in ("gaussian", "binomial", "categorical"):
            seed += 1
            cases.append(grad_case(seed, activation, loss, False))
    for activation in ("gelu", "elu", "sigmoid", "softplus", "tanh"):
        seed += 1
        cases.append(grad_case(seed, activation, "gaussian", True))
    seed += 1
    cases.append(grad_case(seed, "tanh", "heteroscedastic", False))
    seed += 1
    cases.append(grad_case(seed, "relu", "binomial", True, weight_decay=0.1))
    adam = [
        adam_case(7, "tanh", "gaussian"),
        adam_case(8, "relu", "binomial"),
        adam_case(9, "tanh", "categorical"),
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"source": f"torch {torch.__version__}, float64", "grad": cases, "adam": adam}, f)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
