/**
 * Fitting an MLP on named columns through a formula (`y ~ x1 + x2 + C(zone)`):
 * the design's columns without the intercept are the network inputs, and
 * `cbind(s, f)` / `I(s / n)` responses with trials train a Binomial on
 * proportions weighted by trials.
 */
import { tensor } from "@geoml/autodiff";
import { buildDesign, type DataFrame, type MissingPolicy } from "../formula/design.js";
import { MlpOptionError } from "./errors.js";
import type { FitOptions, Mlp, MlpSpec } from "./model.js";
import { MlpResults, predictorRows } from "./results.js";

/** Data for fitting an MLP from a formula. */
export interface MlpFormulaInput {
  formula: string;
  data: DataFrame;
  /** Column of prior weights (for Binomial proportions: the trials). */
  weights?: string;
  /** "error" (default) or "drop" rows with missing values. */
  missing?: MissingPolicy;
}

/** True when `x` is a {@link MlpFormulaInput} rather than a matrix. */
export function isFormulaInput(x: unknown): x is MlpFormulaInput {
  return (
    x !== null &&
    typeof x === "object" &&
    !Array.isArray(x) &&
    typeof (x as { formula?: unknown }).formula === "string"
  );
}

/** Builds the design and response of `input` (shared by {@link fitFormula} and {@link fitMlp}). */
function prepare(input: MlpFormulaInput) {
  const { formula } = input;
  const design = buildDesign(formula, input.data, {
    weights: input.weights,
    missing: input.missing,
  });
  if (design.y === null)
    throw new MlpOptionError(`formula "${formula}": the MLP needs a response (y ~ …)`);
  if (design.offset !== null)
    throw new MlpOptionError(
      `formula "${formula}": offsets are not supported by the MLP; use a GLM`,
    );
  let weights: Float64Array | undefined;
  if (design.trials !== null || design.weights !== null) {
    weights = new Float64Array(design.n).fill(1);
    for (let i = 0; i < design.n; i++)
      weights[i] = (design.trials?.[i] ?? 1) * (design.weights?.[i] ?? 1);
  }
  const x = predictorRows(design);
  if (x.cols === 0)
    throw new MlpOptionError(`formula "${formula}": the MLP needs at least one predictor`);
  return { design, weights, x };
}

/** Trains `model` on a formula over columns; see {@link MlpFormulaInput}. */
export function fitFormula(
  model: Mlp,
  input: MlpFormulaInput,
  options: FitOptions = {},
): MlpResults {
  const { design, weights, x } = prepare(input);
  const history = model.fit(tensor(x.data, { shape: [design.n, x.cols] }), design.y!, {
    ...options,
    weights: options.weights ?? weights,
  });
  const categorical = model.family?.name === "categorical";
  const labels = categorical && design.yLevels ? [...design.yLevels] : null;
  return new MlpResults(model, design.info, labels, history, design.n);
}

/** The largest value (a loop: spreading millions of values into Math.max overflows the stack). */
function largest(values: Float64Array): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}

/**
 * Fits an MLP to the columns of a table from a formula — the model contract's
 * `fit(...) → Results` for networks: `fitMlp({ hidden: [16], family: "poisson" },
 * { formula: "n ~ sst + C(zone)", data }, { epochs: 200 })`. A Categorical
 * network (`family: "categorical"` or "multinomial") takes K from the response's
 * levels when `classes` is not given.
 */
export function fitMlp(
  spec: MlpSpec,
  input: MlpFormulaInput,
  options: FitOptions = {},
  create: (spec: MlpSpec) => Mlp,
): MlpResults {
  const s: MlpSpec = { ...spec };
  if (s.family === "categorical" || s.family === "multinomial") {
    s.family = "categorical";
    if (s.classes === undefined) {
      const { design } = prepare(input);
      s.classes = design.yLevels?.length ?? largest(design.y!) + 1;
    }
  }
  return fitFormula(create(s), input, options);
}
