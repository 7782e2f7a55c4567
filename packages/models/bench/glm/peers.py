"""One timed peer fit for the GLM benchmark, in its own process so the peak memory
is its own. Usage:

    /usr/bin/python3 peers.py PREFIX N logit|poisson statsmodels|sklearn

Reads the files written by data.ts (row-major float64), imports the fitter, fits the
first 200,000 rows as a warm-up, then times only the fit to convergence (imports, data
loading and the warm-up stay outside the clock, as they do for geoml) and prints one
JSON line: wall and CPU seconds of the fit, the wall seconds of a second fit of the
same data (scikit-learn only: statsmodels takes ~10 s a fit), the process's peak
resident memory up to the end of the first fit, iterations, the BLAS numpy uses, the
estimate, and last, off every clock (scikit-learn only), fresh memory of the design
matrix's size: a new numpy array filled once, and how much of it the system backed with
transparent huge pages (fit.ts does the same with a WebAssembly memory).
"""
import json
import resource
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_info

warnings.simplefilter("ignore")
prefix, n, case, tool = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
X = np.fromfile(f"{prefix}.x.f64", dtype=np.float64, count=n * 20).reshape(n, 20)
y = np.fromfile(f"{prefix}.{case}.f64", dtype=np.float64, count=n)

if tool == "statsmodels":
    import statsmodels.api as sm
else:
    from sklearn.linear_model import LogisticRegression, PoissonRegressor

def fit(X, y):
    if tool == "statsmodels":
        # adding the intercept column is part of what a statsmodels user runs
        Xc = sm.add_constant(X, prepend=True)
        fam = sm.families.Binomial() if case == "logit" else sm.families.Poisson()
        res = sm.GLM(y, Xc, family=fam).fit()
        return res.params, int(res.fit_history["iteration"])
    if case == "logit":
        m = LogisticRegression(penalty=None, solver="lbfgs", max_iter=1000).fit(X, y)
        return np.concatenate([m.intercept_, m.coef_.ravel()]), int(np.max(m.n_iter_))
    m = PoissonRegressor(alpha=0.0, solver="lbfgs", max_iter=1000).fit(X, y)
    return np.concatenate([[m.intercept_], m.coef_]), int(np.max(m.n_iter_))


# warm-up outside the clock, as fit.ts does: a fit of the first 200,000 rows
head = min(n, 200_000)
fit(X[:head], y[:head])

t0, c0 = time.perf_counter(), time.process_time()
params, iterations = fit(X, y)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
# the peak of the first fit, as for geoml
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
next_seconds = None
if tool == "sklearn":
    t1 = time.perf_counter()
    fit(X, y)
    next_seconds = time.perf_counter() - t1


def huge_pages_mib():
    """AnonHugePages of /proc/self/smaps_rollup in MiB; None where the system does not tell."""
    try:
        with open("/proc/self/smaps_rollup") as f:
            for line in f:
                if line.startswith("AnonHugePages:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


fresh = None
if tool == "sklearn":
    huge0 = huge_pages_mib()
    t2 = time.perf_counter()
    fresh_array = np.empty(n * 21)
    fresh_array.fill(1.0)
    fresh_ms = (time.perf_counter() - t2) * 1000
    huge1 = huge_pages_mib()
    fresh = {
        "ms": fresh_ms,
        "hugeMiB": None if huge0 is None or huge1 is None else huge1 - huge0,
    }
    del fresh_array

# threadpoolctl names every BLAS loaded (OpenBLAS also arrives through LAPACK); the
# libblas.so.3 actually mapped is the one numpy's calls resolve to
with open("/proc/self/maps") as maps:
    libblas = sorted({line.split()[-1] for line in maps if "libblas.so.3" in line})
blas = [f"libblas.so.3 = {', '.join(libblas)}"] + [
    f"{d['internal_api']} {d.get('version')} ({d.get('threading_layer')}, {d['num_threads']} threads)"
    for d in threadpool_info() if d["user_api"] == "blas"]
print(json.dumps({
    "seconds": seconds,
    "nextSeconds": next_seconds,
    "cpuSeconds": cpu,
    "peakMiB": peak,
    "iterations": iterations,
    "blas": blas,
    "params": [float(v) for v in params],
    "fresh": fresh,
}))
