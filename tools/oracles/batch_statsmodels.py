#!/usr/bin/python3
"""Per-cell reference fits for @geoml/batch from statsmodels.

A small monthly grid (120 steps x 6 lat x 8 lon, standard calendar) with land cells (all
missing), random gaps, a cell with fewer valid steps than terms and a cell whose valid
steps make the design singular. For every cell:
- Gaussian trend + two harmonics, statsmodels OLS (coefficients, standard errors, RSS, scale);
- Gaussian with another grid variable (`wind`, gaps of its own) as a term: each cell's own
  design, rows where either is missing dropped;
- Poisson counts with trend + one harmonic, statsmodels GLM(Poisson) with tol 1e-13.
t is decimal years since the first step (days / 365.2425), month 1-12.

Run: /usr/bin/python3 tools/oracles/batch_statsmodels.py
Writes packages/batch/src/__fixtures__/cells_statsmodels.json.
"""
import datetime as dt
import json
import os

import numpy as np
import statsmodels.api as sm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "batch", "src", "__fixtures__", "cells_statsmodels.json")

GAUSS = "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12) + cos(4*pi*month/12) + sin(4*pi*month/12)"
POIS = "count ~ t + cos(2*pi*month/12) + sin(2*pi*month/12)"


def nan_list(a):
    return [None if not np.isfinite(x) else float(x) for x in np.asarray(a, dtype="f8").ravel()]


def main():
    rng = np.random.default_rng(18)
    nt, ny, nx = 120, 6, 8
    base = dt.date(2000, 1, 1)
    dates = [dt.date(2000 + i // 12, i % 12 + 1, 15) for i in range(nt)]
    days = np.array([(d - base).days for d in dates], dtype="f8")
    t = (days - days[0]) / 365.2425
    month = np.array([d.month for d in dates], dtype="f8")
    lat = np.linspace(-50, 50, ny)
    lon = np.arange(nx) * 45.0

    trend = rng.normal(0.02, 0.01, size=(ny, nx))
    amp = rng.normal(3, 1, size=(ny, nx))
    sst = (15 + 10 * np.cos(np.deg2rad(lat))[None, :, None] + trend[None] * t[:, None, None]
           + amp[None] * np.cos(2 * np.pi * month / 12)[:, None, None]
           + 0.7 * np.sin(4 * np.pi * month / 12)[:, None, None]
           + rng.normal(0, 0.4, size=(nt, ny, nx))).astype("f4")
    sst[rng.random(sst.shape) < 0.05] = np.nan
    sst[:, 0, :3] = np.nan  # land
    sst[:, 5, 7] = np.nan   # too few valid steps
    sst[[3, 50, 90], 5, 7] = 14.0
    keep = np.isin(month, [1, 7])  # only January and July: singular design
    sst[~keep, 4, 6] = np.nan
    sst[20:100, 3, 2] = np.nan  # mostly missing, still fine

    lam = np.exp(1.0 + 0.05 * t[:, None, None] + 0.4 * np.cos(2 * np.pi * month / 12)[:, None, None]
                 + rng.normal(0, 0.2, size=(1, ny, nx)))
    count = rng.poisson(lam).astype("f8")
    count[rng.random(count.shape) < 0.05] = np.nan
    count[:, 0, :3] = np.nan

    # Another variable on the same grid, with gaps of its own: a per-cell design.
    wind = (5 + 2 * np.sin(2 * np.pi * month / 12)[:, None, None]
            + rng.normal(0, 1, size=(nt, ny, nx))).astype("f4")
    wind[rng.random(wind.shape) < 0.03] = np.nan
    sst_w = sst.astype("f8") + 0.3 * wind.astype("f8")
    sst_w = sst_w.astype("f4")
    cov = {k: [] for k in ["coef", "se", "nobs", "deviance"]}

    Xg = np.column_stack([np.ones(nt), t, np.cos(2 * np.pi * month / 12), np.sin(2 * np.pi * month / 12),
                          np.cos(4 * np.pi * month / 12), np.sin(4 * np.pi * month / 12)])
    Xp = Xg[:, :4]
    g = {k: [] for k in ["coef", "se", "nobs", "deviance", "scale"]}
    pz = {k: [] for k in ["coef", "se", "nobs", "deviance"]}
    for j in range(ny):
        for i in range(nx):
            y = sst[:, j, i].astype("f8")
            ok = np.isfinite(y)
            n = int(ok.sum())
            g["nobs"].append(n)
            if n >= Xg.shape[1] and np.linalg.matrix_rank(Xg[ok]) == Xg.shape[1]:
                r = sm.OLS(y[ok], Xg[ok]).fit()
                g["coef"].append(r.params.tolist()); g["se"].append(r.bse.tolist())
                g["deviance"].append(float(r.ssr)); g["scale"].append(float(r.scale))
            else:
                g["coef"].append(None); g["se"].append(None)
                g["deviance"].append(None); g["scale"].append(None)
            y = sst_w[:, j, i].astype("f8")
            w = wind[:, j, i].astype("f8")
            ok = np.isfinite(y) & np.isfinite(w)
            n = int(ok.sum())
            cov["nobs"].append(n)
            Xc = np.column_stack([np.ones(nt), t, np.cos(2 * np.pi * month / 12), w])
            if n >= 4 and np.linalg.matrix_rank(Xc[ok]) == 4:
                r = sm.OLS(y[ok], Xc[ok]).fit()
                cov["coef"].append(r.params.tolist()); cov["se"].append(r.bse.tolist())
                cov["deviance"].append(float(r.ssr))
            else:
                cov["coef"].append(None); cov["se"].append(None); cov["deviance"].append(None)
            c = count[:, j, i]
            ok = np.isfinite(c)
            n = int(ok.sum())
            pz["nobs"].append(n)
            if n >= Xp.shape[1]:
                r = sm.GLM(c[ok], Xp[ok], family=sm.families.Poisson()).fit(tol=1e-13, maxiter=200)
                pz["coef"].append(r.params.tolist()); pz["se"].append(r.bse.tolist())
                pz["deviance"].append(float(r.deviance))
            else:
                pz["coef"].append(None); pz["se"].append(None); pz["deviance"].append(None)

    out = {
        "gaussian_formula": GAUSS, "poisson_formula": POIS,
        "shape": [nt, ny, nx],
        "time": days.tolist(), "time_units": "days since 2000-01-01", "calendar": "standard",
        "lat": lat.tolist(), "lon": lon.tolist(),
        "sst": nan_list(sst), "count": nan_list(count),
        "gaussian": g, "poisson": pz,
        "covariate_formula": "sst ~ t + cos(2*pi*month/12) + wind",
        "sst_w": nan_list(sst_w), "wind": nan_list(wind), "covariate": cov,
        "singular_cell": [4, 6], "few_cell": [5, 7],
        "statsmodels": sm.__version__,
    }
    with open(OUT, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
