/**
 * The missing-value check of a design column just copied into a design's
 * WebAssembly memory, as a small SIMD function that reads the rows where they are:
 * Σ (v − v) over the rows is 0 when every v is finite and NaN otherwise. In
 * JavaScript the same sum cost about a fifth of building a 1e6×20 design; the
 * WebAssembly form reads two values per instruction from cache.
 */

import * as w from "@geoml/autodiff/wasm";
import { designMemory } from "../linalg/design-memory.js";

/** Σ (v − v) over float64 values at byte addresses [at, end), end − at a multiple of 32. */
type Probe = (at: number, end: number) => number;

/** probe(at, end): two f64x2 sums of v − v, 4 values per step, added up at the end. */
function probeModule(): Uint8Array {
  const [AT, END, ACC0, ACC1, V] = [0, 1, 2, 3, 4];
  const diff = (offset: number, acc: number) => [
    ...w.get(acc),
    ...w.get(AT),
    ...w.v128Load(offset, 3),
    ...w.tee(V),
    ...w.get(V),
    ...w.simd(w.S.f64x2Sub),
    ...w.simd(w.S.f64x2Add),
    ...w.set(acc),
  ];
  const body = [
    ...w.loop(
      [...w.get(AT), ...w.get(END), w.I32_GE_U],
      [...diff(0, ACC0), ...diff(16, ACC1), ...w.get(AT), ...w.i32(32), w.I32_ADD, ...w.set(AT)],
    ),
    ...w.get(ACC0),
    ...w.get(ACC1),
    ...w.simd(w.S.f64x2Add),
    ...w.tee(ACC0),
    ...w.simd(w.S.f64x2ExtractLane, 0),
    ...w.get(ACC0),
    ...w.simd(w.S.f64x2ExtractLane, 1),
    w.F64_ADD,
  ];
  return w.wasmModule({
    functions: [
      {
        name: "probe",
        params: [w.I32, w.I32],
        results: [w.F64],
        locals: [w.V128, w.V128, w.V128],
        body,
      },
    ],
    memory: { import: true, shared: true },
  });
}

/** The compiled module (null where WebAssembly SIMD is missing), made on first use. */
let compiled: object | null | undefined;
/** The probe on each design memory, by its buffer. */
const probes = new WeakMap<ArrayBufferLike, Probe | null>();

function probeFor(x: Float64Array): Probe | null {
  let probe = probes.get(x.buffer);
  if (probe !== undefined) return probe;
  probe = null;
  const memory = designMemory(x);
  const api = w.wasmApi();
  // any failure to build or instantiate leaves the check to JavaScript
  try {
    if (memory && api) {
      if (compiled === undefined) {
        const bytes = probeModule();
        compiled = api.validate(bytes) ? new api.Module(bytes) : null;
      }
      if (compiled)
        probe = new api.Instance(compiled, { env: { mem: memory } }).exports.probe as Probe;
    }
  } catch {
    compiled ??= null;
    probe = null;
  }
  probes.set(x.buffer, probe);
  return probe;
}

/**
 * Σ (v − v) over `out[b..e)`, a view of a design made by `designMatrix`: 0 when every
 * value there is finite, NaN otherwise. Null when the design is not in a WebAssembly
 * memory (small designs, the SIMD kernels switched off): the caller checks in JavaScript.
 */
export function finiteProbe(out: Float64Array): ((b: number, e: number) => number) | null {
  if (!w.simdEnabled()) return null;
  const probe = probeFor(out);
  if (!probe) return null;
  const base = out.byteOffset;
  return (b, e) => {
    // whole steps of 4 values in WebAssembly, the last 0–3 here
    const mid = b + ((e - b) & ~3);
    let s = probe(base + b * 8, base + mid * 8);
    for (let i = mid; i < e; i++) s += out[i] - out[i];
    return s;
  };
}
