import { mkdir, open, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ZarrError } from "./errors.js";
import type { WritableZarrStore } from "./store.js";

/**
 * A Zarr store on the local file system: one file per key under `root`. Node-only; the
 * package loads it lazily so browsers never import `node:fs`.
 */
export class FileSystemStore implements WritableZarrStore {
  /** @param root - the store directory (`data.zarr`) */
  constructor(readonly root: string) {}

  private file(key: string): string {
    // Keys come from metadata and chunk indices; refuse any that would leave the store.
    if (key.split("/").some((p) => p === "..")) {
      throw new ZarrError("CORRUPT_METADATA", `key '${key}' escapes the store`, {
        file: this.root,
      });
    }
    return join(this.root, key);
  }

  async get(key: `/${string}`): Promise<Uint8Array | undefined> {
    try {
      const b = await readFile(this.file(key));
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined;
      throw new ZarrError("IO_ERROR", `cannot read '${key}': ${(e as Error).message}`, {
        file: this.root,
      });
    }
  }

  async getRange(
    key: `/${string}`,
    range: { offset: number; length: number } | { suffixLength: number },
  ): Promise<Uint8Array | undefined> {
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      fh = await open(this.file(key), "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new ZarrError("IO_ERROR", `cannot open '${key}': ${(e as Error).message}`, {
        file: this.root,
      });
    }
    try {
      const size = (await fh.stat()).size;
      const offset =
        "suffixLength" in range ? Math.max(0, size - range.suffixLength) : range.offset;
      const length = "suffixLength" in range ? size - offset : range.length;
      const n = Math.max(0, Math.min(length, size - offset));
      const out = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(out, got, n - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return out.subarray(0, got);
    } finally {
      await fh.close();
    }
  }

  async set(key: `/${string}`, value: Uint8Array): Promise<void> {
    const f = this.file(key);
    await mkdir(dirname(f), { recursive: true });
    // Write then rename: a reader (or a resumed batch job) never sees half a chunk.
    const tmp = `${f}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, value);
    await rename(tmp, f);
  }

  async list(prefix: `/${string}`): Promise<string[]> {
    try {
      const entries = await readdir(this.file(prefix), { withFileTypes: true });
      return entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
    } catch {
      return [];
    }
  }

  async size(): Promise<number> {
    let total = 0;
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (depth > 64) return;
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p, depth + 1);
        else total += (await stat(p)).size;
      }
    };
    await walk(this.root, 0);
    return total;
  }
}
