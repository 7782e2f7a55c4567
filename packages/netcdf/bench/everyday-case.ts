// geoml side of the file-based everyday tasks (the rest are in packages/grid/bench/case.ts):
// one task per process, so peak RSS is the task's own. Prints one JSON line like
// everyday_peer.py. Usage: tsx bench/everyday-case.ts TASK DATA_DIR REPS SCRATCH_DIR
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { anomaly, DataArray, readSel } from "@geoml/grid";
import { openNetcdf, writeNetcdf } from "../src/index.js";

const [task, dir, repsText, scratch] = process.argv.slice(2);
const [NT, NY, NX] = [240, 90, 180];
const ncPath = join(scratch, "field.nc");

// "open-file": open the NetCDF file and read one month by label; the file is opened afresh
// in every run, as a script would.
async function openStep(): Promise<DataArray> {
  const ds = await openNetcdf(ncPath);
  try {
    return await readSel(ds, "sst", { time: "2005-07" });
  } finally {
    await ds.close();
  }
}

// "write-back": the anomaly field (computed outside the clock) written as CF NetCDF-3
// 64-bit offset; the same field xarray writes with to_netcdf(format="NETCDF3_64BIT").
let anom: DataArray | undefined;
const outPath = join(scratch, "anomaly-geoml.nc");
async function writeBack(): Promise<DataArray> {
  await writeNetcdf(outPath, [anom!], { format: "64bit-offset" });
  return anom!;
}

if (task === "write-back") {
  const c = JSON.parse(readFileSync(join(dir, "coords.json"), "utf8")) as {
    time: number[];
    lat: number[];
    lon: number[];
  };
  const buf = readFileSync(join(dir, "field.f32"));
  const sst = new DataArray({
    name: "sst",
    dims: ["time", "lat", "lon"],
    shape: [NT, NY, NX],
    data: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)),
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
  anom = anomaly(sst);
}
const tasks: Record<string, () => Promise<DataArray>> = {
  "open-file": openStep,
  "write-back": writeBack,
};
const f = tasks[task];
if (f === undefined) throw new Error(`unknown task ${task}`);
// Warm-up: at least 3 runs and 0.3 s, as in the grid benchmark and on the xarray side.
let r = await f();
for (let n = 1, t0 = performance.now(); n < 3 || performance.now() - t0 < 300; n++) r = await f();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const times: number[] = [];
const walls: number[] = [];
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
const rssMB = process.resourceUsage().maxRSS / 1024;
// The written file stays in the runner's scratch folder: it reads it back with xarray, then
// removes the folder.
console.log(
  JSON.stringify({
    warm: times[Math.floor(times.length / 2)],
    wall: walls[Math.floor(walls.length / 2)],
    rssMB,
    sum,
    file: task === "write-back" ? outPath : undefined,
  }),
);
