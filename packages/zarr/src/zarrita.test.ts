import { describe, expect, it } from "vitest";
import * as zarr from "zarrita";
import { MemoryStore, openZarr } from "./index.js";

// Stores written by zarrita.js itself (v3), the library the reader decodes chunks with.
describe("Zarr v3 written by zarrita.js", () => {
  it("reads arrays, attributes, dimension names and windows of a zarrita-made store", async () => {
    const store = new MemoryStore();
    const root = zarr.root(store);
    await zarr.create(root, { attributes: { title: "zarrita" } });
    const t = await zarr.create(root.resolve("t2m"), {
      shape: [4, 5, 6],
      chunkShape: [2, 2, 4],
      dtype: "float32",
      fillValue: Number.NaN,
      dimensionNames: ["time", "y", "x"],
      codecs: [
        { name: "bytes", configuration: { endian: "little" } },
        {
          name: "blosc",
          configuration: { cname: "lz4", clevel: 5, shuffle: "shuffle", typesize: 4, blocksize: 0 },
        },
      ],
      attributes: { units: "K", scale_factor: 0.5, add_offset: 200 },
    });
    const values = Float32Array.from({ length: 120 }, (_, i) => i);
    await zarr.set(t, null, { data: values, shape: [4, 5, 6], stride: [30, 6, 1] });
    const y = await zarr.create(root.resolve("y"), {
      shape: [5],
      chunkShape: [5],
      dtype: "int32",
      dimensionNames: ["y"],
      codecs: [{ name: "bytes", configuration: { endian: "big" } }],
    });
    await zarr.set(y, null, {
      data: Int32Array.from([10, 20, 30, 40, 50]),
      shape: [5],
      stride: [1],
    });
    // Only t2m's time steps 1..2 were written in the second array: the rest reads as fill.
    const sparse = await zarr.create(root.resolve("sparse"), {
      shape: [4, 5, 6],
      chunkShape: [1, 5, 6],
      dtype: "int16",
      fillValue: -9,
      dimensionNames: ["time", "y", "x"],
      codecs: [{ name: "bytes", configuration: { endian: "little" } }],
    });
    await zarr.set(sparse, [zarr.slice(1, 3), null, null], 4);

    const ds = await openZarr(store);
    expect(ds.format).toBe("zarr3");
    expect(ds.attrs).toEqual({ title: "zarrita" });
    expect(ds.dims).toEqual({ time: 4, y: 5, x: 6 });
    const w = await ds.read("t2m", { isel: { time: 3, y: { start: 1, stop: 3 } } });
    expect(w.dims).toEqual(["y", "x"]);
    expect(Array.from(w.coords.y.values as Float64Array)).toEqual([20, 30]);
    const want = [96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107].map((v) => v * 0.5 + 200);
    expect(Array.from(w.data as Float64Array)).toEqual(want);
    const s = await ds.read("sparse", { isel: { y: 0, x: 0 }, decode: false });
    expect(Array.from(s.data as Int16Array)).toEqual([-9, 4, 4, -9]);
  });
});
