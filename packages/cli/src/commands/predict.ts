import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadGlm, loadMultinomial, predictMlpFromFormula } from "@geoml/models";
import type { Command } from "../command.js";
import { formatCsv, readCsv } from "../csv.js";
import { CliError } from "../errors.js";
import { reportModelErrors } from "./fit.js";
import { GRID_OPTIONS, gridInput } from "./grid-input.js";

const HELP = `Usage: geoml predict --model MODEL.json --data FILE.csv [options]

Predict with a model saved by 'geoml fit --save'. Writes CSV with the 1-based data
row, the prediction and, with --se, its standard error on the link scale. For a
multinomial model: one probability column per class (prob_<class>) and the class.

Options:
  --model FILE     model written by 'geoml fit --save'
  --data FILE      CSV file with the model's predictor columns
  --grid FILE --var NAME
                   rows from a gridded file instead (as for 'geoml fit'); the
                   row column is then the row's number among the kept cells
  --type SCALE     response (default, the mean μ) or link (η)
  --se             add the column se_link
  --missing MODE   error (default) or drop rows with missing values
  --out FILE       write the CSV to FILE instead of standard output
  -h, --help       show this help

Exit status: 0 on success, 1 when the model or data fails, 2 on wrong usage.
`;

/** `geoml predict --model MODEL.json --data FILE.csv [--type link] [--se] [--out F]`. */
export const predict: Command = {
  name: "predict",
  summary: "predict with a saved model on a CSV file (response or link scale)",
  help: HELP,
  async run(args, io) {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          model: { type: "string" },
          data: { type: "string" },
          ...GRID_OPTIONS,
          type: { type: "string" },
          se: { type: "boolean" },
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
    const grid = await gridInput(values);
    const type = values.type ?? "response";
    if (type !== "response" && type !== "link")
      throw new CliError("USAGE", `--type: expected "response" or "link", got "${String(type)}"`);
    const missing = values.missing ?? "error";
    if (missing !== "error" && missing !== "drop")
      throw new CliError(
        "USAGE",
        `--missing: expected "error" or "drop", got "${String(missing)}"`,
      );
    const modelPath = values.model;
    const dataPath = values.data;
    return reportModelErrors("predict", io, () => {
      let text: string;
      try {
        text = readFileSync(modelPath, "utf8");
      } catch (e) {
        throw new CliError("IO_ERROR", `cannot read ${modelPath}: ${(e as Error).message}`);
      }
      const table = grid ?? readCsv(dataPath as string);
      if (text.includes('"format":"geoml.mlp"')) {
        // a network fitted with --model mlp: μ per row, or one column per class
        const r = predictMlpFromFormula(text, table.columns, { missing, type });
        const n = r.rows.length;
        const names = [
          "row",
          ...(r.width === 1
            ? ["prediction"]
            : Array.from({ length: r.width }, (_, k) => `prob_${k}`)),
        ];
        const cols: ArrayLike<number>[] = [Array.from(r.rows, (i) => i + 1)];
        for (let k = 0; k < r.width; k++)
          cols.push(Array.from({ length: n }, (_, i) => r.values[i * r.width + k]));
        const csv = formatCsv(names, cols);
        if (typeof values.out === "string") writeFileSync(values.out, csv);
        else io.out(csv);
        return 0;
      }
      if (text.includes('"format":"geoml-multinomial"')) {
        // class probabilities, one column per class, and the most probable class
        const m = loadMultinomial(text);
        const probs = m.predict(table.columns);
        const K = m.classes.length;
        const n = probs.length / K;
        const cols: ArrayLike<number | string>[] = [Array.from({ length: n }, (_, i) => i + 1)];
        for (let k = 0; k < K; k++)
          cols.push(Array.from({ length: n }, (_, i) => probs[i * K + k]));
        cols.push(m.predictClass(table.columns));
        const csv = formatCsv(["row", ...m.classes.map((c) => `prob_${c}`), "class"], cols);
        if (typeof values.out === "string") writeFileSync(values.out, csv);
        else io.out(csv);
        return 0;
      }
      const model = loadGlm(text);
      const res = model.predictWithSe(table.columns, { type, missing });
      const rows = Array.from(res.rows, (r) => r + 1);
      const names = ["row", "prediction", ...(values.se ? ["se_link"] : [])];
      const cols: ArrayLike<number>[] = [rows, res.fit, ...(values.se ? [res.seLink] : [])];
      const csv = formatCsv(names, cols);
      if (typeof values.out === "string") writeFileSync(values.out, csv);
      else io.out(csv);
      return 0;
    });
  },
};
