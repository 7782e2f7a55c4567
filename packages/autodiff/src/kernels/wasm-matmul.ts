/**
 * WebAssembly SIMD matmul micro-kernels, assembled at load time from the bytes below
 * (no toolchain, nothing prebuilt to ship). Each call computes C = A·B for one matrix
 * pair already copied into the module's memory (C need not be cleared first):
 * - A packed in row panels of 4 (panel i/4 holds, for p = 0..k−1, the four values
 *   A[i..i+3, p] together), m a multiple of 4;
 * - B packed in column panels of TN = 8 (float32) or 4 (float64) columns (panel j/TN
 *   holds, for p = 0..k−1, the TN values B[p, j..j+TN−1] together), n a multiple of TN;
 * - C row-major m×n.
 * The inner loop keeps a 4×TN tile of C in eight v128 registers and streams one packed
 * B row and four splatted A values per step; k is blocked by KC and m by MB so the
 * panels being reused stay in cache.
 */

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

// Opcodes.
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const ADD = 0x6a;
const SUB = 0x6b;
const EQZ = 0x45;
const MUL = 0x6c;
const GE_U = 0x4f;
const LT_U = 0x49;
const SELECT = 0x1b;
const simd = (op: number, ...rest: number[]) => [0xfd, ...uleb(op), ...rest];
const v128load = (offset: number) => simd(0x00, 4, ...uleb(offset));
const v128store = (offset: number) => simd(0x0b, 4, ...uleb(offset));
const ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
/** Rows of A per cache block. */
const MB = 64;
/** Depth (k) per cache block: a packed B panel chunk of KC·32 bytes stays in L1. */
const KC = 256;

/** for-style loop: `while (!(cond)) { body }`, where `exit` pushes the break condition. */
function loop(exit: number[], body: number[]): number[] {
  return [0x02, 0x40, 0x03, 0x40, ...exit, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b];
}

/** Kernel body for one element size (4 → f32x4, 8 → f64x2). */
function kernelBody(es: 4 | 8): number[] {
  const TN = 32 / es; // columns per tile (two v128)
  const [pA, pB, pC, pM, pN, pK] = [0, 1, 2, 3, 4, 5];
  const [kc, kend, i0, iend, j, i, pa, pb, pend, cp, cr, nes] = [
    6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
  ];
  const acc = (r: number, h: number) => 18 + r * 2 + h;
  const [b0, b1, av] = [26, 27, 28];
  const loadSplat = es === 4 ? 0x09 : 0x0a; // v128.load32_splat / v128.load64_splat
  const vadd = es === 4 ? simd(0xe4) : simd(0xf0);
  const vmul = es === 4 ? simd(0xe6) : simd(0xf2);
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
    inner.push(...get(pa), ...simd(loadSplat, es === 4 ? 2 : 3, ...uleb(r * es)), ...set(av));
    for (let h = 0; h < 2; h++)
      inner.push(
        ...get(acc(r, h)),
        ...get(av),
        ...get(h === 0 ? b0 : b1),
        ...vmul,
        ...vadd,
        ...set(acc(r, h)),
      );
  }
  inner.push(...get(pa), ...i32(4 * es), ADD, ...set(pa), ...get(pb), ...i32(32), ADD, ...set(pb));

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
  // A panel i/4 starts at i·k·es; B panel j/TN at j·k·es; advancing 4·es and 32 bytes per p.
  tile.push(
    ...get(pA),
    ...get(i),
    ...get(pK),
    MUL,
    ...get(kc),
    ...i32(4),
    MUL,
    ADD,
    ...i32(es),
    MUL,
    ADD,
    ...set(pa),
  );
  tile.push(
    ...get(pB),
    ...get(j),
    ...get(pK),
    MUL,
    ...get(kc),
    ...i32(TN),
    MUL,
    ADD,
    ...i32(es),
    MUL,
    ADD,
    ...set(pb),
  );
  tile.push(...get(pa), ...get(kend), ...get(kc), SUB, ...i32(4 * es), MUL, ADD, ...set(pend));
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
    ...i32(0),
    ...set(kc),
    ...loop([...get(kc), ...get(pK), GE_U], kcBody),
    0x0b,
  ];
  const locals = [2, 12, I32, 11, V128];
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  const type = [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 0];
  const imports = [1, ...str("env"), ...str("mem"), 0x02, 0x00, 1];
  const funcs = [2, 0, 0];
  const exports = [2, ...str("mm32"), 0x00, 0, ...str("mm64"), 0x00, 1];
  const code = [2, ...kernelBody(4), ...kernelBody(8)];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, type),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

type Kernel = (a: number, b: number, c: number, m: number, n: number, k: number) => void;

/** The slice of the WebAssembly JS API used here (the project's type libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

/** The instantiated kernels and their memory, or null where WebAssembly SIMD is unavailable. */
export interface SimdMatmul {
  memory: WasmMemory;
  mm32: Kernel;
  mm64: Kernel;
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
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    const bytes = moduleBytes();
    if (wasm === undefined || !wasm.validate(bytes)) {
      cached = null;
      return cached;
    }
    const memory = new wasm.Memory({ initial: 1 });
    const inst = new wasm.Instance(new wasm.Module(bytes), { env: { mem: memory } });
    const ex = inst.exports as unknown as { mm32: Kernel; mm64: Kernel };
    cached = { memory, mm32: ex.mm32, mm64: ex.mm64 };
  } catch {
    cached = null;
  }
  return cached;
}
