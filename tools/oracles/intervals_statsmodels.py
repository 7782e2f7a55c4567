"""Reference prediction intervals for @geoml/models, computed with statsmodels.

Run from the repository root with Debian's Python:

    /usr/bin/python3 tools/oracles/intervals_statsmodels.py

It writes packages/models/src/glm/__fixtures__/intervals_statsmodels.json: for
GLMs of several families and links (one with a decreasing inverse link), the
confidence interval of the mean from `GLMResults.get_prediction(...).summary_frame(alpha)`
on the response scale (`mean_ci_lower/upper`) and on the link scale
(`pred.linpred.summary_frame(alpha)`), at levels 0.95 and 0.8; for the Gaussian
identity model also statsmodels OLS' `obs_ci_lower/upper` (the prediction
interval with t quantiles, as R's `predict.lm(interval = "prediction")`) and
its t-based `mean_ci_lower/upper`. Data come from fixed seeds.
"""

import json
import os
import warnings

import numpy as np
import patsy
import statsmodels.api as sm
from statsmodels.genmod import families as F
from statsmodels.genmod.families import links as L

warnings.simplefilter("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "models", "src", "glm", "__fixtures__")


def lst(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def columns(rng, n):
    return {
        "x1": rng.normal(0, 1, n),
        "x2": rng.uniform(-1, 1, n),
        "zone": rng.choice(["north", "south", "tropics"], n),
    }


def case(name, family, link, fam, y, cols, rhs, n_new=6):
    X = patsy.dmatrix(rhs, cols, return_type="dataframe")
    res = sm.GLM(y, X, family=fam).fit(tol=1e-14, maxiter=200)
    new = {k: v[:n_new] for k, v in cols.items()}
    Xn = X.iloc[:n_new]
    levels = {}
    for level in (0.95, 0.8):
        alpha = 1 - level
        pred = res.get_prediction(Xn)
        resp = pred.summary_frame(alpha)
        lin = pred.linpred.summary_frame(alpha)
        levels[str(level)] = {
            "mean": lst(resp["mean"]),
            "mean_se": lst(resp["mean_se"]),
            "mean_ci_lower": lst(resp["mean_ci_lower"]),
            "mean_ci_upper": lst(resp["mean_ci_upper"]),
            "link": lst(lin["mean"]),
            "link_se": lst(lin["mean_se"]),
            "link_ci_lower": lst(lin["mean_ci_lower"]),
            "link_ci_upper": lst(lin["mean_ci_upper"]),
        }
        if family == "gaussian" and link == "identity":
            ols = sm.OLS(y, X).fit().get_prediction(Xn).summary_frame(alpha)
            levels[str(level)].update({
                "ols_mean_ci_lower": lst(ols["mean_ci_lower"]),
                "ols_mean_ci_upper": lst(ols["mean_ci_upper"]),
                "obs_ci_lower": lst(ols["obs_ci_lower"]),
                "obs_ci_upper": lst(ols["obs_ci_upper"]),
            })
    return {
        "name": name,
        "family": family,
        "link": link,
        "formula": "y ~ " + rhs,
        "data": {**{k: (lst(v) if np.asarray(v).dtype.kind == "f" else [str(s) for s in v])
                    for k, v in cols.items()}, "y": lst(y)},
        "new": {k: (lst(v) if np.asarray(v).dtype.kind == "f" else [str(s) for s in v])
                for k, v in new.items()},
        "df_resid": float(res.df_resid),
        "scale": float(res.scale),
        "levels": levels,
    }


def main():
    rng = np.random.default_rng(20260612)
    n = 120
    out = []
    c = columns(rng, n)
    eta = 1.0 + 0.8 * c["x1"] - 0.5 * c["x2"] + np.where(c["zone"] == "south", 0.4, 0.0)
    rhs = "x1 + x2 + C(zone)"
    out.append(case("gaussian_identity", "gaussian", "identity", F.Gaussian(L.identity()),
                    eta + rng.normal(0, 0.7, n), c, rhs))
    out.append(case("gaussian_log", "gaussian", "log", F.Gaussian(L.log()),
                    np.exp(0.3 * eta) + rng.normal(0, 0.2, n), c, rhs))
    out.append(case("poisson_log", "poisson", "log", F.Poisson(L.log()),
                    rng.poisson(np.exp(0.5 * eta)).astype(float), c, rhs))
    out.append(case("binomial_logit", "binomial", "logit", F.Binomial(L.logit()),
                    (rng.uniform(size=n) < 1 / (1 + np.exp(-(eta - 1)))).astype(float), c, rhs))
    mu = 1 / (0.5 + 0.1 * (eta - eta.min()))
    out.append(case("gamma_inverse", "gamma", "inverse", F.Gamma(L.inverse_power()),
                    rng.gamma(4.0, mu / 4.0), c, rhs))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "intervals_statsmodels.json"), "w") as f:
        json.dump({"cases": out}, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
