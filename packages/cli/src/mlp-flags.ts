/**
 * The flags of `geoml fit --model mlp`, turned into the typed options of
 * `@geoml/models`' `mlp()` and `fit()`. All flag parsing lives in the CLI.
 */
import type { LinkName } from "@geoml/losses";
import {
  type ActivationName,
  activationNames,
  type FitHistory,
  type MlpFitOptions as FitOptions,
  type Mlp,
  MlpOptionError,
  type MlpSpec,
  mlp,
} from "@geoml/models";

/**
 * Command-line flags of `geoml fit --model mlp`, as parsed strings:
 * `--hidden 64,64 --activation tanh --epochs N --batch-size B --lr L --seed S`,
 * plus the flags shared with the GLM (`--family`, `--link`, `--theta`, `--power`,
 * `--link-power`) and `--classes`, `--validation-split`, `--patience`,
 * `--weight-decay`, `--dropout`, `--layer-norm`, `--dtype`.
 */
export type MlpArgs = Record<string, string | boolean | undefined>;

/** Names of the flags read by {@link mlpOptionsFromArgs}. */
export const MLP_FLAGS = [
  "hidden",
  "activation",
  "epochs",
  "batch-size",
  "lr",
  "seed",
  "family",
  "link",
  "classes",
  "validation-split",
  "patience",
  "weight-decay",
  "dropout",
  "layer-norm",
  "dtype",
  "theta",
  "power",
  "link-power",
] as const;

function text(args: MlpArgs, flag: string): string | undefined {
  const v = args[flag];
  if (v === undefined || v === false) return undefined;
  if (v === true) throw new MlpOptionError(`--${flag}: expected a value`);
  return v;
}

function number(args: MlpArgs, flag: string, integer: boolean): number | undefined {
  const v = text(args, flag);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new MlpOptionError(
      `--${flag}: expected ${integer ? "an integer" : "a number"}, got "${v}"`,
    );
  }
  return n;
}

/** Turns parsed command-line flags into the `mlp()` spec and `fit()` options. */
export function mlpOptionsFromArgs(args: MlpArgs): { spec: MlpSpec; fit: FitOptions } {
  const hiddenText = text(args, "hidden");
  const hidden = hiddenText?.split(",").map((s) => {
    const n = Number(s);
    if (s.trim() === "" || !Number.isInteger(n) || n < 1) {
      throw new MlpOptionError(
        `--hidden: expected comma-separated layer widths like 64,64, got "${hiddenText}"`,
      );
    }
    return n;
  });
  const activation = text(args, "activation");
  if (activation !== undefined && !activationNames.includes(activation as ActivationName)) {
    throw new MlpOptionError(
      `--activation: expected one of ${activationNames.join(", ")}, got "${activation}"`,
    );
  }
  const dtype = text(args, "dtype");
  if (dtype !== undefined && dtype !== "float32" && dtype !== "float64") {
    throw new MlpOptionError(`--dtype: expected float32 or float64, got "${dtype}"`);
  }
  const spec: MlpSpec = {
    hidden,
    activation: activation as ActivationName | undefined,
    family: text(args, "family") as MlpSpec["family"],
    link: text(args, "link") as LinkName | undefined,
    classes: number(args, "classes", true),
    dropout: number(args, "dropout", false),
    layerNorm: args["layer-norm"] === true || args["layer-norm"] === "true" ? true : undefined,
    dtype,
    seed: number(args, "seed", true),
  };
  const familyParameters = {
    theta: number(args, "theta", false),
    power: number(args, "power", false),
    linkPower: number(args, "link-power", false),
  };
  if (Object.values(familyParameters).some((v) => v !== undefined)) {
    spec.familyParameters = familyParameters;
  }
  const fit: FitOptions = {
    epochs: number(args, "epochs", true),
    batchSize: number(args, "batch-size", true),
    lr: number(args, "lr", false),
    validationSplit: number(args, "validation-split", false),
    patience: number(args, "patience", true),
    weightDecay: number(args, "weight-decay", false),
  };
  return { spec, fit };
}

/**
 * Builds and trains an MLP from command-line flags (see {@link MlpArgs}) on rows `x`
 * and targets `y`; `extra` adds options a flag cannot carry (weights, callback).
 */
export function fitMlpFromArgs(
  args: MlpArgs,
  x: Parameters<Mlp["predict"]>[0],
  y: ArrayLike<number>,
  extra: FitOptions = {},
): { model: Mlp; history: FitHistory } {
  const { spec, fit } = mlpOptionsFromArgs(args);
  const model = mlp(spec);
  const history = model.fit(x, y, { ...fit, ...extra });
  return { model, history };
}
