import { setSimd, simdEnabled } from "@geoml/autodiff";
import { afterEach, describe, expect, it } from "vitest";
import { isGlmError } from "../glm/errors.js";
import { designMemory } from "../linalg/design-memory.js";
import { buildDesign } from "./design.js";

// large enough for the design to live in a WebAssembly memory (n·p ≥ 65,536), where
// the copy is checked by the WebAssembly probe; odd, so that column 1 starts 8 bytes
// off a 16-byte boundary and the last chunk ends with 3 rows the probe leaves to JS
const n = 40_003;
const a = Float64Array.from({ length: n }, (_, i) => Math.cos(i) * 1e300);
const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i) - 0.5);
const y = new Float64Array(n);
const simdAtStart = simdEnabled();

afterEach(() => setSimd(simdAtStart));

describe("missing values in a design held in WebAssembly memory", () => {
  it("the design is placed there and its columns are the data's", () => {
    const d = buildDesign("y ~ a + b", { y, a, b });
    if (simdAtStart) expect(designMemory(d.x)).not.toBeNull();
    expect(d.x.subarray(n, 2 * n)).toEqual(a);
    expect(d.x.subarray(2 * n, 3 * n)).toEqual(b);
  });

  const rows = [0, 1, 2047, 2048, 2050, 20_001, n - 4, n - 3, n - 2, n - 1];
  const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const simd of [true, false])
    it.each(rows)(`names the column and the first bad row (SIMD ${simd}): row %i`, (row) => {
      setSimd(simd && simdAtStart);
      for (const [k, name] of ["a", "b"].entries()) {
        const bad = (name === "a" ? a : b).slice();
        bad[row] = values[(row + k) % 3];
        // a later bad value must not be the one reported
        if (row + 5 < n) bad[row + 5] = Number.NaN;
        try {
          buildDesign("y ~ a + b", { y, a, b, [name]: bad });
          expect.unreachable();
        } catch (e) {
          expect(isGlmError(e, "MISSING_VALUE")).toBe(true);
          expect((e as Error).message).toContain(`column "${name}"`);
          expect((e as Error).message).toContain(`in row ${row};`);
        }
      }
    });
});
