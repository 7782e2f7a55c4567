// MLP training speed: 8 → 64 → 64 → 1 tanh, float32, Adam, N rows, seconds per epoch
// for @geoml/models, PyTorch CPU (1 thread; 2 with MLP_BENCH_TORCH2=1), TensorFlow.js WASM
// and jax-js WASM.
// Every runner is its own process so that no library warms or slows another.
import { spawnSync } from "node:child_process";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = join(dirname(fileURLToPath(import.meta.url)), "mlp");
const rows = Number(process.env.MLP_BENCH_ROWS ?? 100_000);
const batches = (process.env.MLP_BENCH_BATCHES ?? "256,32,4096").split(",").map(Number);
const python = process.env.PYTHON ?? "/usr/bin/python3";

interface Result {
  epochSeconds: number[];
  finalLoss: number;
  cpuSeconds?: number[];
}

// The machine-wide OpenBLAS tuning variables slow a current PyTorch/numpy: unset for every runner.
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;

function run(cmd: string, args: string[], extra: Record<string, string> = {}): Result | string {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    maxBuffer: 1 << 24,
    env: { ...env, ...extra },
  });
  const line = r.stdout?.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as Result;
  } catch {
    return `failed: ${(r.stderr ?? "").trim().split("\n").at(-1) ?? r.error?.message}`;
  }
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

const tsRunner = (file: string, a: string[], extra: Record<string, string> = {}) =>
  run(process.execPath, ["--import", "tsx", join(here, file), ...a], extra);

// Rounds interleave the libraries (geoml, PyTorch, TensorFlow.js, jax-js, then again), so
// load changes on the shared machine hit every library alike. Each run reports its epoch
// times; a library's figure is the median over all its epochs of all rounds, with the
// range of the per-round medians as the spread.
const rounds = Number(process.env.MLP_BENCH_ROUNDS ?? 3);
const torch2 = process.env.MLP_BENCH_TORCH2 === "1";
const loadavg = () => os.loadavg();
console.log(`MLP 8 → 64 → 64 → 1 tanh, float32, Adam, ${rows} rows; seconds per epoch`);
console.log(
  `node ${process.version}, ${rounds} interleaved rounds; median epoch (range of round medians)`,
);
console.log("ratio > 1: geoml is slower than the peer by that factor");
const GEOML = "@geoml/models";
const GEOML2 = "@geoml/models 2 threads";
const PEERS = ["PyTorch 1 thread", "TensorFlow.js wasm", "jax-js wasm"];
/** One row of the summary table per batch size. */
const summary: string[] = [];
const allLoad: number[] = [];
for (const batch of batches) {
  // Batch 32 takes 3,125 steps per epoch: fewer epochs keep the run short.
  const epochs = Number(process.env.MLP_BENCH_EPOCHS ?? (batch <= 32 ? 2 : 3));
  const a = [String(rows), String(batch), String(epochs)];
  const runners: [string, () => Result | string][] = [
    [GEOML, () => tsRunner("geoml.ts", a, { GEOML_THREADS: "1" })],
    [GEOML2, () => tsRunner("geoml.ts", a, { GEOML_THREADS: "2" })],
    ["PyTorch 1 thread", () => run(python, [join(here, "torch_mlp.py"), ...a, "1"])],
    ...(torch2
      ? [
          ["PyTorch 2 threads", () => run(python, [join(here, "torch_mlp.py"), ...a, "2"])] as [
            string,
            () => Result | string,
          ],
        ]
      : []),
    ["TensorFlow.js wasm", () => tsRunner("tfjs.ts", a)],
    ["jax-js wasm", () => tsRunner("jaxjs.ts", a)],
  ];
  const epochsOf = new Map<string, number[]>();
  const roundMedians = new Map<string, number[]>();
  const losses = new Map<string, number>();
  const cpuOf = new Map<string, number[]>();
  const failures = new Map<string, string>();
  const load: number[] = [];
  for (let r = 0; r < rounds; r++)
    for (const [name, go] of runners) {
      load.push(loadavg()[0]);
      const res = go();
      if (typeof res === "string") {
        failures.set(name, res);
        continue;
      }
      epochsOf.set(name, [...(epochsOf.get(name) ?? []), ...res.epochSeconds]);
      roundMedians.set(name, [...(roundMedians.get(name) ?? []), median(res.epochSeconds)]);
      losses.set(name, res.finalLoss);
      if (res.cpuSeconds) cpuOf.set(name, [...(cpuOf.get(name) ?? []), ...res.cpuSeconds]);
    }
  allLoad.push(...load);
  const ours = epochsOf.get(GEOML);
  console.log(
    `\nbatch ${batch}, ${epochs} epochs per run; 1-min load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`,
  );
  console.log("| library | median epoch (s) | round medians (s) | final loss | geoml / peer |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [name] of runners) {
    const e = epochsOf.get(name);
    if (!e) {
      console.log(`| ${name} | ${failures.get(name)} | | | |`);
      continue;
    }
    const rm = roundMedians.get(name)!;
    const ratio = ours ? (median(ours) / median(e)).toFixed(2) : "";
    const spread = `${Math.min(...rm).toFixed(3)}–${Math.max(...rm).toFixed(3)}`;
    console.log(
      `| ${name} | ${median(e).toFixed(3)} | ${spread} | ${losses.get(name)!.toFixed(4)} | ${ratio} |`,
    );
  }
  // the summary row: median epoch (range of round medians) of each library, then ratios
  const cell = (name: string) => {
    const e = epochsOf.get(name);
    if (!e) return "failed";
    const rm = roundMedians.get(name)!;
    return `${median(e).toFixed(3)} (${Math.min(...rm).toFixed(3)}–${Math.max(...rm).toFixed(3)})`;
  };
  const ratio = (a: string, b: string) => {
    const x = epochsOf.get(a);
    const y = epochsOf.get(b);
    return x && y ? (median(x) / median(y)).toFixed(2) : "";
  };
  const cpu = cpuOf.get(GEOML);
  summary.push(
    `| ${batch} | ${cell(GEOML)} | ${cpu ? median(cpu).toFixed(3) : ""} | ${cell(GEOML2)} | ${ratio(GEOML, GEOML2)} | ${PEERS.map(cell).join(" | ")} | **${ratio(GEOML, PEERS[0])}** | **${ratio(GEOML, PEERS[2])}** |`,
  );
}

// the summary as docs/benchmarks.md shows it (`pnpm bench` puts it there)
console.log("\n<!-- bench:models/mlp -->");
console.log(
  "| batch | @geoml/models 1 thread | its CPU s | 2 threads | 1 ÷ 2 threads | PyTorch (1 thread) | TensorFlow.js wasm | jax-js wasm | vs PyTorch | vs jax-js |",
);
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const row of summary) console.log(row);
console.log(
  `\nseconds per epoch, median over the epochs of ${rounds} interleaved rounds (range of the round medians); CPU s: the process's CPU time per epoch; vs: geoml 1 thread ÷ peer; node ${process.version}, ${os.cpus().length} CPUs, 1-minute load average ${Math.min(...allLoad).toFixed(1)}–${Math.max(...allLoad).toFixed(1)} during the run, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
);
console.log("<!-- /bench:models/mlp -->");
