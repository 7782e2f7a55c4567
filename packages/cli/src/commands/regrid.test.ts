import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataArray } from "@geoml/grid";
import { openNetcdf, writeNetcdf } from "@geoml/netcdf";
import { globalGrid, gridOf, Regridder } from "@geoml/regrid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIO } from "../io.js";
import { main } from "../main.js";

const TOS = new URL("../../../../datasets/netcdf/tos_bipolar_nc4.nc", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "geoml-cli-regrid-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function field(): DataArray {
  const lat = Float64Array.from({ length: 90 }, (_, j) => -89 + 2 * j);
  const lon = Float64Array.from({ length: 180 }, (_, i) => 1 + 2 * i);
  const data = new Float32Array(2 * 90 * 180);
  for (let k = 0; k < data.length; k++) {
    const j = Math.floor(k / 180) % 90;
    const i = k % 180;
    data[k] =
      i > 20 && i < 40 && j > 30 && j < 50
        ? Number.NaN
        : 280 + Math.cos(lat[j] / 30) * 10 + i / 50 + Math.floor(k / 16200);
  }
  return new DataArray({
    name: "ts",
    dims: ["time", "lat", "lon"],
    shape: [2, 90, 180],
    data,
    coords: {
      time: {
        dims: ["time"],
        values: Float64Array.from([0, 1]),
        attrs: { units: "days since 2000-01-01" },
      },
      lat: { dims: ["lat"], values: lat, attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: lon, attrs: { units: "degrees_east" } },
    },
    attrs: { units: "K", long_name: "test temperature" },
  });
}

beforeAll(async () => {
  await writeNetcdf(join(dir, "in.nc"), [field()]);
});

async function run(...args: string[]) {
  const io = bufferIO();
  const status = await main(args, io);
  return { status, ...io };
}

describe("geoml regrid", () => {
  it("--res writes the variable in floating point with _FillValue on 1-D lat/lon, as the library computes it", async () => {
    const out = join(dir, "out.nc");
    const r = await run(
      "regrid",
      join(dir, "in.nc"),
      "--var",
      "ts",
      "--res",
      "2.5",
      "--method",
      "conservative",
      "--out",
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    const ds = await openNetcdf(out);
    const ts = await ds.read("ts");
    const frac = await ds.read("valid_fraction");
    expect(ts.dims).toEqual(["time", "lat", "lon"]);
    expect(ts.shape).toEqual([2, 72, 144]);
    expect(ds.variable("ts").attrs._FillValue).toBeDefined();
    expect(ds.variable("ts").dtype).toBe("float32");
    expect(ts.attrs.units).toBe("K");
    const lat = ts.coords.lat.values as Float64Array;
    const lon = ts.coords.lon.values as Float64Array;
    expect([lat[0], lat[71], lon[0], lon[1]]).toEqual([-88.75, 88.75, 1, 3.5]);
    await ds.close();
    const src = field();
    const expected = new Regridder(gridOf(src), globalGrid(2.5, 1), {
      method: "conservative",
    }).regridWithFraction(src);
    const got = ts.toFloat64();
    const want = expected.data.toFloat64();
    for (let i = 0; i < got.length; i++) {
      if (Number.isNaN(want[i])) expect(Number.isNaN(got[i])).toBe(true);
      else expect(got[i]).toBe(Math.fround(want[i]));
    }
    expect(Array.from(frac.toFloat64().slice(0, 5))).toEqual(
      Array.from(expected.fraction.toFloat64().slice(0, 5), Math.fround),
    );
  });

  it("--to takes the grid of another file; --save-weights and --weights round-trip", async () => {
    const target = join(dir, "target.nc");
    const g = globalGrid(5);
    await writeNetcdf(target, [
      new DataArray({
        name: "mask",
        dims: ["lat", "lon"],
        shape: [g.ny, g.nx],
        data: new Float32Array(g.ny * g.nx),
        coords: {
          lat: { dims: ["lat"], values: g.lat, attrs: { units: "degrees_north" } },
          lon: { dims: ["lon"], values: g.lon, attrs: { units: "degrees_east" } },
        },
      }),
    ]);
    const a = join(dir, "a.nc");
    const w = join(dir, "w.nc");
    const b = join(dir, "b.nc");
    const args = [join(dir, "in.nc"), "--var", "ts", "--to", target];
    expect(
      (await run("regrid", ...args, "--method", "bilinear", "--out", a, "--save-weights", w))
        .status,
    ).toBe(0);
    expect((await run("regrid", ...args, "--weights", w, "--out", b)).status).toBe(0);
    const [da, db] = await Promise.all([openNetcdf(a), openNetcdf(b)]);
    const va = (await da.read("ts")).toFloat64();
    const vb = (await db.read("ts")).toFloat64();
    expect(va.length).toBe(2 * 36 * 72);
    for (let i = 0; i < va.length; i++)
      expect(Object.is(va[i], vb[i]) || Math.abs(va[i] - vb[i]) < 1e-4).toBe(true);
    await Promise.all([da.close(), db.close()]);
  });

  it("regrids the curvilinear CMIP tos onto 1° with cell corners from the file", async () => {
    const out = join(dir, "tos1.nc");
    const r = await run(
      "regrid",
      TOS,
      "--var",
      "tos",
      "--res",
      "1",
      "--method",
      "nearest",
      "--out",
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/curvilinear 220×256\) → 180×360/);
    const ds = await openNetcdf(out);
    const tos = await ds.read("tos");
    expect(tos.shape).toEqual([1, 180, 360]);
    await ds.close();
  });

  it("reads a geographic GeoTIFF as well (bands become variables)", async () => {
    const tif = new URL("../../../../datasets/geotiff/sst_f32_zstd.tif", import.meta.url).pathname;
    const out = join(dir, "tif.nc");
    const r = await run(
      "regrid",
      tif,
      "--var",
      "band1",
      "--res",
      "4",
      "--method",
      "nearest",
      "--out",
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    const ds = await openNetcdf(out);
    expect((await ds.read("band1")).shape).toEqual([45, 90]);
    await ds.close();
  });

  it("reports wrong usage with the help, and bad files by name", async () => {
    const r = await run("regrid", join(dir, "in.nc"), "--var", "ts", "--res", "1", "--out", "x.nc");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--method conservative\|bilinear\|nearest is required/);
    const both = await run(
      "regrid",
      join(dir, "in.nc"),
      "--var",
      "ts",
      "--res",
      "1",
      "--to",
      "t.nc",
      "--method",
      "nearest",
      "--out",
      "x.nc",
    );
    expect(both.stderr).toMatch(/exactly one of --to TARGET.nc or --res R/);
    const res = await run(
      "regrid",
      join(dir, "in.nc"),
      "--var",
      "ts",
      "--res",
      "0.7",
      "--method",
      "nearest",
      "--out",
      "x.nc",
    );
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/does not divide 180/);
    const missing = await run(
      "regrid",
      join(dir, "in.nc"),
      "--var",
      "nope",
      "--res",
      "1",
      "--method",
      "nearest",
      "--out",
      "x.nc",
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/in\.nc: no variable 'nope'/);
  });

  it("is listed in geoml --help", async () => {
    const r = await run("--help");
    expect(r.stdout).toMatch(/regrid +regrid a variable/);
    expect(r.stdout).toMatch(/plot +draw a map/);
  });
});

describe("geoml plot", () => {
  it("writes a PNG map of a 2-D slice, picking length-1 dims itself", async () => {
    const out = join(dir, "map.png");
    const r = await run("plot", TOS, "--var", "tos", "--projection", "robinson", "--out", out);
    expect(r.status, r.stderr).toBe(0);
    const png = readFileSync(out);
    expect(Array.from(png.subarray(1, 4))).toEqual([80, 78, 71]);
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(400);
  });

  it("writes SVG with --isel and a subtitle naming the step", async () => {
    const out = join(dir, "map.svg");
    const r = await run(
      "plot",
      join(dir, "in.nc"),
      "--var",
      "ts",
      "--isel",
      "time=1",
      "--out",
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(out, "utf8");
    expect(svg).toContain(">test temperature</text>");
    expect(svg).toContain(">time = 2000-01-02</text>");
  });

  it("asks for --isel when more than two dims are left, and for a known extension", async () => {
    const r = await run("plot", join(dir, "in.nc"), "--var", "ts", "--out", join(dir, "x.png"));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/pick indices with --isel for all but two, e.g. --isel time=0/);
    const ext = await run("plot", join(dir, "in.nc"), "--var", "ts", "--out", "x.jpg");
    expect(ext.stderr).toMatch(/--out must name a .png or .svg file/);
  });
});

// The command as users run it, through its bin script.
describe.skipIf(process.platform === "win32")("bin", () => {
  it("geoml plot --help", () => {
    const bin = new URL("../../bin/geoml.js", import.meta.url).pathname;
    const out = execFileSync("node", [bin, "plot", "--help"], { encoding: "utf8" });
    expect(out).toMatch(/--isel DIM=I/);
  });
});
