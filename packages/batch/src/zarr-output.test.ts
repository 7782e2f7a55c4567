import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { glm } from "@geoml/models";
import { openNetcdf } from "@geoml/netcdf";
import { openZarr, openZarrWriter } from "@geoml/zarr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as zarr from "zarrita";
import { batchFit, batchPredict, fitAlong, gridRows, predictAlong } from "./index.js";
import { cellsReference, referenceArray, storeFiles, writeArchive } from "./testing.js";

const ref = cellsReference();
const dir = mkdtempSync(join(tmpdir(), "geoml-batch-zarr-"));
const files = join(dir, "part_*.nc");
const sst = referenceArray(ref, "sst");
const formula = "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12)";
const terms = ["Intercept", "t", "cos(((2 * pi) * month) / 12)", "sin(((2 * pi) * month) / 12)"];
let expected: Awaited<ReturnType<typeof fitAlong>>;
beforeAll(async () => {
  await writeArchive(dir, sst, 4);
  expected = await fitAlong(sst, { formula, along: "time" });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSameStore(a: string, b: string): void {
  const fa = storeFiles(a);
  const fb = storeFiles(b);
  expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
  for (const [k, v] of fa) expect(v.equals(fb.get(k)!), k).toBe(true);
}

describe.each([3, 2] as const)("a Zarr v%i output", (format) => {
  it("holds coef, se, nobs, deviance, scale, term labels and the grid, as in memory", async () => {
    const out = join(dir, `fit${format}.zarr`);
    const report = await batchFit({
      files,
      formula,
      out,
      chunkCells: 16,
      ...(format === 2 ? { zarrFormat: 2 } : {}),
    });
    expect(report.chunks).toBe(3);
    expect(existsSync(join(out, format === 3 ? "zarr.json" : ".zmetadata"))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes("tmp") || f.includes(".old-"))).toEqual([]);
    const ds = await openZarr(out);
    expect(ds.format).toBe(format === 3 ? "zarr3" : "zarr2");
    expect(ds.attrs.Conventions).toBe("CF-1.8");
    const coef = await ds.read("coef");
    expect(coef.dims).toEqual(["term", "lat", "lon"]);
    expect(coef.coords.term.values).toEqual(terms);
    expect(Array.from(coef.coords.lat.values as Float64Array)).toEqual(ref.lat);
    expect(coef.coords.lat.attrs.units).toBe("degrees_north");
    for (const name of ["coef", "se", "nobs", "deviance", "scale"] as const) {
      const got = await ds.read(name);
      expect(Array.from(got.data as Float64Array), name).toEqual(
        Array.from(expected[name].data as Float64Array),
      );
    }
    await ds.close();
  });

  // The writer path is the same for both formats; one pool start is enough to check it.
  it.runIf(format === 3)(
    "writes the same bytes on worker threads as in one thread",
    async () => {
      const a = join(dir, `one${format}.zarr`);
      const b = join(dir, `two${format}.zarr`);
      await batchFit({ files, formula, out: a, chunkCells: 16, zarrFormat: format });
      await batchFit({ files, formula, out: b, chunkCells: 16, zarrFormat: format, workers: 2 });
      expectSameStore(a, b);
      // worker threads load from the TypeScript sources: seconds on a busy machine
    },
    30_000,
  );

  it("writes predictions over time with the CF time coordinate", async () => {
    const saved = JSON.stringify(
      glm({ family: "gaussian" }).fit({ formula: `${formula} + lat`, data: gridRows(sst).columns }),
    );
    const out = join(dir, `pred${format}.zarr`);
    await batchPredict({ model: saved, files, out, chunkCells: 16, zarrFormat: format });
    const ds = await openZarr(out);
    const got = await ds.read("prediction");
    expect(got.dims).toEqual(["time", "lat", "lon"]);
    expect(got.coords.time.attrs.units).toBe(ref.time_units);
    expect(got.coords.time.attrs.calendar).toBe(ref.calendar);
    expect(Array.from(got.coords.time.values as Float64Array)).toEqual(ref.time);
    expect(got.data).toEqual((await predictAlong(saved, sst)).data);
    await ds.close();
  });
});

it("a v3 store reads back in zarrita: term as strings, coef with its dimension names", async () => {
  const out = join(dir, "fit3.zarr");
  if (!existsSync(out)) await batchFit({ files, formula, out });
  // A plain read-only store over the directory: zarrita's own decoding, nothing of ours.
  const store = {
    async get(key: string) {
      const p = join(out, key);
      return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined;
    },
  };
  const root = zarr.root(store);
  const term = await zarr.open.v3(root.resolve("term"), { kind: "array" });
  expect(term.dtype).toBe("string");
  expect((await zarr.get(term)).data).toEqual(terms);
  const coef = await zarr.open.v3(root.resolve("coef"), { kind: "array" });
  expect(coef.shape).toEqual([4, ref.shape[1], ref.shape[2]]);
  expect((coef.attrs as { dimension_names?: unknown }).dimension_names).toBeUndefined();
  const meta = JSON.parse(readFileSync(join(out, "coef", "zarr.json"), "utf8"));
  expect(meta.dimension_names).toEqual(["term", "lat", "lon"]);
  const got = (await zarr.get(coef)).data as Float64Array;
  expect(Array.from(got)).toEqual(Array.from(expected.coef.data as Float64Array));
});

it("replaces an earlier Zarr output but refuses a directory that is not one, before any work", async () => {
  const out = join(dir, "again.zarr");
  await batchFit({ files, formula, out });
  // What a run killed while writing the store left behind goes once a run finishes.
  mkdirSync(`${out}.tmp-999999/coef`, { recursive: true });
  writeFileSync(`${out}.tmp-999999/zarr.json`, "{}");
  await batchFit({ files, formula, out, zarrFormat: 2 });
  expect(existsSync(join(out, "zarr.json"))).toBe(false);
  expect(existsSync(join(out, ".zmetadata"))).toBe(true);
  expect(existsSync(`${out}.tmp-999999`)).toBe(false);
  const mine = join(dir, "mine.zarr");
  mkdirSync(mine);
  writeFileSync(join(mine, "notes.txt"), "keep me");
  await expect(batchFit({ files, formula, out: mine })).rejects.toThrow(
    /mine\.zarr: exists and is not a Zarr store/,
  );
  expect(readdirSync(mine)).toEqual(["notes.txt"]);
  expect(existsSync(`${mine}.parts`)).toBe(false);
  await expect(
    batchFit({ files, formula, out: join(dir, "x.zarr"), zarrFormat: 4 as never }),
  ).rejects.toThrow(/zarrFormat must be 2 or 3, got 4/);
  await expect(batchFit({ files, formula, out: `${join(dir, "y.zarr")}/` })).rejects.toThrow(
    /output must end in \.nc \(NetCDF\), \.zarr/,
  );
});

describe.each(["zarr2", "zarr3"] as const)("an archive of %s stores as input", (as) => {
  it("fits as the same archive in NetCDF does", async () => {
    const sub = join(dir, as);
    mkdirSync(sub);
    await writeArchive(sub, sst, 4, [], "part", as);
    const out = join(dir, `from-${as}.nc`);
    await batchFit({ files: join(sub, "part_*.zarr"), formula, out, chunkCells: 16 });
    const ds = await openNetcdf(out);
    for (const name of ["coef", "se", "nobs"] as const) {
      const got = await ds.read(name);
      expect(Array.from(got.data as Float64Array), name).toEqual(
        Array.from(expected[name].data as Float64Array),
      );
    }
    await ds.close();
  });
});

it("does not resume from parts of a Zarr input whose chunks were rewritten since", async () => {
  const sub = join(dir, "zarr3");
  const out = join(dir, "rewritten.nc");
  const spec = { files: join(sub, "part_*.zarr"), formula, out, chunkCells: 16, keepParts: true };
  if (!existsSync(sub)) {
    mkdirSync(sub);
    await writeArchive(sub, sst, 4, [], "part", "zarr3");
  }
  await batchFit(spec);
  expect((await batchFit(spec)).resumed).toBe(3);
  // Rewrite one store's chunks in place: neither the store's size nor its own time changes.
  const store = readdirSync(sub).sort()[0];
  const w = await openZarrWriter(join(sub, store));
  const ds = await openZarr(join(sub, store));
  const raw = await ds.read("sst", { decode: false });
  await ds.close();
  await w.write("sst", raw.data as Float32Array);
  await w.close();
  expect((await batchFit(spec)).resumed).toBe(0);
});
