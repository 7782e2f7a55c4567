import { readFileSync } from "node:fs";
import { isGridError } from "@geoml/grid";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openGeotiff } from "./open.js";
import { readGeotiff } from "./read.js";
import { corpusPath } from "./testing/samples.js";

// Real files with different layouts; each mutant must read or fail with a typed error.
const FILES = [
  "sst_f32_lzw_striped.tif",
  "sst_f32_deflate_pred3_tiled.tif",
  "sst_f32_zstd.tif",
  "landsea_u8_packbits.tif",
  "landsea_cog.tif",
  "sst_f32_mercator.tif",
  "fice_f64_nan.tif",
  "sst_f32_bigtiff.tif",
  "sst_f32_bigendian.tif",
].map((f) => new Uint8Array(readFileSync(corpusPath(f))));

/** One way of damaging a file. */
type Mutation =
  | { kind: "truncate"; at: number }
  | { kind: "bytes"; edits: Array<[number, number]> }
  | { kind: "word"; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
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

function apply(file: Uint8Array, m: Mutation): Uint8Array {
  if (m.kind === "truncate") return file.slice(0, Math.floor(m.at * file.length));
  const out = file.slice();
  if (m.kind === "bytes") {
    for (const [at, v] of m.edits) if (at < out.length) out[at] = v;
  } else if (m.at + 4 <= out.length) {
    new DataView(out.buffer).setUint32(m.at, m.value >>> 0, true);
  }
  return out;
}

async function readAll(bytes: Uint8Array): Promise<void> {
  const src = await openGeotiff(bytes);
  try {
    for (let level = 0; level < src.levels.length; level++) {
      await readGeotiff(level === 0 ? src : await openGeotiff(bytes, { overview: level }));
    }
  } finally {
    await src.close();
  }
}

describe("mutated real files", () => {
  it("read correctly or fail with a typed error — never crash, hang or over-allocate", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(FILES.length - 1), mutation, async (which, m) => {
        try {
          await readAll(apply(FILES[which], m));
        } catch (error) {
          if (!isGridError(error)) throw error;
          expect(error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000, seed: 20240601 },
    );
  }, 120_000);
});
