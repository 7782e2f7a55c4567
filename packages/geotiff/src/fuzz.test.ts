import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { isGridError } from "@geoml/grid";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apply, mutation, readAll } from "./testing/mutate.js";
import { corpusPath } from "./testing/samples.js";

// Real files with different layouts; each mutant must read or fail with a typed error.
const FILES = [
  "sst_f32_lzw_striped.tif",
  "sst_f32_deflate_pred3_tiled.tif",
  "sst_f32_zstd.tif",
  "landsea_u8_packbits.tif",
  "landsea_cog.tif",
  "sst_f32_mercator.tif",
  "fice_f64_nan.tif",
  "sst_f32_bigtiff.tif",
  "sst_f32_bigendian.tif",
].map((f) => new Uint8Array(readFileSync(corpusPath(f))));

// Full garbage collections now and then keep earlier mutants' garbage out of the numbers.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const MB = 2 ** 20;
const peakRss = () => process.resourceUsage().maxRSS * 1024;

describe("mutated real files", () => {
  it("read correctly or fail with a typed error naming the file — never crash, hang or over-allocate", async () => {
    // Baselines after every file was read once (decoders loaded, wasm heaps grown).
    for (const [i, f] of FILES.entries()) await readAll(f, `warm-${i}.tif`);
    gc();
    const rss0 = peakRss();
    let worstRss = 0;
    let worstBuffers = 0;
    let failures = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(FILES.length - 1), mutation, async (which, m) => {
        const bytes = apply(FILES[which], m);
        const name = `mutant-${which}.tif`;
        // Growth allowed over the baseline: 64 MB plus 4× the file.
        const limit = 64 * MB + 4 * bytes.length;
        if (++runs % 25 === 0) gc();
        const buffers0 = process.memoryUsage().arrayBuffers;
        try {
          await readAll(bytes, name);
        } catch (error) {
          if (!isGridError(error)) throw error;
          expect(error.file).toBe(name);
          expect(error.message).toContain(name);
          failures++;
        }
        // Buffers are freed only by a collection, so this is what the read allocated
        // (less anything a collection during the read already freed).
        const buffers = process.memoryUsage().arrayBuffers - buffers0;
        const rss = peakRss() - rss0;
        worstBuffers = Math.max(worstBuffers, buffers);
        worstRss = Math.max(worstRss, rss);
        expect(buffers).toBeLessThan(limit);
        expect(rss).toBeLessThan(limit);
      }),
      { numRuns: 2000, seed: 20240601 },
    );
    console.log(
      `fuzz: ${failures} of 2000 mutants failed with typed errors; largest buffer growth ${(worstBuffers / MB).toFixed(1)} MB, peak RSS growth ${(worstRss / MB).toFixed(1)} MB`,
    );
  }, 120_000);
});
