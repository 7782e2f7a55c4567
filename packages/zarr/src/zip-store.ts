import type { ZipEntry } from "unzipit";
import { ZarrError } from "./errors.js";
import type { ZarrStore } from "./store.js";

/** Deflate cannot expand data more than about 1032:1; a header claiming more is corrupt. */
const MAX_RATIO = 1100;
const METADATA = ["zarr.json", ".zgroup", ".zarray", ".zmetadata"];

/**
 * A read-only store over a zipped Zarr store (`data.zarr.zip`, as zarr-python's `ZipStore`
 * or `zip -r` make it) held as bytes or a `Blob`: the central directory is read once, each
 * key is inflated on demand after its declared size is checked against the limit.
 */
export class ZipStore implements ZarrStore {
  private constructor(
    private readonly entries: Map<string, ZipEntry>,
    private readonly name: string,
    private readonly maxBytes: number,
    private readonly total: number,
  ) {}

  /**
   * Read the archive's directory. Keys may sit at the root or under one top-level folder.
   *
   * @throws ZarrError `NOT_ZARR` when the bytes are not a zip archive
   */
  static async open(source: Uint8Array | Blob, name: string, maxBytes: number): Promise<ZipStore> {
    const { unzip } = await import("unzipit");
    let entries: Record<string, ZipEntry>;
    try {
      entries = (await unzip(source)).entries;
    } catch (e) {
      throw new ZarrError(
        "NOT_ZARR",
        `not a zip archive of a Zarr store: ${(e as Error).message}`,
        { file: name },
      );
    }
    const names = Object.keys(entries).filter((n) => !entries[n].isDirectory);
    const atRoot = names.some((n) => METADATA.includes(n));
    const top = names[0]?.split("/")[0];
    const prefix =
      !atRoot && top !== undefined && names.every((n) => n.startsWith(`${top}/`)) ? `${top}/` : "";
    const map = new Map<string, ZipEntry>();
    for (const n of names) map.set(`/${n.slice(prefix.length)}`, entries[n]);
    const size = source instanceof Uint8Array ? source.length : source.size;
    return new ZipStore(map, name, maxBytes, size);
  }

  async get(key: `/${string}`): Promise<Uint8Array | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Sizes come from the archive's headers: check them before inflating anything.
    if (entry.size > this.maxBytes || entry.size > Math.max(1, entry.compressedSize) * MAX_RATIO) {
      throw new ZarrError(
        "CORRUPT_CHUNK",
        `zip entry '${key}' declares ${entry.size} bytes from ${entry.compressedSize} compressed (limit ${this.maxBytes})`,
        { file: this.name },
      );
    }
    if (entry.encrypted)
      throw new ZarrError("UNSUPPORTED", `zip entry '${key}' is encrypted`, { file: this.name });
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await entry.arrayBuffer());
    } catch (e) {
      throw new ZarrError(
        "CORRUPT_CHUNK",
        `zip entry '${key}' cannot be read: ${(e as Error).message}`,
        { file: this.name },
      );
    }
    if (bytes.length !== entry.size) {
      throw new ZarrError(
        "CORRUPT_CHUNK",
        `zip entry '${key}' holds ${bytes.length} bytes, its header says ${entry.size}`,
        {
          file: this.name,
        },
      );
    }
    return bytes;
  }

  async list(prefix: `/${string}`): Promise<string[]> {
    const p = prefix.endsWith("/") ? prefix : `${prefix}/`;
    const out = new Set<string>();
    for (const k of this.entries.keys()) {
      if (!k.startsWith(p)) continue;
      const rest = k.slice(p.length);
      const slash = rest.indexOf("/");
      out.add(slash < 0 ? rest : `${rest.slice(0, slash)}/`);
    }
    return [...out].sort();
  }

  async size(): Promise<number> {
    return this.total;
  }
}
