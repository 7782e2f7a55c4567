#!/usr/bin/python3
"""High-precision reference values (mpmath, 40 digits) for the scalar special
functions of @geoml/autodiff: erf, erfc, lgamma, digamma, polygamma(1..3).

Writes packages/autodiff/src/__fixtures__/special_mpmath.json. Deterministic; rerun with
    /usr/bin/python3 tools/oracles/autodiff_special_mpmath.py
"""
import json
import os

import mpmath
import numpy as np

mpmath.mp.dps = 40
OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "packages", "autodiff", "src", "__fixtures__", "special_mpmath.json",
)
rng = np.random.default_rng(7)


def pts(*groups):
    out = []
    for g in groups:
        out += [float(v) for v in g]
    return out


near = [1 + d for d in (-0.3, -0.1, -1e-3, -1e-8, 1e-8, 1e-3, 0.1, 0.3)]
near += [2 + d for d in (-0.4, -0.1, -1e-3, -1e-9, 1e-9, 1e-3, 0.1, 0.4)]
xs_lgamma = pts(near, [1e-300, 1e-10, 0.01, 0.25, 0.5, 2.5, 3.7, 7.2, 11.9, 12.1, 30.5, 1e3, 1e6, 1e15],
                rng.uniform(0.05, 60, 40), -rng.uniform(0.05, 30, 30))
xs_lgamma = [x for x in xs_lgamma if x > 0 or abs(x - round(x)) > 0.02]
xs_digamma = pts([0.01, 0.25, 0.5, 1, 1.2, 1.7, 2, 3.3, 9.9, 10.1, 100, 1e5, 1e10, -0.5, -1.5, -2.3],
                 rng.uniform(0.05, 60, 30), -rng.uniform(0.05, 30, 20))
xs_digamma = [x for x in xs_digamma if x > 0 or abs(x - round(x)) > 0.02]
xs_erf = pts([0, 1e-300, 1e-10, 1e-3, 0.5, 0.84, 1.0, 1.25, 1.49, 1.5, 1.51, 2, 2.85, 3, 4, 5, 6, 10, 27],
             rng.uniform(-6, 6, 40))
xs_erfc = pts([-5, -1, -1e-3, 0, 1e-3, 0.5, 1, 1.49, 1.5, 1.51, 2, 3, 4, 5, 8, 10, 15, 20, 26, 27.2],
              rng.uniform(-3, 26, 40))
xs_poly = pts([0.01, 0.3, 0.5, 1, 1.5, 2, 5, 10, 19.9, 20.1, 50, 1e3, 1e5], rng.uniform(0.05, 40, 20),
              -rng.uniform(0.05, 10, 10))
xs_poly = [x for x in xs_poly if x > 0 or abs(x - round(x)) > 0.02]


def f(v):
    return float(v)


data = {
    "erf": [[x, f(mpmath.erf(x))] for x in xs_erf],
    "erfc": [[x, f(mpmath.erfc(x))] for x in xs_erfc],
    "lgamma": [[x, f(mpmath.log(abs(mpmath.gamma(mpmath.mpf(x)))))] for x in xs_lgamma],
    "digamma": [[x, f(mpmath.digamma(x))] for x in xs_digamma],
    "polygamma1": [[x, f(mpmath.polygamma(1, x))] for x in xs_poly],
    "polygamma2": [[x, f(mpmath.polygamma(2, x))] for x in xs_poly],
    "polygamma3": [[x, f(mpmath.polygamma(3, x))] for x in xs_poly],
}
with open(OUT, "w") as fh:
    json.dump(data, fh, separators=(",", ":"))
    fh.write("\n")
print(f"wrote {sum(len(v) for v in data.values())} values to {os.path.normpath(OUT)}")
