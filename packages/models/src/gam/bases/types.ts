/**
 * The contract of a smooth basis: a constructor builds the model matrix and
 * penalties from the fitting data and a JSON-serialisable state, from which
 * `predict` builds the same columns at new covariate values. mgcv's penalty
 * scaling, sum-to-zero constraint and `by` handling are applied on top of every
 * basis by `../smooth.ts`, so a new basis is one file registered in `registry.ts`.
 */

/** Options written in the formula (`k=`, `m=`), already defaulted by nothing. */
export interface BasisOptions {
  /** Basis dimension `k`, null for the basis's default. */
  readonly k: number | null;
  /** Penalty order `m`, null for the default. */
  readonly m: readonly number[] | null;
  /** The term's label, for error messages. */
  readonly label: string;
}

/** A basis over the fitting data, before scaling and constraints. */
export interface RawBasis {
  /** Number of basis functions (columns). */
  readonly k: number;
  /** n×k model matrix, column-major. */
  readonly X: Float64Array;
  /** Penalty matrices, k×k row-major. */
  readonly S: Float64Array[];
  /** Rank of each penalty. */
  readonly ranks: number[];
  /** Dimension of the null space of the summed penalties. */
  readonly nullSpaceDim: number;
  /** True when the coefficients are already function values (cr, cc), as mgcv's `noterp`. */
  readonly noterp: boolean;
  /** What `predict` needs (JSON-serialisable). */
  readonly state: BasisState;
}

/** JSON state of a basis: its registry name plus basis-specific fields. */
export interface BasisState {
  readonly bs: string;
  readonly [key: string]: unknown;
}

/** One basis in the registry. */
export interface BasisType {
  /** Registry name as in mgcv's `bs=`. */
  readonly name: string;
  /** Covariates the basis takes: 1 for one-dimensional bases, or "any". */
  readonly dims: 1 | "any";
  /** Builds the basis from the covariates (each of length n). */
  construct(x: readonly Float64Array[], options: BasisOptions): RawBasis;
  /** m×k model matrix (column-major) at new covariate values, from the state. */
  predict(state: BasisState, x: readonly Float64Array[]): Float64Array;
}
