import type { Tree } from "@geoml/autodiff";
import { adam, type GradientTransformation } from "@geoml/optim";
import type { MlpParams } from "./network.js";

/** Any optimiser or chain of gradient transformations from @geoml/optim. */
export type Optimizer = GradientTransformation<unknown>;

/** A running optimiser: one call per minibatch, holding the optimiser state. */
export interface RunningOptimizer {
  /**
   * Adds the optimiser's updates to `params` in place (each parameter's dtype, the
   * float64 sum rounded once, as `applyUpdates`), so a step allocates no parameters.
   */
  step(params: MlpParams, grads: MlpParams, loss: number): void;
}

/** Starts `optimizer` on `params`. */
export function startOptimizer(optimizer: Optimizer, params: MlpParams): RunningOptimizer {
  let state = optimizer.init(params as Tree);
  return {
    step(p, g, loss) {
      // the old state is never read again: the optimiser may update it in place (and
      // reuse its update arrays, read below before the next call)
      const r = optimizer.update(g as Tree, state, p as Tree, { loss, reuseState: true });
      state = r.state;
      const updates = r.updates as MlpParams;
      for (let i = 0; i < p.length; i++)
        for (const name of Object.keys(p[i])) {
          const a = p[i][name].data;
          const u = updates[i][name].data;
          for (let k = 0; k < a.length; k++) a[k] = a[k] + u[k];
        }
    },
  };
}

/** Adam with PyTorch's defaults and learning rate `lr`: the optimiser used when none is given. */
export function defaultOptimizer(lr: number): Optimizer {
  return adam({ lr }) as Optimizer;
}
