import { readFile, writeFile } from "node:fs/promises";
import fc from "fast-check";
import { openNetcdf } from "../src/index.js";

const original = await readFile("/work/main/datasets/netcdf/sst_nc4_deflate.nc");
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
await fc.assert(
  fc.asyncProperty(arb, async ({ flips, truncate }) => {
    const k = i++;
    const b = Buffer.from(original);
    for (const f of flips) b[f.at] = f.value;
    const path = `/tmp/fuzzhunt-${k}.nc`;
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
