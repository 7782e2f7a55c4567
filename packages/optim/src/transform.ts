/**
 * The optimiser interface: a pure `init` / `update` pair over a tree of tensors
 * (the optax design). `update` maps gradients to *updates* — the amounts to add
 * to the parameters — and never mutates its inputs, so an old state stays valid.
 */
import type { DType, Tensor, Tree } from "@geoml/autodiff";
import { NonFiniteError, OptionError, TreeMismatchError } from "./errors.js";
import type { LearningRate } from "./schedules.js";
import { type FlatTree, flattenLike, flattenTree, fromValues, unflattenTree } from "./tree.js";

/** Extra information an update may use; optimisers check it but do not require it. */
export interface UpdateExtras {
  /** Loss at the current parameters; a NaN or infinite loss stops the update. */
  loss?: number | Tensor;
  /**
   * The caller hands over `state` and never reads it again (a training loop that only
   * keeps the returned state): a transformation may then write the new state into the
   * old one's arrays instead of allocating (Adam and AdamW do). Adam and AdamW then also
   * write each call's updates into the arrays of the previous call's updates, so apply
   * the updates before the next call. Adam without weight decay or AMSGrad then runs
   * as WebAssembly SIMD code where it can (the same bits): its first such call moves the
   * moments into that code's memory, and the state's `mu`, `nu` and the updates are
   * views of it from then on. Default false.
   */
  reuseState?: boolean;
}

/** Result of one {@link GradientTransformation.update}. */
export interface UpdateResult<S, T extends Tree = Tree> {
  /** Amounts to add to the parameters (see {@link applyUpdates}); same tree as the gradients. */
  updates: T;
  /** The new optimiser state; the old one is left untouched. */
  state: S;
}

/**
 * A gradient transformation: an optimiser (`sgd`, `adam`, …) or a building block
 * (`clipByGlobalNorm`, `addWeightDecay`, …). Compose them with {@link chain}.
 */
export interface GradientTransformation<S = unknown> {
  /** Creates the state for `params` (zeros for moment estimates, step count 0). */
  init(params: Tree): S;
  /**
   * Maps `grads` (or the updates of the previous transformation in a chain) to
   * updates and the next state. `params` is needed by weight decay.
   */
  update<T extends Tree>(
    grads: T,
    state: S,
    params?: Tree,
    extras?: UpdateExtras,
  ): UpdateResult<S, T>;
}

/** Shapes and dtypes of the leaves seen by `init`, kept in every state to check later trees. */
export interface LeafInfo {
  readonly shapes: (readonly number[])[];
}

/** Records the leaf shapes of `params`. */
export function leafInfo(params: Tree, where: string): LeafInfo {
  return { shapes: flattenTree(params, where).leaves.map((t) => [...t.shape]) };
}

/** Throws {@link NonFiniteError} when the loss or any gradient leaf is NaN or infinite. */
export function checkFinite(
  where: string,
  step: number,
  grads: FlatTree,
  extras?: UpdateExtras,
): void {
  if (extras?.loss !== undefined) {
    const loss = typeof extras.loss === "number" ? extras.loss : extras.loss.item();
    if (!Number.isFinite(loss)) throw new NonFiniteError(where, step, "loss", null, 0, loss);
  }
  for (let i = 0; i < grads.leaves.length; i++) {
    const d = grads.leaves[i].data;
    for (let k = 0; k < d.length; k++) {
      // v - v is 0 for finite v and NaN for NaN/±Inf: one branch per element.
      if (d[k] - d[k] !== 0)
        throw new NonFiniteError(where, step, "gradient", grads.paths[i], k, d[k]);
    }
  }
}

/** Value of a learning rate (number or schedule) at 0-based `step`, validated. */
export function learningRateAt(where: string, lr: LearningRate, step: number): number {
  const v = typeof lr === "number" ? lr : lr(step);
  if (!(v >= 0) || !Number.isFinite(v))
    throw new OptionError(
      where,
      "lr",
      "a finite number >= 0",
      typeof lr === "number" ? v : `${v} (schedule at step ${step})`,
    );
  return v;
}

/** Checks a numeric option lies in `[lo, hi]` (or `[lo, hi)` when `openHigh`). */
export function checkRange(
  where: string,
  option: string,
  v: number,
  lo: number,
  hi: number,
  openHigh = false,
): void {
  const ok = Number.isFinite(v) && v >= lo && (openHigh ? v < hi : v <= hi);
  if (!ok) throw new OptionError(where, option, `in [${lo}, ${hi}${openHigh ? ")" : "]"}`, v);
}

/**
 * Shared core of the leaf-wise transformations: flattens `grads` (checked against the
 * shapes recorded by `init`), calls `fn` with float64 views of each gradient
 * (and parameter, when given) and rebuilds the updates in each gradient's dtype.
 */
export function mapLeaves<T extends Tree>(
  where: string,
  info: LeafInfo,
  grads: T,
  params: Tree | undefined,
  fn: (i: number, g: Values, p: Values | null) => Values,
): { flat: FlatTree; updates: T } {
  const flat = flattenLike(grads, info.shapes, where);
  const pflat = params === undefined ? null : flattenLike(params, info.shapes, where, "params");
  // The leaves' own arrays, float32 or float64: no float64 copy per leaf and step.
  const out: Tensor[] = flat.leaves.map((g, i) =>
    fromValues(fn(i, g.data, pflat ? pflat.leaves[i].data : null), g.shape, g.dtype),
  );
  return { flat, updates: unflattenTree(grads, out) };
}

/** The values of a leaf: its float32 or float64 array, read as float64 numbers. */
export type Values = Float32Array | Float64Array;

/** A new array of `n` zeros in the storage type of `dtype`. */
export function valuesFor(dtype: DType, n: number): Values {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

/** Throws when a transformation that needs the parameters got none. */
export function requireParams(where: string, p: Values | null): Values {
  if (p === null)
    throw new TreeMismatchError(
      where,
      "this transformation needs the parameters: call update(grads, state, params)",
    );
  return p;
}

/** State of {@link chain}: its own step count and the states of the parts. */
export interface ChainState {
  readonly count: number;
  readonly inner: readonly unknown[];
}

/**
 * Applies transformations one after another: the updates of one are the input
 * of the next, e.g. `chain(clipByGlobalNorm(1), adam({ lr: 1e-3 }))`. The chain
 * checks the loss and gradients for NaN/Inf before any part runs.
 */
export function chain(
  ...parts: GradientTransformation<unknown>[]
): GradientTransformation<ChainState> {
  return {
    init(params) {
      return { count: 0, inner: parts.map((p) => p.init(params)) };
    },
    update(grads, state, params, extras) {
      if (state.inner.length !== parts.length)
        throw new TreeMismatchError(
          "chain",
          `state has ${state.inner.length} parts, the chain has ${parts.length}`,
        );
      checkFinite("chain", state.count + 1, flattenTree(grads, "chain"), extras);
      let updates = grads;
      const inner: unknown[] = [];
      parts.forEach((part, i) => {
        const r = part.update(updates, state.inner[i], params, extras);
        updates = r.updates;
        inner.push(r.state);
      });
      return { updates, state: { count: state.count + 1, inner } };
    },
  };
}

/**
 * Returns `params + updates`, leaf by leaf, in each parameter's dtype. The
 * arithmetic is float64; float32 parameters are rounded once at the end.
 */
export function applyUpdates<T extends Tree>(params: T, updates: Tree): T {
  const p = flattenTree(params, "applyUpdates");
  const u = flattenLike(
    updates,
    p.leaves.map((t) => t.shape),
    "applyUpdates",
    "updates",
  );
  const out = p.leaves.map((t, i) => {
    const a = t.data;
    const b = u.leaves[i].data;
    // float64 sums stored straight into the parameter's dtype (rounded once for float32)
    const r = valuesFor(t.dtype, a.length);
    for (let k = 0; k < a.length; k++) r[k] = a[k] + b[k];
    return fromValues(r, t.shape, t.dtype);
  });
  return unflattenTree(params, out);
}
