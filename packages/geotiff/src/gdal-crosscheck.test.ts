/**
 * Cross-check against GDAL on files GDAL itself makes: NetCDF variables (NaN and numeric
 * fill values, packed int16 with scale/offset) converted by `gdal_translate` into every
 * compression GDAL writes, then every value compared with what GDAL reads back
 * (`gdal_translate -of XYZ`, the band and its nodata mask) and GDAL's nodata, scale and
 * offset (`gdalinfo -json`). The NetCDF source is written by `ncgen` from CDL made here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isGridError } from "@geoml/grid";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openGeotiff } from "./open.js";
import { readGeotiff } from "./read.js";
import { apply, mutation, readAll } from "./testing/mutate.js";
import { limited, tool, toolsAvailable } from "./testing/tools.js";

const available = toolsAvailable("gdal_translate", "gdalinfo", "ncgen");
const H = 50;
const W = 75;

/** A smooth field with a round "island" and a strip of missing cells, as CDL. */
function sourceCdl(): string {
  const floats: string[] = [];
  const half: string[] = [];
  const packed: string[] = [];
  const rgb: string[] = [[], [], []].map(() => "") as string[];
  const bytes: number[][] = [[], [], []];
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const missing = (i - 20) ** 2 + (j - 30) ** 2 < 90 || j < 3;
      const v = 15 + 10 * Math.sin(i / 7) * Math.cos(j / 5) + i * 0.0137 - j * 0.00311;
      floats.push(missing ? "_" : v.toPrecision(9));
      half.push(i >= 25 ? "_" : v.toPrecision(9));
      packed.push(missing ? "_" : String(Math.round((v - 15) / 0.01)));
      bytes[0].push(Math.round(127 + 120 * Math.sin(i / 6)));
      bytes[1].push(Math.round(127 + 120 * Math.cos(j / 9)));
      bytes[2].push((i * 7 + j * 3) % 256);
    }
  }
  bytes.forEach((b, k) => {
    rgb[k] = b.join(", ");
  });
  const lat = Array.from({ length: H }, (_, i) => -24.5 + i).join(", ");
  const lon = Array.from({ length: W }, (_, j) => 100.5 + j).join(", ");
  return `netcdf src {
dimensions: band = 3 ; lat = ${H} ; lon = ${W} ;
variables:
  double lat(lat) ; lat:units = "degrees_north" ; lat:standard_name = "latitude" ;
  double lon(lon) ; lon:units = "degrees_east" ; lon:standard_name = "longitude" ;
  float sst_nan(lat, lon) ; sst_nan:_FillValue = NaNf ; sst_nan:units = "degC" ;
  float sst_fill(lat, lon) ; sst_fill:_FillValue = 1e20f ; sst_fill:missing_value = 1e20f ;
  short sst_packed(lat, lon) ; sst_packed:_FillValue = -32767s ;
    sst_packed:scale_factor = 0.01f ; sst_packed:add_offset = 15.f ;
    sst_packed:valid_range = -3000s, 3000s ;
  float half(lat, lon) ; half:_FillValue = -999.f ;
  ubyte rgb(band, lat, lon) ;
data:
  lat = ${lat} ;
  lon = ${lon} ;
  sst_nan = ${floats.join(", ")} ;
  sst_fill = ${floats.join(", ")} ;
  sst_packed = ${packed.join(", ")} ;
  half = ${half.join(", ")} ;
  rgb = ${rgb.join(", ")} ;
}
`;
}

/** One GeoTIFF GDAL writes: source variable, `gdal_translate` options, tolerance. */
interface Case {
  name: string;
  variable: string;
  options: string[];
  /** Largest difference allowed per raw value (lossy JPEG only). */
  tolerance?: number;
}

const TILED = ["-co", "TILED=YES", "-co", "BLOCKXSIZE=32", "-co", "BLOCKYSIZE=32"];
// 50 rows in strips of 7: the last strip holds a single row.
const STRIPS = ["-co", "BLOCKYSIZE=7"];
const LOSSLESS_LERC = ["-co", "MAX_Z_ERROR=0"];

const FLOAT_CODECS: Array<[string, string[]]> = [
  ["none", ["-co", "COMPRESS=NONE", ...STRIPS]],
  ["deflate_p1", ["-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=1", ...TILED]],
  ["deflate_p2", ["-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=2", ...TILED]],
  ["deflate_p3", ["-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=3", ...STRIPS]],
  ["lzw", ["-co", "COMPRESS=LZW", ...STRIPS]],
  ["zstd", ["-co", "COMPRESS=ZSTD", "-co", "PREDICTOR=3", ...TILED]],
  ["lzma", ["-co", "COMPRESS=LZMA", ...TILED]],
  ["packbits", ["-co", "COMPRESS=PACKBITS", ...STRIPS]],
  ["lerc", ["-co", "COMPRESS=LERC", ...LOSSLESS_LERC, ...TILED]],
  ["lerc_deflate", ["-co", "COMPRESS=LERC_DEFLATE", ...LOSSLESS_LERC, ...TILED]],
  ["lerc_zstd", ["-co", "COMPRESS=LERC_ZSTD", ...LOSSLESS_LERC, ...STRIPS]],
];

// Every codec on float32 with NaN nodata; numeric nodata (1e+20, which only matches
// float32 cells once rounded to float32) on a few.
const NUMERIC_FILL = ["none", "deflate_p3", "lzma", "lerc"];
const CASES: Case[] = [
  ...FLOAT_CODECS.map(([codec, options]) => ({
    name: `sst_nan_${codec}`,
    variable: "sst_nan",
    options,
  })),
  ...FLOAT_CODECS.filter(([codec]) => NUMERIC_FILL.includes(codec)).map(([codec, options]) => ({
    name: `sst_fill_${codec}`,
    variable: "sst_fill",
    options,
  })),
  {
    name: "packed_deflate_p2",
    variable: "sst_packed",
    options: ["-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=2", ...TILED],
  },
  { name: "packed_lzw", variable: "sst_packed", options: ["-co", "COMPRESS=LZW", ...STRIPS] },
  {
    name: "packed_lerc_zstd",
    variable: "sst_packed",
    options: ["-co", "COMPRESS=LERC_ZSTD", ...LOSSLESS_LERC, ...TILED],
  },
  // GDAL unpacks; the copied scale_factor/add_offset text stays and must not apply again.
  {
    name: "packed_unscaled",
    variable: "sst_packed",
    options: ["-unscale", "-ot", "Float32", "-co", "COMPRESS=DEFLATE", ...TILED],
  },
  // blocks that hold only nodata left out of the file (offset and size 0)
  {
    name: "sparse_deflate",
    variable: "half",
    options: [
      "-co",
      "COMPRESS=DEFLATE",
      "-co",
      "SPARSE_OK=TRUE",
      "-co",
      "TILED=YES",
      "-co",
      "BLOCKXSIZE=16",
      "-co",
      "BLOCKYSIZE=16",
    ],
  },
  {
    name: "rgb_webp_lossless",
    variable: "rgb",
    options: ["-co", "COMPRESS=WEBP", "-co", "WEBP_LOSSLESS=YES", ...TILED],
  },
  {
    name: "rgb_webp_lossy",
    variable: "rgb",
    options: ["-co", "COMPRESS=WEBP", "-co", "WEBP_LEVEL=80", ...TILED],
    tolerance: 2,
  },
  {
    name: "rgb_jpeg",
    variable: "rgb",
    options: ["-co", "COMPRESS=JPEG", "-co", "PHOTOMETRIC=RGB", "-co", "JPEG_QUALITY=85", ...TILED],
    tolerance: 2,
  },
  {
    name: "gray_jpeg",
    variable: "rgb",
    options: ["-b", "2", "-co", "COMPRESS=JPEG", "-co", "JPEG_QUALITY=75", "-co", "BLOCKYSIZE=16"],
    tolerance: 2,
  },
  {
    name: "rgb_lerc_pixel",
    variable: "rgb",
    options: ["-co", "COMPRESS=LERC", ...LOSSLESS_LERC, "-co", "INTERLEAVE=PIXEL", ...TILED],
  },
  {
    name: "rgb_deflate_pixel",
    variable: "rgb",
    options: ["-co", "COMPRESS=DEFLATE", "-co", "INTERLEAVE=PIXEL", ...STRIPS],
  },
];

/** What GDAL reads from one file. */
interface GdalView {
  compression: string;
  bands: Array<{
    type: string;
    nodata?: number;
    scale: number;
    offset: number;
    values: Float64Array;
    /** GDAL's validity mask (0 = nodata), for bands with a nodata value. */
    valid?: Uint8Array;
  }>;
}

/**
 * GDAL's view in two runs: `gdalinfo -json` for nodata/scale/offset, and one raw ENVI
 * export (float64, band-sequential) of every band followed by the nodata masks of the
 * bands that have a nodata value (the same values `-of XYZ` prints, without the text).
 */
async function gdalView(file: string): Promise<GdalView> {
  const info = JSON.parse(await tool("gdalinfo", ["-json", file]));
  const meta = info.bands as Array<Record<string, unknown>>;
  const args = ["-q", "-of", "ENVI", "-co", "INTERLEAVE=BSQ", "-ot", "Float64"];
  for (const b of meta) args.push("-b", String(b.band));
  const masked = meta.filter((b) => b.noDataValue !== undefined);
  for (const b of masked) args.push("-b", `mask,${b.band}`);
  const out = `${file}.envi`;
  await tool("gdal_translate", [...args, file, out]);
  const bytes = readFileSync(out);
  const all = new Float64Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  );
  const n = all.length / (meta.length + masked.length);
  const bands = meta.map((b, i) => {
    const nd = b.noDataValue;
    const view: GdalView["bands"][number] = {
      type: String(b.type),
      scale: (b.scale as number | undefined) ?? 1,
      offset: (b.offset as number | undefined) ?? 0,
      values: all.subarray(i * n, (i + 1) * n),
    };
    const m = masked.indexOf(b);
    if (m >= 0) {
      view.nodata = nd === "NaN" ? Number.NaN : Number(nd);
      const at = (meta.length + m) * n;
      view.valid = Uint8Array.from(all.subarray(at, at + n), (v) => (v === 0 ? 0 : 1));
    }
    return view;
  });
  const compression = info.metadata?.IMAGE_STRUCTURE?.COMPRESSION ?? "NONE";
  return { compression, bands };
}

const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

describe.skipIf(!available)("GeoTIFFs GDAL writes from NetCDF read as GDAL reads them", () => {
  const dir = available ? mkdtempSync(join(tmpdir(), "geoml-gdal-")) : "";
  const views = new Map<string, GdalView>();
  const paths = new Map<string, string>();

  beforeAll(async () => {
    const cdl = join(dir, "src.cdl");
    const nc = join(dir, "src.nc");
    writeFileSync(cdl, sourceCdl());
    await tool("ncgen", ["-k", "nc4", "-o", nc, cdl]);
    await limited(
      CASES.map((c) => async () => {
        const out = join(dir, `${c.name}.tif`);
        await tool("gdal_translate", ["-q", ...c.options, `NETCDF:${nc}:${c.variable}`, out]);
        views.set(c.name, await gdalView(out));
        paths.set(c.name, out);
      }),
    );
  }, 120_000);

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const gdal = views.get(c.name)!;
    const path = paths.get(c.name)!;
    const src = await openGeotiff(path);
    expect(src.attrs.compression).toBe(gdal.compression);
    expect(src.bandCount).toBe(gdal.bands.length);
    const n = src.image.width * src.image.height;
    const raw = await readGeotiff(src, { decode: false });
    const decoded = await readGeotiff(src);
    await src.close();
    const rawData = raw.data as ArrayLike<number>;
    const data = decoded.data as ArrayLike<number>;
    let worst = 0;
    gdal.bands.forEach((band, b) => {
      const attrs = src.variables[b].attrs;
      // GDAL's nodata, scale and offset, and nothing else, are what we apply
      if (band.nodata === undefined) expect(attrs._FillValue).toBeUndefined();
      else {
        // gdalinfo prints a float32 nodata at float32 precision (1e+20 for the
        // 1.00000002004087734e+20 in GDAL_NODATA): compare in the band's type
        const round = band.type === "Float32" ? Math.fround : (v: number) => v;
        const ours = attrs._FillValue as number;
        if (!same(round(ours), round(band.nodata)))
          expect.fail(`nodata ${ours}, GDAL ${band.nodata}`);
      }
      expect((attrs.scale_factor as number | undefined) ?? 1).toBeCloseTo(band.scale, 12);
      expect((attrs.add_offset as number | undefined) ?? 0).toBeCloseTo(band.offset, 10);
      expect(band.values.length).toBe(n);
      for (let i = 0; i < n; i++) {
        const ours = rawData[b * n + i];
        const theirs = band.values[i];
        if (c.tolerance === undefined) {
          if (!same(ours, theirs)) {
            expect.fail(`band ${b + 1} cell ${i}: raw ${ours}, GDAL ${theirs}`);
          }
        } else {
          worst = Math.max(worst, Math.abs(ours - theirs));
        }
        // decoded: NaN exactly where GDAL's mask says nodata, else raw * scale + offset
        const invalid = band.valid !== undefined && band.valid[i] === 0;
        const value = data[b * n + i];
        if (invalid || Number.isNaN(theirs)) {
          if (!Number.isNaN(value)) expect.fail(`band ${b + 1} cell ${i}: ${value}, GDAL nodata`);
        } else {
          const want = ours * band.scale + band.offset;
          if (!(Math.abs(value - want) <= 1e-12 * Math.max(1, Math.abs(want)))) {
            expect.fail(`band ${b + 1} cell ${i}: decoded ${value}, GDAL ${want}`);
          }
        }
      }
    });
    if (c.tolerance !== undefined) {
      console.log(`${c.name}: largest difference from GDAL ${worst}`);
      expect(worst).toBeLessThanOrEqual(c.tolerance);
    }
    // every matrix entry that masks anything masks some cells (the island) and not all
    const masked = gdal.bands[0].valid?.filter((v) => v === 0).length ?? 0;
    if (c.variable !== "rgb") expect(masked).toBeGreaterThan(100);
  });

  // The codecs the corpus fuzz test has no files for, damaged the same way.
  it.each(["sst_nan_lerc_deflate", "sst_nan_lzma", "gray_jpeg", "rgb_webp_lossless"])(
    "mutated %s: read or a typed error naming the file",
    async (name) => {
      const file = new Uint8Array(readFileSync(paths.get(name)!));
      await fc.assert(
        fc.asyncProperty(mutation, async (m) => {
          try {
            await readAll(apply(file, m), `${name}-mutant.tif`);
          } catch (error) {
            if (!isGridError(error)) throw error;
            expect(error.file).toBe(`${name}-mutant.tif`);
          }
        }),
        { numRuns: 150, seed: 7 },
      );
    },
    60_000,
  );
});
