import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMlpError } from "./errors.js";
import { loadMlp, mlp } from "./model.js";
import type { MlpJSON } from "./serialize.js";

const x = [
  [0.1, 1],
  [0.5, -1],
  [0.9, 0.3],
  [-0.2, 0.8],
];
const model = mlp({ hidden: [3], family: "poisson", seed: 1 });
model.fit(x, [1, 0, 3, 2], { epochs: 2 });
const saved = model.toJSON();

const show = (v: unknown) => {
  try {
    return JSON.stringify(v) ?? "undefined";
  } catch {
    return typeof v;
  }
};

/** Sets `value` at a dotted path inside a deep copy of `json`. */
function mutate(json: MlpJSON, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(json) as unknown as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== "object") return copy;
    node = node[key] as Record<string | number, unknown>;
  }
  node[path[path.length - 1]] = value;
  return copy;
}

const paths: (string | number)[][] = [
  ["format"],
  ["version"],
  ["dtype"],
  ["seed"],
  ["init"],
  ["standardize"],
  ["family"],
  ["family", "name"],
  ["family", "link"],
  ["architecture"],
  ["architecture", "inputs"],
  ["architecture", "outputs"],
  ["architecture", "hidden"],
  ["architecture", "hidden", 0],
  ["architecture", "activation"],
  ["architecture", "dropout"],
  ["standardizer", "mean"],
  ["standardizer", "scale"],
  ["params"],
  ["params", 0],
  ["params", 0, "weight"],
  ["params", 0, "weight", "shape"],
  ["params", 0, "weight", "data"],
  ["params", 1, "bias", "data"],
];

const junk = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(1e9, -1, 0.5, Number.NaN, 2 ** 31),
  fc.string({ maxLength: 12 }),
  fc.base64String({ maxLength: 40 }),
  fc.array(fc.integer({ min: -3, max: 1e6 }), { maxLength: 4 }),
  fc.array(fc.double(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 }),
);

describe("loading damaged saved models", () => {
  it("either loads a usable model or throws a typed error, never anything else", () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), junk, (path, value) => {
        let loaded: ReturnType<typeof loadMlp>;
        try {
          loaded = loadMlp(mutate(saved, path, value) as MlpJSON);
        } catch (e) {
          expect(isMlpError(e), `${path.join(".")} = ${show(value)}: ${(e as Error).message}`).toBe(
            true,
          );
          return;
        }
        const mu = loaded.predict(x).data;
        expect(mu).toHaveLength(4);
      }),
      { numRuns: 1500, seed: 42 },
    );
  });

  it("rejects text that is not a saved model", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        expect(() => loadMlp(text)).toThrow();
        try {
          loadMlp(text);
        } catch (e) {
          expect(isMlpError(e, "MLP_FORMAT")).toBe(true);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
