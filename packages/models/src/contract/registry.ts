/**
 * The registry of model kinds. A kind registers how to read its saved files;
 * {@link loadModel} (and `geoml predict`) finds the kind from the file's `kind`
 * tag — never by searching the text — and hands the parsed object to it.
 */
import { ModelFileError, UnknownModelKindError } from "./errors.js";
import type { Results, SavedModel } from "./results.js";

/**
 * A model kind as the registry knows it. Register one with
 * {@link registerModelKind}:
 *
 * ```ts
 * registerModelKind({ kind: "my-model", formatVersion: 1, load: (json) => MyResults.fromJSON(json) });
 * ```
 */
export interface ModelKind<R extends Results = Results> {
  /** The tag written as `kind` at the top of saved files; unique among kinds. */
  readonly kind: string;
  /** The newest `formatVersion` this kind writes; files with a higher one are refused. */
  readonly formatVersion: number;
  /**
   * Values of a top-level `"format"` field of files saved before `kind` existed
   * (e.g. `"geoml-glm"`), read by this kind's `load` as well.
   */
  readonly legacyFormats?: readonly string[];
  /**
   * Rebuilds the fitted model from its parsed JSON. Receives objects whose `kind`
   * is this kind (and `formatVersion` ≤ the kind's) or whose `format` is one of
   * `legacyFormats`. Must check every field it reads and throw a
   * {@link ModelFileError} naming the one at fault.
   */
  load(json: Readonly<Record<string, unknown>>): R;
}

const kinds = new Map<string, ModelKind>();
const legacy = new Map<string, ModelKind>();

/**
 * Registers a model kind so that {@link loadModel} reads its files. Registering
 * another object under a tag already taken throws, unless `replace` is set (so a
 * user kind cannot silently shadow a built-in one).
 */
export function registerModelKind(kind: ModelKind, options: { replace?: boolean } = {}): void {
  if (kind === null || typeof kind !== "object")
    throw new TypeError("registerModelKind: expected a ModelKind object");
  if (typeof kind.kind !== "string" || !/^[A-Za-z0-9_.:-]+$/.test(kind.kind))
    throw new TypeError(
      `registerModelKind: kind must be a non-empty tag of letters, digits and _.:-, got ${JSON.stringify(kind.kind)}`,
    );
  if (!Number.isInteger(kind.formatVersion) || kind.formatVersion < 1)
    throw new TypeError(
      `registerModelKind(${kind.kind}): formatVersion must be an integer ≥ 1, got ${kind.formatVersion}`,
    );
  if (typeof kind.load !== "function")
    throw new TypeError(`registerModelKind(${kind.kind}): load must be a function`);
  const existing = kinds.get(kind.kind);
  if (existing !== undefined && existing !== kind && !options.replace)
    throw new TypeError(
      `registerModelKind: kind "${kind.kind}" is already registered; pass { replace: true } to replace it`,
    );
  kinds.set(kind.kind, kind);
  for (const tag of kind.legacyFormats ?? []) legacy.set(tag, kind);
}

/** The tags of the registered model kinds, in registration order. */
export function modelKinds(): string[] {
  return [...kinds.keys()];
}

/** The registered kind with this tag, or undefined. */
export function modelKind(kind: string): ModelKind | undefined {
  return kinds.get(kind);
}

/** Parses saved-model text (or takes an object) and checks that it is a JSON object. */
export function parseSavedModel(json: string | object): Record<string, unknown> {
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new ModelFileError(`model file is not JSON: ${(e as Error).message}`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ModelFileError("model file: expected a JSON object at the top level");
  return value as Record<string, unknown>;
}

/**
 * Reads any saved model: `loadModel(text)` or `loadModel(object)`. The file's
 * `kind` picks the registered {@link ModelKind} (files of earlier releases are
 * found by their `format` tag); a `formatVersion` newer than the kind's is refused.
 */
export function loadModel(json: string | object): Results {
  const obj = parseSavedModel(json);
  const tag = obj.kind;
  if (tag !== undefined) {
    if (typeof tag !== "string") throw new ModelFileError('"kind" must be a string');
    const kind = kinds.get(tag);
    if (kind === undefined) throw new UnknownModelKindError(tag, modelKinds());
    const v = obj.formatVersion;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
      throw new ModelFileError(`"formatVersion" must be an integer ≥ 1, got ${JSON.stringify(v)}`);
    if (v > kind.formatVersion)
      throw new ModelFileError(
        `"${tag}" file version ${v} is newer than this release reads (${kind.formatVersion}); upgrade @geoml/models`,
      );
    return kind.load(obj);
  }
  if (typeof obj.format === "string") {
    const kind = legacy.get(obj.format);
    if (kind === undefined) throw new UnknownModelKindError(obj.format, modelKinds());
    return kind.load(obj);
  }
  throw new ModelFileError('not a saved geoml model: the top level has no "kind" field');
}

/** Checks the `kind`/`formatVersion` header a kind's `load` receives (legacy files pass through). */
export function checkHeader(json: Readonly<Record<string, unknown>>, kind: string): SavedModel {
  if (json.kind !== kind)
    throw new ModelFileError(`not a "${kind}" model: "kind" is ${JSON.stringify(json.kind)}`);
  if (typeof json.formatVersion !== "number")
    throw new ModelFileError('"formatVersion" must be a number');
  return { kind, formatVersion: json.formatVersion };
}
