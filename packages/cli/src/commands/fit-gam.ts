/**
 * `geoml fit --model gam`: mgcv's smooth terms in the formula, `--method` as mgcv's
 * `method=` (REML, ML, GCV, UBRE), the family and link flags as for the GLM. The
 * JSON field names are fixed (other tools read them): see {@link gamJson}.
 */
import { type Family, family as familyByName } from "@geoml/losses";
import {
  type DataFrame,
  type GamMethod,
  GamResults,
  gam,
  type MultinomGamResults,
  parseFormula,
} from "@geoml/models";
import { CliError } from "../errors.js";

/** The GAM methods `--method` accepts with `--model gam`. */
export const GAM_METHODS: readonly GamMethod[] = ["REML", "ML", "GCV", "UBRE"];

/** Flags the GLM reads but the GAM does not. */
export const GLM_ONLY_FLAGS = ["l2", "lambda", "alpha", "max-iter"] as const;

/** Options of {@link fitGam} as the command line gives them. */
export interface GamFlags {
  formula: string;
  family: string;
  link?: string;
  theta?: number;
  power?: number;
  linkPower?: number;
  method?: string;
  weights?: string;
  offset?: string;
  missing: "error" | "drop";
}

/** Checks `--method` for the GAM (wrong usage before any data is read). */
export function gamMethod(method: string | undefined): GamMethod {
  const m = (method ?? "REML").toUpperCase();
  if (!(GAM_METHODS as readonly string[]).includes(m))
    throw new CliError(
      "USAGE",
      `--method: with --model gam expected REML, ML, GCV or UBRE, got "${method}"`,
    );
  return m as GamMethod;
}

/** Fits the GAM of the flags to the columns of a CSV table. */
export function fitGam(flags: GamFlags, data: DataFrame): GamResults | MultinomGamResults {
  const method = gamMethod(flags.method);
  let family: Family;
  if (flags.family === "multinomial" || flags.family === "categorical") {
    if (flags.link !== undefined && flags.link !== "softmax")
      throw new CliError("USAGE", `--link: multinomial uses softmax, got "${flags.link}"`);
    // classes: the distinct values of the response column
    const response = parseFormula(flags.formula).response;
    const col =
      response?.kind === "single" && response.expr.kind === "column"
        ? data[response.expr.name]
        : undefined;
    const levels = new Set<string>();
    if (col)
      for (const v of Array.from(col as ArrayLike<unknown>))
        if (v !== null && v !== "" && !Number.isNaN(v)) levels.add(String(v));
    family = familyByName("categorical", { k: Math.max(levels.size, 2) });
  } else
    family = familyByName(flags.family, {
      link: flags.link,
      theta: flags.theta,
      power: flags.power,
      linkPower: flags.linkPower,
    });
  return gam(flags.formula, data, {
    family,
    method,
    weights: flags.weights,
    offset: flags.offset,
    missing: flags.missing,
  });
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/**
 * The object `geoml fit --model gam --json` prints: `edfTotal` (mgcv's `sum(b$edf)`),
 * `edf` per smooth and `sp` keyed by mgcv's labels, `score` (mgcv's `gcv.ubre`),
 * `devianceExplained`, `deviance`, `scale`, `coefficients` by mgcv's names and, with
 * `fitted`, the fitted values (response scale; class probabilities per row for the
 * multinomial GAM).
 */
export function gamJson(
  fit: GamResults | MultinomGamResults,
  fitted: boolean,
): Record<string, unknown> {
  if (fit instanceof GamResults) {
    const out: Record<string, unknown> = {
      model: "gam",
      family: fit.family.name,
      link: fit.family.link.name,
      formula: fit.formula,
      method: fit.method,
      edfTotal: fit.edfTotal,
      edf: fit.edf,
      sp: fit.sp,
      score: fit.score,
      devianceExplained: fit.devianceExplained,
      deviance: fit.deviance,
      nullDeviance: fit.nullDeviance,
      scale: fit.scale,
      rSquaredAdj: finite(fit.rSquaredAdj),
      coefficients: Object.fromEntries(
        Object.entries(fit.coefficients).map(([k, v]) => [k, finite(v)]),
      ),
      nObs: fit.n,
      converged: fit.converged,
      iterations: fit.iterations,
    };
    if (fitted) out.fitted = Array.from(fit.fitted ?? []);
    return out;
  }
  const j = fit.toJSON();
  const out: Record<string, unknown> = {
    model: "gam",
    family: "multinom",
    link: "softmax",
    formula: j.formula,
    method: j.method,
    classes: fit.classes,
    edfTotal: fit.edfTotal,
    edf: fit.edf,
    sp: fit.sp,
    score: fit.score,
    deviance: fit.deviance,
    coefficients: fit.coefficients,
    nObs: j.n,
    converged: fit.converged,
    iterations: j.iterations,
  };
  if (fitted) out.fitted = fit.fittedProbabilities();
  return out;
}
