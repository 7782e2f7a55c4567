/** Reading saved networks under the model contract (and the files of earlier releases). */
import type { Family } from "@geoml/losses";
import type { DesignInfo } from "../formula/design.js";
import { MlpFormatError } from "./errors.js";
import { Mlp } from "./model.js";
import { MlpResults, type MlpState } from "./results.js";
import type { MlpJSON } from "./serialize.js";

function checkDesign(d: unknown): DesignInfo | null {
  if (d === undefined || d === null) return null;
  const info = d as Partial<DesignInfo>;
  if (
    typeof info.formula !== "string" ||
    !Array.isArray(info.names) ||
    !info.names.every((v) => typeof v === "string") ||
    typeof info.levels !== "object" ||
    info.levels === null
  )
    throw new MlpFormatError(
      '"design" must hold the formula, the column names and the factor levels',
    );
  return info as DesignInfo;
}

/**
 * Reads a network saved by `MlpResults.toJSON` (`kind: "mlp"`), or by earlier
 * releases (`format: "geoml.mlp"`, with or without a formula design). A network
 * with a family that cannot be rebuilt by name needs `{ family }`.
 */
export function loadMlpResults(
  json: string | MlpState | object,
  options: { family?: Family } = {},
): MlpResults {
  let obj: unknown = json;
  if (typeof json === "string") {
    try {
      obj = JSON.parse(json);
    } catch (e) {
      throw new MlpFormatError(`loadMlpResults: the text is not JSON (${(e as Error).message})`);
    }
  }
  if (obj === null || typeof obj !== "object")
    throw new MlpFormatError("loadMlpResults: expected a JSON object");
  const o = obj as Record<string, unknown>;
  let net: MlpJSON;
  if (o.kind === "mlp") {
    if (o.formatVersion !== 1)
      throw new MlpFormatError(
        `loadMlpResults: unsupported file version ${JSON.stringify(o.formatVersion)}; this release reads 1`,
      );
    const { kind: _k, formatVersion: _v, design: _d, classLabels: _c, ...rest } = o;
    net = { ...(rest as Omit<MlpJSON, "format" | "version">), format: "geoml.mlp", version: 1 };
  } else if (o.format === "geoml.mlp") {
    net = o as unknown as MlpJSON;
  } else {
    throw new MlpFormatError('loadMlpResults: not a saved MLP ("kind" must be "mlp")');
  }
  const labels = o.classLabels;
  if (
    labels !== undefined &&
    !(Array.isArray(labels) && labels.every((v) => typeof v === "string"))
  )
    throw new MlpFormatError('"classLabels" must be a list of strings');
  const model = Mlp.fromJSON(net, options);
  const out = new MlpResults(
    model,
    checkDesign(o.design),
    (labels as string[] | undefined) ?? null,
  );
  const classes = out.classes;
  if (labels !== undefined && classes !== null && classes.length !== (labels as string[]).length)
    throw new MlpFormatError(
      `"classLabels" must name the ${classes.length} classes of the network`,
    );
  return out;
}
