import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import type { InfoJson } from "./commands/info.js";
import { bufferIO } from "./io.js";
import { main } from "./main.js";

const fixture = (p: string) =>
  fileURLToPath(new URL(`../../zarr/src/__fixtures__/${p}`, import.meta.url));

it("geoml info opens a Zarr store directory; --stats agree with xarray", async () => {
  const io = bufferIO();
  const status = await main(["info", fixture("xr_packed_blosc.zarr"), "--stats", "--json"], io);
  expect(io.stderr).toBe("");
  expect(status).toBe(0);
  const summary = JSON.parse(io.stdout) as InfoJson;
  expect(summary.format).toBe("zarr2");
  const sst = summary.variables.find((v) => v.name === "sst")!;
  expect(sst.dims).toEqual(["time", "lat", "lon"]);
  const ref = JSON.parse(readFileSync(fixture("zarr_reference.json"), "utf8"));
  const decoded = (
    ref.stores["xr_packed_blosc.zarr"].xarray.variables.sst.decoded as Array<number | null>
  ).filter((v): v is number => v !== null);
  expect(sst.stats?.validCount).toBe(decoded.length);
  const sum = decoded.reduce((a, b) => a + b, 0);
  // xarray decodes to float32: agreement to float32 precision.
  expect(Math.abs(sst.stats!.sum! - sum)).toBeLessThanOrEqual(1e-6 * Math.abs(sum));
  expect(sst.stats?.min).toBeCloseTo(Math.min(...decoded), 5);
});

it("a NetCDF file copied to Zarr (v2 and v3) reads back with the same decoded values and times", async () => {
  const { openNetcdf } = await import("@geoml/netcdf");
  const { MemoryStore, openZarr, writeZarr } = await import("@geoml/zarr");
  const nc = await openNetcdf(
    fileURLToPath(new URL("../../../datasets/netcdf/sst_packed.nc", import.meta.url)),
  );
  for (const format of [2, 3] as const) {
    const mem = new MemoryStore();
    await writeZarr(mem, nc, { format });
    const z = await openZarr(mem);
    expect(z.dataVariableNames).toEqual(nc.dataVariableNames);
    const a = await nc.read("sst", { isel: { time: { start: 3, stop: 5 } } });
    const b = await z.read("sst", { isel: { time: { start: 3, stop: 5 } } });
    expect(b.dims).toEqual(a.dims);
    expect(Array.from(b.data as Float64Array)).toEqual(Array.from(a.data as Float64Array));
    expect(b.coords.time.times).toEqual(a.coords.time.times);
    expect(b.attrs).toEqual(a.attrs);
  }
  await nc.close();
});
