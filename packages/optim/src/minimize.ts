/**
 * `minimize(fn, x0, { method })` for full-batch problems, in the spirit of
 * `scipy.optimize.minimize`: gradients come from `valueAndGrad` of `fn`, the
 * parameters may be any tree of tensors, and the result mirrors scipy's
 * `OptimizeResult`.
 */
import { type Tensor, type Tree, valueAndGrad } from "@geoml/autodiff";
import { type AdamOptions, adam, adamw } from "./adam.js";
import { NonFiniteError, OptionError } from "./errors.js";
import { type LbfgsOptions, lbfgsFlat } from "./lbfgs.js";
import type { Evaluation, LineSearchOptions } from "./line-search.js";
import { type RmspropOptions, rmsprop } from "./rmsprop.js";
import type { LearningRate } from "./schedules.js";
import { type SgdOptions, sgd } from "./sgd.js";
import { applyUpdates, type GradientTransformation } from "./transform.js";
import { flattenTree, fromFloat64, unflattenTree } from "./tree.js";

/** Methods understood by {@link minimize}. */
export type MinimizeMethod = "lbfgs" | "adam" | "adamw" | "sgd" | "rmsprop";

/** Options of {@link minimize}. */
export interface MinimizeOptions {
  /** Algorithm (default `"lbfgs"`). */
  method?: MinimizeMethod;
  /** Maximum number of iterations (default 15000 for L-BFGS, 1000 otherwise). */
  maxIter?: number;
  /** Maximum number of evaluations of `fn` (L-BFGS only; default 15000). */
  maxFev?: number;
  /** Sets both `gtol` and `ftol` (as scipy's `tol`). */
  tol?: number;
  /** Stop when the largest gradient component is ≤ gtol (default 1e-5). */
  gtol?: number;
  /** L-BFGS: stop when the relative reduction of the function is ≤ ftol (default 2.22e-9). */
  ftol?: number;
  /** L-BFGS: number of correction pairs kept (default 10). */
  history?: number;
  /** L-BFGS: strong-Wolfe line-search constants. */
  lineSearch?: LineSearchOptions;
  /** First-order methods: learning rate or schedule (default: the optimiser's default; 0.01 for SGD). */
  lr?: LearningRate;
  /** First-order methods: further options of the optimiser (momentum, betas, …). */
  optimizer?: Omit<SgdOptions, "lr"> & Omit<AdamOptions, "lr"> & Omit<RmspropOptions, "lr">;
  /** Called after every iteration with its number and value; return `true` to stop. */
  callback?: (iteration: number, fun: number) => boolean | undefined;
}

/** Result of {@link minimize}, named as scipy's `OptimizeResult`. */
export interface OptimizeResult<T extends Tree> {
  /** Parameters at the end, same tree and dtypes as `x0`. */
  x: T;
  /** Value of `fn` at `x`. */
  fun: number;
  /** Gradient of `fn` at `x`. */
  jac: T;
  /** Number of iterations. */
  nit: number;
  /** Number of evaluations of `fn`. */
  nfev: number;
  /** Number of gradient evaluations (every evaluation computes both). */
  ngev: number;
  /** True when a tolerance was met (not an iteration or evaluation limit). */
  converged: boolean;
  /** Why the iteration stopped. */
  message: string;
  /** Value of `fn` at the start and after every iteration. */
  losses: number[];
}

/** Value and float64 gradient of `fn` at a flat point, with the tree rebuilt as in `x0`. */
function flatObjective<T extends Tree>(fn: (params: T) => Tensor, x0: T) {
  const { leaves, paths } = flattenTree(x0, "minimize");
  const vg = valueAndGrad(fn);
  const sizes = leaves.map((t) => t.size);
  const toTree = (x: Float64Array): T => {
    let off = 0;
    return unflattenTree(
      x0,
      leaves.map((t, i) => {
        const part = x.slice(off, off + sizes[i]);
        off += sizes[i];
        return fromFloat64(part, t.shape, t.dtype);
      }),
    );
  };
  const toFlat = (tree: Tree, n: number): Float64Array => {
    const out = new Float64Array(n);
    let off = 0;
    for (const t of flattenTree(tree, "minimize").leaves) {
      out.set(t.data, off);
      off += t.size;
    }
    return out;
  };
  const n = sizes.reduce((a, b) => a + b, 0);
  const evaluate = (x: Float64Array): Evaluation => {
    const [value, grads] = vg(toTree(x));
    if (value.size !== 1)
      throw new OptionError(
        "minimize",
        "fn",
        "a function returning a scalar tensor",
        `shape [${value.shape.join(", ")}]`,
      );
    return { f: value.data[0], g: toFlat(grads, n) };
  };
  // Re-raises a gradient error of the flat problem with the leaf's path and index.
  const locate = (e: NonFiniteError): NonFiniteError => {
    let index = e.index;
    let i = 0;
    while (i < sizes.length - 1 && index >= sizes[i]) index -= sizes[i++];
    return new NonFiniteError("minimize(lbfgs)", e.step, "gradient", paths[i], index, e.value);
  };
  return { evaluate, toTree, locate, x: toFlat(x0, n) };
}

function firstOrder(
  method: Exclude<MinimizeMethod, "lbfgs">,
  options: MinimizeOptions,
): GradientTransformation<unknown> {
  const extra = options.optimizer ?? {};
  const lr = options.lr;
  switch (method) {
    case "sgd":
      return sgd({ ...extra, lr: lr ?? 0.01 }) as GradientTransformation<unknown>;
    case "adam":
      return adam({
        ...extra,
        ...(lr === undefined ? {} : { lr }),
      }) as GradientTransformation<unknown>;
    case "adamw":
      return adamw({
        ...extra,
        ...(lr === undefined ? {} : { lr }),
      }) as GradientTransformation<unknown>;
    case "rmsprop":
      return rmsprop({
        ...extra,
        ...(lr === undefined ? {} : { lr }),
      }) as GradientTransformation<unknown>;
  }
}

/**
 * Minimises the scalar function `fn` of a tree of tensors, starting from `x0`.
 * `"lbfgs"` (default) is L-BFGS with a strong-Wolfe line search; the other
 * methods run the named optimiser for up to `maxIter` full-batch steps. A NaN
 * loss or gradient throws {@link NonFiniteError} naming the iteration.
 */
export function minimize<T extends Tree>(
  fn: (params: T) => Tensor,
  x0: T,
  options: MinimizeOptions = {},
): OptimizeResult<T> {
  const method = options.method ?? "lbfgs";
  const gtol = options.gtol ?? options.tol ?? 1e-5;
  const problem = flatObjective(fn, x0);
  if (method === "lbfgs") {
    const lbfgsOptions: LbfgsOptions = {
      maxIter: options.maxIter,
      maxFev: options.maxFev,
      gtol,
      ftol: options.ftol ?? options.tol,
      history: options.history,
      lineSearch: options.lineSearch,
      callback: options.callback && ((k, f) => options.callback?.(k, f)),
    };
    for (const key of Object.keys(lbfgsOptions) as (keyof LbfgsOptions)[])
      if (lbfgsOptions[key] === undefined) delete lbfgsOptions[key];
    let r: ReturnType<typeof lbfgsFlat>;
    try {
      r = lbfgsFlat(problem.evaluate, problem.x, lbfgsOptions);
    } catch (e) {
      throw e instanceof NonFiniteError && e.kind === "gradient" ? problem.locate(e) : e;
    }
    return {
      x: problem.toTree(r.x),
      fun: r.fun,
      jac: problem.toTree(r.jac),
      nit: r.nit,
      nfev: r.nfev,
      ngev: r.nfev,
      converged: r.converged,
      message: r.message,
      losses: r.losses,
    };
  }
  if (!["sgd", "adam", "adamw", "rmsprop"].includes(method))
    throw new OptionError(
      "minimize",
      "method",
      '"lbfgs", "adam", "adamw", "sgd" or "rmsprop"',
      method,
    );
  const maxIter = options.maxIter ?? 1000;
  if (!Number.isInteger(maxIter) || maxIter < 0)
    throw new OptionError("minimize", "maxIter", "an integer >= 0", maxIter);
  const opt = firstOrder(method, options);
  const vg = valueAndGrad(fn);
  let x = x0;
  let state = opt.init(x);
  const losses: number[] = [];
  let nfev = 0;
  for (let k = 0; ; k++) {
    const [value, grads] = vg(x);
    nfev++;
    const f = value.item();
    losses.push(f);
    if (!Number.isFinite(f))
      throw new NonFiniteError(`minimize(${method})`, k + 1, "loss", null, 0, f);
    let gmax = 0;
    for (const t of flattenTree(grads, "minimize").leaves)
      for (let i = 0; i < t.data.length; i++) gmax = Math.max(gmax, Math.abs(t.data[i]));
    const stop = (converged: boolean, message: string): OptimizeResult<T> => ({
      x,
      fun: f,
      jac: grads,
      nit: k,
      nfev,
      ngev: nfev,
      converged,
      message,
      losses,
    });
    if (gmax <= gtol) return stop(true, "gradient norm below gtol");
    if (k > 0 && options.callback?.(k, f) === true) return stop(false, "stopped by callback");
    if (k === maxIter) return stop(false, "maximum number of iterations reached");
    // The optimiser rechecks the gradients and names the offending leaf.
    const r = opt.update(grads, state, x, { loss: f });
    x = applyUpdates(x, r.updates);
    state = r.state;
  }
}
