/**
 * The registry of formula transforms. Two kinds:
 *
 * - **element-wise** (`log`, `exp`, `sqrt`, …): a number → number function usable
 *   anywhere an expression is, on either side of `~` and inside `I()`/`offset()`;
 * - **term** transforms (`poly(x, d)`, …): expand one or more expressions into
 *   columns and may learn state from the fitting data (saved with the model, so new
 *   data is transformed the same way). They stand as terms on the right-hand side.
 *
 * Add one with {@link registerTransform}; `poly` below is the example to copy.
 */
import { DataError } from "../glm/errors.js";

/** A number → number function applied row by row. */
export interface ElementwiseTransform {
  readonly kind: "elementwise";
  /** Value at one row (NaN propagates; a missing value stays missing). */
  apply(x: number): number;
}

/** What a term transform makes of its arguments on the fitting data or on new data. */
export interface TermTransformResult {
  /** The columns, each with one value per row. */
  columns: Float64Array[];
  /** Column names appended to the term's label, e.g. "1", "2" for `poly(x, 2)1`, `poly(x, 2)2`. */
  suffixes: string[];
  /** JSON-ready state learned from the fitting data (returned when `state` was undefined). */
  state?: unknown;
}

/** A transform that expands its arguments into columns, with state learned at fit time. */
export interface TermTransform {
  readonly kind: "term";
  /**
   * @param args the values of the expression arguments (NaN where missing).
   * @param params the numeric literal arguments (e.g. the degree of `poly`).
   * @param state undefined on the fitting data; the saved state on new data.
   * @param label the term's label, for error messages.
   */
  apply(args: Float64Array[], params: number[], state: unknown, label: string): TermTransformResult;
}

/** Either kind of transform. */
export type Transform = ElementwiseTransform | TermTransform;

const TRANSFORMS = new Map<string, Transform>();
/** Names the parser reserves for itself. */
const RESERVED = new Set(["C", "I", "offset", "cbind"]);

/**
 * Registers a formula transform under `name` (letters, digits, `_` and `.`). A
 * name already taken is refused unless `replace` is set; C, I, offset and cbind
 * are reserved.
 */
export function registerTransform(
  name: string,
  transform: Transform,
  options: { replace?: boolean } = {},
): void {
  if (typeof name !== "string" || !/^[A-Za-z_.][A-Za-z0-9_.]*$/.test(name) || RESERVED.has(name))
    throw new TypeError(`registerTransform: invalid or reserved name ${JSON.stringify(name)}`);
  if (transform?.kind !== "elementwise" && transform?.kind !== "term")
    throw new TypeError(`registerTransform(${name}): kind must be "elementwise" or "term"`);
  if (typeof transform.apply !== "function")
    throw new TypeError(`registerTransform(${name}): apply must be a function`);
  if (TRANSFORMS.has(name) && !options.replace)
    throw new TypeError(
      `registerTransform: "${name}" is registered already; pass { replace: true } to replace it`,
    );
  TRANSFORMS.set(name, transform);
}

/** The transform registered under `name`, or undefined. */
export function transform(name: string): Transform | undefined {
  return TRANSFORMS.get(name);
}

/** Names of the registered transforms. */
export function transformNames(): string[] {
  return [...TRANSFORMS.keys()];
}

// element-wise built-ins: one line each
for (const fn of ["log", "log1p", "exp", "sqrt", "abs", "sin", "cos"] as const)
  registerTransform(fn, { kind: "elementwise", apply: Math[fn] });

/** State of {@link poly}: R's `attr(poly(x, d), "coefs")`. */
interface PolyState {
  alpha: number[];
  norm2: number[];
}

/**
 * R's `poly(x, degree)`: orthogonal polynomials of degree 1…d over the fitting
 * rows (each column has unit norm and is orthogonal to the constant and to the
 * others), built by the three-term recurrence with R's saved `coefs` (alpha,
 * norm2), so `predict` on new data gives R's `predict(poly(...), newx)`.
 */
export const poly: TermTransform = {
  kind: "term",
  apply(args, params, state, label) {
    if (args.length !== 1 || params.length !== 1)
      throw new DataError(
        "BAD_DATA",
        `${label}: poly takes one expression and a degree, poly(x, d)`,
      );
    const [x] = args;
    const d = params[0];
    const n = x.length;
    if (!Number.isInteger(d) || d < 1 || d > 20)
      throw new DataError("BAD_DATA", `${label}: the degree must be an integer in 1…20, got ${d}`);
    let s = state as PolyState | undefined;
    if (s === undefined) {
      const alpha: number[] = [];
      const norm2 = [1, 0];
      let prev = new Float64Array(n);
      let cur = new Float64Array(n).fill(1);
      let distinct = 0;
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(x[i]))
          throw new DataError("MISSING_VALUE", `${label}: x is missing or not finite in row ${i}`);
        if (seen.size <= d && !seen.has(x[i])) {
          seen.add(x[i]);
          distinct++;
        }
      }
      if (distinct <= d)
        throw new DataError(
          "BAD_DATA",
          `${label}: the degree must be less than the number of distinct values (${distinct})`,
        );
      norm2[1] = n;
      for (let k = 0; k < d; k++) {
        let sxp = 0;
        let spp = 0;
        for (let i = 0; i < n; i++) {
          sxp += x[i] * cur[i] * cur[i];
          spp += cur[i] * cur[i];
        }
        const a = sxp / spp;
        alpha.push(a);
        const ratio = k === 0 ? 0 : norm2[k + 1] / norm2[k];
        const next = new Float64Array(n);
        let nn = 0;
        for (let i = 0; i < n; i++) {
          next[i] = (x[i] - a) * cur[i] - ratio * prev[i];
          nn += next[i] * next[i];
        }
        norm2.push(nn);
        prev = cur;
        cur = next;
      }
      s = { alpha, norm2 };
    } else if (
      !Array.isArray(s.alpha) ||
      !Array.isArray(s.norm2) ||
      s.alpha.length !== d ||
      s.norm2.length !== d + 2
    ) {
      throw new DataError(
        "BAD_DATA",
        `${label}: the saved poly coefficients do not match degree ${d}`,
      );
    }
    const { alpha, norm2 } = s;
    // R's predict.poly: Z₀ = 1, Z₁ = x − α₀, Z_{k+1} = (x − α_k)Z_k − (n_{k+1}/n_k)Z_{k−1}
    const columns: Float64Array[] = [];
    let prev = new Float64Array(n).fill(1);
    let cur = Float64Array.from(x, (v) => v - alpha[0]);
    columns.push(cur);
    for (let k = 1; k < d; k++) {
      const ratio = norm2[k + 1] / norm2[k];
      const next = new Float64Array(n);
      for (let i = 0; i < n; i++) next[i] = (x[i] - alpha[k]) * cur[i] - ratio * prev[i];
      columns.push(next);
      prev = cur;
      cur = next;
    }
    const scaled = columns.map((c, k) => {
      const f = 1 / Math.sqrt(norm2[k + 2]);
      return c.map((v) => v * f);
    });
    return {
      columns: scaled,
      suffixes: scaled.map((_, k) => String(k + 1)),
      ...(state === undefined ? { state: s } : {}),
    };
  },
};
registerTransform("poly", poly);
