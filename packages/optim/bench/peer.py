"""Peer timings for bench/index.ts: torch.optim and scipy L-BFGS-B on the same work.

Reads a JSON job from stdin, prints JSON timings (milliseconds, median of repeats).
"""
import json
import sys
import time

import numpy as np
import torch
from scipy.optimize import minimize

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


def median_ms(fn, repeats):
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times))


def adam_update(job):
    n, steps = job["n"], job["steps"]
    p = torch.zeros(n, requires_grad=True)
    g = torch.tensor(np.asarray(job["grad"]) if "grad" in job else np.linspace(-1, 1, n))

    def run():
        opt = torch.optim.Adam([p], lr=1e-3)
        for _ in range(steps):
            p.grad = g
            opt.step()

    return {"ms": median_ms(run, job["repeats"]) / steps}


def rosenbrock(x):
    f = np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    g = np.zeros_like(x)
    g[:-1] += -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return f, g


def lbfgs(job):
    if job["problem"] == "rosenbrock":
        fun = rosenbrock
    else:
        X, Y = np.asarray(job["x"]), np.asarray(job["y"])

        def fun(b):
            eta = X @ b
            return np.mean(np.logaddexp(0.0, eta) - Y * eta), X.T @ (1 / (1 + np.exp(-eta)) - Y) / len(Y)

    x0 = np.asarray(job["x0"], dtype=float)
    out = {}
    r = minimize(fun, x0, jac=True, method="L-BFGS-B", options=job["options"])
    out["nfev"] = int(r.nfev)
    out["ms"] = median_ms(lambda: minimize(fun, x0, jac=True, method="L-BFGS-B", options=job["options"]), job["repeats"])
    return out


def mlp_adam(job):
    X, Y = torch.tensor(job["x"]), torch.tensor(job["y"])
    init = job["init"]

    def run():
        w1 = torch.tensor(init["w1"], requires_grad=True)
        b1 = torch.tensor(init["b1"], requires_grad=True)
        w2 = torch.tensor(init["w2"], requires_grad=True)
        b2 = torch.tensor(init["b2"], requires_grad=True)
        opt = torch.optim.Adam([w1, b1, w2, b2], lr=1e-2)
        for _ in range(job["steps"]):
            opt.zero_grad()
            loss = (((torch.tanh(X @ w1 + b1) @ w2 + b2) - Y) ** 2).mean()
            loss.backward()
            opt.step()
        return loss.item()

    return {"ms": median_ms(run, job["repeats"]) / job["steps"]}


JOBS = {"adam_update": adam_update, "lbfgs": lbfgs, "mlp_adam": mlp_adam}

if __name__ == "__main__":
    job = json.load(sys.stdin)
    print(json.dumps(JOBS[job["kind"]](job)))
