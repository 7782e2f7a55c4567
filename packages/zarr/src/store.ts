/**
 * The key/value interface every Zarr store offers (the shape zarrita.js uses): keys are
 * absolute (`/sst/.zarray`, `/sst/c/0/0`), values are bytes, a missing key is `undefined`.
 */
export interface ZarrStore {
  /** The bytes stored under `key`, or undefined when there is none. */
  get(key: `/${string}`): Promise<Uint8Array | undefined>;
  /** A byte range of the value under `key` (for shard indexes and inner chunks). */
  getRange?(
    key: `/${string}`,
    range: { offset: number; length: number } | { suffixLength: number },
  ): Promise<Uint8Array | undefined>;
  /** Keys directly under `prefix` (`/` for the root): child names, directories ending in `/`. */
  list?(prefix: `/${string}`): Promise<string[]>;
  /** Total size in bytes of everything stored, when cheap to know (bounds allocations). */
  size?(): Promise<number | undefined>;
}

/** A store that can also be written. */
export interface WritableZarrStore extends ZarrStore {
  /** Store `value` under `key`, replacing any previous value. */
  set(key: `/${string}`, value: Uint8Array): Promise<void>;
}

/**
 * An in-memory store over a `Map` of keys to bytes (keys with or without a leading `/`):
 * what a browser gets from a fetched zip or a writer targeting memory.
 */
export class MemoryStore implements WritableZarrStore {
  /** The stored bytes, by absolute key. */
  readonly map: Map<string, Uint8Array>;

  /** Wrap `entries` (copied into a new map; keys are normalised to start with `/`). */
  constructor(entries?: Iterable<[string, Uint8Array]> | Record<string, Uint8Array>) {
    this.map = new Map();
    if (entries === undefined) return;
    const it =
      Symbol.iterator in Object(entries)
        ? (entries as Iterable<[string, Uint8Array]>)
        : Object.entries(entries);
    for (const [k, v] of it) this.map.set(k.startsWith("/") ? k : `/${k}`, v);
  }

  async get(key: `/${string}`): Promise<Uint8Array | undefined> {
    return this.map.get(key);
  }

  async getRange(
    key: `/${string}`,
    range: { offset: number; length: number } | { suffixLength: number },
  ): Promise<Uint8Array | undefined> {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    if ("suffixLength" in range) return v.subarray(Math.max(0, v.length - range.suffixLength));
    return v.subarray(range.offset, range.offset + range.length);
  }

  async set(key: `/${string}`, value: Uint8Array): Promise<void> {
    this.map.set(key, value);
  }

  async list(prefix: `/${string}`): Promise<string[]> {
    const p = prefix.endsWith("/") ? prefix : `${prefix}/`;
    const out = new Set<string>();
    for (const k of this.map.keys()) {
      if (!k.startsWith(p)) continue;
      const rest = k.slice(p.length);
      const slash = rest.indexOf("/");
      out.add(slash < 0 ? rest : `${rest.slice(0, slash)}/`);
    }
    return [...out].sort();
  }

  async size(): Promise<number> {
    let n = 0;
    for (const v of this.map.values()) n += v.length;
    return n;
  }
}
