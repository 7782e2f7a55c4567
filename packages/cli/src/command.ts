import type { CommandIO } from "./io.js";

/**
 * One `geoml` sub-command. Each lives in `src/commands/<name>.ts` and is listed in
 * `src/registry.ts`; `main` finds it by name.
 */
export interface Command {
  /** Name typed after `geoml`. */
  name: string;
  /** One line for `geoml --help`. */
  summary: string;
  /** Full help text for `geoml <name> --help`. */
  help: string;
  /**
   * Run with the arguments after the command name.
   *
   * @returns the exit status (0 on success)
   */
  run(args: string[], io: CommandIO): Promise<number>;
}
