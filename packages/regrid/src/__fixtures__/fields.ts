import { execFileSync } from "node:child_process";
import { DataArray } from "@geoml/grid";

/** Whether Debian's `cdo` runs here. Under CI (CI=true) its absence is an error, elsewhere a notice. */
export function cdoAvailable(): boolean {
  try {
    execFileSync("cdo", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.CI === "true") {
      throw new Error("cdo is required under CI (Debian package 'cdo') but was not found");
    }
    console.warn("cdo not found: skipping the comparisons with CDO");
    return false;
  }
}

/** Run `cdo` with arguments, quietly. */
export function cdo(...args: string[]): void {
  execFileSync("cdo", ["-s", ...args], { stdio: ["ignore", "ignore", "pipe"] });
}

/** A regular global grid's centres: `n` latitudes from `lat0` and `m` longitudes from `lon0`. */
export function axis(start: number, step: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => start + i * step);
}

/**
 * A smooth test field over (time, lat, lon) in kelvin-like values with "land" (NaN) where
 * a pattern exceeds a threshold, so masks and coasts are exercised.
 */
export function testField(lat: Float64Array, lon: Float64Array, steps = 2, masked = true): DataArray {
  const ny = lat.length;
  const nx = lon.length;
  const data = new Float64Array(steps * ny * nx);
  const r = Math.PI / 180;
  for (let k = 0; k < steps; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const la = lat[j];
        const lo = lon[i];
        let v =
          280 +
          20 * Math.cos(la * r) +
          5 * Math.sin((2 * lo + 10 * k) * r) * Math.cos(3 * la * r) +
          0.01 * lo;
        if (masked && Math.sin(lo * 1.7 * r) * Math.cos(la * 2.3 * r) > 0.6) v = Number.NaN;
        data[(k * ny + j) * nx + i] = v;
      }
    }
  }
  return new DataArray({
    name: "ts",
    dims: ["time", "lat", "lon"],
    shape: [steps, ny, nx],
    data,
    coords: {
      time: {
        dims: ["time"],
        values: axis(0, 1, steps),
        attrs: { units: "days since 2000-01-01", calendar: "standard" },
      },
      lat: { dims: ["lat"], values: lat, attrs: { units: "degrees_north", standard_name: "latitude" } },
      lon: { dims: ["lon"], values: lon, attrs: { units: "degrees_east", standard_name: "longitude" } },
    },
    attrs: { units: "K", long_name: "test temperature" },
  });
}
