/**
 * Part files: one chunk's results, written atomically (a `tmp` name, then renamed) so a
 * run killed at any moment leaves only whole parts behind. The same bytes travel back
 * from queue workers (compressed).
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import { BatchError } from "./errors.js";
import type { ChunkResult } from "./fit-chunk.js";

const MAGIC = "GMLPART1";

/** Which chunk a part holds. */
export interface PartHeader {
  /** Run the part belongs to. */
  run: string;
  /** Chunk index. */
  chunk: number;
  /** Rows of the first cell dimension. */
  start: number;
  stop: number;
}

/** The named float64 arrays of a part (a fit chunk's coef, se, …; a prediction chunk's values). */
export type PartArrays = Record<string, Float64Array>;

/** A fit chunk's result as part arrays. */
export function fitArrays(r: ChunkResult): PartArrays {
  return { coef: r.coef, se: r.se, nobs: r.nobs, deviance: r.deviance, scale: r.scale };
}

/** Inverse of {@link fitArrays}. */
export function fitResult(arrays: PartArrays, C: number, p: number, name = "part"): ChunkResult {
  const { coef, se, nobs, deviance, scale } = arrays;
  if (
    coef?.length !== p * C ||
    se?.length !== p * C ||
    nobs?.length !== C ||
    deviance?.length !== C ||
    scale?.length !== C
  ) {
    throw new BatchError("BAD_PART", "does not hold a fit chunk", { file: name });
  }
  return { C, p, coef, se, nobs, deviance, scale };
}

/** Encode a part: magic, JSON header, float64 arrays, SHA-256 of all before it. */
export function encodePart(header: PartHeader, arrays: PartArrays): Uint8Array {
  const names = Object.keys(arrays);
  const lengths = names.map((n) => arrays[n].length);
  const head = Buffer.from(JSON.stringify({ ...header, names, lengths }), "utf8");
  const pad = (8 - ((12 + head.length) % 8)) % 8;
  const body = lengths.reduce((n, l) => n + 8 * l, 0);
  const out = Buffer.alloc(12 + head.length + pad + body + 32);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(head.length, 8);
  head.copy(out, 12);
  let at = 12 + head.length + pad;
  for (const n of names) {
    const a = arrays[n];
    // Part bytes are little-endian, whatever the machine.
    for (let i = 0; i < a.length; i++, at += 8) out.writeDoubleLE(a[i], at);
  }
  createHash("sha256").update(out.subarray(0, at)).digest().copy(out, at);
  return out;
}

/**
 * Decode and verify a part.
 *
 * @throws BatchError `BAD_PART` for a truncated or corrupted part
 */
export function decodePart(
  bytes: Uint8Array,
  name = "part",
): { header: PartHeader; arrays: PartArrays } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new BatchError("BAD_PART", why, { file: name });
  if (b.length < 44 || b.toString("latin1", 0, 8) !== MAGIC) throw bad("not a part file");
  const digest = createHash("sha256")
    .update(b.subarray(0, b.length - 32))
    .digest();
  if (!digest.equals(b.subarray(b.length - 32)))
    throw bad("checksum mismatch (truncated or damaged)");
  const n = b.readUInt32LE(8);
  const meta = JSON.parse(b.toString("utf8", 12, 12 + n)) as PartHeader & {
    names: string[];
    lengths: number[];
  };
  let at = 12 + n + ((8 - ((12 + n) % 8)) % 8);
  const arrays: PartArrays = {};
  meta.names.forEach((key, k) => {
    const a = new Float64Array(meta.lengths[k]);
    for (let i = 0; i < a.length; i++, at += 8) a[i] = b.readDoubleLE(at);
    arrays[key] = a;
  });
  if (at !== b.length - 32) throw bad("wrong length");
  return {
    header: { run: meta.run, chunk: meta.chunk, start: meta.start, stop: meta.stop },
    arrays,
  };
}

/** Compressed part bytes, for the queue. */
export const compressPart = (part: Uint8Array): Buffer => deflateSync(part, { level: 6 });
/** Inverse of {@link compressPart}. */
export const decompressPart = (bytes: Uint8Array): Buffer => inflateSync(bytes);

/** The part files of a run: `<out>.parts/<chunk>.part`. */
export class PartStore {
  /** The folder. */
  readonly dir: string;
  constructor(out: string) {
    this.dir = `${out}.parts`;
  }

  /** Path of chunk `i`'s part. */
  path(i: number): string {
    return join(this.dir, `${i}.part`);
  }

  /**
   * Get the folder ready for run `run`: keep its whole parts when they belong to the same run
   * (same files, variable and model), start afresh otherwise; half-written `tmp` files go.
   *
   * @returns the chunks already done
   */
  async open(run: string): Promise<Set<number>> {
    await mkdir(this.dir, { recursive: true });
    const manifest = join(this.dir, "run.json");
    let same = false;
    try {
      same = JSON.parse(await readFile(manifest, "utf8")).run === run;
    } catch {
      same = false;
    }
    const done = new Set<number>();
    for (const f of await readdir(this.dir)) {
      const m = /^(\d+)\.part$/.exec(f);
      if (!same || f.includes("tmp") || (m === null && f !== "run.json")) {
        await rm(join(this.dir, f), { force: true });
        continue;
      }
      if (m === null) continue;
      try {
        const { header } = decodePart(await readFile(join(this.dir, f)), f);
        if (header.run === run && header.chunk === Number(m[1])) done.add(header.chunk);
        else await rm(join(this.dir, f), { force: true });
      } catch {
        await rm(join(this.dir, f), { force: true });
      }
    }
    if (!same) await atomicWrite(manifest, Buffer.from(JSON.stringify({ run }), "utf8"));
    return done;
  }

  /** Write chunk `i`'s part atomically. */
  async write(i: number, bytes: Uint8Array): Promise<void> {
    await atomicWrite(this.path(i), bytes);
  }

  /** Read and verify chunk `i`'s part. */
  async read(i: number): Promise<ReturnType<typeof decodePart>> {
    return decodePart(await readFile(this.path(i)), this.path(i));
  }

  /** Remove the folder (after the output is written). */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

let counter = 0;

/** Write `bytes` to a `tmp` name beside `path`, then rename: readers see all or nothing. */
export async function atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${counter++}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new BatchError("IO_ERROR", `cannot write: ${(error as Error).message}`, { file: path });
  }
}
