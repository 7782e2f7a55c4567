/**
 * mgcv's `summary.gam` tables: Wald tests of the parametric coefficients and
 * Wood's (2013) test of each smooth (`testStat`, reference df from edf1). The
 * reference distribution of a smooth with a fractional rank is a weighted sum of χ²₁
 * variables (divided by a scaled χ² when the scale is estimated), evaluated by Davies'
 * algorithm as mgcv's `psum.chisq`; whole ranks use the χ² or F tail.
 */

import { chisqUpper, fUpper, tTwoSided } from "@geoml/losses";
import { normalPValue } from "../glm/stats.js";
import { weightedCrossprod } from "../linalg/index.js";
import { chisqMixtureUpper } from "./davies.js";
import { matmul, symEigen } from "./dense.js";
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

/**
 * Wood (2013) test of one smooth, as mgcv's `testStat(type = 0)`: the statistic, its
 * p-value (`residualDf` ≤ 0 for a known scale) and the reference rank.
 */
function testStat(
  beta: Float64Array,
  R: Float64Array,
  V: Float64Array,
  q: number,
  rank: number,
  residualDf: number,
) {
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
    // below one degree of freedom the statistic uses the leading direction alone
    let s = 0;
    if (k === 0) s = proj(0) ** 2 / e.values[0];
    else for (let c = 0; c < k; c++) s += proj(c) ** 2 / e.values[c];
    d = s;
    d1 = s;
    if (k === 1) rank = 1;
  }
  // the two statistics' p-values are averaged (mgcv: the choice between them is arbitrary)
  const est = residualDf > 0;
  let pValue = 2;
  if (nu > 0) {
    // fractional rank: a weighted sum of χ²₁ terms is the reference distribution
    let weights = [1];
    if (k1 > 1) {
      weights = new Array<number>(k1).fill(1);
      const rp = nu + 1;
      weights[k - 1] = (rp + Math.sqrt(rp * (2 - rp))) / 2;
      weights[k1 - 1] = rp - weights[k - 1];
    }
    const ones = weights.map(() => 1);
    if (!est) pValue = (chisqMixtureUpper(d, weights) + chisqMixtureUpper(d1, weights)) / 2;
    else {
      // P(Σ wᵢχ²₁ − (d/k₀)χ²_k₀ > 0), the F-like ratio with k₀ residual degrees of freedom
      const k0 = Math.max(1, Math.round(residualDf));
      const tail = (stat: number) => chisqMixtureUpper(0, [...weights, -stat / k0], [...ones, k0]);
      pValue = (tail(d) + tail(d1)) / 2;
    }
  }
  if (pValue > 1)
    pValue = est
      ? (fUpper(d / rank, rank, residualDf) + fUpper(d1 / rank, rank, residualDf)) / 2
      : (chisqUpper(d, rank) + chisqUpper(d1, rank)) / 2;
  return { d, pValue: Math.min(1, pValue), rank };
}

/**
 * mgcv's `reTest` (Wood 2013b) for a smooth without a penalty null space, which the
 * test above would treat as a fixed effect: the statistic β̂ᵀCβ̂/φ, where C is the
 * penalised Hessian's Schur complement on the smooth's block (C = φ·(V_p)⁻¹ of the
 * block), referred to Σ eᵢχ²₁ with eᵢ the eigenvalues of V_e·C/φ (V_e the frequentist
 * covariance V_p − V_p S_λ V_p/φ).
 */
function randomEffectTest(r: GamResults, si: number, Vm: Float64Array, residualDf: number) {
  const p = r.beta.length;
  const s = r.smooths[si];
  const q = s.size;
  const phi = r.scale;
  // C = φ Vm⁻¹ through Vm's eigen-decomposition; C^½ for the symmetric eigenproblem
  const ev = symEigen(Vm, q);
  const top = Math.max(ev.values[0], 0);
  const Chalf = new Float64Array(q * q);
  const C = new Float64Array(q * q);
  for (let c = 0; c < q; c++) {
    const lam = ev.values[c];
    if (!(lam > top * 2.220446049250313e-16)) continue;
    for (let a = 0; a < q; a++)
      for (let b = 0; b < q; b++) {
        const vv = ev.vectors[a * q + c] * ev.vectors[b * q + c];
        C[a * q + b] += (phi / lam) * vv;
        Chalf[a * q + b] += Math.sqrt(phi / lam) * vv;
      }
  }
  // (V_p S_λ V_p) on the block: S_λ is block-diagonal over the smooths
  const sp = Object.values(r.sp);
  const VSV = new Float64Array(q * q);
  let k = 0;
  for (const t of r.smooths) {
    const qt = t.size;
    for (const St of t.S) {
      const lambda = sp[k++];
      // rows of V_p: the smooth's block against smooth t's block
      const VS = new Float64Array(q * qt);
      for (let a = 0; a < q; a++)
        for (let c = 0; c < qt; c++) {
          let acc = 0;
          for (let b = 0; b < qt; b++)
            acc += r.vp[(s.first + a) * p + t.first + b] * St[b * qt + c];
          VS[a * qt + c] = lambda * acc;
        }
      for (let a = 0; a < q; a++)
        for (let b = 0; b < q; b++) {
          let acc = 0;
          for (let c = 0; c < qt; c++)
            acc += VS[a * qt + c] * r.vp[(t.first + c) * p + s.first + b];
          VSV[a * q + b] += acc;
        }
    }
  }
  const Ve = Vm.map((v, i) => v - VSV[i] / phi);
  // eigenvalues of C^½ V_e C^½ / φ
  const M = matmul(matmul(Chalf, Ve, q, q, q), Chalf, q, q, q);
  for (let a = 0; a < q; a++)
    for (let b = 0; b < a; b++) {
      const v = (M[a * q + b] + M[b * q + a]) / 2;
      M[a * q + b] = v;
      M[b * q + a] = v;
    }
  const weights = Array.from(symEigen(M, q).values, (v) => Math.max(v / phi, 0));
  const wmax = Math.max(...weights);
  const rank = weights.filter((v) => v > wmax * 2.220446049250313e-16 ** 0.8).length;
  const beta = r.beta.subarray(s.first, s.first + q);
  let stat = 0;
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) stat += beta[a] * C[a * q + b] * beta[b];
  stat /= phi;
  let pValue: number;
  if (residualDf > 0) {
    const k0 = Math.max(1, Math.round(residualDf));
    pValue = chisqMixtureUpper(0, [...weights, -stat / k0], [...weights.map(() => 1), k0]);
  } else pValue = chisqMixtureUpper(stat, weights);
  return { d: stat, pValue: Math.min(1, Math.max(0, pValue)), rank };
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
    const V = new Float64Array(q * q);
    for (let a = 0; a < q; a++)
      for (let b = 0; b < q; b++) V[a * q + b] = r.vp[(s.first + a) * p + s.first + b];
    const beta = r.beta.subarray(s.first, s.first + q);
    const penalised = s.S.length > 0 && s.S.some((S) => S.some((v) => v !== 0));
    const t =
      penalised && s.nullSpaceDim === 0
        ? randomEffectTest(r, si, V, est ? residualDf : -1)
        : testStat(
            beta,
            Float64Array.from(r.smoothR[si]),
            V,
            q,
            Math.min(q, edf1),
            est ? residualDf : -1,
          );
    smooth.push({
      label: s.label,
      edf,
      refDf: t.rank,
      statistic: est ? t.d / t.rank : t.d,
      pValue: t.pValue,
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
  return out.join("\n");
}
