import { describe, expect, it } from "vitest";
import { isGlmError } from "../glm/errors.js";
import { buildDesign } from "./design.js";
import { parseFormula } from "./parse.js";

const data = {
  y: [1, 0, 1, 1, 0, 1],
  x1: [0.5, 1.5, -1, 2, 0, 3],
  x2: [1, 2, 3, 4, 5, 6],
  zone: ["south", "north", "tropics", "north", "south", "tropics"],
  area: [1, 2, 3, 4, 5, 6],
  s: [1, 2, 0, 4, 1, 2],
  f: [3, 0, 2, 1, 1, 0],
};
const col = (d: ReturnType<typeof buildDesign>, name: string) => {
  const j = d.names.indexOf(name);
  return Array.from(d.x.subarray(j * d.n, (j + 1) * d.n));
};

describe("formula parsing", () => {
  it("expands *, :, parentheses and drops the intercept with - 1 or + 0", () => {
    const f = parseFormula("y ~ (x1 + x2) * C(zone) - 1");
    expect(f.intercept).toBe(false);
    expect(f.terms.map((t) => t.map((x) => x.label).join(":"))).toEqual([
      "x1",
      "x2",
      "C(zone)",
      "x1:C(zone)",
      "x2:C(zone)",
    ]);
    expect(parseFormula("y ~ x1 + 0").intercept).toBe(false);
    expect(parseFormula("y ~ x1 - x1 + x2").terms.map((t) => t[0].label)).toEqual(["x2"]);
  });

  it("reports the position of a mistake", () => {
    expect(() => parseFormula("y ~ x1 + + x2")).toThrow(/position 9/);
    expect(() => parseFormula("y x1")).toThrow(/expected "~"/);
    expect(() => parseFormula("y ~ spline(x1)")).toThrow(/unknown function "spline"/);
  });
});

describe("design matrices", () => {
  it("dummy-codes categorical columns with patsy's names, first level as reference", () => {
    const d = buildDesign("y ~ x1 + zone + x1:x2", data);
    expect(d.names).toEqual(["Intercept", "x1", "zone[T.south]", "zone[T.tropics]", "x1:x2"]);
    expect(col(d, "zone[T.south]")).toEqual([1, 0, 0, 0, 1, 0]);
    expect(col(d, "x1:x2")).toEqual([0.5, 3, -3, 8, 0, 18]);
    expect(d.info.levels.zone).toEqual(["north", "south", "tropics"]);
  });

  it("codes every level of the first factor without an intercept", () => {
    const d = buildDesign("y ~ C(zone) + x1 - 1", data);
    expect(d.names).toEqual(["C(zone)[north]", "C(zone)[south]", "C(zone)[tropics]", "x1"]);
  });

  it("interacts a factor with a number and evaluates functions", () => {
    const d = buildDesign("y ~ C(zone):x1 + I(x2 ^ 2) + log(area)", data);
    expect(d.names).toEqual([
      "Intercept",
      "C(zone)[T.south]:x1",
      "C(zone)[T.tropics]:x1",
      "I(x2 ** 2)",
      "log(area)",
    ]);
    expect(col(d, "I(x2 ** 2)")).toEqual([1, 4, 9, 16, 25, 36]);
    expect(col(d, "C(zone)[T.tropics]:x1")).toEqual([0, 0, -1, 0, 0, 3]);
  });

  it("reads offsets and cbind responses", () => {
    const d = buildDesign("cbind(s, f) ~ x1 + offset(log(area))", data);
    expect(Array.from(d.trials!)).toEqual([4, 2, 2, 5, 2, 2]);
    expect(d.y![0]).toBe(0.25);
    expect(d.offset![1]).toBeCloseTo(Math.log(2), 15);
    expect(d.names).toEqual(["Intercept", "x1"]);
  });

  it("codes new data with the fitted levels", () => {
    const fitted = buildDesign("y ~ zone", data);
    const d = buildDesign(
      "y ~ zone",
      { zone: ["tropics"] },
      { info: fitted.info, noResponse: true },
    );
    expect(Array.from(d.x)).toEqual([1, 0, 1]);
    try {
      buildDesign("y ~ zone", { zone: ["arctic"] }, { info: fitted.info, noResponse: true });
      expect.unreachable();
    } catch (e) {
      expect(isGlmError(e, "UNKNOWN_LEVEL")).toBe(true);
    }
  });

  it("rejects columns of different length and strings in arithmetic", () => {
    expect(() => buildDesign("y ~ x1", { y: [1, 2], x1: [1] })).toThrow(/column "x1" has 1 rows/);
    expect(() => buildDesign("y ~ log(zone)", data)).toThrow(/holds strings/);
  });
});

describe("weights", () => {
  it("a negative weight is named with its column and first row", () => {
    const w = Float64Array.from({ length: 6 }, (_, i) => (i === 3 || i === 5 ? -1 : 1));
    expect(() => buildDesign("y ~ x1", { ...data, w }, { weights: "w" })).toThrow(
      /weights column "w" is negative \(-1\) in row 3/,
    );
    expect(
      buildDesign("y ~ x1", { ...data, w: w.map(Math.abs) }, { weights: "w" }).weights,
    ).toEqual(Float64Array.from({ length: 6 }, () => 1));
  });
});

describe("columnar design", () => {
  it("reads Float64Array columns in place, never writes to them, and codes every case as plain arrays do", () => {
    const typed = {
      y: Float64Array.from(data.y),
      x1: Float64Array.from(data.x1),
      x2: Float32Array.from(data.x2),
      zone: data.zone,
      area: Float64Array.from([1, 2, Number.NaN, 4, 5, 6]),
    };
    const before = JSON.stringify(
      Object.values(typed).map((c) => Array.from(c as ArrayLike<unknown>)),
    );
    const formula = "y ~ x1 * C(zone) + x1:x2 + I(x1 * 2) + offset(x1)";
    const options = { weights: "x1", missing: "drop" as const, offset: "area" };
    const a = buildDesign(formula, { ...typed, x1: typed.x1.map(Math.abs) }, options);
    const b = buildDesign(
      formula,
      { ...data, x1: data.x1.map(Math.abs), area: [1, 2, Number.NaN, 4, 5, 6] },
      options,
    );
    expect(
      JSON.stringify(Object.values(typed).map((c) => Array.from(c as ArrayLike<unknown>))),
    ).toBe(before);
    expect(a.names).toEqual(b.names);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.rows)).toEqual([0, 1, 3, 4, 5]);
    for (const k of ["y", "offset", "weights"] as const) {
      expect(Array.from(a[k]!)).toEqual(Array.from(b[k]!));
      // the design's vectors are its own: solvers may write to them
      expect(a[k]).not.toBe(typed.y);
    }
    const whole = buildDesign("y ~ x1", typed);
    expect(whole.y).not.toBe(typed.y);
    expect(Array.from(whole.x.subarray(whole.n))).toEqual(Array.from(typed.x1));
  });
});

describe("missing values in numeric terms", () => {
  // the check runs while each column is copied into the design, chunk by chunk
  const n = 5000;
  const a = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const y = new Float64Array(n);
  it.each([
    ["a first factor", "y ~ a + b", "a", 4321],
    ["the second factor of an interaction", "y ~ a:b", "b", 2048],
    ["the last row", "y ~ a", "a", n - 1],
  ])("names the column and the first bad row: %s", (_, formula, name, row) => {
    const bad = (name === "a" ? a : b).slice();
    bad[row] = Number.POSITIVE_INFINITY;
    bad[row + 1] = Number.NaN;
    const cols = { y, a, b, [name]: bad };
    try {
      buildDesign(formula, cols);
      expect.unreachable();
    } catch (e) {
      expect(isGlmError(e, "MISSING_VALUE")).toBe(true);
      expect((e as Error).message).toContain(`"${name}"`);
      expect((e as Error).message).toContain(`row ${row}`);
    }
    expect(buildDesign(formula, cols, { missing: "drop" }).n).toBe(row === n - 1 ? n - 1 : n - 2);
  });
});
