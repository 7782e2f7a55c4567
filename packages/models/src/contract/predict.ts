/**
 * Helpers for model kinds implementing {@link Results.predict}: option checking
 * and the intervals every kind with one output per row computes alike.
 */
import { type Family, ndtri } from "@geoml/losses";
import { ModelError } from "./errors.js";
import type { IntervalKind, PredictOptions, PredictType } from "./results.js";

/** {@link PredictOptions} with defaults applied and values checked. */
export interface CheckedPredictOptions {
  type: PredictType;
  se: boolean;
  interval: IntervalKind | undefined;
  level: number;
  missing: "error" | "drop";
}

/** Checks `options` at run time (users call from plain JS) and applies the defaults. */
export function checkPredictOptions(
  options: PredictOptions | undefined,
  op = "predict",
): CheckedPredictOptions {
  const o = options ?? {};
  if (typeof o !== "object") throw new ModelError("BAD_OPTION", `${op}: options must be an object`);
  const type = o.type ?? "response";
  if (type !== "response" && type !== "link")
    throw new ModelError(
      "BAD_OPTION",
      `${op}: type must be "response" or "link", got ${JSON.stringify(type)}`,
    );
  const interval = o.interval;
  if (interval !== undefined && interval !== "confidence" && interval !== "prediction")
    throw new ModelError(
      "BAD_OPTION",
      `${op}: interval must be "confidence" or "prediction", got ${JSON.stringify(interval)}`,
    );
  const level = o.level ?? 0.95;
  if (typeof level !== "number" || !(level > 0 && level < 1))
    throw new ModelError("BAD_OPTION", `${op}: level must be a number in (0, 1), got ${level}`);
  const missing = o.missing ?? "error";
  if (missing !== "error" && missing !== "drop")
    throw new ModelError(
      "BAD_OPTION",
      `${op}: missing must be "error" or "drop", got ${JSON.stringify(missing)}`,
    );
  return { type, se: o.se === true, interval, level, missing };
}

/**
 * The confidence interval of the mean: η̂ ± z·se on the link scale, then (for
 * `type: "response"`) the inverse link at both ends, ordered low to high — as
 * statsmodels' GLM `get_prediction().summary_frame(alpha)` (`mean_ci_lower/upper`).
 * `quantile` replaces z (e.g. a t quantile for a Gaussian fit with estimated scale).
 */
export function confidenceInterval(
  eta: Float64Array,
  seLink: Float64Array,
  level: number,
  type: PredictType,
  inverse: (eta: Float64Array) => Float64Array,
  quantile: number = ndtri(1 - (1 - level) / 2),
): { lower: Float64Array; upper: Float64Array } {
  const n = eta.length;
  let lower: Float64Array = new Float64Array(n);
  let upper: Float64Array = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lower[i] = eta[i] - quantile * seLink[i];
    upper[i] = eta[i] + quantile * seLink[i];
  }
  if (type === "response") {
    const a = inverse(lower);
    const b = inverse(upper);
    // a decreasing inverse link (inverse, 1/μ²) swaps the ends
    lower = a;
    upper = b;
    for (let i = 0; i < n; i++)
      if (a[i] > b[i]) {
        lower[i] = b[i];
        upper[i] = a[i];
      }
  }
  return { lower, upper };
}

/**
 * The interval for a new observation, from the family's
 * {@link Family.predictionInterval} with se(μ̂) = |dμ/dη|·se(η̂). On the link
 * scale the ends are mapped back with the link. Throws for families without one.
 */
export function predictionInterval(
  family: Family,
  args: {
    eta: Float64Array;
    mu: Float64Array;
    dmu: Float64Array;
    seLink: Float64Array;
    scale: number;
    dfResidual: number;
    level: number;
    type: PredictType;
    link: (mu: Float64Array) => Float64Array;
  },
): { lower: Float64Array; upper: Float64Array } {
  if (family.predictionInterval === undefined)
    throw new ModelError(
      "BAD_OPTION",
      `predict: the ${family.name} family defines no prediction interval; ask for interval: "confidence"`,
    );
  const seMu = args.seLink.map((s, i) => Math.abs(args.dmu[i]) * s);
  const r = family.predictionInterval({
    mu: args.mu,
    seMu,
    scale: args.scale,
    dfResidual: args.dfResidual,
    level: args.level,
  });
  if (args.type === "response") return r;
  return { lower: args.link(r.lower), upper: args.link(r.upper) };
}
