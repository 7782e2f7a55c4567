import type { FileHandle } from "node:fs/promises";
import { GeotiffError } from "./errors.js";

/** Random access to the bytes of a file or buffer. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Name used in error messages (the path, or `<buffer>`). */
  readonly name: string;
  /** Read up to `length` bytes at `offset`; fewer (possibly none) at the end of the data. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Release the file handle. */
  close(): Promise<void>;
}

/** A {@link ByteSource} over an in-memory buffer. */
export function bufferSource(bytes: Uint8Array, name = "<buffer>"): ByteSource {
  return {
    size: bytes.length,
    name,
    async read(offset, length) {
      const start = Math.min(Math.max(0, offset), bytes.length);
      return bytes.subarray(start, Math.min(bytes.length, start + Math.max(0, length)));
    },
    async close() {},
  };
}

/**
 * A {@link ByteSource} over a file, read with positioned reads so only the requested
 * ranges are ever in memory.
 *
 * @throws GeotiffError `IO_ERROR` when the file cannot be opened
 */
export async function fileSource(path: string): Promise<ByteSource> {
  let handle: FileHandle;
  let size: number;
  try {
    // Node-only, loaded on demand so the reader also runs in a browser (on bytes, Blobs, URLs).
    const { open } = await import("node:fs/promises");
    handle = await open(path, "r");
    size = (await handle.stat()).size;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new GeotiffError("IO_ERROR", `cannot open: ${detail}`, { file: path });
  }
  let closed = false;
  return {
    size,
    name: path,
    async read(offset, length) {
      if (closed) throw new GeotiffError("CLOSED", "read after close", { file: path });
      const start = Math.min(Math.max(0, offset), size);
      // Never allocate more than the file holds, whatever a corrupt header asks for.
      const n = Math.min(size - start, Math.max(0, length));
      const out = new Uint8Array(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await handle.read(out, done, n - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === n ? out : out.subarray(0, done);
    },
    async close() {
      if (!closed) {
        closed = true;
        await handle.close();
      }
    },
  };
}

/**
 * The object geotiff.js reads through (its `BaseSource` contract): `fetch` a list of
 * byte ranges. Ranges past the end are clamped, so a corrupt offset can never make it
 * allocate more than the file size.
 */
export function geotiffJsSource(bytes: ByteSource) {
  return {
    get fileSize() {
      return bytes.size;
    },
    async fetch(slices: Array<{ offset: number; length: number }>): Promise<ArrayBuffer[]> {
      return Promise.all(
        slices.map(async ({ offset, length }) => {
          const data = await bytes.read(offset, length);
          // geotiff.js wants a standalone ArrayBuffer starting at the slice.
          const copy = new Uint8Array(data.length);
          copy.set(data);
          return copy.buffer;
        }),
      );
    },
    async close() {
      await bytes.close();
    },
  };
}
