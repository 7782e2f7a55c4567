/** The n-d array type. A tensor is a contiguous row-major typed array plus a shape. */
import { alloc, type DType, type Storage } from "./dtype.js";
import { ArgumentError, fmtShape } from "./errors.js";
import { poolTrack, ReleasedTensorError } from "./pool.js";
import { shapeSize } from "./shape.js";
import { record, shouldRecord } from "./tape.js";

/** Nested JS arrays of numbers, as produced by {@link Tensor.toArray}. */
export type NestedArray = number[] | NestedArray[];

/**
 * Backward rule of one recorded op: maps the cotangent of the output to cotangents
 * of the inputs (null where `need[i]` is false or the input has no gradient).
 * Written with ops, so it can itself be recorded (gradients of gradients).
 */
export type Vjp = (g: Tensor, need: readonly boolean[]) => (Tensor | null)[];

/** A recorded op in the graph: its inputs and backward rule. */
export interface GraphNode {
  readonly inputs: readonly Tensor[];
  readonly vjp: Vjp;
}

/** An immutable n-d array of float32 or float64 values. */
export class Tensor {
  /** Sizes of each axis. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** @internal The values, or null once a {@link BufferPool} reclaimed them. */
  storage: Storage | null;
  /** @internal Op that produced this tensor while tracing, or null. */
  node: GraphNode | null = null;
  /** @internal True for the differentiable inputs created by `grad`. */
  leaf = false;

  /** @internal Use `tensor()` and the creation functions instead. */
  constructor(data: Storage, shape: readonly number[], dtype?: DType) {
    this.storage = data;
    this.shape = shape;
    this.dtype = dtype ?? (data instanceof Float32Array ? "float32" : "float64");
    this.size = shapeSize(shape);
    poolTrack(this);
  }

  /**
   * Contiguous row-major values; treat as read-only. Throws {@link ReleasedTensorError}
   * when the tensor was made inside `BufferPool.run` and not returned from it.
   */
  get data(): Storage {
    const s = this.storage;
    if (s === null) throw new ReleasedTensorError(`${this.toString()}.data`);
    return s;
  }

  /** @internal Hands the values back to a pool; later reads of `data` throw. */
  release(): void {
    this.storage = null;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** @internal True when this tensor is part of a graph being traced. */
  get traced(): boolean {
    return this.node !== null || this.leaf;
  }

  /** Value of a 1-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new ArgumentError(
        "item",
        `expected a 1-element tensor, got shape ${fmtShape(this.shape)}`,
        "NOT_SCALAR",
      );
    return this.data[0];
  }

  /** Values as nested JS arrays (a plain number for a 0-d tensor). */
  toArray(): number | NestedArray {
    if (this.shape.length === 0) return this.data[0];
    const build = (dim: number, off: number, step: number): NestedArray => {
      const n = this.shape[dim];
      const inner = step / n;
      const out: NestedArray = [];
      if (dim === this.shape.length - 1) {
        for (let i = 0; i < n; i++) (out as number[]).push(this.data[off + i]);
      } else {
        for (let i = 0; i < n; i++)
          (out as NestedArray[]).push(build(dim + 1, off + i * inner, inner));
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  /** Copy converted to `dtype` (differentiable; the gradient is cast back). */
  astype(dtype: DType): Tensor {
    return castTo(this, dtype);
  }

  /** Short description, e.g. `Tensor(float64, [2, 3])`. */
  toString(): string {
    return `Tensor(${this.dtype}, ${fmtShape(this.shape)})`;
  }
}

/**
 * `x` converted to `dtype` (`x` itself when it already has it); the gradient is
 * cast back. Here rather than in ops/ because {@link Tensor.astype} needs it and
 * every op needs the Tensor class: one file, no import cycle. Public as `cast`.
 */
export function castTo(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const data = alloc(dtype, x.size);
  data.set(x.data);
  const out = new Tensor(data, x.shape, dtype);
  if (shouldRecord(x)) record(out, [x], (g) => [castTo(g, x.dtype)]);
  return out;
}
