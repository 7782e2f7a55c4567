import { readFile } from "node:fs/promises";
import { isGridError } from "@geoml/grid";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureArrays } from "./fixture-data.js";
import { MemoryStore, openZarr, writeZarr } from "./index.js";
import { parseJsonBytes } from "./json.js";
import { fixturePath, loadStore } from "./testing.js";

// Real stores of every layout the reader handles; each mutant must read or fail with a
// typed error naming the store, within a time and memory budget.
const STORES = [
  "xr_packed_blosc.zarr",
  "xr_packed_zlib.zarr",
  "zp_raw.zarr",
  "v3_hand.zarr",
  "geoml_v2.zarr",
];
const bases: Array<Map<string, Uint8Array>> = [];
const MAX_CHUNK = 16 * 1024 * 1024;

beforeAll(async () => {
  for (const s of STORES) bases.push((await loadStore(fixturePath(s))).map);
  const v3 = new MemoryStore();
  await writeZarr(v3, fixtureArrays(), { format: 3, compressor: "blosc" });
  bases.push(v3.map);
});

const isMeta = (k: string) => /(zarr\.json|\.zarray|\.zattrs|\.zgroup|\.zmetadata)$/.test(k);
const NASTY: unknown[] = [
  -1,
  0,
  1,
  1e12,
  2 ** 53,
  2 ** 31,
  -(2 ** 31),
  1.5,
  "x",
  "",
  null,
  true,
  [],
  {},
  [1e9, 1e9],
  [0],
  "NaN",
  "<f8",
  ">i2",
  "|O",
  "float16",
  "sharding_indexed",
];

type Mutation =
  | { kind: "json"; key: number; path: number[]; value: number }
  | { kind: "bytes"; key: number; meta: boolean; edits: Array<[number, number]> }
  | { kind: "truncate"; key: number; meta: boolean; at: number }
  | { kind: "delete"; key: number }
  | { kind: "blosc"; key: number; nbytes: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("json" as const),
    key: fc.nat(),
    path: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
    value: fc.nat(NASTY.length - 1),
  }),
  fc.record({
    kind: fc.constant("bytes" as const),
    key: fc.nat(),
    meta: fc.boolean(),
    edits: fc.array(fc.tuple(fc.nat(4095), fc.nat(255)), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({
    kind: fc.constant("truncate" as const),
    key: fc.nat(),
    meta: fc.boolean(),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({ kind: fc.constant("delete" as const), key: fc.nat() }),
  fc.record({ kind: fc.constant("blosc" as const), key: fc.nat(), nbytes: fc.nat() }),
);

// Replace one leaf (or container) of the JSON, walking `path` by index into keys/items.
function mutateJson(doc: unknown, path: number[], value: unknown): unknown {
  if (path.length === 0 || doc === null || typeof doc !== "object") return value;
  const keys = Array.isArray(doc) ? doc.map((_, i) => i) : Object.keys(doc);
  if (keys.length === 0) return value;
  const k = keys[path[0] % keys.length] as string;
  const copy: Record<string, unknown> = Array.isArray(doc)
    ? ([...doc] as unknown as Record<string, unknown>)
    : { ...(doc as Record<string, unknown>) };
  copy[k] = path.length === 1 ? value : mutateJson(copy[k], path.slice(1), value);
  return copy;
}

function apply(base: Map<string, Uint8Array>, m: Mutation): MemoryStore {
  const store = new MemoryStore(base);
  const all = [...store.map.keys()].sort();
  const meta = all.filter(isMeta);
  const chunks = all.filter((k) => !isMeta(k));
  const pick = (list: string[], i: number) => list[i % list.length];
  if (m.kind === "json") {
    const key = pick(meta, m.key);
    const doc = parseJsonBytes(store.map.get(key)!);
    store.map.set(
      key,
      new TextEncoder().encode(JSON.stringify(mutateJson(doc, m.path, NASTY[m.value]))),
    );
  } else if (m.kind === "bytes" || m.kind === "truncate") {
    const list = m.meta || chunks.length === 0 ? meta : chunks;
    const key = pick(list, m.key);
    const b = store.map.get(key)!.slice();
    if (m.kind === "bytes") {
      for (const [at, v] of m.edits) if (b.length > 0) b[at % b.length] = v;
      store.map.set(key, b);
    } else {
      store.map.set(key, b.subarray(0, Math.floor(m.at * b.length)));
    }
  } else if (m.kind === "delete") {
    store.map.delete(pick(all, m.key));
  } else if (chunks.length > 0) {
    const key = pick(chunks, m.key);
    const b = store.map.get(key)!.slice();
    if (b.length >= 8)
      new DataView(b.buffer).setUint32(4, m.nbytes % 2 === 0 ? 0xfffffff0 : m.nbytes);
    store.map.set(key, b);
  }
  return store;
}

async function readAll(store: MemoryStore | Uint8Array): Promise<void> {
  const ds = await openZarr(store, { maxChunkBytes: MAX_CHUNK });
  for (const name of ds.variableNames) {
    const v = ds.variable(name);
    // A bounded window (at most ~1e5 cells), as `geoml info --stats` reads slab by slab.
    const count = v.shape.map((n) => Math.min(n, 64));
    for (let i = 0; i < count.length && count.reduce((a, b) => a * b, 1) > 1e5; i++)
      count[i] = Math.min(count[i], 1);
    try {
      await ds.read(name, {
        isel: Object.fromEntries(v.dims.map((d, i) => [d, { start: 0, stop: count[i] }])),
      });
    } catch (e) {
      if (isGridError(e))
        expect(e.variable, `error without the variable: ${(e as Error).message}`).toBeDefined();
      throw e;
    }
  }
  await ds.close();
}

/** Run `body` with a hang timeout, and return the peak RSS growth over the baseline before it. */
async function measured(body: () => Promise<void>, what: string): Promise<[number, unknown]> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 1);
  let timeout: ReturnType<typeof setTimeout> | undefined;
  let error: unknown;
  try {
    await Promise.race([
      body(),
      new Promise((_, reject) => {
        timeout = setTimeout(() => reject(new Error(`hang on ${what}`)), 5000);
      }),
    ]);
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(timeout);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  return [peak - baseline, error];
}

describe("fuzzing the Zarr reader on mutated zipped stores", () => {
  it("reads or fails with a typed error naming the input; never hangs; bounded memory", async () => {
    const zips = await Promise.all(
      ["xr_packed_blosc.zarr.zip", "xr_packed_blosc_deflate.zip"].map(
        async (z) => new Uint8Array(await readFile(fixturePath(z))),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        async (which, edits, cut) => {
          const bytes = zips[which % zips.length].slice();
          for (const [at, v] of edits) bytes[at % bytes.length] = v;
          const input = cut === null ? bytes : bytes.subarray(0, Math.floor(cut * bytes.length));
          const what = JSON.stringify({ which, edits, cut });
          const [growth, error] = await measured(() => readAll(input), what);
          if (error !== undefined) {
            if (!isGridError(error))
              throw new Error(`untyped error for ${what}: ${(error as Error)?.stack ?? error}`);
            expect(error.file, (error as Error).message).toBe("<bytes>");
          }
          expect(growth, what).toBeLessThan(64 * 1024 * 1024 + 4 * input.length);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150), seed: Number(process.env.FUZZ_SEED ?? 13) },
    );
  }, 120_000);
});

describe("fuzzing the Zarr reader on mutated real stores", () => {
  it("reads or fails with a typed error naming the store; never hangs; bounded memory", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, async (which, m) => {
        const base = bases[which % bases.length];
        const store = apply(base, m);
        const size = await store.size();
        const what = JSON.stringify(m);
        const [growth, error] = await measured(() => readAll(store), what);
        if (error !== undefined) {
          if (!isGridError(error))
            throw new Error(`untyped error for ${what}: ${(error as Error)?.stack ?? error}`);
          expect(error.file, (error as Error).message).toBe("(store)");
        }
        // Peak-memory growth over the baseline taken before the read.
        expect(growth, what).toBeLessThan(64 * 1024 * 1024 + 4 * size);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 250), seed: Number(process.env.FUZZ_SEED ?? 13) },
    );
  }, 120_000);
});
