/**
 * Matrix–vector products C = A·b (B one column) for the matmul module. The tiled kernel
 * pads a one-column B to a whole tile of 8 (float32) or 4 (float64) columns, so seven of
 * its eight float32 multiply-adds are wasted, as in a network's output layer (n = 1)
 * and its weight gradient. Here the vector lanes are 4 (or 2) rows of A instead, and
 * each lane sums A[i, p]·b[p] over p in order with the same multiply-add as the tiled
 * kernel: the values are those of the tiled kernel, bit for bit.
 */
import { I32, V128, type WasmFunction } from "./wasm/encode.js";
import {
  I32_ADD as ADD,
  I32_GE_U as GE_U,
  get,
  i32,
  loop,
  I32_MUL as MUL,
  madd,
  set,
  simd,
  v128Load,
  V128_ZERO as ZERO,
} from "./wasm/ops.js";

/**
 * Rows 1–3 of a group of four, `aR` bytes apart (local `aR`), as the tiled matmul
 * kernel and this one address them: `prologue` sets locals `ar2` = 2·aR and `ar3` =
 * 3·aR once; `plus[r]` adds row r's offset to the address on the stack.
 */
export function rowOffsets(
  aR: number,
  ar2: number,
  ar3: number,
): { prologue: number[]; plus: number[][] } {
  return {
    prologue: [...get(aR), ...i32(2), MUL, ...set(ar2), ...get(aR), ...i32(3), MUL, ...set(ar3)],
    plus: [[], [...get(aR), ADD], [...get(ar2), ADD], [...get(ar3), ADD]],
  };
}

/**
 * `mv<bits><r|t>(a, b, c, m, k, aI, aP, aR, cRow)`: C[i, 0] = Σ_p A[i, p]·b[p] for
 * i < m (a multiple of the lanes, 16/es), A[i + r, p] at byte `a + i·aI + p·aP + r·aR`
 * (the tiled kernel's strides), b[p] at `b + p·es`, C[i, 0] at `c + i·cRow`. `t`
 * (`adjacent`) when aR = es: the lanes' rows are one vector load; `r` gathers them.
 */
export function matvecKernel(es: 4 | 8, fused: boolean, adjacent: boolean): WasmFunction {
  const [pA, pB, pC, pM, pK, aI, aP, aR, cRow] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, pa, pb, pend, ar2, ar3, acc] = [9, 10, 11, 12, 13, 14, 15];
  const lanes = 16 / es;
  const splat = es === 4 ? 0x09 : 0x0a; // v128.load32_splat / v128.load64_splat
  const loadLane = es === 4 ? 0x56 : 0x57; // v128.load32_lane / v128.load64_lane
  const storeLane = es === 4 ? 0x5a : 0x5b; // v128.store32_lane / v128.store64_lane
  const align = es === 4 ? 2 : 3;
  const { prologue, plus: rowAt } = rowOffsets(aR, ar2, ar3);
  // A[i..i+lanes−1, p] as one vector
  let rows: number[];
  if (adjacent) rows = [...get(pa), ...v128Load(0)];
  else {
    rows = [...get(pa), ...simd(splat, align, 0)];
    for (let r = 1; r < lanes; r++) {
      // v128.loadN_lane takes the address, then the vector
      rows = [...get(pa), ...rowAt[r], ...rows, ...simd(loadLane, align, 0, r)];
    }
  }
  const inner = [
    ...madd(es, fused, get(acc), rows, [...get(pb), ...simd(splat, align, 0)]),
    ...set(acc),
    ...get(pa),
    ...get(aP),
    ADD,
    ...set(pa),
    ...get(pb),
    ...i32(es),
    ADD,
    ...set(pb),
  ];
  const store: number[] = [];
  for (let r = 0; r < lanes; r++)
    store.push(
      ...get(pC),
      ...get(i),
      ...i32(r),
      ADD,
      ...get(cRow),
      MUL,
      ADD,
      ...get(acc),
      ...simd(storeLane, align, 0, r),
    );
  const rowBody = [
    ...get(pA),
    ...get(i),
    ...get(aI),
    MUL,
    ADD,
    ...set(pa),
    ...get(pB),
    ...set(pb),
    ...ZERO,
    ...set(acc),
    ...loop([...get(pb), ...get(pend), GE_U], inner),
    ...store,
    ...get(i),
    ...i32(lanes),
    ADD,
    ...set(i),
  ];
  const body = [
    ...prologue,
    ...get(pB),
    ...get(pK),
    ...i32(es),
    MUL,
    ADD,
    ...set(pend),
    ...i32(0),
    ...set(i),
    ...loop([...get(i), ...get(pM), GE_U], rowBody),
  ];
  return {
    name: `mv${es * 8}${adjacent ? "t" : "r"}`,
    params: new Array<typeof I32>(9).fill(I32),
    locals: [...new Array<typeof I32>(6).fill(I32), V128],
    body,
  };
}
