/**
 * Instruction bytes, as small helpers that return arrays to splice into a body.
 * Names follow the WebAssembly text format (`f64x2.mul` is `f64x2Mul`).
 */
import { sleb, uleb } from "./encode.js";

/** local.get */
export const get = (i: number): number[] => [0x20, ...uleb(i)];
/** local.set */
export const set = (i: number): number[] => [0x21, ...uleb(i)];
/** local.tee */
export const tee = (i: number): number[] => [0x22, ...uleb(i)];
/** i32.const */
export const i32 = (v: number): number[] => [0x41, ...sleb(v)];
/** f64.const */
export function f64(v: number): number[] {
  return [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
}

// i32 arithmetic and comparisons
export const I32_EQZ = 0x45;
export const I32_LT_U = 0x49;
export const I32_GT_U = 0x4b;
export const I32_GE_U = 0x4f;
export const I32_ADD = 0x6a;
export const I32_SUB = 0x6b;
export const I32_MUL = 0x6c;
export const I32_AND = 0x71;
export const SELECT = 0x1b;
export const F64_ADD = 0xa0;

/** f64.load / f64.store with alignment exponent `align` and byte offset. */
export const f64Load = (align: number, offset: number): number[] => [0x2b, align, ...uleb(offset)];
export const f64Store = (align: number, offset: number): number[] => [0x39, align, ...uleb(offset)];

/** memory.copy (bulk memory) in memory 0: pops destination, source and byte count. */
export const MEMORY_COPY: number[] = [0xfc, 10, 0, 0];
/** memory.fill (bulk memory) in memory 0: pops destination, byte value and byte count. */
export const MEMORY_FILL: number[] = [0xfc, 11, 0];

/** A SIMD instruction: prefix 0xfd, LEB opcode, immediates. */
export const simd = (op: number, ...rest: number[]): number[] => [0xfd, ...uleb(op), ...rest];
/** v128.load with alignment exponent `align` and byte offset. */
export const v128Load = (offset: number, align = 4): number[] => simd(0x00, align, ...uleb(offset));
/** v128.store with alignment exponent `align` and byte offset. */
export const v128Store = (offset: number, align = 4): number[] =>
  simd(0x0b, align, ...uleb(offset));
/** v128.const from 16 bytes. */
export const v128Const = (bytes: ArrayLike<number>): number[] => simd(0x0c, ...Array.from(bytes));
/** v128.const of two float64 lanes holding `v`. */
export const f64x2Const = (v: number): number[] =>
  v128Const(new Uint8Array(new Float64Array([v, v]).buffer));
/** v128.const of two int64 lanes holding `v` (given as a bigint). */
export const i64x2Const = (v: bigint): number[] =>
  v128Const(new Uint8Array(new BigInt64Array([v, v]).buffer));
/** The zero vector. */
export const V128_ZERO = v128Const(new Uint8Array(16));

/** Opcodes (after the 0xfd prefix) of the SIMD instructions the kernels use. */
export const S = {
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f32x4Ne: 0x42,
  f64x2Eq: 0x47,
  f64x2Ne: 0x48,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  f64x2Le: 0x4b,
  f64x2Ge: 0x4c,
  v128Not: 0x4d,
  v128And: 0x4e,
  v128AndNot: 0x4f,
  v128Or: 0x50,
  v128Xor: 0x51,
  v128Bitselect: 0x52,
  v128AnyTrue: 0x53,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  i8x16Shuffle: 0x0d,
  i64x2Shl: 0xcb,
  i64x2ShrS: 0xcc,
  i64x2ShrU: 0xcd,
  i64x2Add: 0xce,
  i64x2Sub: 0xd1,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Max: 0xe9,
  f64x2Abs: 0xec,
  f64x2Neg: 0xed,
  f64x2Sqrt: 0xef,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  f64x2Min: 0xf4,
  f64x2Max: 0xf5,
  f64x2Pmin: 0xf6,
  f64x2Pmax: 0xf7,
  f32x4RelaxedMadd: 0x105,
  f64x2RelaxedMadd: 0x107,
} as const;

/** `i8x16.shuffle` lanes: the high 8 bytes of the first operand, in both halves. */
export const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** `i8x16.shuffle` lanes: the low 8 bytes of the first operand, then those of the second. */
export const LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/** The bytes of `a` and `b` picked by `lanes` (`i8x16.shuffle`), each operand code that pushes one v128. */
export const shuffle = (a: readonly number[], b: readonly number[], lanes: readonly number[]) => [
  ...a,
  ...b,
  ...simd(S.i8x16Shuffle, ...lanes),
];
/** float32 lanes 0–1 of `x` as two float64 lanes (`f64x2.promote_low_f32x4`). */
export const promoteLow = (x: readonly number[]): number[] => [
  ...x,
  ...simd(S.f64x2PromoteLowF32x4),
];
/** Two float64 lanes of `x` rounded once into float32 lanes 0–1, lanes 2–3 zero. */
export const demoteZero = (x: readonly number[]): number[] => [
  ...x,
  ...simd(S.f32x4DemoteF64x2Zero),
];

/**
 * acc + a·b over v128 lanes of `es` bytes (4: f32x4, 8: f64x2), each operand code
 * that pushes one v128: one `relaxed_madd` when `fused` (see `fusedMultiplyAdd`),
 * else a multiply then an add.
 */
export function madd(
  es: 4 | 8,
  fused: boolean,
  acc: readonly number[],
  a: readonly number[],
  b: readonly number[],
): number[] {
  if (fused)
    return [...a, ...b, ...acc, ...simd(es === 4 ? S.f32x4RelaxedMadd : S.f64x2RelaxedMadd)];
  return [
    ...acc,
    ...a,
    ...b,
    ...simd(es === 4 ? S.f32x4Mul : S.f64x2Mul),
    ...simd(es === 4 ? S.f32x4Add : S.f64x2Add),
  ];
}

/** `block (loop (br_if 1 exit) body (br 0))`: runs `body` until `exit` leaves non-zero. */
export function loop(exit: readonly number[], body: readonly number[]): number[] {
  return [0x02, 0x40, 0x03, 0x40, ...exit, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b];
}

/** `if cond then else end` with no result; the condition is on the stack. */
export function ifElse(then: readonly number[], otherwise: readonly number[] = []): number[] {
  return otherwise.length > 0
    ? [0x04, 0x40, ...then, 0x05, ...otherwise, 0x0b]
    : [0x04, 0x40, ...then, 0x0b];
}
