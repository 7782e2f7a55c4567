import {
  type ArrayData,
  type Attrs,
  type DType,
  resolveHyperslab,
  sizeOf,
  type VariableSource,
} from "@geoml/grid";
import * as zarr from "zarrita";
import { ZarrError } from "./errors.js";
import type { GuardedStore } from "./guard.js";
import type { ArrayMeta } from "./metadata.js";

/** Limits applied while reading; see {@link ZarrOpenOptions}. */
export interface ReadLimits {
  /** Largest decoded chunk (or shard) in bytes a read may allocate. */
  maxChunkBytes: number;
}

/** Chunks fetched and decoded at once: bounds memory to the window plus this many chunks. */
const CONCURRENCY = 8;

// zarrita's default queue starts every chunk of a window at once (hundreds of requests and
// decoded chunks alive together); this one runs at most `limit` and fails on the first error.
function limitedQueue(limit: number) {
  const waiting: Array<() => Promise<void>> = [];
  let running = 0;
  let failed: unknown;
  let settle: (() => void) | undefined;
  const idle = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const pump = () => {
    while (running < limit && waiting.length > 0 && failed === undefined) {
      const fn = waiting.shift()!;
      running++;
      fn()
        .catch((e: unknown) => {
          failed ??= e;
        })
        .finally(() => {
          running--;
          pump();
        });
    }
    if (running === 0 && (waiting.length === 0 || failed !== undefined)) settle?.();
  };
  return {
    add(fn: () => Promise<void>) {
      waiting.push(fn);
    },
    async onIdle(): Promise<undefined[]> {
      pump();
      await idle;
      if (failed !== undefined) throw failed;
      return [];
    },
  };
}

type AnyArray = zarr.Array<zarr.DataType, GuardedStore>;

/** One Zarr array as a grid {@link VariableSource}: metadata now, chunks on `read`. */
export class ZarrVariable implements VariableSource {
  readonly dims: string[];
  readonly shape: number[];
  readonly dtype: DType;
  readonly chunks: number[];
  private opened?: Promise<AnyArray>;

  constructor(
    readonly name: string,
    readonly meta: ArrayMeta,
    dims: string[],
    readonly attrs: Attrs,
    private readonly store: GuardedStore,
    private readonly limits: ReadLimits,
  ) {
    this.dims = dims;
    this.shape = [...meta.shape];
    this.dtype = meta.dtype;
    this.chunks = [...(meta.innerChunks ?? meta.chunks)];
  }

  private ctx() {
    return { file: this.store.name, variable: this.name };
  }

  private array(): Promise<AnyArray> {
    if (this.opened === undefined) {
      const loc = new zarr.Location(this.store, `/${this.meta.path}` as `/${string}`);
      const p =
        this.meta.format === 2
          ? zarr.open.v2(loc, { kind: "array" })
          : zarr.open.v3(loc, { kind: "array" });
      this.opened = p.catch((e: unknown) => {
        this.opened = undefined;
        throw this.wrap(e);
      }) as Promise<AnyArray>;
    }
    return this.opened;
  }

  private wrap(e: unknown): Error {
    const err = e as Error & { _tag?: string; cause?: unknown; chunkPath?: string };
    const inner =
      e instanceof ZarrError ? e : err?.cause instanceof ZarrError ? err.cause : undefined;
    if (inner !== undefined) {
      if (inner.variable !== undefined) return inner;
      // A store error (I/O, a refused chunk) learns which array was being read.
      const prefix = inner.file === undefined ? "" : `${inner.file}: `;
      const message = inner.message.startsWith(prefix)
        ? inner.message.slice(prefix.length)
        : inner.message;
      return new ZarrError(inner.code, message, this.ctx());
    }
    const detail = err?.message ?? String(e);
    const code =
      err?._tag === "UnknownCodecError" || err?._tag === "UnsupportedError"
        ? "UNSUPPORTED"
        : err?._tag === "InvalidMetadataError"
          ? "CORRUPT_METADATA"
          : "CORRUPT_CHUNK";
    const cause = err?.cause instanceof Error ? ` (${err.cause.message})` : "";
    return new ZarrError(code, `${detail}${cause}`, this.ctx());
  }

  async read(start?: readonly number[], count?: readonly number[]): Promise<ArrayData> {
    const [s, c] = resolveHyperslab(this.shape, start, count, this.ctx());
    // A sharded array decodes one inner chunk at a time; the shard itself is never allocated whole.
    const chunkBytes = sizeOf(this.chunks) * this.meta.itemSize;
    if (chunkBytes > this.limits.maxChunkBytes) {
      throw new ZarrError(
        "TOO_LARGE",
        `a chunk of shape [${this.chunks.join(", ")}] decodes to ${chunkBytes} bytes, over the ${this.limits.maxChunkBytes}-byte limit (option maxChunkBytes)`,
        this.ctx(),
      );
    }
    const n = sizeOf(c);
    const arr = await this.array();
    if (n === 0) return emptyOf(this.dtype);
    let result: unknown;
    try {
      if (this.shape.length === 0) {
        result = { data: (await arr.getChunk([])).data, shape: [], stride: [] };
      } else {
        result = await zarr.get(
          arr,
          s.map((a, i) => zarr.slice(a, a + c[i])),
          { createQueue: () => limitedQueue(CONCURRENCY) },
        );
      }
    } catch (e) {
      throw this.wrap(e);
    }
    const chunk = result as { data: unknown; shape: number[]; stride: number[] };
    return toCOrder(toArrayData(chunk.data, n, this.ctx()), chunk.shape, chunk.stride);
  }
}

function emptyOf(dtype: DType): ArrayData {
  switch (dtype) {
    case "string":
      return [];
    case "int8":
      return new Int8Array(0);
    case "int16":
      return new Int16Array(0);
    case "uint16":
      return new Uint16Array(0);
    case "int32":
      return new Int32Array(0);
    case "uint32":
      return new Uint32Array(0);
    case "int64":
      return new BigInt64Array(0);
    case "uint64":
      return new BigUint64Array(0);
    case "float32":
      return new Float32Array(0);
    case "float64":
      return new Float64Array(0);
    default:
      return new Uint8Array(0);
  }
}

function toArrayData(
  data: unknown,
  n: number,
  ctx: { file?: string; variable?: string },
): ArrayData {
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    return (data as unknown as { subarray(a: number, b: number): ArrayData }).subarray(0, n);
  }
  if (Array.isArray(data)) return data.slice(0, n).map((v) => (v == null ? "" : String(v)));
  const like = data as {
    get?: (i: number) => unknown;
    length?: number;
    buffer?: ArrayBuffer;
    byteOffset?: number;
  };
  if (like?.constructor?.name === "BoolArray" && like.buffer !== undefined) {
    return new Uint8Array(like.buffer, like.byteOffset ?? 0, n).slice();
  }
  if (typeof like?.get === "function") {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = String(like.get(i));
    return out;
  }
  throw new ZarrError("UNSUPPORTED", "zarrita returned data of an unknown kind", ctx);
}

// zarrita keeps an F-ordered array's native order in the result; the grid wants row-major.
function toCOrder(data: ArrayData, shape: number[], stride: number[]): ArrayData {
  const rank = shape.length;
  let expect = 1;
  let isC = true;
  for (let i = rank - 1; i >= 0; i--) {
    if (shape[i] > 1 && stride[i] !== expect) isC = false;
    expect *= shape[i];
  }
  if (isC) return data;
  const n = data.length;
  const out = (
    Array.isArray(data)
      ? new Array<string>(n)
      : new (data.constructor as new (n: number) => ArrayData)(n)
  ) as {
    [i: number]: unknown;
  };
  const src = data as unknown as { [i: number]: unknown };
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o++) {
    let at = 0;
    for (let i = 0; i < rank; i++) at += idx[i] * stride[i];
    out[o] = src[at];
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
  return out as unknown as ArrayData;
}
