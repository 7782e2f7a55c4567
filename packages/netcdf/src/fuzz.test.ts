import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isGridError } from "@geoml/grid";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusPath } from "./corpus.js";
import { openNetcdf } from "./index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "geoml-netcdf-fuzz-"));
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
    // Any failure must be one of ours, with a code — never a RangeError, TypeError or crash.
    if (!isGridError(e)) throw e;
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
        await exercise(path);
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
        await exercise(path);
      }),
      { numRuns: 400, seed: 7 },
    );
  }, 60_000);
});
