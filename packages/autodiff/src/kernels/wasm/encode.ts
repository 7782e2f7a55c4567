/**
 * Byte-level encoding of WebAssembly modules: LEB128 integers, names, sections and
 * the module assembly itself. Kernels are written as arrays of instruction bytes
 * (see `ops.ts`) and turned into a module here, at load time: no toolchain, nothing
 * prebuilt to ship, no code built from strings.
 */

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
/** A WebAssembly value type. */
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(n: number): number[] {
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

/** A section: id, byte length, body. */
export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** A name (length-prefixed ASCII). */
export function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** One function of a module. */
export interface WasmFunction {
  /** Export name. */
  name: string;
  params: readonly ValType[];
  results?: readonly ValType[];
  /** Locals after the parameters, in order (runs of one type are merged when encoded). */
  locals?: readonly ValType[];
  /** Instruction bytes, without the closing `end`. */
  body: readonly number[];
}

/** A module: its functions, all exported, and one linear memory. */
export interface WasmModuleSpec {
  functions: readonly WasmFunction[];
  /**
   * The memory: imported as `env.mem` (the caller creates it; `shared` for one made
   * with {@link newSharedMemory}), or defined here with `initial` 64 KiB pages and
   * exported under `export`.
   */
  memory: { import: true; shared?: boolean } | { export: string; initial: number };
}

/** Locals as (count, type) runs. */
function encodeLocals(locals: readonly ValType[]): number[] {
  const runs: [number, ValType][] = [];
  for (const t of locals) {
    const last = runs[runs.length - 1];
    if (last && last[1] === t) last[0]++;
    else runs.push([1, t]);
  }
  return [...uleb(runs.length), ...runs.flatMap(([n, t]) => [...uleb(n), t])];
}

/** The bytes of a module (validate with `WebAssembly.validate` before use). */
export function wasmModule(spec: WasmModuleSpec): Uint8Array {
  const types: string[] = [];
  const typeOf = spec.functions.map((f) => {
    const sig = [0x60, ...uleb(f.params.length), ...f.params];
    const res = f.results ?? [];
    sig.push(...uleb(res.length), ...res);
    const key = sig.join(",");
    let i = types.indexOf(key);
    if (i < 0) i = types.push(key) - 1;
    return i;
  });
  const typeSec = [
    ...uleb(types.length),
    ...types.flatMap((k) => k.split(",").map((b) => Number(b))),
  ];
  const funcSec = [...uleb(typeOf.length), ...typeOf.flatMap((t) => uleb(t))];
  const exportSec = spec.functions.flatMap((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  let nExports = spec.functions.length;
  const mem = spec.memory;
  const sections: number[][] = [section(1, typeSec)];
  if ("import" in mem) {
    // limits: at least one page; a shared memory must declare a maximum (here 4 GiB)
    const limits = mem.shared ? [0x03, 1, ...uleb(65536)] : [0x00, 1];
    sections.push(section(2, [1, ...name("env"), ...name("mem"), 0x02, ...limits]));
  }
  sections.push(section(3, funcSec));
  if (!("import" in mem)) {
    sections.push(section(5, [1, 0x00, ...uleb(mem.initial)]));
    exportSec.push(...name(mem.export), 0x02, 0);
    nExports++;
  }
  sections.push(section(7, [...uleb(nExports), ...exportSec]));
  const bodies = spec.functions.map((f) => {
    const body = [...encodeLocals(f.locals ?? []), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  sections.push(section(10, [...uleb(bodies.length), ...bodies.flat()]));
  // the "name" custom section: profilers and stack traces show the functions' names
  const names = spec.functions.flatMap((f, i) => [...uleb(i), ...name(f.name)]);
  const fnNames = [...uleb(spec.functions.length), ...names];
  sections.push(section(0, [...name("name"), 1, ...uleb(fnNames.length), ...fnNames]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...sections.flat()]);
}
