import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataArray, formatCFDatetime, isGridError } from "@geoml/grid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ref from "./__fixtures__/writer4_reference.json" with { type: "json" };
import { openNetcdf, writeNetcdf } from "./index.js";
import { sampleResults4 } from "./sample.js";
import { parseNcdumpData } from "./testing/ncdump.js";
import { haveTools, run } from "./testing/tools.js";

const TOOLS = haveTools("ncdump");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "geoml-netcdf4-writer-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type RefVariable = {
  dims: string[];
  encodingDtype: string;
  chunksizes: number[] | null;
  zlib: boolean;
  complevel: number;
  values?: Array<number | null>;
  times?: string[];
  attrs: Record<string, unknown>;
};

async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    expect(isGridError(e)).toBe(true);
    return e as Error & { code?: string };
  }
  throw new Error("expected a failure");
}

describe("NetCDF-4 writer", () => {
  it("reads back what xarray decoded from the same sample (tools/oracles/netcdf4_writer.py)", async () => {
    const path = join(dir, "sample4.nc");
    const { arrays, options } = sampleResults4();
    await writeNetcdf(path, arrays, options);
    expect(ref.kind).toBe("netCDF-4");
    expect(ref.unlimited).toEqual(["time"]);
    const ds = await openNetcdf(path);
    try {
      expect(ds.format).toBe("netcdf4");
      expect(ds.source.unlimitedDims).toEqual(["time"]);
      expect(ds.attrs).toEqual(ref.globalAttrs);
      for (const [name, v] of Object.entries(ref.variables) as Array<[string, RefVariable]>) {
        const src = ds.variable(name);
        expect(src.dims, name).toEqual(v.dims);
        expect(src.dtype, name).toBe(v.encodingDtype);
        // xarray reports the chunking and compression HDF5 stored.
        expect(src.chunks ?? null, name).toEqual(v.chunksizes);
        expect(v.zlib && v.complevel === 4, name).toBe(true);
        const a = await ds.read(name);
        if (v.times) {
          expect(a.coords[name].times!.map(formatCFDatetime)).toEqual(v.times);
          continue;
        }
        const data = a.toFloat64();
        v.values!.forEach((e, i) => {
          if (e === null) expect(Number.isNaN(data[i]), `${name}[${i}]`).toBe(true);
          // xarray unpacks 16-bit packed integers into float32, so agreement is to float32
          // precision; everything else matches exactly.
          else if (name === "slope")
            expect(Math.abs(data[i] - e), `${name}[${i}]`).toBeLessThanOrEqual(
              1e-7 * Math.max(1, Math.abs(e)),
            );
          else expect(data[i], `${name}[${i}]`).toBe(e);
        });
        for (const [k, want] of Object.entries(v.attrs)) {
          const got = a.attrs[k] ?? src.attrs[k];
          if (typeof want === "string") expect(got, `${name}:${k}`).toBe(want);
        }
      }
      expect(ref.variables.prediction.chunksizes).toEqual([1, 2, 5]);
      expect(ref.variables.slope.encodingDtype).toBe("int16");
    } finally {
      await ds.close();
    }
  });

  it.skipIf(!TOOLS)("ncdump reads the layout, CF attributes and every stored value", async () => {
    const path = join(dir, "sample4-ncdump.nc");
    const { arrays, options } = sampleResults4();
    await writeNetcdf(path, arrays, options);
    expect(run("ncdump", ["-k", path]).trim()).toBe("netCDF-4");
    const header = run("ncdump", ["-hs", path]);
    expect(header).toContain("time = UNLIMITED ; // (3 currently)");
    expect(header).toContain("float prediction(time, lat, lon) ;");
    expect(header).toContain("prediction:_ChunkSizes = 1, 2, 5 ;");
    expect(header).toContain("prediction:_DeflateLevel = 4 ;");
    expect(header).toContain("prediction:_FillValue = 9.96921e+36f ;");
    expect(header).toContain("short slope(lat, lon) ;");
    expect(header).toContain("slope:scale_factor = 0.001 ;");
    expect(header).toContain("slope:_FillValue = -32767s ;");
    expect(header).toContain('time:calendar = "noleap" ;');
    expect(header).toContain('residual:coordinates = "lat2d lon2d" ;');
    expect(header).toContain(':Conventions = "CF-1.8" ;');
    // Every stored value as ncdump prints it, against a raw read.
    const dumped = parseNcdumpData(run("ncdump", ["-p", "9,17", path]));
    const ds = await openNetcdf(path);
    try {
      expect([...dumped.keys()].sort()).toEqual(ds.variableNames.sort());
      for (const [name, tokens] of dumped) {
        const raw = (await ds.read(name, { decode: false, coords: false })).data;
        const v = ds.variable(name);
        tokens.forEach((t, i) => {
          const want =
            t === "_"
              ? Number(v.attrs._FillValue)
              : v.dtype === "float32"
                ? Math.fround(Number(t))
                : Number(t);
          expect(Number(raw[i]), `${name}[${i}]`).toBe(
            v.dtype === "float32" ? Math.fround(want) : want,
          );
        });
      }
    } finally {
      await ds.close();
    }
  });

  it.skipIf(!TOOLS)("writes groups from path names, with their dimensions", async () => {
    const path = join(dir, "groups4.nc");
    const y = { dims: ["grp1/y"], values: new Float64Array([1, 2, 3]), attrs: { units: "m" } };
    const t = new DataArray({
      name: "grp1/T",
      dims: ["grp1/y"],
      shape: [3],
      data: new Float32Array([0.5, Number.NaN, 2.5]),
      coords: { "grp1/y": y },
      attrs: { units: "K" },
    });
    const top = new DataArray({
      name: "top",
      dims: ["x"],
      shape: [2],
      data: new Int32Array([7, -7]),
    });
    await writeNetcdf(path, [top, t], { format: "netcdf4" });
    const dumped = parseNcdumpData(run("ncdump", [path]));
    expect(dumped.get("grp1/T")).toEqual(["0.5", "_", "2.5"]);
    expect(dumped.get("grp1/y")).toEqual(["1", "2", "3"]);
    expect(dumped.get("top")).toEqual(["7", "-7"]);
    const ds = await openNetcdf(path);
    try {
      expect(ds.groups.map((g) => g.path)).toEqual(["grp1"]);
      const back = await ds.read("/grp1/T");
      expect(back.dims).toEqual(["grp1/y"]);
      expect(Array.from(back.coords["grp1/y"].values as Float64Array)).toEqual([1, 2, 3]);
      expect(Array.from(back.data as Float32Array)).toEqual([0.5, Number.NaN, 2.5]);
    } finally {
      await ds.close();
    }
  });

  it("copies a dataset to NetCDF-4 unchanged (writeDataset)", async () => {
    const { writeDataset } = await import("./index.js");
    const { corpusPath } = await import("./corpus.js");
    const src = await openNetcdf(corpusPath("sst_packed.nc"));
    const path = join(dir, "copy4.nc");
    try {
      await writeDataset(path, src, { format: "netcdf4", deflate: 1 });
      const copy = await openNetcdf(path);
      try {
        expect(copy.dims).toEqual(src.dims);
        for (const name of src.variableNames) {
          const a = await src.read(name, { decode: false, coords: false });
          const b = await copy.read(name, { decode: false, coords: false });
          expect(b.data, name).toEqual(a.data);
          expect(copy.variable(name).attrs, name).toEqual(src.variable(name).attrs);
        }
      } finally {
        await copy.close();
      }
    } finally {
      await src.close();
    }
  });

  it("writes 64-bit integers exactly (NetCDF-4 and CDF-5) and scalars", async () => {
    const big = new BigInt64Array([-5n, 9007199254740993n, -9223372036854775807n]);
    const l = new DataArray({ name: "L", dims: ["x"], shape: [3], data: big });
    const s = new DataArray({ name: "s", dims: [], shape: [], data: new Float64Array([3.5]) });
    for (const format of ["netcdf4", "cdf5"] as const) {
      const path = join(dir, `int64-${format}.nc`);
      await writeNetcdf(path, format === "netcdf4" ? [l, s] : [l], {
        format,
        ...(format === "netcdf4" ? { deflate: 2 } : {}),
      });
      const ds = await openNetcdf(path);
      try {
        expect((await ds.read("L", { decode: false })).data, format).toEqual(big);
        if (format === "netcdf4") expect((await ds.read("s")).get()).toBe(3.5);
      } finally {
        await ds.close();
      }
      if (TOOLS)
        expect(run("ncdump", ["-v", "L", path])).toContain(
          "L = -5, 9007199254740993, -9223372036854775807 ;",
        );
    }
    const scalar = await failure(
      writeNetcdf(join(dir, "s.nc"), [s], { format: "netcdf4", encoding: { s: { deflate: 4 } } }),
    );
    expect(scalar.code).toBe("INVALID_WRITE");
    expect(scalar.message).toContain("'s'");
  });

  it("rejects what it cannot write with typed errors naming the file and variable", async () => {
    const a = new DataArray({ name: "v", dims: ["x"], shape: [3], data: new Float64Array(3) });
    const path = join(dir, "bad.nc");
    const shuffle = await failure(
      writeNetcdf(path, [a], {
        format: "netcdf4",
        encoding: { v: { deflate: 4, shuffle: true } as never },
      }),
    );
    expect(shuffle.code).toBe("UNSUPPORTED");
    expect(shuffle.message).toContain("'v'");
    expect(shuffle.message).toContain(path);
    const nc3 = await failure(writeNetcdf(path, [a], { encoding: { v: { deflate: 4 } } }));
    expect(nc3.code).toBe("INVALID_WRITE");
    expect(nc3.message).toContain("netcdf4");
    const level = await failure(writeNetcdf(path, [a], { format: "netcdf4", deflate: 12 }));
    expect(level.code).toBe("INVALID_WRITE");
    const chunks = await failure(
      writeNetcdf(path, [a], { format: "netcdf4", encoding: { v: { chunks: [0] } } }),
    );
    expect(chunks.code).toBe("INVALID_WRITE");
    expect(chunks.message).toContain("'v'");
    const where = await failure(
      writeNetcdf(join(dir, "no/such/dir/out.nc"), [a], { format: "netcdf4" }),
    );
    expect(where.code).toBe("IO_ERROR");
  });
});
