/**
 * Benchmarks @geoml/autodiff against TensorFlow.js (CPU backend and WASM backend, one
 * thread) in one process: matmul GFLOP/s, an elementwise chain in elements/s, per-op
 * overhead in µs and a 2-layer MLP training step. Run with `pnpm bench` in this package.
 * Every contender is warmed up, then BENCH_ROUNDS rounds (default 9) time each contender
 * once, in an order that rotates from round to round, so load on a shared machine falls
 * on all alike; the table (printed between `<!-- bench:autodiff/ops -->` lines for
 * docs/benchmarks.md) gives the median and the range over the rounds.
 */

import { availableParallelism, cpus, loadavg } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import * as ad from "../src/index.js";

/** Timed rounds per measurement, the same for every contender. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
/** BENCH_SIZES=256,512 limits the matmul sizes (a quick run). */
const SIZES = (process.env.BENCH_SIZES ?? "256,512,1024").split(",").map(Number);

const load = () =>
  loadavg()
    .map((v) => v.toFixed(1))
    .join(" ");

/** One contender of a measurement: `call` runs the work once, on the backend `use` selects. */
interface Contender {
  use?: () => Promise<void>;
  call: () => void;
}

/**
 * Seconds per call of each contender: each one is warmed up (two calls, the second sizing
 * how many calls make one ≥ 20 ms sample), then every round times one sample of each, the
 * order rotating between rounds. Returns each contender's per-round seconds per call.
 */
async function measure(contenders: Contender[]): Promise<number[][]> {
  const reps: number[] = [];
  for (const c of contenders) {
    await c.use?.();
    c.call(); // warm-up: JIT, wasm compilation, buffer pools
    const t0 = performance.now();
    c.call();
    const once = (performance.now() - t0) / 1000;
    reps.push(Math.max(1, Math.ceil(0.02 / Math.max(once, 1e-9))));
  }
  const out: number[][] = contenders.map(() => []);
  for (let r = 0; r < ROUNDS; r++)
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + r) % contenders.length;
      const c = contenders[i];
      await c.use?.();
      const t0 = performance.now();
      for (let j = 0; j < reps[i]; j++) c.call();
      out[i].push((performance.now() - t0) / 1000 / reps[i]);
    }
  return out;
}

/**
 * A tfjs contender on `backend`; tensors are made there by `make`, so none moves between
 * backends. `bare` times `fn` and a dispose of its result alone, without the `tidy` scope
 * and read-back (for the per-op overhead, where they would cost more than the op).
 */
async function tfjs<T>(
  backend: "cpu" | "wasm",
  make: () => T,
  fn: (inputs: T) => tf.Tensor | tf.Tensor[],
  bare = false,
): Promise<Contender> {
  await tf.setBackend(backend);
  await tf.ready();
  const inputs = make();
  return {
    use: async () => {
      if (tf.getBackend() !== backend) await tf.setBackend(backend);
    },
    call: bare
      ? () => tf.dispose(fn(inputs))
      : () => {
          tf.tidy(() => {
            const out = fn(inputs);
            // force the computation (CPU/WASM backends are synchronous; dataSync is cheap here)
            if (out instanceof tf.Tensor) out.dataSync();
            else for (const t of out) t.dataSync();
          });
        },
  };
}

interface Row {
  name: string;
  unit: string;
  /** per-round values in the unit, geoml then tfjs-cpu and tfjs-wasm (null: no peer) */
  ours: number[];
  cpu: number[] | null;
  wasm: number[] | null;
  higherIsBetter: boolean;
}
const rows: Row[] = [];

const median = (x: number[]) => {
  const s = [...x].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function ratio(r: Row, peer: number[] | null): string {
  if (peer === null) return "—";
  const x = r.higherIsBetter ? median(r.ours) / median(peer) : median(peer) / median(r.ours);
  return `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;
}

function num(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(3);
}

function cell(v: number[] | null): string {
  if (v === null) return "—";
  return `${num(median(v))} (${num(Math.min(...v))}–${num(Math.max(...v))})`;
}

async function main(): Promise<void> {
  // one thread on every side: bench/threads.ts compares one thread with two
  ad.setThreads(1);
  setThreadsCount(1);
  await tf.setBackend("wasm");
  await tf.ready();
  const loadBefore = load();
  const rng = new ad.Rng(1);
  /** per-round throughputs `work / seconds / scale` */
  const per = (work: number, scale: number) => (secs: number[]) =>
    secs.map((t) => work / t / scale);

  // matmul
  for (const n of SIZES) {
    const flop = 2 * n * n * n;
    for (const dtype of ["float32", "float64"] as const) {
      const a = rng.normal([n, n], { dtype });
      const b = rng.normal([n, n], { dtype });
      const ours: Contender = { call: () => ad.matmul(a, b) };
      const gf = per(flop, 1e9);
      if (dtype === "float32") {
        const make = () => [a, b].map((t) => tf.tensor(t.data as Float32Array, [n, n]));
        const [o, c, w] = await measure([
          ours,
          await tfjs("cpu", make, ([x, y]) => tf.matMul(x, y)),
          await tfjs("wasm", make, ([x, y]) => tf.matMul(x, y)),
        ]);
        rows.push({
          name: `matmul ${n}×${n} ${dtype}`,
          unit: "GFLOP/s",
          ours: gf(o),
          cpu: gf(c),
          wasm: gf(w),
          higherIsBetter: true,
        });
      } else {
        const [o] = await measure([ours]);
        rows.push({
          name: `matmul ${n}×${n} ${dtype}`,
          unit: "GFLOP/s",
          ours: gf(o),
          cpu: null,
          wasm: null,
          higherIsBetter: true,
        });
      }
    }
  }

  // elementwise chain tanh(a*b + c), 1e6 elements
  {
    const n = 1_000_000;
    const me = per(n, 1e6);
    for (const dtype of ["float32", "float64"] as const) {
      const a = rng.normal([n], { dtype });
      const b = rng.normal([n], { dtype });
      const c = rng.normal([n], { dtype });
      const ours: Contender = { call: () => ad.tanh(ad.add(ad.mul(a, b), c)) };
      const name = `tanh(a*b+c), 1e6 elements, ${dtype}`;
      if (dtype === "float32") {
        const make = () => [a, b, c].map((t) => tf.tensor(t.data as Float32Array));
        const chain = ([x, y, z]: tf.Tensor[]) => tf.tanh(tf.add(tf.mul(x, y), z));
        const [o, cp, w] = await measure([
          ours,
          await tfjs("cpu", make, chain),
          await tfjs("wasm", make, chain),
        ]);
        rows.push({
          name,
          unit: "M elem/s",
          ours: me(o),
          cpu: me(cp),
          wasm: me(w),
          higherIsBetter: true,
        });
      } else {
        const [o] = await measure([ours]);
        rows.push({
          name,
          unit: "M elem/s",
          ours: me(o),
          cpu: null,
          wasm: null,
          higherIsBetter: true,
        });
      }
    }
  }

  // per-op overhead: add of two 4-element float32 tensors
  {
    const a = ad.tensor(new Float32Array([1, 2, 3, 4]));
    const b = ad.tensor(new Float32Array([5, 6, 7, 8]));
    const make = () => [tf.tensor([1, 2, 3, 4]), tf.tensor([5, 6, 7, 8])];
    const [o, c, w] = await measure([
      { call: () => ad.add(a, b) },
      await tfjs("cpu", make, ([x, y]) => tf.add(x, y), true),
      await tfjs("wasm", make, ([x, y]) => tf.add(x, y), true),
    ]);
    const us = (v: number[]) => v.map((t) => t * 1e6);
    rows.push({
      name: "small op (add of two 4-element tensors)",
      unit: "µs/op",
      ours: us(o),
      cpu: us(c),
      wasm: us(w),
      higherIsBetter: false,
    });
  }

  // 2-layer MLP step, batch 256: 64 → 128 (relu) → 10, softmax cross-entropy
  {
    const [batch, din, hid, dout] = [256, 64, 128, 10];
    const x = rng.normal([batch, din], { dtype: "float32" });
    const onehot = new Float32Array(batch * dout);
    for (let i = 0; i < batch; i++) onehot[i * dout + (i % dout)] = 1;
    const y = ad.tensor(onehot, { shape: [batch, dout] });
    const params = {
      w1: rng.normal([din, hid], { std: 0.1, dtype: "float32" }),
      b1: ad.zeros([hid], "float32"),
      w2: rng.normal([hid, dout], { std: 0.1, dtype: "float32" }),
      b2: ad.zeros([dout], "float32"),
    };
    const loss = (p: typeof params) => {
      const h = ad.relu(ad.add(ad.matmul(x, p.w1), p.b1));
      const logits = ad.add(ad.matmul(h, p.w2), p.b2);
      return ad.neg(ad.mean(ad.sum(ad.mul(ad.logSoftmax(logits), y), 1)));
    };
    const step = ad.valueAndGrad(loss);
    const make = () => ({
      tx: tf.tensor(x.data as Float32Array, [batch, din]),
      ty: tf.tensor(onehot, [batch, dout]),
      tp: [params.w1, params.b1, params.w2, params.b2].map((t) =>
        tf.tensor(t.data as Float32Array, [...t.shape]),
      ),
    });
    const tstep = ({ tx, ty, tp }: ReturnType<typeof make>) => {
      const tloss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
        const h = tf.relu(tf.add(tf.matMul(tx, w1), b1));
        const logits = tf.add(tf.matMul(h, w2), b2);
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), ty), 1))) as tf.Scalar;
      };
      const r = tf.valueAndGrads(tloss as (...args: tf.Tensor[]) => tf.Scalar)(tp);
      return [r.value, ...r.grads];
    };
    const [o, c, w] = await measure([
      { call: () => step(params) },
      await tfjs("cpu", make, tstep),
      await tfjs("wasm", make, tstep),
    ]);
    const ms = (v: number[]) => v.map((t) => t * 1e3);
    rows.push({
      name: "MLP step, batch 256, 64→128→10, forward + backward, float32",
      unit: "ms/step",
      ours: ms(o),
      cpu: ms(c),
      wasm: ms(w),
      higherIsBetter: false,
    });
  }

  const header = [
    "benchmark",
    "unit",
    "geoml",
    "tfjs-cpu",
    "tfjs-wasm",
    "geoml / cpu",
    "geoml / wasm",
  ];
  // the table as docs/benchmarks.md shows it (`pnpm bench` puts it there)
  console.log("<!-- bench:autodiff/ops -->");
  console.log(
    `\`npx -y pnpm@10.34.9 --filter @geoml/autodiff bench\` (\`bench/index.ts\`): node ${process.version}, ` +
      `${availableParallelism()} × ${cpus()[0]?.model ?? "cpu"}, load average ${loadBefore} before, ${load()} after; ` +
      `@tensorflow/tfjs ${tf.version.tfjs} (wasm backend on ${getThreadsCount()} thread); one thread each side; ` +
      `${ROUNDS} interleaved rounds after a warm-up, median (lowest–highest); ratios are geoml's speed-up over the peer (> 1: geoml faster).\n`,
  );
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map((_, j) => (j < 2 ? "---" : "---:")).join("|")}|`);
  for (const r of rows)
    console.log(
      `| ${[r.name, r.unit, cell(r.ours), cell(r.cpu), cell(r.wasm), ratio(r, r.cpu), ratio(r, r.wasm)].join(" | ")} |`,
    );
  console.log("<!-- /bench:autodiff/ops -->");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
