/**
 * Matrix product kernel C = A·B for row-major A (m×k) and B (k×n), batched.
 * Products of at least {@link SIMD_MIN_FLOPS} multiply-adds run in the WebAssembly
 * SIMD kernel (see wasm-matmul.ts): operands are copied into its memory, B packed
 * into column panels, and the result copied back. Smaller ones, and engines without
 * WebAssembly SIMD, or with the fallback selected (`setSimd(false)`, `GEOML_SIMD=0`), use
 * the register-tiled JS loop below, which accumulates in float64.
 * The SIMD path accumulates float32 products in float32, like BLAS sgemm.
 */
import type { Storage } from "../dtype.js";
import { goesParallel } from "../threads/pool.js";
import {
  align16,
  MATMUL_THREAD_MIN_WORK,
  type MatmulRowsArgs,
  matmulThreaded,
  type ThreadKernels,
} from "./matmul-threads.js";
import { simdEnabled } from "./wasm/instance.js";
import type { BiasActivation } from "./wasm-elementwise.js";
import { releaseSimdMatmul, simdMatmul, type WasmMemory } from "./wasm-matmul.js";

const KB = 128;

/** Below this many multiply-adds (m·k·n) the copy into WebAssembly memory does not pay off. */
export const SIMD_MIN_FLOPS = 1024;

/** Scratch memory above this size is released after the product that needed it. */
const KEEP_BYTES = 64 * 2 ** 20;

/**
 * C[t] = op(A[t]) · op(B[t]) for `batch` matrix pairs found at the given element
 * offsets, where op(A) is m×k and op(B) is k×n. With `ta`, A[t] is stored as its
 * transpose (k×m); with `tb`, B[t] is stored as n×k. Gradients use these flags so
 * they never materialise a transpose. Large products are split across the threads
 * of the pool (see matmul-threads.ts).
 */
export function matmulKernel(
  a: Storage,
  b: Storage,
  c: Storage,
  batch: number,
  m: number,
  k: number,
  n: number,
  aOffsets: Int32Array,
  bOffsets: Int32Array,
  ta = false,
  tb = false,
): void {
  if (
    m === 0 ||
    n === 0 ||
    batch === 0 ||
    k === 0 ||
    !goesParallel(batch * m * k * n, MATMUL_THREAD_MIN_WORK)
  ) {
    matmulSerial(a, b, c, batch, m, k, n, aOffsets, bOffsets, ta, tb);
    return;
  }
  // one B shared by contiguous A matrices: a single tall product of batch·m rows
  let tall = batch > 1 && !ta;
  for (let t = 0; t < batch && tall; t++)
    if (bOffsets[t] !== bOffsets[0] || aOffsets[t] !== aOffsets[0] + t * m * k) tall = false;
  if (
    tall &&
    matmulThreaded(threadKernels, a, b, c, aOffsets[0], bOffsets[0], 0, batch * m, k, n, false, tb)
  )
    return;
  for (let t = 0; t < batch; t++)
    if (
      !matmulThreaded(threadKernels, a, b, c, aOffsets[t], bOffsets[t], t * m * n, m, k, n, ta, tb)
    )
      matmulSerial(
        a,
        b,
        c.subarray(t * m * n, (t + 1) * m * n),
        1,
        m,
        k,
        n,
        aOffsets.subarray(t, t + 1),
        bOffsets.subarray(t, t + 1),
        ta,
        tb,
      );
}

/** {@link matmulKernel} on the calling thread. */
export function matmulSerial(
  a: Storage,
  b: Storage,
  c: Storage,
  batch: number,
  m: number,
  k: number,
  n: number,
  aOffsets: Int32Array,
  bOffsets: Int32Array,
  ta = false,
  tb = false,
): void {
  if (m === 0 || n === 0 || batch === 0) return;
  if (k === 0) {
    c.fill(0);
    return;
  }
  const simd = simdEnabled() && m * k * n >= SIMD_MIN_FLOPS ? simdMatmul() : null;
  // One shared B and contiguous A matrices: a single tall product of batch·m rows.
  let shared = batch > 1 && !ta;
  for (let t = 0; t < batch && shared; t++)
    if (bOffsets[t] !== bOffsets[0] || aOffsets[t] !== aOffsets[0] + t * m * k) shared = false;
  const rows = shared ? batch * m : m;
  if (simd === null || !reserve(simd.memory, scratchBytes(a, rows, k, n))) {
    // The JS loop wants plain row-major operands: transpose stored ones first.
    const [a2, ao2] = ta ? untranspose(a, batch, aOffsets, k, m) : [a, aOffsets];
    const [b2, bo2] = tb ? untranspose(b, batch, bOffsets, n, k) : [b, bOffsets];
    matmulJs(a2, b2, c, batch, m, k, n, ao2, bo2);
    return;
  }
  try {
    if (shared) simdProduct(a, b, c, aOffsets[0], bOffsets[0], 0, rows, k, n, true, false, tb);
    else
      for (let t = 0; t < batch; t++) {
        const packB = t === 0 || bOffsets[t] !== bOffsets[t - 1];
        simdProduct(a, b, c, aOffsets[t], bOffsets[t], t * m * n, m, k, n, packB, ta, tb);
      }
  } finally {
    if (simd.memory.buffer.byteLength > KEEP_BYTES) {
      releaseSimdMatmul();
      views = null;
    }
  }
}

/** A dense layer's epilogue: C ← act(C + bias), the bias (n values) repeated along the rows. */
export interface Epilogue {
  act: BiasActivation;
  bias: Storage;
}

/**
 * c = act(a·b + bias) for row-major a (m×k) and b (k×n) in one pass through the SIMD
 * kernel's memory: the epilogue runs on the product before it is copied out (the
 * elementwise module's kernel, so bit for bit the values of the separate ops). False,
 * with nothing written, where the product would not run there on this thread (SIMD off
 * or missing, too small, split across threads, memory refused).
 */
export function denseProduct(
  a: Storage,
  b: Storage,
  c: Storage,
  m: number,
  k: number,
  n: number,
  epilogue: Epilogue,
): boolean {
  const work = m * k * n;
  if (work < SIMD_MIN_FLOPS || !simdEnabled() || goesParallel(work, MATMUL_THREAD_MIN_WORK))
    return false;
  const simd = simdMatmul();
  if (simd === null || !reserve(simd.memory, scratchBytes(a, m, k, n))) return false;
  try {
    simdProduct(a, b, c, 0, 0, 0, m, k, n, true, false, false, epilogue);
  } finally {
    if (simd.memory.buffer.byteLength > KEEP_BYTES) {
      releaseSimdMatmul();
      views = null;
    }
  }
  return true;
}

/** The gradients of a dense layer y = act(x·w + b) that {@link denseGradients} writes. */
export interface DenseGradients {
  /** g_z·wᵀ (m×k), or null when not needed. */
  x: Storage | null;
  /** xᵀ·g_z (k×n), or null. */
  w: Storage | null;
  /** Column sums of g_z (n), or null. */
  b: Storage | null;
}

/** Whether {@link denseGradients} runs for these sizes on this thread. */
export function denseGradientsRun(m: number, k: number, n: number): boolean {
  const work = m * k * n;
  return (
    work >= SIMD_MIN_FLOPS &&
    simdEnabled() &&
    !goesParallel(work, MATMUL_THREAD_MIN_WORK) &&
    simdMatmul() !== null
  );
}

/**
 * The backward pass of a dense layer y = act(x·w + b) (x m×k, w k×n) in one visit to
 * the SIMD kernel's memory: g_z = g·(1 − y²) for tanh (g itself for the identity), then
 * g_z·wᵀ, xᵀ·g_z and the column sums of g_z, with g_z never copied out and back. The
 * same kernels and operand layouts as the separate ops, so the same values bit for bit.
 * False, nothing written, when the memory cannot grow (check {@link denseGradientsRun}
 * first).
 */
export function denseGradients(
  g: Storage,
  y: Storage | null,
  x: Storage,
  w: Storage,
  m: number,
  k: number,
  n: number,
  out: DenseGradients,
): boolean {
  const simd = simdMatmul()!;
  const f32 = g instanceof Float32Array;
  const es = f32 ? 4 : 8;
  const tn = 32 / es;
  const mp = Math.ceil(m / 4) * 4;
  const np = Math.ceil(n / tn) * tn;
  const kp4 = Math.ceil(k / 4) * 4;
  const kpT = Math.ceil(k / tn) * tn;
  const direct = np === n;
  // Layout, 16-byte aligned: g (then g_z in place; rows past m read as A land in its
  // slack), y, x (slack for reading columns past k), w, wᵀ packed, g_z packed (n not a
  // whole tile), the two products, the float64 column sums.
  const G = 0;
  const Y = align16(G + (mp * n + 4) * es);
  const X = align16(Y + m * n * es + 16);
  const W = align16(X + (m * k + 4) * es);
  const PW = align16(W + k * n * es);
  const PG = align16(PW + n * kpT * es);
  const C1 = align16(PG + (direct ? 0 : m * np * es));
  const C2 = align16(C1 + mp * kpT * es);
  const ACC = align16(C2 + kp4 * np * es);
  if (!reserve(simd.memory, ACC + 8 * n)) return false;
  try {
    const heap = heapView(simd.memory.buffer, f32);
    const pack = f32 ? simd.pack32 : simd.pack64;
    const mm = f32 ? simd.mm32 : simd.mm64;
    heap.set(g.subarray(0, m * n), G / es);
    if (y !== null) {
      heap.set(y.subarray(0, m * n), Y / es);
      (f32 ? simd.tanhGrad32 : simd.tanhGrad64)(G, Y, G, Math.ceil((m * n * es) / 16) * 16);
    }
    if (out.b !== null) {
      const acc = new Float64Array(simd.memory.buffer, ACC, n);
      acc.fill(0);
      if ((n * es) % 16 === 0) (f32 ? simd.colsum32 : simd.colsum64)(G, ACC, n * es, m * n * es);
      // rows in order, float64 sums: the reduction's own loop
      else
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) acc[j] += heap[G / es + i * n + j];
      out.b.set(acc);
    }
    if (out.x !== null) {
      // g_z·wᵀ: g_z as stored (m×n), wᵀ packed from w (k×n)
      heap.set(w.subarray(0, k * n), W / es);
      pack(W, PW, k, kpT, tn, n, n * es, es);
      mm(G, PW, C1, mp, kpT, n, n * es, es, n * es, n * es, 32);
      copyOut(heap, C1 / es, kpT, out.x, m, k);
    }
    if (out.w !== null) {
      // xᵀ·g_z: x as stored (m×k, read transposed), g_z as stored or packed
      heap.set(x.subarray(0, m * k), X / es);
      if (n === 1) (f32 ? simd.mv32 : simd.mv64).t(X, G, C2, kp4, m, es, k * es, es, np * es);
      else if (direct) mm(X, G, C2, kp4, np, m, es, k * es, es, es, n * es);
      else {
        pack(G, PG, n, np, tn, m, es, n * es);
        mm(X, PG, C2, kp4, np, m, es, k * es, es, m * es, 32);
      }
      copyOut(heap, C2 / es, np, out.w, k, n);
    }
  } finally {
    if (simd.memory.buffer.byteLength > KEEP_BYTES) {
      releaseSimdMatmul();
      views = null;
    }
  }
  return true;
}

/** Copies rows×cols values stored with row stride `stride` from heap[at…] to `c`. */
function copyOut(
  heap: Float32Array | Float64Array,
  at: number,
  stride: number,
  c: Storage,
  rows: number,
  cols: number,
): void {
  if (stride === cols) c.set(heap.subarray(at, at + rows * cols));
  else if (cols < 16)
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) c[i * cols + j] = heap[at + i * stride + j];
  else
    for (let i = 0; i < rows; i++)
      c.set(heap.subarray(at + i * stride, at + i * stride + cols), i * cols);
}

/** Row-major copies of the stored (rows×cols) matrices at `offsets`, transposed (cols×rows). */
function untranspose(
  x: Storage,
  batch: number,
  offsets: Int32Array,
  rows: number,
  cols: number,
): [Storage, Int32Array] {
  const out =
    x instanceof Float32Array
      ? new Float32Array(batch * rows * cols)
      : new Float64Array(batch * rows * cols);
  const offs = new Int32Array(batch);
  for (let t = 0; t < batch; t++) {
    offs[t] = t * rows * cols;
    const src = offsets[t];
    for (let r = 0; r < rows; r++)
      for (let q = 0; q < cols; q++) out[offs[t] + q * rows + r] = x[src + r * cols + q];
  }
  return [out, offs];
}

/** Bytes of WebAssembly memory one product needs (the layout of simdProduct). */
function scratchBytes(a: Storage, m: number, k: number, n: number): number {
  const es = a instanceof Float32Array ? 4 : 8;
  const tn = 32 / es;
  const mp = Math.ceil(m / 4) * 4;
  const np = Math.ceil(n / tn) * tn;
  // B as stored, room for an epilogue's bias row, then A packed (large products)
  return (
    align16(k * np * es) +
    align16(mp * np * es) +
    align16((mp * k + 4) * es) +
    align16(k * n * es) +
    align16(np * es) +
    mp * k * es
  );
}

/** Grows `mem` to at least `bytes`; false when the engine refuses (the JS path is used). */
function reserve(mem: WasmMemory, bytes: number): boolean {
  const have = mem.buffer.byteLength;
  if (have >= bytes) return true;
  try {
    mem.grow(Math.ceil((bytes - have) / 65536));
    return true;
  } catch {
    return false;
  }
}

/** From this many multiply-adds a product packs both operands into panels first. */
const PACK_MIN_WORK = 2 ** 25;

/** One product through the SIMD kernel; `packB` false reuses the B panels already in memory. */
function simdProduct(
  a: Storage,
  b: Storage,
  c: Storage,
  ao: number,
  bo: number,
  co: number,
  m: number,
  k: number,
  n: number,
  packB: boolean,
  ta: boolean,
  tb: boolean,
  epilogue?: Epilogue,
): void {
  const simd = simdMatmul()!;
  const f32 = a instanceof Float32Array;
  const es = f32 ? 4 : 8;
  const tn = 32 / es;
  const mp = Math.ceil(m / 4) * 4;
  const np = Math.ceil(n / tn) * tn;
  // Layout: [packed B | C | A as stored | B as stored], 16-byte aligned. The operands are
  // copied in whole (a memcpy); the kernel reads A as stored (its rows past m, read for
  // the padding rows of C only, fall in the slack after it) and B as stored when its
  // rows are whole tiles (n a multiple of TN, not transposed), else B packed into panels.
  const bPtr = 0;
  const cPtr = align16(bPtr + k * np * es);
  const rawA = align16(cPtr + mp * np * es);
  const rawB = align16(rawA + (mp * k + 4) * es);
  // The caller reserved scratchBytes(a, m, k, n) bytes.
  const heap = heapView(simd.memory.buffer, f32);
  // large products read both operands packed into panels (each panel's values
  // adjacent: reading them as stored, with strides of whole rows, ran 10–15 % slower at
  // 1024³); small ones (a network's layers) read them as stored and skip the packing
  const packAll = m * k * n >= PACK_MIN_WORK;
  const direct = !packAll && !tb && np === n;
  if (packB) {
    heap.set(b.subarray(bo, bo + k * n), rawB / es);
    // X[j, p] = B[p, j]: stored n×k when tb, else k×n
    const pack = f32 ? simd.pack32 : simd.pack64;
    if (n === 1) {
      // read as stored by the one-column kernel below
    } else if (tb) pack(rawB, bPtr, n, np, tn, k, k * es, es);
    else if (!direct) pack(rawB, bPtr, n, np, tn, k, es, n * es);
  }
  heap.set(a.subarray(ao, ao + m * k), rawA / es);
  const cEl = cPtr / es;
  const mm = f32 ? simd.mm32 : simd.mm64;
  if (n === 1) {
    // one column (a network's output layer): the rows of A as lanes, B as stored (n×k
    // and k×1 are the same values), the tiled kernel's sums without its padding columns
    const mv = f32 ? simd.mv32 : simd.mv64;
    if (ta) mv.t(rawA, rawB, cPtr, mp, k, es, m * es, es, np * es);
    else mv.r(rawA, rawB, cPtr, mp, k, k * es, es, k * es, np * es);
  } else if (packAll) {
    // row panels of 4: A[i + r, p] at aPtr + i·k·es + p·4·es + r·es
    const aPtr = align16(align16(rawB + k * n * es) + np * es);
    const pack = f32 ? simd.pack32 : simd.pack64;
    if (ta) pack(rawA, aPtr, m, mp, 4, k, es, m * es);
    else pack(rawA, aPtr, m, mp, 4, k, k * es, es);
    mm(aPtr, bPtr, cPtr, mp, np, k, k * es, 4 * es, es, k * es, 32);
  } else {
    // A[i, p] stored k×m when ta (4 adjacent rows per p), else m×k
    const [aI, aP, aR] = ta ? [es, m * es, es] : [k * es, es, k * es];
    if (direct) mm(rawA, rawB, cPtr, mp, np, k, aI, aP, aR, es, n * es);
    else mm(rawA, bPtr, cPtr, mp, np, k, aI, aP, aR, k * es, 32);
  }
  if (epilogue) {
    // the bias row, zero in C's padding columns, after B as stored
    const biasPtr = align16(rawB + k * n * es);
    heap.fill(0, biasPtr / es, biasPtr / es + np);
    heap.set(epilogue.bias, biasPtr / es);
    (f32 ? simd.bias32 : simd.bias64)[epilogue.act](cPtr, biasPtr, cPtr, np * es, m * np * es);
  }
  if (np === n) c.set(heap.subarray(cEl, cEl + m * n), co);
  else if (n < 16)
    // narrow C (a matrix-vector product): element copies beat one subarray per row
    for (let i = 0; i < m; i++) {
      const src = cEl + i * np;
      const dst = co + i * n;
      for (let j = 0; j < n; j++) c[dst + j] = heap[src + j];
    }
  else for (let i = 0; i < m; i++) c.set(heap.subarray(cEl + i * np, cEl + i * np + n), co + i * n);
}

let views: { buffer: ArrayBuffer; f32: Float32Array; f64: Float64Array } | null = null;

/** Views of the kernel's memory, made again only when it grows (a new buffer). */
function heapView(buffer: ArrayBuffer, f32: boolean): Float32Array | Float64Array {
  if (views === null || views.buffer !== buffer)
    views = { buffer, f32: new Float32Array(buffer), f64: new Float64Array(buffer) };
  return f32 ? views.f32 : views.f64;
}

/** Register-tiled JS product with float64 accumulation. */
function matmulJs(
  a: Storage,
  b: Storage,
  c: Storage,
  batch: number,
  m: number,
  k: number,
  n: number,
  aOffsets: Int32Array,
  bOffsets: Int32Array,
): void {
  const acc = new Float64Array(4 * n);
  for (let t = 0; t < batch; t++) {
    const ao = aOffsets[t];
    const bo = bOffsets[t];
    const co = t * m * n;
    for (let i = 0; i < m; i += 4) {
      const rows = Math.min(4, m - i);
      acc.fill(0);
      const r0 = ao + i * k;
      const r1 = r0 + k;
      const r2 = r1 + k;
      const r3 = r2 + k;
      for (let p0 = 0; p0 < k; p0 += KB) {
        const p1 = Math.min(p0 + KB, k);
        if (rows === 4) {
          for (let p = p0; p < p1; p++) {
            const a0 = a[r0 + p];
            const a1 = a[r1 + p];
            const a2 = a[r2 + p];
            const a3 = a[r3 + p];
            const bp = bo + p * n;
            for (let j = 0; j < n; j++) {
              const bv = b[bp + j];
              acc[j] += a0 * bv;
              acc[n + j] += a1 * bv;
              acc[2 * n + j] += a2 * bv;
              acc[3 * n + j] += a3 * bv;
            }
          }
        } else {
          for (let r = 0; r < rows; r++) {
            const ra = ao + (i + r) * k;
            const off = r * n;
            for (let p = p0; p < p1; p++) {
              const av = a[ra + p];
              const bp = bo + p * n;
              for (let j = 0; j < n; j++) acc[off + j] += av * b[bp + j];
            }
          }
        }
      }
      c.set(rows === 4 ? acc : acc.subarray(0, rows * n), co + i * n);
    }
  }
}

const ZERO = new Int32Array(1);

/**
 * C[r0:r1] = A[r0:r1]·op(B) on one thread, for products split across the pool
 * (see matmul-threads.ts): the task that worker threads import from this module.
 */
export function matmulRows(args: MatmulRowsArgs, r0: number, r1: number): void {
  const { a, b, c, k, n, tb } = args;
  if (r1 <= r0) return;
  matmulSerial(
    a.subarray(r0 * k, r1 * k),
    b,
    c.subarray(r0 * n, r1 * n),
    1,
    r1 - r0,
    k,
    n,
    ZERO,
    ZERO,
    false,
    tb,
  );
}

/** What matmul-threads.ts runs: rows of C on any thread, or a whole product on this one. */
const threadKernels: ThreadKernels = {
  rows: {
    run: { module: import.meta.url, name: "matmulRows", fn: matmulRows },
    lib: {},
  },
  serial: matmulSerial,
};
