import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { openNetcdf } from "../src/index.js";

const original = await readFile(
  new URL("../../../datasets/netcdf/sst_nc4_deflate.nc", import.meta.url),
);
// The corrupted copies go to a temporary folder, removed at the end (also after an error).
const dir = await mkdtemp(join(tmpdir(), "geoml-fuzzhunt-"));
const size = original.length;
const headerSize = 4096;
const arb = fc.record({
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
const target = Number(process.argv[2] ?? -1);
let i = 0;
try {
  await fc.assert(
    fc.asyncProperty(arb, async ({ flips, truncate }) => {
      const k = i++;
      const b = Buffer.from(original);
      for (const f of flips) b[f.at] = f.value;
      const path = join(dir, `${k}.nc`);
      await writeFile(path, truncate === null ? b : b.subarray(0, truncate));
      if (target >= 0 && k !== target) return;
      console.log("case", k, JSON.stringify({ flips, truncate }));
      try {
        const ds = await openNetcdf(path);
        console.log(" opened");
        for (const name of ds.variableNames) {
          console.log(" read", name);
          await ds.read(name);
        }
        await ds.close();
      } catch (e) {
        console.log(" err", (e as Error).message.slice(0, 100));
      }
    }),
    { numRuns: 400, seed: 7 },
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
