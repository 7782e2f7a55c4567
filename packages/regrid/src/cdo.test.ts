import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataArray } from "@geoml/grid";
import { openNetcdf, writeNetcdf } from "@geoml/netcdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axis, cdo, cdoAvailable, testField } from "./__fixtures__/fields.js";
import {
  cellAreas,
  fromScrip,
  globalGrid,
  Regridder,
  type RegridMethod,
  readGrid,
  type SphericalGrid,
  toScrip,
} from "./index.js";

// Every method on three cases against Debian's CDO 2.1 (`remapbil`, `remapnn`, `remapcon`,
// output in float64): a masked 2° grid onto 1°, a masked 1° grid onto 2.5°, and CMIP5
// `tos` on MPI-ESM's bipolar curvilinear ocean grid (with cell corners) onto 1°; and
// 500 hPa heights on a 2.5° grid stored north to south with rows at the poles.
// Tolerance: 1e-6 relative per value, and the same missing cells.

const TOS = new URL("../../../datasets/netcdf/tos_bipolar_nc4.nc", import.meta.url).pathname;
const HGT = new URL("../../../datasets/netcdf/hgt.nc", import.meta.url).pathname;
const CDO_OPS: Record<RegridMethod, string> = {
  bilinear: "remapbil",
  nearest: "remapnn",
  conservative: "remapcon",
};

function targetFile(res: number): DataArray {
  const g = globalGrid(res);
  return new DataArray({
    name: "dummy",
    dims: ["lat", "lon"],
    shape: [g.ny, g.nx],
    data: new Float32Array(g.ny * g.nx),
    coords: {
      lat: { dims: ["lat"], values: g.lat, attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: g.lon, attrs: { units: "degrees_east" } },
    },
  });
}

/** Largest relative difference over cells valid in both, and cells valid in only one. */
function compare(ours: ArrayLike<number>, ref: ArrayLike<number>) {
  let maxRel = 0;
  let nanMismatch = 0;
  let valid = 0;
  for (let i = 0; i < ref.length; i++) {
    const a = ours[i];
    const b = ref[i];
    if (Number.isNaN(a) !== Number.isNaN(b)) nanMismatch++;
    else if (!Number.isNaN(b)) {
      valid++;
      maxRel = Math.max(maxRel, Math.abs(a - b) / Math.abs(b));
    }
  }
  return { maxRel, nanMismatch, valid };
}

const haveCdo = cdoAvailable();

describe.skipIf(!haveCdo)("matches CDO", () => {
  let dir: string;
  const cases: Record<string, { src: string; variable: string; tgt: string; res: number }> = {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "geoml-regrid-"));
    const s2 = testField(axis(-89, 2, 90), axis(1, 2, 180));
    const s1 = testField(axis(-89.5, 1, 180), axis(0.5, 1, 360));
    await writeNetcdf(join(dir, "src2.nc"), [s2]);
    await writeNetcdf(join(dir, "src1.nc"), [s1]);
    await writeNetcdf(join(dir, "tgt1.nc"), [targetFile(1)]);
    await writeNetcdf(join(dir, "tgt25.nc"), [targetFile(2.5)]);
    cases["2° → 1°"] = {
      src: join(dir, "src2.nc"),
      variable: "ts",
      tgt: join(dir, "tgt1.nc"),
      res: 1,
    };
    cases["1° → 2.5°"] = {
      src: join(dir, "src1.nc"),
      variable: "ts",
      tgt: join(dir, "tgt25.nc"),
      res: 2.5,
    };
    cases["curvilinear tos → 1°"] = {
      src: TOS,
      variable: "tos",
      tgt: join(dir, "tgt1.nc"),
      res: 1,
    };
    cases["2.5° from 90° to −90° (pole rows), 21 steps → 1°"] = {
      src: HGT,
      variable: "HGT",
      tgt: join(dir, "tgt1.nc"),
      res: 1,
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const loaded = new Map<
    string,
    Promise<{ c: (typeof cases)[string]; grid: SphericalGrid; data: DataArray }>
  >();
  const regridders = new Map<string, Regridder>();
  function load(name: string) {
    let p = loaded.get(name);
    if (p === undefined) {
      p = loadCase(name);
      loaded.set(name, p);
    }
    return p;
  }
  /** Weights are computed once per case and method and shared by the tests below. */
  function regridder(name: string, grid: SphericalGrid, res: number, method: RegridMethod) {
    const key = `${name}/${method}`;
    let r = regridders.get(key);
    if (r === undefined) {
      r = new Regridder(grid, globalGrid(res), { method });
      regridders.set(key, r);
    }
    return r;
  }

  async function loadCase(name: string) {
    const c = cases[name];
    const ds = await openNetcdf(c.src);
    try {
      const { data, grid } = await readGrid(ds, c.variable);
      // float64 throughout, as CDO computes, so only the methods differ.
      return { c, grid, data: data.withData(data.toFloat64().slice()) };
    } finally {
      await ds.close();
    }
  }

  async function cdoResult(op: string, c: { src: string; tgt: string; variable: string }) {
    const out = join(dir, `${op}-${Math.random().toString(36).slice(2)}.nc`);
    cdo("-b", "F64", `${op},${c.tgt}`, c.src, out);
    const ds = await openNetcdf(out);
    try {
      return (await ds.read(c.variable)).toFloat64();
    } finally {
      await ds.close();
    }
  }

  for (const name of [
    "2° → 1°",
    "1° → 2.5°",
    "curvilinear tos → 1°",
    "2.5° from 90° to −90° (pole rows), 21 steps → 1°",
  ]) {
    for (const method of ["bilinear", "nearest", "conservative"] as const) {
      it(`${method}, ${name}`, async () => {
        const { c, grid, data } = await load(name);
        const r = regridder(name, grid, c.res, method);
        const ours = r.regrid(data).toFloat64();
        const ref = await cdoResult(CDO_OPS[method], c);
        const cmp = compare(ours, ref);
        expect(cmp.nanMismatch).toBe(0);
        expect(cmp.valid).toBeGreaterThan(ref.length / 3);
        expect(cmp.maxRel).toBeLessThan(1e-6);
      }, 60_000);
    }
  }

  it("writes SCRIP weights that cdo remap applies to the same result", async () => {
    for (const [name, method] of [
      ["curvilinear tos → 1°", "conservative"],
      ["1° → 2.5°", "bilinear"],
      ["2° → 1°", "nearest"],
    ] as const) {
      const { c, grid, data } = await load(name);
      const r = regridder(name, grid, c.res, method);
      const target = r.target;
      const firstStep = data.toFloat64().subarray(0, grid.ny * grid.nx);
      const scrip = toScrip(
        r.weights,
        grid,
        target,
        Uint8Array.from(firstStep, (v) => (Number.isNaN(v) ? 0 : 1)),
      );
      const wfile = join(dir, `w-${method}.nc`);
      await writeNetcdf(wfile, scrip.variables, { attrs: scrip.attrs, format: "64bit-offset" });
      const out = join(dir, `remap-${method}.nc`);
      cdo("-b", "F64", `remap,${c.tgt},${wfile}`, c.src, out);
      const ds = await openNetcdf(out);
      const ref = (await ds.read(c.variable)).toFloat64();
      await ds.close();
      const cmp = compare(r.regrid(data).toFloat64(), ref);
      expect(cmp.nanMismatch, `${method} ${name}`).toBe(0);
      expect(cmp.maxRel, `${method} ${name}`).toBeLessThan(1e-12);
    }
  }, 60_000);

  it("reads CDO's gencon and genbil weight files", async () => {
    for (const [name, gen, op] of [
      ["curvilinear tos → 1°", "gencon", "remapcon"],
      ["2° → 1°", "genbil", "remapbil"],
    ] as const) {
      const { c, grid, data } = await load(name);
      const wfile = join(dir, `${gen}.nc`);
      cdo(`${gen},${c.tgt}`, c.src, wfile);
      const wds = await openNetcdf(wfile);
      const { weights, sourceDims } = await fromScrip(wds);
      await wds.close();
      expect(sourceDims).toEqual([grid.ny, grid.nx]);
      const r = new Regridder(grid, globalGrid(c.res), { weights });
      const cmp = compare(r.regrid(data).toFloat64(), await cdoResult(op, c));
      expect(cmp.nanMismatch, name).toBe(0);
      expect(cmp.maxRel, name).toBeLessThan(1e-12);
    }
  }, 60_000);
});

describe("conservative regridding conserves the area integral", () => {
  async function check(grid: SphericalGrid, data: Float64Array, target: SphericalGrid) {
    const r = new Regridder(grid, target, { method: "conservative" });
    const sa = cellAreas(grid);
    const ta = cellAreas(target);
    const field = new DataArray({
      name: "f",
      dims: ["y", "x"],
      shape: [grid.ny, grid.nx],
      data,
      coords: {},
    });
    const { data: out, fraction } = r.regridWithFraction(field);
    let before = 0;
    for (let s = 0; s < data.length; s++) if (!Number.isNaN(data[s])) before += data[s] * sa[s];
    let after = 0;
    const o = out.toFloat64();
    const f = fraction.toFloat64();
    for (let t = 0; t < o.length; t++) if (!Number.isNaN(o[t])) after += o[t] * f[t] * ta[t];
    expect(Math.abs(after - before) / Math.abs(before)).toBeLessThan(1e-10);
  }

  it("rectilinear 1° with land onto 2.5°, and 2.5° onto 1°", async () => {
    const s1 = testField(axis(-89.5, 1, 180), axis(0.5, 1, 360), 1);
    const g1 = globalGrid(1);
    await check(g1, s1.toFloat64(), globalGrid(2.5));
    const s25 = testField(axis(-88.75, 2.5, 72), axis(1.25, 2.5, 144), 1);
    await check(globalGrid(2.5), s25.toFloat64(), g1);
  });

  it("curvilinear tos (cells with corners, land missing) onto 1°", async () => {
    const ds = await openNetcdf(TOS);
    const { data, grid } = await readGrid(ds, "tos", { isel: { time: 0 } });
    await ds.close();
    await check(grid, data.toFloat64().slice(), globalGrid(1));
  }, 30_000);
});
