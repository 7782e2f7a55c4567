import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureArrays } from "./fixture-data.js";
import { createZarr, MemoryStore, openZarr, writeZarr } from "./index.js";
import { jsonBytes, parseJsonBytes } from "./json.js";
import { fixturePath, loadStore } from "./testing.js";

const edit = (store: MemoryStore, key: string, change: (doc: Record<string, unknown>) => void) => {
  const doc = parseJsonBytes(store.map.get(key)!) as Record<string, unknown>;
  change(doc);
  store.map.set(key, jsonBytes(doc));
};

describe("typed errors naming the store and the array", () => {
  it("a directory that is not a Zarr store", async () => {
    await expect(openZarr(fixturePath("."))).rejects.toMatchObject({
      name: "ZarrError",
      code: "NOT_ZARR",
    });
  });

  it("a remote-like store without listing or consolidated metadata", async () => {
    const mem = await loadStore(fixturePath("v3_hand.zarr"));
    const noList = { get: (k: `/${string}`) => mem.get(k) };
    await expect(openZarr(noList)).rejects.toMatchObject({ code: "UNSUPPORTED", file: "(store)" });
  });

  it("a Blosc header declaring more bytes than its chunk holds is refused before decoding", async () => {
    const mem = await loadStore(fixturePath("xr_packed_blosc.zarr"));
    const chunk = mem.map.get("/sst/0.0.0")!.slice();
    new DataView(chunk.buffer).setUint32(4, 0x7ffffff0, true);
    mem.map.set("/sst/0.0.0", chunk);
    const ds = await openZarr(mem);
    await expect(ds.read("sst")).rejects.toMatchObject({
      code: "CORRUPT_CHUNK",
      variable: "sst",
      file: "(store)",
      message: expect.stringContaining("declares 2147483632 decoded bytes"),
    });
  });

  it("a Blosc inner chunk of a shard declaring more bytes than it holds is refused", async () => {
    const { default: Blosc } = await import("numcodecs/blosc");
    const blosc = Blosc.fromConfig({ id: "blosc", cname: "lz4", clevel: 5, shuffle: 1 });
    const values = Uint16Array.from({ length: 24 }, (_, i) => i * 7);
    const inner: Uint8Array[] = [];
    for (const [r, c] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]) {
      const block = new Uint16Array(6);
      for (let y = 0; y < 2; y++)
        for (let x = 0; x < 3; x++) block[y * 3 + x] = values[(r * 2 + y) * 6 + c * 3 + x];
      inner.push(await blosc.encode(new Uint8Array(block.buffer)));
    }
    const build = (first: Uint8Array) => {
      const parts = [first, ...inner.slice(1)];
      const index = new BigUint64Array(8);
      let at = 0;
      parts.forEach((p, i) => {
        index[2 * i] = BigInt(at);
        index[2 * i + 1] = BigInt(p.length);
        at += p.length;
      });
      const shard = new Uint8Array(at + 64);
      let o = 0;
      for (const p of parts) {
        shard.set(p, o);
        o += p.length;
      }
      shard.set(new Uint8Array(index.buffer), at);
      return shard;
    };
    const meta = {
      zarr_format: 3,
      node_type: "array",
      shape: [4, 6],
      data_type: "uint16",
      chunk_grid: { name: "regular", configuration: { chunk_shape: [4, 6] } },
      chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
      fill_value: 0,
      codecs: [
        {
          name: "sharding_indexed",
          configuration: {
            chunk_shape: [2, 3],
            codecs: [
              { name: "bytes", configuration: { endian: "little" } },
              {
                name: "blosc",
                configuration: {
                  cname: "lz4",
                  clevel: 5,
                  shuffle: "shuffle",
                  typesize: 2,
                  blocksize: 0,
                },
              },
            ],
            index_codecs: [{ name: "bytes", configuration: { endian: "little" } }],
            index_location: "end",
          },
        },
      ],
      attributes: {},
      dimension_names: ["y", "x"],
    };
    const store = (first: Uint8Array) =>
      new MemoryStore({
        "zarr.json": jsonBytes({ zarr_format: 3, node_type: "group", attributes: {} }),
        "v/zarr.json": jsonBytes(meta),
        "v/c/0/0": build(first),
      });
    const good = await openZarr(store(inner[0]));
    expect(Array.from((await good.read("v")).data as Uint16Array)).toEqual(Array.from(values));
    const bad = inner[0].slice();
    new DataView(bad.buffer).setUint32(4, 0x7ffffff0, true);
    const ds = await openZarr(store(bad));
    await expect(ds.read("v")).rejects.toMatchObject({
      code: "CORRUPT_CHUNK",
      variable: "v",
      message: expect.stringContaining("declares"),
    });
  });

  it("a chunk larger than maxChunkBytes, before anything is allocated", async () => {
    const mem = await loadStore(fixturePath("xr_packed_zlib.zarr"));
    edit(mem, "/.zmetadata", (d) => {
      (d.metadata as Record<string, Record<string, unknown>>)["sst/.zarray"].chunks = [
        3000, 4000, 5000,
      ];
    });
    const ds = await openZarr(mem);
    await expect(ds.read("sst", { isel: { time: 0 } })).rejects.toMatchObject({
      code: "TOO_LARGE",
      variable: "sst",
    });
  });

  it("malformed metadata, unsupported dtypes and conflicting dimensions", async () => {
    const cases: Array<[(d: Record<string, unknown>) => void, string]> = [
      [(d) => (d.shape = [3, -4, 5]), "CORRUPT_METADATA"],
      [(d) => (d.chunks = [2, 3]), "CORRUPT_METADATA"],
      [(d) => (d.dtype = "<c16"), "UNSUPPORTED"],
      [(d) => (d.dtype = [["a", "<f4"]]), "UNSUPPORTED"],
      [(d) => (d.shape = [3, 4, 6]), "CORRUPT_METADATA"],
      [(d) => (d.chunks = [2, 3, 1e300]), "CORRUPT_METADATA"],
    ];
    for (const [change, code] of cases) {
      const mem = await loadStore(fixturePath("xr_packed_zlib.zarr"));
      edit(mem, "/.zmetadata", (d) =>
        change((d.metadata as Record<string, Record<string, unknown>>)["sst/.zarray"]),
      );
      await expect(openZarr(mem), code).rejects.toMatchObject({ code, variable: "sst" });
    }
  });

  it("an unknown codec fails at read time, naming the array", async () => {
    const mem = await loadStore(fixturePath("v3_hand.zarr"));
    edit(mem, "/temp/zarr.json", (d) => {
      (d.codecs as unknown[])[1] = { name: "snappy-9000", configuration: {} };
    });
    const ds = await openZarr(mem);
    await expect(ds.read("temp")).rejects.toMatchObject({ code: "UNSUPPORTED", variable: "temp" });
    await expect(ds.read("counts")).resolves.toBeDefined();
  });

  it("repeated dimension names and a bad maxChunkBytes", async () => {
    const mem = await loadStore(fixturePath("xr_packed_zlib.zarr"));
    edit(mem, "/.zmetadata", (d) => {
      (d.metadata as Record<string, Record<string, unknown>>)["sst/.zattrs"]._ARRAY_DIMENSIONS = [
        "lat",
        "lat",
        "lon",
      ];
    });
    await expect(openZarr(mem)).rejects.toMatchObject({
      code: "CORRUPT_METADATA",
      variable: "sst",
    });
    await expect(openZarr(mem, { maxChunkBytes: -1 })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });

  it("reads after close fail", async () => {
    const ds = await openZarr(fixturePath("xr_packed_zlib.zarr"));
    await ds.close();
    await expect(ds.read("sst")).rejects.toMatchObject({ code: "CLOSED" });
  });
});

describe("writer errors", () => {
  it("refuses misaligned regions, wrong lengths, unknown variables and bad specs", async () => {
    const w = await createZarr(new MemoryStore());
    await w.defineVariable("v", {
      dims: ["y", "x"],
      shape: [4, 6],
      dtype: "float32",
      chunks: [2, 3],
    });
    await expect(w.write("v", new Float32Array(4), [1, 0], [2, 2])).rejects.toMatchObject({
      code: "INVALID_WRITE",
      variable: "v",
    });
    await expect(w.write("v", new Float32Array(5), [0, 0], [2, 3])).rejects.toMatchObject({
      code: "INVALID_WRITE",
    });
    await expect(w.write("nope", new Float32Array(1))).rejects.toMatchObject({
      code: "INVALID_WRITE",
      variable: "nope",
    });
    await expect(
      w.defineVariable("v", { dims: ["y"], shape: [4], dtype: "float32" }),
    ).rejects.toMatchObject({ code: "INVALID_WRITE" });
    await expect(
      w.defineVariable("w", { dims: ["y"], shape: [4], dtype: "complex" as never }),
    ).rejects.toMatchObject({ code: "INVALID_WRITE" });
    await expect(
      w.defineVariable("../x", { dims: ["y"], shape: [4], dtype: "int8" }),
    ).rejects.toMatchObject({ code: "INVALID_WRITE" });
    // The edge region (rows 2..3, columns 3..5) is aligned: it ends at the array's edge.
    await w.write("v", new Float32Array(6).fill(1), [2, 3]);
    await w.close();
    await expect(w.write("v", new Float32Array(6), [0, 0], [2, 3])).rejects.toMatchObject({
      code: "CLOSED",
    });
  });

  it("refuses values that do not fit the packing, and an existing store without overwrite", async () => {
    const [sst] = fixtureArrays();
    await expect(
      writeZarr(new MemoryStore(), [sst], {
        encoding: { sst: { dtype: "int8", scale_factor: 0.001 } },
      }),
    ).rejects.toMatchObject({ code: "INVALID_WRITE", variable: "sst" });
    const dir = await mkdtemp(join(tmpdir(), "geoml-zarr-"));
    try {
      const out = join(dir, "a.zarr");
      await writeZarr(out, [sst]);
      await expect(writeZarr(out, [sst])).rejects.toMatchObject({
        code: "INVALID_WRITE",
        file: out,
      });
      await writeZarr(out, [sst], { overwrite: true, format: 2 });
      expect((await openZarr(out)).format).toBe("zarr2");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
