import { describe, expect, it } from "vitest";
import { F64, I32, sleb, uleb, wasmModule } from "./encode.js";
import { instantiate, newMemory } from "./instance.js";
import { get, I32_ADD, I32_GE_U, i32, loop, S, set, simd, v128Load, v128Store } from "./ops.js";

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
