import { afterAll, describe, expect, it } from "vitest";
import type { DType, Storage } from "../dtype.js";
import { Rng } from "../rng.js";
import { getThreads, lastPass, setThreads } from "../threads/pool.js";
import { matmulKernel, matmulSerial } from "./matmul.js";
import { MATMUL_THREAD_MIN_WORK, type SharedRowsArgs, sharedRows } from "./matmul-threads.js";
import { setSimd, simdEnabled } from "./wasm/instance.js";

/** C from matmulKernel on `threads` threads, with the threads that took part. */
function product(
  threads: number,
  a: Storage,
  b: Storage,
  [batch, m, k, n]: number[],
  aOff: number[],
  bOff: number[],
  ta: boolean,
  tb: boolean,
): [Storage, number] {
  setThreads(threads);
  const c =
    a instanceof Float32Array ? new Float32Array(batch * m * n) : new Float64Array(batch * m * n);
  lastPass.threads = 1;
  matmulKernel(a, b, c, batch, m, k, n, Int32Array.from(aOff), Int32Array.from(bOff), ta, tb);
  return [c, lastPass.threads];
}

describe("matmul on several threads", () => {
  const before = getThreads();
  const simdBefore = simdEnabled();
  afterAll(() => {
    setThreads(before);
    setSimd(simdBefore);
  });
  const rng = new Rng(7);
  const data = (dtype: DType, length: number) => rng.normal([length], { dtype }).data;

  // [batch, m, k, n], A and B offsets, transposed flags; every case is above the threshold
  const cases: [string, number[], number[], number[], boolean, boolean][] = [
    ["square", [1, 324, 324, 324], [0], [0], false, false],
    ["ragged rows (m not a multiple of 4)", [1, 333, 411, 257], [0], [0], false, false],
    ["A stored transposed", [1, 301, 400, 300], [0], [0], true, false],
    ["B stored transposed", [1, 300, 400, 301], [0], [0], false, true],
    [
      "batch sharing B (one tall product)",
      [3, 200, 250, 240],
      [0, 50000, 100000],
      [0, 0, 0],
      false,
      false,
    ],
    ["batch of separate pairs", [2, 330, 330, 330], [0, 108900], [0, 108900], true, true],
  ];
  for (const dtype of ["float32", "float64"] as const)
    for (const simd of [true, false])
      for (const [label, dims, aOff, bOff, ta, tb] of cases) {
        // the JS kernel is slow: two cases cover its ragged and transposed paths
        if (!simd && !label.startsWith("ragged") && !label.startsWith("batch of")) continue;
        it(`${dtype}, ${simd ? "SIMD" : "JS"} kernel, ${label}: the one-thread result, bit for bit`, () => {
          setSimd(simd);
          const [batch, m, k, n] = dims;
          expect(batch * m * k * n).toBeGreaterThanOrEqual(MATMUL_THREAD_MIN_WORK);
          const a = data(dtype, batch * m * k);
          const b = data(dtype, batch * k * n);
          const [one, t1] = product(1, a, b, dims, aOff, bOff, ta, tb);
          const [two, t2] = product(2, a, b, dims, aOff, bOff, ta, tb);
          expect(t1).toBe(1);
          expect(t2).toBe(2);
          expect(two).toEqual(one);
        }, 30_000);
      }

  it("gives a float32 product the one-thread result in memory a float64 product used first", () => {
    // the second product fits in the first one's shared memory, whose kernels the
    // threads keep: they must take those of the product's own type
    setSimd(true);
    const dims = [1, 340, 330, 320];
    for (const dtype of ["float64", "float32", "float64"] as const) {
      const a = data(dtype, dims[1] * dims[2]);
      const b = data(dtype, dims[2] * dims[3]);
      const [one] = product(1, a, b, dims, [0], [0], false, false);
      const [two, t] = product(2, a, b, dims, [0], [0], false, false);
      expect(t).toBe(2);
      expect(two).toEqual(one);
    }
  }, 30_000);

  for (const ta of [false, true])
    it(`computes a worker's rows on the calling thread when it takes them over${ta ? ", A stored transposed" : ""}`, () => {
      // what a pass does with the rows of a worker that failed or missed its deadline:
      // the calling thread's own arrays and memory, never the shared memory
      setSimd(true);
      const [m, k, n] = [37, 41, 29];
      const a = data("float64", m * k + 3);
      const b = data("float64", k * n + 5);
      const c = new Float64Array(m * n + 2).fill(Number.NaN);
      const whole = new Float64Array(m * n);
      matmulSerial(a, b, whole, 1, m, k, n, Int32Array.of(3), Int32Array.of(5), ta, false);
      const args = { m, k, n, ta, f32: false } as SharedRowsArgs;
      const caller = { a, b, c, ao: 3, bo: 5, co: 2, tb: false, serial: matmulSerial };
      sharedRows({ ...args, caller }, 12, 37);
      expect(c.subarray(2 + 12 * n)).toEqual(whole.subarray(12 * n));
      // rows before the range are left alone
      expect(c.subarray(0, 2 + 12 * n).every(Number.isNaN)).toBe(true);
    });

  for (const [ta, tb] of [
    [false, false],
    [true, true],
  ])
    it(`on three threads (a range between two others) gives the one-thread result${ta ? ", A and B stored transposed" : ""}`, () => {
      setSimd(true);
      const dims = [1, 333, 411, 257];
      const a = data("float32", dims[1] * dims[2]);
      const b = data("float32", dims[2] * dims[3]);
      const [one] = product(1, a, b, dims, [0], [0], ta, tb);
      const [three, t] = product(3, a, b, dims, [0], [0], ta, tb);
      expect(t).toBe(3);
      expect(three).toEqual(one);
    }, 30_000);

  it("keeps small products on the calling thread", () => {
    const a = data("float64", 64 * 64);
    const [, t] = product(2, a, a, [1, 64, 64, 64], [0], [0], false, false);
    expect(t).toBe(1);
  });
});
