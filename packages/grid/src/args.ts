/**
 * Run-time argument checks. Most users call grid functions from plain JavaScript or
 * `tsx`, where nothing type-checks: an unknown option or a misspelt selector must raise
 * a {@link GridError} naming the argument, never be ignored (which silently returns the
 * whole array or the wrong statistic).
 */
import { GridError } from "./errors.js";

/** Describe a value for an error message (type and a short rendering). */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (typeof x === "string") return JSON.stringify(x);
  if (typeof x === "number" || typeof x === "boolean" || typeof x === "bigint") return String(x);
  if (x instanceof Date) return `Date(${Number.isNaN(x.getTime()) ? "invalid" : x.toISOString()})`;
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === "function") return "a function";
  try {
    const s = JSON.stringify(x);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return "an object";
  }
}

/** True for a plain `{...}` object (not an array, typed array, Date or class instance). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Check that `options` is undefined or a plain object whose keys are all in `allowed`.
 *
 * @param fn - the function name, e.g. `"sel"`
 * @param arg - the argument name, e.g. `"options"`
 * @param hints - extra advice for specific wrong keys (e.g. `start` → use `from`)
 * @throws GridError `INVALID_ARGUMENT`
 */
export function checkOptions(
  fn: string,
  arg: string,
  options: unknown,
  allowed: readonly string[],
  hints: Record<string, string> = {},
): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlainObject(options)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: ${arg} must be an object with keys ${allowed.join(", ")}; got ${describe(options)}`,
    );
  }
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) {
      const hint = hints[k] ?? "";
      throw new GridError(
        "INVALID_ARGUMENT",
        `${fn}: unknown ${arg} key '${k}' (accepted: ${allowed.join(", ")})${hint ? `; ${hint}` : ""}`,
      );
    }
  }
  return options;
}

/** Check that `value` is one of `choices`. */
export function checkChoice<T extends string>(
  fn: string,
  arg: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: ${arg} must be one of ${choices.map((c) => `"${c}"`).join(", ")}; got ${describe(value)}`,
    );
  }
  return value as T;
}

/** Check that `value` is an integer (within `[min, max]`). */
export function checkInteger(
  fn: string,
  arg: string,
  value: unknown,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range =
      min === Number.NEGATIVE_INFINITY && max === Number.POSITIVE_INFINITY
        ? ""
        : max === Number.POSITIVE_INFINITY
          ? ` ≥ ${min}`
          : ` in [${min}, ${max}]`;
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: ${arg} must be an integer${range}; got ${describe(value)}`,
    );
  }
  return value;
}

/** Check that `value` is a finite number (within `[min, max]`). */
export function checkNumber(
  fn: string,
  arg: string,
  value: unknown,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: ${arg} must be a number${min > Number.NEGATIVE_INFINITY || max < Number.POSITIVE_INFINITY ? ` in [${min}, ${max}]` : ""}; got ${describe(value)}`,
    );
  }
  return value;
}

/** Check that `dims` is a list of strings (a single string is accepted as one dim). */
export function checkDims(fn: string, arg: string, dims: unknown): string[] {
  if (typeof dims === "string") return [dims];
  if (!Array.isArray(dims) || dims.some((d) => typeof d !== "string")) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: ${arg} must be a dimension name or a list of them; got ${describe(dims)}`,
    );
  }
  return [...(dims as string[])];
}
