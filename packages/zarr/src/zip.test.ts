import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { openZarr } from "./index.js";
import { fixturePath } from "./testing.js";

// Zipped stores: zarr-python's ZipStore (stored entries at the root) and a deflated zip with
// the store under a top-level folder; both must read exactly like the directory.
describe("zipped stores from bytes and Blobs", () => {
  for (const zip of ["xr_packed_blosc.zarr.zip", "xr_packed_blosc_deflate.zip"]) {
    it(`${zip} reads like the directory, from bytes and from a Blob`, async () => {
      const bytes = new Uint8Array(await readFile(fixturePath(zip)));
      const dir = await openZarr(fixturePath("xr_packed_blosc.zarr"));
      const want = await dir.read("sst");
      for (const input of [bytes, new Blob([bytes])]) {
        const ds = await openZarr(input);
        expect(ds.format).toBe("zarr2");
        expect(ds.variableNames).toEqual(dir.variableNames);
        const got = await ds.read("sst");
        expect(Array.from(got.data as Float64Array)).toEqual(Array.from(want.data as Float64Array));
        expect(got.coords.time.times).toEqual(want.coords.time.times);
      }
    });
  }

  it("bytes that are not a zip, and entries whose sizes lie, fail with typed errors", async () => {
    await expect(openZarr(new Uint8Array([1, 2, 3, 4]))).rejects.toMatchObject({
      code: "NOT_ZARR",
      file: "<bytes>",
    });
    const bytes = new Uint8Array(await readFile(fixturePath("xr_packed_blosc_deflate.zip")));
    // Inflate the declared uncompressed size of every central-directory entry to ~2 GB.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const lied = bytes.slice();
    const lv = new DataView(lied.buffer);
    for (let i = 0; i + 46 <= bytes.length; i++) {
      if (view.getUint32(i, true) === 0x02014b50) lv.setUint32(i + 24, 0x7ff00000, true);
    }
    await expect(openZarr(lied)).rejects.toMatchObject({ code: "CORRUPT_CHUNK", file: "<bytes>" });
  });
});
