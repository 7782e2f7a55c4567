/**
 * Benchmarks of @geoml/losses against PyTorch, statsmodels and R mgcv on the same
 * work, in one run: `npx -y pnpm@10.34.9 --filter @geoml/losses bench`. Python peers
 * run through /usr/bin/python3 (torch on one thread, as our kernels are
 * single-threaded); the Tweedie peer is `mgcv::ldTweedie` through Rscript.
 */

import { execFileSync } from "node:child_process";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { noGrad, Rng, type Tensor, tensor, valueAndGrad } from "@geoml/autodiff";
import { binomial, categorical, gamma, gaussian, poisson, tweedie } from "../src/index.js";

const peerScript = new URL("./peer.py", import.meta.url).pathname;

function peer(job: Record<string, unknown>): number {
  const out = execFileSync("/usr/bin/python3", [peerScript], {
    input: JSON.stringify(job),
    encoding: "utf8",
  });
  return JSON.parse(out).ms;
}

function medianMs(fn: () => void, repeats: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Median of the peer's own timing loop for mgcv::ldTweedie, in ms. */
function ldTweedieMs(n: number, repeats: number): number {
  const script = `suppressMessages(library(mgcv)); set.seed(1); n <- ${n};
mu <- exp(rnorm(n, 0, 0.5)); y <- ifelse(runif(n) < 0.3, 0, rgamma(n, 2, 1));
invisible(ldTweedie(y, mu, p = 1.5, phi = 1.2))
t <- replicate(${repeats}, system.time(ldTweedie(y, mu, p = 1.5, phi = 1.2))[["elapsed"]]);
cat(median(t) * 1000)`;
  return Number(execFileSync("Rscript", ["-e", script], { encoding: "utf8" }));
}

interface Row {
  case: string;
  ours: number;
  peer: number;
  peerName: string;
}
const rows: Row[] = [];
const rng = new Rng(1);
const n = 100_000;
const repeats = 15;

const bernoulliEta = rng.normal([n], { std: 2 });
const bernoulliY = tensor(Float64Array.from({ length: n }, (_, i) => i % 2));
const bern = binomial();

rows.push({
  case: `Bernoulli-logit loss, n = ${n.toLocaleString("en")}`,
  ours: medianMs(() => noGrad(() => bern.loss(bernoulliEta, bernoulliY)), repeats),
  peer: peer({ kind: "bernoulli_forward", n, repeats }),
  peerName: "torch BCE-with-logits",
});
rows.push({
  case: "Bernoulli-logit loss + ∂/∂η",
  ours: medianMs(
    () => valueAndGrad((e: Tensor) => bern.loss(e, bernoulliY))(bernoulliEta),
    repeats,
  ),
  peer: peer({ kind: "bernoulli_grad", n, repeats }),
  peerName: "torch BCE-with-logits backward",
});

const counts = tensor(Float64Array.from({ length: n }, (_, i) => (i * 7) % 5));
const pois = poisson();
const poisEta = rng.normal([n], { std: 1 });
rows.push({
  case: "Poisson-log full NLL + ∂/∂η",
  ours: medianMs(() => valueAndGrad((e: Tensor) => pois.loss(e, counts))(poisEta), repeats),
  peer: peer({ kind: "poisson_grad", n, repeats }),
  peerName: "torch exp − yη + lgamma, backward",
});

const k = 10;
const catEta = rng.normal([n, k], { std: 2 });
const classes = tensor(Float64Array.from({ length: n }, (_, i) => (i * 3) % k));
const cat = categorical(k);
rows.push({
  case: `Categorical K = ${k} loss + ∂/∂η`,
  ours: medianMs(() => valueAndGrad((e: Tensor) => cat.loss(e, classes))(catEta), 7),
  peer: peer({ kind: "categorical_grad", n, k, repeats: 7 }),
  peerName: "torch cross_entropy backward",
});

const weights = rng.uniform([n], { low: 0.5, high: 2 });
const gammaMu = rng.uniform([n], { low: 0.5, high: 3 });
const gammaY = rng.uniform([n], { low: 0.1, high: 5 });
const gam = gamma("log");
rows.push({
  case: "Gamma deviance (weighted)",
  ours: medianMs(() => noGrad(() => gam.deviance(gammaY, gammaMu, weights)), repeats),
  peer: peer({ kind: "gamma_deviance", n, repeats }),
  peerName: "statsmodels Gamma.deviance",
});
const gau = gaussian();
rows.push({
  case: "Gaussian log-likelihood (weighted)",
  ours: medianMs(
    () => noGrad(() => gau.logLikelihood(gammaY, gammaMu, { weights, scale: 1.3 })),
    repeats,
  ),
  peer: peer({ kind: "gaussian_loglike", n, repeats }),
  peerName: "statsmodels Gaussian.loglike",
});
const trials = tensor(Float64Array.from({ length: n }, (_, i) => 1 + (i % 19)));
const props = tensor(
  Float64Array.from({ length: n }, (_, i) => ((i * 5) % (2 + (i % 19))) / (1 + (i % 19))),
);
const binMu = rng.uniform([n], { low: 0.05, high: 0.95 });
rows.push({
  case: "Binomial log-likelihood (trials 1–19)",
  ours: medianMs(
    () => noGrad(() => bern.logLikelihood(props, binMu, { weights: trials })),
    repeats,
  ),
  peer: peer({ kind: "binomial_loglike", n, repeats }),
  peerName: "statsmodels Binomial.loglike",
});

const nt = 20_000;
const tw = tweedie({ power: 1.5 });
const twMu = rng.uniform([nt], { low: 0.5, high: 2 });
const twY = tensor(
  Float64Array.from({ length: nt }, (_, i) => (i % 10 < 3 ? 0 : 0.2 + ((i * 37) % 100) / 25)),
);
rows.push({
  case: `Tweedie p = 1.5 log-likelihood, n = ${nt.toLocaleString("en")}`,
  // a fresh y tensor each time, so the series cache never hits (as R's first call)
  ours: medianMs(() => noGrad(() => tw.logLikelihood(tensor(twY.data), twMu, { scale: 1.2 })), 7),
  peer: ldTweedieMs(nt, 7),
  peerName: "R mgcv::ldTweedie",
});

// a markdown table, as docs/benchmarks.md shows it (`pnpm bench` puts it there)
console.log("<!-- bench:losses -->");
console.log("| case | geoml ms | peer ms | ratio | peer |");
console.log("| --- | ---: | ---: | ---: | --- |");
for (const r of rows)
  console.log(
    `| ${r.case} | ${r.ours.toFixed(2)} | ${r.peer.toFixed(2)} | ${(r.ours / r.peer).toFixed(2)} | ${r.peerName} |`,
  );
console.log(
  `\nratio = geoml time / peer time (below 1: geoml faster); median of repeats; node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} at the end`,
);
console.log("<!-- /bench:losses -->");
