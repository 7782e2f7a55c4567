import { DataArray, isGridError } from "@geoml/grid";
import { openNetcdf } from "@geoml/netcdf";
import { describe, expect, it } from "vitest";
import { axis, testField } from "./__fixtures__/fields.js";
import { overlapArea } from "./clip.js";
import {
  cellAreas,
  computeWeights,
  curvilinearCorners,
  curvilinearGrid,
  globalGrid,
  gridOf,
  Regridder,
  readGrid,
  rectilinearGrid,
  regrid,
} from "./index.js";
import { GREAT_CIRCLE, LAT_CIRCLE, polygonArea, toVec } from "./sphere.js";

const TOS = new URL("../../../datasets/netcdf/tos_bipolar_nc4.nc", import.meta.url).pathname;

describe("spherical geometry", () => {
  it("areas of an octant and of a latitude band are exact", () => {
    const octant = [toVec(0, 0), toVec(0, 90), toVec(90, 0)];
    expect(polygonArea(octant, [GREAT_CIRCLE, GREAT_CIRCLE, GREAT_CIRCLE])).toBeCloseTo(
      Math.PI / 2,
      14,
    );
    // 10°×10° box bounded by circles of latitude: Δλ (sin φ2 − sin φ1).
    const box = [toVec(40, 0), toVec(40, 10), toVec(50, 10), toVec(50, 0)];
    const exact =
      ((10 * Math.PI) / 180) * (Math.sin((50 * Math.PI) / 180) - Math.sin((40 * Math.PI) / 180));
    expect(polygonArea(box, [LAT_CIRCLE, GREAT_CIRCLE, LAT_CIRCLE, GREAT_CIRCLE])).toBeCloseTo(
      exact,
      14,
    );
    // Clockwise gives the negative.
    expect(
      polygonArea([...box].reverse(), [LAT_CIRCLE, GREAT_CIRCLE, LAT_CIRCLE, GREAT_CIRCLE]),
    ).toBeCloseTo(-exact, 14);
  });

  it("clips a great-circle cell by a longitude–latitude box", () => {
    // A box inside a big cell overlaps by its own area; disjoint boxes by nothing.
    const r = Math.PI / 180;
    const cell = {
      points: [toVec(-20, -20), toVec(-20, 20), toVec(20, 20), toVec(20, -20)],
      edges: [0, 0, 0, 0],
    };
    const inside = overlapArea(cell, -5 * r, 5 * r, Math.sin(-5 * r), Math.sin(5 * r));
    expect(inside).toBeCloseTo(10 * r * 2 * Math.sin(5 * r), 14);
    expect(overlapArea(cell, 30 * r, 40 * r, 0, 0.5)).toBe(0);
    // Quarters of a box sum to the box.
    const parts = [
      overlapArea(cell, -30 * r, 0, -1, 0),
      overlapArea(cell, 0, 30 * r, -1, 0),
      overlapArea(cell, -30 * r, 0, 0, 1),
      overlapArea(cell, 0, 30 * r, 0, 1),
    ];
    const whole = polygonArea(cell.points, cell.edges);
    expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(whole, 13);
  });

  it("cell areas of a global grid sum to 4π", () => {
    const areas = cellAreas(globalGrid(2.5));
    expect(areas.reduce((a, b) => a + b, 0)).toBeCloseTo(4 * Math.PI, 12);
  });
});

describe("Regridder", () => {
  const src = testField(axis(-89, 2, 90), axis(1, 2, 180), 3);

  it("keeps leading dims and coordinates and applies one weight matrix to every step", () => {
    const r = new Regridder(gridOf(src), globalGrid(4), { method: "conservative" });
    const out = r.regrid(src);
    expect(out.dims).toEqual(["time", "lat", "lon"]);
    expect(out.shape).toEqual([3, 45, 90]);
    expect(Array.from(out.coords.time.values as Float64Array)).toEqual([0, 1, 2]);
    expect(out.attrs.units).toBe("K");
    // Step by step equals all at once.
    for (let k = 0; k < 3; k++) {
      const one = r.regrid(sliceStep(src, k));
      const a = one.toFloat64();
      const b = out.toFloat64().subarray(k * 4050, (k + 1) * 4050);
      for (let i = 0; i < a.length; i++)
        expect(Object.is(a[i], b[i]) || Math.abs(a[i] - b[i]) < 1e-12).toBe(true);
    }
  });

  it("minCoverage drops cells whose valid fraction is too small, and reports the fraction", () => {
    const r = new Regridder(gridOf(src), globalGrid(10), { method: "conservative" });
    const { data, fraction } = r.regridWithFraction(src);
    const strict = r.regrid(src, { minCoverage: 0.99 }).toFloat64();
    const f = fraction.toFloat64();
    const d = data.toFloat64();
    let partial = 0;
    for (let i = 0; i < f.length; i++) {
      expect(f[i]).toBeGreaterThanOrEqual(0);
      expect(f[i]).toBeLessThanOrEqual(1 + 1e-12);
      if (f[i] > 0 && f[i] < 0.99) {
        partial++;
        expect(Number.isNaN(d[i])).toBe(false);
        expect(Number.isNaN(strict[i])).toBe(true);
      }
      if (f[i] === 0) expect(Number.isNaN(d[i])).toBe(true);
    }
    expect(partial).toBeGreaterThan(10);
  });

  it("destarea normalisation divides by the whole cell", () => {
    const fr = new Regridder(gridOf(src), globalGrid(10), { method: "conservative" });
    const da = new Regridder(gridOf(src), globalGrid(10), {
      method: "conservative",
      normalize: "destarea",
    });
    const { data, fraction } = fr.regridWithFraction(src);
    const raw = da.regrid(src).toFloat64();
    const d = data.toFloat64();
    const f = fraction.toFloat64();
    for (let i = 0; i < d.length; i++) if (f[i] > 0) expect(raw[i]).toBeCloseTo(d[i] * f[i], 9);
  });

  it("regrids a curvilinear grid given by 2-D coordinates (a regular grid written out in 2-D)", () => {
    // A regular 2° grid written as 2-D coordinates is the same grid: bilinear results agree.
    const lat = axis(-89, 2, 90);
    const lon = axis(1, 2, 180);
    const lat2 = new Float64Array(90 * 180);
    const lon2 = new Float64Array(90 * 180);
    for (let j = 0; j < 90; j++)
      for (let i = 0; i < 180; i++) {
        lat2[j * 180 + i] = lat[j];
        lon2[j * 180 + i] = lon[i];
      }
    const curv = curvilinearGrid(lat2, lon2, 90, 180);
    const field = src.withData(src.toFloat64());
    const a = new Regridder(curv, globalGrid(3), { method: "bilinear" }).regrid(field).toFloat64();
    const b = new Regridder(gridOf(src), globalGrid(3), { method: "bilinear" })
      .regrid(field)
      .toFloat64();
    let n = 0;
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(b[i])) continue;
      expect(a[i]).toBeCloseTo(b[i], 9);
      n++;
    }
    expect(n).toBeGreaterThan(1000);
  });
});

function sliceStep(a: DataArray, k: number): DataArray {
  const n = a.shape[1] * a.shape[2];
  return new DataArray({
    name: a.name,
    dims: ["lat", "lon"],
    shape: [a.shape[1], a.shape[2]],
    data: a.toFloat64().slice(k * n, (k + 1) * n),
    coords: { lat: a.coords.lat, lon: a.coords.lon },
  });
}

describe("curvilinear grids without corners", () => {
  it("get corners computed on the sphere: tos results within 1e-4 of those with the file's corners", async () => {
    const ds = await openNetcdf(TOS);
    const { data, grid } = await readGrid(ds, "tos", { isel: { time: 0 } });
    await ds.close();
    const bare = { ...grid };
    delete bare.latBounds;
    delete bare.lonBounds;
    const corners = curvilinearCorners(bare);
    expect(corners.lat.length).toBe(4 * grid.ny * grid.nx);
    const target = globalGrid(2);
    const a = new Regridder(grid, target, { method: "conservative" }).regrid(data).toFloat64();
    const b = new Regridder(bare, target, { method: "conservative" }).regrid(data).toFloat64();
    let valid = 0;
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
      valid++;
      expect(Math.abs(a[i] - b[i]) / a[i]).toBeLessThan(1e-4);
    }
    expect(valid).toBeGreaterThan(0.3 * a.length);
    // The computed cells tile the grid's area like the file's (bipolar grid: 99.7 % of the sphere).
    const sum = (x: Float64Array) => x.reduce((p, q) => p + q, 0);
    expect(sum(cellAreas(bare)) / sum(cellAreas(grid))).toBeCloseTo(1, 3);
  }, 30_000);
});

describe("errors name what was wrong", () => {
  const src = testField(axis(-89, 2, 90), axis(1, 2, 180), 1);
  it("unknown method, bad option, wrong grid", () => {
    const g = gridOf(src);
    expect(() => computeWeights(g, globalGrid(1), { method: "cubic" as never })).toThrow(
      /method must be one of nearest, bilinear, conservative; got 'cubic'/,
    );
    const r = new Regridder(g, globalGrid(5), { method: "nearest" });
    expect(() => r.regrid(src, { minCoverage: 2 })).toThrow(
      /minCoverage must be a number in \[0, 1\]/,
    );
    const other = testField(axis(-88, 4, 45), axis(2, 4, 90), 1);
    try {
      r.regrid(other);
      expect.unreachable();
    } catch (e) {
      expect(isGridError(e, "GRID_MISMATCH")).toBe(true);
      expect(String(e)).toMatch(/variable 'ts'.*expected \[90, 180\]/);
    }
    expect(() => globalGrid(0.7)).toThrow(/does not divide 180/);
    expect(() => globalGrid(0.001)).toThrow(/makes 180000×360000 cells, more than/);
    expect(() => rectilinearGrid([0, 1, 1], [0, 1])).toThrow(/not strictly monotonic/);
    const noCoords = new DataArray({
      name: "x",
      dims: ["a", "b"],
      shape: [1, 1],
      data: new Float64Array(1),
    });
    expect(() => gridOf(noCoords)).toThrow(/variable 'x'.*no latitude\/longitude/);
    const oneRow = curvilinearGrid([0, 0], [0, 1], 1, 2);
    expect(() => computeWeights(oneRow, globalGrid(1), { method: "conservative" })).toThrow(
      /cannot compute corners of a 1×2 grid/,
    );
  });

  it("the one-call regrid reads the grid from the array", () => {
    const out = regrid(src, globalGrid(3), { method: "bilinear" });
    expect(out.shape).toEqual([1, 60, 120]);
  });
});
