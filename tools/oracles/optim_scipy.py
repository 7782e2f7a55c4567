#!/usr/bin/env python3
"""Reference minima and evaluation counts for the @geoml/optim L-BFGS.

Writes packages/optim/src/__fixtures__/optim_scipy.json with three full-batch
problems: the Rosenbrock function in 2 and 10 dimensions and a logistic
regression on fixed seeded data (mean negative log-likelihood, intercept in the
first column of x). For each: the starting point, the known minimiser (exact
for Rosenbrock, Newton's method iterated to machine precision for the logistic
regression), and scipy's L-BFGS-B result (nit, nfev, distance to the minimiser)
both with its default tolerances and with the tight tolerances the tests use.

Run: /usr/bin/python3 tools/oracles/optim_scipy.py
"""
import json
import os

import numpy as np
import scipy
from scipy.optimize import minimize

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "packages", "optim", "src", "__fixtures__", "optim_scipy.json",
)
# Tolerances of the "tight" runs; the TypeScript tests pass the same values.
TIGHT = {"gtol": 1e-10, "ftol": 0.0}


def rosenbrock(x):
    f = np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    g = np.zeros_like(x)
    g[:-1] += -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return f, g


rng = np.random.default_rng(7)
N, P = 200, 4
X = np.hstack([np.ones((N, 1)), rng.normal(size=(N, P))])
BETA = np.array([-0.5, 1.0, -2.0, 0.5, 0.0])
Y = (rng.uniform(size=N) < 1 / (1 + np.exp(-X @ BETA))).astype(float)


def logistic(b):
    eta = X @ b
    f = np.mean(np.logaddexp(0.0, eta) - Y * eta)
    g = X.T @ (1 / (1 + np.exp(-eta)) - Y) / N
    return f, g


def newton_logistic():
    b = np.zeros(P + 1)
    for _ in range(100):
        eta = X @ b
        mu = 1 / (1 + np.exp(-eta))
        g = X.T @ (mu - Y) / N
        h = (X * (mu * (1 - mu))[:, None]).T @ X / N
        step = np.linalg.solve(h, g)
        b = b - step
        if np.max(np.abs(step)) < 1e-15:
            break
    return b


def scipy_run(fun, x0, xstar, options):
    r = minimize(fun, x0, jac=True, method="L-BFGS-B", options=options)
    return {"nit": int(r.nit), "nfev": int(r.nfev), "fun": float(r.fun),
            "maxAbsError": float(np.max(np.abs(r.x - xstar))), "message": str(r.message)}


def problem(name, fun, x0, xstar, data=None):
    out = {"name": name, "x0": x0.tolist(), "xstar": xstar.tolist(), "fstar": float(fun(xstar)[0]),
           "scipyDefault": scipy_run(fun, x0, xstar, {}),
           "scipyTight": scipy_run(fun, x0, xstar, dict(TIGHT))}
    if data is not None:
        out["data"] = data
    return out


def main():
    x10 = np.array([-1.2, 1.0] * 5)
    out = {
        "source": f"scipy {scipy.__version__} L-BFGS-B (maxcor 10)",
        "tight": TIGHT,
        "problems": [
            problem("rosenbrock2", rosenbrock, np.array([-1.2, 1.0]), np.ones(2)),
            problem("rosenbrock10", rosenbrock, x10, np.ones(10)),
            problem("logistic", logistic, np.zeros(P + 1), newton_logistic(),
                    {"x": X.tolist(), "y": Y.tolist()}),
        ],
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}")
    for p in out["problems"]:
        print(p["name"], p["fstar"], p["scipyDefault"], p["scipyTight"])


if __name__ == "__main__":
    main()
