import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isGridError } from "@geoml/grid";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusPath } from "./corpus.js";
import { openNetcdf, preloadNetcdf4 } from "./index.js";
import { writeHdf5V0 } from "./testing/hdf5-v0.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "geoml-netcdf-fuzz-"));
  // Warm up before any baseline: the HDF5 worker and its wasm heap, and one read of each kind.
  await preloadNetcdf4();
  for (const name of ["sst_nc4_deflate.nc", "calendars.nc"]) {
    const ds = await openNetcdf(corpusPath(name));
    for (const v of ds.variableNames) await ds.read(v);
    await ds.close();
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Byte flips (biased to the header, where the structure is), overwrites and truncation. */
const mutation = (size: number, headerSize: number) =>
  fc.record({
    flips: fc.array(
      fc.record({
        at: fc.oneof(
          fc.integer({ min: 0, max: headerSize - 1 }),
          fc.integer({ min: 0, max: size - 1 }),
        ),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    truncate: fc.option(fc.integer({ min: 0, max: size }), { freq: 4 }),
  });

/** Peak resident memory above the level just before `fn`, sampled and from the OS high-water mark. */
async function peakGrowth(fn: () => Promise<void>): Promise<number> {
  const before = process.memoryUsage().rss;
  const highBefore = process.resourceUsage().maxRSS * 1024;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 1);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  // The OS's high-water mark catches peaks between samples, whenever it rose during `fn`.
  const highAfter = process.resourceUsage().maxRSS * 1024;
  if (highAfter > highBefore) peak = Math.max(peak, highAfter);
  return peak - before;
}

/** Worst growth seen per fuzzed file, reported with the limits in the test names. */
const worst = new Map<string, number>();

/** Read a mutated file; bad input must fail cleanly, naming the file, within bounded memory. */
async function exerciseBounded(path: string, label: string, size: number): Promise<void> {
  const growth = await peakGrowth(() => exercise(path));
  worst.set(label, Math.max(worst.get(label) ?? 0, growth));
  // The bound of the fuzzing contract: 64 MB plus 4× the file's size over the baseline.
  expect(growth, `${label}: peak memory growth`).toBeLessThan(64e6 + 4 * size);
}

async function exercise(path: string): Promise<void> {
  try {
    // A short HDF5 deadline: some mutations send the HDF5 library into an endless loop.
    const ds = await openNetcdf(path, { timeoutMs: 2000 });
    try {
      // Decoded reads go through the raw read, the decoder and the coordinate attachment.
      for (const name of ds.variableNames) await ds.read(name);
    } finally {
      await ds.close();
    }
  } catch (e) {
    // Any failure must be one of ours, with a code and the file — never a RangeError,
    // TypeError or crash.
    if (!isGridError(e)) throw e;
    expect((e as Error).message).toContain(path);
  }
}

describe.each([
  ["calendars.nc", 1200, 1000],
  ["landsea_unsigned.nc", 700, 250],
  ["uv300_64bit.nc", 1500, 250],
  ["landsea_cdf5.nc", 600, 250],
])("fuzzing %s", (name, headerSize, runs) => {
  it(`${runs} mutated files fail cleanly or read`, async () => {
    const original = await readFile(corpusPath(name));
    const path = join(dir, name);
    await fc.assert(
      fc.asyncProperty(mutation(original.length, headerSize), async ({ flips, truncate }) => {
        const b = Buffer.from(original);
        for (const f of flips) b[f.at] = f.value;
        await writeFile(path, truncate === null ? b : b.subarray(0, truncate));
        await exerciseBounded(path, name, original.length);
      }),
      { numRuns: runs, seed: 20261124 },
    );
    expect(true).toBe(true);
  }, 60_000);
});

describe("fuzzing NetCDF-4", () => {
  it("400 mutated HDF5 files fail cleanly or read", async () => {
    const original = await readFile(corpusPath("sst_nc4_deflate.nc"));
    const path = join(dir, "nc4.nc");
    await fc.assert(
      fc.asyncProperty(mutation(original.length, 4096), async ({ flips, truncate }) => {
        const b = Buffer.from(original);
        for (const f of flips) b[f.at] = f.value;
        await writeFile(path, truncate === null ? b : b.subarray(0, truncate));
        await exerciseBounded(path, "sst_nc4_deflate.nc", original.length);
      }),
      { numRuns: 400, seed: 7 },
    );
  }, 60_000);
});

describe("fuzzing a netCDF-C file with groups, shuffle, Fletcher-32 and big-endian data", () => {
  it("200 mutated files fail cleanly or read, within the memory bound", async () => {
    const original = await readFile(new URL("./nc4/warmup.nc", import.meta.url));
    const path = join(dir, "netcdfc.nc");
    await fc.assert(
      fc.asyncProperty(mutation(original.length, 8192), async ({ flips, truncate }) => {
        const b = Buffer.from(original);
        for (const f of flips) b[f.at] = f.value;
        await writeFile(path, truncate === null ? b : b.subarray(0, truncate));
        await exerciseBounded(path, "warmup.nc", original.length);
      }),
      { numRuns: 200, seed: 5 },
    );
  }, 60_000);
});

describe("fuzzing NetCDF-4 without metadata checksums", () => {
  // The oldest HDF5 layout has no checksums, so a flipped shape reaches the reader: reads sized
  // from it must be refused before allocating, not answered with gigabytes of fill values.
  it("300 mutated files fail cleanly or read, within the memory bound", async () => {
    const source = join(dir, "v0-source.nc");
    await writeHdf5V0(source);
    const original = await readFile(source);
    const path = join(dir, "v0.nc");
    await fc.assert(
      fc.asyncProperty(mutation(original.length, 8192), async ({ flips, truncate }) => {
        const b = Buffer.from(original);
        for (const f of flips) b[f.at] = f.value;
        await writeFile(path, truncate === null ? b : b.subarray(0, truncate));
        await exerciseBounded(path, "hdf5-v0", original.length);
      }),
      { numRuns: 300, seed: 99 },
    );
  }, 60_000);
});

afterAll(() => {
  // Measured worst cases, for the record (the bound is asserted on every run).
  console.log(
    `peak memory growth (MB): ${[...worst].map(([k, v]) => `${k} ${(v / 1e6).toFixed(1)}`).join(", ")}`,
  );
});
