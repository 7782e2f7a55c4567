// Everyday analysis tasks: @geoml/grid vs xarray on the same 20-year monthly float32 field
// (240 × 90 × 180, land and 2 % scattered gaps as NaN), in memory. Each task runs in its own
// process for each library (so peak RSS is the task's), alternating geoml / xarray, ROUNDS
// times; each process warms up (≥ 3 runs, ≥ 0.3 s), then times ≥ REPS runs (≥ 0.3 s) and
// reports the median CPU time (the machine is shared; CPU time is what other jobs cannot
// inflate) and the median wall time.
// Data generation, imports and warm-up are outside the clock; one thread on both sides.
// packages/netcdf/bench/everyday.ts runs these eight cases too, with the two tasks that need
// a file loader (lazy open of a NetCDF file, write back), and prints the table of
// docs/benchmarks.md; this one prints its eight rows without markers. The two sides
// alternate which goes first; the table gives the median over rounds and their range.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
// The generated data, in a temporary folder removed when the benchmark ends (also after an error).
const dir = mkdtempSync(join(os.tmpdir(), "geoml-grid-bench-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const reps = Number(process.env.REPS ?? 5);
const rounds = Number(process.env.ROUNDS ?? 3);
const only = process.env.TASKS?.split(",");
const tasks = [
  "open+step",
  "region",
  "anomaly",
  "wmean+rolling",
  "seasons",
  "quantile",
  "land-mask",
  "gap-fill",
].filter((t) => only === undefined || only.includes(t));

interface Run {
  warm: number;
  wall: number;
  rssMB: number;
  sum: number;
}

execFileSync("/usr/bin/python3", [`${here}peer.py`, "gen", dir], { stdio: "inherit" });
const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" };
const run = (cmd: string, args: string[]): Run =>
  JSON.parse(execFileSync(cmd, args, { encoding: "utf8", env }).trim().split("\n").at(-1)!) as Run;
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
const tsx = `${root}node_modules/.bin/tsx`;

console.log(
  `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, load ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
console.log(
  `${rounds} rounds, sides alternating; each ≥ ${reps} timed runs (≥ 0.3 s) after ≥ 3 warm-up runs (≥ 0.3 s); median over rounds of CPU time (lowest–highest; median wall time)`,
);
console.log(
  "| task | @geoml/grid | xarray | ratio (ours / xarray) | peak RSS geoml | peak RSS xarray |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const task of tasks) {
  const ours: Run[] = [];
  const peer: Run[] = [];
  for (let k = 0; k < rounds; k++) {
    const turns = [
      () => ours.push(run(tsx, [`${here}case.ts`, task, dir, String(reps)])),
      () => peer.push(run("/usr/bin/python3", [`${here}peer.py`, task, dir, String(reps)])),
    ];
    if (k % 2 === 1) turns.reverse();
    for (const turn of turns) turn();
  }
  const a = ours[0].sum;
  const b = peer[0].sum;
  if (Math.abs(a - b) > 1e-4 * Math.max(1, Math.abs(b)))
    throw new Error(`${task}: checksum ${a} vs xarray ${b}`);
  const to = median(ours.map((r) => r.warm));
  const tp = median(peer.map((r) => r.warm));
  const wo = median(ours.map((r) => r.wall));
  const wp = median(peer.map((r) => r.wall));
  const ms = (s: number) => `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;
  const span = (v: Run[]) => {
    const w = v.map((r) => r.warm);
    return `${ms(Math.min(...w))}–${ms(Math.max(...w))}`.replace(" ms–", "–");
  };
  console.log(
    `| ${task} | ${ms(to)} (${span(ours)}; wall ${ms(wo)}) | ${ms(tp)} (${span(peer)}; wall ${ms(wp)}) | ${(to / tp).toFixed(2)} | ${Math.max(...ours.map((r) => r.rssMB)).toFixed(0)} MB | ${Math.max(...peer.map((r) => r.rssMB)).toFixed(0)} MB |`,
  );
}
