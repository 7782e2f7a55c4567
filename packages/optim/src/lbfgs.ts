/**
 * Limited-memory BFGS on a flat float64 vector: the two-loop recursion of
 * Nocedal & Wright (Algorithm 7.4) for the direction and a strong-Wolfe line
 * search for the step. Stops like scipy's L-BFGS-B: on the largest gradient
 * component (`gtol`) or on the relative reduction of the function (`ftol`).
 */
import { NonFiniteError, OptionError } from "./errors.js";
import { type Evaluation, type LineSearchOptions, strongWolfe } from "./line-search.js";

/** Objective on a flat vector: value and gradient. */
export type FlatObjective = (x: Float64Array) => Evaluation;

/** Options of {@link lbfgsFlat}. */
export interface LbfgsOptions {
  /** Maximum number of iterations (default 15000, as scipy). */
  maxIter?: number;
  /** Maximum number of objective evaluations (default 15000, as scipy). */
  maxFev?: number;
  /** Stop when max |gᵢ| ≤ gtol (default 1e-5, as scipy). */
  gtol?: number;
  /** Stop when (fₖ − fₖ₊₁) / max(|fₖ|, |fₖ₊₁|, 1) ≤ ftol (default 2.22e-9, as scipy). */
  ftol?: number;
  /** Number of correction pairs kept (default 10). */
  history?: number;
  /** Options of the strong-Wolfe line search. */
  lineSearch?: LineSearchOptions;
  /** Called after every iteration with the iteration number and value; return `true` to stop. */
  callback?: (iteration: number, f: number, x: Float64Array) => boolean | undefined;
}

/** Result of {@link lbfgsFlat}. */
export interface LbfgsResult {
  /** Final point. */
  x: Float64Array;
  /** Value at `x`. */
  fun: number;
  /** Gradient at `x`. */
  jac: Float64Array;
  /** Number of iterations. */
  nit: number;
  /** Number of objective (value and gradient) evaluations. */
  nfev: number;
  /** True when a tolerance was met (not a limit or a line-search failure). */
  converged: boolean;
  /** Why the iteration stopped. */
  message: string;
  /** Value after each iteration, starting with the value at the starting point. */
  losses: number[];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * Throws {@link NonFiniteError} unless the value and gradient are usable. +Inf
 * is allowed at line-search trial points (the step went too far); NaN and −Inf
 * never are (−Inf would be accepted as a huge decrease).
 */
function checkEvaluation(e: Evaluation, step: number, allowInfinite: boolean): void {
  if (Number.isNaN(e.f) || e.f === -Infinity || (!allowInfinite && !Number.isFinite(e.f)))
    throw new NonFiniteError("lbfgs", step, "loss", null, 0, e.f);
  if (!Number.isFinite(e.f)) return;
  for (let k = 0; k < e.g.length; k++)
    if (!Number.isFinite(e.g[k]))
      throw new NonFiniteError("lbfgs", step, "gradient", "x", k, e.g[k]);
}

/** Direction −H·g from the stored pairs (s, y) by the two-loop recursion. */
function twoLoop(
  g: Float64Array,
  s: Float64Array[],
  y: Float64Array[],
  rho: number[],
): Float64Array {
  const q = Float64Array.from(g);
  const m = s.length;
  const alpha = new Array<number>(m);
  for (let i = m - 1; i >= 0; i--) {
    alpha[i] = rho[i] * dot(s[i], q);
    for (let k = 0; k < q.length; k++) q[k] -= alpha[i] * y[i][k];
  }
  // Initial Hessian γI with γ = sᵀy / yᵀy of the newest pair (N&W eq. 7.20).
  const gamma = m > 0 ? dot(s[m - 1], y[m - 1]) / dot(y[m - 1], y[m - 1]) : 1;
  for (let k = 0; k < q.length; k++) q[k] *= gamma;
  for (let i = 0; i < m; i++) {
    const beta = rho[i] * dot(y[i], q);
    for (let k = 0; k < q.length; k++) q[k] += s[i][k] * (alpha[i] - beta);
  }
  for (let k = 0; k < q.length; k++) q[k] = -q[k];
  return q;
}

/**
 * Minimises `fn` from `x0` with L-BFGS. A NaN value, or a non-finite gradient
 * at a finite value, throws {@link NonFiniteError} naming the iteration; an
 * infinite value at a trial point only shortens the step.
 */
export function lbfgsFlat(
  fn: FlatObjective,
  x0: Float64Array,
  options: LbfgsOptions = {},
): LbfgsResult {
  const {
    maxIter = 15000,
    maxFev = 15000,
    gtol = 1e-5,
    ftol = 2.220446049250313e-9,
    history = 10,
  } = options;
  if (!Number.isInteger(history) || history < 1)
    throw new OptionError("lbfgs", "history", "an integer >= 1", history);
  if (!Number.isInteger(maxIter) || maxIter < 0)
    throw new OptionError("lbfgs", "maxIter", "an integer >= 0", maxIter);
  if (!Number.isInteger(maxFev) || maxFev < 1)
    throw new OptionError("lbfgs", "maxFev", "an integer >= 1", maxFev);
  if (!(gtol >= 0)) throw new OptionError("lbfgs", "gtol", "a number >= 0", gtol);
  if (!(ftol >= 0)) throw new OptionError("lbfgs", "ftol", "a number >= 0", ftol);

  let x = Float64Array.from(x0);
  let { f, g } = fn(x);
  checkEvaluation({ f, g }, 0, false);
  let nfev = 1;
  const losses = [f];
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const done = (converged: boolean, message: string, nit: number): LbfgsResult => ({
    x,
    fun: f,
    jac: g,
    nit,
    nfev,
    converged,
    message,
    losses,
  });
  if (maxAbs(g) <= gtol) return done(true, "gradient norm below gtol", 0);

  for (let k = 1; k <= maxIter; k++) {
    let d = twoLoop(g, S, Y, rho);
    let gtd = dot(g, d);
    if (!(gtd < 0)) {
      // Curvature pairs gone stale: restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      d = g.map((v) => -v);
      gtd = dot(g, d);
    }
    // First step: a unit move along −g scaled to length ~1 (the pairs give the scale later).
    const t0 = S.length === 0 ? Math.min(1, 1 / Math.sqrt(-gtd)) : 1;
    const xk = x;
    const trial = (t: number): Evaluation => {
      const xt = new Float64Array(xk.length);
      for (let i = 0; i < xt.length; i++) xt[i] = xk[i] + t * d[i];
      const e = fn(xt);
      checkEvaluation(e, k, true);
      return e;
    };
    const ls = strongWolfe(trial, d, f, g, gtd, t0, {
      ...options.lineSearch,
      maxEvals: Math.min(options.lineSearch?.maxEvals ?? 25, maxFev - nfev),
    });
    nfev += ls.nfev;
    if (!(ls.f < f) && !ls.wolfe) {
      // The predicted decrease is below what f can resolve: x is as good as f allows.
      if (-gtd <= 100 * Number.EPSILON * Math.abs(f))
        return done(true, "no further decrease possible at machine precision", k - 1);
      return done(false, "line search could not reduce the function", k - 1);
    }
    const xNew = new Float64Array(x.length);
    const sk = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      xNew[i] = xk[i] + ls.t * d[i];
      sk[i] = xNew[i] - xk[i];
    }
    const yk = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) yk[i] = ls.g[i] - g[i];
    const ys = dot(yk, sk);
    // Keep the pair only when it carries positive curvature, so H stays positive definite.
    if (ys > 1e-10 * dot(yk, yk) && ys > 0) {
      if (S.length === history) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(sk);
      Y.push(yk);
      rho.push(1 / ys);
    }
    const fOld = f;
    x = xNew;
    f = ls.f;
    g = ls.g;
    losses.push(f);
    if (maxAbs(g) <= gtol) return done(true, "gradient norm below gtol", k);
    if ((fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1) <= ftol)
      return done(true, "relative reduction of the function below ftol", k);
    if (options.callback?.(k, f, x) === true) return done(false, "stopped by callback", k);
    if (nfev >= maxFev) return done(false, "maximum number of function evaluations reached", k);
    if (maxAbs(sk) === 0) return done(false, "step length underflowed to zero", k);
  }
  return done(false, "maximum number of iterations reached", maxIter);
}
