import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataArray, formatCFDatetime } from "@geoml/grid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ref from "./__fixtures__/writer_reference.json" with { type: "json" };
import { corpusPath } from "./corpus.js";
import { openNetcdf, writeDataset, writeNetcdf } from "./index.js";
import { sampleResults } from "./sample.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "geoml-netcdf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("NetCDF-3 writer", () => {
  it("writes exactly the bytes ncdump and xarray were checked on", async () => {
    const path = join(dir, "sample.nc");
    const { arrays, options } = sampleResults();
    await writeNetcdf(path, arrays, options);
    const sha = createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
    expect(sha).toBe(ref.sha256);
    expect(ref.kind).toBe("classic");
    expect(ref.unlimited).toEqual(["time"]);
    expect(ref.coords).toEqual(["lat", "lat2d", "lon", "lon2d", "time"]);
  });

  it("reads back what xarray decoded, NaN where masked, times in the noleap calendar", async () => {
    const path = join(dir, "sample-back.nc");
    const { arrays, options } = sampleResults();
    await writeNetcdf(path, arrays, options);
    const ds = await openNetcdf(path);
    try {
      for (const [name, v] of Object.entries(ref.variables) as Array<
        [string, (typeof ref.variables)["prediction"] & { times?: string[] }]
      >) {
        const a = await ds.read(name);
        expect(a.dims).toEqual(v.dims);
        if (v.times) {
          expect(a.coords[name].times!.map(formatCFDatetime)).toEqual(v.times);
          continue;
        }
        const data = a.toFloat64();
        v.values.forEach((e, i) => {
          if (e === null) expect(Number.isNaN(data[i])).toBe(true);
          else expect(Math.abs(data[i] - e)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(e)));
        });
      }
      const residual = await ds.read("residual");
      expect(Object.keys(residual.coords).sort()).toEqual(["lat2d", "lon2d"]);
    } finally {
      await ds.close();
    }
  });

  it("copies NetCDF-4 to NetCDF-3 losslessly", async () => {
    const src = await openNetcdf(corpusPath("sst_nc4_deflate.nc"));
    const path = join(dir, "copy.nc");
    await writeDataset(path, src);
    const copy = await openNetcdf(path);
    try {
      expect(copy.format).toBe("netcdf3-classic");
      expect(copy.source.unlimitedDims).toEqual(["time"]);
      const a = await src.read("sst", { isel: { time: 4 } });
      const b = await copy.read("sst", { isel: { time: 4 } });
      expect(b.data).toEqual(a.data);
    } finally {
      await src.close();
      await copy.close();
    }
  });

  it("writes 64-bit offset and CDF-5 kinds", async () => {
    const { arrays } = sampleResults();
    for (const format of ["64bit-offset", "cdf5"] as const) {
      const path = join(dir, `${format}.nc`);
      await writeNetcdf(path, arrays, { format });
      const ds = await openNetcdf(path);
      expect(ds.format).toBe(format === "cdf5" ? "netcdf3-cdf5" : "netcdf3-64bit-offset");
      const p = await ds.read("prediction", { isel: { time: 2, lat: 1 } });
      expect(p.shape).toEqual([5]);
      await ds.close();
    }
    await expect(
      writeNetcdf(join(dir, "u.nc"), arrays, {
        encoding: { slope: { dtype: "uint16" } },
        format: "classic",
      }),
    ).rejects.toThrow(/need format 'cdf5'/);
  });

  it("leaves the caller's arrays untouched (it byte-swaps its own copy)", async () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => (i % 5 === 0 ? Number.NaN : i / 4));
    const time = Float64Array.from({ length: 4 }, (_, i) => i * 30);
    const before = [Float32Array.from(data), Float64Array.from(time)];
    const a = new DataArray({
      name: "x",
      dims: ["time", "y"],
      shape: [4, 6],
      data,
      coords: { time: { dims: ["time"], values: time, attrs: { units: "days since 2000-01-01" } } },
    });
    for (const [k, unlimited] of [
      ["fixed", undefined],
      ["record", "time"],
    ] as const) {
      const path = join(dir, `untouched-${k}.nc`);
      await writeNetcdf(path, [a], { format: "64bit-offset", unlimited });
      expect(data).toEqual(before[0]);
      expect(time).toEqual(before[1]);
      const ds = await openNetcdf(path);
      try {
        expect((await ds.read("x", { decode: true })).data).toEqual(before[0]);
      } finally {
        await ds.close();
      }
    }
  });
});
