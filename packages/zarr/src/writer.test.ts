import { describe, expect, it } from "vitest";
import { createZarr, MemoryStore, openZarr, openZarrWriter } from "./index.js";
import { fixturePath, loadStore } from "./testing.js";

describe("writing tile by tile from several writers (batch workers)", () => {
  for (const format of [2, 3] as const) {
    it(`v${format}: workers reopen the store and write their own tiles; one close consolidates`, async () => {
      const store = new MemoryStore();
      const w = await createZarr(store, { format, attrs: { title: "tiles" } });
      await w.defineVariable("score", {
        dims: ["y", "x"],
        shape: [4, 5],
        dtype: "float32",
        chunks: [2, 3],
        attrs: { units: "1" },
      });
      await w.close();
      // Two workers, each with its own writer, writing disjoint chunk-aligned tiles at once.
      const [a, b] = await Promise.all([openZarrWriter(store), openZarrWriter(store)]);
      await Promise.all([
        a.write("score", Float32Array.from([1, 2, 3, 4, 5, 6]), [0, 0], [2, 3]),
        b.write("score", Float32Array.from([7, 8, 9, 10]), [2, 3], [2, 2]),
      ]);
      await a.close();
      const ds = await openZarr(store);
      expect(ds.attrs).toEqual({ title: "tiles" });
      const got = Array.from((await ds.read("score")).data as Float32Array);
      const N = Number.NaN;
      expect(got).toEqual([1, 2, 3, N, N, 4, 5, 6, N, N, N, N, N, 7, 8, N, N, N, 9, 10]);
      expect((await ds.read("score")).attrs).toEqual({ units: "1" });
    });
  }

  it("writes a region into a store xarray made (v2, zlib, packed int16)", async () => {
    const store = await loadStore(fixturePath("xr_packed_zlib.zarr"));
    const w = await openZarrWriter(store);
    // sst chunks are (2, 3, 5): the chunk at time 2, lat 3 is the array's edge.
    await w.write("sst", Int16Array.from([-1, -2, -3, -4, -5]), [2, 3, 0], [1, 1, 5]);
    await w.close();
    const ds = await openZarr(store);
    const raw = await ds.read("sst", { isel: { time: 2, lat: 3 }, decode: false });
    expect(Array.from(raw.data as Int16Array)).toEqual([-1, -2, -3, -4, -5]);
    const sst = await ds.read("sst", { isel: { time: 2, lat: 3 } });
    expect(Array.from(sst.data as Float64Array).map((v) => Math.round(v * 100))).toEqual([
      1999, 1998, 1997, 1996, 1995,
    ]);
  });

  it("refuses arrays it cannot write whole chunks of", async () => {
    const store = await loadStore(fixturePath("zp_raw.zarr"));
    const w = await openZarrWriter(store);
    // Big-endian and Fortran-ordered arrays stay readable but are not written.
    await expect(w.write("bigend", new Int32Array(12), [0, 0], [3, 4])).rejects.toMatchObject({
      code: "INVALID_WRITE",
      variable: "bigend",
    });
    await expect(w.write("ford", new Float64Array(6), [0, 0], [2, 3])).rejects.toMatchObject({
      code: "INVALID_WRITE",
      variable: "ford",
    });
    await w.write("sparse", Uint8Array.from([7, 8]), [2], [2]);
    await w.close();
    expect(
      Array.from(
        (await (await openZarr(store)).read("sparse", { decode: false })).data as Uint8Array,
      ),
    ).toEqual([1, 2, 7, 8, 5, 6]);
    await expect(openZarrWriter(new MemoryStore())).rejects.toMatchObject({ code: "NOT_ZARR" });
  });
});

it("writes the same gzip chunk bytes whenever it runs (no time in the gzip header)", async () => {
  const write = async () => {
    const store = new MemoryStore();
    const w = await createZarr(store, { compressor: "gzip" });
    await w.defineVariable("v", { dims: ["x"], shape: [4], dtype: "float32" });
    await w.write("v", Float32Array.from([1, 2, 3, 4]));
    await w.close();
    return (await store.get("/v/c/0"))!;
  };
  const a = await write();
  // gzip's MTIME field (bytes 4-7) would otherwise hold the time of writing.
  expect(Array.from(a.subarray(0, 8))).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
  await new Promise((r) => setTimeout(r, 1100));
  expect(Buffer.from(await write()).equals(Buffer.from(a))).toBe(true);
});
