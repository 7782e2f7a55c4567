import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatCFDatetime, isGridError } from "@geoml/grid";
import { describe, expect, it } from "vitest";
import { openMfDataset } from "./index.js";

const FIX = join(import.meta.dirname, "__fixtures__");
// xarray.open_mfdataset of the same archive (tools/oracles/io_mfdataset_xarray.py).
const ref = JSON.parse(readFileSync(join(FIX, "mfdataset_xarray.json"), "utf8")) as {
  files_in_order: string[];
  time: string[];
  lat: number[];
  lon: number[];
  shape: number[];
  sst: (number | null)[];
  count: (number | null)[];
};

const same = (got: ArrayLike<number>, want: (number | null)[]) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (want[i] === null) expect(Number.isNaN(got[i])).toBe(true);
    else expect(got[i]).toBe(want[i]);
  }
};

describe("openMfDataset", () => {
  it("joins an archive in time order as xarray's open_mfdataset does", async () => {
    const ds = await openMfDataset(join(FIX, "archive", "*.nc"));
    expect(ds.files.map((f) => f.split("/").pop())).toEqual(ref.files_in_order);
    expect(ds.dims).toMatchObject({ time: 48, lat: 3, lon: 4 });
    const sst = await ds.read("sst");
    expect(sst.shape).toEqual(ref.shape);
    same(sst.data as Float32Array, ref.sst);
    same((await ds.read("count")).data as Float64Array, ref.count);
    // One file stores days since 2002-01-01: the joined times are re-encoded, not mixed.
    expect(sst.coords.time.times!.map((t) => formatCFDatetime(t))).toEqual(ref.time);
    same(sst.coords.lat.values as Float64Array, ref.lat);
    same(sst.coords.lon.values as Float64Array, ref.lon);
    await ds.close();
  });

  it("reads a hyperslab that spans files, touching only what it needs", async () => {
    const ds = await openMfDataset(join(FIX, "archive", "*.nc"));
    const part = await ds.read("sst", { isel: { time: { start: 10, stop: 26 }, lat: 1 } });
    expect(part.shape).toEqual([16, 4]);
    const want = [];
    for (let t = 10; t < 26; t++) for (let x = 0; x < 4; x++) want.push(ref.sst[t * 12 + 4 + x]);
    same(part.data as Float32Array, want);
    expect(formatCFDatetime(part.coords.time.times![0])).toBe(ref.time[10]);
    await ds.close();
  });

  it("takes a list of paths in any order", async () => {
    const files = ref.files_in_order.map((f) => join(FIX, "archive", f)).reverse();
    const ds = await openMfDataset(files, { concatDim: "time" });
    expect(ds.files).toEqual([...files].reverse());
    await ds.close();
  });

  const bad: [string, string, RegExp][] = [
    ["grid", "GRID_MISMATCH", /y2001\.nc: coordinate 'lat' differs .* at index 2 \(31 vs 30\)/],
    ["size", "GRID_MISMATCH", /y2001\.nc: coordinate 'lat' has shape \[4\], expected \[3\]/],
    ["variable", "UNKNOWN_VARIABLE", /y2001\.nc: no variable 'count'/],
    ["overlap", "TIME_ORDER", /y2001\.nc: 'time' overlaps .*y2000\.nc/],
    ["backwards", "TIME_ORDER", /y2001\.nc: 'time' goes backwards at index 1/],
    ["repeat", "TIME_ORDER", /y2001\.nc: 'time' repeats at index 6 \(2001-06-16T00:00:00 after/],
    ["calendar", "GRID_MISMATCH", /y2001\.nc: calendar '360_day' differs from 'noleap'/],
  ];
  for (const [name, code, message] of bad) {
    it(`rejects an archive with a different ${name}, naming the file`, async () => {
      const error = await openMfDataset(join(FIX, `archive_bad_${name}`, "*.nc")).catch((e) => e);
      expect(isGridError(error, code)).toBe(true);
      expect(error.message).toMatch(message);
    });
  }

  it("rejects a glob that matches nothing and repeated times", async () => {
    const error = await openMfDataset(join(FIX, "nothing-*.nc")).catch((e) => e);
    expect(isGridError(error, "NO_FILES")).toBe(true);
    expect(error.message).toMatch(/no file matches '.*nothing-\*\.nc'/);
    const f = join(FIX, "archive", "a_2001.nc");
    const twice = await openMfDataset([f, f]).catch((e) => e);
    expect(twice.message).toMatch(/a_2001\.nc: file given twice/);
  });
});
