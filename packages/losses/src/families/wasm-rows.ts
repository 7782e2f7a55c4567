/**
 * The loop shared by the families' WebAssembly row kernels (see `WasmRowKernel`):
 * two rows per step, loads of η, offset, y and w, stores of μ, W and z, and the
 * deviance summed in both lanes. A family supplies only the arithmetic of a step,
 * taking its constants from `F.c` (read from the constant pool the caller provides,
 * which the function fills on entry).
 */

import * as w from "@geoml/autodiff/wasm";
import { F64, I32, V128, vmath, type WasmFunction } from "@geoml/autodiff/wasm";

const { VecFn, add } = vmath;
type E = vmath.E;

/** What one step of a family's kernel computes from the rows' values. */
export interface RowStep {
  mu: E;
  W: E;
  z: E;
  /** The two rows' weighted unit deviances (0 where w = 0). */
  deviance: E;
}

/** The inputs of a step: η, offset, y and w of two rows, as v128 reads. */
export interface RowInputs {
  eta: E;
  offset: E;
  y: E;
  w: E;
}

// parameters: eta 0, offset 1, y 2, w 3, mu 4, W 5, z 6, bytes 7, pool 8; locals: i 9,
// the deviance 10 (v128), then the VecFn's
const [ETA, OFF, Y, WT, MU, WW, Z, BYTES, POOL, I, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** The function `rows` of a kernel whose step `step` builds. */
export function rowFunction(step: (F: vmath.VecFn, v: RowInputs) => RowStep): WasmFunction {
  const F = new VecFn(ACC + 1, POOL);
  const at = (p: number) => [...w.get(p), ...w.get(I), w.I32_ADD];
  const load = (p: number) => F.v([...at(p), ...w.v128Load(0, 3)]);
  const inputs: RowInputs = {
    eta: load(ETA),
    offset: load(OFF),
    y: load(Y),
    w: load(WT),
  };
  const s = step(F, inputs);
  const mu = F.v(s.mu);
  const W = F.v(s.W);
  const z = F.v(s.z);
  const dev = F.v(s.deviance);
  const store = (p: number, v: E) => [...at(p), ...v, ...w.v128Store(0, 3)];
  const body = [
    ...F.take(),
    ...store(MU, mu),
    ...store(WW, W),
    ...store(Z, z),
    ...add(w.get(ACC), dev),
    ...w.set(ACC),
  ];
  const lane = (l: number) => [...w.get(ACC), ...w.simd(w.S.f64x2ExtractLane, l)];
  return {
    name: "rows",
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
    results: [F64],
    locals: [I32, V128, ...F.locals],
    body: [
      // after the step is built: it has named every constant
      ...F.fillPool(),
      ...w.V128_ZERO,
      ...w.set(ACC),
      ...w.i32(0),
      ...w.set(I),
      ...w.loop(
        [...w.get(I), ...w.get(BYTES), w.I32_GE_U],
        [...body, ...w.get(I), ...w.i32(16), w.I32_ADD, ...w.set(I)],
      ),
      ...lane(0),
      ...lane(1),
      w.F64_ADD,
    ],
  };
}
