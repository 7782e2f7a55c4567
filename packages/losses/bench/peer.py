"""Peer timings for bench/index.ts: PyTorch losses and statsmodels families on the same work.

Reads a JSON job from stdin and prints {"ms": median milliseconds}. The data are drawn
from the same distributions as the TypeScript side (values differ, sizes match).
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from statsmodels.genmod import families as SM

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)  # our kernels are single-threaded


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times))


def run(job):
    rng = np.random.default_rng(1)
    n, kind, repeats = job["n"], job["kind"], job["repeats"]
    eta_np = rng.normal(0, 2, n)
    if kind in ("bernoulli_forward", "bernoulli_grad"):
        eta = torch.tensor(eta_np, requires_grad=kind == "bernoulli_grad")
        y = torch.tensor(rng.integers(0, 2, n).astype(np.float64))

        def f():
            loss = F.binary_cross_entropy_with_logits(eta, y)
            if eta.requires_grad:
                eta.grad = None
                loss.backward()

        return median_ms(f, repeats)
    if kind == "poisson_grad":
        eta = torch.tensor(eta_np * 0.5, requires_grad=True)
        y = torch.tensor(rng.poisson(2.0, n).astype(np.float64))

        def f():
            loss = (torch.exp(eta) - y * eta + torch.lgamma(y + 1)).mean()
            eta.grad = None
            loss.backward()

        return median_ms(f, repeats)
    if kind == "categorical_grad":
        k = job["k"]
        eta = torch.tensor(rng.normal(0, 2, (n, k)), requires_grad=True)
        y = torch.tensor(rng.integers(0, k, n))

        def f():
            loss = F.cross_entropy(eta, y)
            eta.grad = None
            loss.backward()

        return median_ms(f, repeats)
    if kind == "gamma_deviance":
        mu = np.exp(eta_np * 0.3)
        y = rng.gamma(2.0, mu / 2.0)
        w = rng.uniform(0.5, 2.0, n)
        fam = SM.Gamma(SM.links.log())
        return median_ms(lambda: fam.deviance(y, mu, var_weights=w), repeats)
    if kind == "gaussian_loglike":
        mu = eta_np
        y = mu + rng.normal(0, 1, n)
        w = rng.uniform(0.5, 2.0, n)
        fam = SM.Gaussian()
        return median_ms(lambda: fam.loglike(y, mu, var_weights=w, scale=1.3), repeats)
    if kind == "binomial_loglike":
        mu = 1 / (1 + np.exp(-eta_np))
        trials = rng.integers(1, 20, n).astype(np.float64)
        y = rng.binomial(trials.astype(np.int64), mu) / trials
        fam = SM.Binomial()
        fam.n = trials
        return median_ms(lambda: fam.loglike(y, mu), repeats)
    raise ValueError(kind)


print(json.dumps({"ms": run(json.load(sys.stdin))}))
