import { stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  type ArrayData,
  type Attrs,
  type DatasetSource,
  type DType,
  resolveHyperslab,
  sizeOf,
  type VariableSource,
} from "@geoml/grid";
import { NetcdfError } from "../errors.js";

/** Options of {@link openNetcdf4}. */
export interface Netcdf4Options {
  /** Group to open, e.g. `"grp1"` or `"/forecast/surface"`; default the root group. */
  group?: string;
  /**
   * Milliseconds HDF5 may spend opening the file (default 20 000). Reads get this plus one
   * second per 10 MB requested. A corrupted file can send the HDF5 library into an endless
   * loop; past the limit the HDF5 worker is stopped and a `TIMEOUT` error is raised.
   */
  timeoutMs?: number;
  /**
   * Hard limit on the memory one read may take, in bytes: the stored values plus, for all
   * but float32, the float64 array CF decoding makes of them; larger reads fail with
   * `TOO_LARGE` before anything is allocated. Unset (the default), reads of chunked data
   * beyond 32 MiB + 4 × the file size are verified instead: compressed data can legitimately
   * hold far more than the file, but a corrupted or hostile shape claims any size, which HDF5
   * answers with one repeated fill value for the chunks that do not exist — so past that
   * budget the data are read in small slabs and a slab of one repeated value stops the read
   * with `TOO_LARGE`. Set `Infinity` to read such data anyway. Contiguous data must be in
   * the file: claiming more bytes than it has is `CORRUPT_HEADER`.
   */
  maxReadBytes?: number;
}

/** Bytes per stored element of a numeric dtype (strings are bounded by the file instead). */
const ELEMENT_BYTES: Partial<Record<DType, number>> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};

interface VariableMeta {
  name: string;
  dims: string[];
  shape: number[];
  dtype: DType;
  attrs: Attrs;
  chunks?: number[];
}

/** A group below the opened one: its path (`"grp1/sub"`), own dimensions and attributes. */
export interface NetcdfGroup {
  /** Path relative to the opened group, without a leading slash. */
  path: string;
  /** Dimensions defined in this group, by their full path names (`"grp1/x"`). */
  dims: string[];
  /** The group's attributes. */
  attrs: Attrs;
}

/** A stored variable whose type has no labelled-array equivalent (opaque, vlen, compounds of those). */
export interface UnsupportedVariable {
  /** Path relative to the opened group. */
  name: string;
  /** What is not supported. */
  reason: string;
}

/**
 * A NetCDF-4 back-end: a {@link DatasetSource} listing the variables of the opened group and
 * of every group below it (named by path, `"grp1/sub/T"`), plus the group tree and the
 * variables that cannot be read.
 */
export interface Netcdf4Source extends DatasetSource {
  /** Groups below the opened one, parents before children. */
  readonly groups: readonly NetcdfGroup[];
  /** Variables left out of `variables` because of their type. */
  readonly unsupported: readonly UnsupportedVariable[];
}

interface OpenResult {
  fileId: number;
  dims: Record<string, number>;
  unlimited: string[];
  attrs: Attrs;
  variables: VariableMeta[];
  groups: NetcdfGroup[];
  unsupported: UnsupportedVariable[];
}

interface Reply {
  id?: number;
  ready?: boolean;
  ok?: boolean;
  result?: unknown;
  message?: string;
  code?: string;
}

/**
 * The HDF5 library (h5wasm) runs in one worker thread, `hdf5-worker.mjs`. Its Node build
 * maps Emscripten's file system onto the host's (`NODERAWFS`), so HDF5 opens files by path
 * and reads only the chunks a hyperslab touches. Every request has a deadline: HDF5 is C
 * code that can loop forever on a corrupted file, and only a worker can be stopped.
 */
class Hdf5Host {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private pending = new Map<
    number,
    { resolve: (r: unknown) => void; reject: (e: Error) => void }
  >();
  private seq = 0;
  /** Bumped whenever the worker is replaced; files opened in an older one are gone. */
  generation = 0;

  start(): Promise<void> {
    if (this.ready !== undefined) return this.ready;
    const worker = new Worker(new URL("./hdf5-worker.mjs", import.meta.url));
    this.worker = worker;
    this.ready = new Promise<void>((resolveReady, rejectReady) => {
      worker.on("message", (m: Reply) => {
        if (m.ready) {
          resolveReady();
          this.idleCheck();
          return;
        }
        const p = this.pending.get(m.id!);
        if (p === undefined) return;
        this.pending.delete(m.id!);
        this.idleCheck();
        if (m.ok) p.resolve(m.result);
        else p.reject(Object.assign(new Error(m.message), { code: m.code }));
      });
      worker.on("error", (e) => {
        rejectReady(e);
        if (this.worker === worker) this.fail(e);
      });
      worker.on("exit", () => {
        // Only the current worker matters; a stopped one was already written off.
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.ready = undefined;
        this.generation++;
        this.fail(new Error("HDF5 worker exited"));
      });
    });
    // Referenced while starting or busy, so the process waits for it; idle, it never
    // keeps the process alive.
    return this.ready;
  }

  async call(msg: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    await this.start();
    const worker = this.worker!;
    const id = ++this.seq;
    worker.ref();
    return new Promise((resolveCall, rejectCall) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        rejectCall(
          Object.assign(new Error(`HDF5 did not finish within ${timeoutMs} ms`), {
            code: "TIMEOUT",
          }),
        );
        this.stop();
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolveCall(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          rejectCall(e);
        },
      });
      worker.postMessage({ id, ...msg });
    });
  }

  private idleCheck(): void {
    if (this.pending.size === 0) this.worker?.unref();
  }

  private stop(): void {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    this.generation++;
    void w?.terminate();
    this.fail(new Error("HDF5 worker stopped"));
  }

  private fail(e: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(e);
  }
}

const host = new Hdf5Host();

/** Send one request to the HDF5 worker (used by the NetCDF-4 writer). */
export function hdf5Call(msg: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
  return host.call(msg, timeoutMs);
}

let preloaded: Promise<void> | undefined;

/**
 * Start the HDF5 worker, load the library and warm it up ahead of the first NetCDF-4 open
 * (e.g. at application start); otherwise the first open pays for it. The worker warms its
 * own code when it starts; this also opens and reads its small warm-up file once through the
 * public path, so this thread's reading and decoding code is compiled too.
 */
export function preloadNetcdf4(): Promise<void> {
  preloaded ??= (async () => {
    await host.start();
    const warmup = fileURLToPath(new URL("./warmup.nc", import.meta.url));
    try {
      const source = await openNetcdf4(warmup);
      const { Dataset } = await import("@geoml/grid");
      const ds = new Dataset(source);
      try {
        for (const name of ds.variableNames) await ds.read(name);
      } finally {
        await ds.close();
      }
    } catch {
      // Warming up is an optimisation only (e.g. the file was not shipped).
    }
  })();
  return preloaded;
}

function toError(e: unknown, file: string, variable?: string): NetcdfError {
  if (e instanceof NetcdfError) return e;
  const err = e as Error & { code?: string };
  const text = String(err?.message ?? e);
  if (err?.code === "TIMEOUT") {
    return new NetcdfError("TIMEOUT", `${text}; the file is probably corrupted`, {
      file,
      variable,
    });
  }
  if (err?.code === "CLOSED")
    return new NetcdfError("CLOSED", "file is closed", { file, variable });
  if (err?.code === "UNSUPPORTED" || err?.code === "CORRUPT_HEADER" || err?.code === "TOO_LARGE")
    return new NetcdfError(err.code, text, { file, variable });
  const minors = [...text.matchAll(/minor: (.*)/g)].map((m) => m[1].trim());
  const last = minors.at(-1) ?? text.split("\n")[0];
  const code = /truncat/i.test(text)
    ? "TRUNCATED"
    : /signature not found|Not an HDF5 file/i.test(text)
      ? "BAD_MAGIC"
      : "CORRUPT_HEADER";
  return new NetcdfError(code, `HDF5: ${last}`, { file, variable });
}

/**
 * Open a NetCDF-4 (HDF5) file lazily through h5wasm: dimensions come from HDF5 dimension
 * scales, variables from datasets, those of sub-groups named by their path (`"grp1/T"`, with
 * dimensions defined in a sub-group named the same way); reading a hyperslab decompresses only the chunks it
 * overlaps (deflate, shuffle, Fletcher-32 are built into the HDF5 library).
 *
 * @throws NetcdfError `BAD_MAGIC`, `TRUNCATED`, `CORRUPT_HEADER`, `TIMEOUT`, `IO_ERROR`
 */
export async function openNetcdf4(
  path: string,
  options: Netcdf4Options = {},
): Promise<Netcdf4Source> {
  const abs = isAbsolute(path) ? path : resolve(path);
  let fileSize: number;
  try {
    fileSize = (await stat(abs)).size;
  } catch (e) {
    throw new NetcdfError("IO_ERROR", `cannot open: ${(e as Error).message}`, { file: path });
  }
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxReadBytes = options.maxReadBytes;
  if (maxReadBytes !== undefined && !(maxReadBytes > 0)) {
    throw new NetcdfError(
      "INVALID_ARGUMENT",
      `maxReadBytes must be positive, got ${maxReadBytes}`,
      {
        file: path,
      },
    );
  }
  /** Memory a read may take unverified when no hard limit is set. */
  const budget = 32 * 2 ** 20 + 4 * fileSize;
  let opened: OpenResult;
  try {
    opened = (await host.call(
      { op: "open", path: abs, group: options.group ?? "/" },
      timeoutMs,
    )) as OpenResult;
  } catch (e) {
    throw toError(e, path);
  }
  const generation = host.generation;
  let closed = false;
  const variables = opened.variables.map(
    (v): VariableSource => ({
      name: v.name,
      dims: v.dims,
      shape: v.shape,
      dtype: v.dtype,
      attrs: v.attrs,
      ...(v.chunks ? { chunks: v.chunks } : {}),
      async read(start, count): Promise<ArrayData> {
        const ctx = { file: path, variable: v.name };
        if (closed || generation !== host.generation)
          throw new NetcdfError("CLOSED", "file is closed", ctx);
        const [s, c] = resolveHyperslab(v.shape, start, count, ctx);
        const bytes = sizeOf(c) * (ELEMENT_BYTES[v.dtype] ?? 8);
        // Sizes come from the file's header: check them before the worker allocates.
        if (v.chunks === undefined && v.dtype !== "string" && bytes > fileSize) {
          throw new NetcdfError(
            "CORRUPT_HEADER",
            `contiguous data of ${bytes} bytes cannot be in a file of ${fileSize} bytes (shape ${v.shape.join("×")})`,
            ctx,
          );
        }
        // Stored values, plus the float64 copy decoding makes (float32 decodes in place).
        const cost = v.dtype === "float32" ? bytes : bytes + sizeOf(c) * 8;
        if (maxReadBytes !== undefined && cost > maxReadBytes) {
          throw new NetcdfError(
            "TOO_LARGE",
            `reading shape ${c.join("×")} takes ${cost} bytes, over maxReadBytes (${maxReadBytes}); read a hyperslab (isel) or raise the limit`,
            ctx,
          );
        }
        // Past the budget, the worker checks the data are real (see Netcdf4Options.maxReadBytes).
        const verifyBeyond =
          maxReadBytes === undefined && v.chunks !== undefined && cost > budget
            ? Math.floor((budget * bytes) / cost)
            : undefined;
        try {
          const r = (await host.call(
            {
              op: "read",
              fileId: opened.fileId,
              name: v.name,
              start: s,
              count: c,
              verifyBeyond,
              stringLimit: maxReadBytes ?? budget,
            },
            timeoutMs + Math.ceil(bytes / 10_000_000) * 1000,
          )) as { data: ArrayData };
          return r.data;
        } catch (e) {
          throw toError(e, path, v.name);
        }
      },
    }),
  );
  return {
    format: "netcdf4",
    path,
    dims: opened.dims,
    unlimitedDims: opened.unlimited,
    attrs: opened.attrs,
    variables,
    groups: opened.groups,
    unsupported: opened.unsupported,
    close: async () => {
      if (closed) return;
      closed = true;
      if (generation !== host.generation) return;
      try {
        await host.call({ op: "close", fileId: opened.fileId }, timeoutMs);
      } catch {
        // The worker may already be gone; nothing left to release.
      }
    },
  };
}
