import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { httpSource, openGeotiff, readGeotiff } from "@geoml/geotiff";
import { Dataset } from "@geoml/grid";
import { open as openAny } from "@geoml/io";
import { openNetcdf } from "@geoml/netcdf";
import { openZarr } from "@geoml/zarr";
import { fromArrayBuffer } from "geotiff";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RangeServer, serveDirectory } from "./testing/http-server.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
let server: RangeServer;
let dir: string;

beforeAll(async () => {
  // Serve copies of real files: the NetCDF and GeoTIFF corpora and the Zarr fixtures.
  dir = await mkdtemp(join(tmpdir(), "geoml-remote-"));
  await cp(join(repo, "datasets"), join(dir, "datasets"), { recursive: true });
  await cp(join(repo, "packages/zarr/src/__fixtures__"), join(dir, "zarr"), { recursive: true });
  // The hand-made v3 store, consolidated so it can be opened without listing.
  const v3 = join(dir, "zarr", "v3_hand.zarr");
  const root = JSON.parse(await readFile(join(v3, "zarr.json"), "utf8"));
  const metadata: Record<string, unknown> = {};
  for (const a of ["temp", "counts", "sharded"])
    metadata[a] = JSON.parse(await readFile(join(v3, a, "zarr.json"), "utf8"));
  root.consolidated_metadata = { kind: "inline", must_understand: false, metadata };
  await writeFile(join(v3, "zarr.json"), JSON.stringify(root));
  server = await serveDirectory(dir);
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const overlaps = (a0: number, a1: number, b0: number, b1: number) => a0 <= b1 && b0 <= a1;

describe("remote reads over HTTP range requests", () => {
  it("COG: a window fetches its tile and no other tile's bytes; values equal the local read", async () => {
    const rel = "/datasets/geotiff/sst_f32_deflate_pred3_tiled.tif";
    const bytes = await readFile(join(dir, rel));
    const tiff = await fromArrayBuffer(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    );
    const fd = (await tiff.getImage()).fileDirectory as unknown as {
      getValue(k: string): Uint32Array;
    };
    const offsets = Array.from(fd.getValue("TileOffsets"));
    const counts = Array.from(fd.getValue("TileByteCounts"));

    const src = await openGeotiff(await httpSource(server.url + rel, { headBytes: 512 }));
    const ds = new Dataset(src);
    const opened = server.log.length;
    const win = await ds.read("band1", {
      isel: { y: { start: 0, stop: 32 }, x: { start: 0, stop: 64 } },
    });
    const after = server.log.slice(opened).filter((s) => s.path === rel);
    // Band 1's first 64×32 tile is tile 0 (planar configuration 2): its bytes and nothing of tiles 1..17.
    expect(after.some((s) => s.start <= offsets[0] && s.end >= offsets[0] + counts[0] - 1)).toBe(
      true,
    );
    for (const s of after) {
      for (let t = 1; t < offsets.length; t++) {
        expect(
          overlaps(s.start, s.end, offsets[t], offsets[t] + counts[t] - 1),
          `range ${s.start}-${s.end} reads tile ${t}`,
        ).toBe(false);
      }
    }
    const local = new Dataset(await openGeotiff(join(dir, rel)));
    const want = await local.read("band1", {
      isel: { y: { start: 0, stop: 32 }, x: { start: 0, stop: 64 } },
    });
    expect(Array.from(win.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
    expect(server.bytesSent(rel)).toBeLessThan(bytes.length / 4);
    await ds.close();
    await local.close();
    // The plain URL form works too (readGeotiff is the whole-file convenience).
    const whole = await readGeotiff(server.url + rel);
    expect(whole.data.length).toBe(2 * 181 * 91);
  });

  it("NetCDF-3: one time step costs the header and that step's bytes", async () => {
    const rel = "/datasets/netcdf/hgt.nc";
    const size = (await readFile(join(dir, rel))).length;
    const before = server.bytesSent(rel);
    const ds = await openNetcdf(server.url + rel);
    expect(ds.format).toBe("netcdf3-classic");
    const header = server.bytesSent(rel) - before;
    const step = await ds.read("HGT", { isel: { time: 5 } });
    const body = server.bytesSent(rel) - before - header;
    const local = await openNetcdf(join(dir, rel));
    const want = await local.read("HGT", { isel: { time: 5 } });
    expect(Array.from(step.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
    expect(step.coords.time.times?.[0]).toEqual(want.coords.time.times?.[0]);
    // 73×144 float32 = 42 048 bytes for the step, plus lat (292), lon (576) and one time (4).
    expect(body).toBeGreaterThanOrEqual(42048);
    expect(body).toBeLessThanOrEqual(42048 + 292 + 576 + 4 + 8);
    // The header is found with one 64 KiB read, as for a local file.
    expect(header).toBeLessThanOrEqual(65536 + 8);
    expect(header + body).toBeLessThan(size / 8);
    await ds.close();
    await local.close();
  });

  it("NetCDF-4 over HTTP is refused with a typed error naming the URL", async () => {
    const url = `${server.url}/datasets/netcdf/pop_nc4.nc`;
    await expect(openNetcdf(url)).rejects.toMatchObject({ code: "UNSUPPORTED", file: url });
  });

  it("Zarr v2 (consolidated): one metadata request, then exactly the chunks of the window", async () => {
    const base = `${server.url}/zarr/xr_packed_zlib.zarr`;
    const before = server.log.length;
    const ds = await openZarr(base);
    const meta = server.log.slice(before).map((s) => s.path);
    expect(meta).toEqual([
      "/zarr/xr_packed_zlib.zarr/zarr.json",
      "/zarr/xr_packed_zlib.zarr/.zmetadata",
    ]);
    const mark = server.log.length;
    const sst = await ds.read("sst", {
      isel: { time: 2, lat: { start: 0, stop: 2 }, lon: { start: 0, stop: 2 } },
    });
    const got = server.log
      .slice(mark)
      .map((s) => s.path)
      .sort();
    // sst chunks (2, 3, 5): time 2 → chunk 1, lat 0..1 → chunk 0, lon 0..1 → chunk 0.
    expect(got).toEqual([
      "/zarr/xr_packed_zlib.zarr/lat/0",
      "/zarr/xr_packed_zlib.zarr/lon/0",
      "/zarr/xr_packed_zlib.zarr/sst/1.0.0",
      "/zarr/xr_packed_zlib.zarr/time/0",
    ]);
    const local = await openZarr(join(dir, "zarr", "xr_packed_zlib.zarr"));
    const want = await local.read("sst", {
      isel: { time: 2, lat: { start: 0, stop: 2 }, lon: { start: 0, stop: 2 } },
    });
    expect(Array.from(sst.data as Float64Array)).toEqual(Array.from(want.data as Float64Array));
  });

  it("Zarr v3 sharded: the shard index and the inner chunks needed, by byte range", async () => {
    const base = `${server.url}/zarr/v3_hand.zarr`;
    const ds = await openZarr(base);
    const shard = "/zarr/v3_hand.zarr/sharded/c/0/0";
    const size = (await readFile(join(dir, shard))).length;
    const mark = server.log.length;
    const row = await ds.read("sharded", {
      isel: { y: 0, x: { start: 0, stop: 3 } },
      decode: false,
    });
    expect(Array.from(row.data as Uint16Array)).toEqual([0, 11, 22]);
    const served = server.log.slice(mark);
    expect(served.every((s) => s.path === shard && s.status === 206)).toBe(true);
    // Index (4 chunks × 16 bytes + 4-byte crc32c) from the end, then inner chunk (0, 0) only.
    expect(served[0]).toMatchObject({ start: size - 68, end: size - 1 });
    expect(served.length).toBe(2);
    expect(server.bytesSent(shard)).toBeLessThan(size);
  });

  it("geoml info's opener picks the loader from a URL's bytes", async () => {
    const cog = await openAny(`${server.url}/datasets/geotiff/landsea_cog.tif`);
    expect(cog.format).toBe("geotiff");
    const nc = await openAny(`${server.url}/datasets/netcdf/sst_packed.nc`);
    expect(nc.format).toBe("netcdf3-classic");
    const z = await openAny(`${server.url}/zarr/geoml_v2.zarr`);
    expect(z.format).toBe("zarr2");
    await Promise.all([cog.close(), nc.close(), z.close()]);
  });
});

describe("servers that ignore ranges or fail", () => {
  it("every loader fails with a typed IO_ERROR naming the URL", async () => {
    const noRanges = await serveDirectory(dir, { ranges: false });
    const failing = await serveDirectory(dir, { failWith: 500 });
    try {
      for (const base of [noRanges.url, failing.url]) {
        const tif = `${base}/datasets/geotiff/landsea_cog.tif`;
        await expect(openGeotiff(tif)).rejects.toMatchObject({ code: "IO_ERROR", file: tif });
        const nc = `${base}/datasets/netcdf/hgt.nc`;
        await expect(openNetcdf(nc)).rejects.toMatchObject({ code: "IO_ERROR", file: nc });
      }
      // Zarr fetches whole chunks (no ranges needed) but a shard needs them.
      const z = await openZarr(`${noRanges.url}/zarr/v3_hand.zarr`);
      await expect(z.read("temp")).resolves.toBeDefined();
      await expect(z.read("sharded")).rejects.toMatchObject({
        code: "IO_ERROR",
        variable: "sharded",
      });
      const zf = `${failing.url}/zarr/xr_packed_zlib.zarr`;
      await expect(openZarr(zf)).rejects.toMatchObject({ code: "IO_ERROR", file: zf });
    } finally {
      await noRanges.close();
      await failing.close();
    }
  });
});
