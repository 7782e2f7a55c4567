/** Shape arithmetic shared by ops and kernels: broadcasting, strides, axes. */
import { ArgumentError, fmtShape, ShapeError } from "./errors.js";

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous array of this shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** True when two shapes are identical. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; throws a {@link ShapeError} naming the op and both shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else
      throw new ShapeError(
        op,
        `shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast (axis ${i}: ${da} vs ${db})`,
      );
  }
  return out;
}

/**
 * Strides for reading an array of `shape` as if broadcast to `outShape`:
 * aligned to `outShape`, 0 on broadcast axes.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = outShape.length - shape.length;
  const out = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) out[i + off] = shape[i] === 1 ? 0 : st[i];
  return out;
}

/** Normalises one axis (negative counts from the end); throws when out of range. */
export function normAxis(axis: number, ndim: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim)
    throw new ArgumentError(
      op,
      `axis ${axis} is out of range for a ${ndim}-d tensor`,
      "INVALID_AXIS",
    );
  return axis < 0 ? axis + ndim : axis;
}

/** Normalises an axis list (undefined = all axes), sorted and de-duplicated. */
export function normAxes(
  axis: number | readonly number[] | undefined,
  ndim: number,
  op: string,
): number[] {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const seen = new Set<number>();
  for (const a of list) {
    const n = normAxis(a, ndim, op);
    if (seen.has(n)) throw new ArgumentError(op, `axis ${a} repeated`, "INVALID_AXIS");
    seen.add(n);
  }
  return [...seen].sort((x, y) => x - y);
}

/** Validates a user-supplied shape (non-negative integers). */
export function checkShape(shape: readonly number[], op: string): number[] {
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0)
      throw new ShapeError(
        op,
        `invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`,
        "INVALID_SHAPE",
      );
  return [...shape];
}
