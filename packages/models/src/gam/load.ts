/** Reading saved GAMs back: single-predictor fits and mgcv-style multinomial ones. */
import { GamError } from "./errors.js";
import { type MultinomGamJSON, MultinomGamResults } from "./multinom.js";
import { type GamJSON, GamResults } from "./results.js";

/** Loads a GAM saved with `toJSON()` (an object, or its JSON text). */
export function loadGam(json: unknown): GamResults | MultinomGamResults {
  let value = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new GamError("BAD_MODEL_FILE", `not a GAM model file: ${(e as Error).message}`);
    }
  }
  if (value === null || typeof value !== "object")
    throw new GamError("BAD_MODEL_FILE", "not a GAM model file: expected a JSON object");
  const o = value as Record<string, unknown>;
  if (o.kind !== "gam")
    throw new GamError("BAD_MODEL_FILE", `not a GAM model file: kind is ${JSON.stringify(o.kind)}`);
  for (const field of [
    "formula",
    "coefficients",
    "coefficientNames",
    "vp",
    "smooths",
    "designInfo",
  ])
    if (o[field] === undefined)
      throw new GamError("BAD_MODEL_FILE", `GAM model file: field "${field}" is missing`);
  if (o.family === "multinom") return new MultinomGamResults(o as unknown as MultinomGamJSON);
  return GamResults.fromJSON(o as unknown as GamJSON);
}
