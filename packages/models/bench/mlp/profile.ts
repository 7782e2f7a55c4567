// Where training time goes: runs the geoml runner under the V8 profiler and splits the
// samples taken inside `train` (src/mlp/train.ts) by the code that was running.
// Usage: tsx bench/mlp/profile.ts [rows] [batch] [epochs]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber?: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
// The profiles go to a temporary folder, removed once the largest (the main thread's) is read.
const dir = mkdtempSync(join(tmpdir(), "geoml-mlp-prof-"));
let profile: Profile;
try {
  const r = spawnSync(
    process.execPath,
    ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--import", "tsx", join(here, "geoml.ts"), ...args],
    { stdio: "inherit" },
  );
  if (r.status !== 0) throw new Error(`the profiled run failed (exit status ${r.status})`);
  const main = readdirSync(dir)
    .map((f) => join(dir, f))
    .sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
  profile = JSON.parse(readFileSync(main, "utf8")) as Profile;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// First matching rule wins, looking from the running frame up the stack.
const rules: [string, (f: CallFrame) => boolean][] = [
  [
    "matmul (WebAssembly SIMD kernel, packing, copies)",
    (f) => /kernels\/(wasm-)?matmul/.test(f.url) || /^(mm|pack)(32|64)$/.test(f.functionName),
  ],
  [
    "elementwise kernels (bias + tanh, tanh backward, add, mul, …)",
    (f) =>
      /kernels\/(wasm-)?elementwise|ops\/(unary|binary|dense)/.test(f.url) ||
      f.url.startsWith("wasm"),
  ],
  [
    "reductions (bias gradients), transposes, broadcasting",
    (f) => /kernels\/(reduce|layout)|ops\/(reduce|shape)/.test(f.url),
  ],
  ["tensor allocation", (f) => /autodiff\/src\/dtype/.test(f.url)],
  ["garbage collection", (f) => f.functionName === "(garbage collector)"],
  ["optimiser (@geoml/optim)", (f) => /optim\/src\//.test(f.url)],
  ["loss (@geoml/losses)", (f) => /losses\/src\//.test(f.url)],
  [
    "graph recording and backward pass",
    (f) => /autodiff\/src\/(grad|tape|tensor)|ops\/linalg/.test(f.url),
  ],
  ["minibatch assembly (standardise, gather)", (f) => /models\/src\/mlp\/data/.test(f.url)],
];
const inTrain = (id: number): boolean => {
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const f = byId.get(n)!.callFrame;
    if (f.functionName === "train" && f.url.includes("mlp/train")) return true;
  }
  return false;
};
const classify = (id: number): string => {
  const f0 = byId.get(id)!.callFrame;
  if (f0.functionName === "(garbage collector)") return "garbage collection";
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const f = byId.get(n)!.callFrame;
    for (const [name, test] of rules) if (test(f)) return name;
  }
  return "other";
};

const totals = new Map<string, number>();
let total = 0;
let gc = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  // GC samples have no stack: count them separately and scale by the training share below.
  if (byId.get(id)!.callFrame.functionName === "(garbage collector)") {
    gc += dt;
    return;
  }
  if (!inTrain(id)) return;
  const k = classify(id);
  totals.set(k, (totals.get(k) ?? 0) + dt);
  total += dt;
});
totals.set("garbage collection (whole run)", gc);
total += gc;
console.log("\n| where | share of training time |\n|---|---:|");
for (const [k, t] of [...totals].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${k} | ${((100 * t) / total).toFixed(1)}% |`);
}

// With PROFILE_TOP=n: the n functions with the most self time inside `train`.
const top = Number(process.env.PROFILE_TOP ?? 0);
if (top > 0) {
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (!inTrain(id)) return;
    const f = byId.get(id)!.callFrame;
    const k = `${f.functionName || "(anonymous)"} ${f.url.replace(/.*\/src\//, "")}:${(f.lineNumber ?? -1) + 1}`;
    self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  console.log("\n| function (self time) | share |\n|---|---:|");
  for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`| ${k} | ${((100 * t) / total).toFixed(1)}% |`);
}
