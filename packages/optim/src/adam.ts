/**
 * Adam and AdamW with the update formulas of `torch.optim.Adam` / `AdamW` (1.13):
 *
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  v̂max ← max(v̂max, v) (AMSGrad)
 *   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
 *
 * Adam's `weightDecay` is an L2 term added to the gradient; AdamW's is decoupled,
 * `p ← p − lr·wd·p`, applied before the Adam step.
 */
import { adamKernelStep } from "./adam-kernel.js";
import type { LearningRate } from "./schedules.js";
import {
  checkFinite,
  checkRange,
  type GradientTransformation,
  type LeafInfo,
  leafInfo,
  learningRateAt,
  mapLeaves,
  requireParams,
} from "./transform.js";
import { type FlatTree, flattenLike, flattenTree, fromValues, unflattenTree } from "./tree.js";

/** Options of {@link adam} and {@link adamw}; names follow `torch.optim.Adam`. */
export interface AdamOptions {
  /** Learning rate or schedule `(step) => lr` (default 1e-3). */
  lr?: LearningRate;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator after the square root (default 1e-8). */
  eps?: number;
  /** Weight decay: L2 on the gradient for Adam (default 0), decoupled for AdamW (default 1e-2). */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad; default false). */
  amsgrad?: boolean;
}

/** State of {@link adam} and {@link adamw}. */
export interface AdamState extends LeafInfo {
  /** Number of updates taken. */
  readonly count: number;
  /** First moment estimate per leaf. */
  readonly mu: Float64Array[];
  /** Second moment estimate per leaf. */
  readonly nu: Float64Array[];
  /** Running maximum of `nu` per leaf (AMSGrad only, else empty). */
  readonly nuMax: Float64Array[];
}

function makeAdam(
  where: string,
  options: AdamOptions,
  decoupled: boolean,
): GradientTransformation<AdamState> {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, amsgrad = false } = options;
  const weightDecay = options.weightDecay ?? (decoupled ? 1e-2 : 0);
  const [beta1, beta2] = betas;
  checkRange(where, "betas[0]", beta1, 0, 1, true);
  checkRange(where, "betas[1]", beta2, 0, 1, true);
  checkRange(where, "eps", eps, 0, Infinity, true);
  checkRange(where, "weightDecay", weightDecay, 0, Infinity, true);
  // with reuseState: each leaf's update array, keyed by its first-moment array (which
  // reuseState keeps from step to step), so a training loop allocates no updates
  const updateArrays = new WeakMap<Float64Array, Float32Array | Float64Array>();
  return {
    init(params) {
      const info = leafInfo(params, where);
      const zeros = () => info.shapes.map((s) => new Float64Array(s.reduce((a, b) => a * b, 1)));
      return { ...info, count: 0, mu: zeros(), nu: zeros(), nuMax: amsgrad ? zeros() : [] };
    },
    update(grads, state, params, extras) {
      const step = state.count + 1;
      const hyper = () => {
        const rate = learningRateAt(where, lr, state.count);
        return {
          rate,
          stepSize: rate / (1 - beta1 ** step),
          bc2Sqrt: Math.sqrt(1 - beta2 ** step),
        };
      };
      // a training loop's step in the common case: the WebAssembly kernel (the same bits),
      // which checks the gradients for NaN and ±∞ itself before it changes anything. The
      // errors come in the order of the JavaScript path's: loss, gradients, learning rate,
      // shapes
      if (extras?.reuseState === true && weightDecay === 0 && !amsgrad) {
        checkFinite(where, step, { leaves: [], paths: [] }, extras);
        let flat: FlatTree;
        try {
          flat = flattenLike(grads, state.shapes, where);
        } catch (e) {
          checkFinite(where, step, flattenTree(grads, where), extras);
          throw e;
        }
        const fast = adamKernelStep(flat.leaves, state.mu, state.nu, () => {
          const h = hyper();
          return { beta1, beta2, stepSize: h.stepSize, invBc2: 1 / h.bc2Sqrt, eps };
        });
        // throws, naming the leaf and element
        if (fast === "non-finite") checkFinite(where, step, flat, extras);
        else if (fast !== null) {
          const updates = unflattenTree(
            grads,
            flat.leaves.map((g, i) => fromValues(fast.u[i], g.shape, g.dtype)),
          );
          return {
            updates,
            state: { shapes: state.shapes, count: step, mu: fast.mu, nu: fast.nu, nuMax: [] },
          };
        }
      }
      checkFinite(where, step, flattenTree(grads, where), extras);
      const { rate, stepSize, bc2Sqrt } = hyper();
      const mu: Float64Array[] = [];
      const nu: Float64Array[] = [];
      const nuMax: Float64Array[] = [];
      const { updates } = mapLeaves(
        where,
        state,
        grads,
        weightDecay !== 0 ? params : undefined,
        (i, g, p) => {
          const n = g.length;
          const pv = weightDecay !== 0 ? requireParams(where, p) : null;
          const m0 = state.mu[i];
          const v0 = state.nu[i];
          // each m[k], v[k] is written after m0[k], v0[k] are read: in place is safe
          const reuse = extras?.reuseState === true;
          const m = reuse ? m0 : new Float64Array(n);
          const v = reuse ? v0 : new Float64Array(n);
          const vMax = amsgrad ? (reuse ? state.nuMax[i] : new Float64Array(n)) : null;
          // the update in the gradient's own dtype: computed in float64, rounded once
          let u = reuse ? updateArrays.get(m0) : undefined;
          if (
            u === undefined ||
            u.length !== n ||
            u instanceof Float32Array !== g instanceof Float32Array
          ) {
            u = g instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
            if (reuse) updateArrays.set(m0, u);
          }
          if (pv === null && vMax === null) {
            adamLoop(g, m0, v0, m, v, u, beta1, beta2, stepSize, 1 / bc2Sqrt, eps);
            mu.push(m);
            nu.push(v);
            return u;
          }
          for (let k = 0; k < n; k++) {
            const gk = pv !== null && !decoupled ? g[k] + weightDecay * pv[k] : g[k];
            m[k] = beta1 * m0[k] + (1 - beta1) * gk;
            v[k] = beta2 * v0[k] + (1 - beta2) * gk * gk;
            let second = v[k];
            if (vMax !== null) second = vMax[k] = Math.max(state.nuMax[i][k], v[k]);
            let uk = -stepSize * (m[k] / (Math.sqrt(second) / bc2Sqrt + eps));
            if (pv !== null && decoupled) uk -= rate * weightDecay * pv[k];
            u[k] = uk;
          }
          mu.push(m);
          nu.push(v);
          if (vMax !== null) nuMax.push(vMax);
          return u;
        },
      );
      return { updates, state: { shapes: state.shapes, count: step, mu, nu, nuMax } };
    },
  };
}

/**
 * The common case (no weight decay, no AMSGrad) without per-element branches;
 * √v·(1/√(1−β₂ᵗ)) instead of a second division (equal to rounding: divisions
 * dominate the cost of a step). A function of its own: the engine compiles the loop
 * for the array types it meets here, where inside the leaf callback it did not (a
 * whole update of 4,801 float32 parameters took 45–52 µs with the loop there,
 * 34–35 µs with it here).
 */
function adamLoop(
  g: Float32Array | Float64Array,
  m0: Float64Array,
  v0: Float64Array,
  m: Float64Array,
  v: Float64Array,
  u: Float32Array | Float64Array,
  beta1: number,
  beta2: number,
  stepSize: number,
  invBc2: number,
  eps: number,
): void {
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  const n = g.length;
  for (let k = 0; k < n; k++) {
    const gk = g[k];
    const mk = beta1 * m0[k] + c1 * gk;
    const vk = beta2 * v0[k] + c2 * gk * gk;
    m[k] = mk;
    v[k] = vk;
    u[k] = -stepSize * (mk / (Math.sqrt(vk) * invBc2 + eps));
  }
}

/** Adam (Kingma & Ba) as a {@link GradientTransformation}; `weightDecay` is an L2 term on the gradient. */
export function adam(options: AdamOptions = {}): GradientTransformation<AdamState> {
  return makeAdam("adam", options, false);
}

/** AdamW (Loshchilov & Hutter): Adam with decoupled weight decay `p ← p − lr·wd·p` (default wd 1e-2). */
export function adamw(options: AdamOptions = {}): GradientTransformation<AdamState> {
  return makeAdam("adamw", options, true);
}
