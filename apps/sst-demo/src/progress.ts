/** Where progress goes: a stream that may be a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Progress of the demo: log lines and MLP epochs. */
export interface EpochProgress {
  /** A message on its own line (clears the bar first). */
  line(text: string): void;
  /** One finished MLP epoch. */
  epoch(task: string, epoch: number, epochs: number, loss: number): void;
  /** Clears the bar. */
  stop(): void;
}

/**
 * On a terminal, MLP training draws one bar redrawn in place (`\r`, at most every 100 ms);
 * elsewhere (pipes, CI logs) every epoch is a plain line, so logs stay readable.
 */
export function epochProgress(stream: ProgressStream): EpochProgress {
  let drawn = false;
  let last = 0;
  const clear = () => {
    if (drawn) stream.write("\r\x1b[K");
    drawn = false;
  };
  return {
    line(text) {
      clear();
      stream.write(`${text}\n`);
    },
    epoch(task, epoch, epochs, loss) {
      const head = `MLP ${task} epoch ${epoch}/${epochs}`;
      if (!stream.isTTY) {
        stream.write(`${head}  loss ${loss.toFixed(4)}\n`);
        return;
      }
      const now = Date.now();
      if (now - last < 100 && epoch < epochs) return;
      last = now;
      const width = 30;
      const filled = Math.round((epoch / epochs) * width);
      const bar = `${head} [${"#".repeat(filled)}${"-".repeat(width - filled)}] loss ${loss.toFixed(4)}`;
      stream.write(`\r${bar.slice(0, (stream.columns ?? 80) - 1)}\x1b[K`);
      drawn = true;
    },
    stop: clear,
  };
}
