/**
 * A WebAssembly SIMD kernel for the cross-product's inner loop, assembled from the
 * bytes below at run time (no toolchain, nothing prebuilt to ship). `dot22(a0, a1,
 * b0, b1, bytes, out)` computes the four dot products aᵢ·bⱼ of two pairs of float64
 * vectors held in the module's memory, two rows per f64x2 step, and stores them at
 * `out`. Self-contained (no module references) because worker threads build it
 * from its source text.
 */

/** The kernel and the memory it works in. */
export interface SimdDot {
  dot22(a0: number, a1: number, b0: number, b1: number, bytes: number, out: number): void;
  /** dst[i] = w[i]·src[i] over `bytes` bytes (a multiple of 16) at byte offsets dst, src, w. */
  scale(dst: number, src: number, w: number, bytes: number): void;
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
}

/** Builds the kernel, or returns null where WebAssembly SIMD is unavailable. */
export function createSimdDot(): SimdDot | null {
  const simd = (op: number) => [0xfd, ...(op < 128 ? [op] : [(op & 0x7f) | 0x80, op >> 7])];
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const load = (ptr: number) => [...get(ptr), ...get(6), 0x6a, ...simd(0x00), 3, 0];
  // s = s + u·v  (f64x2.mul = 242, f64x2.add = 240)
  const fma = (s: number, u: number, v: number) => [
    ...get(s),
    ...get(u),
    ...get(v),
    ...simd(242),
    ...simd(240),
    ...set(s),
  ];
  // out[k] = lane0(s) + lane1(s)   (f64x2.extract_lane = 33, f64.store)
  const store = (s: number, k: number) => [
    ...get(5),
    ...get(s),
    ...simd(33),
    0,
    ...get(s),
    ...simd(33),
    1,
    0xa0,
    0x39,
    3,
    k * 8,
  ];
  const body = [
    // locals: 6 = i (i32), 7..10 = s00 s01 s10 s11, 11..14 = u0 u1 v0 v1 (v128, zero-initialised)
    2,
    1,
    0x7f,
    8,
    0x7b,
    0x02,
    0x40,
    0x03,
    0x40,
    ...get(6),
    ...get(4),
    0x4f,
    0x0d,
    1,
    ...load(0),
    ...set(11),
    ...load(1),
    ...set(12),
    ...load(2),
    ...set(13),
    ...load(3),
    ...set(14),
    ...fma(7, 11, 13),
    ...fma(8, 11, 14),
    ...fma(9, 12, 13),
    ...fma(10, 12, 14),
    ...get(6),
    0x41,
    16,
    0x6a,
    ...set(6),
    0x0c,
    0,
    0x0b,
    0x0b,
    ...store(7, 0),
    ...store(8, 1),
    ...store(9, 2),
    ...store(10, 3),
    0x0b,
  ];
  // scale(dst, src, w, bytes): locals 4 = i (i32); dst[i] = src[i]·w[i], two rows per step
  const scaleBody = [
    1,
    1,
    0x7f,
    0x02,
    0x40,
    0x03,
    0x40,
    ...get(4),
    ...get(3),
    0x4f,
    0x0d,
    1,
    ...get(0),
    ...get(4),
    0x6a,
    ...get(1),
    ...get(4),
    0x6a,
    ...simd(0x00),
    3,
    0,
    ...get(2),
    ...get(4),
    0x6a,
    ...simd(0x00),
    3,
    0,
    ...simd(242),
    // v128.store
    ...simd(0x0b),
    3,
    0,
    ...get(4),
    0x41,
    16,
    0x6a,
    ...set(4),
    0x0c,
    0,
    0x0b,
    0x0b,
    0x0b,
  ];
  const section = (id: number, bytes: number[]) => {
    const size: number[] = [];
    let n = bytes.length;
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      size.push(b);
    } while (n);
    return [id, ...size, ...bytes];
  };
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const bytes = new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(
      1,
      [2, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0],
    ),
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 0, 1]),
    ...section(7, [3, ...name("dot22"), 0, 0, ...name("scale"), 0, 1, ...name("mem"), 2, 0]),
    ...section(10, [2, ...section(0, body).slice(1), ...section(0, scaleBody).slice(1)]),
  ]);
  try {
    // typed loosely: the project's TypeScript lib set does not declare WebAssembly
    const wasm = (
      globalThis as unknown as { WebAssembly?: Record<string, new (...a: unknown[]) => unknown> }
    ).WebAssembly;
    if (!wasm) return null;
    const module = new wasm.Module(bytes);
    const instance = new wasm.Instance(module, {}) as {
      exports: { dot22: SimdDot["dot22"]; scale: SimdDot["scale"]; mem: SimdDot["memory"] };
    };
    const { dot22, scale, mem } = instance.exports;
    return { dot22, scale, memory: mem };
  } catch {
    return null;
  }
}
