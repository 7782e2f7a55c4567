"""Reference GLM fits for @geoml/models, computed with statsmodels and scikit-learn.

Run from the repository root with Debian's Python:

    /usr/bin/python3 tools/oracles/glm_statsmodels.py

It writes packages/models/src/glm/__fixtures__/glm_statsmodels.json. Every data
set comes from a fixed seed, so the output is the same on every run.

Each case holds the raw columns, a formula in geoml's syntax, the family, link
and options, and statsmodels' answer: coefficient names (patsy's spelling),
estimates, standard errors, z values, p-values, 95% intervals, deviance, null
deviance, log-likelihood, AIC, BIC (statsmodels `bic_llf`), Pearson chi2,
dispersion, and link-scale predictions with standard errors on the first rows.

Conventions shared with the TypeScript side:
- prior weights are statsmodels `var_weights` (R's `weights`);
- Binomial with trials uses the two-column (successes, failures) response,
  written `cbind(s, f) ~ ...` in geoml;
- Negative Binomial has theta = 1 / alpha (var = mu + mu^2 / theta);
- multinomial is MNLogit (first class is the reference);
- ridge minimises deviance / 2 + lambda / 2 * |beta|^2 (intercept free), so
  sklearn LogisticRegression(C) is lambda = 1 / C, Ridge(alpha) is lambda =
  alpha and PoissonRegressor(alpha) is lambda = n * alpha;
- elastic net minimises deviance / (2 n) + lambda * (a |beta|_1 + (1 - a) / 2
  |beta|^2), as glmnet without standardisation and as sklearn ElasticNet.
"""

import json
import os
import warnings

import numpy as np
import patsy
import statsmodels.api as sm
from sklearn.linear_model import ElasticNet, LogisticRegression, PoissonRegressor, Ridge
from statsmodels.genmod import families as F
from statsmodels.genmod.families import links as L

warnings.simplefilter("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "models", "src", "glm", "__fixtures__")

LINKS = {
    "identity": L.identity,
    "log": L.log,
    "logit": L.logit,
    "probit": L.probit,
    "cloglog": L.cloglog,
    "inverse": L.inverse_power,
    "inverse_squared": L.inverse_squared,
    "sqrt": L.sqrt,
}


def lst(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def make_family(name, link, opts):
    lk = LINKS[link]()
    if name == "gaussian":
        return F.Gaussian(lk)
    if name == "binomial":
        return F.Binomial(lk)
    if name == "poisson":
        return F.Poisson(lk)
    if name == "gamma":
        return F.Gamma(lk)
    if name == "inverse_gaussian":
        return F.InverseGaussian(lk)
    if name == "negative_binomial":
        return F.NegativeBinomial(lk, alpha=1.0 / opts["theta"])
    if name == "tweedie":
        return F.Tweedie(lk, var_power=opts["power"])
    raise ValueError(name)


def base_columns(rng, n):
    lat = rng.uniform(-60, 60, n)
    return {
        "x1": rng.normal(0, 1, n),
        "x2": rng.uniform(-1, 1, n),
        "x3": rng.normal(0.5, 0.7, n),
        "zone": rng.choice(["north", "south", "tropics"], n),
        "lat": lat,
        "area": np.cos(np.deg2rad(lat)),
    }


def glm_case(name, cols, formula_rhs, y, family, link, opts=None, weights=None,
             offset=None, response=None, n_pred=5):
    opts = opts or {}
    fam = make_family(family, link, opts)
    data = {k: v for k, v in cols.items()}
    X = patsy.dmatrix(formula_rhs, data, return_type="dataframe")
    kw = {}
    if weights is not None:
        kw["var_weights"] = data[weights]
    if offset is not None:
        kw["offset"] = data[offset]
    model = sm.GLM(y, X, family=fam, **kw)
    res = model.fit(tol=1e-14, maxiter=200)
    pred = res.get_prediction(X.iloc[:n_pred], offset=None if offset is None else data[offset][:n_pred])
    pred_resp = res.predict(X.iloc[:n_pred], offset=None if offset is None else data[offset][:n_pred])
    llf = float(res.llf)
    out = {
        "name": name,
        "family": family,
        "link": link,
        "options": opts,
        "formula": (response or "y") + " ~ " + formula_rhs,
        "weights": weights,
        "offset": offset,
        "data": {k: (lst(v) if np.asarray(v).dtype.kind == "f" else [str(s) for s in v])
                 for k, v in data.items()},
        "expected": {
            "names": list(X.columns),
            "params": lst(res.params),
            "bse": lst(res.bse),
            "zvalues": lst(res.tvalues),
            "pvalues": lst(res.pvalues),
            "conf_int": [lst(r) for r in np.asarray(res.conf_int(0.05))],
            "deviance": float(res.deviance),
            "null_deviance": float(res.null_deviance),
            "llf": None if np.isnan(llf) else llf,
            "aic": None if np.isnan(llf) else float(res.aic),
            "bic": None if np.isnan(llf) else float(res.bic_llf),
            "pearson_chi2": float(res.pearson_chi2),
            "scale": float(res.scale),
            "df_resid": float(res.df_resid),
            "nobs": float(res.nobs),
            "predict_link": lst(pred.linpred.predicted_mean),
            "predict_link_se": lst(pred.linpred.se_mean),
            "predict_response": lst(pred_resp),
        },
    }
    if isinstance(y, np.ndarray) and y.ndim == 1:
        out["data"]["y"] = lst(y)
    return out


def cases():
    rng = np.random.default_rng(20261124)
    out = []
    n = 240

    # Gaussian identity, unweighted and with cos(lat) area weights.
    c = base_columns(rng, n)
    y = 1.0 + 0.5 * c["x1"] - 2.0 * c["x2"] + rng.normal(0, 0.8, n)
    out.append(glm_case("gaussian_identity", c, "x1 + x2 + x3", y, "gaussian", "identity"))
    out.append(glm_case("gaussian_weighted", c, "x1 + x2 + C(zone)", y, "gaussian", "identity",
                        weights="area"))

    # Bernoulli with three links, formula with an interaction and a factor.
    c = base_columns(rng, n)
    eta = -0.3 + 0.9 * c["x1"] - 1.1 * c["x2"] + 0.4 * c["x1"] * c["x2"]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    out.append(glm_case("binomial_logit", c, "x1 + x2 + x1:x2 + C(zone)", y, "binomial", "logit"))
    out.append(glm_case("binomial_probit", c, "x1 + x2", y, "binomial", "probit"))
    out.append(glm_case("binomial_cloglog", c, "x1 + x2 + x3", y, "binomial", "cloglog"))

    # Binomial with trials: successes and failures.
    c = base_columns(rng, n)
    trials = rng.integers(1, 30, n).astype(float)
    p = 1 / (1 + np.exp(-(0.2 + 0.7 * c["x1"] - 0.5 * c["x3"])))
    succ = rng.binomial(trials.astype(int), p).astype(float)
    c["succ"] = succ
    c["fail"] = trials - succ
    yy = np.column_stack([succ, trials - succ])
    out.append(glm_case("binomial_trials", c, "x1 + x3", yy, "binomial", "logit",
                        response="cbind(succ, fail)"))

    # Poisson log with an offset (log exposure).
    c = base_columns(rng, n)
    c["log_exposure"] = np.log(rng.uniform(0.5, 4.0, n))
    mu = np.exp(0.3 + 0.5 * c["x1"] - 0.4 * c["x2"] + c["log_exposure"])
    y = rng.poisson(mu).astype(float)
    out.append(glm_case("poisson_offset", c, "x1 + x2 + C(zone)", y, "poisson", "log",
                        offset="log_exposure"))
    out.append(glm_case("poisson_weighted", c, "x1 + x2", y, "poisson", "log", weights="area"))

    # Gamma, log and inverse links; a weighted Gamma fit.
    c = base_columns(rng, n)
    mu = np.exp(0.5 + 0.3 * c["x1"] - 0.2 * c["x2"])
    y = rng.gamma(3.0, mu / 3.0)
    out.append(glm_case("gamma_log", c, "x1 + x2", y, "gamma", "log"))
    out.append(glm_case("gamma_inverse", c, "x1 + x2", y, "gamma", "inverse"))
    out.append(glm_case("gamma_weighted", c, "x1 + x2 + x3", y, "gamma", "log", weights="area"))

    # Inverse Gaussian (log link: the canonical one leaves the domain easily).
    c = base_columns(rng, n)
    mu = np.exp(0.4 + 0.3 * c["x1"] - 0.3 * c["x2"])
    y = rng.wald(mu, 4.0)
    out.append(glm_case("inverse_gaussian_log", c, "x1 + x2", y, "inverse_gaussian", "log"))

    # Negative Binomial with known theta.
    c = base_columns(rng, n)
    mu = np.exp(1.0 + 0.6 * c["x1"] - 0.5 * c["x2"])
    theta = 2.0
    y = rng.negative_binomial(theta, theta / (theta + mu)).astype(float)
    out.append(glm_case("negative_binomial", c, "x1 + x2", y, "negative_binomial", "log",
                        {"theta": theta}))

    # Tweedie (compound Poisson-Gamma, power 1.5).
    c = base_columns(rng, n)
    mu = np.exp(0.5 + 0.4 * c["x1"] - 0.3 * c["x2"])
    lam = mu ** 0.5 / (1.0 * 0.5)
    counts = rng.poisson(lam)
    y = np.array([rng.gamma(k, 0.5 * m ** 0.5) if k > 0 else 0.0
                  for k, m in zip(counts, mu)])
    out.append(glm_case("tweedie", c, "x1 + x2", y, "tweedie", "log", {"power": 1.5}))

    # Intercept dropped.
    c = base_columns(rng, n)
    y = rng.poisson(np.exp(0.5 + 0.5 * c["x1"])).astype(float)
    out.append(glm_case("poisson_no_intercept", c, "x1 + x2 - 1", y, "poisson", "log"))
    return out


def multinomial_case():
    rng = np.random.default_rng(7)
    n = 300
    c = base_columns(rng, n)
    X = patsy.dmatrix("x1 + x2", c, return_type="dataframe")
    B = np.array([[0.0, 0.5, -0.4], [0.0, 1.0, -0.8], [0.0, -0.7, 0.9]])
    eta = np.asarray(X) @ B
    prob = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=p) for p in prob]).astype(float)
    res = sm.MNLogit(y, X).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
    data = {k: (lst(v) if np.asarray(v).dtype.kind == "f" else [str(s) for s in v])
            for k, v in c.items()}
    data["y"] = lst(y)
    return {
        "name": "multinomial",
        "formula": "y ~ x1 + x2",
        "data": data,
        "expected": {
            "names": list(X.columns),
            # [p, K - 1], class 0 is the reference
            "params": [lst(r) for r in np.asarray(res.params)],
            "bse": [lst(r) for r in np.asarray(res.bse)],
            "llf": float(res.llf),
            "aic": float(res.aic),
            "bic": float(res.bic),
            "llnull": float(res.llnull),
        },
    }


def penalised_cases():
    rng = np.random.default_rng(11)
    n = 400
    X = rng.normal(0, 1, (n, 5))
    cols = {f"x{j + 1}": X[:, j] for j in range(5)}
    out = []

    eta = 0.2 + X @ np.array([1.0, -0.5, 0.0, 0.3, 0.0])
    yb = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    m = LogisticRegression(C=0.5, penalty="l2", solver="newton-cg", tol=1e-12, max_iter=10000)
    m.fit(X, yb)
    out.append({"name": "ridge_logistic", "family": "binomial", "link": "logit",
                "penalty": {"l2": 1 / 0.5}, "y": lst(yb),
                "intercept": float(m.intercept_[0]), "coef": lst(m.coef_)})

    yg = 1.0 + X @ np.array([2.0, 0.0, -1.0, 0.5, 0.0]) + rng.normal(0, 1, n)
    m = Ridge(alpha=25.0, solver="cholesky").fit(X, yg)
    out.append({"name": "ridge_gaussian", "family": "gaussian", "link": "identity",
                "penalty": {"l2": 25.0}, "y": lst(yg),
                "intercept": float(m.intercept_), "coef": lst(m.coef_)})

    yp = rng.poisson(np.exp(0.3 + X @ np.array([0.4, -0.2, 0.0, 0.1, 0.0]))).astype(float)
    m = PoissonRegressor(alpha=0.01, tol=1e-12, max_iter=10000).fit(X, yp)
    out.append({"name": "ridge_poisson", "family": "poisson", "link": "log",
                "penalty": {"l2": n * 0.01}, "y": lst(yp),
                "intercept": float(m.intercept_), "coef": lst(m.coef_)})

    for lam, a in ((0.1, 0.5), (0.05, 1.0)):
        m = ElasticNet(alpha=lam, l1_ratio=a, tol=1e-14, max_iter=100000).fit(X, yg)
        out.append({"name": f"enet_gaussian_{lam}_{a}", "family": "gaussian", "link": "identity",
                    "elasticNet": {"lambda": lam, "alpha": a}, "y": lst(yg),
                    "intercept": float(m.intercept_), "coef": lst(m.coef_)})
    return {"columns": {k: lst(v) for k, v in cols.items()}, "fits": out}


def main():
    os.makedirs(OUT, exist_ok=True)
    doc = {
        "glm": cases(),
        "multinomial": multinomial_case(),
        "penalised": penalised_cases(),
    }
    path = os.path.join(OUT, "glm_statsmodels.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
