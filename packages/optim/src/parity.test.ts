import { noGrad, type Tensor, tensor, valueAndGrad } from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { adam, adamw } from "./adam.js";
import { rmsprop } from "./rmsprop.js";
import { cosineDecay, type LearningRate, stepDecay } from "./schedules.js";
import { sgd } from "./sgd.js";
import { loadFixture, maxRelError, type TorchFixture } from "./test-support/fixtures.js";
import { type Net, netFrom, netLoss } from "./test-support/problems.js";
import { applyUpdates, type GradientTransformation } from "./transform.js";

const fx = loadFixture<TorchFixture>("optim_torch.json");
const x = tensor(fx.problem.x);
const y = tensor(fx.problem.y);

function optimizerFor(run: TorchFixture["runs"][number]): GradientTransformation<unknown> {
  const options = { ...run.options } as Record<string, unknown> & { lr: number };
  let lr: LearningRate = options.lr;
  if (run.schedule?.kind === "step")
    lr = stepDecay({ lr: options.lr, stepSize: run.schedule.stepSize, gamma: run.schedule.gamma });
  if (run.schedule?.kind === "cosine")
    lr = cosineDecay({
      lr: options.lr,
      decaySteps: run.schedule.decaySteps,
      final: run.schedule.final,
    });
  const o = { ...options, lr };
  const make = { sgd, adam, adamw, rmsprop }[run.optimizer] as (
    o: unknown,
  ) => GradientTransformation<unknown>;
  return make(o);
}

function leaves(p: Net): Tensor[] {
  return [p.hidden.weight, p.hidden.bias, p.output.weight, p.output.bias];
}

describe("parity with torch.optim (float64, 20 full-batch steps)", () => {
  // every run as a pure update and as a training loop's (reuseState: Adam's
  // WebAssembly step where it applies)
  for (const [run, reuseState] of fx.runs.flatMap((r) => [
    [r, false],
    [r, true],
  ]) as [TorchFixture["runs"][number], boolean][]) {
    it(`${run.name}${reuseState ? " (reuseState)" : ""}: loss after every step within 1e-9 relative`, () => {
      const opt = optimizerFor(run);
      const vg = valueAndGrad((p: Net) => netLoss(p, x, y));
      let params = netFrom(fx.problem.init);
      let state = opt.init(params);
      const losses = [noGrad(() => netLoss(params, x, y).item())];
      for (let step = 0; step < fx.steps; step++) {
        const [loss, grads] = vg(params);
        const r = opt.update(grads, state, params, { loss, reuseState });
        params = applyUpdates(params, r.updates);
        state = r.state;
        losses.push(noGrad(() => netLoss(params, x, y).item()));
      }
      expect(maxRelError(losses, run.losses)).toBeLessThanOrEqual(1e-9);
      const final = netFrom(run.final);
      leaves(params).forEach((t, i) => {
        expect(t.dtype).toBe("float64");
        expect(maxRelError(t.data, leaves(final)[i].data)).toBeLessThanOrEqual(1e-9);
      });
      // The loss must actually move, or the comparison proves nothing.
      expect(losses[fx.steps]).toBeLessThan(0.5 * losses[0]);
    });
  }
});
