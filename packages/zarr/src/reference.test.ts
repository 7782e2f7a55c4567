import { readFile } from "node:fs/promises";
import type { Dataset } from "@geoml/grid";
import { describe, expect, it } from "vitest";
import { FIXTURE_OPTIONS, fixtureArrays } from "./fixture-data.js";
import { MemoryStore, openZarr, writeZarr } from "./index.js";
import { fixturePath, loadStore } from "./testing.js";

type VarRef = {
  shape: number[];
  dtype: string;
  raw: Array<number | string | null>;
  attrs: Record<string, unknown>;
};
type XrRef = {
  variables: Record<
    string,
    { dims: string[]; shape: number[]; decoded: Array<number | string | null> }
  >;
};
const ref = JSON.parse(await readFile(fixturePath("zarr_reference.json"), "utf8")) as {
  stores: Record<
    string,
    {
      sub?: { zarr: Record<string, VarRef> };
      zarr?: Record<string, VarRef>;
      xarray?: XrRef;
      expected?: Record<string, { shape: number[]; raw: number[] }>;
    }
  >;
};

const asList = (d: unknown) =>
  Array.from(d as ArrayLike<unknown>, (v) => (typeof v === "bigint" ? Number(v) : v));

// xarray decodes int16 packing to float32; we decode to float64. Same numbers to float32
// precision (relative 2^-23 of the value plus the float32 rounding of the scale and offset).
function expectClose(got: unknown[], want: Array<number | string | null>, what: string) {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i] as number;
    if (w === null) expect(Number.isNaN(g), `${what}[${i}] should be missing`).toBe(true);
    else if (typeof w === "string") expect(g, `${what}[${i}]`).toBe(w);
    else
      expect(Math.abs(g - w), `${what}[${i}]: ${g} vs ${w}`).toBeLessThanOrEqual(
        2e-6 * Math.abs(w) + 1e-9,
      );
  }
}

async function checkAgainstZarrPython(ds: Dataset, vars: Record<string, VarRef>) {
  for (const [name, v] of Object.entries(vars)) {
    expect(ds.variable(name).shape, name).toEqual(v.shape);
    const raw = await ds.read(name, { decode: false, coords: false });
    // zarr-python's raw values, exactly (NaN as null).
    expect(
      asList(raw.data).map((x) => (typeof x === "number" && Number.isNaN(x) ? null : x)),
      name,
    ).toEqual(v.raw);
  }
}

async function checkAgainstXarray(ds: Dataset, xr: XrRef) {
  for (const [name, v] of Object.entries(xr.variables)) {
    const arr = await ds.read(name);
    expect(arr.dims, name).toEqual(v.dims);
    if (arr.coords[name]?.times !== undefined) {
      const iso = arr.coords[name].times!.map((t) => {
        const p = (n: number, w = 2) => String(n).padStart(w, "0");
        return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(Math.floor(t.second))}`;
      });
      expect(iso, name).toEqual(v.decoded);
    } else {
      expectClose(asList(arr.data), v.decoded, name);
    }
  }
}

describe("Zarr v2 written by xarray (packed int16, fill value only in .zarray, consolidated)", () => {
  for (const store of ["xr_packed_blosc.zarr", "xr_packed_zlib.zarr"]) {
    it(`${store}: raw values equal zarr-python's, decoded values equal xarray's`, async () => {
      const ds = await openZarr(fixturePath(store));
      expect(ds.format).toBe("zarr2");
      expect(ds.dims).toEqual({ lat: 4, lon: 5, time: 3 });
      expect(ds.dataVariableNames).toEqual(["sst"]);
      const r = ref.stores[store];
      await checkAgainstZarrPython(ds, r.zarr!);
      await checkAgainstXarray(ds, r.xarray!);
      const sst = await ds.read("sst", { isel: { time: 2 } });
      expect(sst.encoding).toMatchObject({
        dtype: "int16",
        _FillValue: -32767,
        scale_factor: 0.01,
        add_offset: 20,
      });
      expect(sst.attrs).toEqual({ units: "degC", long_name: "sea surface temperature" });
      await ds.close();
    });
  }

  it("reads through .zmetadata alone: one metadata request, then only the chunks a window touches", async () => {
    const mem = await loadStore(fixturePath("xr_packed_zlib.zarr"));
    const seen: string[] = [];
    const logged = {
      get: async (k: `/${string}`) => {
        seen.push(k);
        return mem.get(k);
      },
    };
    const ds = await openZarr(logged);
    expect(seen).toEqual(["/zarr.json", "/.zmetadata"]);
    seen.length = 0;
    await ds.read("sst", { isel: { time: 1, lat: { start: 0, stop: 2 } }, coords: false });
    // sst chunks are (2, 3, 5): time 1, lat 0..1 is chunk 0.0.0 only.
    expect(seen).toEqual(["/sst/0.0.0"]);
  });
});

describe("Zarr v2 written by zarr-python 2.13", () => {
  it("F order, '/' separator, big-endian Blosc-bitshuffle int32, bool, unicode, missing chunks", async () => {
    const ds = await openZarr(fixturePath("zp_raw.zarr"));
    const zp = ref.stores["zp_raw.zarr"].zarr!;
    await checkAgainstZarrPython(ds, zp);
    expect(ds.variable("names").dtype).toBe("string");
    expect(ds.variable("mask").dtype).toBe("uint8");
    expect(ds.variable("sparse").dims).toEqual(["sparse_dim_0"]);
    expect(ds.variable("sparse").attrs).toEqual({ flag: 1, scales: [1.5, 2.5], _FillValue: 9 });
    // xarray's rule for v2: fill_value masks (9 marks the never-written chunks here).
    const sparse = await ds.read("sparse");
    expect(asList(sparse.data)).toEqual([1, 2, Number.NaN, Number.NaN, 5, 6]);
    const part = await ds.read("ford", {
      isel: { y: { start: 1, stop: 4 }, x: { start: 2, stop: 6 } },
      decode: false,
    });
    expect(asList(part.data)).toEqual(
      [9, 10, 11, 12, 16, 17, 18, 19, 23, 24, 25, 26].map((v) => v / 4),
    );
  });
  it("lists only the root's arrays; a nested group opens with { group }", async () => {
    const root = await openZarr(fixturePath("zp_raw.zarr"));
    expect(root.variableNames).not.toContain("depth");
    const sub = await openZarr(fixturePath("zp_raw.zarr"), { group: "sub" });
    expect(sub.attrs).toEqual({ level: "ocean" });
    await checkAgainstZarrPython(sub, ref.stores["zp_raw.zarr"].sub!.zarr);
    expect(sub.variable("depth").dims).toEqual(["z"]);
  });
});

describe("Zarr v3 made from the specification's bytes", () => {
  it("bytes+gzip, big-endian bytes with a missing chunk, sharding with a crc32c index and an empty inner chunk", async () => {
    const ds = await openZarr(fixturePath("v3_hand.zarr"));
    expect(ds.format).toBe("zarr3");
    expect(ds.attrs).toEqual({ title: "hand-made v3" });
    const exp = ref.stores["v3_hand.zarr"].expected!;
    for (const [name, e] of Object.entries(exp)) {
      const raw = await ds.read(name, { decode: false });
      expect(raw.shape, name).toEqual(e.shape);
      expect(
        asList(raw.data).map((x) => (Number.isNaN(x) ? null : x)),
        name,
      ).toEqual(e.raw);
    }
    expect(ds.variable("sharded").chunks).toEqual([2, 3]);
    const win = await ds.read("sharded", {
      isel: { y: 3, x: { start: 1, stop: 5 } },
      decode: false,
    });
    expect(asList(win.data)).toEqual([209, 220, 7, 7]);
  });

  it("a corrupted shard index fails its crc32c check with a typed error naming the array", async () => {
    const mem = await loadStore(fixturePath("v3_hand.zarr"));
    const shard = mem.map.get("/sharded/c/0/0")!.slice();
    shard[shard.length - 10] ^= 0xff;
    mem.map.set("/sharded/c/0/0", shard);
    const ds = await openZarr(mem);
    await expect(ds.read("sharded")).rejects.toMatchObject({
      name: "ZarrError",
      variable: "sharded",
    });
  });
});

describe("writer", () => {
  it("makes exactly the v2 store zarr-python and xarray were checked against", async () => {
    const mem = new MemoryStore();
    await writeZarr(mem, fixtureArrays(), FIXTURE_OPTIONS);
    const committed = await loadStore(fixturePath("geoml_v2.zarr"));
    expect([...mem.map.keys()].sort()).toEqual([...committed.map.keys()].sort());
    for (const [k, v] of committed.map)
      expect(Buffer.from(mem.map.get(k)!).equals(Buffer.from(v)), k).toBe(true);
    const r = ref.stores["geoml_v2.zarr"];
    // zarr-python sees the fill value in .zarray only, packed int16, and our values.
    expect(r.zarr!.sst).toMatchObject({
      dtype: "<i2",
      fill_value: -32767,
      attrs: { scale_factor: 0.001, add_offset: 25 },
    });
    expect(r.zarr!.sst.attrs).not.toHaveProperty("_FillValue");
    const [sst, wind] = fixtureArrays();
    // xarray decodes what we packed to within half a packing step (float32 result).
    const xs = r.xarray!.variables.sst.decoded;
    asList(sst.data).forEach((v, i) => {
      if (Number.isNaN(v)) expect(xs[i]).toBeNull();
      else expect(Math.abs((xs[i] as number) - (v as number))).toBeLessThanOrEqual(0.0005 + 1e-5);
    });
    expectClose(asList(wind.data), r.xarray!.variables.wind.decoded, "wind");
    expect(r.xarray!.variables.time.decoded).toEqual([
      "2000-01-01T00:00:00",
      "2000-02-01T00:00:00",
      "2000-02-29T00:00:00",
    ]);
  });

  it("copies a whole Dataset slab by slab, raw values and attributes unchanged", async () => {
    const src = await openZarr(fixturePath("xr_packed_zlib.zarr"));
    for (const format of [2, 3] as const) {
      const mem = new MemoryStore();
      await writeZarr(mem, src, { format, encoding: { sst: { chunks: [1, 4, 5] } } });
      const back = await openZarr(mem);
      expect(back.attrs).toEqual(src.attrs);
      expect(back.variable("sst").chunks).toEqual([1, 4, 5]);
      for (const name of src.variableNames) {
        const a = await src.read(name, { decode: false });
        const b = await back.read(name, { decode: false });
        expect(asList(b.data), name).toEqual(asList(a.data));
        expect(b.attrs, name).toEqual(a.attrs);
        const da = await src.read(name);
        const db = await back.read(name);
        expect(asList(db.data), name).toEqual(asList(da.data));
      }
    }
  });

  for (const format of [2, 3] as const) {
    for (const compressor of ["none", format === 2 ? "zlib" : "gzip", "blosc"] as const) {
      it(`v${format} with ${compressor} round-trips through the reader`, async () => {
        const mem = new MemoryStore();
        await writeZarr(mem, fixtureArrays(), {
          format,
          compressor,
          encoding: { wind: { chunks: [2, 3, 2] } },
        });
        const ds = await openZarr(mem);
        expect(ds.format).toBe(`zarr${format}`);
        expect(ds.dataVariableNames).toEqual(["sst", "wind"]);
        const [sst, wind] = fixtureArrays();
        expect(asList((await ds.read("sst")).data)).toEqual(asList(sst.data));
        expect(asList((await ds.read("wind")).data)).toEqual(asList(wind.data));
        const t = await ds.read("wind", { isel: { time: 2 } });
        expect(t.coords.time.times?.[0]).toMatchObject({ year: 2000, month: 2, day: 29 });
      });
    }
  }
});
