import { NetcdfDataset } from "./dataset.js";
import { NetcdfError } from "./errors.js";
import type { ByteHandle } from "./io.js";
import { openNetcdf3 } from "./nc3/reader.js";

/** Options of {@link httpHandle}. */
export interface HttpHandleOptions {
  /** The `fetch` to use (default the global one), e.g. to add auth headers. */
  fetch?: typeof fetch;
}

/** Where a NetCDF file can be read from besides a local path. */
export type NetcdfInput = string | URL | Uint8Array | Blob;

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Positioned reads over HTTP(S) range requests: the size comes from the first answer's
 * `Content-Range`, then each read asks for exactly its bytes.
 *
 * @throws NetcdfError `IO_ERROR` when the server is unreachable, answers an error, or ignores ranges
 */
export async function httpHandle(
  url: string | URL,
  options: HttpHandleOptions = {},
): Promise<ByteHandle> {
  const name = String(url);
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  let closed = false;
  const get = async (start: number, end: number): Promise<[Uint8Array, Response]> => {
    if (closed) throw new NetcdfError("CLOSED", "file is closed", { file: name });
    let res: Response;
    try {
      res = await fetchFn(name, { headers: { Range: `bytes=${start}-${end}` } });
    } catch (e) {
      throw new NetcdfError("IO_ERROR", `cannot fetch: ${(e as Error).message}`, { file: name });
    }
    if (res.status !== 206) {
      await res.body?.cancel();
      const why = res.ok
        ? "ignored the range request; the server must support HTTP ranges"
        : `answered HTTP ${res.status}`;
      throw new NetcdfError("IO_ERROR", `GET bytes ${start}-${end} ${why}`, { file: name });
    }
    return [new Uint8Array(await res.arrayBuffer()), res];
  };
  const [first, res] = await get(0, 7);
  const total = /\/(\d+)\s*$/.exec(res.headers.get("Content-Range") ?? "");
  if (total === null) {
    throw new NetcdfError("IO_ERROR", "the server's Content-Range does not give the file size", {
      file: name,
    });
  }
  const size = Number(total[1]);
  return {
    async read(buffer, offset, length, position) {
      const n = Math.max(0, Math.min(length, size - position));
      if (n === 0) return { bytesRead: 0 };
      if (position + n <= first.length) {
        buffer.set(first.subarray(position, position + n), offset);
        return { bytesRead: n };
      }
      const [bytes] = await get(position, position + n - 1);
      const got = Math.min(n, bytes.length);
      buffer.set(bytes.subarray(0, got), offset);
      return { bytesRead: got };
    },
    async stat() {
      return { size };
    },
    async close() {
      closed = true;
    },
  };
}

/** Positioned reads over bytes in memory. */
export function bytesHandle(bytes: Uint8Array): ByteHandle {
  return {
    async read(buffer, offset, length, position) {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      buffer.set(bytes.subarray(position, position + n), offset);
      return { bytesRead: n };
    },
    async stat() {
      return { size: bytes.length };
    },
    async close() {},
  };
}

/** Positioned reads over a `Blob` or `File`, slice by slice. */
export function blobHandle(blob: Blob): ByteHandle {
  return {
    async read(buffer, offset, length, position) {
      const n = Math.max(0, Math.min(length, blob.size - position));
      const bytes = new Uint8Array(await blob.slice(position, position + n).arrayBuffer());
      buffer.set(bytes, offset);
      return { bytesRead: bytes.length };
    },
    async stat() {
      return { size: blob.size };
    },
    async close() {},
  };
}

/**
 * Open a NetCDF file from an `http(s)://` URL (range requests: only the header and the
 * hyperslabs read are transferred), from bytes, or from a `Blob` — in Node or a browser.
 * NetCDF-3 (classic, 64-bit offset, CDF-5) only: NetCDF-4 needs the file on disk.
 *
 * @throws NetcdfError `UNSUPPORTED` for NetCDF-4, `BAD_MAGIC`, `IO_ERROR`, and the NetCDF-3 reader's errors
 */
export async function openNetcdfFrom(
  input: NetcdfInput,
  options: HttpHandleOptions = {},
): Promise<NetcdfDataset> {
  let handle: ByteHandle;
  let name: string;
  if (typeof input === "string" || input instanceof URL) {
    name = String(input);
    if (!/^https?:\/\//i.test(name)) {
      throw new NetcdfError(
        "IO_ERROR",
        "only http(s) URLs can be opened here; pass a path to openNetcdf in Node",
        {
          file: name,
        },
      );
    }
    handle = await httpHandle(input, options);
  } else if (input instanceof Uint8Array) {
    name = "<bytes>";
    handle = bytesHandle(input);
  } else if (typeof Blob !== "undefined" && input instanceof Blob) {
    name = (input as { name?: string }).name ?? "<blob>";
    handle = blobHandle(input);
  } else {
    throw new NetcdfError(
      "IO_ERROR",
      "input must be a path, an http(s) URL, a Uint8Array or a Blob",
    );
  }
  const head = new Uint8Array(8);
  const { size } = await handle.stat();
  await handle.read(head, 0, Math.min(8, size), 0);
  if (head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46 && [1, 2, 5].includes(head[3])) {
    return new NetcdfDataset(await openNetcdf3(name, handle));
  }
  await handle.close();
  if (HDF5_MAGIC.every((b, i) => head[i] === b)) {
    throw new NetcdfError("UNSUPPORTED", "NetCDF-4 can only be opened from a local file path", {
      file: name,
    });
  }
  throw new NetcdfError("BAD_MAGIC", "not a NetCDF file (neither 'CDF' nor HDF5 signature)", {
    file: name,
  });
}
