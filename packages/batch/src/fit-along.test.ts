import { describe, expect, it } from "vitest";
import { fitAlong } from "./index.js";
import { type CellsReference, cellsReference, referenceArray, relErr } from "./testing.js";

const ref = cellsReference();
const [, ny, nx] = ref.shape;

function compare(
  got: Awaited<ReturnType<typeof fitAlong>>,
  want: CellsReference["gaussian"] | CellsReference["poisson"] | CellsReference["covariate"],
  tol: number,
) {
  const C = ny * nx;
  const p = got.coef.shape[0];
  let worst = 0;
  let fitted = 0;
  for (let c = 0; c < C; c++) {
    expect(got.nobs.data[c]).toBe(want.nobs[c]);
    const wc = want.coef[c];
    if (wc === null) {
      for (let j = 0; j < p; j++)
        expect(Number.isNaN(got.coef.data[j * C + c] as number)).toBe(true);
      expect(Number.isNaN(got.deviance.data[c] as number)).toBe(true);
      continue;
    }
    fitted++;
    for (let j = 0; j < p; j++) {
      worst = Math.max(worst, relErr(got.coef.data[j * C + c] as number, wc[j]));
      worst = Math.max(worst, relErr(got.se.data[j * C + c] as number, want.se[c]![j]));
    }
    worst = Math.max(worst, relErr(got.deviance.data[c] as number, want.deviance[c]!));
  }
  expect(worst).toBeLessThanOrEqual(tol);
  return { worst, fitted };
}

describe("fitAlong", () => {
  it("matches statsmodels OLS on every cell: trend + two harmonics with gaps (≤ 1e-8 relative)", async () => {
    const sst = referenceArray(ref, "sst");
    const res = await fitAlong(sst, { formula: ref.gaussian_formula, chunkCells: 20 });
    expect(res.coef.dims).toEqual(["term", "lat", "lon"]);
    expect(res.coef.coords.term.values).toEqual([
      "Intercept",
      "t",
      "cos(((2 * pi) * month) / 12)",
      "sin(((2 * pi) * month) / 12)",
      "cos(((4 * pi) * month) / 12)",
      "sin(((4 * pi) * month) / 12)",
    ]);
    const { fitted } = compare(res, ref.gaussian, 1e-8);
    expect(fitted).toBeGreaterThan(40);
    for (let c = 0; c < ny * nx; c++) {
      const s = ref.gaussian.scale[c];
      if (s !== null) expect(relErr(res.scale.data[c] as number, s)).toBeLessThan(1e-8);
    }
    // Land: no valid step, nobs 0 (not a fill value); too few steps and a singular design: NaN.
    expect(res.nobs.data[0]).toBe(0);
    const [sy, sx] = ref.singular_cell;
    expect(res.nobs.data[sy * nx + sx]).toBeGreaterThan(6);
    expect(Number.isNaN(res.coef.data[sy * nx + sx] as number)).toBe(true);
    const [fy, fx] = ref.few_cell;
    expect(res.nobs.data[fy * nx + fx]).toBe(3);
  });

  it("matches statsmodels GLM Poisson on every cell (batched IRLS)", async () => {
    const count = referenceArray(ref, "count");
    const res = await fitAlong(count, { formula: ref.poisson_formula, family: "poisson" });
    compare(res, ref.poisson, 1e-8);
    expect(res.scale.data[10]).toBe(1);
  });

  it("matches statsmodels with another grid variable as a term (each cell its own design)", async () => {
    const sst = referenceArray(ref, "sst_w");
    const wind = referenceArray(ref, "wind");
    const res = await fitAlong(sst, {
      formula: ref.covariate_formula,
      covariates: [wind],
      chunkCells: 13,
    });
    expect(res.coef.coords.term.values).toEqual([
      "Intercept",
      "t",
      "cos(((2 * pi) * month) / 12)",
      "wind",
    ]);
    compare(res, ref.covariate, 1e-8);
  });

  it("fits a monthly climatology with C(month): the intercept is each cell's January mean", async () => {
    const sst = referenceArray(ref, "sst");
    const res = await fitAlong(sst, { formula: "sst ~ C(month)" });
    expect(res.coef.shape[0]).toBe(12);
    expect((res.coef.coords.term.values as string[])[1]).toBe("C(month)[T.2]");
    const [nt] = ref.shape;
    const C = ny * nx;
    const cell = 2 * nx + 5;
    let sum = 0;
    let n = 0;
    for (let t = 0; t < nt; t += 12) {
      const v = ref.sst[t * C + cell];
      if (v !== null) {
        sum += v;
        n++;
      }
    }
    expect(relErr(res.coef.data[cell] as number, sum / n)).toBeLessThan(1e-10);
  });

  it("gives the same numbers whatever the chunk size", async () => {
    const sst = referenceArray(ref, "sst");
    const a = await fitAlong(sst, { formula: ref.gaussian_formula, chunkCells: 1 });
    const b = await fitAlong(sst, { formula: ref.gaussian_formula, chunkCells: 1e6 });
    expect(a.coef.data).toEqual(b.coef.data);
    expect(a.se.data).toEqual(b.se.data);
    const c = await fitAlong(sst, { formula: ref.gaussian_formula, workers: 2 });
    expect(c.coef.data).toEqual(b.coef.data);
    expect(c.deviance.data).toEqual(b.deviance.data);
    // worker threads load from the TypeScript sources: seconds on a busy machine
  }, 30_000);
});
