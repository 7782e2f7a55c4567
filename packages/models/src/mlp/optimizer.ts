import type { Tree } from "@geoml/autodiff";
import { adam, applyUpdates, type GradientTransformation } from "@geoml/optim";
import type { MlpParams } from "./network.js";

/** Any optimiser or chain of gradient transformations from @geoml/optim. */
export type Optimizer = GradientTransformation<unknown>;

/** A running optimiser: one call per minibatch, holding the optimiser state. */
export interface RunningOptimizer {
  step(params: MlpParams, grads: MlpParams, loss: number): MlpParams;
}

/** Starts `optimizer` on `params`. */
export function startOptimizer(optimizer: Optimizer, params: MlpParams): RunningOptimizer {
  let state = optimizer.init(params as Tree);
  return {
    step(p, g, loss) {
      // the old state is never read again: the optimiser may update it in place
      const r = optimizer.update(g as Tree, state, p as Tree, { loss, reuseState: true });
      state = r.state;
      return applyUpdates(p, r.updates);
    },
  };
}

/** Adam with PyTorch's defaults and learning rate `lr`: the optimiser used when none is given. */
export function defaultOptimizer(lr: number): Optimizer {
  return adam({ lr }) as Optimizer;
}
