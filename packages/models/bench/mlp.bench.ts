// MLP training speed: 8 → 64 → 64 → 1 tanh, float32, Adam, N rows, seconds per epoch
// for @geoml/models, PyTorch CPU (1 and 2 threads), TensorFlow.js WASM and jax-js WASM.
// Every runner is its own process so that no library warms or slows another.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = join(dirname(fileURLToPath(import.meta.url)), "mlp");
const rows = Number(process.env.MLP_BENCH_ROWS ?? 100_000);
const batches = (process.env.MLP_BENCH_BATCHES ?? "256,32,4096").split(",").map(Number);
const python = process.env.PYTHON ?? "/usr/bin/python3";

interface Result {
  epochSeconds: number[];
  finalLoss: number;
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

// The fastest epoch is the one least disturbed by other work on a shared machine.
const best = (r: Result) => Math.min(...r.epochSeconds);
const mean = (r: Result) => r.epochSeconds.reduce((a, b) => a + b, 0) / r.epochSeconds.length;

const tsRunner = (file: string, a: string[], extra: Record<string, string> = {}) =>
  run(process.execPath, ["--import", "tsx", join(here, file), ...a], extra);

console.log(`MLP 8 → 64 → 64 → 1 tanh, float32, Adam, ${rows} rows; seconds per epoch`);
console.log("ratio > 1: geoml is slower than the peer by that factor");
for (const batch of batches) {
  // Batch 32 takes 3,125 steps per epoch: fewer epochs keep the run short.
  const epochs = Number(process.env.MLP_BENCH_EPOCHS ?? (batch <= 32 ? 2 : 5));
  const a = [String(rows), String(batch), String(epochs)];
  const results: [string, Result | string][] = [
    ["@geoml/models", tsRunner("geoml.ts", a, { GEOML_THREADS: "1" })],
    ["@geoml/models 2 threads", tsRunner("geoml.ts", a, { GEOML_THREADS: "2" })],
    ["PyTorch 1 thread", run(python, [join(here, "torch_mlp.py"), ...a, "1"])],
    ["PyTorch 2 threads", run(python, [join(here, "torch_mlp.py"), ...a, "2"])],
    ["TensorFlow.js wasm", tsRunner("tfjs.ts", a)],
    ["jax-js wasm", tsRunner("jaxjs.ts", a)],
  ];
  const ours = results[0][1];
  console.log(`\nbatch ${batch}, ${epochs} epochs`);
  console.log(
    "| library | best epoch (s) | mean epoch (s) | final loss | geoml best / peer best |",
  );
  console.log("|---|---:|---:|---:|---:|");
  for (const [name, r] of results) {
    if (typeof r === "string") {
      console.log(`| ${name} | ${r} | | | |`);
      continue;
    }
    const ratio = typeof ours === "string" ? "" : (best(ours) / best(r)).toFixed(2);
    const cells = [best(r).toFixed(3), mean(r).toFixed(3), r.finalLoss.toFixed(4), ratio];
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  }
}
