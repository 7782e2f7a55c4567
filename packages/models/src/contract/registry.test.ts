import { describe, expect, it } from "vitest";
import { isModelError, loadModel, modelKind, modelKinds, registerModelKind } from "../index.js";

describe("the model kind registry", () => {
  it("holds the built-in kinds with the tags of earlier releases", () => {
    expect(modelKinds().slice(0, 3)).toEqual(["glm", "multinomial", "mlp"]);
    expect(modelKind("glm")?.legacyFormats).toEqual(["geoml-glm"]);
    expect(modelKind("mlp")?.legacyFormats).toEqual(["geoml.mlp"]);
  });

  it("refuses to shadow a kind, and malformed kinds", () => {
    const load = () => {
      throw new Error("never called");
    };
    expect(() => registerModelKind({ kind: "glm", formatVersion: 1, load })).toThrow(
      /already registered/,
    );
    expect(() => registerModelKind({ kind: "bad kind", formatVersion: 1, load })).toThrow(/kind/);
    expect(() => registerModelKind({ kind: "x", formatVersion: 0, load })).toThrow(/formatVersion/);
    expect(() =>
      registerModelKind({ kind: "x", formatVersion: 1, load: 3 as unknown as typeof load }),
    ).toThrow(/load/);
  });

  it("reads files by their kind tag only, with typed errors", () => {
    const cases: [unknown, RegExp][] = [
      ["[1, 2]", /JSON object/],
      ["{", /not JSON/],
      ['{"kind": 3}', /"kind" must be a string/],
      ['{"kind": "glm"}', /formatVersion/],
      ['{"kind": "glm", "formatVersion": 1.5}', /formatVersion/],
      ['{"format": "geoml-gam"}', /no model kind "geoml-gam"/],
      ['{"family": "poisson"}', /no "kind" field/],
      // a text that merely contains another kind's tag is not that kind: the GLM reader answers
      ['{"kind": "glm", "formatVersion": 1, "note": "\\"format\\":\\"geoml.mlp\\""}', /"params"/],
    ];
    for (const [text, message] of cases) {
      try {
        loadModel(text as string);
        throw new Error(`accepted ${String(text)}`);
      } catch (e) {
        expect(isModelError(e), String(e)).toBe(true);
        expect((e as Error).message).toMatch(message);
      }
    }
  });
});
