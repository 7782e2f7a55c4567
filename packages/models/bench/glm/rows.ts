/**
 * Time per row of the families' IRLS row kernels on one block of 512 rows in cache
 * (μ, W, z and the deviance from η, offset, y and w): the WebAssembly form, built into
 * the cross-product module as a pass builds it, against the JavaScript kernel on the
 * same rows. Medians of ROUNDS (default 15) timings of 2,000 calls each, in ns per row,
 * on the calling thread:
 *
 *   npx tsx bench/glm/rows.ts
 *
 * A pass over n rows spends about n times this in its row kernel, plus the reads of
 * y and w and the writes of μ from and to memory.
 */

import os from "node:os";
import { vmath } from "@geoml/autodiff/wasm";
import type { FusedRowKernel } from "@geoml/losses";
import { binomial, gamma, gaussian, poisson } from "@geoml/losses";
import { createSimdKernels } from "../../src/linalg/simd.js";

const B = 512;
const CALLS = 2000;
const rounds = Number(process.env.ROUNDS ?? 15);

let seed = 1;
const u = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

const cases: [string, FusedRowKernel, () => number][] = [
  ["binomial/logit, y 0 or 1", binomial().rowKernel!, () => (u() < 0.5 ? 1 : 0)],
  ["binomial/logit, proportions", binomial().rowKernel!, () => Math.round(u() * 8) / 8],
  ["poisson/log", poisson().rowKernel!, () => Math.floor(u() * 6)],
  ["gamma/log", gamma("log").rowKernel!, () => u() + 0.1],
  ["gaussian/identity", gaussian().rowKernel!, () => u()],
];

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const time = (f: () => void) => {
  for (let r = 0; r < CALLS; r++) f();
  const t: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const t0 = performance.now();
    for (let r = 0; r < CALLS; r++) f();
    t.push(((performance.now() - t0) * 1e6) / (CALLS * B));
  }
  return median(t);
};

console.log(
  `row kernels, ${B} rows in cache, ${rounds} rounds of ${CALLS} calls; node ${process.version}, ` +
    `${os.cpus()[0]?.model}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
);
console.log(`  ${"kernel".padEnd(30)} ${"wasm ns/row".padStart(12)} ${"JS ns/row".padStart(10)}`);
for (const [name, kernel, draw] of cases) {
  const wasm = kernel.wasm;
  if (!wasm) continue;
  const y = Float64Array.from({ length: B }, draw);
  const flag = wasm.flag?.(y) ?? 0;
  const k = createSimdKernels(B * 8, wasm.build(flag));
  if (!k?.rows) throw new Error("no WebAssembly SIMD");
  // columns η, offset, y, w, μ, W, z, then the constant pool
  k.memory.grow(Math.ceil((7 * B * 8 + vmath.POOL_CONSTANTS * 16) / 65536));
  const mem = new Float64Array(k.memory.buffer, 0, 7 * B);
  const col = (j: number) => mem.subarray(j * B, (j + 1) * B);
  for (let i = 0; i < B; i++) mem[i] = (u() - 0.5) * 4;
  col(2).set(y);
  col(3).fill(1);
  const rows = k.rows;
  const at = (j: number) => j * B * 8;
  const ours = time(() => rows(at(0), at(1), at(2), at(3), at(4), at(5), at(6), B * 8, at(7)));
  const [eta, offset, , w, mu, W, z] = [0, 1, 2, 3, 4, 5, 6].map((j) => col(j).slice());
  const aux = kernel.prepare(y);
  const js = time(() => kernel.kernel(eta, offset, y, w, mu, W, z, 0, B, aux));
  console.log(`  ${name.padEnd(30)} ${ours.toFixed(2).padStart(12)} ${js.toFixed(2).padStart(10)}`);
}
