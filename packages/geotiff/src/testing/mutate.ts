/** Damaging real files on purpose, for fuzz tests: truncation, byte edits, word edits. */
import fc from "fast-check";
import { bufferSource } from "../byte-source.js";
import { openGeotiff } from "../open.js";
import { readGeotiff } from "../read.js";

/** One way of damaging a file. */
export type Mutation =
  | { kind: "truncate"; at: number }
  | { kind: "bytes"; edits: Array<[number, number]> }
  | { kind: "word"; at: number; value: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("truncate" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  // most structure (header, IFD, tag arrays) lives in the first kilobytes
  fc.record({
    kind: fc.constant("bytes" as const),
    edits: fc.array(fc.tuple(fc.nat(2047), fc.nat(255)), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant("word" as const),
    at: fc.nat(1023),
    value: fc.oneof(fc.nat(), fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0xffffffff)),
  }),
);

export function apply(file: Uint8Array, m: Mutation): Uint8Array {
  if (m.kind === "truncate") return file.slice(0, Math.floor(m.at * file.length));
  const out = file.slice();
  if (m.kind === "bytes") {
    for (const [at, v] of m.edits) if (at < out.length) out[at] = v;
  } else if (m.at + 4 <= out.length) {
    new DataView(out.buffer).setUint32(m.at, m.value >>> 0, true);
  }
  return out;
}

/** Open and read every resolution level, as a file named `name`. */
export async function readAll(bytes: Uint8Array, name: string): Promise<void> {
  const src = await openGeotiff(bufferSource(bytes, name));
  try {
    for (let level = 0; level < src.levels.length; level++) {
      const source =
        level === 0 ? src : await openGeotiff(bufferSource(bytes, name), { overview: level });
      await readGeotiff(source);
    }
  } finally {
    await src.close();
  }
}
