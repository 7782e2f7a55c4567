/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and
 * L2 weight decay, with the update formulas of `torch.optim.SGD` (1.13):
 *
 *   d = g + wd·p;  b₁ = d,  bₜ = μ·bₜ₋₁ + (1 − τ)·d;  d = nesterov ? d + μ·bₜ : bₜ;  p ← p − lr·d
 */
import { OptionError } from "./errors.js";
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
import { flattenTree } from "./tree.js";

/** Options of {@link sgd}; names follow `torch.optim.SGD`. */
export interface SgdOptions {
  /** Learning rate or schedule `(step) => lr`. */
  lr: LearningRate;
  /** Momentum factor μ (default 0: plain gradient descent). */
  momentum?: number;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient, `g + wd·p` (default 0). */
  weightDecay?: number;
}

/** State of {@link sgd}. */
export interface SgdState extends LeafInfo {
  /** Number of updates taken. */
  readonly count: number;
  /** Momentum buffers per leaf (`null` before the first update or without momentum). */
  readonly momentum: (Float64Array | null)[];
}

/** SGD as a {@link GradientTransformation} (updates already scaled by −lr). */
export function sgd(options: SgdOptions): GradientTransformation<SgdState> {
  const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options;
  checkRange("sgd", "momentum", momentum, 0, Infinity, true);
  checkRange("sgd", "dampening", dampening, 0, 1);
  checkRange("sgd", "weightDecay", weightDecay, 0, Infinity, true);
  if (nesterov && (momentum <= 0 || dampening !== 0))
    throw new OptionError(
      "sgd",
      "nesterov",
      "used with momentum > 0 and dampening 0",
      `momentum ${momentum}, dampening ${dampening}`,
    );
  return {
    init(params) {
      const info = leafInfo(params, "sgd");
      return { ...info, count: 0, momentum: info.shapes.map(() => null) };
    },
    update(grads, state, params, extras) {
      const step = state.count + 1;
      checkFinite("sgd", step, flattenTree(grads, "sgd"), extras);
      const rate = learningRateAt("sgd", lr, state.count);
      const buffers: (Float64Array | null)[] = [];
      const { updates } = mapLeaves(
        "sgd",
        state,
        grads,
        weightDecay !== 0 ? params : undefined,
        (i, g, p) => {
          const n = g.length;
          let d = g;
          if (weightDecay !== 0) {
            const pv = requireParams("sgd", p);
            d = new Float64Array(n);
            for (let k = 0; k < n; k++) d[k] = g[k] + weightDecay * pv[k];
          }
          if (momentum !== 0) {
            const prev = state.momentum[i];
            let buf: Float64Array;
            if (prev === null) buf = Float64Array.from(d);
            else {
              buf = new Float64Array(n);
              for (let k = 0; k < n; k++) buf[k] = momentum * prev[k] + (1 - dampening) * d[k];
            }
            buffers.push(buf);
            if (nesterov) {
              const dn = new Float64Array(n);
              for (let k = 0; k < n; k++) dn[k] = d[k] + momentum * buf[k];
              d = dn;
            } else d = buf;
          } else buffers.push(null);
          const u = new Float64Array(n);
          for (let k = 0; k < n; k++) u[k] = -rate * d[k];
          return u;
        },
      );
      return { updates, state: { shapes: state.shapes, count: step, momentum: buffers } };
    },
  };
}
