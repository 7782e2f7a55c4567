// Every value of files written by netCDF-C itself (ncgen, nccopy) against what netCDF-C's
// ncdump prints: both byte orders × every storage layout and filter netCDF-C writes, plus
// nested groups and the HDF5 types with no labelled-array equivalent.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isGridError } from "@geoml/grid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NetcdfDataset, openNetcdf } from "./index.js";
import { parseNcdumpData } from "./testing/ncdump.js";
import { haveTools, run } from "./testing/tools.js";

const TOOLS = haveTools("ncgen", "nccopy", "ncdump");

/** netCDF-C's default fill values (netcdf.h), for variables without `_FillValue`. */
const DEFAULT_FILL: Record<string, number | bigint | string> = {
  int8: -127,
  uint8: 255,
  int16: -32767,
  uint16: 65535,
  int32: -2147483647,
  uint32: 4294967295,
  int64: -9223372036854775806n,
  uint64: 18446744073709551614n,
  float32: Math.fround(9.969209968386869e36),
  float64: 9.969209968386869e36,
  string: "",
};

/** Storage layouts, as netCDF-C's special attributes; chunks leave partial edge chunks. */
const LAYOUTS: Record<string, (chunks: string) => string[]> = {
  contiguous: () => ['_Storage = "contiguous"'],
  chunked: (c) => ['_Storage = "chunked"', `_ChunkSizes = ${c}`],
  deflate: (c) => ['_Storage = "chunked"', `_ChunkSizes = ${c}`, "_DeflateLevel = 5"],
  "shuffle+deflate": (c) => [
    '_Storage = "chunked"',
    `_ChunkSizes = ${c}`,
    "_DeflateLevel = 5",
    '_Shuffle = "true"',
  ],
  fletcher32: (c) => ['_Storage = "chunked"', `_ChunkSizes = ${c}`, '_Fletcher32 = "true"'],
  "fletcher32+deflate": (c) => [
    '_Storage = "chunked"',
    `_ChunkSizes = ${c}`,
    '_Fletcher32 = "true"',
    "_DeflateLevel = 5",
  ],
};

/** nccopy re-encodings of the contiguous file (nccopy keeps the byte order). */
const NCCOPY: Record<string, string[]> = {
  "nccopy -d5": ["-d", "5"],
  "nccopy -d5 -s": ["-d", "5", "-s"],
  "nccopy fletcher32": ["-F", "*,3"],
  "nccopy fletcher32+deflate": ["-F", "*,3", "-F", "*,1,5"],
};

/** Deterministic values that differ in every byte, so a wrong byte order cannot pass. */
function values(n: number, f: (i: number) => string): string {
  return Array.from({ length: n }, (_, i) => f(i)).join(", ");
}

function cdl(endian: "big" | "little", layout: string, strings: boolean): string {
  const special = (chunks: string) =>
    [`_Endianness = "${endian}"`, ...LAYOUTS[layout](chunks)].map((a) => a);
  const vars: Array<[string, string, string, string[], string]> = [
    // type, name, dims, extra attributes, data
    [
      "float",
      "T",
      "t, y, x",
      ["_FillValue = -999.f", 'units = "K"'],
      values(3 * 7 * 9, (i) =>
        i % 17 === 5
          ? "_"
          : i === 40
            ? "NaN"
            : String(((i * 7919) % 1000) / 37 - 13.5 + (i % 5 === 0 ? 3.0e30 : 0)),
      ),
    ],
    ["double", "D", "y, x", [], values(63, (i) => String(Math.sin(i + 0.5) * 10 ** ((i % 9) - 4)))],
    ["byte", "B", "y, x", [], values(63, (i) => String(((i * 37) % 255) - 127))],
    ["ubyte", "UB", "x", [], values(9, (i) => String((i * 53) % 256))],
    [
      "short",
      "S",
      "y, x",
      ["scale_factor = 0.01", "add_offset = 10.", "_FillValue = -32767s"],
      values(63, (i) => (i % 11 === 3 ? "_" : String(((i * 4099) % 65000) - 32500))),
    ],
    ["ushort", "US", "x", [], values(9, (i) => String((i * 7001) % 65536))],
    ["int", "I", "y, x", [], values(63, (i) => String(((i * 104729) % 4000000) * 499 - 998000000))],
    ["uint", "UI", "x", [], values(9, (i) => String(4294967295 - i * 123456789))],
    [
      "int64",
      "L",
      "x",
      [],
      values(9, (i) => String(-9007199254740993n + BigInt(i) * 1152921504606846976n)),
    ],
    ["uint64", "UL", "x", [], values(9, (i) => String(18446744073709551615n - BigInt(i) * 3n))],
  ];
  const chunksFor = (dims: string) =>
    ({ "t, y, x": "2, 3, 4", "y, x": "3, 4", x: "4" })[dims] ?? "4";
  const lines = ["netcdf m {", "dimensions:", "  t = 3 ; y = 7 ; x = 9 ;", "variables:"];
  for (const [type, name, dims, attrs, _] of vars) {
    lines.push(`  ${type} ${name}(${dims}) ;`);
    for (const a of [...attrs, ...special(chunksFor(dims))]) lines.push(`    ${name}:${a} ;`);
  }
  if (strings) lines.push("  string STR(x) ;");
  lines.push("data:");
  for (const [, name, , , data] of vars) lines.push(`  ${name} = ${data} ;`);
  if (strings) {
    lines.push(`  STR = "a", "", "comma, inside", "quote \\" inside", "é", _, "x", "yy", "zzz" ;`);
  }
  lines.push("}");
  return lines.join("\n");
}

const GROUPS_CDL = `netcdf g {
dimensions: time = UNLIMITED ; x = 4 ;
variables:
  double time(time) ; time:units = "days since 2000-01-01" ;
  float x(x) ;
  float R(time, x) ; R:_FillValue = -999.f ;
  :title = "root" ;
data:
  time = 0, 1 ; x = 10, 20, 30, 40 ; R = 1.5, 2.25, 3.125, _, 5, 6, 7, 8 ;
group: grp1 {
  dimensions: y = 3 ;
  variables:
    float y(y) ;
    float lat2(y, x) ; lat2:units = "degrees_north" ;
    short T(time, y, x) ; T:_Endianness = "big" ; T:scale_factor = 0.25 ; T:_FillValue = -1s ;
      T:coordinates = "lat2" ;
      T:_Storage = "chunked" ; T:_ChunkSizes = 1, 2, 3 ; T:_DeflateLevel = 2 ; T:_Shuffle = "true" ;
    :title = "group one" ;
  data:
    y = -1, 0, 1 ;
    lat2 = 10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33 ;
    T = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, _, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, -24 ;
  group: sub {
    dimensions: z = 2 ;
    variables:
      int V(y) ; V:_Endianness = "big" ; V:_Fletcher32 = "true" ;
      double W(z, x) ; W:_Endianness = "little" ;
      string S(x) ;
    data:
      V = 100000, -7, 3 ;
      W = 0.1, 0.2, 0.3, 0.4, 1e300, -1e-300, 5, 6 ;
      S = "a", "bb", "c,d", "" ;
  }
}
group: grp2 {
  variables:
    ubyte Q(x) ;
  data:
    Q = 0, 127, 128, 255 ;
}
}`;

const TYPES_CDL = `netcdf types {
types:
  compound cmp_t { int i ; float f ; } ;
  compound obs_t { double t ; short q ; int64 id ; } ;
  byte enum cloud_t { Clear = 0, Cumulus = 1, Stratus = 2 } ;
  int(*) vl_t ;
  opaque(4) op_t ;
dimensions: x = 3 ; y = 5 ;
variables:
  cmp_t C(x) ;
  cloud_t E(x) ; E:_FillValue = Clear ;
  vl_t V(x) ;
  op_t O(x) ;
  float F(x) ;
  obs_t OBS(y) ; OBS:_Storage = "chunked" ; OBS:_ChunkSizes = 2 ; OBS:_DeflateLevel = 3 ;
    OBS:long_name = "observations" ;
data:
  C = {1, 1.5}, {2, 2.5}, {3, 3.5} ;
  E = Cumulus, Stratus, Clear ;
  V = {1, 2}, {3}, {4, 5, 6} ;
  O = 0XAABBCCDD, 0X11223344, 0X55667788 ;
  F = 1, 2, 3 ;
  OBS = {0.1, -2, 9007199254740993}, {1e300, 32767, -1}, {-0.5, 0, 7}, {2.25, 5, 8}, {3, -32768, 9} ;
}`;

/** Compare every value of every variable ncdump prints with what the reader returns. */
async function compareWithNcdump(path: string): Promise<number> {
  const dumped = parseNcdumpData(run("ncdump", ["-p", "9,17", path]));
  const ds = await openNetcdf(path);
  let compared = 0;
  try {
    expect(ds.variableNames.sort()).toEqual([...dumped.keys()].sort());
    for (const [name, tokens] of dumped) {
      const v = ds.variable(name);
      const raw = (await ds.read(`/${name}`, { decode: false, coords: false })).data;
      expect(raw.length, name).toBe(tokens.length);
      const fillAttr = v.attrs._FillValue;
      const fill = fillAttr === undefined ? DEFAULT_FILL[v.dtype] : fillAttr;
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        const got = raw[i];
        const at = `${path}: ${name}[${i}]`;
        if (t === "_") {
          if (typeof got === "bigint") expect(got, at).toBe(BigInt(fill as number | bigint));
          else if (typeof got === "string") expect(got, at).toBe(fill);
          else
            expect(got, at).toBe(v.dtype === "float32" ? Math.fround(Number(fill)) : Number(fill));
        } else if (typeof got === "string") {
          expect(`"${got}`, at).toBe(t);
        } else if (typeof got === "bigint") {
          expect(got, at).toBe(BigInt(t));
        } else if (/^NaNf?$/.test(t)) {
          expect(Number.isNaN(got), at).toBe(true);
        } else {
          // -p 9,17 prints enough digits to round-trip float32 and float64 exactly; float
          // infinities carry ncdump's "f" suffix.
          const text = t.replace(/^(-?Infinity)f$/, "$1");
          const want = v.dtype === "float32" ? Math.fround(Number(text)) : Number(text);
          expect(got, at).toBe(want);
        }
        compared++;
      }
      // Decoded reads mask exactly the cells ncdump shows as fill, when the variable declares
      // its _FillValue; netCDF-C's default fill is not masked, as in xarray.
      if (v.dtype !== "string" && v.dtype !== "int64" && v.dtype !== "uint64") {
        const decoded = (await ds.read(name, { coords: false })).data as Float64Array;
        const declared = fillAttr !== undefined;
        tokens.forEach((t, i) => {
          const masked = (t === "_" && declared) || /^NaNf?$/.test(t);
          if (t === "_" && !declared) return;
          expect(Number.isNaN(decoded[i]), `${name}[${i}]`).toBe(masked);
        });
      }
    }
  } finally {
    await ds.close();
  }
  return compared;
}

/** The special attributes ncdump -hs reports for variable `name`. */
function storageOf(path: string, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of run("ncdump", ["-hs", path]).matchAll(
    new RegExp(`^\\s*${name}:(_\\w+) = (.*) ;$`, "gm"),
  )) {
    out[m[1]] = m[2].replace(/"/g, "");
  }
  return out;
}

describe.skipIf(!TOOLS)("values match ncdump on files written by netCDF-C", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "geoml-netcdf-crosscheck-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, "big" | "little", string]> = [];
  for (const endian of ["big", "little"] as const) {
    for (const layout of Object.keys(LAYOUTS)) cases.push([`${endian} ${layout}`, endian, layout]);
    for (const copy of Object.keys(NCCOPY)) cases.push([`${endian} ${copy}`, endian, copy]);
  }

  it.each(cases)("%s", async (label, endian, layout) => {
    const base = join(dir, `${endian}-${layout.replace(/\W+/g, "_")}`);
    const fromNccopy = NCCOPY[layout];
    const source = `${base}${fromNccopy ? "-src" : ""}.cdl`;
    const { writeFile } = await import("node:fs/promises");
    await writeFile(
      source,
      cdl(endian, fromNccopy ? "contiguous" : layout, layout === "contiguous"),
    );
    const file = `${base}.nc`;
    if (fromNccopy) {
      run("ncgen", ["-k", "nc4", "-o", `${base}-src.nc`, source]);
      run("nccopy", [...fromNccopy, `${base}-src.nc`, file]);
    } else {
      run("ncgen", ["-k", "nc4", "-o", file, source]);
    }
    // The file really has the byte order and filters this case is about.
    const s = storageOf(file, "T");
    expect(s._Endianness, label).toBe(endian);
    const want = fromNccopy ? fromNccopy.join(" ") : layout;
    expect(s._Storage, label).toBe(layout === "contiguous" ? "contiguous" : "chunked");
    if (layout === "chunked") expect(s._ChunkSizes).toBe("2, 3, 4");
    expect(s._DeflateLevel !== undefined, label).toBe(
      /deflate|-d/.test(want) || want.includes("1,5"),
    );
    expect(s._Shuffle === "true", label).toBe(/shuffle|-s/.test(want));
    expect(s._Fletcher32 === "true", label).toBe(/fletcher|\*,3/.test(want));
    // 10 variables × their cells (a string variable too in the contiguous file: HDF5 cannot
    // filter variable-length data, so nccopy would refuse it).
    expect(await compareWithNcdump(file)).toBe(
      3 * 7 * 9 + 63 * 4 + 9 * 5 + (layout === "contiguous" ? 9 : 0),
    );
  });

  it("nested groups: listed, addressed by path, every value as ncdump prints it", async () => {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(dir, "groups.cdl"), GROUPS_CDL);
    const file = join(dir, "groups.nc");
    run("ncgen", ["-k", "nc4", "-o", file, join(dir, "groups.cdl")]);
    expect(await compareWithNcdump(file)).toBe(2 + 4 + 8 + 3 + 12 + 24 + 3 + 8 + 4 + 4);
    const ds: NetcdfDataset = await openNetcdf(file);
    try {
      expect(ds.groups.map((g) => g.path)).toEqual(["grp1", "grp1/sub", "grp2"]);
      expect(ds.groups[0].attrs.title).toBe("group one");
      expect(ds.dims).toEqual({ time: 2, x: 4, "grp1/y": 3, "grp1/sub/z": 2 });
      const t = await ds.read("/grp1/T", { isel: { time: 1 } });
      expect(t.dims).toEqual(["grp1/y", "x"]);
      expect(Array.from(t.coords["grp1/y"].values as Float64Array)).toEqual([-1, 0, 1]);
      // "lat2" in grp1's T resolves in grp1 first (CF 1.8 groups).
      expect(Array.from(t.coords["grp1/lat2"].values as Float64Array)).toEqual([
        10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33,
      ]);
      expect(ds.coordNames).toContain("grp1/lat2");
      expect(ds.dataVariableNames).toEqual([
        "R",
        "grp1/T",
        "grp1/sub/V",
        "grp1/sub/W",
        "grp1/sub/S",
        "grp2/Q",
      ]);
      expect((t.data as Float64Array)[11]).toBe(-6);
      // Opening one group keeps working, with names relative to it.
      const g = await openNetcdf(file, { group: "grp1" });
      try {
        expect(g.variableNames).toEqual(["y", "lat2", "T", "sub/V", "sub/W", "sub/S"]);
        expect(Object.keys((await g.read("T")).coords)).toEqual(["y", "lat2"]);
        expect(Array.from((await g.read("/grp1/sub/V")).data as Int32Array)).toEqual([
          100000, -7, 3,
        ]);
      } finally {
        await g.close();
      }
    } finally {
      await ds.close();
    }
  });

  it("enumerations read as their codes, compounds of numbers member by member; vlen and opaque give typed errors", async () => {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(dir, "types.cdl"), TYPES_CDL);
    const file = join(dir, "types.nc");
    run("ncgen", ["-k", "nc4", "-o", file, join(dir, "types.cdl")]);
    const dumped = parseNcdumpData(run("ncdump", ["-p", "9,17", file]));
    const ds = await openNetcdf(file);
    try {
      expect(ds.variableNames).toEqual(["C.i", "C.f", "E", "F", "OBS.t", "OBS.q", "OBS.id"]);
      const e = await ds.read("E", { decode: false });
      expect(Array.from(e.data as Int8Array)).toEqual([1, 2, 0]);
      expect(e.attrs.flag_values).toEqual([0, 1, 2]);
      expect(e.attrs.flag_meanings).toBe("Clear Cumulus Stratus");
      // Every member value as ncdump prints the records ({t, q, id}, …).
      for (const [name, members] of [
        ["C", ["i", "f"]],
        ["OBS", ["t", "q", "id"]],
      ] as const) {
        const tokens = dumped.get(name)!.map((t) => t.replace(/[{}]/g, ""));
        expect(tokens.length, name).toBe(
          members.length * ds.variable(`${name}.${members[0]}`).shape[0],
        );
        for (const [k, m] of members.entries()) {
          const v = ds.variable(`${name}.${m}`);
          const got = (await ds.read(`${name}.${m}`, { decode: false })).data;
          tokens
            .filter((_, i) => i % members.length === k)
            .forEach((t, i) => {
              const want =
                v.dtype === "int64"
                  ? BigInt(t)
                  : v.dtype === "float32"
                    ? Math.fround(Number(t))
                    : Number(t);
              expect(got[i], `${name}.${m}[${i}]`).toBe(want);
            });
        }
      }
      expect(ds.variable("OBS.t").attrs.long_name).toBe("observations");
      expect(ds.variable("OBS.t").chunks).toEqual([2]);
      expect(ds.unsupported.map((u) => u.name)).toEqual(["V", "O"]);
      for (const name of ["V", "O"]) {
        let error: unknown;
        try {
          await ds.read(name);
        } catch (err) {
          error = err;
        }
        expect(isGridError(error, "UNSUPPORTED"), name).toBe(true);
        expect((error as Error).message).toContain(file);
        expect((error as Error).message).toContain(`'${name}'`);
      }
    } finally {
      await ds.close();
    }
  });

  it("numeric attributes stored as text are converted, or reported by file, variable and attribute", async () => {
    const { writeFile } = await import("node:fs/promises");
    const text = `netcdf a {
dimensions: x = 4 ;
variables:
  short P(x) ; P:missing_value = "-999" ; P:scale_factor = "0.5" ; P:add_offset = "1e+1" ;
  float N(x) ; N:missing_value = "nan" ; N:valid_range = "0 100" ;
  float Bad(x) ; Bad:scale_factor = "half" ;
data:
  P = 2, -999, 4, 6 ; N = 1, NaN, 200, 3 ; Bad = 1, 2, 3, 4 ;
}`;
    for (const kind of ["classic", "nc4"]) {
      await writeFile(join(dir, "attrs.cdl"), text);
      const file = join(dir, `attrs-${kind}.nc`);
      run("ncgen", ["-k", kind, "-o", file, join(dir, "attrs.cdl")]);
      // ncdump shows the attributes really are text.
      expect(run("ncdump", ["-h", file])).toContain('P:missing_value = "-999"');
      const ds = await openNetcdf(file);
      try {
        expect(Array.from((await ds.read("P")).data as Float64Array)).toEqual([
          11,
          Number.NaN,
          12,
          13,
        ]);
        expect(ds.variable("P").attrs.scale_factor).toBe(0.5);
        const n = Array.from((await ds.read("N")).data as Float64Array);
        expect(n).toEqual([1, Number.NaN, Number.NaN, 3]);
        let error: unknown;
        try {
          await ds.read("Bad");
        } catch (e) {
          error = e;
        }
        expect(isGridError(error, "INVALID_ATTRIBUTE")).toBe(true);
        expect((error as Error).message).toContain(file);
        expect((error as Error).message).toContain("'Bad'");
        expect((error as Error).message).toContain("scale_factor");
        // The stored values stay readable.
        expect(Array.from((await ds.read("Bad", { decode: false })).data as Float32Array)).toEqual([
          1, 2, 3, 4,
        ]);
      } finally {
        await ds.close();
      }
    }
  });

  it("the HDF5 worker's warm-up file is what ncgen makes of its source", async () => {
    const cdl = new URL("./nc4/warmup.cdl", import.meta.url).pathname;
    const shipped = new URL("./nc4/warmup.nc", import.meta.url).pathname;
    const made = join(dir, "warmup.nc");
    run("ncgen", ["-k", "nc4", "-o", made, cdl]);
    expect(run("ncdump", ["-s", shipped]).replace(/^netcdf \S+/, "")).toBe(
      run("ncdump", ["-s", made]).replace(/^netcdf \S+/, ""),
    );
    expect(await compareWithNcdump(shipped)).toBe(2 + 24 + 36 + 2 * 2 * 24 * 36 + 24);
  });
});
