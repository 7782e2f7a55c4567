/**
 * Benchmarks @geoml/autodiff against TensorFlow.js (CPU backend and WASM backend) in
 * one process: matmul GFLOP/s, an elementwise chain in elements/s, per-op overhead
 * in µs and a 2-layer MLP training step. Run with `pnpm bench` in this package. Every
 * measurement is the median of the same number of timed calls (BENCH_SAMPLES, default 9).
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import * as ad from "../src/index.js";

/** Timed calls per measurement, the same for every contender. */
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 9);

/**
 * Median seconds per call of `fn` over exactly {@link SAMPLES} calls after one warm-up call.
 * Every contender gets the same number of samples, and the median (not the minimum) is
 * reported, so no side profits from more draws on a shared machine.
 */
function time(fn: () => void): number {
  fn(); // warm-up (JIT, wasm compilation, buffer pools)
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((x, y) => x - y);
  return samples[SAMPLES >> 1];
}

/** Same, for many repetitions of a very short op (timed in batches). */
function timeSmall(fn: () => void, reps = 2000): number {
  return (
    time(() => {
      for (let i = 0; i < reps; i++) fn();
    }) / reps
  );
}

interface Row {
  name: string;
  unit: string;
  ours: number;
  cpu: number | null;
  wasm: number | null;
  higherIsBetter: boolean;
}
const rows: Row[] = [];

function ratio(r: Row, peer: number | null): string {
  if (peer === null) return "—";
  const x = r.higherIsBetter ? r.ours / peer : peer / r.ours;
  return `${x.toFixed(2)}×`;
}

function fmt(v: number | null): string {
  if (v === null) return "—";
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(3);
}

async function tfjsTime(
  backend: "cpu" | "wasm",
  fn: () => tf.Tensor | tf.Tensor[] | number,
): Promise<number> {
  await tf.setBackend(backend);
  await tf.ready();
  return time(() => {
    tf.tidy(() => {
      const out = fn();
      // Force the computation (CPU/WASM backends are synchronous; dataSync is cheap here).
      if (out instanceof tf.Tensor) out.dataSync();
      else if (Array.isArray(out)) for (const t of out) t.dataSync();
    });
  });
}

async function main(): Promise<void> {
  // one thread, as the peers: bench/threads.ts compares one thread with two
  ad.setThreads(1);
  await tf.setBackend("wasm");
  await tf.ready();
  const rng = new ad.Rng(1);

  // matmul
  for (const n of [256, 512, 1024]) {
    const flop = 2 * n * n * n;
    for (const dtype of ["float32", "float64"] as const) {
      const a = rng.normal([n, n], { dtype });
      const b = rng.normal([n, n], { dtype });
      const ours = flop / time(() => ad.matmul(a, b)) / 1e9;
      let cpu: number | null = null;
      let wasm: number | null = null;
      if (dtype === "float32") {
        const ta = tf.tensor(a.data as Float32Array, [n, n]);
        const tb = tf.tensor(b.data as Float32Array, [n, n]);
        cpu = flop / (await tfjsTime("cpu", () => tf.matMul(ta, tb))) / 1e9;
        wasm = flop / (await tfjsTime("wasm", () => tf.matMul(ta, tb))) / 1e9;
      }
      rows.push({
        name: `matmul ${n}×${n} ${dtype}`,
        unit: "GFLOP/s",
        ours,
        cpu,
        wasm,
        higherIsBetter: true,
      });
    }
  }

  // elementwise chain tanh(a*b + c), 1e6 elements
  {
    const n = 1_000_000;
    for (const dtype of ["float32", "float64"] as const) {
      const a = rng.normal([n], { dtype });
      const b = rng.normal([n], { dtype });
      const c = rng.normal([n], { dtype });
      const ours = n / time(() => ad.tanh(ad.add(ad.mul(a, b), c))) / 1e6;
      let cpu: number | null = null;
      let wasm: number | null = null;
      if (dtype === "float32") {
        const [ta, tb, tc] = [a, b, c].map((t) => tf.tensor(t.data as Float32Array));
        cpu = n / (await tfjsTime("cpu", () => tf.tanh(tf.add(tf.mul(ta, tb), tc)))) / 1e6;
        wasm = n / (await tfjsTime("wasm", () => tf.tanh(tf.add(tf.mul(ta, tb), tc)))) / 1e6;
      }
      rows.push({
        name: `tanh(a*b+c) 1e6 ${dtype}`,
        unit: "M elem/s",
        ours,
        cpu,
        wasm,
        higherIsBetter: true,
      });
    }
  }

  // per-op overhead: add of two 4-element float32 tensors
  {
    const a = ad.tensor(new Float32Array([1, 2, 3, 4]));
    const b = ad.tensor(new Float32Array([5, 6, 7, 8]));
    const ours = timeSmall(() => ad.add(a, b)) * 1e6;
    const ta = tf.tensor([1, 2, 3, 4]);
    const tb = tf.tensor([5, 6, 7, 8]);
    const peer = async (backend: "cpu" | "wasm") => {
      await tf.setBackend(backend);
      return (
        timeSmall(() => {
          tf.add(ta, tb).dispose();
        }) * 1e6
      );
    };
    rows.push({
      name: "small op (add, 4 elements)",
      unit: "µs/op",
      ours,
      cpu: await peer("cpu"),
      wasm: await peer("wasm"),
      higherIsBetter: false,
    });
  }

  // 2-layer MLP step, batch 256: 64 → 128 (relu) → 10, softmax cross-entropy
  {
    const [batch, din, hid, dout] = [256, 64, 128, 10];
    const x = rng.normal([batch, din], { dtype: "float32" });
    const labels = Array.from({ length: batch }, (_, i) => i % dout);
    const onehot = new Float32Array(batch * dout);
    labels.forEach((l, i) => {
      onehot[i * dout + l] = 1;
    });
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
    const ours = time(() => step(params)) * 1e3;
    const tx = tf.tensor(x.data as Float32Array, [batch, din]);
    const ty = tf.tensor(onehot, [batch, dout]);
    const tp = [params.w1, params.b1, params.w2, params.b2].map((t) =>
      tf.tensor(t.data as Float32Array, [...t.shape]),
    );
    const tloss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
      const h = tf.relu(tf.add(tf.matMul(tx, w1), b1));
      const logits = tf.add(tf.matMul(h, w2), b2);
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), ty), 1))) as tf.Scalar;
    };
    const g = tf.valueAndGrads(tloss as (...args: tf.Tensor[]) => tf.Scalar);
    const peer = async (backend: "cpu" | "wasm") =>
      (await tfjsTime(backend, () => {
        const r = g(tp);
        return [r.value, ...r.grads];
      })) * 1e3;
    rows.push({
      name: "MLP step 256×64→128→10 float32",
      unit: "ms/step",
      ours,
      cpu: await peer("cpu"),
      wasm: await peer("wasm"),
      higherIsBetter: false,
    });
  }

  const header = ["benchmark", "unit", "geoml", "tfjs-cpu", "tfjs-wasm", "geoml/cpu", "geoml/wasm"];
  const lines = rows.map((r) => [
    r.name,
    r.unit,
    fmt(r.ours),
    fmt(r.cpu),
    fmt(r.wasm),
    ratio(r, r.cpu),
    ratio(r, r.wasm),
  ]);
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const l of lines) console.log(`| ${l.join(" | ")} |`);
  console.log("\nRatios are speed-ups of geoml over the peer (higher is better for geoml).");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
