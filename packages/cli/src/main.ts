import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { isGridError } from "@geoml/grid";
import type { Command } from "./command.js";
import { type CommandIO, processIO } from "./io.js";
import { commands as registered } from "./registry.js";

/** Help text of `geoml --help`. */
export function mainHelp(commands: readonly Command[] = registered): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n");
  return `Usage: geoml <command> [options]

Machine learning on Earth-science data.

Commands:
${list}

Run 'geoml <command> --help' for a command's options.
`;
}

/**
 * Run the `geoml` command line in-process.
 *
 * @param argv - arguments after `geoml`
 * @param io - output streams (default the process's)
 * @returns exit status: 0 success, 1 failure (message on stderr), 2 usage error
 */
export async function main(
  argv: readonly string[],
  io: CommandIO = processIO(),
  commands: readonly Command[] = registered,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.err : io.out)(mainHelp(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`geoml: unknown command '${name}'\n\n${mainHelp(commands)}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isGridError(error, "USAGE")) {
      io.err(`geoml ${name}: ${error.message}\n\n${command.help}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`geoml ${name}: ${message}\n`);
    // Unexpected failures keep their stack for bug reports; typed errors are enough as they are.
    if (!isGridError(error) && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    return 1;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

/**
 * The folder relative paths are resolved from. `pnpm geoml …` (the repository's script) runs
 * in the repository root; pnpm records where the user typed the command in INIT_CWD.
 */
export function userDirectory(env: NodeJS.ProcessEnv, cwd: string): string {
  return env.npm_lifecycle_event === "geoml" && env.INIT_CWD ? env.INIT_CWD : cwd;
}

if (isEntryPoint()) {
  process.chdir(userDirectory(process.env, process.cwd()));
  process.exitCode = await main(process.argv.slice(2));
}
