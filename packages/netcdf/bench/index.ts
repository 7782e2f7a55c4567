// NetCDF read benchmark: @geoml/netcdf vs xarray (decoded) and netCDF4-python (raw) on the
// same generated files, each measurement in its own process (time of open + read, peak RSS).
// Inputs come from /usr/bin/python3 tools/gen_big_netcdf.py, run here into a temporary
// folder that is removed when the benchmark ends (also after an error).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "geoml-netcdf-bench-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const files = {
  "NetCDF-3": join(scratch, "big_nc3.nc"),
  "NetCDF-4 deflate": join(scratch, "big_nc4_deflate.nc"),
};
const reps = Number(process.env.BENCH_REPS ?? 5);
// BENCH_ONLY="NetCDF-4 deflate" limits the run to one file, BENCH_MODES=step to one kind of read.
const only = process.env.BENCH_ONLY;
const modes = (process.env.BENCH_MODES ?? "full,step").split(",") as Array<"full" | "step">;

// Measure the library as users run it (plain Node on JavaScript), not through the tsx
// loader, which re-transforms h5wasm's 4 MB module on every start. esbuild is tsx's own
// dependency; h5wasm stays external and resolves from this package's node_modules.
const caseBundle = fileURLToPath(
  new URL("../node_modules/.cache/geoml-bench/case.mjs", import.meta.url),
);
const esbuild = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"))(
  "esbuild",
);
await esbuild.build({
  entryPoints: [`${here}case.ts`],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: caseBundle,
  external: ["h5wasm", "h5wasm/*"],
  logLevel: "error",
});
// The HDF5 worker is loaded by URL next to the reader: put it next to the bundle.
for (const f of ["hdf5-worker.mjs", "warmup.nc"]) {
  copyFileSync(
    fileURLToPath(new URL(`../src/nc4/${f}`, import.meta.url)),
    join(dirname(caseBundle), f),
  );
}

interface Run {
  seconds: number;
  warmSeconds?: number;
  rssMB: number;
  bytes: number;
  sum: number;
}

function run(cmd: string, args: string[]): Run {
  const out = execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Run;
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** Median time (and warm time), largest peak RSS, of runs made interleaved with the peers'. */
function summary(runs: Run[]): Run {
  return {
    ...runs[0],
    seconds: median(runs.map((r) => r.seconds)),
    warmSeconds: median(runs.map((r) => r.warmSeconds ?? Number.POSITIVE_INFINITY)),
    rssMB: Math.max(...runs.map((r) => r.rssMB)),
  };
}

const rows: string[] = [];
for (const [kind, path] of Object.entries(files)) {
  if (only !== undefined && kind !== only) continue;
  if (!existsSync(path)) {
    console.error(`generating ${path} with tools/gen_big_netcdf.py (about 1 GB)`);
    execFileSync("/usr/bin/python3", [`${root}tools/gen_big_netcdf.py`, "--out", scratch], {
      stdio: "inherit",
    });
  }
  execFileSync("cat", [path], { stdio: ["ignore", "ignore", "inherit"], maxBuffer: 1 << 30 }); // warm the page cache
  for (const mode of modes) {
    // Interleaved, so load on the machine hits every library alike.
    const runs: Record<"ours" | "xa" | "nc", Run[]> = { ours: [], xa: [], nc: [] };
    for (let r = 0; r < reps; r++) {
      runs.ours.push(run(process.execPath, [caseBundle, path, mode]));
      runs.xa.push(run("/usr/bin/python3", [`${here}peers.py`, "xarray", path, mode]));
      runs.nc.push(run("/usr/bin/python3", [`${here}peers.py`, "netcdf4", path, mode]));
    }
    const ours = summary(runs.ours);
    const xa = summary(runs.xa);
    const nc = summary(runs.nc);
    if (Math.abs(ours.sum - xa.sum) > 1e-6 * Math.abs(xa.sum)) {
      throw new Error(`${kind} ${mode}: checksum ${ours.sum} differs from xarray's ${xa.sum}`);
    }
    const mb = ours.bytes / 1e6;
    const what = mode === "full" ? "full variable" : "cold: open + one time step (fresh process)";
    rows.push(
      `| ${kind} | ${what} | ${ours.seconds.toFixed(3)} s (${(mb / ours.seconds).toFixed(0)} MB/s), ${ours.rssMB.toFixed(0)} MB | ` +
        `${xa.seconds.toFixed(3)} s, ${xa.rssMB.toFixed(0)} MB | ${nc.seconds.toFixed(3)} s, ${nc.rssMB.toFixed(0)} MB | ` +
        `${(xa.seconds / ours.seconds).toFixed(2)}× | ${(ours.rssMB / xa.rssMB).toFixed(2)} |`,
    );
    if (mode === "step") {
      const o = ours.warmSeconds!;
      const x = xa.warmSeconds!;
      const n = nc.warmSeconds!;
      rows.push(
        `| ${kind} | warm: next time step, same process | ${o.toFixed(3)} s (${(mb / o).toFixed(0)} MB/s) | ${x.toFixed(3)} s | ${n.toFixed(3)} s | ${(x / o).toFixed(2)}× | |`,
      );
    }
  }
}
const size = (p: string) => `${(statSync(p).size / 1e6).toFixed(0)} MB`;
console.log(
  `files: ${Object.values(files).map(size).join(", ")}; median of ${reps} runs interleaved with the peers', fresh process each; ${cpus().length} CPUs, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}, Node ${process.version}`,
);
console.log(
  "| file | read | @geoml/netcdf decoded (time, throughput, peak RSS) | xarray decoded | netCDF4-python raw | speed vs xarray | RSS / xarray RSS |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);
