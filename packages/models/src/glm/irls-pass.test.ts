import { lastPass, setSimd, setThreads, sharedFloat64, simdEnabled } from "@geoml/autodiff";
import type { Family, LinkName } from "@geoml/losses";
import { afterAll, describe, expect, it } from "vitest";
import { float64Family, resolveFamily } from "./family.js";
import { irls, workingValues } from "./irls.js";
import { irlsPass } from "./irls-pass.js";

let seed = 99;
const u = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

/** Draws y in the family's domain; binomial gets proportions with trials as weights. */
const cases = [
  {
    family: "binomial",
    link: "logit",
    y: (m: number) => (u() < m ? 1 : 0),
    trials: false,
    label: "",
  },
  {
    family: "binomial",
    link: "logit",
    y: (m: number) => Math.round(m * 7) / 7,
    trials: true,
    label: " with trials",
  },
  {
    family: "poisson",
    link: "log",
    y: (m: number) => Math.floor(m * 2 * u()),
    trials: false,
    label: "",
  },
  {
    family: "poisson",
    link: "log",
    y: (m: number) => m * 2 * u(),
    trials: false,
    label: " with non-integer y",
  },
  {
    family: "gaussian",
    link: "identity",
    y: (m: number) => m + u() - 0.5,
    trials: false,
    label: "",
  },
  { family: "gamma", link: "log", y: (m: number) => m * (0.2 + 2 * u()), trials: false, label: "" },
] as const;

/** The same family with its link renamed, so IRLS takes the generic tensor path. */
function generic(f: Family): Family {
  return { ...f, link: { ...f.link, name: `${f.link.name} (generic)` as LinkName } };
}

const close = (a: number, b: number, tol: number) =>
  Math.abs(a - b) <= tol * (1 + Math.abs(b)) || (Number.isNaN(a) && Number.isNaN(b));

describe("row kernels", () => {
  for (const c of cases) {
    it(`${c.family}/${c.link}${c.label}: the family's working values and deviance`, () => {
      const family = resolveFamily(c.family, { link: c.link });
      const k = family.rowKernel;
      expect(k?.name).toBe(`${c.family}/${c.link}`);
      const fam = float64Family(family);
      const n = 4000;
      // extremes included: rows where μ is clamped or dμ/dη underflows
      const eta = Float64Array.from({ length: n }, (_, i) =>
        i < 8 ? [-800, -40, -3, 0, 3, 40, 700, 800][i] : (u() - 0.5) * 8,
      );
      if (c.family !== "binomial" && c.family !== "gaussian")
        for (let i = 0; i < 8; i++) eta[i] = Math.max(-700, Math.min(eta[i], 30));
      const offset = Float64Array.from({ length: n }, () => u() - 0.5);
      const mean = fam.mean(eta);
      const y = Float64Array.from(mean, (m) => c.y(m));
      if (c.family === "gamma") for (let i = 0; i < n; i++) y[i] = Math.max(y[i], 1e-3);
      const w = Float64Array.from({ length: n }, (_, i) =>
        i % 17 === 0 ? 0 : c.trials ? 7 : 0.5 + u(),
      );

      const W = new Float64Array(n);
      const z = new Float64Array(n);
      const mu = new Float64Array(n);
      const dev = k!.kernel(eta, offset, y, w, mu, W, z, 0, n, k!.prepare(y));

      const W0 = new Float64Array(n);
      const z0 = new Float64Array(n);
      workingValues(fam.meanDerivative(eta), fam.variance(mean), eta, mean, y, w, offset, W0, z0);
      for (let i = 0; i < n; i++) {
        // the tensor path runs the WebAssembly exp/sigmoid (within 3 ulp of Math.*)
        expect(close(mu[i], mean[i], 1e-15)).toBe(true);
        expect(close(W[i], W0[i], 1e-14)).toBe(true);
        expect(close(z[i], z0[i], 1e-14)).toBe(true);
      }
      expect(close(dev, fam.deviance(y, mean, w), 1e-13)).toBe(true);
    });
  }

  it("tabulate log k for Poisson counts only when every y is a whole number below 4096", () => {
    const countLogs = (y: Float64Array) => resolveFamily("poisson").rowKernel!.prepare(y);
    expect(Array.from(countLogs(Float64Array.of(0, 3, 1)) ?? [])).toEqual([
      0,
      0,
      Math.log(2),
      Math.log(3),
    ]);
    expect(countLogs(Float64Array.of(0, 2.5))).toBeNull();
    expect(countLogs(Float64Array.of(4096))).toBeNull();
  });

  it("are found only for the pairs they implement", () => {
    expect(resolveFamily("binomial", { link: "probit" }).rowKernel).toBeUndefined();
    expect(resolveFamily("poisson", { link: "sqrt" }).rowKernel).toBeUndefined();
    expect(generic(resolveFamily("poisson")).rowKernel).toBeUndefined();
  });
});

function problem(n: number, p: number, c: (typeof cases)[number]) {
  const x = sharedFloat64(n * p);
  for (let i = 0; i < n; i++) {
    x[i] = 1;
    for (let j = 1; j < p; j++) x[j * n + i] = Math.sin(i * 0.013 * j + j) + (u() - 0.5) * 0.5;
  }
  const family = resolveFamily(c.family, { link: c.link });
  const eta = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < p; j++) eta[i] += x[j * n + i] * (j === 0 ? 0.3 : 0.4 / j);
  const mean = float64Family(family).mean(eta);
  const y = Float64Array.from(mean, (m) => c.y(m));
  const w = Float64Array.from({ length: n }, () => (c.trials ? 7 : 1));
  const offset = Float64Array.from({ length: n }, (_, i) => 0.1 * Math.cos(i));
  return { family, prob: { x, n, p, y, w, offset } };
}

describe("IRLS with the one-pass kernels", () => {
  afterAll(() => setThreads(2));

  for (const c of cases) {
    it(`${c.family}/${c.link}${c.label}: the estimate of the generic path, in as many iterations`, () => {
      const { family, prob } = problem(3000, 4, c);
      const fast = irls(float64Family(family), prob);
      const slow = irls(float64Family(generic(family)), prob);
      expect(fast.converged && slow.converged).toBe(true);
      expect(fast.iterations).toBe(slow.iterations);
      for (let j = 0; j < prob.p; j++) expect(close(fast.beta[j], slow.beta[j], 1e-12)).toBe(true);
      expect(close(fast.deviance, slow.deviance, 1e-12)).toBe(true);
      fast.covUnscaled.forEach((v, i) => {
        expect(close(v, slow.covUnscaled[i], 1e-10)).toBe(true);
      });
      for (let i = 0; i < prob.n; i += 97) expect(close(fast.mu[i], slow.mu[i], 1e-12)).toBe(true);
    });
  }

  it("gives the same fit without the WebAssembly kernels", () => {
    const { family, prob } = problem(5000, 5, cases[0]);
    const fam = float64Family(family);
    const was = simdEnabled();
    setSimd(true);
    const simd = irls(fam, prob);
    setSimd(false);
    const plain = irls(fam, prob);
    setSimd(was);
    expect(plain.iterations).toBe(simd.iterations);
    for (let j = 0; j < prob.p; j++) expect(close(plain.beta[j], simd.beta[j], 1e-12)).toBe(true);
    for (let i = 0; i < prob.n; i += 7) expect(close(plain.eta[i], simd.eta[i], 1e-13)).toBe(true);
  });

  it("gives the same fit on one thread and on two", () => {
    const { family, prob } = problem(300_000, 10, cases[2]);
    const fam = float64Family(family);
    setThreads(1);
    const one = irls(fam, prob);
    setThreads(2);
    const two = irls(fam, prob);
    // the family's kernel was imported by the worker from its module in @geoml/losses
    expect(lastPass.threads).toBe(2);
    expect(two.iterations).toBe(one.iterations);
    for (let j = 0; j < prob.p; j++) expect(close(two.beta[j], one.beta[j], 1e-12)).toBe(true);
    expect(close(two.deviance, one.deviance, 1e-13)).toBe(true);
  });
});

describe("the score-only pass", () => {
  const wasSimd = simdEnabled();
  afterAll(() => {
    setSimd(wasSimd);
    setThreads(2);
  });
  // odd and even column counts: the kernel pairs columns; 1301 rows end in a part block
  for (const [p, simd, threads] of [
    [5, true, 1],
    [6, true, 1],
    [5, false, 1],
    [6, true, 2],
  ] as const) {
    it(`gives Xᵀ W (z − η + offset) at β (p = ${p}, ${simd ? "SIMD" : "plain"}, ${threads} thread(s))`, () => {
      // two threads only above the size where a pass splits
      const n = threads > 1 ? 800_001 : 1301;
      const { family, prob } = problem(n, p, cases[2]);
      const k = family.rowKernel!;
      const beta = Float64Array.from({ length: p }, (_, j) => (j === 0 ? 0.2 : 0.1 / j));
      setSimd(simd && wasSimd);
      setThreads(threads);
      const pass = irlsPass(k, prob.x, n, p, prob.y, prob.w, prob.offset);
      const s = pass(beta, true);
      const full = pass(beta);
      expect(lastPass.threads).toBe(threads);
      expect(s.cross).toBeNull();
      expect(close(s.deviance, full.deviance, 1e-14)).toBe(true);
      // the direct sum from the family's own functions
      const fam = float64Family(family);
      const d = fam.meanDerivative(full.eta);
      const v = fam.variance(full.mu);
      for (let j = 0; j < p; j++) {
        let t = 0;
        let scale = 0;
        for (let i = 0; i < n; i++) {
          const term = ((prob.w[i] * d[i]) / v[i]) * (prob.y[i] - full.mu[i]) * prob.x[j * n + i];
          t += term;
          scale += Math.abs(term);
        }
        expect(Math.abs(s.score![j] - t)).toBeLessThan(1e-12 * scale);
      }
    });
  }
});
