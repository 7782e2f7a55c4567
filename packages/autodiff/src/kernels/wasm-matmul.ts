/**
 * WebAssembly SIMD matmul micro-kernels, assembled at load time from the bytes below
 * (no toolchain, nothing prebuilt to ship). Each call computes C = A·B for one matrix
 * pair already copied into the module's memory (C need not be cleared first). The
 * operands are read through strides, so the kernel takes them packed or as stored:
 * - A[i + r, p] at byte `a + i·aI + p·aP + r·aR` (i a multiple of 4, r < 4), m a multiple
 *   of 4: packed row panels of 4 (aI = k·es, aP = 4·es, aR = es), row-major m×k
 *   (aI = k·es, aP = es, aR = k·es) or stored transposed k×m (aI = es, aP = m·es, aR = es);
 * - the TN = 8 (float32) or 4 (float64) values B[p, j..j+TN−1] adjacent at byte
 *   `b + j·bJ + p·bP`, n a multiple of TN: packed column panels (bJ = k·es, bP = 32) or
 *   row-major k×n (bJ = es, bP = n·es);
 * - C row-major m×n.
 * Reading A and B as stored skips packing; the arithmetic, and so the result, is the same.
 * The inner loop keeps a 4×TN tile of C in eight v128 registers and streams one packed
 * B row and four splatted A values per step; k is blocked by KC and m by MB so the
 * panels being reused stay in cache.
 */

import { I32, V128, wasmModule } from "./wasm/encode.js";
import { fusedMultiplyAdd, instantiate, newMemory, type WasmMemory } from "./wasm/instance.js";
import {
  I32_ADD as ADD,
  I32_EQZ as EQZ,
  I32_GE_U as GE_U,
  get,
  i32,
  ifElse,
  I32_LT_U as LT_U,
  loop,
  I32_MUL as MUL,
  madd,
  SELECT,
  I32_SUB as SUB,
  set,
  simd,
  v128Load as v128load,
  v128Store as v128store,
  V128_ZERO as ZERO,
} from "./wasm/ops.js";
import {
  BIAS_ACTS,
  type BiasAct,
  type BiasActivation,
  biasKernel,
  binaryKernel,
  columnSumKernel,
} from "./wasm-elementwise.js";
import { matvecKernel, rowOffsets } from "./wasm-matvec.js";

export type { WasmMemory };

/** Rows of A per cache block. */
const MB = 64;
/** Depth (k) per cache block: a packed B panel chunk of KC·32 bytes stays in L1. */
const KC = 256;

/**
 * Kernel body for one element size (4 → f32x4, 8 → f64x2), with fused
 * multiply-adds when `fused`.
 */
function kernelBody(es: 4 | 8, fused: boolean): number[] {
  const TN = 32 / es; // columns per tile (two v128)
  const [pA, pB, pC, pM, pN, pK, aI, aP, aR, bJ, bP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [kc, kend, i0, iend, j, i, pa, pb, pend, cp, cr, nes, ar2, ar3] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
  ];
  const acc = (r: number, h: number) => 25 + r * 2 + h;
  const [b0, b1, av] = [33, 34, 35];
  // byte offset of row r of the 4-row group from pa
  const { prologue, plus: rowOff } = rowOffsets(aR, ar2, ar3);
  const loadSplat = es === 4 ? 0x09 : 0x0a; // v128.load32_splat / v128.load64_splat
  const min = (x: number[], y: number[]) => [...x, ...y, ...x, ...y, LT_U, SELECT];

  // One step of p: a packed B row (TN values) times a packed A column (4 values).
  const inner: number[] = [
    ...get(pb),
    ...v128load(0),
    ...set(b0),
    ...get(pb),
    ...v128load(16),
    ...set(b1),
  ];
  for (let r = 0; r < 4; r++) {
    inner.push(...get(pa), ...rowOff[r], ...simd(loadSplat, es === 4 ? 2 : 3, 0), ...set(av));
    for (let h = 0; h < 2; h++)
      inner.push(
        ...madd(es, fused, get(acc(r, h)), get(av), get(h === 0 ? b0 : b1)),
        ...set(acc(r, h)),
      );
  }
  inner.push(...get(pa), ...get(aP), ADD, ...set(pa), ...get(pb), ...get(bP), ADD, ...set(pb));

  // One 4×TN tile of C over the k-block [kc, kend): load, accumulate, store.
  const tile: number[] = [];
  tile.push(
    ...get(pC),
    ...get(i),
    ...get(pN),
    MUL,
    ...get(j),
    ADD,
    ...i32(es),
    MUL,
    ADD,
    ...set(cp),
  );
  // First k-block: start from zero (C need not be cleared); later ones: load C.
  const zero: number[] = [];
  for (let r = 0; r < 4; r++) for (let h = 0; h < 2; h++) zero.push(...ZERO, ...set(acc(r, h)));
  const load: number[] = [...get(cp), ...set(cr)];
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) load.push(...get(cr), ...v128load(16 * h), ...set(acc(r, h)));
    load.push(...get(cr), ...get(nes), ADD, ...set(cr));
  }
  tile.push(...get(kc), EQZ, 0x04, 0x40, ...zero, 0x05, ...load, 0x0b);
  // rows i.. of A from a + i·aI + kc·aP, columns j.. of B from b + j·bJ + kc·bP
  tile.push(
    ...get(pA),
    ...get(i),
    ...get(aI),
    MUL,
    ADD,
    ...get(kc),
    ...get(aP),
    MUL,
    ADD,
    ...set(pa),
  );
  tile.push(
    ...get(pB),
    ...get(j),
    ...get(bJ),
    MUL,
    ADD,
    ...get(kc),
    ...get(bP),
    MUL,
    ADD,
    ...set(pb),
  );
  tile.push(...get(pa), ...get(kend), ...get(kc), SUB, ...get(aP), MUL, ADD, ...set(pend));
  tile.push(...loop([...get(pa), ...get(pend), GE_U], inner));
  tile.push(...get(cp), ...set(cr));
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) tile.push(...get(cr), ...get(acc(r, h)), ...v128store(16 * h));
    tile.push(...get(cr), ...get(nes), ADD, ...set(cr));
  }
  tile.push(...get(i), ...i32(4), ADD, ...set(i));

  const jBody = [
    ...get(i0),
    ...set(i),
    ...loop([...get(i), ...get(iend), GE_U], tile),
    ...get(j),
    ...i32(TN),
    ADD,
    ...set(j),
  ];
  const i0Body = [
    ...min([...get(i0), ...i32(MB)].concat([ADD]), get(pM)),
    ...set(iend),
    ...i32(0),
    ...set(j),
    ...loop([...get(j), ...get(pN), GE_U], jBody),
    ...get(i0),
    ...i32(MB),
    ADD,
    ...set(i0),
  ];
  const kcBody = [
    ...min([...get(kc), ...i32(KC), ADD], get(pK)),
    ...set(kend),
    ...i32(0),
    ...set(i0),
    ...loop([...get(i0), ...get(pM), GE_U], i0Body),
    ...get(kc),
    ...i32(KC),
    ADD,
    ...set(kc),
  ];
  const code = [
    ...get(pN),
    ...i32(es),
    MUL,
    ...set(nes),
    ...prologue,
    ...i32(0),
    ...set(kc),
    ...loop([...get(kc), ...get(pK), GE_U], kcBody),
  ];
  return code;
}

/**
 * Packing into panels (the layout above): `pack(src, dst, outer, padded, width, k, sOuter, sK)`
 * writes, for each group g0 = 0, width, … < padded and each p < k, the `width` values
 * X[g0 + t, p] (t < width) to dst, zero where g0 + t ≥ outer. X[i, p] is the element at
 * byte `src + i·sOuter + p·sK`, so one kernel packs A (groups of 4 rows) and B (groups of
 * TN columns), stored transposed or not. Full groups whose values are adjacent
 * (sOuter = element size) are copied as whole vectors.
 */
function packBody(es: 4 | 8): number[] {
  const [src, dst, outer, padded, width, k, sOuter, sK] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [g0, p, t, o, base, idx, full, bytes] = [8, 9, 10, 11, 12, 13, 14, 15];
  const load = es === 4 ? [0x2a, 2, 0] : [0x2b, 3, 0];
  const store = es === 4 ? [0x38, 2, 0] : [0x39, 3, 0];
  const zero = es === 4 ? [0x43, 0, 0, 0, 0] : [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
  const vectors = [
    ...get(o),
    ...get(base),
    ...v128load(0, 0),
    ...v128store(0, 0),
    ...get(bytes),
    ...i32(32),
    0x46, // i32.eq
    0x04,
    0x40,
    ...get(o),
    ...get(base),
    ...v128load(16, 0),
    ...v128store(16, 0),
    0x0b,
  ];
  // dst[o + t·es] = idx < outer ? X[idx, p] : 0, idx = g0 + t (the address clamped to src past the edge)
  const scalar = [
    ...i32(0),
    ...set(t),
    ...loop(
      [...get(t), ...get(width), GE_U],
      [
        ...get(o),
        ...get(t),
        ...i32(es),
        MUL,
        ADD,
        ...get(g0),
        ...get(t),
        ADD,
        ...set(idx),
        ...get(base),
        ...get(t),
        ...get(sOuter),
        MUL,
        ADD,
        ...get(src),
        ...get(idx),
        ...get(outer),
        LT_U,
        SELECT,
        ...load,
        ...zero,
        ...get(idx),
        ...get(outer),
        LT_U,
        SELECT,
        ...store,
        ...get(t),
        ...i32(1),
        ADD,
        ...set(t),
      ],
    ),
  ];
  const pBody = [
    ...get(src),
    ...get(g0),
    ...get(sOuter),
    MUL,
    ADD,
    ...get(p),
    ...get(sK),
    MUL,
    ADD,
    ...set(base),
    ...get(full),
    ...ifElse(vectors, scalar),
    ...get(o),
    ...get(bytes),
    ADD,
    ...set(o),
    ...get(p),
    ...i32(1),
    ADD,
    ...set(p),
  ];
  // float32 groups whose rows run along p (sK = 4): 4×4 blocks transposed with shuffles,
  // four steps of p at a time; the p left over go through the loop below
  const transposed: number[] = [];
  if (es === 4) {
    const R = [16, 17, 18, 19];
    const T = [20, 21, 22, 23];
    const shuffle = (a: number, b: number, lanes: number[]) => [
      ...get(a),
      ...get(b),
      ...simd(0x0d, ...lanes),
    ];
    const LO = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
    const HI = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
    const HALF0 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
    const HALF1 = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
    const block = (c: number) => {
      const out: number[] = [];
      for (let j = 0; j < 4; j++)
        out.push(
          ...get(src),
          ...get(g0),
          ...i32(4 * c + j),
          ADD,
          ...get(sOuter),
          MUL,
          ADD,
          ...get(p),
          ...i32(4),
          MUL,
          ADD,
          ...v128load(0, 0),
          ...set(R[j]),
        );
      out.push(...shuffle(R[0], R[1], LO), ...set(T[0]), ...shuffle(R[2], R[3], LO), ...set(T[1]));
      out.push(...shuffle(R[0], R[1], HI), ...set(T[2]), ...shuffle(R[2], R[3], HI), ...set(T[3]));
      const rows = [
        [T[0], T[1], HALF0],
        [T[0], T[1], HALF1],
        [T[2], T[3], HALF0],
        [T[2], T[3], HALF1],
      ] as const;
      rows.forEach(([a, b, lanes], q) => {
        out.push(
          ...get(o),
          ...get(bytes),
          ...i32(q),
          MUL,
          ADD,
          ...shuffle(a, b, [...lanes]),
          ...v128store(16 * c, 0),
        );
      });
      return out;
    };
    const step = [
      ...block(0),
      ...get(width),
      ...i32(8),
      0x46, // i32.eq
      ...ifElse(block(1)),
      ...get(o),
      ...get(bytes),
      ...i32(4),
      MUL,
      ADD,
      ...set(o),
      ...get(p),
      ...i32(4),
      ADD,
      ...set(p),
    ];
    transposed.push(
      ...get(g0),
      ...get(width),
      ADD,
      ...get(outer),
      0x4d, // i32.le_u
      ...get(sK),
      ...i32(4),
      0x46,
      0x71, // i32.and
      ...ifElse(loop([...get(p), ...i32(4), ADD, ...get(k), 0x4b /* i32.gt_u */], step)),
    );
  }
  const gBody = [
    // full: the whole group lies inside and its values are adjacent
    ...get(g0),
    ...get(width),
    ADD,
    ...get(outer),
    0x4d, // i32.le_u
    ...get(sOuter),
    ...i32(es),
    0x46, // i32.eq
    0x71, // i32.and
    ...set(full),
    ...i32(0),
    ...set(p),
    ...transposed,
    ...loop([...get(p), ...get(k), GE_U], pBody),
    ...get(g0),
    ...get(width),
    ADD,
    ...set(g0),
  ];
  return [
    ...get(dst),
    ...set(o),
    ...get(width),
    ...i32(es),
    MUL,
    ...set(bytes),
    ...i32(0),
    ...set(g0),
    ...loop([...get(g0), ...get(padded), GE_U], gBody),
  ];
}

const i32s = (n: number) => new Array<typeof I32>(n).fill(I32);

/**
 * @internal The module: `mm32` and `mm64` over an imported memory, with fused
 * multiply-adds where the runtime has them (or as `fused` says); `shared` for a memory
 * made with `newSharedMemory` (several threads' kernels in one memory).
 */
export function matmulModuleBytes(fused = fusedMultiplyAdd(), shared = false): Uint8Array {
  const params = i32s(11);
  const locals = [...i32s(14), ...new Array<typeof V128>(11).fill(V128)];
  return wasmModule({
    memory: { import: true, shared },
    functions: [
      { name: "mm32", params, locals, body: kernelBody(4, fused) },
      { name: "mm64", params, locals, body: kernelBody(8, fused) },
      {
        name: "pack32",
        params: i32s(8),
        locals: [...i32s(8), ...new Array<typeof V128>(8).fill(V128)],
        body: packBody(4),
      },
      { name: "pack64", params: i32s(8), locals: i32s(8), body: packBody(8) },
      // a dense layer's epilogue act(C + bias) on C in place, before C is copied out:
      // the elementwise module's own kernels, so the values are the same bit for bit
      // (two vectors a turn: C's rows are whole 32-byte tiles)
      ...BIAS_ACTS.flatMap((act) => [biasKernel(act, 4, 2, fused), biasKernel(act, 8, 2, fused)]),
      // and its backward: tanh's derivative and the bias gradient (column sums)
      binaryKernel("tanhGrad", 4),
      binaryKernel("tanhGrad", 8),
      columnSumKernel(4),
      columnSumKernel(8),
      // one-column products, without the tiles' padding columns
      ...[4, 8].flatMap((es) => [true, false].map((t) => matvecKernel(es as 4 | 8, fused, t))),
    ],
  });
}

/** C (at byte `c`, m×n) = A·B with A and B read through the strides described above. */
export type Kernel = (
  a: number,
  b: number,
  c: number,
  m: number,
  n: number,
  k: number,
  aI: number,
  aP: number,
  aR: number,
  bJ: number,
  bP: number,
) => void;
/** `(a, b, c, m, k, aI, aP, aR, cRow)`: C[i, 0] = Σ A[i, p]·b[p] (see wasm-matvec.ts). */
export type MatVec = (
  a: number,
  b: number,
  c: number,
  m: number,
  k: number,
  aI: number,
  aP: number,
  aR: number,
  cRow: number,
) => void;
/** See {@link packBody}. */
export type Pack = (
  src: number,
  dst: number,
  outer: number,
  padded: number,
  width: number,
  k: number,
  sOuter: number,
  sK: number,
) => void;

/** The instantiated kernels and their memory, or null where WebAssembly SIMD is unavailable. */
export interface SimdMatmul {
  memory: WasmMemory;
  mm32: Kernel;
  mm64: Kernel;
  pack32: Pack;
  pack64: Pack;
  /** The bias + activation epilogues by activation, float32 and float64. */
  bias32: Record<BiasActivation, BiasAct>;
  bias64: Record<BiasActivation, BiasAct>;
  /** One-column products (see wasm-matvec.ts), A's rows as stored (`r`) or adjacent (`t`). */
  mv32: { r: MatVec; t: MatVec };
  mv64: { r: MatVec; t: MatVec };
  /** `(g, y, dst, bytes)`: dst = g·(1 − y²). */
  tanhGrad32: (g: number, y: number, dst: number, bytes: number) => void;
  tanhGrad64: (g: number, y: number, dst: number, bytes: number) => void;
  /** `(src, acc, rowBytes, bytes)`: float64 acc[j] += src[row, j], rows in order. */
  colsum32: (src: number, acc: number, rowBytes: number, bytes: number) => void;
  colsum64: (src: number, acc: number, rowBytes: number, bytes: number) => void;
}

let cached: SimdMatmul | null | undefined;

/**
 * Drops the instance and its memory (WebAssembly memory cannot shrink), so one huge
 * product does not pin its scratch space for the life of the process.
 */
export function releaseSimdMatmul(): void {
  if (cached) cached = undefined;
}

/** Instantiates the SIMD kernels once (synchronously; the module is a few hundred bytes). */
export function simdMatmul(): SimdMatmul | null {
  if (cached !== undefined) return cached;
  const memory = newMemory(1);
  const ex = memory && instantiate(matmulModuleBytes(), { env: { mem: memory } });
  cached =
    memory && ex
      ? {
          memory,
          mm32: ex.mm32 as Kernel,
          mm64: ex.mm64 as Kernel,
          pack32: ex.pack32 as Pack,
          pack64: ex.pack64 as Pack,
          bias32: Object.fromEntries(BIAS_ACTS.map((a) => [a, ex[`bias${a}32x2`]])) as Record<
            BiasActivation,
            BiasAct
          >,
          mv32: { r: ex.mv32r as MatVec, t: ex.mv32t as MatVec },
          mv64: { r: ex.mv64r as MatVec, t: ex.mv64t as MatVec },
          tanhGrad32: ex.tanhGrad32 as SimdMatmul["tanhGrad32"],
          tanhGrad64: ex.tanhGrad64 as SimdMatmul["tanhGrad64"],
          colsum32: ex.colsum32 as SimdMatmul["colsum32"],
          colsum64: ex.colsum64 as SimdMatmul["colsum64"],
          bias64: Object.fromEntries(BIAS_ACTS.map((a) => [a, ex[`bias${a}64x2`]])) as Record<
            BiasActivation,
            BiasAct
          >,
        }
      : null;
  return cached;
}
