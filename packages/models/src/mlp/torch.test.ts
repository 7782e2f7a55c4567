import { readFileSync } from "node:fs";
import { type Tensor, tensor, valueAndGrad } from "@geoml/autodiff";
import { binomial, categorical, type Family, gaussian } from "@geoml/losses";
import { adam } from "@geoml/optim";
import { describe, expect, it } from "vitest";
import type { ActivationName } from "./activations.js";
import type { Head } from "./head.js";
import { mlp } from "./model.js";
import type { Architecture, MlpParams } from "./network.js";
import { objective } from "./train.js";

type Layer = { [name: string]: number[] | number[][] };
interface GradCase {
  activation: ActivationName;
  loss: "gaussian" | "binomial" | "categorical" | "heteroscedastic";
  layerNorm: boolean;
  weightDecay?: number;
  x: number[][];
  y: number[];
  weights: number[];
  params: Layer[];
  value: number;
  grads: Layer[];
}
interface AdamCase extends Omit<GradCase, "value" | "grads" | "layerNorm"> {
  lr: number;
  steps: number;
  curve: number[];
  final: number;
  finalParams: Layer[];
}
const fixture = JSON.parse(
  readFileSync(new URL("./__fixtures__/mlp_torch.json", import.meta.url), "utf8"),
) as { grad: GradCase[]; adam: AdamCase[] };

const toParams = (layers: Layer[]): MlpParams =>
  layers.map((layer) => Object.fromEntries(Object.entries(layer).map(([k, v]) => [k, tensor(v)])));

function headFor(loss: GradCase["loss"]): Head {
  const families: Record<string, () => Family> = {
    gaussian: () => gaussian(),
    binomial: () => binomial(),
    categorical: () => categorical(3),
  };
  if (loss === "heteroscedastic") return { kind: "gaussian-variance", outputs: 2 };
  const outputs = loss === "categorical" ? 3 : 1;
  return { kind: "family", family: families[loss](), outputs };
}

function architecture(c: GradCase | AdamCase, params: MlpParams, layerNorm: boolean): Architecture {
  return {
    inputs: c.x[0].length,
    hidden: params.slice(0, -1).map((l) => l.bias.shape[0]),
    outputs: params[params.length - 1].bias.shape[0],
    activation: c.activation,
    layerNorm,
    dropout: 0,
  };
}

/** max |a − b| / max |b| over one tensor. */
function relativeError(a: Tensor, expected: number[] | number[][]): number {
  const b = expected.flat();
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a.data[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  expect(a.size).toBe(b.length);
  return num / den;
}

describe("MLP gradients match PyTorch (float64)", () => {
  for (const c of fixture.grad) {
    const decay = c.weightDecay ? `, L2 ${c.weightDecay}` : "";
    const name = `${c.activation}${c.layerNorm ? " + layer norm" : ""}, ${c.loss} loss${decay}`;
    it(name, () => {
      const params = toParams(c.params);
      const head = headFor(c.loss);
      const ctx = {
        arch: architecture(c, params, c.layerNorm),
        head,
        dtype: "float64" as const,
        standardizer: { mean: new Float64Array(0), scale: new Float64Array(0) },
      };
      const x = tensor(c.x);
      const y = tensor(c.y);
      const w = tensor(c.weights);
      const [value, grads] = valueAndGrad((p: MlpParams) =>
        objective(ctx, p, x, y, w, c.weightDecay ?? 0),
      )(params);
      expect(Math.abs(value.item() - c.value) / Math.abs(c.value)).toBeLessThan(1e-12);
      grads.forEach((layer, i) => {
        for (const [k, g] of Object.entries(layer)) {
          expect(relativeError(g, c.grads[i][k]), `layer ${i} ${k}`).toBeLessThan(1e-10);
        }
      });
    });
  }
});

describe("twenty full-batch Adam steps follow PyTorch's loss curve", () => {
  for (const c of fixture.adam) {
    it(`${c.activation}, ${c.loss}`, () => {
      const model = mlp({
        hidden: c.params.slice(0, -1).map((l) => (l.bias as number[]).length),
        activation: c.activation,
        family: c.loss as "gaussian" | "binomial" | "categorical",
        classes: c.loss === "categorical" ? 3 : undefined,
        standardize: false,
      });
      const curve: number[] = [];
      model.fit(c.x, c.y, {
        weights: c.weights,
        epochs: c.steps,
        batchSize: c.x.length,
        shuffle: false,
        optimizer: adam({ lr: c.lr }),
        initialParams: toParams(c.params),
        onEpoch: (p) => {
          curve.push(p.loss);
          return undefined;
        },
      });
      expect(curve).toHaveLength(c.steps);
      curve.forEach((v, i) => {
        expect(Math.abs(v - c.curve[i]) / Math.abs(c.curve[i]), `step ${i}`).toBeLessThan(1e-9);
      });
      model.params!.forEach((layer, i) => {
        for (const [k, p] of Object.entries(layer)) {
          expect(relativeError(p, c.finalParams[i][k]), `layer ${i} ${k}`).toBeLessThan(1e-9);
        }
      });
    });
  }
});
