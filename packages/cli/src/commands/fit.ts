import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  fitMlp,
  type GlmResults,
  glm,
  isModelError as isModelsError,
  MlpOptionError,
  type MlpResults,
  type MultinomialResults,
  multinomial,
} from "@geoml/models";
import type { Command } from "../command.js";
import { readCsv } from "../csv.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { MLP_FLAGS, mlpOptionsFromArgs } from "../mlp-flags.js";
import { fitGam, GLM_ONLY_FLAGS, gamJson, gamMethod } from "./fit-gam.js";
import { GRID_OPTIONS, gridInput } from "./grid-input.js";

/** The object `geoml fit --json` prints. */
export interface FitJson {
  family: string;
  link: string;
  formula: string;
  method: string;
  coefficients: Record<string, number | null>;
  stdErrors: Record<string, number | null>;
  zValues: Record<string, number | null>;
  pValues: Record<string, number | null>;
  deviance: number;
  nullDeviance: number;
  logLik: number | null;
  aic: number | null;
  bic: number | null;
  pearsonChi2: number;
  dispersion: number;
  dfResidual: number;
  iterations: number;
  converged: boolean;
  nObs: number;
  aliased: string[];
}

const HELP = `Usage: geoml fit --data FILE.csv --formula "y ~ x1 + x2" [options]

Fit a generalized linear model to the columns of a CSV file by IRLS (as R's glm and
statsmodels' GLM), a generalized additive model (--model gam, as R's mgcv) or a
neural network (--model mlp), and print its summary, or one JSON object with --json.

Options:
  --data FILE        CSV file with a header row (numeric and string columns)
  --grid FILE --var NAME
                     rows from a gridded file instead: NAME, its coordinates and, along
                     time, t (decimal years), year, month, doy and pi as columns; cells
                     where NAME is missing are dropped
  --formula TEXT     model formula: y ~ x1 + x2 + x1:x2 + C(zone) + offset(log_area),
                     '- 1' drops the intercept, cbind(successes, failures) ~ ... or
                     I(successes / trials) ~ ... --weights trials for Binomial trials,
                     log(y) ~ ..., poly(x, 3) for R's orthogonal polynomials
  --family NAME      gaussian (default), binomial, poisson, gamma, inverse_gaussian,
                     negative_binomial, tweedie, multinomial (Newton; --method lbfgs)
  --link NAME        identity, log, logit, probit, cloglog, cauchit, inverse,
                     inverse_squared, sqrt, power (default: the canonical link)
  --theta T          Negative Binomial θ (statsmodels alpha = 1/θ)
  --power P          Tweedie variance power, 1 < P < 2
  --link-power P     exponent of the power link
  --weights COL      column of prior weights (e.g. cos(lat) area weights)
  --offset COL       column added to the linear predictor
  --method NAME      irls (default), lbfgs, adam; with --model gam mgcv's method=:
                     REML (default), ML, GCV, UBRE
  --l2 LAMBDA        ridge penalty: deviance/2 + LAMBDA/2·|β|² (intercept free)
  --lambda L         elastic net (glmnet objective, coordinate descent):
                     deviance/(2n) + L·(A·|β|₁ + (1 − A)/2·|β|²), intercept free
  --alpha A          elastic-net L1 share in [0, 1] (default 1, the lasso)
  --missing MODE     error (default) or drop rows with missing values
  --max-iter N       iteration limit
  --save FILE        write the fitted model as JSON with its "kind" and
                     "formatVersion" (for 'geoml predict')
  --model KIND       glm (default), gam or mlp. gam: a generalized additive model as
                     R's mgcv fits it, with smooth terms in the formula: s(x) (thin
                     plate), s(x, bs="cr", k=10), s(x, bs="ps"), s(doy, bs="cc"),
                     te(lon, lat), s(x, by=zone); smoothness chosen by --method.
                     mlp: a neural network as the predictor, same
                     family and link flags, plus --hidden 64,64 --activation tanh
                     --epochs N --batch-size B --lr L --seed S --classes K
                     --validation-split F --patience N --weight-decay W --dropout P
                     --layer-norm --dtype float32|float64
  --json             print one JSON object instead of the summary table
  --fitted           with --model gam --json: add the fitted values ("fitted")
  -h, --help         show this help

Exit status: 0 on success, 1 when the data or model fails, 2 on wrong usage.
`;

const OPTIONS = {
  data: { type: "string" },
  ...GRID_OPTIONS,
  formula: { type: "string" },
  family: { type: "string" },
  link: { type: "string" },
  theta: { type: "string" },
  power: { type: "string" },
  "link-power": { type: "string" },
  weights: { type: "string" },
  offset: { type: "string" },
  method: { type: "string" },
  l2: { type: "string" },
  lambda: { type: "string" },
  alpha: { type: "string" },
  missing: { type: "string" },
  "max-iter": { type: "string" },
  save: { type: "string" },
  json: { type: "boolean" },
  fitted: { type: "boolean" },
  model: { type: "string" },
  hidden: { type: "string" },
  activation: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  lr: { type: "string" },
  seed: { type: "string" },
  classes: { type: "string" },
  "validation-split": { type: "string" },
  patience: { type: "string" },
  "weight-decay": { type: "string" },
  dropout: { type: "string" },
  "layer-norm": { type: "boolean" },
  dtype: { type: "string" },
} as const;

/** Flags that only the MLP reads: its flags less the family ones it shares with the GLM. */
const SHARED_WITH_GLM = new Set(["family", "link", "theta", "power", "link-power"]);
const MLP_ONLY = MLP_FLAGS.filter((f) => !SHARED_WITH_GLM.has(f));

function numberOption(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n))
    throw new CliError("USAGE", `--${name}: expected a number, got "${String(v)}"`);
  return n;
}

const orNull = (v: number) => (Number.isFinite(v) ? v : null);
const record = (names: readonly string[], values: ArrayLike<number>) =>
  Object.fromEntries(names.map((n, j) => [n, orNull(values[j])]));

/** The JSON summary of a fitted GLM. */
export function fitJson(fit: GlmResults): FitJson {
  const s = fit.state;
  return {
    family: s.family,
    link: s.link,
    formula: s.design.kind === "formula" ? s.design.info.formula : "",
    method: s.method,
    coefficients: record(fit.names, fit.params),
    stdErrors: record(fit.names, fit.bse),
    zValues: record(fit.names, fit.zValues),
    pValues: record(fit.names, fit.pValues),
    deviance: s.deviance,
    nullDeviance: s.nullDeviance,
    logLik: orNull(s.logLik),
    aic: orNull(s.aic),
    bic: orNull(s.bic),
    pearsonChi2: s.pearsonChi2,
    dispersion: s.dispersion,
    dfResidual: s.dfResidual,
    iterations: s.iterations,
    converged: s.converged,
    nObs: s.nObs,
    aliased: [...s.aliased],
  };
}

/** The JSON summary of a multinomial fit: coefficients and errors per class. */
export function multinomialJson(fit: MultinomialResults): Record<string, unknown> {
  const s = fit.state;
  return {
    family: "multinomial",
    link: "softmax",
    formula: s.design.kind === "formula" ? s.design.info.formula : "",
    method: s.method,
    classes: s.classes,
    coefficients: fit.coefficients,
    stdErrors: fit.stdErrors,
    deviance: -2 * s.logLik,
    nullDeviance: -2 * s.llNull,
    logLik: s.logLik,
    aic: s.aic,
    bic: s.bic,
    dispersion: 1,
    iterations: s.iterations,
    converged: s.converged,
    nObs: s.nObs,
  };
}

/** The JSON summary of a fitted network. */
export function mlpJson(fit: MlpResults, formula: string): Record<string, unknown> {
  const arch = fit.model.architecture!;
  const h = fit.history!;
  return {
    model: "mlp",
    family: fit.model.family?.name ?? "gaussian (heteroscedastic)",
    link: fit.model.family?.link.name ?? "identity",
    formula,
    predictors: fit.design?.names.filter((n) => n !== "Intercept") ?? [],
    layers: [arch.inputs, ...arch.hidden, arch.outputs],
    activation: arch.activation,
    nObs: fit.nObs,
    epochs: h.loss.length,
    bestEpoch: h.bestEpoch,
    stoppedEarly: h.stoppedEarly,
    loss: h.loss,
    validationLoss: h.validationLoss,
  };
}

/** Errors of the data, the family or the fit: reported on stderr with status 1. */
function isModelError(e: unknown): e is Error {
  if (isModelsError(e)) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return (
    e instanceof Error &&
    typeof code === "string" &&
    /^(CSV_|FAMILY_|LINK|UNKNOWN_FAMILY|LOSS_)/.test(code)
  );
}

/** Runs a model step, turning typed data/model errors into a message and status 1. */
export function reportModelErrors(name: string, io: CommandIO, step: () => number): number {
  try {
    return step();
  } catch (e) {
    if (!isModelError(e)) throw e;
    io.err(`geoml ${name}: ${e.message}\n`);
    return 1;
  }
}

/** `geoml fit --data FILE.csv --formula "y ~ x" [--family F --link L] [--json] [--save M]`. */
export const fit: Command = {
  name: "fit",
  summary: "fit a GLM (IRLS), GAM (mgcv's smooths) or MLP to a CSV file; summary or JSON",
  help: HELP,
  async run(args, io) {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }));
    } catch (error) {
      throw new CliError("USAGE", error instanceof Error ? error.message : String(error));
    }
    const grid = await gridInput(values);
    if (typeof values.formula !== "string")
      throw new CliError("USAGE", '--formula "y ~ x1 + x2" is required');
    const missing = values.missing ?? "error";
    if (missing !== "error" && missing !== "drop")
      throw new CliError(
        "USAGE",
        `--missing: expected "error" or "drop", got "${String(missing)}"`,
      );
    const kind = (values.model as string | undefined) ?? "glm";
    if (kind !== "glm" && kind !== "mlp" && kind !== "gam")
      throw new CliError("USAGE", `--model: expected glm, gam or mlp, got "${kind}"`);
    // --method is mgcv's method= for the GAM, the fitting algorithm otherwise
    const method = (values.method as string | undefined) ?? (kind === "gam" ? "REML" : "irls");
    if (kind === "gam") gamMethod(method);
    else if (!["irls", "lbfgs", "adam"].includes(method))
      throw new CliError("USAGE", `--method: expected irls, lbfgs or adam, got "${method}"`);
    if (values.fitted && kind !== "gam") throw new CliError("USAGE", "--fitted needs --model gam");
    const l2 = numberOption(values, "l2");
    const lambda = numberOption(values, "lambda");
    const alpha = numberOption(values, "alpha");
    if (alpha !== undefined && lambda === undefined)
      throw new CliError("USAGE", "--alpha needs --lambda");
    const data = values.data;
    const formula = values.formula;
    const familyName = (values.family as string | undefined) ?? "gaussian";
    if (kind === "gam") {
      const stray = [...MLP_ONLY, ...GLM_ONLY_FLAGS].filter((f) => values[f] !== undefined);
      if (stray.length)
        throw new CliError("USAGE", `--${stray[0]} is not an option of --model gam`);
    } else if (kind === "glm") {
      const stray = MLP_ONLY.filter((f) => values[f] !== undefined);
      if (stray.length) throw new CliError("USAGE", `--${stray[0]} needs --model mlp`);
    } else {
      // Check the network flags before reading data: a malformed flag is wrong usage (status 2).
      try {
        mlpOptionsFromArgs(values);
      } catch (e) {
        if (e instanceof MlpOptionError) throw new CliError("USAGE", e.message);
        throw e;
      }
    }
    return reportModelErrors("fit", io, () => {
      const table = grid ?? readCsv(data as string);
      if (kind === "gam") {
        const result = fitGam(
          {
            formula,
            family: familyName,
            link: values.link as string | undefined,
            theta: numberOption(values, "theta"),
            power: numberOption(values, "power"),
            linkPower: numberOption(values, "link-power"),
            method,
            weights: values.weights as string | undefined,
            offset: values.offset as string | undefined,
            missing,
          },
          table.columns,
        );
        if (typeof values.save === "string")
          writeFileSync(values.save, `${JSON.stringify(result)}\n`);
        io.out(
          values.json
            ? `${JSON.stringify(gamJson(result, values.fitted === true), null, 2)}\n`
            : `${result.summary()}\n`,
        );
        return 0;
      }
      if (kind === "mlp") {
        if (values.offset !== undefined)
          throw new CliError("USAGE", "--offset is not supported by --model mlp");
        const { spec, fit: fitOptions } = mlpOptionsFromArgs(values);
        const result = fitMlp(
          spec,
          {
            formula,
            data: table.columns,
            weights: values.weights as string | undefined,
            missing,
          },
          fitOptions,
        );
        if (typeof values.save === "string")
          writeFileSync(values.save, `${JSON.stringify(result)}\n`);
        io.out(
          values.json
            ? `${JSON.stringify(mlpJson(result, formula), null, 2)}\n`
            : `${result.summary()}\n`,
        );
        return 0;
      }
      if (familyName === "multinomial" || familyName === "categorical") {
        if (values.link !== undefined && values.link !== "softmax")
          throw new CliError(
            "USAGE",
            `--link: multinomial uses softmax, got "${String(values.link)}"`,
          );
        const result = multinomial({
          method: method === "lbfgs" ? "lbfgs" : "newton",
          maxIter: numberOption(values, "max-iter"),
        }).fit({
          formula,
          data: table.columns,
          weights: values.weights as string | undefined,
          missing,
        });
        if (typeof values.save === "string")
          writeFileSync(values.save, `${JSON.stringify(result)}\n`);
        io.out(
          values.json
            ? `${JSON.stringify(multinomialJson(result), null, 2)}\n`
            : `${result.summary()}\n`,
        );
        return 0;
      }
      const model = glm({
        family: familyName,
        link: values.link as string | undefined,
        theta: numberOption(values, "theta"),
        power: numberOption(values, "power"),
        linkPower: numberOption(values, "link-power"),
        method: method as "irls" | "lbfgs" | "adam",
        maxIter: numberOption(values, "max-iter"),
        penalty:
          lambda !== undefined
            ? { lambda, alpha: alpha ?? 1 }
            : l2 === undefined
              ? undefined
              : { l2 },
      });
      const result = model.fit({
        formula,
        data: table.columns,
        weights: values.weights as string | undefined,
        offset: values.offset as string | undefined,
        missing,
      });
      if (typeof values.save === "string")
        writeFileSync(values.save, `${JSON.stringify(result)}\n`);
      io.out(
        values.json ? `${JSON.stringify(fitJson(result), null, 2)}\n` : `${result.summary()}\n`,
      );
      return 0;
    });
  },
};
