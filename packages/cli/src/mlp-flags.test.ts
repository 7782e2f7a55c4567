import { Rng } from "@geoml/autodiff";
import { isMlpError } from "@geoml/models";
import { describe, expect, it } from "vitest";
import { fitMlpFromArgs, mlpOptionsFromArgs } from "./mlp-flags.js";

describe("command-line flags", () => {
  it("map onto the spec and fit options", () => {
    const { spec, fit } = mlpOptionsFromArgs({
      hidden: "64,32",
      activation: "relu",
      epochs: "7",
      "batch-size": "128",
      lr: "0.003",
      seed: "5",
      family: "binomial",
      link: "probit",
      "layer-norm": true,
      theta: "2.5",
    });
    expect(spec.familyParameters).toEqual({ theta: 2.5, power: undefined, linkPower: undefined });
    expect(spec).toMatchObject({
      hidden: [64, 32],
      activation: "relu",
      seed: 5,
      family: "binomial",
    });
    expect(spec.link).toBe("probit");
    expect(spec.layerNorm).toBe(true);
    expect(fit).toMatchObject({ epochs: 7, batchSize: 128, lr: 0.003 });
  });

  it("name the flag at fault", () => {
    for (const [args, text] of [
      [{ hidden: "64,,1" }, /--hidden: expected comma-separated/],
      [{ activation: "swish" }, /--activation: expected one of/],
      [{ epochs: "2.5" }, /--epochs: expected an integer, got "2.5"/],
      [{ lr: true }, /--lr: expected a value/],
    ] as const) {
      let caught: unknown;
      try {
        mlpOptionsFromArgs(args);
      } catch (e) {
        caught = e;
      }
      expect(isMlpError(caught, "MLP_OPTION")).toBe(true);
      expect((caught as Error).message).toMatch(text);
    }
  });

  it("train a model", () => {
    const rng = new Rng(1);
    const x = rng.normal([64, 3]);
    const y = Array.from({ length: 64 }, (_, i) => x.data[3 * i] * 2);
    const { model, history } = fitMlpFromArgs(
      { hidden: "8", epochs: "3", "batch-size": "16", seed: "2" },
      x,
      y,
    );
    expect(history.loss).toHaveLength(3);
    expect(model.predict(x).shape).toEqual([64]);
  });
});
