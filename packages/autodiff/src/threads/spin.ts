/**
 * Polls `busy` until it returns false or `performance.now()` passes `until`. A
 * function of its own: the engine compiles a hot loop together with the function
 * around it, and the pass and session functions that poll took 20–50 ms each to
 * compile for their one-line loops, on a core the threads of the pass needed.
 */
export function spinWhile(busy: () => boolean, until: number): void {
  while (busy() && performance.now() < until);
}
