import type { ByteSource } from "./byte-source.js";
import { GeotiffError } from "./errors.js";

/** Options of {@link httpSource}. */
export interface HttpSourceOptions {
  /** The `fetch` to use (default the global one), e.g. to add auth headers. */
  fetch?: typeof fetch;
  /** Bytes fetched by the first request (the TIFF header and, for a COG, its IFDs); default 64 KiB. */
  headBytes?: number;
}

/**
 * A {@link ByteSource} over HTTP(S) range requests: the first request fetches the head of
 * the file (where a COG keeps its IFDs) and learns the size from `Content-Range`; every
 * later read asks for exactly its byte range, so a window costs only its tiles.
 *
 * @throws GeotiffError `IO_ERROR` when the server is unreachable, answers an error, or ignores ranges
 */
export async function httpSource(
  url: string | URL,
  options: HttpSourceOptions = {},
): Promise<ByteSource> {
  const name = String(url);
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const get = async (start: number, end: number): Promise<[Uint8Array, Response]> => {
    let res: Response;
    try {
      res = await fetchFn(name, { headers: { Range: `bytes=${start}-${end}` } });
    } catch (error) {
      throw new GeotiffError("IO_ERROR", `cannot fetch: ${(error as Error).message}`, {
        file: name,
      });
    }
    if (res.status !== 206) {
      await res.body?.cancel();
      const why = res.ok
        ? "ignored the range request; the server must support HTTP ranges"
        : `answered HTTP ${res.status}`;
      throw new GeotiffError("IO_ERROR", `GET bytes ${start}-${end} ${why}`, { file: name });
    }
    return [new Uint8Array(await res.arrayBuffer()), res];
  };
  const [head, res] = await get(0, Math.max(1, options.headBytes ?? 65536) - 1);
  const total = /\/(\d+)\s*$/.exec(res.headers.get("Content-Range") ?? "");
  if (total === null) {
    throw new GeotiffError("IO_ERROR", "the server's Content-Range does not give the file size", {
      file: name,
    });
  }
  const size = Number(total[1]);
  let closed = false;
  return {
    size,
    name,
    async read(offset, length) {
      if (closed) throw new GeotiffError("CLOSED", "read after close", { file: name });
      const start = Math.min(Math.max(0, offset), size);
      // Never ask for (or allocate) more than the file holds, whatever a header says.
      const end = Math.min(size, start + Math.max(0, length));
      if (end <= start) return new Uint8Array(0);
      if (end <= head.length) return head.subarray(start, end);
      return (await get(start, end - 1))[0];
    },
    async close() {
      closed = true;
    },
  };
}

/** A {@link ByteSource} over a `Blob` or `File` (browsers), reading slices on demand. */
export function blobSource(
  blob: Blob,
  name = (blob as { name?: string }).name ?? "<blob>",
): ByteSource {
  let closed = false;
  return {
    size: blob.size,
    name,
    async read(offset, length) {
      if (closed) throw new GeotiffError("CLOSED", "read after close", { file: name });
      const start = Math.min(Math.max(0, offset), blob.size);
      const end = Math.min(blob.size, start + Math.max(0, length));
      return new Uint8Array(await blob.slice(start, end).arrayBuffer());
    },
    async close() {
      closed = true;
    },
  };
}
