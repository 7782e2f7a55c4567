/**
 * Builds the design matrix of a formula over columns of data, whole columns at a
 * time into one preallocated column-major array (a Float64Array column of the data
 * is read in place, not copied): numeric factors
 * multiply, categorical factors are dummy-coded with named levels (treatment
 * coding, first level sorted as the reference, patsy's names `C(zone)[T.south]`).
 * The levels found while fitting are kept in a {@link DesignInfo} so new data is
 * coded the same way at prediction time.
 */

import { sharedFloat64 } from "@geoml/autodiff";
import { DataError, FormulaError } from "../glm/errors.js";
import { designMatrix } from "../linalg/design-memory.js";
import { finiteProbe } from "./finite.js";
import { type Expr, exprColumns, type Factor, type Formula, parseFormula } from "./parse.js";
import { transform } from "./transforms.js";

/** Most design columns a formula may expand to (guards against C() on a continuous column). */
const MAX_COLUMNS = 100_000;
/** Most values in one design matrix (4 GiB of float64). */
const MAX_CELLS = 2 ** 29;

/** A column of data: numbers (NaN or null = missing) or strings (categorical). */
export type Column = Float64Array | Float32Array | readonly (number | null)[] | readonly string[];

/** Named columns of equal length. */
export type DataFrame = Readonly<Record<string, Column>>;

/** How missing values (NaN, null, empty string) are handled. */
export type MissingPolicy = "error" | "drop";

/** What is needed to code new data like the fitting data (JSON-serialisable). */
export interface DesignInfo {
  /** The formula text. */
  readonly formula: string;
  /** Coefficient names, in column order. */
  readonly names: readonly string[];
  /** Levels of every categorical factor, by factor label. */
  readonly levels: Readonly<Record<string, readonly string[]>>;
  /** State learned by term transforms (e.g. `poly`'s coefficients), by factor label. */
  readonly transforms?: Readonly<Record<string, unknown>>;
}

/** A design matrix plus response, weights and offset, ready for fitting. */
export interface Design {
  /** Column-major n×p design: column j is `x[j*n .. j*n+n)`. */
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  readonly names: string[];
  /** Response (for `cbind(s, f)`: the proportion s/(s+f)), or null without a left side. */
  readonly y: Float64Array | null;
  /** Raw response strings when the response column is categorical. */
  readonly yLevels: string[] | null;
  /** Binomial trials s+f for a `cbind` response, else null. */
  readonly trials: Float64Array | null;
  /** Sum of `offset(...)` terms and the `offset` option, or null. */
  readonly offset: Float64Array | null;
  /** Prior weights from the `weights` option, or null. */
  readonly weights: Float64Array | null;
  /** Rows of the input kept (after dropping missing values when asked). */
  readonly rows: Int32Array;
  readonly info: DesignInfo;
}

/** Options of {@link buildDesign}. */
export interface DesignOptions {
  /** Column of prior weights. */
  weights?: string;
  /** Column added to the linear predictor (besides `offset(...)` in the formula). */
  offset?: string;
  /** Default "error": a DataError names the column and first row. */
  missing?: MissingPolicy;
  /** Levels and names from a fitted model, to code new data identically. */
  info?: DesignInfo;
  /** Skip the response even when the formula has one (prediction). */
  noResponse?: boolean;
  /**
   * Smooth terms `s()`/`te()`: "error" (default) for models without smooths;
   * "skip" builds only the parametric part (the GAM adds the smooth columns).
   */
  smooths?: "error" | "skip";
}

function isStringColumn(c: Column): c is readonly string[] {
  return Array.isArray(c) && c.length > 0 && c.some((v) => typeof v === "string");
}

function columnLength(data: DataFrame): number {
  let n = -1;
  for (const [name, col] of Object.entries(data)) {
    if (n >= 0 && col.length !== n)
      throw new DataError(
        "BAD_DATA",
        `column "${name}" has ${col.length} rows, expected ${n} like the others`,
        name,
      );
    n = col.length;
  }
  return Math.max(n, 0);
}

function getColumn(data: DataFrame, name: string, formula: string): Column {
  const col = data[name];
  if (col === undefined) {
    const known = Object.keys(data).slice(0, 20).join(", ");
    throw new DataError(
      "UNKNOWN_COLUMN",
      `formula "${formula}": no column "${name}" (columns: ${known})`,
      name,
    );
  }
  return col;
}

/**
 * Evaluates a numeric expression over whole columns; strings are an error. A plain
 * Float64Array column comes back as it is, not copied (the caller must not write to
 * it: see {@link evalOwned}); every other result is a new array.
 */
function evalNumeric(e: Expr, data: DataFrame, n: number, formula: string): Float64Array {
  switch (e.kind) {
    case "column": {
      const col = getColumn(data, e.name, formula);
      if (isStringColumn(col))
        throw new DataError(
          "BAD_DATA",
          `column "${e.name}" holds strings; use C(${e.name}) or plain ${e.name} as a term, not inside an expression`,
          e.name,
        );
      if (col instanceof Float64Array) return col;
      const out = new Float64Array(n);
      if (col instanceof Float32Array) out.set(col);
      else
        for (let i = 0; i < n; i++) {
          const v = col[i];
          out[i] = v === null || v === undefined ? Number.NaN : Number(v);
        }
      return out;
    }
    case "number":
      return new Float64Array(n).fill(e.value);
    case "unary": {
      const a = evalNumeric(e.arg, data, n, formula);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = -a[i];
      return out;
    }
    case "call": {
      const a = evalNumeric(e.arg, data, n, formula);
      const t = transform(e.fn);
      if (t?.kind !== "elementwise")
        throw new FormulaError(formula, `"${e.fn}" is not a registered element-wise transform`);
      const out = new Float64Array(n);
      const f = t.apply;
      for (let i = 0; i < n; i++) out[i] = f(a[i]);
      return out;
    }
    case "binary": {
      const a = evalNumeric(e.left, data, n, formula);
      const b = evalNumeric(e.right, data, n, formula);
      const out = new Float64Array(n);
      // one loop per operator: no branch per element
      if (e.op === "+") for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      else if (e.op === "-") for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      else if (e.op === "*") for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      else if (e.op === "/") for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
      else for (let i = 0; i < n; i++) out[i] = a[i] ** b[i];
      return out;
    }
  }
}

/** {@link evalNumeric} into an array of the caller's own (a data column is copied). */
function evalOwned(e: Expr, data: DataFrame, n: number, formula: string): Float64Array {
  const v = evalNumeric(e, data, n, formula);
  if (e.kind !== "column" || v !== data[e.name]) return v;
  // a copy in shared memory: solvers' worker threads read it without another copy
  const own = sharedFloat64(n);
  own.set(v);
  return own;
}

type Evaluated =
  | { kind: "numeric"; values: Float64Array }
  | { kind: "categorical"; codes: Int32Array; levels: readonly string[] }
  | { kind: "columns"; columns: Float64Array[]; suffixes: string[]; state: unknown };

function evalFactor(
  f: Factor,
  data: DataFrame,
  n: number,
  formula: string,
  known: Readonly<Record<string, readonly string[]>> | undefined,
  states?: Readonly<Record<string, unknown>>,
): Evaluated {
  if (f.transform) {
    const t = transform(f.transform.name);
    if (t?.kind !== "term")
      throw new FormulaError(formula, `"${f.transform.name}" is not a registered term transform`);
    const args = f.transform.args.map((a) => evalOwned(a, data, n, formula));
    const saved = states?.[f.label];
    if (states !== undefined && saved === undefined)
      throw new FormulaError(formula, `the model has no saved state for ${f.label}`);
    const r = t.apply(args, [...f.transform.params], saved, f.label);
    if (r.columns.length !== r.suffixes.length || r.columns.some((c) => c.length !== n))
      throw new FormulaError(formula, `${f.label}: the transform returned malformed columns`);
    return { kind: "columns", columns: r.columns, suffixes: r.suffixes, state: saved ?? r.state };
  }
  const isPlainColumn = f.expr.kind === "column";
  const col = isPlainColumn ? getColumn(data, (f.expr as { name: string }).name, formula) : null;
  const categorical =
    f.kind === "categorical" ||
    (col !== null && isStringColumn(col)) ||
    known?.[f.label] !== undefined;
  if (!categorical) return { kind: "numeric", values: evalNumeric(f.expr, data, n, formula) };
  let raw: (string | null)[];
  if (col !== null) {
    raw = Array.from(col as ArrayLike<number | string | null>, (v) =>
      v === null || v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v))
        ? null
        : String(v),
    );
  } else {
    const v = evalNumeric(f.expr, data, n, formula);
    raw = Array.from(v, (x) => (Number.isNaN(x) ? null : String(x)));
  }
  let levels = known?.[f.label];
  if (!levels) {
    const set = new Set<string>();
    for (const r of raw) if (r !== null) set.add(r);
    const all = [...set];
    // numbers sort numerically, strings lexically (as patsy)
    levels = all.every((s) => s.trim() !== "" && Number.isFinite(Number(s)))
      ? all.sort((a, b) => Number(a) - Number(b))
      : all.sort();
  }
  const index = new Map(levels.map((l, i) => [l, i]));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = raw[i];
    if (r === null) {
      codes[i] = -1;
      continue;
    }
    const c = index.get(r);
    if (c === undefined)
      throw new DataError(
        "UNKNOWN_LEVEL",
        `${f.label}: level "${r}" in row ${i} was not seen when fitting (levels: ${levels.join(", ")})`,
        f.label,
        i,
      );
    codes[i] = c;
  }
  return { kind: "categorical", codes, levels };
}

function missingRows(
  name: string,
  values: Float64Array | Int32Array,
  bad: Uint8Array,
  policy: MissingPolicy,
) {
  const isInt = values instanceof Int32Array;
  // the common case, every value present, in one branch-free sweep: v − v is 0 for
  // finite v and NaN otherwise, so the sum is NaN exactly when some value is missing
  if (!isInt && finiteSum(values, 0, values.length) === 0) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isInt ? v < 0 : !Number.isFinite(v)) {
      if (policy === "error")
        throw new DataError(
          "MISSING_VALUE",
          `column "${name}" has a missing or non-finite value (${isInt ? "empty" : v}) in row ${i}; ` +
            'clean the data or pass missing: "drop"',
          name,
          i,
        );
      bad[i] = 1;
    }
  }
}

/** Parses `formula` and builds its design over `data`; see {@link DesignOptions}. */
export function buildDesign(
  formulaText: string,
  data: DataFrame,
  options: DesignOptions = {},
): Design {
  const formula: Formula = parseFormula(formulaText);
  if (formula.smooths.length > 0 && options.smooths !== "skip")
    throw new FormulaError(
      formulaText,
      `smooth term ${formula.smooths[0].label} needs a GAM (gam(), or --model gam)`,
    );
  const policy = options.missing ?? "error";
  const n0 = columnLength(data);
  if (n0 === 0) throw new DataError("BAD_DATA", `formula "${formulaText}": the data has no rows`);
  const bad = new Uint8Array(n0);
  const known = options.info?.levels;

  // response
  let y: Float64Array | null = null;
  let trials: Float64Array | null = null;
  let yLevels: string[] | null = null;
  const resp = options.noResponse ? null : formula.response;
  if (resp?.kind === "cbind") {
    const s = evalNumeric(resp.successes, data, n0, formulaText);
    const f = evalNumeric(resp.failures, data, n0, formulaText);
    missingRows(exprLabelOf(resp.successes), s, bad, policy);
    missingRows(exprLabelOf(resp.failures), f, bad, policy);
    trials = new Float64Array(n0);
    y = new Float64Array(n0);
    for (let i = 0; i < n0; i++) {
      trials[i] = s[i] + f[i];
      // zero trials carry no information; any proportion will do
      y[i] = trials[i] > 0 ? s[i] / trials[i] : 0;
    }
  } else if (resp?.kind === "single") {
    const col = resp.expr.kind === "column" ? getColumn(data, resp.expr.name, formulaText) : null;
    if (col !== null && isStringColumn(col)) {
      const ev = evalFactor(
        { label: resp.label, kind: "categorical", expr: resp.expr },
        data,
        n0,
        formulaText,
        undefined,
      );
      if (ev.kind !== "categorical") throw new Error("unreachable");
      missingRows(resp.label, ev.codes, bad, policy);
      yLevels = [...ev.levels];
      y = Float64Array.from(ev.codes);
    } else {
      y = evalOwned(resp.expr, data, n0, formulaText);
      missingRows(resp.label, y, bad, policy);
    }
  }

  // terms
  const evaluated = new Map<string, Evaluated>();
  const states: Record<string, unknown> = {};
  for (const term of formula.terms)
    for (const f of term)
      if (!evaluated.has(f.label)) {
        const ev = evalFactor(
          f,
          data,
          n0,
          formulaText,
          known,
          options.info?.transforms ?? (options.info ? {} : undefined),
        );
        if (ev.kind === "columns") {
          for (const c of ev.columns) missingRows(f.label, c, bad, policy);
          if (ev.state !== undefined) states[f.label] = ev.state;
        } else if (ev.kind === "categorical") missingRows(f.label, ev.codes, bad, policy);
        // a numeric factor is checked as it is copied into the design (one read of the
        // column, not two) unless rows with missing values are to be dropped first
        else if (policy !== "error") missingRows(f.label, ev.values, bad, policy);
        evaluated.set(f.label, ev);
      }

  let offset: Float64Array | null = null;
  const offsetParts: [string, Float64Array][] = formula.offsets.map((e) => [
    `offset(${exprLabelOf(e)})`,
    evalOwned(e, data, n0, formulaText),
  ]);
  if (options.offset)
    offsetParts.push([
      options.offset,
      evalOwned({ kind: "column", name: options.offset }, data, n0, formulaText),
    ]);
  for (const [name, v] of offsetParts) {
    missingRows(name, v, bad, policy);
    if (!offset) offset = v;
    else for (let i = 0; i < n0; i++) offset[i] += v[i];
  }
  let weights: Float64Array | null = null;
  if (options.weights) {
    weights = evalOwned({ kind: "column", name: options.weights }, data, n0, formulaText);
    missingRows(options.weights, weights, bad, policy);
    const i = firstNegative(weights);
    if (i >= 0)
      throw new DataError(
        "BAD_DATA",
        `weights column "${options.weights}" is negative (${weights[i]}) in row ${i}`,
        options.weights,
        i,
      );
  }

  // rows kept
  const rows = keptRows(bad);
  if (rows.length === 0)
    throw new DataError("MISSING_VALUE", `formula "${formulaText}": every row has a missing value`);
  const n = rows.length;
  const take = (v: Float64Array | null) =>
    v === null || n === n0 ? v : Float64Array.from(rows, (r) => v[r]);

  // columns: the intercept, then each term; categorical factors use treatment coding,
  // except the first categorical main effect of a model without intercept (full coding).
  // A column is a product of factors, each a numeric vector or a level's indicator.
  const names: string[] = [];
  const cols: Component[][] = [];
  if (formula.intercept) {
    names.push("Intercept");
    cols.push([]);
  }
  let fullCodingUsed = formula.intercept;
  const levelsOut: Record<string, readonly string[]> = {};
  for (const term of formula.terms) {
    // each factor contributes a list of (name suffix, component) columns
    const parts: { name: string; c: Component }[][] = [];
    for (const f of term) {
      const ev = evaluated.get(f.label)!;
      if (ev.kind === "numeric") {
        parts.push([
          {
            name: f.label,
            c: { kind: "numeric", values: ev.values, check: policy === "error" ? f.label : null },
          },
        ]);
      } else if (ev.kind === "columns") {
        parts.push(
          ev.columns.map((v, k) => ({
            name: `${f.label}${ev.suffixes[k]}`,
            c: { kind: "numeric", values: v, check: null },
          })),
        );
      } else {
        levelsOut[f.label] = ev.levels;
        const full = !fullCodingUsed && term.length === 1;
        if (full) fullCodingUsed = true;
        const codes = ev.codes;
        const list = ev.levels
          .map((lev, level) => ({
            name: `${f.label}[${full ? "" : "T."}${lev}]`,
            c: { kind: "level", codes, level } as Component,
          }))
          .slice(full ? 0 : 1);
        parts.push(list);
      }
    }
    const width = parts.reduce((a, part) => a * part.length, 1);
    if (names.length + width > MAX_COLUMNS)
      throw new DataError(
        "BAD_DATA",
        `formula "${formulaText}": term ${term.map((f) => f.label).join(":")} expands to ${width} columns ` +
          `(more than ${MAX_COLUMNS} in all); is a numeric column with many values inside C()?`,
        term[0].label,
      );
    // cartesian product of the factors' columns, first factor varying fastest (as patsy)
    let combos: { name: string; cs: Component[] }[] = [{ name: "", cs: [] }];
    for (const part of parts) {
      const next: typeof combos = [];
      for (const p of part)
        for (const c of combos)
          next.push({ name: c.name ? `${c.name}:${p.name}` : p.name, cs: [...c.cs, p.c] });
      combos = next;
    }
    for (const c of combos) {
      names.push(c.name);
      cols.push(c.cs);
    }
  }
  if (options.info) {
    const expected = options.info.names.join(", ");
    if (names.join(", ") !== expected)
      throw new FormulaError(
        formulaText,
        `new data gives columns [${names.join(", ")}], the model has [${expected}]`,
      );
  }
  const p = names.length;
  if (n * p > MAX_CELLS)
    throw new DataError(
      "BAD_DATA",
      `formula "${formulaText}": the design would have ${n} rows × ${p} columns, more than ${MAX_CELLS} values (4 GiB)`,
    );
  // shared memory lets the cross-product run on worker threads without copying X;
  // each column is written in place, in the ranges of values designMatrix asks for
  const kept = n === n0 ? null : rows;
  const x = designMatrix(n, p, (x, lo, hi) => {
    for (let j = Math.floor(lo / n); j < p && j * n < hi; j++) {
      const i0 = Math.max(0, lo - j * n);
      const i1 = Math.min(n, hi - j * n);
      try {
        fillColumn(x.subarray(j * n, (j + 1) * n), cols[j], kept, i0, i1);
      } catch (e) {
        // part of a column, whose factors were checked over these rows only: report
        // what filling it whole reports (the first factor with a missing value)
        if (i1 - i0 < n) firstMissing(cols[j]);
        throw e;
      }
    }
  });

  return {
    x,
    n,
    p,
    names,
    y: take(y),
    yLevels,
    trials: take(trials),
    offset: take(offset),
    weights: take(weights),
    rows,
    info: {
      formula: formulaText,
      names,
      levels: { ...(options.info?.levels ?? {}), ...levelsOut },
      ...(Object.keys(states).length > 0 ? { transforms: states } : {}),
    },
  };
}

/**
 * The indices of the rows not marked in `bad`. A function of its own: inside
 * `buildDesign`, whose closures capture its variables, these loops ran several
 * times slower.
 */
function keptRows(bad: Uint8Array): Int32Array {
  const n0 = bad.length;
  let count = 0;
  for (let i = 0; i < n0; i++) if (!bad[i]) count++;
  const rows = new Int32Array(count);
  if (count === n0) for (let i = 0; i < n0; i++) rows[i] = i;
  else for (let i = 0, k = 0; i < n0; i++) if (!bad[i]) rows[k++] = i;
  return rows;
}

/** The first index of a negative value in `v`, or −1. */
function firstNegative(v: Float64Array): number {
  for (let i = 0; i < v.length; i++) if (v[i] < 0) return i;
  return -1;
}

/** A factor of a design column: a numeric vector, or the indicator of one level. */
type Component =
  /** `check`: the factor's label when its values still need the missing-value check. */
  | { kind: "numeric"; values: Float64Array; check: string | null }
  | { kind: "level"; codes: Int32Array; level: number };

/**
 * Writes into out[i0, i1) the product of `parts` (1 for none: the intercept) at the
 * data rows `rows` (null: every row), one pass over the range per factor.
 */
function fillColumn(
  out: Float64Array,
  parts: readonly Component[],
  rows: Int32Array | null,
  i0: number,
  i1: number,
): void {
  if (parts.length === 0) {
    out.fill(1, i0, i1);
    return;
  }
  parts.forEach((c, k) => {
    const first = k === 0;
    if (c.kind === "numeric") {
      const v = c.values;
      if (rows === null) {
        if (c.check !== null) copyChecked(out, v, c.check, first, i0, i1);
        else if (first) out.set(v.subarray(i0, i1), i0);
        else for (let i = i0; i < i1; i++) out[i] *= v[i];
      } else if (first) for (let i = i0; i < i1; i++) out[i] = v[rows[i]];
      else for (let i = i0; i < i1; i++) out[i] *= v[rows[i]];
    } else {
      const { codes, level } = c;
      if (first)
        for (let i = i0; i < i1; i++) out[i] = codes[rows === null ? i : rows[i]] === level ? 1 : 0;
      else
        for (let i = i0; i < i1; i++)
          out[i] *= codes[rows === null ? i : rows[i]] === level ? 1 : 0;
    }
  });
}

/**
 * Throws the error a whole column of `parts` reports for its first factor with a
 * missing value, if any.
 */
function firstMissing(parts: readonly Component[]): void {
  for (const c of parts)
    if (c.kind === "numeric" && c.check !== null)
      missingRows(c.check, c.values, new Uint8Array(0), "error");
}

/**
 * out = v (first) or out ⊙= v over [i0, i1), chunk by chunk, each chunk checked for
 * non-finite values while it is in cache: v − v is 0 for finite v and NaN otherwise.
 * A copy into a design's WebAssembly memory is checked there (see {@link finiteProbe}).
 * @throws DataError (`MISSING_VALUE`) naming `label` and the first bad row.
 */
function copyChecked(
  out: Float64Array,
  v: Float64Array,
  label: string,
  first: boolean,
  i0: number,
  i1: number,
): void {
  const CHUNK = 2048;
  const wasmProbe = first ? finiteProbe(out) : null;
  for (let b = i0; b < i1; b += CHUNK) {
    const e = Math.min(i1, b + CHUNK);
    let probe = 0;
    if (first) {
      out.set(v.subarray(b, e), b);
      if (wasmProbe) probe = wasmProbe(b, e);
      else probe = finiteSum(out, b, e);
    } else
      for (let i = b; i < e; i++) {
        const t = v[i];
        out[i] *= t;
        probe += t - t;
      }
    if (probe !== 0)
      for (let i = b; i < e; i++)
        if (!Number.isFinite(v[i]))
          throw new DataError(
            "MISSING_VALUE",
            `column "${label}" has a missing or non-finite value (${v[i]}) in row ${i}; ` +
              'clean the data or pass missing: "drop"',
            label,
            i,
          );
  }
}

/** Σ (v − v) over v[b..e): 0 when every value is finite, NaN otherwise. */
function finiteSum(v: Float64Array, b: number, e: number): number {
  // four independent sums: one long chain of additions waits on each in turn
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  let i = b;
  for (; i + 3 < e; i += 4) {
    const a0 = v[i];
    const a1 = v[i + 1];
    const a2 = v[i + 2];
    const a3 = v[i + 3];
    p0 += a0 - a0;
    p1 += a1 - a1;
    p2 += a2 - a2;
    p3 += a3 - a3;
  }
  for (; i < e; i++) p0 += v[i] - v[i];
  return p0 + p1 + p2 + p3;
}

function exprLabelOf(e: Expr): string {
  return [...exprColumns(e)].join(", ");
}

/** Design from a plain matrix (rows of numbers) with optional names; adds no intercept. */
export function designFromMatrix(
  rows:
    | readonly (readonly number[])[]
    | { data: Float64Array; n: number; p: number; layout: "row" | "column" },
  names?: readonly string[],
): { x: Float64Array; n: number; p: number; names: string[] } {
  let n: number;
  let p: number;
  let x: Float64Array;
  if (Array.isArray(rows)) {
    n = rows.length;
    p = n > 0 ? rows[0].length : 0;
    x = designMatrix(n, p);
    for (let i = 0; i < n; i++) {
      if (rows[i].length !== p)
        throw new DataError(
          "BAD_DATA",
          `design row ${i} has ${rows[i].length} values, expected ${p}`,
          undefined,
          i,
        );
      for (let j = 0; j < p; j++) x[j * n + i] = rows[i][j];
    }
  } else {
    const m = rows as { data: Float64Array; n: number; p: number; layout: "row" | "column" };
    ({ n, p } = m);
    if (m.data.length !== n * p)
      throw new DataError(
        "BAD_DATA",
        `design data has ${m.data.length} values, expected n·p = ${n * p}`,
      );
    if (m.layout === "column") x = m.data;
    else {
      x = designMatrix(n, p);
      for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) x[j * n + i] = m.data[i * p + j];
    }
  }
  const nm = names ? [...names] : Array.from({ length: p }, (_, j) => `x${j}`);
  if (nm.length !== p)
    throw new DataError("BAD_DATA", `${nm.length} names for ${p} design columns`);
  for (let j = 0; j < p; j++)
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(x[j * n + i]))
        throw new DataError(
          "MISSING_VALUE",
          `design column "${nm[j]}" has a non-finite value (${x[j * n + i]}) in row ${i}`,
          nm[j],
          i,
        );
  return { x, n, p, names: nm };
}
