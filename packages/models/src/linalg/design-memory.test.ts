import {
  lastPass,
  setSimd,
  setThreads,
  sharedFloat64,
  simdEnabled,
  startWorkers,
} from "@geoml/autodiff";
import { afterEach, describe, expect, it, vi } from "vitest";
import { float64Family, resolveFamily } from "../glm/family.js";
import { irls } from "../glm/irls.js";
import { irlsPass } from "../glm/irls-pass.js";
import { weightedCrossprod } from "./crossprod.js";
import {
  designMatrix,
  designMemory,
  dropSpare,
  placedKernels,
  releaseDesign,
  rowColumns,
  SPARE_MS,
  slotsTaken,
  spareBytes,
} from "./design-memory.js";

let seed = 7;
const u = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

/** The same design twice: in the kernels' memory, and in a plain shared array. */
function designs(n: number, p: number) {
  const placed = designMatrix(n, p);
  for (let i = 0; i < n; i++) placed[i] = 1;
  for (let k = n; k < n * p; k++) placed[k] = u() * 2 - 1;
  const plain = sharedFloat64(n * p);
  plain.set(placed);
  return { placed, plain };
}

describe.skipIf(!simdEnabled())("designs in the kernels' memory", () => {
  afterEach(() => {
    setSimd(true);
    setThreads(2);
  });

  it("are read in place by the calling thread, and not when the SIMD kernels are off", () => {
    const { placed, plain } = designs(70_001, 5);
    expect(placedKernels(placed, 70_001, 5)).not.toBeNull();
    expect(placedKernels(plain, 70_001, 5)).toBeNull();
    // only the whole design it was made for
    expect(placedKernels(placed.subarray(70_001), 70_001, 4)).toBeNull();
    setSimd(false);
    expect(placedKernels(placed, 70_001, 5)).toBeNull();
  });

  it("of different lengths share one compiled module per row kernel", () => {
    const rows = resolveFamily("binomial").rowKernel?.wasm;
    const a = designs(70_001, 5).placed;
    const b = designs(90_000, 5).placed;
    const ka = placedKernels(a, 70_001, 5, rows, 1);
    const kb = placedKernels(b, 90_000, 5, rows, 1);
    expect(ka).not.toBeNull();
    expect(kb!.kernels.module).toBe(ka!.kernels.module);
    // each on its own memory
    expect(kb!.kernels.memory).not.toBe(ka!.kernels.memory);
    // another flag is another row kernel, so another module
    expect(placedKernels(b, 90_000, 5, rows, 0)!.kernels.module).not.toBe(ka!.kernels.module);
  });

  it("small designs stay plain shared arrays", () => {
    expect(placedKernels(designMatrix(100, 3), 100, 3)).toBeNull();
  });

  // odd and even row counts (the last block's padding row), odd and even column counts
  // (the zero column), with and without an offset, fused kernels and the generic path
  for (const [n, p] of [
    [70_001, 5],
    [70_000, 6],
  ] as const)
    for (const [family, link] of [
      ["binomial", "logit"],
      ["poisson", "log"],
      ["gaussian", "identity"],
    ] as const)
      it(`give the fit of a plain design, bit for bit (${family}, n = ${n}, p = ${p})`, () => {
        setThreads(1);
        const { placed, plain } = designs(n, p);
        const beta = Float64Array.from({ length: p }, () => (u() - 0.5) * 0.6);
        const eta = new Float64Array(n);
        for (let j = 0; j < p; j++)
          for (let i = 0; i < n; i++) eta[i] += beta[j] * plain[j * n + i];
        const y = Float64Array.from(eta, (e) =>
          family === "binomial"
            ? Number(u() < 1 / (1 + Math.exp(-e)))
            : family === "poisson"
              ? Math.floor(Math.exp(e) * 2 * u())
              : e + u() - 0.5,
        );
        const w = Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? 0 : 0.5 + u()));
        const offset = Float64Array.from({ length: n }, () => (u() - 0.5) * 0.2);
        const fam = float64Family(resolveFamily(family, { link }));
        // a design's row columns serve one fit: each fit here gets a design of its own
        const again = () => {
          const d = designMatrix(n, p);
          d.set(placed);
          return d;
        };
        for (const off of [null, offset]) {
          const a = irls(fam, { x: again(), n, p, y, w, offset: off });
          const b = irls(fam, { x: plain, n, p, y, w, offset: off });
          expect(a.iterations).toBe(b.iterations);
          expect(Array.from(a.beta)).toEqual(Array.from(b.beta));
          expect(a.deviance).toBe(b.deviance);
          expect(Array.from(a.covUnscaled)).toEqual(Array.from(b.covUnscaled));
          expect(Array.from(a.mu.subarray(0, 50))).toEqual(Array.from(b.mu.subarray(0, 50)));
        }
        // the score passes too (a fit from a subsample start takes them)
        const kernel = fam.family.rowKernel!;
        for (const off of [null, offset]) {
          const a = irlsPass(kernel, again(), n, p, y, w, off)(beta, true);
          const b = irlsPass(kernel, plain, n, p, y, w, off)(beta, true);
          expect(a.inDesignMemory).toBe(true);
          expect(Array.from(a.score!)).toEqual(Array.from(b.score!));
          expect(a.deviance).toBe(b.deviance);
        }
        const z = Float64Array.from({ length: n }, () => u());
        expect(Array.from(weightedCrossprod(placed, n, p, w, z))).toEqual(
          Array.from(weightedCrossprod(plain, n, p, w, z)),
        );
      });

  it("hold the row columns of their first fit only: a later fit on the same design copies its rows and leaves the first fit's μ alone", () => {
    setThreads(1);
    const n = 70_001;
    const p = 4;
    const { placed, plain } = designs(n, p);
    const fam = float64Family(resolveFamily("poisson"));
    const yA = Float64Array.from({ length: n }, (_, i) => (i * 7) % 5);
    const yB = Float64Array.from({ length: n }, (_, i) => (i * 3) % 4);
    const w = new Float64Array(n).fill(1);
    const a = irls(fam, { x: placed, n, p, y: yA, w, offset: null });
    const muA = Float64Array.from(a.mu);
    // the columns were placed, and stay the first fit's
    expect(rowColumns(placed, {})).toBeNull();
    const b = irls(fam, { x: placed, n, p, y: yB, w, offset: null });
    expect(Array.from(a.mu)).toEqual(Array.from(muA));
    // each fit is that of a plain design with its own y
    for (const [fit, y] of [
      [a, yA],
      [b, yB],
    ] as const) {
      const ref = irls(fam, { x: plain, n, p, y, w, offset: null });
      expect(Array.from(fit.beta)).toEqual(Array.from(ref.beta));
      expect(fit.deviance).toBe(ref.deviance);
    }
  });

  it("on two threads, give the one-thread fit", () => {
    const n = 800_001;
    const p = 7;
    const { placed } = designs(n, p);
    const y = Float64Array.from({ length: n }, (_, i) =>
      Number(u() < 0.3 + 0.4 * (placed[n + i] > 0 ? 1 : 0)),
    );
    const w = new Float64Array(n).fill(1);
    const fam = float64Family(resolveFamily("binomial"));
    // the worker takes the memory before a fit grows it by the row columns: a fit
    // without a fused kernel (probit) cross-multiplies the design on the workers first
    setThreads(2);
    irls(float64Family(resolveFamily("binomial", { link: "probit" })), {
      x: placed,
      n,
      p,
      y,
      w,
      offset: null,
    });
    expect(lastPass.threads).toBe(2);
    // the one-thread fit on a design of its own (the row columns serve one fit)
    setThreads(1);
    const copy = designMatrix(n, p);
    copy.set(placed);
    const one = irls(fam, { x: copy, n, p, y, w, offset: null });
    setThreads(2);
    const two = irls(fam, { x: placed, n, p, y, w, offset: null });
    // the worker read its rows in place too, in scratch space of its own
    expect(lastPass.threads).toBe(2);
    expect(slotsTaken(placed)).toBe(2);
    expect(two.iterations).toBe(one.iterations);
    for (let j = 0; j < p; j++)
      expect(Math.abs(two.beta[j] - one.beta[j])).toBeLessThanOrEqual(
        1e-12 * (1 + Math.abs(one.beta[j])),
      );
  });

  it("fitted again from a subsample start, keep the scratch slots of their first fit", () => {
    // the subsample of a large fit lives in a design memory of its own; were its passes
    // to go to the workers, each worker would take a new slot in this design's memory
    // every time it came back to it
    const n = 220_000;
    const p = 45;
    const { placed } = designs(n, p);
    const y = Float64Array.from({ length: n }, (_, i) =>
      Number(u() < (placed[n + i] > 0 ? 0.7 : 0.3)),
    );
    const w = new Float64Array(n).fill(1);
    const fam = float64Family(resolveFamily("binomial"));
    setThreads(2);
    const first = irls(fam, { x: placed, n, p, y, w, offset: null });
    expect(lastPass.threads).toBe(2);
    const slots = slotsTaken(placed);
    for (let r = 0; r < 2; r++) {
      const again = irls(fam, { x: placed, n, p, y, w, offset: null });
      expect(again.iterations).toBe(first.iterations);
    }
    expect(slotsTaken(placed)).toBe(slots);
  }, 60_000);

  it("with workers running, have their pages touched on every thread, and come zeroed", async () => {
    setThreads(2);
    await startWorkers(1e12);
    // 2,100,000 × 2 values: 32 MiB, above the size where the threads share the touching
    lastPass.threads = 0;
    const x = designMatrix(2_100_000, 2);
    expect(lastPass.threads).toBe(2);
    let nonZero = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0) nonZero++;
    expect(nonZero).toBe(0);
    // the memory around the design, as the kernels find it: header intact
    expect(slotsTaken(x)).toBe(0);
    expect(placedKernels(x, 2_100_000, 2)).not.toBeNull();
    expect(slotsTaken(x)).toBe(1);
  });

  it("released, lend their memory to the next design of about their size, cleared where the kernels read zeros", () => {
    setThreads(1);
    const fam = float64Family(resolveFamily("poisson"));
    const first = designs(70_001, 4).placed;
    const memory = designMemory(first);
    // a fit with an offset and weights fills every row column and the scratch space
    const y = Float64Array.from({ length: 70_001 }, (_, i) => (i * 7) % 5);
    const w = Float64Array.from({ length: 70_001 }, (_, i) => 1 + (i % 3));
    const offset = Float64Array.from({ length: 70_001 }, (_, i) => (i % 11) / 20);
    irls(fam, { x: first, n: 70_001, p: 4, y, w, offset });
    // then garbage everywhere (NaN as a float, −1 as an integer): any value the next
    // fit reads before it writes it shows
    new Uint8Array(memory!.buffer).fill(0xff);
    releaseDesign(first);
    expect(spareBytes()).toBe(memory!.buffer.byteLength);
    // released once only: its memory now belongs to the spare
    expect(designMemory(first)).toBeNull();

    // a design the caller fills: its values are not cleared, the rest is
    const n = 60_001;
    const p = 5;
    const values = Float64Array.from({ length: n * p }, (_, k) => (k < n ? 1 : u() * 2 - 1));
    let uncleared = true;
    const x = designMatrix(n, p, (x, lo, hi) => {
      uncleared &&= x.subarray(lo, hi).every(Number.isNaN);
      x.set(values.subarray(lo, hi), lo);
    });
    expect(uncleared).toBe(true);
    expect(designMemory(x)).toBe(memory);
    expect(spareBytes()).toBe(0);
    // the same fit on a design in fresh memory
    const fresh = designMatrix(n, p);
    expect(designMemory(fresh)).not.toBe(memory);
    fresh.set(x);
    const yB = Float64Array.from({ length: n }, (_, i) => Number(u() < (x[n + i] > 0 ? 0.7 : 0.3)));
    const ones = new Float64Array(n).fill(1);
    const logit = float64Family(resolveFamily("binomial"));
    const reused = irls(logit, { x, n, p, y: yB, w: ones, offset: null });
    const ref = irls(logit, { x: fresh, n, p, y: yB, w: ones, offset: null });
    expect(Array.from(reused.beta)).toEqual(Array.from(ref.beta));
    expect(reused.deviance).toBe(ref.deviance);
    expect(Array.from(reused.covUnscaled)).toEqual(Array.from(ref.covUnscaled));

    // one the caller does not fill comes zeroed
    releaseDesign(x);
    const zeroed = designMatrix(n, p);
    expect(designMemory(zeroed)).toBe(memory);
    expect(zeroed.every((v) => v === 0)).toBe(true);
  });

  it("released, are not lent to a design they do not fit, nor kept past SPARE_MS", () => {
    const small = designs(70_001, 4).placed;
    const memory = designMemory(small);
    releaseDesign(small);
    // too small for it: a memory of its own, and the spare is let go
    const large = designMatrix(400_001, 4);
    expect(designMemory(large)).not.toBe(memory);
    expect(spareBytes()).toBe(0);
    // far too large for this one: not kept alive by it, but kept for one of its size
    releaseDesign(large);
    const spare = spareBytes();
    expect(designMemory(designMatrix(70_001, 4))).not.toBe(designMemory(large));
    expect(spareBytes()).toBe(spare);
    expect(designMemory(designMatrix(400_001, 4))).toBe(designMemory(large));
    expect(spareBytes()).toBe(0);
    // arrays it did not make are not taken
    releaseDesign(sharedFloat64(100_000));
    expect(spareBytes()).toBe(0);
    vi.useFakeTimers();
    try {
      releaseDesign(designMatrix(70_001, 4));
      vi.advanceTimersByTime(SPARE_MS - 1);
      expect(spareBytes()).toBeGreaterThan(0);
      vi.advanceTimersByTime(1);
      expect(spareBytes()).toBe(0);
    } finally {
      vi.useRealTimers();
      dropSpare();
    }
  });

  it("with workers running, are filled by this thread while the workers map the pages of the rest", async () => {
    setThreads(2);
    await startWorkers(1e12);
    dropSpare();
    const n = 1_100_001;
    const p = 4;
    const ranges: [number, number][] = [];
    lastPass.threads = 0;
    const x = designMatrix(n, p, (x, lo, hi) => {
      ranges.push([lo, hi]);
      for (let k = lo; k < hi; k++) x[k] = k;
    });
    expect(lastPass.threads).toBe(2);
    // this thread's share, then the workers': every value once, in order
    expect(ranges.length).toBeGreaterThanOrEqual(2);
    expect(ranges[0][0]).toBe(0);
    for (let r = 1; r < ranges.length; r++) expect(ranges[r][0]).toBe(ranges[r - 1][1]);
    expect(ranges.at(-1)![1]).toBe(n * p);
    let wrong = 0;
    for (let k = 0; k < n * p; k++) if (x[k] !== k) wrong++;
    expect(wrong).toBe(0);
  });

  it("released, serve a design of an odd column count laid out for more threads", () => {
    setThreads(1);
    const n = 70_001;
    const p = 4;
    const first = designs(n, p).placed;
    const memory = designMemory(first);
    const y = Float64Array.from({ length: n }, (_, i) => (i * 7) % 5);
    const ones = new Float64Array(n).fill(1);
    const poisson = float64Family(resolveFamily("poisson"));
    irls(poisson, { x: first, n, p, y, w: ones, offset: ones });
    new Uint8Array(memory!.buffer).fill(0xff);
    releaseDesign(first);
    // two threads: a scratch slot more before the design; p + 1 odd: a zero column after it
    setThreads(2);
    const values = Float64Array.from({ length: n * p }, (_, k) => (k < n ? 1 : u() * 2 - 1));
    const x = designMatrix(n, p, (x, lo, hi) => x.set(values.subarray(lo, hi), lo));
    expect(designMemory(x)).toBe(memory);
    const fresh = designMatrix(n, p, (x, lo, hi) => x.set(values.subarray(lo, hi), lo));
    const reused = irls(poisson, { x, n, p, y, w: ones, offset: null });
    const ref = irls(poisson, { x: fresh, n, p, y, w: ones, offset: null });
    expect(Array.from(reused.beta)).toEqual(Array.from(ref.beta));
    expect(reused.deviance).toBe(ref.deviance);
    expect(Array.from(reused.covUnscaled)).toEqual(Array.from(ref.covUnscaled));
  });
});
