/**
 * mgcv's `summary.gam` tables: Wald tests of the parametric coefficients and
 * Wood's (2013) test of each smooth (`testStat`, reference df from edf1). The
 * p-value of a smooth averages the χ² (known scale) or F (estimated scale) tail
 * at the two rounded ranks, mgcv's fallback; mgcv's exact mixture-of-χ² p-value
 * for non-integer ranks is not reproduced.
 */

import { chisqUpper, fUpper, tTwoSided } from "@geoml/losses";
import { normalPValue } from "../glm/stats.js";
import { weightedCrossprod } from "../linalg/index.js";
import { symEigen } from "./dense.js";
import type { GamResults } from "./results.js";

/** One row of the parametric table. */
export interface ParametricRow {
  name: string;
  estimate: number;
  stdError: number;
  /** t value (estimated scale) or z value (known scale). */
  statistic: number;
  pValue: number;
}

/** One row of the smooth-term table. */
export interface SmoothRow {
  label: string;
  edf: number;
  refDf: number;
  /** F (estimated scale) or χ² (known scale) statistic. */
  statistic: number;
  pValue: number;
}

/** The summary of a GAM. */
export interface SummaryTable {
  parametric: ParametricRow[];
  smooth: SmoothRow[];
  statisticName: "F" | "Chi.sq";
  rSquaredAdj: number;
  devianceExplained: number;
  score: number;
  method: string;
  scale: number;
  n: number;
  residualDf: number;
}

/** R factor of a QR decomposition of an n×q column-major block (via Cholesky of XᵀX). */
export function rFactor(X: Float64Array, n: number, first: number, q: number): Float64Array {
  // the block's cross-product by the SIMD kernel (the columns are contiguous)
  const acc = weightedCrossprod(
    X.subarray(first * n, (first + q) * n),
    n,
    q,
    new Float64Array(n).fill(1),
    new Float64Array(n),
  );
  const A = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) A[a * q + b] = acc[a * (q + 1) + b];
  // upper R with RᵀR = A
  const R = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    let s = A[j * q + j];
    for (let k = 0; k < j; k++) s -= R[k * q + j] ** 2;
    const d = Math.sqrt(Math.max(s, 0));
    R[j * q + j] = d;
    for (let i = j + 1; i < q; i++) {
      let t = A[j * q + i];
      for (let k = 0; k < j; k++) t -= R[k * q + j] * R[k * q + i];
      R[j * q + i] = d > 0 ? t / d : 0;
    }
  }
  return R;
}

/** Wood (2013) statistic of one smooth: stat and reference rank. */
function testStat(beta: Float64Array, R: Float64Array, V: Float64Array, q: number, rank: number) {
  // V ← R V Rᵀ
  const RV = new Float64Array(q * q);
  for (let i = 0; i < q; i++)
    for (let k = i; k < q; k++) {
      const r = R[i * q + k];
      if (r === 0) continue;
      for (let j = 0; j < q; j++) RV[i * q + j] += r * V[k * q + j];
    }
  const W = new Float64Array(q * q);
  for (let i = 0; i < q; i++)
    for (let j = 0; j < q; j++) {
      let s = 0;
      for (let k = j; k < q; k++) s += RV[i * q + k] * R[j * q + k];
      W[i * q + j] = s;
    }
  for (let i = 0; i < q; i++)
    for (let j = 0; j < i; j++) {
      const v = (W[i * q + j] + W[j * q + i]) / 2;
      W[i * q + j] = v;
      W[j * q + i] = v;
    }
  const e = symEigen(W, q);
  let k = Math.max(0, Math.floor(rank));
  let nu = Math.abs(rank - k);
  let k1 = nu > 0 ? k + 1 : k;
  const top = e.values[0];
  let rEst = 0;
  for (const v of e.values) if (v > top * 2.220446e-16 ** 0.9) rEst++;
  if (rEst < k1) {
    k1 = k = rEst;
    nu = 0;
    rank = rEst;
  }
  const Rp = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s = 0;
    for (let j = i; j < q; j++) s += R[i * q + j] * beta[j];
    Rp[i] = s;
  }
  const proj = (c: number) => {
    let s = 0;
    for (let i = 0; i < q; i++) s += e.vectors[i * q + c] * Rp[i];
    return s;
  };
  let d: number;
  let d1: number;
  if (nu > 0 && k > 0) {
    // the last two directions are mixed by B^{1/2} (mgcv's treatment of a fractional rank)
    let s = 0;
    for (let c = 0; c < k - 1; c++) s += proj(c) ** 2 / e.values[c];
    const b12 = Math.sqrt(Math.max(0.5 * nu * (1 - nu), 0));
    const ea = e.values[k - 1] ** -0.5;
    const eb = e.values[k1 - 1] ** -0.5;
    const B = new Float64Array([ea * ea, ea * b12 * eb, ea * b12 * eb, eb * nu * eb]);
    const eB = symEigen(B, 2);
    const rB = new Float64Array(4);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        let t = 0;
        for (let c = 0; c < 2; c++)
          t += eB.vectors[i * 2 + c] * Math.sqrt(Math.max(eB.values[c], 0)) * eB.vectors[j * 2 + c];
        rB[i * 2 + j] = t;
      }
    const pa = proj(k - 1);
    const pb = proj(k1 - 1);
    const u1 = rB[0] * pa + rB[1] * pb;
    const u2 = rB[2] * pa + rB[3] * pb;
    d = s + u1 * u1 + u2 * u2;
    const w1 = -rB[0] * pa + rB[1] * pb;
    const w2 = -rB[2] * pa + rB[3] * pb;
    d1 = s + w1 * w1 + w2 * w2;
  } else {
    let s = 0;
    if (k === 0) for (let c = 0; c < q; c++) s += proj(c) ** 2 / e.values[0];
    else for (let c = 0; c < k; c++) s += proj(c) ** 2 / e.values[c];
    d = s;
    d1 = s;
    if (k === 1) rank = 1;
  }
  return { d, d1, rank };
}

/** Builds the summary tables of a fitted GAM (from the R factors of the smooths' model-matrix blocks). */
export function smoothTests(r: GamResults): SummaryTable {
  const p = r.beta.length;
  const residualDf = r.n - r.edfTotal;
  const est = r.scaleEstimated;
  const firstSmooth = r.smooths.length ? r.smooths[0].first : p;
  const parametric: ParametricRow[] = [];
  for (let j = 0; j < firstSmooth; j++) {
    const se = Math.sqrt(r.vp[j * p + j]);
    const t = r.beta[j] / se;
    parametric.push({
      name: r.coefficientNames[j],
      estimate: r.beta[j],
      stdError: se,
      statistic: t,
      pValue: est ? tTwoSided(t, residualDf) : normalPValue(t),
    });
  }
  const smooth: SmoothRow[] = [];
  r.smooths.forEach((s, si) => {
    const q = s.size;
    let edf = 0;
    let edf1 = 0;
    for (let i = 0; i < q; i++) {
      edf += r.edfCoefficients[s.first + i];
      edf1 += r.edf1[s.first + i];
    }
    const R = Float64Array.from(r.smoothR[si]);
    const V = new Float64Array(q * q);
    for (let a = 0; a < q; a++)
      for (let b = 0; b < q; b++) V[a * q + b] = r.vp[(s.first + a) * p + s.first + b];
    const beta = r.beta.subarray(s.first, s.first + q);
    const t = testStat(beta, R, V, q, Math.min(q, edf1));
    const pv = est
      ? (fUpper(t.d / t.rank, t.rank, residualDf) + fUpper(t.d1 / t.rank, t.rank, residualDf)) / 2
      : (chisqUpper(t.d, t.rank) + chisqUpper(t.d1, t.rank)) / 2;
    smooth.push({
      label: s.label,
      edf,
      refDf: t.rank,
      statistic: est ? t.d / t.rank : t.d,
      pValue: Math.min(1, pv),
    });
  });
  return {
    parametric,
    smooth,
    statisticName: est ? "F" : "Chi.sq",
    rSquaredAdj: r.rSquaredAdj,
    devianceExplained: r.devianceExplained,
    score: r.score,
    method: r.method,
    scale: r.scale,
    n: r.n,
    residualDf,
  };
}

function stars(p: number): string {
  return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : p < 0.1 ? "." : "";
}

function pText(p: number): string {
  return p < 2e-16 ? "<2e-16" : p < 1e-4 ? p.toExponential(2) : p.toPrecision(3);
}

function table(header: string[], rows: string[][]): string {
  const width = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) =>
    cells.map((c, j) => (j === 0 ? c.padEnd(width[j]) : c.padStart(width[j]))).join(" ");
  return [line(header), ...rows.map(line)].join("\n");
}

/** mgcv's `print.summary.gam` layout. */
/** The summary's line for a smoothness selection that stopped before converging. */
export function outerWarning(iterations: number): string {
  return `Warning: the smoothing parameter search stopped after ${iterations} Newton steps without converging; the smoothing parameters are the best found.`;
}

export function formatSummary(r: GamResults, t: SummaryTable): string {
  const out: string[] = [];
  out.push(
    `Family: ${r.family.name}`,
    `Link function: ${r.family.link.name}`,
    "",
    "Formula:",
    r.formula,
    "",
  );
  const est = t.statisticName === "F";
  if (t.parametric.length) {
    out.push("Parametric coefficients:");
    out.push(
      table(
        [
          "",
          "Estimate",
          "Std. Error",
          est ? "t value" : "z value",
          est ? "Pr(>|t|)" : "Pr(>|z|)",
          "",
        ],
        t.parametric.map((p) => [
          p.name,
          p.estimate.toPrecision(5),
          p.stdError.toPrecision(5),
          p.statistic.toFixed(3),
          pText(p.pValue),
          stars(p.pValue),
        ]),
      ),
      "",
    );
  }
  if (t.smooth.length) {
    out.push("Approximate significance of smooth terms:");
    out.push(
      table(
        ["", "edf", "Ref.df", t.statisticName, "p-value", ""],
        t.smooth.map((s) => [
          s.label,
          s.edf.toFixed(3),
          s.refDf.toFixed(3),
          s.statistic.toFixed(3),
          pText(s.pValue),
          stars(s.pValue),
        ]),
      ),
      "",
    );
  }
  out.push(
    `R-sq.(adj) = ${t.rSquaredAdj.toPrecision(3)}   Deviance explained = ${(100 * t.devianceExplained).toPrecision(3)}%`,
  );
  const crit = t.method === "REML" ? "-REML" : t.method === "ML" ? "-ML" : t.method;
  out.push(
    `${crit} = ${t.score.toPrecision(5)}  Scale est. = ${t.scale.toPrecision(5)}  n = ${t.n}`,
  );
  if (!r.converged) out.push("", outerWarning(r.iterations));
  return out.join("\n");
}
