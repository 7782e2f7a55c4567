/**
 * What the models benchmarks share: the median and "median (lowest–highest)" of a set of
 * times, the 1-minute load averages, and contenders run in turns.
 */
import { loadavg } from "node:os";

export const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** "median (lowest–highest)" with `digits` decimals, or the one value. */
export const spread = (v: number[], digits: number): string =>
  v.length > 1
    ? `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)})`
    : v[0].toFixed(digits);

/** The three load averages, one decimal each. */
export const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

/**
 * Runs every contender `repeats` times in turns, the order reversed every other round so
 * a busy spell falls on all alike; its runs by contender, and the load before and after.
 */
export function inTurns<R>(
  contenders: readonly (readonly [string, () => R])[],
  repeats: number,
): { runs: R[][]; loadBefore: string; loadAfter: string } {
  const loadBefore = load();
  const runs: R[][] = contenders.map(() => []);
  for (let r = 0; r < repeats; r++) {
    const order = contenders.map((_, c) => c);
    if (r % 2 === 1) order.reverse();
    for (const c of order) runs[c].push(contenders[c][1]());
  }
  return { runs, loadBefore, loadAfter: load() };
}
