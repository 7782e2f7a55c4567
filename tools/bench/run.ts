/**
 * `pnpm bench [package …]`: runs the benchmarks of every package (or of those named, e.g.
 * `pnpm bench models grid`) one after another, so no two compete for the cores, and
 * rewrites the tables of docs/benchmarks.md from what this run printed (see blocks.ts).
 * Each package's output is shown as it comes; a failed benchmark stops the run with its
 * exit code after the tables of the packages before it are written.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { printedBlocks, replaceBlocks } from "./blocks.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const docPath = join(root, "docs", "benchmarks.md");

interface Bench {
  dir: string;
  name: string;
}

/** Workspace packages with a `bench` script, in folder order. */
function benches(): Bench[] {
  const out: Bench[] = [];
  for (const dir of readdirSync(join(root, "packages")).sort()) {
    let pkg: { name?: string; scripts?: Record<string, string> };
    try {
      pkg = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    if (pkg.name && pkg.scripts?.bench) out.push({ dir, name: pkg.name });
  }
  return out;
}

/** Runs one package's `bench` script through pnpm, echoing and collecting its output. */
function run(b: Bench): Promise<{ code: number; output: string }> {
  // the pnpm the README pins, as for every other command of the repository
  const [cmd, args] = ["npx", ["-y", "pnpm@10.34.9", "--filter", b.name, "run", "bench"]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

const wanted = process.argv.slice(2).filter((a) => a !== "--");
const all = benches();
const unknown = wanted.filter((w) => !all.some((b) => b.dir === w || b.name === w));
if (unknown.length) {
  console.error(
    `bench: no benchmark for ${unknown.join(", ")} (packages with one: ${all.map((b) => b.dir).join(", ")})`,
  );
  process.exit(2);
}
const chosen = wanted.length
  ? all.filter((b) => wanted.includes(b.dir) || wanted.includes(b.name))
  : all;
console.log(
  `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, load ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}; benchmarks of ${chosen.map((b) => b.dir).join(", ")}`,
);
const replaced: string[] = [];
const noPlace: string[] = [];
let failed = 0;
for (const b of chosen) {
  console.log(`\n=== ${b.name} ===`);
  const { code, output } = await run(b);
  const r = replaceBlocks(readFileSync(docPath, "utf8"), printedBlocks(output));
  if (r.replaced.length) writeFileSync(docPath, r.doc);
  replaced.push(...r.replaced);
  noPlace.push(...r.noPlace);
  if (code !== 0) {
    console.error(`bench: ${b.name} failed (exit ${code}); tables before it are written`);
    failed = code;
    break;
  }
}
const left = replaceBlocks(readFileSync(docPath, "utf8"), new Map()).notPrinted.filter(
  (id) => !replaced.includes(id),
);
console.log(
  `\ndocs/benchmarks.md: ${replaced.length} table(s) rewritten from this run (${replaced.join(", ") || "none"})`,
);
if (left.length) console.log(`not rewritten by this run: ${left.join(", ")}`);
if (noPlace.length)
  console.log(`printed but without a place in the document: ${noPlace.join(", ")}`);
process.exit(failed);
