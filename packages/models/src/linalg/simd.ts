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
   * multiple of 16), column j of A at `a + j·strideA` (the module's) and of B at
   * `b + j·strideB`, added to the q×q row-major float64 matrix at `acc` in tiles of
   * 4×2 and 2×2: the tiles that cross the diagonal also add to some entries above it.
   */
  triangle(a: number, b: number, q: number, bytes: number, acc: number, strideB: number): void;
  /**
   * out[i] += Σⱼ coef[j]·colⱼ[i] for p columns of `bytes` bytes (a multiple of 16),
   * column j at `cols + j·stride`, the float64 coefficients at `coef`; the columns
   * are added in order.
   */
  combine(cols: number, p: number, bytes: number, coef: number, out: number, stride: number): void;
  /**
   * The byte distance between the triangle's A columns that the module was built for
   * (an operand of its loads); B's and the combination's are arguments, so one module
   * serves designs of every length.
   */
  strideA: number;
  /** The compiled module, for another thread's kernels on the same shared memory. */
  module: w.WasmModule;
  /**
   * A family's row kernel (`WasmRowKernel` of @geoml/losses) when the module was built
   * with one: `rows(eta, offset, y, w, mu, W, z, bytes, pool)` returns the rows' deviance
   * (`pool`: the address of its constants, see `vmath.VecFn`).
   */
  rows?: (...pointersAndBytes: number[]) => number;
  /**
   * With `rows`: the whole loop of `crossprodRange` over the blocks of rows [r0, r1)
   * of a design in place, its row columns in place too (see crossprod.ts for the
   * arguments); returns the row kernel's deviance over the blocks.
   */
  passBlocks?: (...pointersAndFlags: number[]) => number;
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
}

/**
 * Builds the kernels for A columns `strideA` bytes apart, with a family's row kernel
 * `rows` among them when given, or returns null where WebAssembly SIMD is unavailable.
 * They work in their own memory, or in `shared` (from `newSharedMemory`) when given.
 * `compiled`: a module built for the same stride, row kernel and memory kind (a
 * {@link SimdKernels.module}, from this thread or another), instantiated here instead
 * of building and compiling it again; `rows` is then not needed.
 */
export function createSimdKernels(
  strideA: number,
  rows?: w.WasmFunction,
  shared?: w.WasmMemory,
  compiled?: w.WasmModule,
): SimdKernels | null {
  const module = compiled ?? w.compile(linalgModuleBytes(strideA, rows, shared !== undefined));
  if (module === null) return null;
  const ex = w.instantiateModule(module, { env: { mem: shared } });
  if (ex === null) return null;
  return {
    scale: ex.scale as SimdKernels["scale"],
    triangle: ex.triangle as SimdKernels["triangle"],
    combine: ex.combine as SimdKernels["combine"],
    ...(typeof ex.rows === "function" ? { rows: ex.rows as NonNullable<SimdKernels["rows"]> } : {}),
    ...(typeof ex.passBlocks === "function"
      ? { passBlocks: ex.passBlocks as NonNullable<SimdKernels["passBlocks"]> }
      : {}),
    memory: shared ?? (ex.mem as SimdKernels["memory"]),
    strideA,
    module,
  };
}

/**
 * @internal The module's bytes: `scale`, `triangle`, `combine` (and `rows` and
 * `passBlocks` when a row kernel is given) and the exported memory `mem`, or with
 * `shared` an imported shared `env.mem`; their inner products with fused multiply-adds
 * where the runtime has them (`fused`).
 */
export function linalgModuleBytes(
  strideA: number,
  rowKernel?: w.WasmFunction,
  shared = false,
  fused = w.fusedMultiplyAdd(),
): Uint8Array {
  if (!(Number.isInteger(strideA) && strideA >= 0 && strideA % 8 === 0 && strideA * 3 < 2 ** 32))
    throw new RangeError(`linalg kernels: a column stride of ${strideA} bytes is not usable`);
  const { get, set, i32, simd, S: op } = w;
  const block = [0x02, 0x40];
  const loop = [0x03, 0x40];
  const end = 0x0b;
  const brIf = (depth: number) => [0x0d, depth];
  const br = (depth: number) => [0x0c, depth];
  const v128Load = w.v128Load(0, 3);
  const v128Store = w.v128Store(0, 3);
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

  // triangle(a 0, b 1, q 2, bytes 3, acc 4, strideB 5); locals: 6 j, 7 k, 8 pa, 9 pb,
  // 10 end, 11 address, 12 pb + strideB (i32); 13..20 the sums s[t][c], 21..24 u0..u3,
  // 25 v0, 26 v1 (v128)
  const [J, K, PA, PB, END, AD, PB1] = [6, 7, 8, 9, 10, 11, 12];
  const SB = 5;
  const sum = (t: number, c: number) => 13 + t * 2 + c;
  const U = [21, 22, 23, 24];
  const V = [25, 26];
  // s = s + u·v
  const fma = (s: number, u: number, v: number) => [
    ...w.madd(8, fused, get(s), get(u), get(v)),
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
  /** to = base + index·stride (`stride`: the code that leaves it, a constant or a local) */
  const address = (base: number, index: number, stride: number[], to: number) => [
    ...get(base),
    ...get(index),
    ...stride,
    mul,
    add,
    ...set(to),
  ];
  /** Each pointer after the first: the one before it plus the stride in local `stride`. */
  const nextColumns = (pointers: number[], stride: number) =>
    pointers.slice(1).flatMap((to, r) => [...get(pointers[r]), ...get(stride), add, ...set(to)]);
  const bump = (v: number) => [...get(v), ...i32(16), add, ...set(v)];
  /**
   * A t×2 tile (rows j…j+t−1 of the triangle, columns k, k+1): t·2 dot products
   * over the rows of the block in t·2 independent sums, so that no multiply-add
   * waits for the one before it; A's columns are read from pa at constant offsets,
   * B's two from pb and pb + strideB (a run-time stride: one module for every design).
   */
  const tile = (t: number) => [
    ...address(0, J, i32(strideA), PA),
    // B's columns are strideB apart: two pointers, both stepped
    ...address(1, K, get(SB), PB),
    ...nextColumns([PB, PB1], SB),
    ...get(PA),
    ...get(3),
    add,
    ...set(END),
    ...Array.from({ length: t * 2 }, (_, i) => [...zero, ...set(sum(0, 0) + i)]).flat(),
    ...block,
    ...loop,
    ...get(PA),
    ...get(END),
    geU,
    ...brIf(1),
    ...U.slice(0, t).flatMap((u, r) => [...get(PA), ...w.v128Load(r * strideA, 3), ...set(u)]),
    ...V.flatMap((v, c) => [...get(c === 0 ? PB : PB1), ...v128Load, ...set(v)]),
    ...Array.from({ length: t }, (_, r) => [
      ...fma(sum(r, 0), U[r], V[0]),
      ...fma(sum(r, 1), U[r], V[1]),
    ]).flat(),
    ...bump(PA),
    ...bump(PB),
    ...bump(PB1),
    ...br(0),
    end,
    end,
    // address = acc + (j·q + k)·8; row j + r is r·q·8 bytes further
    ...get(4),
    ...get(J),
    ...get(2),
    mul,
    ...get(K),
    add,
    ...i32(8),
    mul,
    add,
    ...set(AD),
    ...Array.from({ length: t }, (_, r) => [
      ...(r > 0 ? [...get(AD), ...get(2), ...i32(8), mul, add, ...set(AD)] : []),
      ...accumulate(sum(r, 0), 0),
      ...accumulate(sum(r, 1), 8),
    ]).flat(),
  ];
  /** Rows j… of the triangle in groups of t, each with its tiles of columns k ≤ j + t − 2. */
  const rowGroups = (t: number, exit: number[]) => [
    ...block,
    ...loop,
    ...exit,
    ...brIf(1),
    // k runs in steps of 2 up to j + t − 2: exit when k ≥ j + t
    ...forLoop(K, 2, [...get(K), ...get(J), ...i32(t), add, geU], tile(t)),
    ...get(J),
    ...i32(t),
    add,
    ...set(J),
    ...br(0),
    end,
    end,
  ];
  // groups of four rows while four remain, then a last pair (q is even)
  const triangle = [
    ...i32(0),
    ...set(J),
    ...rowGroups(4, [...get(J), ...i32(4), add, ...get(2), w.I32_GT_U]),
    ...rowGroups(2, [...get(J), ...get(2), geU]),
  ];

  // combine(cols 0, p 1, bytes 2, coef 3, out 4); locals: 5 j, 6 pc (column pointer),
  // 7 po (out pointer), 8 end (i32), 9..12 the coefficients (v128). Columns go four at
  // a time (then one at a time), out read and written once per four, each column
  // still added in turn.
  // combine(cols 0, p 1, bytes 2, coef 3, out 4, stride 5); locals: 6 j, 7 out pointer,
  // 8 end, 9..12 the pointers into columns j…j+3 (i32), 13..16 the coefficients (v128)
  const [CJ, PO, CEND] = [6, 7, 8];
  const PCS = [9, 10, 11, 12];
  const CSTRIDE = 5;
  const COEF = [13, 14, 15, 16];
  const columns = (t: number) => [
    ...Array.from({ length: t }, (_, r) => [
      // coefficient j + r in both lanes (f64.load, f64x2.splat)
      ...get(3),
      ...get(CJ),
      ...i32(8),
      mul,
      add,
      ...w.f64Load(3, r * 8),
      ...simd(op.f64x2Splat),
      ...set(COEF[r]),
    ]).flat(),
    // column j at cols + j·stride, each further one a stride on
    ...address(0, CJ, get(CSTRIDE), PCS[0]),
    ...nextColumns(PCS.slice(0, t), CSTRIDE),
    ...get(4),
    ...set(PO),
    ...get(4),
    ...get(2),
    add,
    ...set(CEND),
    ...block,
    ...loop,
    ...get(PO),
    ...get(CEND),
    geU,
    ...brIf(1),
    ...get(PO),
    ...Array.from({ length: t }, (_, r) => r).reduce(
      (acc, r) => w.madd(8, fused, acc, get(COEF[r]), [...get(PCS[r]), ...v128Load]),
      [...get(PO), ...v128Load],
    ),
    ...v128Store,
    ...PCS.slice(0, t).flatMap(bump),
    ...bump(PO),
    ...br(0),
    end,
    end,
    ...get(CJ),
    ...i32(t),
    add,
    ...set(CJ),
  ];
  const combine = [
    ...i32(0),
    ...set(CJ),
    ...[4, 1].flatMap((t) => [
      ...block,
      ...loop,
      ...get(CJ),
      ...i32(t),
      add,
      ...get(1),
      w.I32_GT_U,
      ...brIf(1),
      ...columns(t),
      ...br(0),
      end,
      end,
    ]),
  ];

  // passBlocks(x 0, n 1, p 2, r0 3, r1 4, eta 5, offset 6, y 7, w 8, mu 9, wx 10, wb 11,
  // sums 12, beta 13, scores 14, zeros 15, pool 16, signs 17, scoreOnly 18, qe 19) → the
  // row kernel's deviance over the blocks; locals: 20 b, 21 len, 22 bytes, 23 col0,
  // 24 sb, 25 zcol, 26 j, 27 at (i32), 28 dev (f64). The loop of `crossprodRange` over the
  // blocks of a design in place, with the row columns in place too (see crossprod.ts):
  // for each block, η = offset + Xβ, the row kernel (μ, W, z, deviance), then the
  // cross-product of [X z] with weights W (or only the score). One call per range of
  // rows, so that no JavaScript runs per block.
  const PB_ = {
    x: 0,
    n: 1,
    p: 2,
    r0: 3,
    r1: 4,
    eta: 5,
    offset: 6,
    y: 7,
    w: 8,
    mu: 9,
    wx: 10,
    wb: 11,
    sums: 12,
    beta: 13,
    scores: 14,
    zeros: 15,
    pool: 16,
    signs: 17,
    score: 18,
    qe: 19,
  };
  const [B, LEN, BYTES, COL0, STRIDE, ZCOL, PJ, AT, DEV] = [20, 21, 22, 23, 24, 25, 26, 27, 28];
  const blockRows = strideA / 8;
  const call = (f: number) => [0x10, ...w.uleb(f)];
  const { I32, V128 } = w;
  const F64: w.ValType = w.F64;
  const i32s = (n: number) => new Array<typeof I32>(n).fill(I32);
  // the kernels passBlocks calls, by their index in the module
  const kernels: w.WasmFunction[] = [
    { name: "scale", params: i32s(4), locals: [I32], body: scale },
    {
      name: "triangle",
      params: i32s(6),
      locals: [...i32s(7), ...new Array<typeof V128>(14).fill(V128)],
      body: triangle,
    },
    {
      name: "combine",
      params: i32s(6),
      locals: [...i32s(7), ...new Array<typeof V128>(4).fill(V128)],
      body: combine,
    },
    ...(rowKernel ? [rowKernel] : []),
  ];
  const [SCALE, TRIANGLE, COMBINE] = ["scale", "triangle", "combine"].map((f) =>
    kernels.findIndex((k) => k.name === f),
  );
  const ROWS = rowKernel ? kernels.indexOf(rowKernel) : -1;
  const sub = w.I32_SUB;
  /** A row column's address for this block: column + b·8. */
  const ofBlock = (column: number) => [...get(column), ...get(AT), add];
  /** Slot j of the scaled columns (j from local `j`): wx + j·strideA. */
  const wxSlot = (j: number) => [...get(PB_.wx), ...get(j), ...i32(strideA), mul, add];
  /** Column j of the block in place (j from local `j`): col0 + j·(n·8). */
  const blockColumn = (j: number) => [...get(COL0), ...get(j), ...get(STRIDE), mul, add];
  /** f64 0 at element `len` of the block's column at local `column`. */
  const zeroAfter = (column: number) => [
    ...get(column),
    ...get(LEN),
    ...i32(8),
    mul,
    add,
    ...w.f64(0),
    ...w.f64Store(3, 0),
  ];
  const passBlocks = [
    ...get(PB_.n),
    ...i32(8),
    mul,
    ...set(STRIDE),
    ...get(PB_.r0),
    ...set(B),
    ...w.loop(
      [...get(B), ...get(PB_.r1), geU],
      [
        // len = min(BLOCK, r1 − b); bytes: len rounded up to even (two rows a step)
        ...i32(blockRows),
        ...get(PB_.r1),
        ...get(B),
        sub,
        ...get(PB_.r1),
        ...get(B),
        sub,
        ...i32(blockRows),
        w.I32_GT_U,
        w.SELECT,
        ...set(LEN),
        ...get(LEN),
        ...get(LEN),
        ...i32(1),
        w.I32_AND,
        add,
        ...i32(8),
        mul,
        ...set(BYTES),
        ...get(B),
        ...i32(8),
        mul,
        ...set(AT),
        ...get(PB_.x),
        ...get(AT),
        add,
        ...set(COL0),
        ...blockColumn(PB_.p),
        ...set(ZCOL),
        // η starts as the offset, or zeros
        ...get(PB_.offset),
        ...w.ifElse(
          [...ofBlock(PB_.eta), ...ofBlock(PB_.offset), ...get(BYTES), ...w.MEMORY_COPY],
          [...ofBlock(PB_.eta), ...i32(0), ...get(BYTES), ...w.MEMORY_FILL],
        ),
        ...get(COL0),
        ...get(PB_.p),
        ...get(BYTES),
        ...get(PB_.beta),
        ...ofBlock(PB_.eta),
        ...get(STRIDE),
        ...call(COMBINE),
        // the row kernel: μ, W and z of the block, and its deviance
        ...get(DEV),
        ...ofBlock(PB_.eta),
        // without an offset, the scratch space's zeros in place of its column
        ...ofBlock(PB_.offset),
        ...get(PB_.zeros),
        ...get(PB_.offset),
        w.SELECT,
        ...ofBlock(PB_.y),
        ...ofBlock(PB_.w),
        ...ofBlock(PB_.mu),
        ...get(PB_.wb),
        ...get(ZCOL),
        ...get(BYTES),
        ...get(PB_.pool),
        ...call(ROWS),
        w.F64_ADD,
        ...set(DEV),
        // for the score, the working residual (z + offset) − η in place of z
        ...get(PB_.score),
        ...w.ifElse([
          ...get(PB_.offset),
          ...w.ifElse([
            ...ofBlock(PB_.offset),
            ...i32(1),
            ...get(BYTES),
            ...get(PB_.signs),
            ...get(ZCOL),
            ...get(STRIDE),
            ...call(COMBINE),
          ]),
          ...ofBlock(PB_.eta),
          ...i32(1),
          ...get(BYTES),
          ...get(PB_.signs),
          ...i32(8),
          add,
          ...get(ZCOL),
          ...get(STRIDE),
          ...call(COMBINE),
        ]),
        // an odd block's padding row: weight 0 and z 0
        ...get(LEN),
        ...i32(1),
        w.I32_AND,
        ...w.ifElse([...zeroAfter(PB_.wb), ...zeroAfter(ZCOL)]),
        ...get(PB_.score),
        ...w.ifElse(
          [
            // W ⊙ r into slot p, then its products with each pair of columns
            ...wxSlot(PB_.p),
            ...get(ZCOL),
            ...get(PB_.wb),
            ...get(BYTES),
            ...call(SCALE),
            ...i32(0),
            ...set(PJ),
            ...w.loop(
              [...get(PJ), ...get(PB_.p), geU],
              [
                ...wxSlot(PB_.p),
                ...blockColumn(PJ),
                ...i32(2),
                ...get(BYTES),
                ...get(PB_.scores),
                ...get(PJ),
                ...i32(16),
                mul,
                add,
                ...get(STRIDE),
                ...call(TRIANGLE),
                ...get(PJ),
                ...i32(2),
                add,
                ...set(PJ),
              ],
            ),
          ],
          [
            // W ⊙ each column of [X z], then the triangle of the block
            ...i32(0),
            ...set(PJ),
            ...w.loop(
              [...get(PJ), ...get(PB_.p), w.I32_GT_U],
              [
                ...wxSlot(PJ),
                ...blockColumn(PJ),
                ...get(PB_.wb),
                ...get(BYTES),
                ...call(SCALE),
                ...get(PJ),
                ...i32(1),
                add,
                ...set(PJ),
              ],
            ),
            ...get(PB_.wx),
            ...get(COL0),
            ...get(PB_.qe),
            ...get(BYTES),
            ...get(PB_.sums),
            ...get(STRIDE),
            ...call(TRIANGLE),
          ],
        ),
        ...get(B),
        ...i32(blockRows),
        add,
        ...set(B),
      ],
    ),
    ...get(DEV),
  ];

  return w.wasmModule({
    memory: shared ? { import: true, shared: true } : { export: "mem", initial: 1 },
    functions: [
      ...kernels,
      ...(rowKernel
        ? [
            {
              name: "passBlocks",
              params: i32s(20),
              results: [F64],
              locals: [...i32s(8), F64],
              body: passBlocks,
            },
          ]
        : []),
    ],
  });
}
