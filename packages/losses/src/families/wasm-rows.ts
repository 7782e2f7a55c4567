/**
 * The loop shared by the families' WebAssembly row kernels (see `WasmRowKernel`):
 * two rows per step, loads of η, offset, y and w, stores of μ, W and z, and the
 * deviance summed in both lanes. A family supplies only the arithmetic of a step,
 * taking its constants from `F.c` (read from the constant pool the caller provides,
 * which the function fills on entry).
 */

import * as w from "@geoml/autodiff/wasm";
import { F64, I32, V128, vmath, type WasmFunction } from "@geoml/autodiff/wasm";

const { VecFn, add, sub } = vmath;
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
// the deviance 10 and its rounding errors 11 (v128), the total 12 (f64), then the VecFn's
const [ETA, OFF, Y, WT, MU, WW, Z, BYTES, POOL, I, ACC, ERR, TOTAL] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
];
const F64_SUB = 0xa1;
const F64_EQ = 0x61;
const SELECT = 0x1b;

/**
 * The function `rows` of a kernel whose step `step` builds. With `compensated`, the
 * deviance is summed with the rounding error of each addition kept apart (Knuth's
 * two-sum, four more operations per step): for a kernel that leaves a large part of
 * the deviance to its caller (`WasmRowKernel.devianceConstant`), whose terms are then
 * much larger than their total.
 */
export function rowFunction(
  step: (F: vmath.VecFn, v: RowInputs) => RowStep,
  { compensated = false }: { compensated?: boolean } = {},
): WasmFunction {
  const F = new VecFn(TOTAL + 1, POOL);
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
  const sum = F.v(add(w.get(ACC), dev));
  // the errors stay 0 without compensation
  let errors: E = w.get(ERR);
  if (compensated) {
    const back = F.v(sub(sum, w.get(ACC)));
    const err = add(sub(w.get(ACC), sub(sum, back)), sub(dev, back));
    errors = F.v(add(w.get(ERR), err));
  }
  const store = (p: number, v: E) => [...at(p), ...v, ...w.v128Store(0, 3)];
  const body = [
    ...F.take(),
    ...store(MU, mu),
    ...store(WW, W),
    ...store(Z, z),
    ...sum,
    ...w.set(ACC),
    ...errors,
    ...w.set(ERR),
  ];
  const lane = (v: number, l: number) => [...w.get(v), ...w.simd(w.S.f64x2ExtractLane, l)];
  return {
    name: "rows",
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
    results: [F64],
    locals: [I32, V128, V128, F64, ...F.locals],
    body: [
      // after the step is built: it has named every constant
      ...F.fillPool(),
      ...w.V128_ZERO,
      ...w.set(ACC),
      ...w.V128_ZERO,
      ...w.set(ERR),
      ...w.i32(0),
      ...w.set(I),
      ...w.loop(
        [...w.get(I), ...w.get(BYTES), w.I32_GE_U],
        [...body, ...w.get(I), ...w.i32(16), w.I32_ADD, ...w.set(I)],
      ),
      // (acc₀ + acc₁) + (err₀ + err₁), or acc₀ + acc₁ alone when that is not finite (an
      // infinite term makes the errors NaN)
      ...lane(ACC, 0),
      ...lane(ACC, 1),
      w.F64_ADD,
      ...w.tee(TOTAL),
      ...lane(ERR, 0),
      ...lane(ERR, 1),
      w.F64_ADD,
      w.F64_ADD,
      ...w.get(TOTAL),
      ...w.get(TOTAL),
      ...w.get(TOTAL),
      F64_SUB,
      ...w.f64(0),
      F64_EQ,
      SELECT,
    ],
  };
}
