import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { F64, I32, sleb, uleb, wasmModule } from "./encode.js";
import { fusedMultiplyAdd, instantiate, newMemory } from "./instance.js";
import {
  get,
  I32_ADD,
  I32_GE_U,
  i32,
  loop,
  madd,
  S,
  set,
  simd,
  v128Load,
  v128Store,
} from "./ops.js";

describe("wasm generator", () => {
  it("encodes LEB128 as the spec's examples", () => {
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(0)).toEqual([0]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
  });

  it("builds a module that runs: a SIMD loop over an imported memory and a scalar function", () => {
    // add(dst, a, b, bytes): dst[i] = a[i] + b[i] for float64, two per step
    const body = [
      ...i32(0),
      ...set(4),
      ...loop(
        [...get(4), ...get(3), I32_GE_U],
        [
          ...get(0),
          ...get(4),
          I32_ADD,
          ...get(1),
          ...get(4),
          I32_ADD,
          ...v128Load(0, 3),
          ...get(2),
          ...get(4),
          I32_ADD,
          ...v128Load(0, 3),
          ...simd(S.f64x2Add),
          ...v128Store(0, 3),
          ...get(4),
          ...i32(16),
          I32_ADD,
          ...set(4),
        ],
      ),
    ];
    const bytes = wasmModule({
      memory: { import: true },
      functions: [
        { name: "add", params: [I32, I32, I32, I32], locals: [I32], body },
        // twice(x) = x + x, a plain f64 function with a result
        { name: "twice", params: [F64], results: [F64], body: [...get(0), ...get(0), 0xa0] },
      ],
    });
    const mem = newMemory(1);
    const ex = mem && instantiate(bytes, { env: { mem } });
    expect(ex).not.toBeNull();
    if (!mem || !ex) return;
    const f = new Float64Array(mem.buffer);
    f.set([1, 2, 3, 4], 0);
    f.set([10, 20, 30, 40], 4);
    (ex.add as (d: number, a: number, b: number, n: number) => void)(64, 0, 32, 32);
    expect(Array.from(f.subarray(8, 12))).toEqual([11, 22, 33, 44]);
    expect((ex.twice as (x: number) => number)(2.5)).toBe(5);
  });

  it("returns null for bytes that do not validate", () => {
    expect(instantiate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]))).toBeNull();
  });
});

describe("fused multiply-add", () => {
  // (a, b, c) → a·b + c for one lane width, built with madd fused or not
  const maddModule = (es: 4 | 8, fused: boolean) => {
    const body = [
      ...get(3),
      ...madd(
        es,
        fused,
        [...get(2), ...v128Load(0, 3)],
        [...get(0), ...v128Load(0, 3)],
        [...get(1), ...v128Load(0, 3)],
      ),
      ...v128Store(0, 3),
    ];
    const memory = newMemory(1)!;
    const ex = instantiate(
      wasmModule({
        memory: { import: true },
        functions: [{ name: "madd", params: [I32, I32, I32, I32], locals: [], body }],
      }),
      { env: { mem: memory } },
    );
    return { memory, madd: ex?.madd as (a: number, b: number, c: number, out: number) => void };
  };
  // a·b = 1 − 2⁻⁶⁰ rounds to 1 as a product of its own: a·b − 1 is 0 unfused, −2⁻⁶⁰ fused
  const e = 2 ** -30;

  // GEOML_FMA=0 (a run of the whole suite with it) leaves relaxed SIMD off on purpose
  const off = ["0", "false", "off", "no"].includes(
    (process.env.GEOML_FMA ?? "").trim().toLowerCase(),
  );
  it.skipIf(off)(
    "is on in this engine (relaxed SIMD, on Node 20 through its V8 flag) and rounds once",
    () => {
      expect(fusedMultiplyAdd()).toBe(true);
      for (const fused of [true, false]) {
        const { memory, madd: f } = maddModule(8, fused);
        const m = new Float64Array(memory.buffer);
        m.set([1 + e, 1 + e], 0);
        m.set([1 - e, 1 - e], 2);
        m.set([-1, -1], 4);
        f(0, 16, 32, 48);
        expect(Array.from(m.subarray(6, 8))).toEqual(fused ? [-(2 ** -60), -(2 ** -60)] : [0, 0]);
      }
      // float32: (1 + 2⁻¹²)(1 − 2⁻¹²) = 1 − 2⁻²⁴, below float32's rounding of 1
      const { memory, madd: f } = maddModule(4, true);
      const m = new Float32Array(memory.buffer);
      m.fill(1 + 2 ** -12, 0, 4);
      m.fill(1 - 2 ** -12, 4, 8);
      m.fill(-1, 8, 12);
      f(0, 16, 32, 48);
      expect(Array.from(m.subarray(12, 16))).toEqual([
        -(2 ** -24),
        -(2 ** -24),
        -(2 ** -24),
        -(2 ** -24),
      ]);
    },
  );

  it("is off with GEOML_FMA=0, and the kernels then multiply and add apart", () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const instance = new URL("./instance.ts", import.meta.url).href;
    const script = `
      const w = await import(${JSON.stringify(instance)});
      console.log(JSON.stringify(w.fusedMultiplyAdd()));`;
    const run = (env: Record<string, string>) =>
      execFileSync(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], {
        encoding: "utf8",
        env: { ...process.env, ...env },
      }).trim();
    expect(run({ GEOML_FMA: "0" })).toBe("false");
    expect(run({ GEOML_FMA: "1" })).toBe("true");
  }, 30_000);
});
