import { ZarrError } from "./errors.js";
import type { ArrayMeta } from "./metadata.js";
import type { ZarrStore } from "./store.js";

/**
 * What zarrita reads through: metadata already parsed at open time is served from memory
 * (no second request), every other key goes to the store. Chunks are checked before a
 * codec sees them, so a corrupt Blosc header cannot make the decoder allocate gigabytes.
 */
type AbsolutePath = `/${string}`;
type RangeQuery = { offset: number; length: number } | { suffixLength: number };

export class GuardedStore {
  /** Metadata bytes by key; `null` marks a key known to be absent. */
  readonly cache = new Map<string, Uint8Array | null>();
  private readonly arrays: Array<[string, ArrayMeta]> = [];
  closed = false;

  constructor(
    readonly store: ZarrStore,
    readonly name: string,
  ) {}

  /** Register an array so its chunks are checked against its metadata. */
  track(meta: ArrayMeta): void {
    this.arrays.push([`/${meta.path}/`, meta]);
  }

  private owner(key: string): ArrayMeta | undefined {
    for (const [prefix, meta] of this.arrays) if (key.startsWith(prefix)) return meta;
    return undefined;
  }

  async get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    if (this.closed) throw new ZarrError("CLOSED", "store is closed", { file: this.name });
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const bytes = await this.store.get(key);
    if (bytes !== undefined) this.check(key, bytes);
    return bytes;
  }

  async getRange(key: AbsolutePath, range: RangeQuery): Promise<Uint8Array | undefined> {
    if (this.closed) throw new ZarrError("CLOSED", "store is closed", { file: this.name });
    let bytes: Uint8Array | undefined;
    if (this.store.getRange !== undefined) bytes = await this.store.getRange(key, range);
    else {
      const all = await this.store.get(key);
      if (all === undefined) return undefined;
      bytes =
        "suffixLength" in range
          ? all.subarray(Math.max(0, all.length - range.suffixLength))
          : all.subarray(range.offset, range.offset + range.length);
    }
    // Ranges are a shard's index or one of its inner chunks; only inner chunks are checked.
    if (bytes !== undefined && "offset" in range) this.checkInner(key, range.offset, bytes);
    return bytes;
  }

  private checkInner(key: string, offset: number, bytes: Uint8Array): void {
    const meta = this.owner(key);
    if (meta?.innerChunks === undefined) return;
    const per = meta.chunks.map((n, i) => n / (meta.innerChunks as number[])[i]);
    const indexBytes = per.reduce((a, b) => a * b, 1) * 16;
    // The index sits first or last; at offset 0 with its exact size (crc32c or not) it is the index.
    if (offset === 0 && (bytes.length === indexBytes || bytes.length === indexBytes + 4)) return;
    this.checkBlosc(key, bytes, meta, meta.innerChunks);
  }

  // Blosc declares its decoded size in bytes 4–7 of the header and the decoder allocates it
  // before checking anything; a chunk never decodes to more than the chunk's own size.
  private check(key: string, bytes: Uint8Array): void {
    const meta = this.owner(key);
    if (meta === undefined || meta.innerChunks !== undefined) return;
    this.checkBlosc(key, bytes, meta, meta.chunks);
  }

  private checkBlosc(
    key: string,
    bytes: Uint8Array,
    meta: ArrayMeta,
    chunks: readonly number[],
  ): void {
    if (meta.dtype === "string") return;
    if (!meta.compressors.some((c) => c === "numcodecs.blosc" || c === "blosc")) return;
    const expected = chunks.reduce((a, b) => a * b, 1) * meta.itemSize;
    if (bytes.length < 16) {
      throw new ZarrError(
        "CORRUPT_CHUNK",
        `chunk '${key}' is ${bytes.length} bytes, shorter than a Blosc header`,
        {
          file: this.name,
          variable: meta.path.split("/").pop(),
        },
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const nbytes = view.getUint32(4, true);
    if (nbytes !== expected) {
      throw new ZarrError(
        "CORRUPT_CHUNK",
        `chunk '${key}' declares ${nbytes} decoded bytes; the chunk shape holds ${expected}`,
        { file: this.name, variable: meta.path.split("/").pop() },
      );
    }
  }
}
