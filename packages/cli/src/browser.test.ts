import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openGeotiff } from "@geoml/geotiff";
import { Dataset, type IndexRange } from "@geoml/grid";
import { openNetcdf } from "@geoml/netcdf";
import { MemoryStore, openZarr } from "@geoml/zarr";
import { build } from "esbuild";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RangeServer, serveDirectory } from "./testing/http-server.js";

// The packages bundled for the browser (their `browser` export conditions, no Node
// built-ins) and run in headless Debian Chromium against a local HTTP server.
const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI !== "true") {
  console.log(`browser test skipped: ${CHROMIUM} not found (install Debian's chromium)`);
}
const repo = fileURLToPath(new URL("../../../", import.meta.url));

let dir: string;
let server: RangeServer;
let browser: Browser | undefined;
let staticImports: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "geoml-browser-"));
  await cp(join(repo, "datasets"), join(dir, "datasets"), { recursive: true });
  await cp(join(repo, "packages/zarr/src/__fixtures__"), join(dir, "zarr"), { recursive: true });
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./testing/browser-entry.ts", import.meta.url))],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outdir: join(dir, "bundle"),
    // Node-only code paths are reached by dynamic import only; keep those imports as they are
    // (unzipit, which reads zipped Zarr stores, loads `worker_threads` that way in Node).
    external: ["node:*", "worker_threads"],
    metafile: true,
    logLevel: "error",
  });
  // Every Node built-in the entry chunk loads up front (must be none).
  const entry = Object.entries(result.metafile.outputs).find(
    ([, o]) => o.entryPoint !== undefined,
  )!;
  staticImports = entry[1].imports
    .filter(
      (i) =>
        (i.path.startsWith("node:") || i.path === "worker_threads") &&
        i.kind === "import-statement",
    )
    .map((i) => i.path);
  await writeFile(
    join(dir, "index.html"),
    '<!doctype html><script type="module" src="/bundle/browser-entry.js"></script>',
  );
  server = await serveDirectory(dir);
}, 60_000);

afterAll(async () => {
  // Chromium first (closing it also removes the profile Playwright made for it), then the
  // server, then the files they used.
  await browser?.close();
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function expected(ds: Dataset, name: string, isel: Record<string, number | IndexRange>) {
  const a = await ds.read(name, { isel });
  const vals = Array.from(a.data as ArrayLike<number>).filter((v) => !Number.isNaN(v));
  return { count: vals.length, sum: vals.reduce((s, v) => s + v, 0), shape: [...a.shape] };
}

describe("in a browser", () => {
  it("the bundle loads no Node built-in up front", () => {
    expect(staticImports).toEqual([]);
  });

  it.runIf(haveChromium || process.env.CI === "true")(
    "headless Chromium opens NetCDF-3, GeoTIFF and Zarr from a URL, bytes and a Blob (a zipped Zarr store), with Node's values",
    async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is required under CI`).toBe(true);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: FLAGS,
        headless: true,
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(`${server.url}/index.html`);
        await page.waitForFunction(() => "geomlRun" in globalThis, undefined, { timeout: 20_000 });
        const got = (await page.evaluate(
          (base) =>
            (globalThis as unknown as { geomlRun(b: string): Promise<unknown> }).geomlRun(base),
          server.url,
        )) as Record<string, { count: number; sum: number; shape: number[] } | string>;
        expect(errors).toEqual([]);
        expect(String(got.userAgent)).toContain("Chrome");

        const nc = await openNetcdf(join(dir, "datasets/netcdf/hgt.nc"));
        const ncWant = await expected(nc, "HGT", { time: 5 });
        const tifSel = { y: { start: 10, stop: 60 }, x: { start: 20, stop: 150 } };
        const tifWant = await expected(
          new Dataset(
            await openGeotiff(join(dir, "datasets/geotiff/sst_f32_deflate_pred3_tiled.tif")),
          ),
          "band1",
          tifSel,
        );
        const zstdWant = await expected(
          new Dataset(await openGeotiff(join(dir, "datasets/geotiff/sst_f32_zstd.tif"))),
          "band1",
          {},
        );
        const want: Record<string, { count: number; sum: number; shape: number[] }> = {
          netcdfUrl: ncWant,
          netcdfBytes: ncWant,
          netcdfBlob: ncWant,
          geotiffUrl: tifWant,
          geotiffBytes: tifWant,
          geotiffBlob: tifWant,
          geotiffZstd: zstdWant,
        };
        for (const store of ["xr_packed_blosc.zarr", "xr_packed_zlib.zarr"]) {
          want[`zarrUrl:${store}`] = await expected(
            await openZarr(join(dir, "zarr", store)),
            "sst",
            { time: 2 },
          );
        }
        want.zarrZipBlob = await expected(
          await openZarr(join(dir, "zarr", "xr_packed_blosc.zarr")),
          "sst",
          { time: 2 },
        );
        const mem = new MemoryStore();
        for (const k of [
          "zarr.json",
          "sharded/zarr.json",
          "sharded/c/0/0",
          "temp/zarr.json",
          "counts/zarr.json",
        ]) {
          mem.map.set(`/${k}`, new Uint8Array(await readFile(join(dir, "zarr/v3_hand.zarr", k))));
        }
        want.zarrMemory = await expected(await openZarr(mem), "sharded", {});
        for (const [k, w] of Object.entries(want)) {
          const g = got[k] as { count: number; sum: number; shape: number[] };
          expect(g, k).toBeDefined();
          expect(g.shape, k).toEqual(w.shape);
          expect(g.count, k).toBe(w.count);
          // Same code and same decoding in both engines: the sums agree exactly.
          expect(g.sum, k).toBe(w.sum);
        }
      } finally {
        await browser.close();
        browser = undefined;
      }
    },
    60_000,
  );
});
