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
