import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isGridError } from "@geoml/grid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusPath } from "./corpus.js";
import { type NetcdfError, openNetcdf } from "./index.js";
import { V0_SHAPE, writeHdf5V0 } from "./testing/hdf5-v0.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "geoml-netcdf-bad-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function variant(name: string, edit: (b: Buffer) => Buffer): Promise<string> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}-${name}`);
  await writeFile(path, edit(await readFile(corpusPath(name))));
  return path;
}

async function failure(p: Promise<unknown>): Promise<NetcdfError> {
  try {
    await p;
  } catch (e) {
    expect(isGridError(e)).toBe(true);
    return e as NetcdfError;
  }
  throw new Error("expected a failure");
}

describe("bad input gives typed errors naming file and variable", () => {
  it("wrong magic", async () => {
    const path = await variant("landsea.nc", (b) =>
      Buffer.concat([Buffer.from("GRIB"), b.subarray(4)]),
    );
    const e = await failure(openNetcdf(path));
    expect(e.code).toBe("BAD_MAGIC");
    expect(e.message).toContain(path);
  });

  it("truncated NetCDF-3 data and header", async () => {
    const cut = await variant("sstdata_netcdf.nc", (b) => b.subarray(0, 500_000));
    const e = await failure(openNetcdf(cut));
    expect(e.code).toBe("TRUNCATED");
    expect(e.variable).toBe("sst");
    // Cut inside the header, a count that no longer fits may read as corruption instead.
    const header = await variant("sstdata_netcdf.nc", (b) => b.subarray(0, 200));
    expect(["TRUNCATED", "CORRUPT_HEADER"]).toContain((await failure(openNetcdf(header))).code);
  });

  it("a dimension claiming 2^40 elements fails before any allocation", async () => {
    // In CDF-5 dimension lengths are 64-bit; 'lat' is the first dimension (after magic,
    // numrecs, tag, count, name length, name "lat\0").
    const path = await variant("landsea_cdf5.nc", (b) => {
      const c = Buffer.from(b);
      const at = c.indexOf(Buffer.from("lat")) + 4;
      c.writeBigUInt64BE(2n ** 40n, at);
      return c;
    });
    const e = await failure(openNetcdf(path));
    expect(["TRUNCATED", "CORRUPT_HEADER"]).toContain(e.code);
    expect(e.message).toMatch(/LSMASK|lat/);
  });

  it("a variable count larger than the file", async () => {
    const path = await variant("calendars.nc", (b) => {
      const c = Buffer.from(b);
      // The (absent) global attribute list, then the variable tag and count.
      const at = c.indexOf(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b])) + 12;
      c.writeUInt32BE(0x7fffffff, at);
      return c;
    });
    expect((await failure(openNetcdf(path))).code).toBe("CORRUPT_HEADER");
  });

  it("missing variables and out-of-range selections", async () => {
    const ds = await openNetcdf(corpusPath("sstdata_netcdf.nc"));
    const missing = await failure(ds.read("temperature"));
    expect(missing.code).toBe("UNKNOWN_VARIABLE");
    expect(missing.message).toContain("sstdata_netcdf.nc");
    const range = await failure(ds.read("sst", { isel: { time: 12 } }));
    expect(range.code).toBe("OUT_OF_RANGE");
    expect(range.variable).toBe("sst");
    const slab = await failure(ds.variable("sst").read([0, 0, 0], [13, 1, 1]));
    expect(slab.code).toBe("OUT_OF_RANGE");
    await ds.close();
    expect((await failure(ds.variable("sst").read())).code).toBe("CLOSED");
  });

  it("truncated and corrupted NetCDF-4", async () => {
    const cut = await variant("sst_nc4_deflate.nc", (b) => b.subarray(0, 100_000));
    expect((await failure(openNetcdf(cut))).code).toBe("TRUNCATED");
    const garbage = await variant("sst_nc4_deflate.nc", (b) => {
      const c = Buffer.from(b);
      c.fill(0x5a, 8, 4096);
      return c;
    });
    const e = await failure(openNetcdf(garbage));
    expect(e.message).toContain(garbage);
  });

  it("a NetCDF-4 file that sends HDF5 into an endless loop times out, and HDF5 recovers", async () => {
    // Found by the fuzz test: these five bytes make HDF5's open loop forever.
    const flips: Array<[number, number]> = [
      [303931, 196],
      [3642, 67],
      [5076, 48],
      [3007, 204],
      [268972, 139],
    ];
    const path = await variant("sst_nc4_deflate.nc", (b) => {
      const c = Buffer.from(b);
      for (const [at, value] of flips) c[at] = value;
      return c;
    });
    const t0 = performance.now();
    const e = await failure(openNetcdf(path, { timeoutMs: 1500 }));
    expect(e.code).toBe("TIMEOUT");
    expect(e.message).toContain(path);
    expect(performance.now() - t0).toBeLessThan(10_000);
    const ok = await openNetcdf(corpusPath("sst_nc4_deflate.nc"));
    expect((await ok.read("sst", { isel: { time: 0 } })).shape).toEqual([91, 181]);
    await ok.close();
  });

  it("a NetCDF-4 shape claiming gigabytes is refused before anything is allocated", async () => {
    // In a file without metadata checksums, set U's dims and max dims to 30 × 40 000 000.
    const source = join(dir, "v0.nc");
    await writeHdf5V0(source);
    const b = await readFile(source);
    const dims = Buffer.alloc(32);
    dims.writeBigUInt64LE(BigInt(V0_SHAPE[0]), 0);
    dims.writeBigUInt64LE(BigInt(V0_SHAPE[1]), 8);
    dims.writeBigUInt64LE(BigInt(V0_SHAPE[0]), 16);
    dims.writeBigUInt64LE(BigInt(V0_SHAPE[1]), 24);
    const hits: number[] = [];
    for (let at = b.indexOf(dims); at >= 0; at = b.indexOf(dims, at + 1)) hits.push(at);
    expect(hits.length).toBe(2); // T's dataspace, then U's
    const path = join(dir, "v0-huge.nc");
    const c = Buffer.from(b);
    c.writeBigUInt64LE(40_000_000n, hits[1] + 8);
    c.writeBigUInt64LE(40_000_000n, hits[1] + 24);
    await writeFile(path, c);
    const ds = await openNetcdf(path);
    try {
      expect(ds.variable("U").shape).toEqual([30, 40_000_000]);
      const before = process.memoryUsage().rss;
      // With its coordinates, the clash with x's real length is reported first.
      expect((await failure(ds.read("U"))).message).toContain(path);
      const e = await failure(ds.read("U", { coords: false }));
      expect(e.code).toBe("TOO_LARGE");
      expect(e.message).toContain(path);
      expect(e.variable).toBe("U");
      expect(process.memoryUsage().rss - before).toBeLessThan(64e6);
      // A hyperslab is still readable (HDF5 gives fill values past the real chunks).
      const part = await ds.read("U", {
        decode: false,
        coords: false,
        isel: { x: { start: 0, stop: 40 } },
      });
      expect(part.shape).toEqual([30, 40]);
      // The untouched contiguous variable reads as before.
      expect((await ds.read("T")).shape).toEqual([30, 40]);
    } finally {
      await ds.close();
    }
  });

  it("missing files", async () => {
    expect((await failure(openNetcdf(join(dir, "nope.nc")))).code).toBe("IO_ERROR");
    const empty = join(dir, "empty.nc");
    await writeFile(empty, "");
    expect((await failure(openNetcdf(empty))).code).toBe("BAD_MAGIC");
    await copyFile(corpusPath("calendars.nc"), join(dir, "ok.nc"));
  });
});
