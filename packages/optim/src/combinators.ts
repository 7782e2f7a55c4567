/**
 * Stateless building blocks to put in a {@link chain} before an optimiser:
 * clipping, weight decay and scaling.
 */
import type { Tree } from "@geoml/autodiff";
import { OptionError } from "./errors.js";
import {
  checkRange,
  type GradientTransformation,
  type LeafInfo,
  leafInfo,
  mapLeaves,
  requireParams,
} from "./transform.js";
import { flattenLike, flattenTree } from "./tree.js";

/** Euclidean norm of all leaves of a tree taken together, in float64. */
export function globalNorm(tree: Tree): number {
  let ss = 0;
  for (const t of flattenTree(tree, "globalNorm").leaves)
    for (let k = 0; k < t.data.length; k++) ss += t.data[k] * t.data[k];
  return Math.sqrt(ss);
}

/**
 * Rescales the whole tree so its global norm is at most `maxNorm`:
 * `g · maxNorm / ‖g‖` when `‖g‖ > maxNorm`, unchanged otherwise (as optax;
 * `torch.nn.utils.clip_grad_norm_` divides by `‖g‖ + 1e-6` instead).
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<LeafInfo> {
  checkRange("clipByGlobalNorm", "maxNorm", maxNorm, 0, Infinity, true);
  return {
    init: (params) => leafInfo(params, "clipByGlobalNorm"),
    update(grads, state) {
      flattenLike(grads, state.shapes, "clipByGlobalNorm");
      const norm = globalNorm(grads);
      const factor = norm > maxNorm ? maxNorm / norm : 1;
      const { updates } = mapLeaves("clipByGlobalNorm", state, grads, undefined, (_i, g) =>
        factor === 1 ? Float64Array.from(g) : g.map((v) => v * factor),
      );
      return { updates, state };
    },
  };
}

/** Clips every element to `[-maxAbs, maxAbs]` (as `torch.nn.utils.clip_grad_value_`). */
export function clipByValue(maxAbs: number): GradientTransformation<LeafInfo> {
  checkRange("clipByValue", "maxAbs", maxAbs, 0, Infinity, true);
  return {
    init: (params) => leafInfo(params, "clipByValue"),
    update(grads, state) {
      const { updates } = mapLeaves("clipByValue", state, grads, undefined, (_i, g) =>
        g.map((v) => Math.min(maxAbs, Math.max(-maxAbs, v))),
      );
      return { updates, state };
    },
  };
}

/**
 * Adds `weightDecay · params` to the updates. Before an optimiser this is the L2
 * penalty of `torch.optim.Adam(weight_decay=…)`; after `adam`'s direction and
 * before the learning rate it would be AdamW's decoupled decay.
 */
export function addWeightDecay(weightDecay: number): GradientTransformation<LeafInfo> {
  checkRange("addWeightDecay", "weightDecay", weightDecay, 0, Infinity, true);
  return {
    init: (params) => leafInfo(params, "addWeightDecay"),
    update(grads, state, params) {
      if (params === undefined) requireParams("addWeightDecay", null);
      const { updates } = mapLeaves("addWeightDecay", state, grads, params, (_i, g, p) => {
        const pv = requireParams("addWeightDecay", p);
        return g.map((v, k) => v + weightDecay * pv[k]);
      });
      return { updates, state };
    },
  };
}

/** Multiplies the updates by a constant (e.g. `scale(-1)` to maximise). */
export function scale(factor: number): GradientTransformation<LeafInfo> {
  if (!Number.isFinite(factor)) throw new OptionError("scale", "factor", "a finite number", factor);
  return {
    init: (params) => leafInfo(params, "scale"),
    update(grads, state) {
      const { updates } = mapLeaves("scale", state, grads, undefined, (_i, g) =>
        g.map((v) => v * factor),
      );
      return { updates, state };
    },
  };
}
