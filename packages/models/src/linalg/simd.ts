/**
 * WebAssembly SIMD kernels for the cross-product, assembled from the bytes below
 * at run time (no toolchain, nothing prebuilt to ship). They work on float64
 * vectors held in the module's memory, two rows per f64x2 step; each worker thread
 * builds its own. The module is built with the code generator of @geoml/autodiff.
 */
import * as w from "@geoml/autodiff/wasm";

/** The kernels and the memory they work in; every pointer is a byte offset into it. */
export interface SimdKernels {
  /** dst[i] = w[i]·src[i] over `bytes` bytes (a multiple of 16). */
  scale(dst: number, src: number, w: number, bytes: number): void;
  /**
   * The lower triangle of Aᵀ B for q columns (q even) of `bytes` bytes each (a
   * multiple of 16), column j of A at `a + j·stride` and of B at `b + j·strideB`,
   * added to the q×q row-major float64 matrix at `acc` in 2×2 tiles: the diagonal
   * tiles also add to the entries just above the diagonal.
   */
  triangle(
    a: number,
    b: number,
    q: number,
    stride: number,
    bytes: number,
    acc: number,
    strideB: number,
  ): void;
  /**
   * out[i] += Σⱼ coef[j]·colⱼ[i] for p columns of `bytes` bytes (a multiple of 16),
   * column j at `cols + j·stride`, the float64 coefficients at `coef`.
   */
  combine(cols: number, stride: number, p: number, bytes: number, coef: number, out: number): void;
  /**
   * A family's row kernel (`WasmRowKernel` of @geoml/losses) when the module was built
   * with one: `rows(eta, offset, y, w, mu, W, z, bytes)` returns the rows' deviance.
   */
  rows?: (...pointersAndBytes: number[]) => number;
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
}

/**
 * Builds the kernels, with a family's row kernel `rows` among them when given, or
 * returns null where WebAssembly SIMD is unavailable. They work in their own memory,
 * or in `shared` (from `newSharedMemory`) when given.
 */
export function createSimdKernels(
  rows?: w.WasmFunction,
  shared?: w.WasmMemory,
): SimdKernels | null {
  const ex = w.instantiate(linalgModuleBytes(rows, shared !== undefined), { env: { mem: shared } });
  if (ex === null) return null;
  return {
    scale: ex.scale as SimdKernels["scale"],
    triangle: ex.triangle as SimdKernels["triangle"],
    combine: ex.combine as SimdKernels["combine"],
    ...(rows ? { rows: ex.rows as NonNullable<SimdKernels["rows"]> } : {}),
    memory: shared ?? (ex.mem as SimdKernels["memory"]),
  };
}

/**
 * @internal The module's bytes: `scale`, `triangle`, `combine` (and `rows` when given)
 * and the exported memory `mem`, or with `shared` an imported shared `env.mem`.
 */
export function linalgModuleBytes(rowKernel?: w.WasmFunction, shared = false): Uint8Array {
  const { get, set, i32, simd, S: op } = w;
  const block = [0x02, 0x40];
  const loop = [0x03, 0x40];
  const end = 0x0b;
  const brIf = (depth: number) => [0x0d, depth];
  const br = (depth: number) => [0x0c, depth];
  const v128Load = w.v128Load(0, 3);
  const v128Store = w.v128Store(0, 3);
  const f64x2Add = simd(op.f64x2Add);
  const f64x2Mul = simd(op.f64x2Mul);
  const lane = (l: number) => simd(op.f64x2ExtractLane, l);
  const zero = w.V128_ZERO;
  const add = w.I32_ADD;
  const mul = w.I32_MUL;
  /** `for (v = 0; !exit; v += step) body`; `exit` leaves an i32 condition. */
  const forLoop = (v: number, step: number, exit: number[], body: number[]) => [
    ...i32(0),
    ...set(v),
    ...block,
    ...loop,
    ...exit,
    ...brIf(1),
    ...body,
    ...get(v),
    ...i32(step),
    add,
    ...set(v),
    ...br(0),
    end,
    end,
  ];
  const geU = w.I32_GE_U;
  /** Two rows (16 bytes) per step: `for (i = 0; i < limit; i += 16) body`. */
  const rows = (i: number, limit: number, body: number[]) =>
    forLoop(i, 16, [...get(i), ...get(limit), geU], body);

  // scale(dst 0, src 1, w 2, bytes 3); local 4 = i
  const scale = [
    ...rows(4, 3, [
      ...get(0),
      ...get(4),
      add,
      ...get(1),
      ...get(4),
      add,
      ...v128Load,
      ...get(2),
      ...get(4),
      add,
      ...v128Load,
      ...f64x2Mul,
      ...v128Store,
    ]),
  ];

  // triangle(a 0, b 1, q 2, stride 3, bytes 4, acc 5, strideB 6); locals: 7 j, 8 k, 9 i,
  // 10 a0, 11 a1, 12 b0, 13 b1, 14 address (i32); 15..18 s00 s01 s10 s11, 19..22 u0 u1
  // v0 v1 (v128)
  const [J, K, I, A0, A1, B0, B1, AD] = [7, 8, 9, 10, 11, 12, 13, 14];
  const S = [15, 16, 17, 18];
  const [U0, U1, V0, V1] = [19, 20, 21, 22];
  const loadAt = (ptr: number, to: number) => [
    ...get(ptr),
    ...get(I),
    add,
    ...v128Load,
    ...set(to),
  ];
  // s = s + u·v
  const fma = (s: number, u: number, v: number) => [
    ...get(s),
    ...get(u),
    ...get(v),
    ...f64x2Mul,
    ...f64x2Add,
    ...set(s),
  ];
  // acc[address + offset] += lane0(s) + lane1(s)
  const accumulate = (s: number, offset: number) => [
    ...get(AD),
    ...get(AD),
    ...w.f64Load(3, offset),
    ...get(s),
    ...lane(0),
    ...get(s),
    ...lane(1),
    w.F64_ADD,
    w.F64_ADD,
    ...w.f64Store(3, offset),
  ];
  const column = (base: number, index: number, stride: number, to: number) => [
    ...get(base),
    ...get(index),
    ...get(stride),
    mul,
    add,
    ...set(to),
  ];
  const tile = [
    ...column(1, K, 6, B0),
    ...get(B0),
    ...get(6),
    add,
    ...set(B1),
    ...S.flatMap((s) => [...zero, ...set(s)]),
    ...rows(I, 4, [
      ...loadAt(A0, U0),
      ...loadAt(A1, U1),
      ...loadAt(B0, V0),
      ...loadAt(B1, V1),
      ...fma(S[0], U0, V0),
      ...fma(S[1], U0, V1),
      ...fma(S[2], U1, V0),
      ...fma(S[3], U1, V1),
    ]),
    // address = acc + (j·q + k)·8; row j + 1 is q·8 bytes further
    ...get(5),
    ...get(J),
    ...get(2),
    mul,
    ...get(K),
    add,
    ...i32(8),
    mul,
    add,
    ...set(AD),
    ...accumulate(S[0], 0),
    ...accumulate(S[1], 8),
    ...get(AD),
    ...get(2),
    ...i32(8),
    mul,
    add,
    ...set(AD),
    ...accumulate(S[2], 0),
    ...accumulate(S[3], 8),
  ];
  const triangle = [
    ...forLoop(
      J,
      2,
      [...get(J), ...get(2), geU],
      [
        ...column(0, J, 3, A0),
        ...get(A0),
        ...get(3),
        add,
        ...set(A1),
        // k runs up to j inclusive: exit when k > j (i32.gt_u)
        ...forLoop(K, 2, [...get(K), ...get(J), w.I32_GT_U], tile),
      ],
    ),
  ];

  // combine(cols 0, stride 1, p 2, bytes 3, coef 4, out 5); locals: 6 j, 7 i, 8 column
  // (i32), 9 the coefficient (v128)
  const combine = [
    ...forLoop(
      6,
      1,
      [...get(6), ...get(2), geU],
      [
        // coefficient j in both lanes (f64.load, f64x2.splat)
        ...get(4),
        ...get(6),
        ...i32(8),
        mul,
        add,
        ...w.f64Load(3, 0),
        ...simd(op.f64x2Splat),
        ...set(9),
        ...get(0),
        ...get(6),
        ...get(1),
        mul,
        add,
        ...set(8),
        ...rows(7, 3, [
          ...get(5),
          ...get(7),
          add,
          ...get(5),
          ...get(7),
          add,
          ...v128Load,
          ...get(9),
          ...get(8),
          ...get(7),
          add,
          ...v128Load,
          ...f64x2Mul,
          ...f64x2Add,
          ...v128Store,
        ]),
      ],
    ),
  ];

  const { I32, V128 } = w;
  const i32s = (n: number) => new Array<typeof I32>(n).fill(I32);
  return w.wasmModule({
    memory: shared ? { import: true, shared: true } : { export: "mem", initial: 1 },
    functions: [
      { name: "scale", params: i32s(4), locals: [I32], body: scale },
      {
        name: "triangle",
        params: i32s(7),
        locals: [...i32s(8), ...new Array<typeof V128>(8).fill(V128)],
        body: triangle,
      },
      { name: "combine", params: i32s(6), locals: [...i32s(3), V128], body: combine },
      ...(rowKernel ? [rowKernel] : []),
    ],
  });
}
