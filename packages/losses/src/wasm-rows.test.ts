import { instantiate, simdEnabled, vmath, wasmModule } from "@geoml/autodiff/wasm";
import { describe, expect, it } from "vitest";
import { binomial } from "./families/binomial.js";
import { gamma } from "./families/gamma.js";
import { gaussian } from "./families/gaussian.js";
import { poisson } from "./families/poisson.js";
import type { FusedRowKernel } from "./types.js";

/** Runs a kernel's WebAssembly form on n rows (n even) and returns what it wrote. */
/** The rows a kernel reads: η, offset, y and prior weights. */
interface Rows {
  eta: Float64Array;
  offset: Float64Array;
  y: Float64Array;
  w: Float64Array;
}

function runWasm(k: FusedRowKernel, { eta, offset, y, w }: Rows) {
  const n = eta.length;
  const wasm = k.wasm;
  if (!wasm) throw new Error(`${k.name} has no wasm form`);
  const flag = wasm.flag?.(y) ?? 0;
  const bytes = n * 8;
  // the seven columns, then the constant pool
  const pages = Math.ceil((7 * bytes + vmath.POOL_CONSTANTS * 16) / 65536);
  const ex = instantiate(
    wasmModule({ functions: [wasm.build(flag)], memory: { export: "mem", initial: pages } }),
  );
  if (!ex) throw new Error("no WebAssembly SIMD");
  const mem = new Float64Array((ex.mem as { buffer: ArrayBuffer }).buffer);
  for (const [j, v] of [eta, offset, y, w].entries()) mem.set(v, j * n);
  const rows = ex.rows as (...a: number[]) => number;
  const dev = rows(
    0,
    bytes,
    2 * bytes,
    3 * bytes,
    4 * bytes,
    5 * bytes,
    6 * bytes,
    bytes,
    7 * bytes,
  );
  return {
    // the part of the deviance left to the caller
    dev: dev + (wasm.devianceConstant?.(y, w, n)[0] ?? 0),
    mu: mem.slice(4 * n, 5 * n),
    W: mem.slice(5 * n, 6 * n),
    z: mem.slice(6 * n, 7 * n),
  };
}

function runJs(k: FusedRowKernel, { eta, offset, y, w }: Rows) {
  const n = eta.length;
  const mu = new Float64Array(n);
  const W = new Float64Array(n);
  const z = new Float64Array(n);
  const dev = k.kernel(eta, offset, y, w, mu, W, z, 0, n, k.prepare(y));
  return { dev, mu, W, z };
}

/** |a − b| ≤ tol·(|b| + floor) elementwise, NaN and ±Inf matching exactly. */
function expectClose(a: Float64Array, b: Float64Array, tol: number, what: string, floor = 0) {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(b[i]) || !Number.isFinite(a[i])) {
      expect(
        Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])),
        `${what}[${i}]`,
      ).toBe(true);
      continue;
    }
    expect(Math.abs(a[i] - b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(
      tol * (Math.abs(b[i]) + floor),
    );
  }
}

// deterministic pseudo-random values
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Kind = "binary" | "proportion" | "count" | "positive" | "real";

function problem(n: number, kind: Kind, seed: number) {
  const r = lcg(seed);
  const eta = Float64Array.from({ length: n }, () => (r() - 0.5) * 16);
  // the edges: far tails, zero, overflow, μ clamped at ε
  eta.set([0, -0, 40, -40, 800, -800, 709.9, -745], 0);
  const offset = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? r() - 0.5 : 0));
  const y = Float64Array.from({ length: n }, () =>
    kind === "binary"
      ? r() < 0.5
        ? 0
        : 1
      : kind === "proportion"
        ? Math.round(r() * 8) / 8
        : Math.floor(r() * 12),
  );
  const w = Float64Array.from({ length: n }, (_, i) => (i % 17 === 5 ? 0 : 0.5 + r() * 3));
  return { eta, offset, y, w };
}

describe.skipIf(!simdEnabled())("WebAssembly row kernels agree with the JavaScript ones", () => {
  const cases: [string, FusedRowKernel, Kind][] = [
    ["binomial/logit, y 0 or 1", binomial().rowKernel!, "binary"],
    ["binomial/logit, proportions", binomial().rowKernel!, "proportion"],
    ["poisson/log, counts", poisson().rowKernel!, "count"],
    ["gamma/log", gamma("log").rowKernel!, "positive"],
    ["gaussian/identity", gaussian().rowKernel!, "real"],
  ];
  for (const [name, k, kind] of cases)
    it(name, () => {
      const { eta, offset, y, w } = problem(4096, kind, 7);
      // Poisson's and Gamma's edge rows overflow μ to +Inf (deviance +Inf): checked apart
      const finite =
        kind === "count" || kind === "positive" ? eta.map((v) => Math.min(v, 700)) : eta;
      const a = runWasm(k, { eta: finite, offset, y, w });
      const b = runJs(k, { eta: finite, offset, y, w });
      // exp and log within 1 ulp of Math's: μ to an ulp or two; W = w·(dμ/dη)²/(μ(1 − μ))
      // and z = η − offset + (y − μ)/(dμ/dη) inherit the cancellation in 1 − μ (and
      // μ − y) of μ near 1, as the JavaScript kernel does
      expectClose(a.mu, b.mu, 5e-16, "mu");
      expectClose(a.W, b.W, 1e-9, "W");
      expectClose(a.z, b.z, 1e-9, "z", 1);
      if (Number.isFinite(b.dev))
        expect(Math.abs(a.dev - b.dev)).toBeLessThanOrEqual(1e-12 * Math.abs(b.dev));
      else expect(a.dev).toBe(b.dev);
    });

  it("poisson/log: the deviance without its part in y alone, added back, keeps 1e-12 for large counts near the fit", () => {
    // y·log y ≈ 9e4 per row against a deviance of ≈ 1 per row: the kernel's sum cancels
    // five digits of the left-out part
    const r = lcg(3);
    const n = 4096;
    const y = Float64Array.from({ length: n }, () => Math.round(1e4 * (1 + (r() - 0.5) * 0.2)));
    const eta = Float64Array.from(y, (v) => Math.log(v + (r() - 0.5) * 200));
    const offset = new Float64Array(n);
    const w = Float64Array.from({ length: n }, () => 0.5 + r());
    const k = poisson().rowKernel!;
    const a = runWasm(k, { eta, offset, y, w });
    const b = runJs(k, { eta, offset, y, w });
    expect(b.dev).toBeGreaterThan(0);
    expect(Math.abs(a.dev - b.dev)).toBeLessThanOrEqual(1e-12 * b.dev);
  });

  it("poisson/log: counts below and past the table, fractions and zero weights, mixed, keep 1e-12", () => {
    // the left-out part looks whole counts below 4096 up in a table and computes every
    // other y's term: both meet the JavaScript kernel's deviance
    const r = lcg(11);
    const n = 4096;
    const y = Float64Array.from({ length: n }, (_, i) =>
      i % 3 === 0 ? Math.floor(r() * 5000) : i % 3 === 1 ? Math.floor(r() * 9) : r() * 30,
    );
    // the table's last count and the first past it, with weights
    y.set([4095, 4096, 4097], 100);
    const eta = Float64Array.from(y, (v) => Math.log(v + 0.5 + r()));
    const offset = new Float64Array(n);
    const w = Float64Array.from({ length: n }, (_, i) => (i % 13 === 4 ? 0 : 0.5 + r()));
    const k = poisson().rowKernel!;
    const a = runWasm(k, { eta, offset, y, w });
    const b = runJs(k, { eta, offset, y, w });
    expect(b.dev).toBeGreaterThan(0);
    expect(Math.abs(a.dev - b.dev)).toBeLessThanOrEqual(1e-12 * b.dev);
  });

  it("poisson/log: the JavaScript kernel gives the same bits without its table of logs", () => {
    // solvers skip `prepare` when the WebAssembly form runs, and a thread that falls back
    // to the JavaScript kernel then passes null
    const k = poisson().rowKernel!;
    const { eta, offset, y, w } = problem(512, "count", 5);
    expect(k.prepare(y)).not.toBeNull();
    const run = (aux: Float64Array | null) => {
      const out = { mu: new Float64Array(512), W: new Float64Array(512), z: new Float64Array(512) };
      const dev = k.kernel(eta, offset, y, w, out.mu, out.W, out.z, 0, 512, aux);
      return { dev, ...out };
    };
    expect(run(null)).toEqual(run(k.prepare(y)));
  });

  it("poisson/log: μ overflowing to +Inf gives W = z = 0 and an infinite deviance, as in JavaScript", () => {
    const k = poisson().rowKernel!;
    const eta = Float64Array.from([800, 1]);
    const zero = new Float64Array(2);
    const y = Float64Array.from([3, 1]);
    const w = Float64Array.from([1, 1]);
    const a = runWasm(k, { eta, offset: zero, y, w });
    const b = runJs(k, { eta, offset: zero, y, w });
    expect([a.W[0], a.z[0], a.dev]).toEqual([b.W[0], b.z[0], b.dev]);
    expect(a.dev).toBe(Number.POSITIVE_INFINITY);
  });

  it("binomial/logit: y 0 or 1 selects the one-logarithm code", () => {
    const w = binomial().rowKernel!.wasm!;
    expect(w.flag?.(Float64Array.from([0, 1, 1]))).toBe(1);
    expect(w.flag?.(Float64Array.from([0, 0.5]))).toBe(0);
    // every other value, however close to 0 or 1, and the non-finite ones
    for (const v of [5e-324, 1e-200, 1 - 2 ** -53, 1 + 2 ** -52, -1, 2, 1e300, -0.5, NaN, Infinity])
      expect(w.flag?.(Float64Array.from([1, 0, v, 1])), String(v)).toBe(0);
    expect(w.flag?.(Float64Array.from([-0, 1]))).toBe(1);
    expect(w.build(1).body.length).toBeLessThan(w.build(0).body.length);
  });
});
