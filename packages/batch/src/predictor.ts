/**
 * A saved model as a per-row predictor for grids: which columns it reads and its
 * predictions on a table of rows. Built from the saved JSON only (data, never code).
 */
import { type Expr, loadGlm, parseFormula, predictMlpFromFormula } from "@geoml/models";
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

/**
 * A {@link GridPredictor} from a model saved by `geoml fit --save` / `toJSON()`: a GLM or a
 * formula-fitted MLP with one output per row.
 *
 * @param saved - the saved JSON (text or parsed)
 * @param type - `response` (μ, default) or `link` (η)
 * @throws BatchError `INVALID_ARGUMENT` for a model kind that has no per-row prediction here
 */
export function gridPredictor(
  saved: string | object,
  type: "response" | "link" = "response",
): GridPredictor {
  let json: { format?: unknown; design?: { formula?: unknown } };
  try {
    json = typeof saved === "string" ? JSON.parse(saved) : (saved as typeof json);
  } catch (error) {
    throw new BatchError("INVALID_ARGUMENT", `model is not JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== "object") {
    throw new BatchError("INVALID_ARGUMENT", "model is not a saved geoml model");
  }
  if (json.format === "geoml-glm") {
    const glm = loadGlm(json as never);
    const formula = glm.state.design.kind === "formula" ? glm.state.design.info.formula : null;
    if (formula === null) {
      throw new BatchError("INVALID_ARGUMENT", "the GLM was fitted from a matrix, not a formula");
    }
    const { response, columns } = formulaColumns(formula);
    return {
      response,
      columns,
      predict(frame, n) {
        const r = glm.predictWithSe(frame, { type, missing: "drop" });
        return scatter(n, r.rows, r.fit);
      },
    };
  }
  if (json.format === "geoml.mlp" && typeof json.design?.formula === "string") {
    const { response, columns } = formulaColumns(json.design.formula);
    return {
      response,
      columns,
      predict(frame, n) {
        const r = predictMlpFromFormula(json as never, frame, { missing: "drop", type });
        if (r.width !== 1) {
          throw new BatchError("INVALID_ARGUMENT", "the network has several outputs per row");
        }
        return scatter(n, r.rows, r.values);
      },
    };
  }
  throw new BatchError(
    "INVALID_ARGUMENT",
    `model format ${JSON.stringify(json.format)} has no per-cell prediction (GLM or formula MLP)`,
  );
}
