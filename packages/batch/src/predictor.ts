/**
 * A saved model as a per-row predictor for grids: which columns it reads and its
 * predictions on a table of rows. Built from the saved JSON only (data, never code).
 */
import { type Expr, loadModel, parseFormula } from "@geoml/models";
import { BatchError } from "./errors.js";

/** What `predictAlong` needs of a model. */
export interface GridPredictor {
  /** The model's response (left side of its formula), if known. */
  readonly response: string | null;
  /** Columns the model reads, if known (else every column offered is given). */
  readonly columns: readonly string[] | null;
  /** One prediction per row; NaN where the row had a missing input. */
  predict(frame: Record<string, Float64Array>, n: number): Float64Array;
}

function columnsOf(e: Expr, into: Set<string>): void {
  if (e.kind === "column") into.add(e.name);
  else if (e.kind === "unary" || e.kind === "call") columnsOf(e.arg, into);
  else if (e.kind === "binary") {
    columnsOf(e.left, into);
    columnsOf(e.right, into);
  }
}

function formulaColumns(formula: string): { response: string | null; columns: string[] } {
  const f = parseFormula(formula);
  const cols = new Set<string>();
  for (const term of f.terms) for (const factor of term) columnsOf(factor.expr, cols);
  for (const o of f.offsets) columnsOf(o, cols);
  const r = f.response;
  return {
    response: r !== null && r.kind === "single" && r.expr.kind === "column" ? r.expr.name : null,
    columns: [...cols],
  };
}

function scatter(n: number, rows: Int32Array, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n).fill(Number.NaN);
  for (let k = 0; k < rows.length; k++) out[rows[k]] = values[k];
  return out;
}

/** The formula a saved model was fitted from, where the kinds keep it (GLM, MLP). */
function savedFormula(json: Record<string, unknown>): string | null {
  const design = json.design as { formula?: unknown; info?: { formula?: unknown } } | null;
  const f = design?.info?.formula ?? design?.formula;
  return typeof f === "string" ? f : null;
}

/**
 * A {@link GridPredictor} from a saved model of any kind `loadModel` knows (GLM, MLP, and
 * kinds registered by other packages) that gives one value per row.
 *
 * @param saved - the saved JSON (text or parsed)
 * @param type - `response` (μ, default) or `link` (η)
 * @throws BatchError `INVALID_ARGUMENT` for text that is not JSON or a model with several
 *   values per row (class probabilities); `loadModel`'s errors for unknown kinds
 */
export function gridPredictor(
  saved: string | object,
  type: "response" | "link" = "response",
): GridPredictor {
  let json: Record<string, unknown>;
  try {
    json = typeof saved === "string" ? JSON.parse(saved) : (saved as Record<string, unknown>);
  } catch (error) {
    throw new BatchError("INVALID_ARGUMENT", `model is not JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new BatchError("INVALID_ARGUMENT", "model is not a saved geoml model");
  }
  const model = loadModel(json);
  const formula = savedFormula(json);
  const { response, columns } =
    formula === null ? { response: null, columns: null } : formulaColumns(formula);
  return {
    response,
    columns,
    predict(frame, n) {
      const p = model.predict(frame, { type, missing: "drop" });
      if (p.width !== 1) {
        throw new BatchError(
          "INVALID_ARGUMENT",
          `the ${model.kind} model gives ${p.width} values per row; per-cell prediction needs one`,
        );
      }
      return scatter(n, p.rows, p.fit);
    },
  };
}
