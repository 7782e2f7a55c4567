import {
  type ArrayData,
  allocate,
  type DatasetSource,
  type PartVisitor,
  resolveHyperslab,
  sizeOf,
  type TypedArray,
  type VariableSource,
} from "@geoml/grid";
import { NetcdfError } from "../errors.js";
import { type ByteHandle, readExact } from "../io.js";
import { type Nc3Header, type Nc3Variable, NeedMoreBytes, parseHeader } from "./header.js";

/** Headers larger than this are treated as corrupt rather than read. */
const MAX_HEADER = 256 * 1024 * 1024;
/** Runs at least this long are read straight into the output array. */
const DIRECT_RUN = 256 * 1024;
/** Short runs are gathered into windows of at most this many bytes… */
const WINDOW = 8 * 1024 * 1024;
/** …as long as the gap between consecutive runs stays below this. */
const MAX_GAP = 64 * 1024;

/**
 * Open a NetCDF-3 file (classic, 64-bit offset or CDF-5) lazily: only the header is read;
 * each variable's `read(start, count)` issues positioned reads for exactly the hyperslab,
 * so memory is bounded by the slab requested, whatever the file size. `handle` reads from
 * elsewhere than the local file `path` (HTTP ranges, bytes, a Blob); `path` then names it.
 *
 * @throws NetcdfError `BAD_MAGIC`, `TRUNCATED`, `CORRUPT_HEADER`, `IO_ERROR`
 */
export async function openNetcdf3(path: string, handle?: ByteHandle): Promise<DatasetSource> {
  let fh: ByteHandle;
  try {
    // Node-only, loaded on demand so the reader also runs in a browser (on a given handle).
    fh = handle ?? (await (await import("node:fs/promises")).open(path, "r"));
  } catch (e) {
    throw new NetcdfError("IO_ERROR", `cannot open: ${(e as Error).message}`, { file: path });
  }
  try {
    const fileSize = (await fh.stat()).size;
    const header = await readHeader(fh, fileSize, path);
    return new Nc3Source(fh, header, path);
  } catch (e) {
    await fh.close();
    throw e;
  }
}

async function readHeader(fh: ByteHandle, fileSize: number, path: string): Promise<Nc3Header> {
  let size = Math.min(fileSize, 64 * 1024);
  for (;;) {
    const bytes = new Uint8Array(size);
    await readExact(fh, bytes, 0, size, 0, path);
    try {
      return parseHeader(bytes, fileSize, path);
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
      if (size >= MAX_HEADER) {
        throw new NetcdfError("CORRUPT_HEADER", `header larger than ${MAX_HEADER} bytes`, {
          file: path,
        });
      }
      size = Math.min(fileSize, size * 4, MAX_HEADER);
    }
  }
}

class Nc3Source implements DatasetSource {
  readonly format: string;
  readonly dims: Record<string, number>;
  readonly unlimitedDims: string[];
  readonly attrs;
  readonly variables: VariableSource[];
  private closed = false;

  constructor(
    private readonly fh: ByteHandle,
    readonly header: Nc3Header,
    readonly path: string,
  ) {
    this.format = header.format;
    this.dims = Object.fromEntries(header.dims.map((d) => [d.name, d.length]));
    this.unlimitedDims = header.dims.filter((d) => d.unlimited).map((d) => d.name);
    this.attrs = header.attrs;
    this.variables = header.variables.map((v) => this.variableSource(v));
  }

  private variableSource(v: Nc3Variable): VariableSource {
    return {
      name: v.name,
      dims: v.dims,
      shape: v.shape,
      dtype: v.dtype,
      attrs: v.attrs,
      read: (start, count, onPart) => this.read(v, start, count, onPart),
    };
  }

  private async read(
    v: Nc3Variable,
    start?: readonly number[],
    count?: readonly number[],
    onPart?: PartVisitor,
  ): Promise<ArrayData> {
    const ctx = { file: this.path, variable: v.name };
    if (this.closed) throw new NetcdfError("CLOSED", "file is closed", ctx);
    const [s, c] = resolveHyperslab(v.shape, start, count, ctx);
    const out = allocate(v.dtype as Exclude<typeof v.dtype, "string">, sizeOf(c));
    if (out.length > 0) await readRuns(this.fh, this.header, v, s, c, out, this.path, onPart);
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

/**
 * Read a hyperslab as a sequence of contiguous byte runs, then swap from big-endian.
 * Long runs go straight into the output; short ones are gathered into windows so a
 * strided selection costs a few large reads instead of thousands of small ones.
 */
async function readRuns(
  fh: ByteHandle,
  header: Nc3Header,
  v: Nc3Variable,
  start: number[],
  count: number[],
  out: TypedArray,
  path: string,
  onPart?: PartVisitor,
): Promise<void> {
  const rank = v.shape.length;
  const size = v.itemSize;
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  // Byte strides in the file: records are `recordSize` apart; within a record, row-major.
  const strideB = new Array<number>(rank);
  let acc = size;
  for (let i = rank - 1; i >= 0; i--) {
    strideB[i] = i === 0 && v.isRecord ? header.recordSize : acc;
    acc *= v.shape[i];
  }
  // Grow the contiguous run from the innermost axis outwards while the file layout stays
  // contiguous; a record variable's first axis never is (records interleave).
  let k = rank;
  let runElems = 1;
  while (k > 0) {
    const expected = k === rank ? size : v.shape[k] * strideB[k];
    if (strideB[k - 1] !== expected) break;
    k--;
    runElems *= count[k];
    if (count[k] !== v.shape[k]) break;
  }
  const runBytes = runElems * size;
  const outer = count.slice(0, k);
  const idx = new Array<number>(outer.length).fill(0);
  const runOffset = (): number => {
    let off = v.begin + (k < rank ? start[k] * strideB[k] : 0);
    for (let i = 0; i < outer.length; i++) off += (start[i] + idx[i]) * strideB[i];
    return off;
  };
  const advance = (): boolean => {
    for (let a = outer.length - 1; a >= 0; a--) {
      idx[a]++;
      if (idx[a] < outer[a]) return true;
      idx[a] = 0;
    }
    return false;
  };

  let outPos = 0;
  if (runBytes >= DIRECT_RUN) {
    // Swap (and let the caller decode) each piece as soon as it lands, overlapping the
    // remaining reads.
    do {
      const base = outPos;
      await readExact(fh, outBytes, base, runBytes, runOffset(), path, (at, len) => {
        swapToHost(outBytes.subarray(base + at, base + at + len), size);
        onPart?.(out.subarray((base + at) / size, (base + at + len) / size));
      });
      outPos += runBytes;
    } while (advance());
    return;
  }
  // Short runs: gather them into windows.
  const scratch = new Uint8Array(
    Math.min(WINDOW, Math.max(runBytes, spanBytes(count, strideB, runBytes))),
  );
  const pending: Array<[number, number]> = []; // [file offset, output offset]
  let winStart = -1;
  let winEnd = -1;
  const flush = async () => {
    if (pending.length === 0) return;
    await readExact(fh, scratch, 0, winEnd - winStart, winStart, path);
    for (const [off, o] of pending) {
      outBytes.set(scratch.subarray(off - winStart, off - winStart + runBytes), o);
    }
    pending.length = 0;
  };
  do {
    const off = runOffset();
    if (
      pending.length > 0 &&
      (off < winEnd || off - winEnd > MAX_GAP || off + runBytes - winStart > scratch.length)
    ) {
      await flush();
    }
    if (pending.length === 0) winStart = off;
    pending.push([off, outPos]);
    winEnd = off + runBytes;
    outPos += runBytes;
  } while (advance());
  await flush();
  swapToHost(outBytes, size);
  onPart?.(out);
}

function spanBytes(count: number[], strideB: number[], runBytes: number): number {
  let span = runBytes;
  for (let i = 0; i < count.length; i++) span += Math.max(count[i] - 1, 0) * strideB[i];
  return span;
}

// NetCDF-3 is big-endian; Buffer's native swaps do this in place at memory speed.
function swapToHost(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  // Node's Buffer swaps natively; browsers have no Buffer, so swap byte by byte there.
  if (typeof Buffer === "undefined") {
    for (let i = 0; i + size <= bytes.length; i += size) bytes.subarray(i, i + size).reverse();
    return;
  }
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 2) b.swap16();
  else if (size === 4) b.swap32();
  else b.swap64();
}
