/**
 * Tracing state. An op records a graph node only when some input is traced and no
 * `noGrad` scope is active, so inference pays nothing for autodiff.
 */

/** What tracing reads of a tensor (structural, so this module needs no Tensor import). */
interface Traceable {
  readonly traced: boolean;
}

let noGradDepth = 0;
let activeGrads = 0;

/** True when an op on these inputs must record its backward rule. */
export function shouldRecord(a: Traceable, b?: Traceable, c?: Traceable): boolean {
  if (noGradDepth > 0) return false;
  return a.traced || b?.traced === true || c?.traced === true;
}

/** True when an op on any of these inputs must record. */
export function shouldRecordAll(xs: readonly Traceable[]): boolean {
  if (noGradDepth > 0) return false;
  for (const x of xs) if (x.traced) return true;
  return false;
}

/** Attaches a backward rule to `out` and returns it. */
export function record<T extends { node: { inputs: readonly T[]; vjp: unknown } | null }>(
  out: T,
  inputs: readonly T[],
  vjp: NonNullable<T["node"]>["vjp"],
): T {
  out.node = { inputs, vjp } as T["node"];
  return out;
}

/** Runs `fn` without recording any graph; tensors created inside carry no gradient. */
export function noGrad<R>(fn: () => R): R {
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

/** @internal Number of `grad` calls whose function is currently running. */
export function gradDepth(): number {
  return activeGrads;
}

/**
 * @internal Runs `fn` while counting one more active `grad`. Tracing is switched back on
 * inside, so `grad` works even when called from a `noGrad` scope.
 */
export function inGrad<R>(fn: () => R): R {
  const saved = noGradDepth;
  noGradDepth = 0;
  activeGrads++;
  try {
    return fn();
  } finally {
    activeGrads--;
    noGradDepth = saved;
  }
}
