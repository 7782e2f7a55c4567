/**
 * Tracing state. An op records a graph node only when some input is traced and no
 * `noGrad` scope is active, so inference pays nothing for autodiff.
 */
import type { Tensor, Vjp } from "./tensor.js";

let noGradDepth = 0;
let activeGrads = 0;

/** True when an op on these inputs must record its backward rule. */
export function shouldRecord(a: Tensor, b?: Tensor, c?: Tensor): boolean {
  if (noGradDepth > 0) return false;
  return a.traced || b?.traced === true || c?.traced === true;
}

/** True when an op on any of these inputs must record. */
export function shouldRecordAll(xs: readonly Tensor[]): boolean {
  if (noGradDepth > 0) return false;
  for (const x of xs) if (x.traced) return true;
  return false;
}

/** Attaches a backward rule to `out` and returns it. */
export function record(out: Tensor, inputs: readonly Tensor[], vjp: Vjp): Tensor {
  out.node = { inputs, vjp };
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
