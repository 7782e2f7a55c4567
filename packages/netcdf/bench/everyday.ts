// Everyday analysis tasks, @geoml/grid + @geoml/netcdf vs xarray, in one run: the eight
// in-memory tasks of packages/grid/bench (its case.ts and peer.py, run as they are) and two
// that need files, which live here because @geoml/grid imports no loader: a NetCDF file on
// disk opened lazily and one month read by label, and an anomaly field written back as CF
// NetCDF-3 64-bit offset. Each task runs in its own process per library (so peak RSS is the
// task's), alternating geoml / xarray, ROUNDS times; each process warms up (≥ 3 runs,
// ≥ 0.3 s), then times ≥ REPS runs (≥ 0.3 s) and reports the median CPU time and wall time.
// Results are checked against each other before timings are printed. Scratch files go to
// the OS temporary folder and are removed. The order of the two sides alternates between
// rounds; the table gives the median over rounds with their range, and is printed between
// `<!-- bench:grid/everyday -->` lines for docs/benchmarks.md (the @geoml/grid section)
// unless TASKS=open-file,write-back limits the run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
const gridBench = `${root}packages/grid/bench/`;
// The generated data (the grid benchmark's) and the files written, in a temporary folder
// removed when the benchmark ends (also after an error).
const scratch = mkdtempSync(join(os.tmpdir(), "geoml-everyday-"));
const dir = join(scratch, "grid");
const reps = Number(process.env.REPS ?? 5);
const rounds = Number(process.env.ROUNDS ?? 3);
const only = process.env.TASKS?.split(",");

interface Run {
  warm: number;
  wall: number;
  rssMB: number;
  sum: number;
  file?: string;
}
interface Task {
  name: string;
  label: string;
  ours: string;
  peer: string;
}
const grid = (name: string, label: string): Task => ({
  name,
  label,
  ours: `${gridBench}case.ts`,
  peer: `${gridBench}peer.py`,
});
const file = (name: string, label: string): Task => ({
  name,
  label,
  ours: `${here}everyday-case.ts`,
  peer: `${here}everyday_peer.py`,
});
const tasks = [
  file(
    "open-file",
    'lazy open of a NetCDF file + one step (`openNetcdf` + `readSel(ds, "sst", { time: "2005-07" })` / `open_dataset(…).sst.sel(time="2005-07").load()`)',
  ),
  grid(
    "open+step",
    'lazy open + one step, in-memory source (`readSel(Dataset.fromDataArrays(…), "sst", { time: "2005-07" })`)',
  ),
  grid("region", "region across the seam (lat −30…30, lon 300 → 20)"),
  grid("anomaly", 'monthly anomalies (`anomaly` / `groupby("time.month") - mean`)'),
  grid("wmean+rolling", "cos-lat weighted global mean + centred 12-month rolling mean"),
  grid("seasons", 'seasonal means (`groupby("time.season").mean()`)'),
  grid("quantile", "0.9 quantile over time"),
  grid("land-mask", "land mask (`where(sst, ocean)`)"),
  grid("gap-fill", 'gap filling (`interpolateNa(sst, "time")` / `interpolate_na`)'),
  file(
    "write-back",
    'write back the anomaly field as CF NetCDF-3 64-bit offset (`writeNetcdf(…, { format: "64bit-offset" })` / `to_netcdf(format="NETCDF3_64BIT")`)',
  ),
].filter((t) => only === undefined || only.includes(t.name));

const py = "/usr/bin/python3";
const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" };
const run = (cmd: string, args: string[]): Run =>
  JSON.parse(execFileSync(cmd, args, { encoding: "utf8", env }).trim().split("\n").at(-1)!) as Run;
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
const tsx = `${root}node_modules/.bin/tsx`;
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");

try {
  execFileSync(py, [`${gridBench}peer.py`, "gen", dir], { stdio: "inherit" });
  // The file both sides open: the generated field written by xarray (NetCDF-3 64-bit offset).
  execFileSync(py, [`${here}everyday_peer.py`, "mkfile", dir, scratch], { stdio: "inherit" });
  const loadBefore = load();
  const versions = execFileSync(py, [`${here}versions.py`], { encoding: "utf8" }).trim();
  const lines: string[] = [];
  for (const t of tasks) {
    const ours: Run[] = [];
    const peer: Run[] = [];
    const extra = t.ours.endsWith("everyday-case.ts") ? [scratch] : [];
    for (let k = 0; k < rounds; k++) {
      const turns = [
        () => ours.push(run(tsx, [t.ours, t.name, dir, String(reps), ...extra])),
        () => peer.push(run(py, [t.peer, t.name, dir, String(reps), ...extra])),
      ];
      if (k % 2 === 1) turns.reverse();
      for (const turn of turns) turn();
    }
    const check = (a: number, b: number, what: string) => {
      if (Math.abs(a - b) > 1e-4 * Math.max(1, Math.abs(b)))
        throw new Error(`${t.name}: ${what} ${a} vs xarray ${b}`);
    };
    check(ours[0].sum, peer[0].sum, "checksum");
    if (t.name === "write-back") {
      // Both written files, decoded by xarray, hold the same field as the one written.
      const sum = (f: string) =>
        (
          JSON.parse(
            execFileSync(py, [`${here}everyday_peer.py`, "checksum", f], { encoding: "utf8" }),
          ) as Run
        ).sum;
      check(sum(ours[0].file!), peer[0].sum, "file written by geoml, read by xarray:");
      check(sum(peer[0].file!), peer[0].sum, "file written by xarray, read by xarray:");
    }
    const to = median(ours.map((r) => r.warm));
    const tp = median(peer.map((r) => r.warm));
    const wo = median(ours.map((r) => r.wall));
    const wp = median(peer.map((r) => r.wall));
    const ms = (s: number) => `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;
    const span = (v: Run[]) => {
      const w = v.map((r) => r.warm);
      return `${ms(Math.min(...w))}–${ms(Math.max(...w))}`.replace(" ms–", "–");
    };
    lines.push(
      `| ${t.label} | ${ms(to)} (${span(ours)}; wall ${ms(wo)}) | ${ms(tp)} (${span(peer)}; wall ${ms(wp)}) | ${(to / tp).toFixed(2)} | ${Math.max(...ours.map((r) => r.rssMB)).toFixed(0)} MB | ${Math.max(...peer.map((r) => r.rssMB)).toFixed(0)} MB |`,
    );
  }
  // the table as docs/benchmarks.md shows it (`pnpm bench` puts it there, from a complete run)
  const complete = only === undefined;
  if (complete) console.log("<!-- bench:grid/everyday -->");
  else console.log("(a narrowed run: the table is not marked for docs/benchmarks.md)");
  console.log(
    `\`cd packages/netcdf && npx tsx bench/everyday.ts\`: node ${process.version}, ${versions}, ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model}; load average ${loadBefore} before, ${load()} after; ` +
      `file ${(statSync(join(scratch, "field.nc")).size / 1e6).toFixed(1)} MB; ${rounds} rounds, sides alternating, each process ≥ ${reps} timed runs (≥ 0.3 s) ` +
      `after ≥ 3 warm-up runs (≥ 0.3 s); median over rounds of the per-process median CPU time (lowest–highest; median wall time).\n`,
  );
  console.log(
    "| task | geoml | xarray | ratio (ours / xarray) | peak RSS geoml | peak RSS xarray |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const l of lines) console.log(l);
  if (complete) console.log("<!-- /bench:grid/everyday -->");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
