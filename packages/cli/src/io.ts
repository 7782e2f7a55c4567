/**
 * Where a command writes. The real process streams in production; string buffers in
 * tests, so every command runs in-process.
 */
export interface CommandIO {
  /** Write to standard output. */
  out(text: string): void;
  /** Write to standard error. */
  err(text: string): void;
  /** True when standard error is a terminal (progress bars are drawn only then). */
  readonly errIsTTY: boolean;
  /** Terminal width, for progress bars. */
  readonly columns: number;
}

/** The process's own streams. */
export function processIO(): CommandIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    errIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns ?? 80,
  };
}

/** An in-memory {@link CommandIO} that records what was written. */
export function bufferIO(options: { tty?: boolean; columns?: number } = {}): CommandIO & {
  stdout: string;
  stderr: string;
} {
  const io = {
    stdout: "",
    stderr: "",
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    errIsTTY: options.tty ?? false,
    columns: options.columns ?? 80,
  };
  return io;
}
