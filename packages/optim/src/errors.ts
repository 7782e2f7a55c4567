/**
 * Typed errors of `@geoml/optim`. Every error carries a machine-readable `code`
 * so callers can branch without parsing the message.
 */

/** Codes raised by `@geoml/optim`. */
export type OptimErrorCode = "NON_FINITE" | "INVALID_OPTION" | "TREE_MISMATCH";

/** Base class of every error thrown by `@geoml/optim`; test with {@link isOptimError}. */
export class OptimError extends Error {
  /** Machine-readable tag, e.g. `"NON_FINITE"`. */
  readonly code: OptimErrorCode;

  /** @param code machine-readable tag; @param message human-readable detail. */
  constructor(code: OptimErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** What was found not finite: the loss or a gradient. */
export type NonFiniteKind = "loss" | "gradient";

/**
 * The loss or a gradient became NaN or ±Inf. Thrown instead of taking the step,
 * so a model never silently turns into NaNs. Names the step (1-based: the update
 * that would have been taken), the parameter and the flat index of the first
 * offending element.
 */
export class NonFiniteError extends OptimError {
  /** 1-based number of the update that was refused. */
  readonly step: number;
  /** `"loss"` or `"gradient"`. */
  readonly kind: NonFiniteKind;
  /** Path of the parameter in the tree, e.g. `"hidden.weight"`; `null` for the loss. */
  readonly parameter: string | null;
  /** Flat index of the first non-finite element (0 for the loss). */
  readonly index: number;
  /** The offending value (NaN, Infinity or -Infinity). */
  readonly value: number;

  /**
   * @param where optimiser or function that detected it, e.g. `"adam"`.
   * @param step 1-based update number; @param kind loss or gradient;
   * @param parameter tree path or null; @param index flat index; @param value the value.
   */
  constructor(
    where: string,
    step: number,
    kind: NonFiniteKind,
    parameter: string | null,
    index: number,
    value: number,
  ) {
    const what =
      kind === "loss" ? `the loss is ${value}` : `gradient of '${parameter}'[${index}] is ${value}`;
    super(
      "NON_FINITE",
      `${where}: ${what} at step ${step}; stopped before updating the parameters (check the learning rate, the data and the loss for overflow)`,
    );
    this.step = step;
    this.kind = kind;
    this.parameter = parameter;
    this.index = index;
    this.value = value;
  }
}

/** An option value out of range or an inconsistent combination of options. */
export class OptionError extends OptimError {
  /** Name of the offending option, e.g. `"lr"`. */
  readonly option: string;

  /** @param where optimiser or function; @param option option name; @param expected what is allowed; @param got the value. */
  constructor(where: string, option: string, expected: string, got: unknown) {
    super("INVALID_OPTION", `${where}: option '${option}' must be ${expected}, got ${String(got)}`);
    this.option = option;
  }
}

/** Gradients, parameters or state whose tree structure or leaf shapes do not match. */
export class TreeMismatchError extends OptimError {
  /** @param where optimiser or function; @param message what differs. */
  constructor(where: string, message: string) {
    super("TREE_MISMATCH", `${where}: ${message}`);
  }
}

/** True when `e` was thrown by `@geoml/optim` (optionally with the given code). */
export function isOptimError(e: unknown, code?: OptimErrorCode): e is OptimError {
  return e instanceof OptimError && (code === undefined || e.code === code);
}
