/**
 * Buffer reuse across repeated computations (e.g. one training step after another).
 * Inside {@link BufferPool.run}, every array an op allocates is taken from the pool's
 * free list when one of the same dtype and length is there. When `run` returns, the
 * arrays of tensors created inside that the result does not reach go back to the free
 * list, and those tensors are marked released: reading one afterwards throws instead of
 * seeing another step's values. Ownership is decided by buffer, so a returned tensor
 * keeps its array even when it is a view (reshape, slice) of an intermediate.
 */
import type { DType, Storage } from "./dtype.js";
import { AutodiffError } from "./errors.js";

/** What the pool needs of a tensor (structural, so this module needs no Tensor import). */
interface Poolable {
  /** @internal The storage, or null once released. */
  readonly storage: Storage | null;
  /** @internal Drops the storage; later reads throw. */
  release(): void;
}

interface Scope {
  readonly pool: BufferPool;
  readonly parent: Scope | null;
  /** Arrays allocated (fresh or reused) while this scope was innermost. */
  readonly owned: Storage[];
  /** Tensors created while this scope was innermost. */
  readonly tensors: Poolable[];
}

let active: Scope | null = null;

/** Thrown when a tensor whose buffer went back to a pool is read. */
export class ReleasedTensorError extends AutodiffError {
  /** @param op what read the tensor. */
  constructor(op: string) {
    super(
      "RELEASED",
      op,
      "this tensor was created inside BufferPool.run and not returned from it, so its buffer was reused; return it from the function (or copy it) to keep it",
    );
    this.name = "ReleasedTensorError";
  }
}

/** Usage counters of a {@link BufferPool}. */
export interface BufferPoolStats {
  /** Arrays handed out from the free list. */
  reused: number;
  /** Arrays newly allocated inside `run` (free list empty for that size). */
  allocated: number;
  /** Bytes currently held in the free list. */
  freeBytes: number;
}

/**
 * A free list of float32/float64 arrays keyed by length, reused by the ops run inside
 * {@link BufferPool.run}. Results are bit-identical with and without a pool: a reused
 * array is zeroed before an op that accumulates into it sees it; ops that write every
 * element of their output (products, elementwise ops) take it as it is.
 *
 * @example
 * ```ts
 * const pool = new BufferPool();
 * for (const batch of batches) {
 *   const [loss, grads] = pool.run(() => valueAndGrad(objective)(params, batch));
 *   params = update(params, grads); // loss and grads were returned, so they stay valid
 * }
 * ```
 */
export class BufferPool {
  readonly #free32 = new Map<number, Float32Array[]>();
  readonly #free64 = new Map<number, Float64Array[]>();
  #reused = 0;
  #allocated = 0;
  #freeBytes = 0;

  /**
   * Runs `fn`; when it returns, recycles the arrays of every tensor created inside that
   * its result (tensors or typed arrays, and arrays / plain objects nesting them) does
   * not reach. Those tensors are released: reading their data throws
   * {@link ReleasedTensorError}. If `fn` throws, nothing is recycled. Scopes nest; what an inner scope returns belongs to the
   * enclosing one.
   */
  run<R>(fn: () => R): R {
    if (typeof fn !== "function")
      throw new AutodiffError("INVALID_ARGUMENT", "BufferPool.run", "expected a function");
    const scope: Scope = { pool: this, parent: active, owned: [], tensors: [] };
    active = scope;
    let result: R;
    try {
      result = fn();
    } catch (e) {
      active = scope.parent;
      // Nothing recycled: what fn built stays valid (its buffers become ordinary garbage).
      handOver(scope);
      throw e;
    }
    active = scope.parent;
    const keep = new Set<ArrayBufferLike>();
    reachableBuffers(result, keep, new Set());
    const recycled = new Set<ArrayBufferLike>();
    for (const buf of scope.owned) {
      if (keep.has(buf.buffer)) scope.parent?.owned.push(buf);
      else {
        recycled.add(buf.buffer);
        this.#put(buf);
      }
    }
    for (const t of scope.tensors) {
      const s = t.storage;
      if (s === null) continue;
      if (recycled.has(s.buffer)) t.release();
      else scope.parent?.tensors.push(t);
    }
    return result;
  }

  /** Counters since the pool was made. */
  get stats(): BufferPoolStats {
    return { reused: this.#reused, allocated: this.#allocated, freeBytes: this.#freeBytes };
  }

  /** Drops every array in the free list. */
  clear(): void {
    this.#free32.clear();
    this.#free64.clear();
    this.#freeBytes = 0;
  }

  /** @internal An array from the free list (zeroed when `zero`), or null. */
  take(dtype: DType, n: number, zero = true): Storage | null {
    const list = (dtype === "float32" ? this.#free32 : this.#free64).get(n);
    const buf = list?.pop();
    if (buf === undefined) {
      this.#allocated++;
      return null;
    }
    this.#reused++;
    this.#freeBytes -= buf.byteLength;
    if (zero) return buf.fill(0);
    // tests poison the arrays handed out unzeroed: an op that skips an element shows NaN
    return poolDebug.poison ? buf.fill(Number.NaN) : buf;
  }

  #put(buf: Storage): void {
    const map: Map<number, Storage[]> = buf instanceof Float32Array ? this.#free32 : this.#free64;
    let list = map.get(buf.length);
    if (list === undefined) {
      list = [];
      map.set(buf.length, list);
    }
    list.push(buf);
    this.#freeBytes += buf.byteLength;
  }
}

/** Moves a finished scope's tensors and arrays to the enclosing scope (or forgets them). */
function handOver(scope: Scope): void {
  if (scope.parent === null) return;
  for (const b of scope.owned) scope.parent.owned.push(b);
  for (const t of scope.tensors) scope.parent.tensors.push(t);
}

/** Adds the buffers of every tensor reachable from `v` through arrays and plain objects. */
function reachableBuffers(v: unknown, out: Set<ArrayBufferLike>, seen: Set<object>): void {
  if (v === null || typeof v !== "object" || seen.has(v)) return;
  seen.add(v);
  // a returned raw array (e.g. `t.data`) keeps its buffer too
  if (ArrayBuffer.isView(v)) {
    out.add(v.buffer);
    return;
  }
  const s = (v as Partial<Poolable>).storage;
  if (s !== undefined && typeof (v as Partial<Poolable>).release === "function") {
    if (s !== null) out.add(s.buffer);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) reachableBuffers(x, out, seen);
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null)
    for (const k of Object.keys(v)) reachableBuffers((v as Record<string, unknown>)[k], out, seen);
}

/**
 * @internal Test switch: arrays handed out unzeroed are filled with NaN first, so a
 * test shows any op that reads an element of its output before writing it.
 */
export const poolDebug = { poison: false };

/**
 * @internal A reused array (zeroed when `zero`) when a pool scope is active (recorded as
 * owned), else null.
 */
export function poolTake(dtype: DType, n: number, zero = true): Storage | null {
  const scope = active;
  if (scope === null) return null;
  return scope.pool.take(dtype, n, zero);
}

/** @internal Records a freshly allocated array as owned by the active scope. */
export function poolOwn(buf: Storage): void {
  active?.owned.push(buf);
}

/** @internal Records a tensor created while a scope is active. */
export function poolTrack(t: Poolable): void {
  active?.tensors.push(t);
}
