/**
 * Benchmarks of @geoml/optim against PyTorch and scipy, run in the same process
 * tree: `npx -y pnpm@10.34.9 --filter @geoml/optim bench`. Peers run through
 * /usr/bin/python3 (torch limited to one thread, as our code is single-threaded).
 */

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import {
  add,
  matmul,
  mean,
  Rng,
  square,
  sub,
  type Tensor,
  tanh,
  tensor,
  valueAndGrad,
} from "@geoml/autodiff";
import { adam, applyUpdates, minimize } from "../src/index.js";
import { logisticLoss, rosenbrock } from "../src/test-support/problems.js";

const peerScript = new URL("./peer.py", import.meta.url).pathname;

function peer(job: Record<string, unknown>): { ms: number; nfev?: number } {
  const out = execFileSync("/usr/bin/python3", [peerScript], {
    input: JSON.stringify(job),
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out);
}

function medianMs(fn: () => void, repeats: number): number {
  // A few untimed runs first so the JIT has compiled the hot loops.
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

interface Row {
  case: string;
  ours: number;
  peer: number;
  peerName: string;
  note?: string;
}
const rows: Row[] = [];

// 1. Adam steps on a flat parameter vector: pure updates (update + applyUpdates), then as
// a training loop takes them (torch's `step()` works in place too): `reuseState`, and each
// step's updates added into the parameters' own array. torch is timed once per size and
// stands against both.
for (const n of [10_000, 1_000_000]) {
  const steps = n > 100_000 ? 10 : 200;
  const g = { p: tensor(Float64Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1))) };
  const t = peer({ kind: "adam_update", n, steps, repeats: 5 });
  for (const inLoop of [false, true]) {
    const ours = medianMs(() => {
      const opt = adam({ lr: 1e-3 });
      let p = { p: tensor(new Float64Array(n)) };
      let s = opt.init(p);
      for (let k = 0; k < steps; k++) {
        const r = opt.update(g, s, p, { reuseState: inLoop });
        if (inLoop) {
          const a = p.p.data;
          const u = r.updates.p.data;
          for (let i = 0; i < n; i++) a[i] += u[i];
        } else p = applyUpdates(p, r.updates);
        s = r.state;
      }
    }, 5);
    const count = `${n.toLocaleString("en")} params (per step)`;
    rows.push({
      case: inLoop
        ? `adam step in a training loop (reuseState, updates added in place), ${count}`
        : `adam update, ${count}`,
      ours: ours / steps,
      peer: t.ms,
      peerName: "torch.optim.Adam",
    });
  }
}

// 2. Full-batch training of a tanh network with Adam (autodiff + optimiser).
{
  const rng = new Rng(3);
  const [n, d, h] = [1000, 10, 32];
  const x = rng.normal([n, d]);
  const y = rng.normal([n, 1]);
  const init = {
    w1: rng.normal([d, h], { std: 0.3 }),
    b1: rng.normal([h], { std: 0.1 }),
    w2: rng.normal([h, 1], { std: 0.2 }),
    b2: rng.normal([1], { std: 0.1 }),
  };
  type P = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };
  const loss = (p: P) =>
    mean(square(sub(add(matmul(tanh(add(matmul(x, p.w1), p.b1)), p.w2), p.b2), y)));
  const steps = 50;
  const vg = valueAndGrad(loss);
  const ours = medianMs(() => {
    const opt = adam({ lr: 1e-2 });
    let p: P = init;
    let s = opt.init(p);
    for (let k = 0; k < steps; k++) {
      const [, grads] = vg(p);
      const r = opt.update(grads, s, p);
      p = applyUpdates(p, r.updates);
      s = r.state;
    }
  }, 5);
  const t = peer({
    kind: "mlp_adam",
    steps,
    repeats: 5,
    x: x.toArray(),
    y: y.toArray(),
    init: Object.fromEntries(Object.entries(init).map(([k, v]) => [k, v.toArray()])),
  });
  rows.push({
    case: `Adam on a ${d}-${h}-1 tanh net, ${n} rows (per step)`,
    ours: ours / steps,
    peer: t.ms,
    peerName: "torch (autograd + Adam)",
  });
}

// 3. L-BFGS to the same tight tolerance as the tests, against scipy's L-BFGS-B.
{
  const fx = JSON.parse(
    readFileSync(new URL("../src/__fixtures__/optim_scipy.json", import.meta.url), "utf8"),
  );
  for (const p of fx.problems) {
    const logistic = p.name === "logistic";
    const fn = logistic
      ? (
          (xd, yd) => (b: Tensor) =>
            logisticLoss(b, xd, yd)
        )(tensor(p.data.x), tensor(p.data.y))
      : rosenbrock;
    let nfev = 0;
    const ours = medianMs(() => {
      nfev = minimize(fn, tensor(p.x0), { ...fx.tight }).nfev;
    }, 20);
    const t = peer({
      kind: "lbfgs",
      problem: logistic ? "logistic" : "rosenbrock",
      x0: p.x0,
      options: fx.tight,
      repeats: 20,
      ...(logistic ? { x: p.data.x, y: p.data.y } : {}),
    });
    rows.push({
      case: `L-BFGS ${p.name} (whole solve)`,
      ours,
      peer: t.ms,
      peerName: "scipy L-BFGS-B (numpy gradient)",
      note: `nfev ${nfev} vs ${t.nfev}`,
    });
  }
}

const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
// as docs/benchmarks.md shows it (`pnpm bench` puts it there)
console.log("<!-- bench:optim -->");
console.log("| case | @geoml/optim | peer | peer time | ratio (ours / peer) | note |");
console.log("| --- | ---: | --- | ---: | ---: | --- |");
for (const r of rows)
  console.log(
    `| ${r.case} | ${fmt(r.ours)} | ${r.peerName} | ${fmt(r.peer)} | ${(r.ours / r.peer).toFixed(2)} | ${r.note ?? ""} |`,
  );
console.log(
  `\nnode ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} at the end`,
);
console.log("<!-- /bench:optim -->");
