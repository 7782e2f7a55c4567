import { parseArgs } from "node:util";
import { serveQueue } from "@geoml/batch";
import type { Command } from "../command.js";
import { CliError } from "../errors.js";
import { oneLine } from "./batch.js";

const HELP = `Usage: geoml worker --queue redis://HOST:PORT [--concurrency N]

Serve chunks of 'geoml batch ... --queue URL' runs from Redis until stopped (Ctrl-C or
SIGTERM). The input files must be reachable under the same paths as on the machine that
started the run (e.g. a shared filesystem); results go back through Redis, and only the
coordinator writes parts and output. A chunk held by a worker that dies is retried by
another worker within about 40 seconds.

Jobs are plain data (file paths, chunk bounds, formula text); a worker refuses a job
format version it does not know and never runs code from the queue.

Options:
  --queue URL        redis://[:password@]HOST:PORT[/DB], or rediss://... for TLS
                     (trust a private CA with NODE_EXTRA_CA_CERTS=ca.pem)
  --concurrency N    chunks worked on at once by this process (default 1)
  -h, --help         show this help

Start Redis for real use with, e.g.:
  redis-server --port 6379 --requirepass SECRET --save '' --appendonly no
`;

/** `geoml worker --queue URL`: serve batch chunks from Redis. */
export const worker: Command = {
  name: "worker",
  summary: "serve chunks of 'geoml batch --queue' runs from Redis",
  help: HELP,
  async run(args, io) {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args,
        options: { queue: { type: "string" }, concurrency: { type: "string" } },
        strict: true,
      }));
    } catch (error) {
      throw new CliError("USAGE", error instanceof Error ? error.message : String(error));
    }
    if (typeof values.queue !== "string")
      throw new CliError("USAGE", "--queue redis://HOST:PORT is required");
    const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new CliError(
        "USAGE",
        `--concurrency: expected a positive integer, got "${String(values.concurrency)}"`,
      );
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      return await oneLine(io, "worker", async () => {
        io.err(`geoml worker: serving ${String(values.queue).replace(/\/\/[^@/]*@/, "//***@")}\n`);
        await serveQueue(values.queue as string, {
          concurrency,
          signal: stop.signal,
          log: (line) => io.err(`geoml worker: ${line}\n`),
        });
        return 0;
      });
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
};
