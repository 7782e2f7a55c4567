import { lastPass, setSimd, setThreads, simdEnabled, startWorkers } from "@geoml/autodiff";
import { afterEach, describe, expect, it } from "vitest";
import { isGlmError } from "../glm/errors.js";
import { designMemory, dropSpare } from "../linalg/design-memory.js";
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

  it("with worker threads mapping the pages of the design's second half, reports the first bad value in column order", async () => {
    setThreads(2);
    await startWorkers(1e12);
    dropSpare();
    // 4 columns of 1.1e6 rows: 34 MiB, filled by this thread while a worker maps pages
    const m = 1_100_001;
    const data = {
      y: new Float64Array(m),
      c: Float64Array.from({ length: m }, (_, i) => i),
      d: Float64Array.from({ length: m }, (_, i) => -i),
      e: Float64Array.from({ length: m }, (_, i) => i / 2),
    };
    lastPass.threads = 0;
    const d = buildDesign("y ~ c + d + e", data);
    if (simdAtStart) expect(lastPass.threads).toBe(2);
    expect(d.x.subarray(3 * m, 4 * m)).toEqual(data.e);
    expect(d.x.subarray(0, m).every((v) => v === 1)).toBe(true);
    // a bad value in the last column (the workers' pages) alone, then with one in
    // the first column as well (this thread's pages, reported first)
    const e = data.e.slice();
    e[1_000_000] = Number.NaN;
    expect(() => buildDesign("y ~ c + d + e", { ...data, e })).toThrow(
      /column "e" has a missing or non-finite value \(NaN\) in row 1000000;/,
    );
    const c = data.c.slice();
    c[700_000] = Number.POSITIVE_INFINITY;
    expect(() => buildDesign("y ~ c + d + e", { ...data, c, e })).toThrow(
      /column "c" has a missing or non-finite value \(Infinity\) in row 700000;/,
    );
  });

  it("reports the first factor of a product column with a missing value, however the fill is split", async () => {
    // y ~ a + c:d + b: 4 columns of 1.1e6 rows, the split between this thread's share
    // and the workers' falls in column 2 (c:d), near its end
    const m = 1_100_001;
    const col = (f: (i: number) => number) => Float64Array.from({ length: m }, (_, i) => f(i));
    const data = {
      y: new Float64Array(m),
      a: col((i) => i),
      b: col((i) => -i),
      c: col((i) => i / 2),
      d: col((i) => 1 + i),
    };
    // a bad d early (this thread's share), a bad c in the last rows (the workers')
    data.d[5] = Number.NaN;
    data.c[m - 1] = Number.NaN;
    const message = (threads: number) => {
      setThreads(threads);
      dropSpare();
      try {
        buildDesign("y ~ a + c:d + b", data);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    await startWorkers(1e12);
    const two = message(2);
    expect(two).toMatch(/column "c" has a missing or non-finite value \(NaN\) in row 1100000;/);
    expect(message(1)).toBe(two);
    setThreads(2);
  });
});
