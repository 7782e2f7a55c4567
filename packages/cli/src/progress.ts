import type { CommandIO } from "./io.js";

/** A progress bar for long work; see {@link progressBar}. */
export interface Progress {
  /** Advance by `n` units (default 1), optionally naming the current item. */
  tick(n?: number, item?: string): void;
  /** Clear the bar. */
  done(): void;
}

/**
 * A one-line progress bar on standard error, redrawn at most every 100 ms — drawn only
 * when standard error is a terminal, so pipes and logs stay clean.
 *
 * @param io - where to draw
 * @param label - what is being done, e.g. `"stats"`
 * @param total - units of work
 */
export function progressBar(io: CommandIO, label: string, total: number): Progress {
  if (!io.errIsTTY || total <= 0) return { tick() {}, done() {} };
  let current = 0;
  let last = 0;
  let drawn = false;
  const draw = (item?: string) => {
    const fraction = Math.min(1, current / total);
    const suffix = ` ${Math.round(fraction * 100)}% ${item ?? ""}`;
    const width = Math.max(10, Math.min(40, io.columns - label.length - suffix.length - 4));
    const filled = Math.round(fraction * width);
    const line = `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}]${suffix}`;
    io.err(`\r${line.slice(0, io.columns - 1)}\x1b[K`);
    drawn = true;
  };
  return {
    tick(n = 1, item) {
      current += n;
      const now = Date.now();
      if (now - last >= 100 || current >= total) {
        last = now;
        draw(item);
      }
    },
    done() {
      if (drawn) io.err("\r\x1b[K");
    },
  };
}
