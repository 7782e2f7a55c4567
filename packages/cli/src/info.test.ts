import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DataArray } from "@geoml/grid";
import { writeNetcdf } from "@geoml/netcdf";
import { describe, expect, it } from "vitest";
import type { InfoJson, InfoStats } from "./commands/info.js";
import { bufferIO } from "./io.js";
import { main, userDirectory } from "./main.js";

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

interface RefStats {
  validCount: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number | null;
}
const gdal = JSON.parse(
  readFileSync(root("packages/geotiff/src/__fixtures__/gdal_reference.json"), "utf8"),
) as {
  corpus: Record<
    string,
    {
      bands: number;
      width: number;
      height: number;
      band: Array<{ dtype: string; stats: RefStats }>;
    }
  >;
};
const xarray = JSON.parse(
  readFileSync(root("packages/netcdf/src/__fixtures__/xarray_reference.json"), "utf8"),
) as Record<
  string,
  {
    variables: Record<
      string,
      { dims: string[]; shape: number[]; dtype: string; netcdf4?: RefStats }
    >;
  }
>;

async function run(...argv: string[]) {
  const io = bufferIO();
  const status = await main(argv, io);
  return { status, stdout: io.stdout, stderr: io.stderr };
}

// GDAL statistics are exact; netCDF4-python decodes packed and float32 data in float32,
// so against it agreement is to float32 precision.
function expectStats(actual: InfoStats | undefined, expected: RefStats, rel = 1e-9) {
  expect(actual).toBeDefined();
  expect(actual!.validCount).toBe(expected.validCount);
  for (const k of ["sum", "min", "max", "mean"] as const) {
    const e = expected[k];
    if (e === null) expect(actual![k]).toBeNull();
    else expect(Math.abs(actual![k]! - e)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
  }
}

describe("geoml info --json --stats on GeoTIFFs matches GDAL", () => {
  it.each(Object.entries(gdal.corpus))("%s", async (file, ref) => {
    const { status, stdout, stderr } = await run(
      "info",
      root(`datasets/geotiff/${file}`),
      "--json",
      "--stats",
    );
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const out = JSON.parse(stdout) as InfoJson;
    expect(out.format).toBe("geotiff");
    const bands = out.variables.filter((v) => v.name.startsWith("band"));
    expect(bands.map((b) => b.name)).toEqual(ref.band.map((_, i) => `band${i + 1}`));
    ref.band.forEach((b, i) => {
      expect(bands[i].dims).toEqual(["y", "x"]);
      expect(bands[i].shape).toEqual([ref.height, ref.width]);
      expect(bands[i].dtype).toBe(b.dtype);
      expectStats(bands[i].stats, b.stats);
    });
    // coordinates get statistics too
    expect(out.variables.find((v) => v.name === "x")?.stats?.validCount).toBe(ref.width);
  });
});

describe("geoml info --json --stats on NetCDF matches netCDF4-python", () => {
  const files = [
    "sst_packed.nc",
    "sst_nc4_deflate.nc",
    "landsea_unsigned.nc",
    "hgt.nc",
    "uv300_64bit.nc",
  ];
  it.each(files)("%s", async (file) => {
    const { status, stdout } = await run(
      "info",
      root(`datasets/netcdf/${file}`),
      "--stats",
      "--json",
    );
    expect(status).toBe(0);
    const out = JSON.parse(stdout) as InfoJson;
    expect(out.format).toMatch(/^netcdf/);
    const ref = xarray[file].variables;
    let checked = 0;
    for (const v of out.variables) {
      const r = ref[v.name];
      if (r === undefined) continue;
      expect(v.dims).toEqual(r.dims);
      expect(v.shape).toEqual(r.shape);
      if (v.stats !== undefined && r.netcdf4 !== undefined) {
        expectStats(v.stats, r.netcdf4, 2e-6);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe("geoml info text output", () => {
  it("reads like gdalinfo for a GeoTIFF", async () => {
    const { status, stdout } = await run(
      "info",
      root("datasets/geotiff/sst_f32_mercator.tif"),
      "--stats",
    );
    expect(status).toBe(0);
    expect(stdout).toContain("Format: geotiff");
    expect(stdout).toContain("  float32 band1(y, x)");
    expect(stdout).toContain("      _FillValue = -9999");
    expect(stdout).toContain("  CRS: EPSG:3857");
    expect(stdout).toContain("  Pixel Size = (200000, -200000)");
    expect(stdout).toContain("stats: valid 5639, min -1.8, max 31.49, mean 14.06285, sum 79300.41");
  });

  it("lists the overviews of a COG", async () => {
    const { stdout } = await run("info", root("datasets/geotiff/landsea_cog.tif"));
    expect(stdout).toContain("  Overviews: 360x180, 180x90, 90x45");
  });

  it("reads like ncdump -h for a NetCDF file, with the record dimension", async () => {
    const { stdout } = await run("info", root("datasets/netcdf/sstdata_netcdf.nc"));
    expect(stdout).toContain("  time = UNLIMITED (12 currently)");
    expect(stdout).toContain("  float32 sst(time, latitude, longitude)");
    expect(stdout).not.toContain("stats:");
  });
});

describe("geoml info on NetCDF-4 groups and cell bounds", () => {
  it("shows the group tree; --json keeps one flat list named by path", async () => {
    const file = root("datasets/netcdf/nc4uvt.nc");
    const text = await run("info", file);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(
      "Group /grp1:\n  Dimensions:\n    time = UNLIMITED (1 currently)",
    );
    expect(text.stdout).toContain("    float32 T(grp1/time, grp1/lev, grp1/lat, grp1/lon)");
    const { stdout } = await run("info", file, "--json", "--stats");
    const out = JSON.parse(stdout) as InfoJson;
    expect(out.variables.map((v) => v.name)).toEqual([
      "time",
      "lev",
      "lat",
      "lon",
      "T",
      "grp1/time",
      "grp1/lev",
      "grp1/lat",
      "grp1/lon",
      "grp1/T",
    ]);
    expect(out.groups?.map((g) => g.path)).toEqual(["grp1", "group2", "g3"]);
    expect(out.groups?.[0].dims).toEqual({
      "grp1/time": 1,
      "grp1/lev": 14,
      "grp1/lat": 64,
      "grp1/lon": 128,
    });
    // The group's T is the same field as the root's (both were checked against netCDF4-python).
    const t = out.variables.find((v) => v.name === "T")!.stats!;
    const g = out.variables.find((v) => v.name === "grp1/T")!.stats!;
    expect(g.validCount).toBe(xarray["nc4uvt.nc"].variables.T.netcdf4!.validCount);
    expect(g).toEqual(t);
  });

  it("--stats covers coordinates and cell-bound variables", async () => {
    const dir = await mkdtemp(join(tmpdir(), "geoml-info-"));
    try {
      const file = join(dir, "bounds.nc");
      const lat = {
        dims: ["lat"],
        values: new Float64Array([-45, 45]),
        attrs: { bounds: "lat_bnds" },
      };
      const sst = new DataArray({
        name: "sst",
        dims: ["lat"],
        shape: [2],
        data: new Float64Array([1, 3]),
        coords: { lat },
      });
      const bnds = new DataArray({
        name: "lat_bnds",
        dims: ["lat", "nv"],
        shape: [2, 2],
        data: new Float64Array([-90, 0, 0, 90]),
      });
      const vertices = new DataArray({
        name: "lat_vertices",
        dims: ["lat", "nv"],
        shape: [2, 2],
        data: new Float64Array([-90, 0, 0, 91]),
      });
      await writeNetcdf(file, [sst, bnds, vertices]);
      const out = JSON.parse((await run("info", file, "--json", "--stats")).stdout) as InfoJson;
      const stats = Object.fromEntries(out.variables.map((v) => [v.name, v.stats]));
      expect(stats.lat_bnds).toEqual({ validCount: 4, min: -90, max: 90, mean: 0, sum: 0 });
      expect(stats.lat_vertices).toEqual({ validCount: 4, min: -90, max: 91, mean: 0.25, sum: 1 });
      expect(stats.lat).toEqual({ validCount: 2, min: -45, max: 45, mean: 0, sum: 0 });
      expect(stats.sst?.sum).toBe(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("errors go to stderr with a non-zero status", () => {
  it("missing file, unknown format, corrupt file", async () => {
    const missing = await run("info", "/no/such/file.tif");
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toContain("/no/such/file.tif");
    const pkg = root("packages/cli/package.json");
    const unknown = await run("info", pkg, "--json");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("not a GeoTIFF or NetCDF file");
    expect(unknown.stdout).toBe("");
  });

  it("usage errors exit 2 with the help; --help exits 0", async () => {
    expect((await run("info")).status).toBe(2);
    const bad = await run("info", "x.tif", "--bogus");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Usage: geoml info FILE");
    expect((await run("nope")).status).toBe(2);
    const help = await run("info", "--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--stats");
    expect((await run("--help")).stdout).toContain("info");
  });
});

describe("progress", () => {
  it("draws a bar on a terminal and nothing otherwise", async () => {
    const tty = bufferIO({ tty: true });
    await main(["info", root("datasets/geotiff/sst_f32_bigtiff.tif"), "--stats"], tty);
    expect(tty.stderr).toContain("stats [");
    expect(tty.stderr).toContain("100%");
    const pipe = bufferIO();
    await main(["info", root("datasets/geotiff/sst_f32_bigtiff.tif"), "--stats"], pipe);
    expect(pipe.stderr).toBe("");
  });
});

describe("the bin launcher", () => {
  it("runs as a process, JSON on stdout, errors with a non-zero exit", async () => {
    const bin = root("packages/cli/bin/geoml.js");
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, [
      bin,
      "info",
      root("datasets/geotiff/landsea_u8_packbits.tif"),
      "--json",
    ]);
    expect((JSON.parse(ok.stdout) as InfoJson).variables[0].name).toBe("band1");
    await expect(exec(process.execPath, [bin, "info", "/no/such.nc"])).rejects.toMatchObject({
      code: 1,
    });
  }, 30_000);

  it("resolves relative paths from where the user typed `pnpm geoml`", async () => {
    // pnpm runs the script in the repository root and records the user's folder in INIT_CWD.
    const exec = promisify(execFile);
    const run = await exec(
      process.execPath,
      [root("packages/cli/bin/geoml.js"), "info", "netcdf/landsea.nc", "--json"],
      {
        cwd: root("."),
        env: { ...process.env, npm_lifecycle_event: "geoml", INIT_CWD: root("datasets") },
      },
    );
    expect((JSON.parse(run.stdout) as InfoJson).variables.map((v) => v.name)).toContain("LSMASK");
    expect(userDirectory({ INIT_CWD: "/u" }, "/repo")).toBe("/repo");
    expect(userDirectory({ INIT_CWD: "/u", npm_lifecycle_event: "test" }, "/repo")).toBe("/repo");
    expect(userDirectory({ INIT_CWD: "/u", npm_lifecycle_event: "geoml" }, "/repo")).toBe("/u");
  }, 30_000);
});
