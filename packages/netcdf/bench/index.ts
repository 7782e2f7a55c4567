// NetCDF read benchmark: @geoml/netcdf vs xarray (decoded) and netCDF4-python (raw) on the
// same generated files, each measurement in its own process (time of open + read, peak RSS).
// Inputs come from /usr/bin/python3 tools/gen_big_netcdf.py, run here into a temporary
// folder that is removed when the benchmark ends (also after an error). Runs are
// interleaved (the order of the three libraries rotating between rounds); the table gives
// medians with the range of times, and is printed between `<!-- bench:netcdf/read -->`
// lines for docs/benchmarks.md when the run covered every file and read (a run narrowed
// by BENCH_ONLY / BENCH_MODES prints it bare).
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

/** "median s (lowest–highest)" of one field of the runs. */
function time(runs: Run[], field: "seconds" | "warmSeconds"): string {
  const v = runs.map((r) => r[field] ?? Number.NaN);
  const f = (x: number) => x.toFixed(3);
  return `${f(median(v))} s (${f(Math.min(...v))}–${f(Math.max(...v))})`;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
const loadBefore = load();
const py = "/usr/bin/python3";
const versions = execFileSync(py, [`${here}versions.py`], { encoding: "utf8" }).trim();

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
    const turns: [keyof typeof runs, () => Run][] = [
      ["ours", () => run(process.execPath, [caseBundle, path, mode])],
      ["xa", () => run(py, [`${here}peers.py`, "xarray", path, mode])],
      ["nc", () => run(py, [`${here}peers.py`, "netcdf4", path, mode])],
    ];
    for (let r = 0; r < reps; r++)
      for (let k = 0; k < turns.length; k++) {
        const [who, once] = turns[(k + r) % turns.length];
        runs[who].push(once());
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
      `| ${kind} | ${what} | ${time(runs.ours, "seconds")}, ${(mb / ours.seconds).toFixed(0)} MB/s, ${ours.rssMB.toFixed(0)} MB | ` +
        `${time(runs.xa, "seconds")}, ${xa.rssMB.toFixed(0)} MB | ${time(runs.nc, "seconds")}, ${nc.rssMB.toFixed(0)} MB | ` +
        `${(xa.seconds / ours.seconds).toFixed(2)}× | ${(ours.rssMB / xa.rssMB).toFixed(2)} |`,
    );
    if (mode === "step") {
      const o = ours.warmSeconds!;
      const x = xa.warmSeconds!;
      rows.push(
        `| ${kind} | warm: next time step, same process | ${time(runs.ours, "warmSeconds")}, ${(mb / o).toFixed(0)} MB/s | ${time(runs.xa, "warmSeconds")} | ${time(runs.nc, "warmSeconds")} | ${(x / o).toFixed(2)}× | |`,
      );
    }
  }
}
const complete = only === undefined && modes.includes("full") && modes.includes("step");
const size = (p: string) => `${(statSync(p).size / 1e6).toFixed(0)} MB`;
// the table as docs/benchmarks.md shows it (`pnpm bench` puts it there, from a complete run)
if (complete) console.log("<!-- bench:netcdf/read -->");
else console.log("(a narrowed run: the table is not marked for docs/benchmarks.md)");
console.log(
  `\`npx -y pnpm@10.34.9 --filter @geoml/netcdf bench\`: files ${Object.values(files).map(size).join(", ")}; ` +
    `node ${process.version}, ${versions}, ${cpus().length} × ${cpus()[0]?.model}; load average ${loadBefore} before, ${load()} after; ` +
    `${reps} runs of each library interleaved, fresh process each, median time (lowest–highest), largest peak RSS; page cache warm.\n`,
);
console.log(
  "| file | read | @geoml/netcdf decoded (time, throughput, peak RSS) | xarray decoded | netCDF4-python raw | speed vs xarray | RSS / xarray RSS |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);
if (complete) console.log("<!-- /bench:netcdf/read -->");
