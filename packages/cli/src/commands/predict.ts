import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadModel, type Prediction } from "@geoml/models";
import type { Command } from "../command.js";
import { formatCsv, readCsv } from "../csv.js";
import { CliError } from "../errors.js";
import { reportModelErrors } from "./fit.js";

const HELP = `Usage: geoml predict --model MODEL.json --data FILE.csv [options]

Predict with a model saved by 'geoml fit --save' (any model kind: glm, multinomial,
mlp, or one registered by a package you load). Writes one CSV line per input row;
'row' is the 0-based index of the row in FILE.csv.

Models with one output per row (GLM, MLP regression or binary):
  row,prediction[,se_link][,lower,upper]
Models with class probabilities (multinomial, categorical MLP):
  row,class,prob_<label>...   (one column per class, in the model's class order)

Options:
  --model FILE       model written by 'geoml fit --save'
  --data FILE        CSV file with the model's predictor columns
  --type SCALE       response (default, the mean μ) or link (η)
  --se               add the column se_link, the standard error of η
  --interval KIND    confidence (of the mean) or prediction (of a new observation,
                     Gaussian models): adds the columns lower,upper on the --type scale
  --level L          coverage of the interval, default 0.95
  --missing MODE     error (default) or drop rows with missing values
  --out FILE         write the CSV to FILE instead of standard output
  -h, --help         show this help

Exit status: 0 on success, 1 when the model or data fails, 2 on wrong usage.
`;

/** The CSV header and columns of a prediction, as `geoml predict` writes them. */
export function predictionCsv(p: Prediction): string {
  const n = p.rows.length;
  const rows = Array.from(p.rows);
  if (p.classes !== undefined) {
    const K = p.classes.length;
    const best = Array.from({ length: n }, (_, i) => {
      let b = 0;
      for (let k = 1; k < K; k++) if (p.fit[i * K + k] > p.fit[i * K + b]) b = k;
      return p.classes![b];
    });
    const cols: ArrayLike<number | string>[] = [rows, best];
    for (let k = 0; k < K; k++) cols.push(Array.from({ length: n }, (_, i) => p.fit[i * K + k]));
    return formatCsv(["row", "class", ...p.classes.map((c) => `prob_${c}`)], cols);
  }
  const names = ["row", "prediction"];
  const cols: ArrayLike<number>[] = [rows, p.fit];
  if (p.seLink) {
    names.push("se_link");
    cols.push(p.seLink);
  }
  if (p.lower && p.upper) {
    names.push("lower", "upper");
    cols.push(p.lower, p.upper);
  }
  return formatCsv(names, cols);
}

/** `geoml predict --model MODEL.json --data FILE.csv [--type link] [--se] [--interval K] [--out F]`. */
export const predict: Command = {
  name: "predict",
  summary: "predict with a saved model on a CSV file (response or link scale, intervals)",
  help: HELP,
  async run(args, io) {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          model: { type: "string" },
          data: { type: "string" },
          type: { type: "string" },
          se: { type: "boolean" },
          interval: { type: "string" },
          level: { type: "string" },
          missing: { type: "string" },
          out: { type: "string" },
        },
        strict: true,
      }));
    } catch (error) {
      throw new CliError("USAGE", error instanceof Error ? error.message : String(error));
    }
    if (typeof values.model !== "string")
      throw new CliError("USAGE", "--model MODEL.json is required");
    if (typeof values.data !== "string") throw new CliError("USAGE", "--data FILE.csv is required");
    const type = values.type ?? "response";
    if (type !== "response" && type !== "link")
      throw new CliError("USAGE", `--type: expected "response" or "link", got "${String(type)}"`);
    const missing = values.missing ?? "error";
    if (missing !== "error" && missing !== "drop")
      throw new CliError(
        "USAGE",
        `--missing: expected "error" or "drop", got "${String(missing)}"`,
      );
    const interval = values.interval;
    if (interval !== undefined && interval !== "confidence" && interval !== "prediction")
      throw new CliError(
        "USAGE",
        `--interval: expected "confidence" or "prediction", got "${String(interval)}"`,
      );
    let level: number | undefined;
    if (values.level !== undefined) {
      level = Number(values.level);
      if (typeof values.level !== "string" || !(level > 0 && level < 1))
        throw new CliError(
          "USAGE",
          `--level: expected a number in (0, 1), got "${String(values.level)}"`,
        );
      if (interval === undefined) throw new CliError("USAGE", "--level needs --interval");
    }
    const modelPath = values.model;
    const dataPath = values.data;
    return reportModelErrors("predict", io, () => {
      let text: string;
      try {
        text = readFileSync(modelPath, "utf8");
      } catch (e) {
        throw new CliError("IO_ERROR", `cannot read ${modelPath}: ${(e as Error).message}`);
      }
      const table = readCsv(dataPath);
      const model = loadModel(text);
      const p = model.predict(table.columns, {
        type,
        missing,
        se: values.se === true,
        ...(interval !== undefined ? { interval, level } : {}),
      });
      const csv = predictionCsv(p);
      if (typeof values.out === "string") writeFileSync(values.out, csv);
      else io.out(csv);
      return 0;
    });
  },
};
