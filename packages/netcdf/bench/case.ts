// One benchmark measurement in a fresh process, so peak RSS belongs to this read alone.
// Usage: tsx bench/case.ts FILE full|step
import { openNetcdf, preloadNetcdf4 } from "../src/index.js";

const [path, mode] = process.argv.slice(2);
// Load the HDF5 library before timing, as the peers' libraries are imported before theirs.
await preloadNetcdf4();
const t0 = performance.now();
const ds = await openNetcdf(path);
const a = await ds.read("sst", mode === "step" ? { isel: { time: 120 } } : {});
const seconds = (performance.now() - t0) / 1000;
// A second, different step in the same process: the cost once code and caches are warm.
let warmSeconds: number | undefined;
if (mode === "step") {
  const t1 = performance.now();
  await ds.read("sst", { isel: { time: 121 } });
  warmSeconds = (performance.now() - t1) / 1000;
}
// Touch the result so nothing is optimised away, and report a checksum for comparison.
let sum = 0;
const d = a.data as Float32Array;
for (let i = 0; i < d.length; i += 997) if (!Number.isNaN(d[i])) sum += d[i];
await ds.close();
console.log(
  JSON.stringify({
    seconds,
    warmSeconds,
    rssMB: process.resourceUsage().maxRSS / 1024,
    bytes: d.byteLength,
    sum,
  }),
);
