import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { charsToStrings } from "@geoml/grid";
import { openNetcdf } from "@geoml/netcdf";
import { afterAll, describe, expect, it } from "vitest";
import { type BatchFitOptions, batchFit, fitAlong } from "./index.js";
import { cellsReference, referenceArray, writeArchive } from "./testing.js";

const ref = cellsReference();
const dir = mkdtempSync(join(tmpdir(), "geoml-batch-"));
afterAll(() => {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
});

describe("batchFit over files", () => {
  it("writes the same coefficients as an in-memory fit, as CF NetCDF with a term coordinate", async () => {
    const sst = referenceArray(ref, "sst");
    await writeArchive(dir, sst, 10);
    const out = join(dir, "trend.nc");
    const seen: number[] = [];
    const report = await batchFit({
      files: join(dir, "part_*.nc"),
      variable: "sst",
      formula: ref.gaussian_formula,
      out,
      chunkCells: 16,
      onProgress: (p) => seen.push(p.done),
    });
    expect(report.chunks).toBe(3);
    expect(seen).toEqual([0, 1, 2, 3]);
    const mem = await fitAlong(sst, { formula: ref.gaussian_formula });
    const ds = await openNetcdf(out);
    expect(ds.dataVariableNames).toEqual(
      expect.arrayContaining(["coef", "se", "nobs", "deviance", "scale"]),
    );
    const coef = await ds.read("coef");
    expect(coef.dims).toEqual(["term", "lat", "lon"]);
    expect(coef.data).toEqual(mem.coef.data);
    expect((await ds.read("se")).data).toEqual(mem.se.data);
    expect([...(await ds.read("nobs")).data]).toEqual([...mem.nobs.data]);
    const term = await ds.read("term");
    expect(charsToStrings(term.data as Uint8Array, term.shape[1])).toEqual(
      mem.coef.coords.term.values,
    );
    expect(coef.coords.lat.attrs.units).toBe("degrees_north");
    await ds.close();
    expect(() => readFileSync(`${out}.parts/run.json`)).toThrow();
  });

  it("gives byte-identical output on two worker threads", async () => {
    const a = join(dir, "one.nc");
    const b = join(dir, "two.nc");
    const common = { files: join(dir, "part_*.nc"), formula: ref.gaussian_formula, chunkCells: 8 };
    await batchFit({ ...common, out: a });
    await batchFit({ ...common, out: b, workers: 2 });
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
    // worker threads load from the TypeScript sources: seconds on a busy machine
  }, 30_000);

  it("reads other variables of the files for formulas that use them", async () => {
    const sst = referenceArray(ref, "sst_w");
    const wind = referenceArray(ref, "wind");
    await writeArchive(dir, sst, 3, [wind], "withwind");
    const out = join(dir, "wind.nc");
    await batchFit({ files: join(dir, "withwind_*.nc"), formula: ref.covariate_formula, out });
    const mem = await fitAlong(sst, { formula: ref.covariate_formula, covariates: [wind] });
    const ds = await openNetcdf(out);
    expect((await ds.read("coef")).data).toEqual(mem.coef.data);
    await ds.close();
  });

  it("rejects bad input before writing anything, naming the file", async () => {
    const out = join(dir, "never.nc");
    const cases: [Partial<BatchFitOptions> & { files: string }, RegExp][] = [
      [{ files: join(dir, "nope_*.nc") }, /no file matches/],
      [
        { files: join(dir, "part_*.nc"), variable: "salt", formula: "salt ~ t" },
        /no variable 'salt'/,
      ],
      [{ files: join(dir, "part_*.nc"), formula: "sst ~ t + wind" }, /no variable 'wind'/],
      [{ files: join(dir, "part_*.nc"), out: join(dir, "x.csv") }, /must end in \.nc/],
    ];
    for (const [o, message] of cases) {
      const e = await batchFit({ formula: ref.gaussian_formula, out, ...o }).catch((x) => x);
      expect(e).toBeInstanceOf(Error);
      expect(e.message).toMatch(message);
    }
    expect(() => readFileSync(out)).toThrow();
    expect(() => readFileSync(`${out}.parts/run.json`)).toThrow();
  });
});
