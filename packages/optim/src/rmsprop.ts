/**
 * RMSprop with the update formulas of `torch.optim.RMSprop` (1.13):
 *
 *   g ← g + wd·p;  s ← αs + (1−α)g²;  centred: a ← αa + (1−α)g, s̃ = s − a²
 *   r = √s̃ + ε;  momentum: b ← μb + g/r, p ← p − lr·b;  else p ← p − lr·g/r
 */
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

/** Options of {@link rmsprop}; names follow `torch.optim.RMSprop`. */
export interface RmspropOptions {
  /** Learning rate or schedule `(step) => lr` (default 1e-2). */
  lr?: LearningRate;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator after the square root (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalise by the variance estimate instead of the raw second moment (default false). */
  centered?: boolean;
}

/** State of {@link rmsprop}. */
export interface RmspropState extends LeafInfo {
  /** Number of updates taken. */
  readonly count: number;
  /** Running average of squared gradients per leaf. */
  readonly squareAvg: Float64Array[];
  /** Running average of gradients per leaf (centred only, else empty). */
  readonly gradAvg: Float64Array[];
  /** Momentum buffer per leaf (momentum > 0 only, else empty). */
  readonly momentumBuffer: Float64Array[];
}

/** RMSprop (Hinton) as a {@link GradientTransformation}. */
export function rmsprop(options: RmspropOptions = {}): GradientTransformation<RmspropState> {
  const {
    lr = 1e-2,
    alpha = 0.99,
    eps = 1e-8,
    weightDecay = 0,
    momentum = 0,
    centered = false,
  } = options;
  checkRange("rmsprop", "alpha", alpha, 0, 1);
  checkRange("rmsprop", "eps", eps, 0, Infinity, true);
  checkRange("rmsprop", "weightDecay", weightDecay, 0, Infinity, true);
  checkRange("rmsprop", "momentum", momentum, 0, Infinity, true);
  return {
    init(params) {
      const info = leafInfo(params, "rmsprop");
      const zeros = () => info.shapes.map((s) => new Float64Array(s.reduce((a, b) => a * b, 1)));
      return {
        ...info,
        count: 0,
        squareAvg: zeros(),
        gradAvg: centered ? zeros() : [],
        momentumBuffer: momentum > 0 ? zeros() : [],
      };
    },
    update(grads, state, params, extras) {
      const step = state.count + 1;
      checkFinite("rmsprop", step, flattenTree(grads, "rmsprop"), extras);
      const rate = learningRateAt("rmsprop", lr, state.count);
      const squareAvg: Float64Array[] = [];
      const gradAvg: Float64Array[] = [];
      const momentumBuffer: Float64Array[] = [];
      const { updates } = mapLeaves(
        "rmsprop",
        state,
        grads,
        weightDecay !== 0 ? params : undefined,
        (i, g, p) => {
          const n = g.length;
          const pv = weightDecay !== 0 ? requireParams("rmsprop", p) : null;
          const s = new Float64Array(n);
          const a = centered ? new Float64Array(n) : null;
          const b = momentum > 0 ? new Float64Array(n) : null;
          const u = new Float64Array(n);
          for (let k = 0; k < n; k++) {
            const gk = pv !== null ? g[k] + weightDecay * pv[k] : g[k];
            s[k] = alpha * state.squareAvg[i][k] + (1 - alpha) * gk * gk;
            let r: number;
            if (a !== null) {
              a[k] = alpha * state.gradAvg[i][k] + (1 - alpha) * gk;
              r = Math.sqrt(s[k] - a[k] * a[k]) + eps;
            } else r = Math.sqrt(s[k]) + eps;
            if (b !== null) {
              b[k] = momentum * state.momentumBuffer[i][k] + gk / r;
              u[k] = -rate * b[k];
            } else u[k] = -rate * (gk / r);
          }
          squareAvg.push(s);
          if (a !== null) gradAvg.push(a);
          if (b !== null) momentumBuffer.push(b);
          return u;
        },
      );
      return {
        updates,
        state: { shapes: state.shapes, count: step, squareAvg, gradAvg, momentumBuffer },
      };
    },
  };
}
