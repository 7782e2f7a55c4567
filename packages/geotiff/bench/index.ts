/**
 * Read a large generated GeoTIFF with @geoml/geotiff and with GDAL (Python bindings) in
 * the same run: full decoded read (nodata → NaN) and a 512×512 window over the Pacific,
 * seconds, MB/s and peak RSS of each reader in its own process (after imports and, for
 * ours, a one-pixel warm-up read that loads the decoder modules).
 *
 *     npx -y pnpm@10.34.9 --filter @geoml/geotiff bench
 *
 * The input files are made by GDAL from the NCL SST climatology, upsampled to 0.04°
 * (9000 × 4500 float32, 162 MB) into a temporary folder, removed when the benchmark ends.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os, { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const OUT = mkdtempSync(join(os.tmpdir(), "geoml-geotiff-bench-"));
// Removed when the benchmark ends, also after an error.
process.on("exit", () => rmSync(OUT, { recursive: true, force: true }));
const PY = "/usr/bin/python3";
const WIDTH = 9000;
const HEIGHT = 4500;
const FILES = {
  "deflate+pred3, tiled 256": `${OUT}/bench_sst_deflate.tif`,
  "LZW, tiled 256": `${OUT}/bench_sst_lzw.tif`,
} as const;

const MAKE = `
import os, sys
from osgeo import gdal
gdal.UseExceptions()
gdal.SetConfigOption("GDAL_PAM_ENABLED", "NO")
src = os.path.join(sys.argv[1], "datasets/geotiff/sst_f32_lzw_striped.tif")
big = "/vsimem/big.tif"
gdal.Warp(big, src, options="-ts ${WIDTH} ${HEIGHT} -r bilinear -srcnodata -999 -dstnodata -999")
gdal.Translate(sys.argv[2], big, options="-co COMPRESS=DEFLATE -co PREDICTOR=3 -co TILED=YES -co BLOCKXSIZE=256 -co BLOCKYSIZE=256")
gdal.Translate(sys.argv[3], big, options="-co COMPRESS=LZW -co TILED=YES -co BLOCKXSIZE=256 -co BLOCKYSIZE=256")
os._exit(0)
`;

// One read in a fresh process, so peak RSS belongs to that read alone.
const GDAL_READ = `
import sys, time, resource, os
import numpy as np
from osgeo import gdal
gdal.UseExceptions()
path, mode = sys.argv[1], sys.argv[2]
t = time.perf_counter()
ds = gdal.Open(path)
b = ds.GetRasterBand(1)
a = b.ReadAsArray() if mode == "full" else b.ReadAsArray(3500, 2000, 512, 512)
nodata = b.GetNoDataValue()
a = np.where(a == np.float32(nodata), np.float32(np.nan), a)
n = int(np.count_nonzero(~np.isnan(a)))
dt = time.perf_counter() - t
print(dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, n)
os._exit(0)
`;

interface Run {
  seconds: number;
  rss: number;
  valid: number;
}

function parse(out: string): Run {
  const [s, r, n] = out.trim().split(/\s+/).map(Number);
  return { seconds: s, rss: r, valid: n };
}

function gdal(path: string, mode: string): Run {
  return parse(execFileSync(PY, ["-c", GDAL_READ, path, mode], { encoding: "utf8" }));
}

function ours(path: string, mode: string): Run {
  const script = fileURLToPath(new URL("./read-ours.ts", import.meta.url));
  const r = spawnSync(process.execPath, ["--import", "tsx", script, path, mode], {
    encoding: "utf8",
    cwd: ROOT,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return parse(r.stdout);
}

function best(f: () => Run, repeats: number): Run {
  const runs = Array.from({ length: repeats }, f);
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

console.error("generating benchmark GeoTIFFs …");
execFileSync(PY, ["-c", MAKE, ROOT, ...Object.values(FILES)], { stdio: "inherit" });

const MB = (WIDTH * HEIGHT * 4) / 1e6;
const rows: string[][] = [];
for (const [label, path] of Object.entries(FILES)) {
  for (const mode of ["full", "window"]) {
    const g = best(() => gdal(path, mode), 3);
    const o = best(() => ours(path, mode), 3);
    if (g.valid !== o.valid)
      throw new Error(`${label} ${mode}: valid count ${o.valid} vs GDAL ${g.valid}`);
    const mb = mode === "full" ? MB : (512 * 512 * 4) / 1e6;
    rows.push([
      `${label}, ${mode === "full" ? `full ${WIDTH}×${HEIGHT}` : "window 512×512"}`,
      o.seconds.toFixed(3),
      (mb / o.seconds).toFixed(0),
      (o.rss / 2 ** 20).toFixed(0),
      g.seconds.toFixed(3),
      (mb / g.seconds).toFixed(0),
      (g.rss / 2 ** 20).toFixed(0),
      (o.seconds / g.seconds).toFixed(2),
    ]);
  }
}
const head = ["read", "geoml s", "MB/s", "peak MiB", "GDAL s", "MB/s", "peak MiB", "time ratio"];
// as docs/benchmarks.md shows it (`pnpm bench` puts it there)
console.log("<!-- bench:geotiff -->");
console.log(`| ${head.join(" | ")} |`);
console.log(`|${head.map(() => "---").join("|")}|`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log(
  `\nbest of 3 fresh processes each; node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} at the end`,
);
console.log("<!-- /bench:geotiff -->");
