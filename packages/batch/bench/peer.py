"""numpy peer of the per-cell benchmark: vectorised masked normal equations.

Reads the raw float32 grid (T, ny, nx) and design (T, p) written by bench/index.ts, then
times the solve a numpy user writes: ocean cells selected, XᵀX per cell as one matrix
product of the mask with the rows' outer products, Xᵀy, a batched solve, residuals,
standard errors. Prints JSON: seconds per repeat and a few coefficients for agreement.
Run with OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set by the caller.
"""
import json
import sys
import time

import numpy as np

path, design_path, T, ny, nx, p, repeats = sys.argv[1:8]
T, ny, nx, p, repeats = int(T), int(ny), int(nx), int(p), int(repeats)
Y = np.fromfile(path, dtype="<f4").reshape(T, ny * nx)
X = np.fromfile(design_path, dtype="<f8").reshape(T, p)


def fit(Y, X):
    M = np.isfinite(Y)
    n = M.sum(0)
    cells = np.nonzero(n >= X.shape[1])[0]
    Yc = Y[:, cells].astype("f8")
    Mc = M[:, cells]
    Y0 = np.where(Mc, Yc, 0.0)
    Mf = Mc.astype("f8")
    P = (X[:, :, None] * X[:, None, :]).reshape(len(X), -1)
    XtX = (Mf.T @ P).reshape(-1, X.shape[1], X.shape[1])
    Xty = Y0.T @ X
    beta = np.linalg.solve(XtX, Xty[:, :, None])[:, :, 0]
    resid = (Y0 - X @ beta.T) * Mf
    rss = (resid ** 2).sum(0)
    scale = rss / (n[cells] - X.shape[1])
    inv = np.linalg.inv(XtX)
    se = np.sqrt(np.diagonal(inv, axis1=1, axis2=2) * scale[:, None])
    return cells, beta, se


fit(Y[:, :1000], X)  # warm-up
times = []
for _ in range(repeats):
    t = time.perf_counter()
    cells, beta, se = fit(Y, X)
    times.append(time.perf_counter() - t)
pick = [0, len(cells) // 3, len(cells) - 1]
print(json.dumps({
    "seconds": times,
    "cells": int(len(cells)),
    "check": [[int(cells[k]), beta[k].tolist(), se[k].tolist()] for k in pick],
    "numpy": np.__version__,
}))
