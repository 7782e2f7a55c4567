"""Reference tables for @geoml/losses, computed with statsmodels, scipy and R mgcv.

Run from the repository root with Debian's Python:

    /usr/bin/python3 tools/oracles/losses_statsmodels.py

It writes packages/losses/src/__fixtures__/{links,families,special}.json. All
inputs come from fixed seeds, so the output is the same on every run.

What each table holds:
- links.json: for every link, g(mu), g^-1(eta) and dmu/deta from
  statsmodels.genmod.families.links.
- families.json: for every family x link, the inputs (y, eta, mu, prior
  weights, scale) and statsmodels' variance, unit deviance, deviance,
  per-observation log-likelihood and total log-likelihood. Binomial uses the
  two-column (successes, failures) form, so weights are the trials. Tweedie's
  full likelihood is not in statsmodels 0.13 (it returns NaN), so its
  log-likelihood comes from R mgcv::ldTweedie (the series of Dunn & Smyth,
  2005) with dispersion phi / weight. Categorical comes from scipy's
  log_softmax.
- special.json: scipy.special.ndtri / ndtr / log_ndtr values.
- r_aic.json: R's family$aic and deviance (stats, MASS) for some of those cases;
  R evaluates the likelihood of gaussian, Gamma and inverse.gaussian at the
  dispersion deviance / n and adds 2 for it.
- glm.json: small statsmodels GLM fits with prior weights: Pearson chi2,
  estimated scale, llf, AIC and deviance at the fitted mean.
"""

import json
import os
import subprocess

import numpy as np
from scipy import special
from statsmodels.genmod import families as F
from statsmodels.genmod.families import links as L

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "losses", "src", "__fixtures__")
N = 24


def lst(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def link_objects():
    return {
        "identity": L.identity(),
        "log": L.log(),
        "logit": L.logit(),
        "probit": L.probit(),
        "cloglog": L.cloglog(),
        "cauchit": L.cauchy(),
        "inverse": L.inverse_power(),
        "inverse_squared": L.inverse_squared(),
        "sqrt": L.sqrt(),
    }


# eta ranges on which each link maps to a valid mean
ETA_RANGE = {
    "identity": (0.3, 5.0),
    "log": (-2.5, 2.5),
    "logit": (-4.0, 4.0),
    "probit": (-3.0, 3.0),
    "cloglog": (-3.0, 1.5),
    "cauchit": (-6.0, 6.0),
    "inverse": (0.2, 2.0),
    "inverse_squared": (0.2, 2.0),
    "sqrt": (0.4, 3.0),
}


def links_table(rng):
    out = []
    for name, lk in link_objects().items():
        lo, hi = ETA_RANGE[name]
        eta = np.sort(rng.uniform(lo, hi, N))
        mu = lk.inverse(eta)
        out.append(
            {
                "link": name,
                "eta": lst(eta),
                "mu": lst(mu),
                "link_of_mu": lst(lk(mu)),
                "inverse": lst(lk.inverse(eta)),
                "derivative": lst(lk.inverse_deriv(eta)),
            }
        )
    for p in (1 / 3, -0.5, 2.0):
        lk = L.Power(power=p)
        eta = np.sort(rng.uniform(0.3, 3.0, N))
        mu = lk.inverse(eta)
        out.append(
            {
                "link": "power",
                "power": p,
                "eta": lst(eta),
                "mu": lst(mu),
                "link_of_mu": lst(lk(mu)),
                "inverse": lst(lk.inverse(eta)),
                "derivative": lst(lk.inverse_deriv(eta)),
            }
        )
    return out


def tweedie_sample(rng, mu, p, phi):
    lam = mu ** (2 - p) / (phi * (2 - p))
    shape = (2 - p) / (p - 1)
    scale = phi * (p - 1) * mu ** (p - 1)
    counts = rng.poisson(lam)
    return np.array([rng.gamma(shape * c, s) if c > 0 else 0.0 for c, s in zip(counts, scale)])


def ld_tweedie(y, mu, p, phi):
    """log densities from R mgcv::ldTweedie, phi may differ per observation."""
    script = (
        "suppressMessages(library(mgcv));"
        "a <- scan(file('stdin'), quiet=TRUE); n <- length(a) / 3;"
        "y <- a[1:n]; mu <- a[(n+1):(2*n)]; phi <- a[(2*n+1):(3*n)];"
        f"ld <- sapply(1:n, function(i) ldTweedie(y[i], mu[i], p={p!r}, phi=phi[i])[1,1]);"
        "cat(sprintf('%.17g', ld), sep='\\n')"
    )
    inp = "\n".join(repr(float(v)) for v in np.concatenate([y, mu, phi]))
    res = subprocess.run(["Rscript", "-e", script], input=inp, capture_output=True, text=True, check=True)
    return np.array([float(v) for v in res.stdout.split()])


def family_case(name, fam, link_name, y, eta, weights, scale, extra=None, trials=None):
    mu = fam.link.inverse(eta)
    case = {
        "family": name,
        "link": link_name,
        "y": lst(y),
        "eta": lst(eta),
        "mu": lst(mu),
        "weights": lst(weights),
        "scale": scale,
        "variance": lst(fam.variance(mu)),
        "dmu_deta": lst(fam.link.inverse_deriv(eta)),
    }
    if extra:
        case.update(extra)
    if trials is not None:
        # two-column form: statsmodels keeps the trials in family.n
        endog = np.column_stack([y * trials, trials - y * trials])
        prop, n = fam.initialize(endog, np.ones(len(y)))
        fam.n = n
        case["unit_deviance"] = lst(fam._resid_dev(prop, mu) / n)
        case["deviance"] = float(fam.deviance(prop, mu))
        ll_obs = fam.loglike_obs(prop, mu)
        case["loglike_obs"] = lst(ll_obs)
        case["loglike"] = float(np.sum(ll_obs))
        fam.n = 1
        return case
    case["unit_deviance"] = lst(fam._resid_dev(y, mu))
    case["deviance"] = float(fam.deviance(y, mu, var_weights=weights))
    if name == "tweedie":
        p = fam.var_power
        ll_obs = ld_tweedie(y, mu, p, scale / weights)
    else:
        ll_obs = fam.loglike_obs(y, mu, var_weights=weights, scale=scale)
        total = fam.loglike(y, mu, var_weights=weights, scale=scale)
        assert abs(total - np.sum(ll_obs)) <= 1e-9 * abs(total)
    case["loglike_obs"] = lst(ll_obs)
    case["loglike"] = float(np.sum(ll_obs))
    return case


def families_table(rng):
    lk = link_objects()
    cases = []

    def eta_for(link):
        lo, hi = ETA_RANGE[link]
        return rng.uniform(lo, hi, N)

    def weights():
        return rng.uniform(0.5, 2.0, N)

    for link in ("identity", "log", "inverse"):
        fam = F.Gaussian(lk[link])
        eta = eta_for(link)
        mu = fam.link.inverse(eta)
        y = mu + rng.normal(0, 0.8, N)
        cases.append(family_case("gaussian", fam, link, y, eta, weights(), 1.7))

    for link in ("logit", "probit", "cloglog", "cauchit", "log"):
        fam = F.Binomial(lk[link])
        eta = eta_for(link) if link != "log" else rng.uniform(-3.0, -0.1, N)
        mu = fam.link.inverse(eta)
        trials = rng.integers(1, 12, N).astype(np.float64)
        y = rng.binomial(trials.astype(np.int64), mu) / trials
        cases.append(family_case("binomial", fam, link, y, eta, trials, 1.0, trials=trials))
        # Bernoulli: one trial each
        yb = rng.binomial(1, mu).astype(np.float64)
        case = family_case("binomial", fam, link, yb, eta, np.ones(N), 1.0, trials=np.ones(N))
        case["bernoulli"] = True
        cases.append(case)

    for link in ("log", "identity", "sqrt"):
        fam = F.Poisson(lk[link])
        eta = eta_for(link)
        mu = fam.link.inverse(eta)
        y = rng.poisson(mu).astype(np.float64)
        cases.append(family_case("poisson", fam, link, y, eta, weights(), 1.0))

    for link in ("inverse", "log", "identity"):
        fam = F.Gamma(lk[link])
        eta = eta_for(link)
        mu = fam.link.inverse(eta)
        y = rng.gamma(2.0, mu / 2.0)
        cases.append(family_case("gamma", fam, link, y, eta, weights(), 0.6))

    for link in ("inverse_squared", "inverse", "log", "identity"):
        fam = F.InverseGaussian(lk[link])
        eta = eta_for(link)
        mu = fam.link.inverse(eta)
        y = rng.wald(mu, 2.0)
        cases.append(family_case("inverse_gaussian", fam, link, y, eta, weights(), 0.4))

    for theta in (2.0, 0.7):
        for link in ("log", "identity", "sqrt"):
            fam = F.NegativeBinomial(lk[link], alpha=1 / theta)
            eta = eta_for(link)
            mu = fam.link.inverse(eta)
            y = rng.negative_binomial(theta, theta / (theta + mu)).astype(np.float64)
            cases.append(
                family_case("negative_binomial", fam, link, y, eta, weights(), 1.0, {"theta": theta})
            )

    for p in (1.5, 1.2, 1.8):
        for link in ("log", "identity"):
            fam = F.Tweedie(lk[link], var_power=p)
            eta = eta_for(link)
            mu = fam.link.inverse(eta)
            phi = 1.3
            y = tweedie_sample(rng, mu, p, phi)
            cases.append(family_case("tweedie", fam, link, y, eta, weights(), phi, {"power": p}))

    # Categorical: log-softmax of eta (n x K) at the observed class
    for k in (3, 5):
        eta = rng.normal(0, 2.0, (N, k))
        y = rng.integers(0, k, N)
        w = weights()
        logp = special.log_softmax(eta, axis=1)
        ll_obs = w * logp[np.arange(N), y]
        cases.append(
            {
                "family": "categorical",
                "link": "softmax",
                "k": k,
                "y": lst(y),
                "eta": lst(eta),
                "mu": lst(np.exp(logp)),
                "weights": lst(w),
                "scale": 1.0,
                "unit_deviance": lst(-2 * logp[np.arange(N), y]),
                "deviance": float(-2 * np.sum(ll_obs)),
                "loglike_obs": lst(ll_obs),
                "loglike": float(np.sum(ll_obs)),
            }
        )
    return cases


def special_table():
    p = np.concatenate([[1e-300, 1e-100, 1e-20, 2.220446049250313e-16, 1e-10, 1e-5, 0.01, 0.02425, 0.1],
                        np.linspace(0.2, 0.8, 7), [0.9, 0.97575, 0.99, 1 - 1e-5, 1 - 1e-10, 1 - 2.220446049250313e-16]])
    x = np.array([-40.0, -38.0, -20.0, -10.0, -5.0, -1.0, 0.0, 0.5, 2.0, 8.0])
    return {
        "p": lst(p),
        "ndtri": lst(special.ndtri(p)),
        "x": lst(x),
        "ndtr": lst(special.ndtr(x)),
        "log_ndtr": lst(special.log_ndtr(x)),
    }


def glm_table(rng):
    """Fitted GLMs: Pearson chi2, estimated scale, llf and AIC at the fitted mean."""
    import statsmodels.api as sm

    out = []
    n = 40
    x = np.column_stack([np.ones(n), rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)])
    beta = np.array([0.8, 0.5, -0.3])
    w = rng.uniform(0.5, 2.0, n)
    specs = [
        ("gaussian", F.Gaussian(), lambda mu: mu + rng.normal(0, 0.7, n)),
        ("gamma", F.Gamma(L.log()), lambda mu: rng.gamma(3.0, mu / 3.0)),
        ("inverse_gaussian", F.InverseGaussian(L.log()), lambda mu: rng.wald(mu, 4.0)),
        ("poisson", F.Poisson(), lambda mu: rng.poisson(mu).astype(np.float64)),
    ]
    for name, fam, draw in specs:
        mu = fam.link.inverse(x @ beta)
        y = draw(mu)
        res = sm.GLM(y, x, family=fam, var_weights=w).fit()
        out.append(
            {
                "family": name,
                "link": {"gaussian": "identity", "poisson": "log"}.get(name, "log"),
                "y": lst(y),
                "mu": lst(res.mu),
                "weights": lst(w),
                "df_resid": float(res.df_resid),
                "k": int(res.df_model + 1),
                "pearson_chi2": float(res.pearson_chi2),
                "scale": float(res.scale),
                "llf": float(res.llf),
                "aic": float(res.aic),
                "deviance": float(res.deviance),
            }
        )
    return out


R_FAMILY = {
    "gaussian": "gaussian()",
    "gamma": 'Gamma(link = "log")',
    "inverse_gaussian": 'inverse.gaussian(link = "log")',
    "poisson": "poisson()",
    "binomial": "binomial()",
    "negative_binomial": "MASS::negative.binomial(theta = {theta!r})",
}


def r_aic_table(cases):
    """R's family$aic and deviance for some family cases (unit weights except binomial trials)."""
    out = []
    wanted = {
        ("gaussian", "identity"),
        ("gamma", "log"),
        ("inverse_gaussian", "log"),
        ("poisson", "log"),
        ("binomial", "logit"),
        ("negative_binomial", "log"),
    }
    for c in cases:
        key = (c["family"], c["link"])
        if key not in wanted or c.get("bernoulli") or (c.get("theta") not in (None, 2.0)):
            continue
        wanted.discard(key)
        w = c["weights"] if c["family"] == "binomial" else [1.0] * len(c["y"])
        fam = R_FAMILY[c["family"]].format(theta=c.get("theta"))
        vec = lambda v: "c(" + ",".join(repr(float(x)) for x in v) + ")"
        script = (
            f"f <- {fam}; y <- {vec(c['y'])}; mu <- {vec(c['mu'])}; wt <- {vec(w)};"
            "dev <- sum(f$dev.resids(y, mu, wt));"
            "aic <- f$aic(y, rep(1, length(y)), mu, wt, dev);"
            "cat(sprintf('%.17g', c(dev, aic)), sep='\\n')"
        )
        res = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True)
        dev, aic = (float(v) for v in res.stdout.split())
        out.append(
            {
                "family": c["family"],
                "link": c["link"],
                "theta": c.get("theta"),
                "y": c["y"],
                "mu": c["mu"],
                "weights": w,
                "deviance": dev,
                "aic": aic,
                # R adds 2 for the estimated dispersion inside family$aic
                "dispersion_param": c["family"] in ("gaussian", "gamma", "inverse_gaussian"),
            }
        )
    assert not wanted, wanted
    return out


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=None, separators=(",", ":"))
        f.write("\n")


def main():
    rng = np.random.default_rng(20261124)
    write("links.json", links_table(rng))
    families = families_table(rng)
    write("families.json", families)
    write("r_aic.json", r_aic_table(families))
    write("special.json", special_table())
    write("glm.json", glm_table(rng))


if __name__ == "__main__":
    main()
