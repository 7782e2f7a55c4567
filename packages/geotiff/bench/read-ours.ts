/**
 * One timed read with @geoml/geotiff, run in its own process by `index.ts` so peak RSS
 * belongs to this read alone: `read-ours.ts PATH full|window` prints seconds, peak RSS
 * in bytes and the valid count.
 */
import { readGeotiff } from "../src/index.js";

const [path, mode] = process.argv.slice(-2);
// Warm up on one pixel: loads the decoder modules, as GDAL's are loaded at import.
await readGeotiff(path, { band: 1, window: { x: 0, y: 0, width: 1, height: 1 } });
const t = performance.now();
const a = await readGeotiff(path, {
  band: 1,
  ...(mode === "full" ? {} : { window: { x: 3500, y: 2000, width: 512, height: 512 } }),
});
let n = 0;
const d = a.data as Float32Array;
for (let i = 0; i < d.length; i++) if (!Number.isNaN(d[i])) n++;
const seconds = (performance.now() - t) / 1000;
console.log(seconds, process.resourceUsage().maxRSS * 1024, n);
