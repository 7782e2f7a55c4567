/**
 * Reverse-mode gradients. `grad(f)` wraps each parameter in a fresh traced leaf, runs
 * `f`, sorts the recorded graph topologically and pulls the cotangent back through each
 * op's VJP. VJPs are ops, so when an outer `grad` is active the backward pass is itself
 * recorded and can be differentiated again (Hessian-vector products, Newton steps).
 */
import { ArgumentError, fmtShape, ShapeError } from "./errors.js";
import { add } from "./ops/binary.js";
import { cast } from "./ops/cast.js";
import { ones, zeros } from "./ops/creation.js";
import { gradDepth, inGrad, noGrad } from "./tape.js";
import { Tensor } from "./tensor.js";
import { type Tree, treeLeaves, treeUnflatten } from "./tree.js";

/** Fresh traced copy of `p` (shares data); linked to `p` when an outer trace records it. */
function makeLeaf(p: Tensor): Tensor {
  const leaf = new Tensor(p.data, p.shape, p.dtype);
  leaf.leaf = true;
  if (p.traced) leaf.node = { inputs: [p], vjp: (g) => [g] };
  return leaf;
}

/** Cotangents of `leaves` given output `out` and its cotangent `seed` (ones by default). */
function backward(out: Tensor, leaves: readonly Tensor[], seed?: Tensor): Tensor[] {
  const leafSet = new Set(leaves);
  // Iterative post-order DFS that stops at this grad's leaves and keeps only nodes that
  // reach a leaf (so work on constants and outer-trace history is skipped).
  const reaches = new Map<Tensor, boolean>();
  const order: Tensor[] = [];
  const stack: [Tensor, number][] = [[out, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i === 0 && reaches.has(t)) {
      stack.pop();
      continue;
    }
    if (leafSet.has(t) || t.node === null) {
      reaches.set(t, leafSet.has(t));
      stack.pop();
      continue;
    }
    const inputs = t.node.inputs;
    if (i < inputs.length) {
      top[1] = i + 1;
      if (!reaches.has(inputs[i])) stack.push([inputs[i], 0]);
      continue;
    }
    let r = false;
    for (const x of inputs) if (reaches.get(x)) r = true;
    reaches.set(t, r);
    if (r) order.push(t);
    stack.pop();
  }
  const cot = new Map<Tensor, Tensor>();
  cot.set(out, seed ?? ones(out.shape, out.dtype));
  for (let j = order.length - 1; j >= 0; j--) {
    const t = order[j];
    const g = cot.get(t);
    if (g === undefined) continue;
    cot.delete(t);
    const node = t.node!;
    const need = node.inputs.map((x) => reaches.get(x) === true);
    const gs = node.vjp(g, need);
    node.inputs.forEach((x, k) => {
      const gk = gs[k];
      if (!need[k] || gk === null || gk === undefined) return;
      const prev = cot.get(x);
      cot.set(x, prev === undefined ? gk : add(prev, gk));
    });
  }
  return leaves.map((l) => {
    const g = cot.get(l);
    if (g === undefined) return zeros(l.shape, l.dtype);
    return g.dtype === l.dtype ? g : cast(g, l.dtype);
  });
}

function checkScalar(out: unknown): Tensor {
  if (!(out instanceof Tensor))
    throw new ArgumentError("grad", "the function must return a Tensor", "NOT_SCALAR");
  if (out.size !== 1)
    throw new ArgumentError(
      "grad",
      `the function must return a scalar, got shape ${fmtShape(out.shape)}; reduce it with sum() or mean()`,
      "NOT_SCALAR",
    );
  return out;
}

/** Shared core of grad/valueAndGrad. */
function evaluate<T extends Tree, A extends unknown[]>(
  f: (params: T, ...rest: A) => Tensor,
  params: T,
  rest: A,
): [Tensor, T] {
  const leaves = treeLeaves(params).map(makeLeaf);
  const traced = treeUnflatten(params, leaves);
  const out = checkScalar(inGrad(() => f(traced, ...rest)));
  // The outermost backward pass is never differentiated: run it untraced.
  const outer = gradDepth() > 0;
  const grads = outer ? backward(out, leaves) : noGrad(() => backward(out, leaves));
  const value = outer ? out : new Tensor(out.data, out.shape, out.dtype);
  return [value, treeUnflatten(params, grads)];
}

/**
 * The vector-Jacobian product of `f` at `x`: `[f(x), cotangentᵀ·∂f/∂x]`, for an
 * `f` with any output shape (the cotangent has that shape) and `x` a tensor or a
 * tree of tensors (the product has its structure). `grad(f)(x)` is
 * `vjp(f, x, ones)[1]` for a scalar `f`; like `grad`, a `vjp` inside an outer
 * `grad` is itself differentiable.
 */
export function vjp<T extends Tree>(f: (x: T) => Tensor, x: T, cotangent: Tensor): [Tensor, T] {
  if (!(cotangent instanceof Tensor))
    throw new ArgumentError("vjp", "the cotangent must be a Tensor");
  const leaves = treeLeaves(x).map(makeLeaf);
  const traced = treeUnflatten(x, leaves);
  const out = inGrad(() => f(traced));
  if (!(out instanceof Tensor)) throw new ArgumentError("vjp", "the function must return a Tensor");
  if (
    out.shape.length !== cotangent.shape.length ||
    out.shape.some((d, i) => d !== cotangent.shape[i])
  )
    throw new ShapeError(
      "vjp",
      `the cotangent has shape ${fmtShape(cotangent.shape)} but f returns ${fmtShape(out.shape)}`,
    );
  const seed = cotangent.dtype === out.dtype ? cotangent : cast(cotangent, out.dtype);
  const outer = gradDepth() > 0;
  const grads = outer ? backward(out, leaves, seed) : noGrad(() => backward(out, leaves, seed));
  const value = outer ? out : new Tensor(out.data, out.shape, out.dtype);
  return [value, treeUnflatten(x, grads)];
}

/**
 * Returns a function computing the gradient of scalar-valued `f` with respect to its
 * first argument (a tensor or a tree of tensors); the result has the same structure.
 * Extra arguments are passed through and not differentiated.
 */
export function grad<T extends Tree, A extends unknown[]>(
  f: (params: T, ...rest: A) => Tensor,
): (params: T, ...rest: A) => T {
  return (params: T, ...rest: A) => evaluate(f, params, rest)[1];
}

/** Like {@link grad} but also returns the value of `f`: `[value, grads]`. */
export function valueAndGrad<T extends Tree, A extends unknown[]>(
  f: (params: T, ...rest: A) => Tensor,
): (params: T, ...rest: A) => [Tensor, T] {
  return (params: T, ...rest: A) => evaluate(f, params, rest);
}

/** Options of {@link checkGrad}. */
export interface CheckGradOptions {
  /** Finite-difference step (relative to max(1, |x|)); default 1e-6 (float64) or 1e-2 (float32). */
  eps?: number;
  /** Relative tolerance for `ok`; default 1e-5 (float64) or 1e-2 (float32). */
  rtol?: number;
  /** Absolute tolerance added to rtol·|numeric|; default `rtol`. */
  atol?: number;
}

/** Result of {@link checkGrad}. */
export interface CheckGradResult {
  /** True when every entry is within atol + rtol·|numeric|. */
  ok: boolean;
  /** Largest |analytic − numeric|. */
  maxAbsError: number;
  /** Largest |analytic − numeric| / max(|numeric|, tiny). */
  maxRelError: number;
  /** Analytic gradient (same structure as params). */
  analytic: Tree;
  /** Central-difference gradient (same structure as params). */
  numeric: Tree;
}

/**
 * Compares `grad(f)` with central finite differences of `f` at `params`, entry by entry.
 * Costs two evaluations of `f` per parameter entry; meant for tests and debugging.
 */
export function checkGrad<T extends Tree>(
  f: (params: T) => Tensor,
  params: T,
  opts: CheckGradOptions = {},
): CheckGradResult {
  const analytic = grad(f)(params);
  const leaves = treeLeaves(params);
  const f32 = leaves.some((l) => l.dtype === "float32");
  const eps = opts.eps ?? (f32 ? 1e-2 : 1e-6);
  const rtol = opts.rtol ?? (f32 ? 1e-2 : 1e-5);
  const atol = opts.atol ?? rtol;
  const aLeaves = treeLeaves(analytic);
  let maxAbs = 0;
  let maxRel = 0;
  let ok = true;
  const numeric = noGrad(() =>
    leaves.map((leaf, li) => {
      const num = zeros(leaf.shape, "float64");
      for (let i = 0; i < leaf.size; i++) {
        const h = eps * Math.max(1, Math.abs(leaf.data[i]));
        const evalAt = (v: number): number => {
          const copy = leaf.data.slice();
          copy[i] = v;
          const swapped = leaves.map((l, k) => (k === li ? new Tensor(copy, l.shape, l.dtype) : l));
          return checkScalar(f(treeUnflatten(params, swapped))).item();
        };
        const x0 = leaf.data[i];
        num.data[i] = (evalAt(x0 + h) - evalAt(x0 - h)) / (2 * h);
        const an = aLeaves[li].data[i];
        const err = Math.abs(an - num.data[i]);
        maxAbs = Math.max(maxAbs, err);
        maxRel = Math.max(maxRel, err / Math.max(Math.abs(num.data[i]), 1e-300));
        if (!(err <= atol + rtol * Math.abs(num.data[i]))) ok = false;
      }
      return num;
    }),
  );
  return {
    ok,
    maxAbsError: maxAbs,
    maxRelError: maxRel,
    analytic,
    numeric: treeUnflatten(params, numeric),
  };
}
