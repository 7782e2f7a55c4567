import type { Command } from "./command.js";
import { info } from "./commands/info.js";

/** Every `geoml` command, in the order `geoml --help` lists them. Add a command here. */
export const commands: readonly Command[] = [info];
