// geoml side of the everyday-task benchmark: one task per process, so peak RSS is the
// task's own. Prints one JSON line like peer.py.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  anomaly,
  areaWeights,
  DataArray,
  Dataset,
  groupby,
  interpolateNa,
  quantile,
  readSel,
  rolling,
  sel,
  weighted,
  where,
} from "../src/index.js";

const [task, dir, repsText] = process.argv.slice(2);
const [NT, NY, NX] = [240, 90, 180];
const c = JSON.parse(readFileSync(join(dir, "coords.json"), "utf8")) as {
  time: number[];
  lat: number[];
  lon: number[];
};
const buf = readFileSync(join(dir, "field.f32"));
const field = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
const oceanBytes = readFileSync(join(dir, "ocean.u1"));
const sst = new DataArray({
  name: "sst",
  dims: ["time", "lat", "lon"],
  shape: [NT, NY, NX],
  data: field,
  coords: {
    time: {
      dims: ["time"],
      values: Float64Array.from(c.time),
      attrs: { units: "days since 1990-01-01", calendar: "standard" },
    },
    lat: { dims: ["lat"], values: Float64Array.from(c.lat), attrs: { units: "degrees_north" } },
    lon: { dims: ["lon"], values: Float64Array.from(c.lon), attrs: { units: "degrees_east" } },
  },
  attrs: { units: "degC" },
});
const ocean = new DataArray({
  name: "ocean",
  dims: ["lat", "lon"],
  shape: [NY, NX],
  data: new Uint8Array(oceanBytes),
  coords: { lat: sst.coords.lat, lon: sst.coords.lon },
});

const tasks: Record<string, () => Promise<DataArray> | DataArray> = {
  "open+step": () => readSel(Dataset.fromDataArrays([sst, ocean]), "sst", { time: "2005-07" }),
  region: () => sel(sst, { lat: { from: -30, to: 30 }, lon: { from: 300, to: 20 } }),
  anomaly: () => anomaly(sst),
  "wmean+rolling": () =>
    rolling(
      weighted(sst, areaWeights(sst)).mean(["lat", "lon"]),
      { time: 12 },
      { center: true },
    ).mean(),
  seasons: () => groupby(sst, "time.season").mean(),
  quantile: () => quantile(sst, 0.9, "time"),
  "land-mask": () => where(sst, ocean),
  "gap-fill": () => interpolateNa(sst, "time"),
};

const f = tasks[task];
if (f === undefined) throw new Error(`unknown task ${task}`);
// Warm-up: at least 3 runs and 0.3 s (the JIT needs a few runs; xarray gets the same).
let r = await f();
for (let n = 1, t0 = performance.now(); n < 3 || performance.now() - t0 < 300; n++) r = await f();
// CPU time (user + system) is what the machine's other jobs cannot inflate; wall time too.
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const times: number[] = [];
const walls: number[] = [];
// At least REPS timed runs, and at least 0.3 s of them for short tasks.
for (let i = 0, spent = 0; i < Number(repsText) || spent < 0.3; i++) {
  const c0 = cpu();
  const t0 = performance.now();
  r = await f();
  walls.push((performance.now() - t0) / 1000);
  times.push(cpu() - c0);
  spent += walls[walls.length - 1];
}
times.sort((a, b) => a - b);
walls.sort((a, b) => a - b);
let sum = 0;
const d = r.data as ArrayLike<number>;
for (let i = 0; i < d.length; i++) if (!Number.isNaN(d[i])) sum += Math.abs(d[i]);
console.log(
  JSON.stringify({
    warm: times[Math.floor(times.length / 2)],
    wall: walls[Math.floor(walls.length / 2)],
    rssMB: process.resourceUsage().maxRSS / 1024,
    sum,
  }),
);
