/**
 * The categorical family as mgcv's `multinom(K)`: classes 0…K, class 0 the reference
 * (η₀ = 0), K linear predictors η_k = X β_k, each with its own copy of every smooth and
 * its own smoothing parameters (mgcv names them `s(x)`, `s.1(x)`, …). The inner fit is
 * penalised Newton on the multinomial log-likelihood; the outer iteration minimises the
 * Laplace-approximate REML (or ML) criterion −ℓ + βᵀSβ/2 + log|H|/2 − log|S|₊/2 −
 * M_p/2·log 2π, as mgcv's general-family REML.
 */
import type { Family } from "@geoml/losses";
import { checkPredictOptions } from "../contract/predict.js";
import type { NewData, Prediction, PredictOptions, Results } from "../contract/results.js";
import type { DataFrame, Design, DesignInfo } from "../formula/design.js";
import { linearPredictor, weightedCrossprod } from "../linalg/index.js";
import type { GamMethod, Penalty } from "./criterion.js";
import { givenLogSp, logDetPenalty, penaltyBlocks, totalPenalty } from "./criterion.js";
import {
  type ScaledCholesky,
  scaledCholesky,
  scaledInverse,
  scaledLogDet,
  scaledSolve,
  symEigen,
} from "./dense.js";
import { GamError } from "./errors.js";
import { type MultinomData, type MultinomFit, probabilities } from "./multinom-data.js";
import { multinomGradient } from "./multinom-gradient.js";
import { newtonOuter } from "./outer.js";
import { gamModelMatrix } from "./results.js";
import type { SmoothInfo } from "./smooth.js";
import { outerWarning } from "./summary.js";

function logLik(d: MultinomData, P: Float64Array): number {
  let ll = 0;
  for (let i = 0; i < d.n; i++)
    ll += d.w[i] * Math.log(Math.max(P[i * (d.K + 1) + d.y[i]], 1e-300));
  return ll;
}

const quad = (S: Float64Array, b: Float64Array, q: number) => {
  let s = 0;
  for (let i = 0; i < q; i++) {
    let t = 0;
    for (let j = 0; j < q; j++) t += S[i * q + j] * b[j];
    s += b[i] * t;
  }
  return s;
};

/** Penalised Newton iterations to convergence. */
function innerMultinom(d: MultinomData, St: Float64Array, start: Float64Array | null): MultinomFit {
  const { n, p, K } = d;
  const q = K * p;
  let beta = start ? Float64Array.from(start) : new Float64Array(q);
  let P = probabilities(d, beta);
  let ll = logLik(d, P);
  let obj = -ll + quad(St, beta, q) / 2;
  const zero = new Float64Array(n);
  let hess = new Float64Array(q * q);
  let chol: ScaledCholesky | null = null;
  for (let iter = 0; iter < 100; iter++) {
    // −∇²ℓ blocks X' diag(w p_k (δ_kl − p_l)) X and the gradient of ℓ
    hess = new Float64Array(q * q);
    const grad = new Float64Array(q);
    for (let k = 0; k < K; k++) {
      const r = new Float64Array(n);
      for (let i = 0; i < n; i++)
        r[i] = d.w[i] * ((d.y[i] === k + 1 ? 1 : 0) - P[i * (K + 1) + k + 1]);
      for (let j = 0; j < p; j++) {
        let s = 0;
        const o = j * n;
        for (let i = 0; i < n; i++) s += d.X[o + i] * r[i];
        grad[k * p + j] = s;
      }
      for (let l = 0; l <= k; l++) {
        const wkl = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const pk = P[i * (K + 1) + k + 1];
          const pl = P[i * (K + 1) + l + 1];
          wkl[i] = d.w[i] * pk * ((k === l ? 1 : 0) - pl);
        }
        const acc = weightedCrossprod(d.X, n, p, wkl, zero);
        for (let a = 0; a < p; a++)
          for (let b = 0; b < p; b++) {
            const v = acc[a * (p + 1) + b];
            hess[(k * p + a) * q + l * p + b] = v;
            hess[(l * p + b) * q + k * p + a] = v;
          }
      }
    }
    const H = new Float64Array(q * q);
    for (let i = 0; i < q * q; i++) H[i] = hess[i] + St[i];
    chol = scaledCholesky(H, q);
    if (!chol) {
      for (let i = 0; i < q; i++) H[i * q + i] += 1e-8 * (1 + H[i * q + i]);
      chol = scaledCholesky(H, q);
      if (!chol)
        throw new GamError(
          "NOT_CONVERGED",
          "multinomial GAM: the penalised Hessian is not positive definite",
        );
    }
    // Newton step on −ℓ + βᵀSβ/2
    const rhs = new Float64Array(q);
    for (let i = 0; i < q; i++) {
      let s = 0;
      for (let j = 0; j < q; j++) s += St[i * q + j] * beta[j];
      rhs[i] = grad[i] - s;
    }
    const step = scaledSolve(chol, rhs);
    // convergence from the full Newton step's size (see pirls.ts)
    let change = 0;
    let size = 0;
    for (let i = 0; i < q; i++) {
      change = Math.max(change, Math.abs(step[i]));
      size = Math.max(size, Math.abs(beta[i] + step[i]));
    }
    let t = 1;
    let next = beta;
    let nextP = P;
    let nextLl = ll;
    let nextObj = obj;
    for (let h = 0; h < 40; h++) {
      next = beta.map((v, i) => v + t * step[i]);
      nextP = probabilities(d, next);
      nextLl = logLik(d, nextP);
      nextObj = -nextLl + quad(St, next, q) / 2;
      if (nextObj <= obj + 1e-11 * Math.abs(obj)) break;
      t /= 2;
    }
    beta = next;
    P = nextP;
    ll = nextLl;
    // done when the Newton step is negligible, or when halving finds no decrease left
    // (a separable direction can leave steps large while the objective no longer moves)
    const stalled = Math.abs(obj - nextObj) <= (t < 1 ? 1e-14 : 1e-13) * (Math.abs(obj) + 0.1);
    obj = nextObj;
    const done = change <= 1e-10 * (size + 1e-3) || stalled;
    if (done && iter > 0) break;
  }
  return { beta, hess, chol: chol as ScaledCholesky, logLik: ll, penalty: quad(St, beta, q) };
}

/** mgcv's label of a smooth in linear predictor k (0-based): `s(x)`, `s.1(x)`, …. */
export function predictorLabel(label: string, k: number): string {
  return k === 0 ? label : label.replace(/^(s|te)\(/, `$1.${k}(`);
}

/** Everything needed by {@link fitMultinomGam}. */
export interface MultinomInput {
  formula: string;
  family: Family;
  method: GamMethod;
  design: Design;
  smooths: SmoothInfo[];
  X: Float64Array;
  n: number;
  p: number;
  w: Float64Array;
  classes: string[];
  y: Int32Array;
  sp?: Readonly<Record<string, number>> | readonly number[];
  maxOuterIter?: number;
}

/** The criterion of a multinomial GAM and its gradient (internal: the fit and the tests use it). */
export function multinomCriterion(f: MultinomInput) {
  if (f.method !== "REML" && f.method !== "ML")
    throw new GamError(
      "METHOD_FAMILY",
      `gam(): the categorical family is fitted by REML or ML (as mgcv's multinom), not ${f.method}`,
      "method",
    );
  const K = f.classes.length - 1;
  const { n, p } = f;
  const d: MultinomData = { X: f.X, n, p, K, y: f.y, w: f.w };
  const penalties: Penalty[] = [];
  const spNames: string[] = [];
  const ranks: number[][] = [];
  for (let k = 0; k < K; k++)
    for (const s of f.smooths) {
      s.S.forEach((S, j) => {
        penalties.push({ first: k * p + s.first, size: s.size, S: Float64Array.from(S) });
        const lab = predictorLabel(s.label, k);
        spNames.push(s.S.length > 1 ? `${lab}${j + 1}` : lab);
      });
      if (s.S.length) ranks.push([...s.ranks]);
    }
  const blocks = penaltyBlocks(penalties, ranks);
  const q = K * p;
  const Mp = q - blocks.reduce((a, b) => a + b.rank, 0);
  const evaluate = (rho: Float64Array, start: Float64Array | null) => {
    const St = totalPenalty(q, penalties, Array.from(rho, Math.exp));
    const fit = innerMultinom(d, St, start);
    let ldH: number;
    let mTerm = Mp;
    if (f.method === "REML") ldH = scaledLogDet(fit.chol);
    else {
      mTerm = 0;
      // log|U_rᵀ H U_r| over the penalised coefficients
      const idx: { first: number; size: number; rank: number; range: Float64Array; c: number }[] =
        [];
      for (const b of blocks) for (let c = 0; c < b.rank; c++) idx.push({ ...b, c });
      const r = idx.length;
      const M = new Float64Array(r * r);
      for (let a = 0; a < r; a++)
        for (let b2 = 0; b2 < r; b2++) {
          const ua = idx[a];
          const ub = idx[b2];
          let s = 0;
          for (let t = 0; t < ua.size; t++)
            for (let u = 0; u < ub.size; u++)
              s +=
                ua.range[t * ua.rank + ua.c] *
                (fit.hess[(ua.first + t) * q + ub.first + u] +
                  St[(ua.first + t) * q + ub.first + u]) *
                ub.range[u * ub.rank + ub.c];
          M[a * r + b2] = s;
        }
      const e = symEigen(M, r);
      ldH = 0;
      for (let t = 0; t < r; t++) ldH += Math.log(e.values[t]);
    }
    const ldS = logDetPenalty(blocks, penalties, rho);
    const score =
      -fit.logLik + fit.penalty / 2 + ldH / 2 - ldS / 2 - (mTerm / 2) * Math.log(2 * Math.PI);
    return { score, fit, St };
  };
  const gradient = (rho: Float64Array, ev: ReturnType<typeof evaluate>) =>
    multinomGradient(d, penalties, blocks, f.method === "REML", rho, ev.fit, ev.St);
  return { d, K, q, penalties, blocks, spNames, evaluate, gradient };
}

/** Fits the K linear predictors and chooses their smoothing parameters. */
export function fitMultinomGam(f: MultinomInput): MultinomGamResults {
  const { n, p } = f;
  const { d, K, q, penalties, spNames, evaluate, gradient } = multinomCriterion(f);
  let rho: Float64Array;
  let iterations = 0;
  let converged = true;
  let best: ReturnType<typeof evaluate>;
  if (f.sp !== undefined) {
    rho = givenLogSp(f.sp, spNames);
    best = evaluate(rho, null);
  } else {
    // start with each penalty as large as a quarter of its block of XᵀX (p(1−p) ≤ 1/4)
    rho = Float64Array.from(penalties, (pen) => {
      let a = 0;
      let b = 0;
      for (let t = 0; t < pen.size; t++) {
        const sd = pen.S[t * pen.size + t];
        if (sd > 0) {
          const col = (pen.first % p) + t;
          let s = 0;
          for (let i = 0; i < n; i++) s += f.w[i] * f.X[col * n + i] ** 2;
          a += s / 4;
          b += sd;
        }
      }
      return b > 0 && a > 0 ? Math.log(a / b) : 0;
    });
    const out = newtonOuter(evaluate, rho, {
      maxIter: f.maxOuterIter,
      gradient,
    });
    rho = out.rho;
    best = out.best;
    iterations = out.iterations;
    converged = out.converged;
  }
  // edf = diag((H + S)⁻¹ H), Vp = (H + S)⁻¹
  const Hi = scaledInverse(best.fit.chol);
  const edf = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s = 0;
    for (let k = 0; k < q; k++) s += Hi[i * q + k] * best.fit.hess[k * q + i];
    edf[i] = s;
  }
  const baseNames = [
    ...f.design.info.names.map((nm) =>
      nm === "Intercept" ? "(Intercept)" : nm.replace(/\[(?:T\.)?([^\]]*)\]/g, "$1"),
    ),
    ...f.smooths.flatMap((s) => Array.from({ length: s.size }, (_, i) => `${s.label}.${i + 1}`)),
  ];
  const names: string[] = [];
  for (let k = 0; k < K; k++)
    for (let j = 0; j < p; j++) {
      if (k === 0) names.push(baseNames[j]);
      else if (j < f.smooths[0]?.first || f.smooths.length === 0)
        names.push(`${baseNames[j]}.${k}`);
      else {
        const s = f.smooths.find((t) => j >= t.first && j < t.first + t.size) as SmoothInfo;
        names.push(`${predictorLabel(s.label, k)}.${j - s.first + 1}`);
      }
    }
  const json: MultinomGamJSON = {
    kind: "gam",
    formatVersion: 1,
    family: "multinom",
    formula: f.formula,
    method: f.method,
    classes: f.classes,
    designInfo: f.design.info,
    smooths: f.smooths,
    p,
    coefficientNames: names,
    coefficients: [...best.fit.beta],
    vp: [...Hi],
    edf: [...edf],
    sp: Object.fromEntries(spNames.map((nm, j) => [nm, Math.exp(rho[j])])),
    score: best.score,
    logLik: best.fit.logLik,
    n,
    converged,
    iterations,
  };
  return new MultinomGamResults(json, probabilities(d, best.fit.beta));
}

/** The JSON form of a multinomial GAM. */
export interface MultinomGamJSON {
  kind: "gam";
  formatVersion: 1;
  family: "multinom";
  formula: string;
  method: GamMethod;
  classes: string[];
  designInfo: DesignInfo;
  smooths: SmoothInfo[];
  p: number;
  coefficientNames: string[];
  coefficients: number[];
  vp: number[];
  edf: number[];
  sp: Record<string, number>;
  score: number;
  logLik: number;
  n: number;
  converged: boolean;
  iterations: number;
}

/** A fitted multinomial GAM (mgcv's `multinom(K)`). */
export class MultinomGamResults implements Results {
  readonly kind = "gam" as const;
  readonly classes: string[];
  readonly coefficients: Record<string, number>;
  readonly sp: Record<string, number>;
  readonly score: number;
  /** Σ log p(yᵢ) at the estimate; the deviance is −2 logLik. */
  readonly logLik: number;
  readonly converged: boolean;
  private readonly j: MultinomGamJSON;
  private readonly fitted: Float64Array | null;

  /** @param j the saved form; @param fitted class probabilities of the fitting rows, when fitted here. */
  constructor(j: MultinomGamJSON, fitted: Float64Array | null = null) {
    this.j = j;
    this.fitted = fitted;
    this.classes = j.classes;
    this.coefficients = Object.fromEntries(
      j.coefficientNames.map((nm, i) => [nm, j.coefficients[i]]),
    );
    this.sp = j.sp;
    this.score = j.score;
    this.logLik = j.logLik;
    this.converged = j.converged;
  }

  /** Sum of the edf of all coefficients (mgcv's `sum(b$edf)`). */
  get edfTotal(): number {
    return this.j.edf.reduce((a, b) => a + b, 0);
  }

  /** edf per smooth and linear predictor, keyed by mgcv's labels (`s(x)`, `s.1(x)`). */
  get edf(): Record<string, number> {
    const out: Record<string, number> = {};
    const K = this.classes.length - 1;
    for (let k = 0; k < K; k++)
      for (const s of this.j.smooths) {
        let e = 0;
        for (let i = 0; i < s.size; i++) e += this.j.edf[k * this.j.p + s.first + i];
        out[predictorLabel(s.label, k)] = e;
      }
    return out;
  }

  /** Class probabilities of the fitting rows (one array per row), when fitted in this session. */
  fittedProbabilities(): number[][] | null {
    const f = this.fitted;
    if (!f) return null;
    const w = this.classes.length;
    return Array.from({ length: f.length / w }, (_, i) => Array.from(f.subarray(i * w, i * w + w)));
  }

  /** −2 log-likelihood. */
  get deviance(): number {
    return -2 * this.logLik;
  }

  /**
   * Class probabilities at new data (`fit`: rows × classes, row-major, classes in
   * `classes` order), or the K linear predictors with `type: "link"` (width K).
   */
  predict(newdata: NewData, options: PredictOptions = {}): Prediction {
    const o = checkPredictOptions(options, "MultinomGamResults.predict");
    if (o.se || o.interval !== undefined)
      throw new GamError(
        "BAD_OPTION",
        "MultinomGamResults.predict: standard errors and intervals are not available for class probabilities",
        o.se ? "se" : "interval",
      );
    if (options.offset !== undefined)
      throw new GamError(
        "BAD_OPTION",
        "MultinomGamResults.predict: offsets are not supported",
        "offset",
      );
    if (Array.isArray(newdata))
      throw new GamError(
        "BAD_OPTION",
        "MultinomGamResults.predict: new data must be named columns",
        "newdata",
      );
    const j = this.j;
    const { X, n, offset, rows } = gamModelMatrix(
      { formula: j.formula, designInfo: j.designInfo, smooths: j.smooths, p: j.p },
      newdata as DataFrame,
      o.missing,
    );
    if (offset)
      throw new GamError(
        "BAD_OPTION",
        "MultinomGamResults.predict: offsets are not supported",
        "offset",
      );
    const K = this.classes.length - 1;
    const beta = Float64Array.from(j.coefficients);
    if (o.type === "link") {
      const out = new Float64Array(n * K);
      for (let k = 0; k < K; k++) {
        const e = linearPredictor(X, n, j.p, beta.subarray(k * j.p, (k + 1) * j.p), null);
        for (let i = 0; i < n; i++) out[i * K + k] = e[i];
      }
      return { rows, type: "link", fit: out, width: K };
    }
    const d: MultinomData = { X, n, p: j.p, K, y: new Int32Array(n), w: new Float64Array(n) };
    return {
      rows,
      type: "response",
      fit: probabilities(d, beta),
      width: K + 1,
      classes: this.classes,
    };
  }

  /** A short text summary: smoothing parameters and edf per linear predictor. */
  summary(): string {
    const lines = [
      "Family: multinom",
      `Classes: ${this.classes.join(", ")} (reference ${this.classes[0]})`,
      "",
      "Formula:",
      this.j.formula,
      "",
      "Smooth terms:",
      ...Object.entries(this.edf).map(([k, v]) => `  ${k.padEnd(20)} edf ${v.toFixed(3)}`),
      "",
      `${this.j.method === "REML" ? "-REML" : "-ML"} = ${this.score.toPrecision(6)}  n = ${this.j.n}`,
    ];
    if (!this.converged) lines.push("", outerWarning(this.j.iterations));
    return lines.join("\n");
  }

  /** JSON form, loadable by `loadGam`. */
  toJSON(): MultinomGamJSON {
    return this.j;
  }
}
