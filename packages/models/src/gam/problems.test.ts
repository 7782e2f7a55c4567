/** Bad input to the GAM: typed errors that name the term, option or column at fault. */
import { binomial, categorical, gamma, gaussian } from "@geoml/losses";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../formula/design.js";
import { parseFormula } from "../formula/parse.js";
import { FormulaError } from "../glm/errors.js";
import { GamError } from "./errors.js";
import { gam } from "./fit.js";

const n = 60;
const x = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
const data = {
  x,
  few: Float64Array.from({ length: n }, (_, i) => i % 5),
  y: x.map((v, i) => Math.sin(6 * v) + ((i * 7919) % 13) / 30),
  yb: Float64Array.from({ length: n }, (_, i) => ((i * 31) % 7 > 3 ? 1 : 0)),
  zone: Array.from({ length: n }, (_, i) => (i % 2 ? "a" : "b")),
  code: Float64Array.from({ length: n }, (_, i) => i % 3),
};

function thrown(f: () => unknown): GamError {
  try {
    f();
  } catch (e) {
    if (e instanceof GamError) return e;
    throw e;
  }
  throw new Error("expected a GamError");
}

describe("gam() bad input", () => {
  it("a smooth with more basis functions than unique covariate values names the term", () => {
    for (const bs of ["cr", "ps", "cc", "tp"]) {
      const e = thrown(() => gam(`y ~ s(few, bs="${bs}", k=8)`, data));
      expect(e.code).toBe("BASIS_TOO_LARGE");
      expect(e.term).toBe("s(few)");
      expect(e.message).toMatch(/s\(few\).*5 unique/);
    }
    const e = thrown(() => gam("y ~ te(x, few, k=c(5,6))", data));
    expect(e.code).toBe("BASIS_TOO_LARGE");
    expect(e.term).toBe("te(x,few)");
  });

  it("a by variable that is not a factor names the term and the column", () => {
    const e = thrown(() => gam('y ~ s(x, by=code, bs="cr")', data));
    expect(e.code).toBe("BY_NOT_FACTOR");
    expect(e.term).toBe("s(x):code");
    expect(e.message).toMatch(/code/);
  });

  it("a family the method cannot handle is refused", () => {
    expect(thrown(() => gam("y ~ s(x)", data, { method: "UBRE" })).code).toBe("METHOD_FAMILY");
    expect(thrown(() => gam("y ~ s(x)", data, { family: gamma(), method: "UBRE" })).term).toBe(
      "method",
    );
    const e = thrown(() => gam("yb ~ s(x)", data, { family: categorical(3), method: "GCV" }));
    expect(e.code).toBe("METHOD_FAMILY");
    expect(e.term).toBe("method");
    // UBRE with a known scale is fine for a Gaussian model
    expect(gam('y ~ s(x, bs="cr")', data, { method: "UBRE", scale: 0.1 }).method).toBe("UBRE");
    expect(gam('yb ~ s(x, bs="cr")', data, { family: binomial(), method: "UBRE" }).converged).toBe(
      true,
    );
  });

  it("unknown bases, options and methods are typed errors", () => {
    expect(thrown(() => gam('y ~ s(x, bs="zz")', data)).code).toBe("UNKNOWN_BASIS");
    expect(thrown(() => gam("y ~ s(x)", data, { method: "AIC" as never })).term).toBe("method");
    expect(thrown(() => gam("y ~ s(x)", data, { sp: [1, 2] })).term).toBe("sp");
    expect(thrown(() => gam('y ~ s(x, bs="cr")', data, { sp: { "s(x)": -1 } })).term).toBe("s(x)");
    expect(thrown(() => gam('y ~ s(zone, bs="cr")', data)).code).toBe("BAD_SMOOTH");
    expect(thrown(() => gam('y ~ s(x, few, bs="cr")', data)).code).toBe("BAD_SMOOTH");
    expect(thrown(() => gam("y ~ s(x)", data, { family: "gaussian" as never })).term).toBe(
      "family",
    );
  });

  it("missing values in a smooth covariate name the column, or drop the row when asked", () => {
    const withNaN = { ...data, x: Float64Array.from(x, (v, i) => (i === 7 ? Number.NaN : v)) };
    expect(() => gam('y ~ s(x, bs="cr")', withNaN)).toThrow(/column "x".*row 7/);
    expect(gam('y ~ s(x, bs="cr")', withNaN, { missing: "drop" }).n).toBe(n - 1);
  });
});

describe("formulas with smooth terms", () => {
  it("parses s() and te() with mgcv's options", () => {
    const f = parseFormula(
      "y ~ x3 + s(x, bs=\"cr\", k=10) + te(lon, lat, k=c(5,6)) + s(doy, bs='cc', by=zone) - 1",
    );
    expect(f.intercept).toBe(false);
    expect(f.terms.map((t) => t[0].label)).toEqual(["x3"]);
    expect(f.smooths.map((s) => s.label)).toEqual(["s(x)", "te(lon,lat)", "s(doy):zone"]);
    expect(f.smooths[0]).toMatchObject({ type: "s", vars: ["x"], bs: ["cr"], k: [10], by: null });
    expect(f.smooths[1]).toMatchObject({ type: "te", vars: ["lon", "lat"], bs: null, k: [5, 6] });
    expect(f.smooths[2]).toMatchObject({ bs: ["cc"], by: "zone" });
  });

  it("rejects malformed smooth terms with the position", () => {
    for (const bad of [
      "y ~ s(x, bs=cr)",
      "y ~ s(x, k=)",
      "y ~ s()",
      "y ~ s(x, x)",
      "y ~ s(x):z",
      "y ~ s(x, q=1)",
      'y ~ s(x, bs="cr"',
    ])
      expect(() => parseFormula(bad), bad).toThrow(FormulaError);
  });

  it("models without smooths refuse them: the GLM says to use the GAM", () => {
    expect(() => buildDesign("y ~ s(x)", data)).toThrow(/s\(x\) needs a GAM/);
  });
});

describe("gam() results", () => {
  it("predicts the fitting data as fitted, saves and loads, and gives partial effects with bands", () => {
    const r = gam('y ~ s(x, bs="cr") + zone', data);
    const again = r.predict(data);
    for (let i = 0; i < n; i++) expect(again.fit[i]).toBeCloseTo((r.fitted as Float64Array)[i], 10);
    const back = (r.constructor as typeof import("./results.js").GamResults).fromJSON(
      JSON.parse(JSON.stringify(r.toJSON())),
    );
    const p2 = back.predict(data, { se: true });
    const p1 = r.predict(data, { se: true });
    for (let i = 0; i < n; i++) {
      expect(p2.fit[i]).toBe(p1.fit[i]);
      expect((p2.se as Float64Array)[i]).toBe((p1.se as Float64Array)[i]);
    }
    const pe = r.partialEffect("s(x)", { points: 25, level: 0.9 });
    expect(pe.fit).toHaveLength(25);
    expect(pe.x.x[0]).toBe(0);
    expect(pe.x.x[24]).toBe(1);
    for (let i = 0; i < 25; i++) {
      expect(pe.upper[i] - pe.fit[i]).toBeCloseTo(1.6448536 * pe.se[i], 6);
      expect(pe.lower[i]).toBeLessThan(pe.fit[i]);
    }
    expect(() => r.partialEffect("s(z)")).toThrow(GamError);
    expect(gaussian().name).toBe("gaussian");
  });
});

describe("side constraints (mgcv's gam.side)", () => {
  it("drops the te() columns that repeat s() of a shared covariate, and predicts with them dropped", () => {
    const m = 200;
    const lat = Float64Array.from({ length: m }, (_, i) => ((i * 0.37) % 1) * 40);
    const lon = Float64Array.from({ length: m }, (_, i) => ((i * 0.73) % 1) * 60);
    const y = lat.map((v, i) => Math.sin(v / 8) + Math.cos(lon[i] / 10) + ((i * 13) % 7) / 20);
    const d = { lat, lon, y };
    const r = gam('y ~ s(lat, bs="cr") + te(lon, lat)', d);
    const te = r.smooths[1];
    expect(te.deleted?.length).toBe(1);
    expect(te.size).toBe(23);
    expect(r.coefficientNames.at(-1)).toBe("te(lon,lat).23");
    const p = r.predict(d);
    for (let i = 0; i < m; i++) expect(p.fit[i]).toBeCloseTo((r.fitted as Float64Array)[i], 9);
  });
});
