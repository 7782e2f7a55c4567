import { describe, expect, it } from "vitest";
import { I32, type WasmFunction, wasmModule } from "./encode.js";
import { instantiate, simdEnabled } from "./instance.js";
import { get, I32_ADD, I32_GE_U, i32, loop, set, v128Load, v128Store } from "./ops.js";
import * as vmath from "./vmath.js";

type Body = (F: vmath.VecFn, x: vmath.E) => vmath.E;

/**
 * f(src, dst, bytes, pool): dst = body(src) two lanes at a time, its constants
 * inline or (with `pool`) from a constant pool.
 */
function build(body: Body, pool: boolean) {
  // parameters src 0, dst 1, bytes 2, pool 3; local i 4, then the VecFn's
  const F = new vmath.VecFn(5, pool ? 3 : null);
  const x = F.v([...get(0), ...get(4), I32_ADD, ...v128Load(0, 3)]);
  const y = F.v(body(F, x));
  const step = [...F.take(), ...get(1), ...get(4), I32_ADD, ...y, ...v128Store(0, 3)];
  const fn: WasmFunction = {
    name: "f",
    params: [I32, I32, I32, I32],
    locals: [I32, ...F.locals],
    body: [
      ...F.fillPool(),
      ...i32(0),
      ...set(4),
      ...loop(
        [...get(4), ...get(2), I32_GE_U],
        [...step, ...get(4), ...i32(16), I32_ADD, ...set(4)],
      ),
    ],
  };
  const ex = instantiate(wasmModule({ functions: [fn], memory: { export: "mem", initial: 1 } }));
  if (!ex) throw new Error("no WebAssembly SIMD");
  const mem = (ex.mem as { buffer: ArrayBuffer }).buffer;
  const f = ex.f as (src: number, dst: number, bytes: number, pool: number) => void;
  return (v: readonly number[]): Float64Array => {
    const n = v.length + (v.length & 1);
    const io = new Float64Array(mem, 0, 2 * n);
    io.fill(0);
    io.set(v);
    f(0, n * 8, n * 8, 2 * n * 8);
    return io.slice(n, n + v.length);
  };
}

const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer.slice(0)), String);

let seed = 11;
const u = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

const EXP_ARGS = [
  -800,
  -746,
  -745.2,
  -708.5,
  -707,
  -40,
  -1,
  -1e-300,
  -0,
  0,
  1e-10,
  0.3465,
  1,
  100,
  709,
  709.5,
  709.78,
  709.9,
  710,
  800,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  ...Array.from({ length: 200 }, () => (u() - 0.5) * 1400),
];
const LOG_ARGS = [
  2 ** -1022,
  1e-300,
  2.220446049250313e-16,
  0.5,
  Math.SQRT1_2,
  Math.SQRT1_2 - 2 ** -53,
  1 - 2 ** -53,
  1,
  1 + 2 ** -52,
  Math.SQRT2,
  2,
  1e300,
  Number.MAX_VALUE,
  ...Array.from({ length: 200 }, () => Math.exp((u() - 0.5) * 1400)),
];

describe.skipIf(!simdEnabled())("vmath", () => {
  it("gives the same bits with its constants in a pool as inline", () => {
    const bodies: Body[] = [
      (F, x) => vmath.vexp(F, x, "f64"),
      (F, x) => vmath.vexp(F, x, "f64", -40),
      (F, x) => vmath.vlog(F, x, "f64"),
      (F, x) => vmath.vtanh(F, x, "f64"),
      (F, x) => vmath.vsoftplus(F, x, "f64"),
    ];
    for (const body of bodies) {
      const args = [...EXP_ARGS, ...LOG_ARGS];
      expect(bits(build(body, true)(args))).toEqual(bits(build(body, false)(args)));
    }
  });

  it("eˣ with a lower bound of −707 or above: the bits of the full-range code above the bound", () => {
    const full = build((F, x) => vmath.vexp(F, x, "f64"), false)(EXP_ARGS);
    for (const lo of [-707, -40]) {
      const short = build((F, x) => vmath.vexp(F, x, "f64", lo), false)(EXP_ARGS);
      for (let i = 0; i < EXP_ARGS.length; i++) {
        const x = EXP_ARGS[i];
        if (x >= lo || Number.isNaN(x)) expect(Object.is(short[i], full[i]), `e^${x}`).toBe(true);
        // below the bound: e^lo (both bounds are among the arguments)
        else expect(short[i]).toBe(full[EXP_ARGS.indexOf(lo)]);
      }
      // overflow where Math.exp overflows, and within an ulp of it elsewhere
      for (let i = 0; i < EXP_ARGS.length; i++) {
        const x = EXP_ARGS[i];
        if (!(x >= lo)) continue;
        const want = Math.exp(x);
        if (!Number.isFinite(want)) expect(short[i], `e^${x}`).toBe(want);
        else expect(Math.abs(short[i] - want), `e^${x}`).toBeLessThanOrEqual(2.3e-16 * want);
      }
    }
  });

  it("vlogNormal: the bits of vlog for positive normal arguments", () => {
    const a = build((F, x) => vmath.vlogNormal(F, x, "f64"), true)(LOG_ARGS);
    const b = build((F, x) => vmath.vlog(F, x, "f64"), false)(LOG_ARGS);
    expect(bits(a)).toEqual(bits(b));
    for (let i = 0; i < LOG_ARGS.length; i++)
      expect(Math.abs(a[i] - Math.log(LOG_ARGS[i]))).toBeLessThanOrEqual(
        2.3e-16 * Math.abs(Math.log(LOG_ARGS[i])) + 1e-300,
      );
  });

  it("pmin and pmax clamp as Math.min and Math.max, NaN in the first operand coming through", () => {
    const clamp = build((F, x) => vmath.pmin(vmath.pmax(x, F.c(-1)), F.c(2)), true);
    const args = [
      -5,
      -1,
      0.5,
      2,
      7,
      Number.NaN,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ];
    expect(Array.from(clamp(args))).toEqual(args.map((v) => Math.min(Math.max(v, -1), 2)));
  });

  it("refuses more constants than its pool holds", () => {
    const F = new vmath.VecFn(0, 0);
    for (let k = 0; k < vmath.POOL_CONSTANTS; k++) F.c(k);
    // a constant used again takes no new slot
    expect(() => F.c(0)).not.toThrow();
    expect(() => F.c(-1)).toThrow(/more than 64 constants/);
  });
});
