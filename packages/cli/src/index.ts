export type { Command } from "./command.js";
export { info } from "./commands/info.js";
export { CliError, type CliErrorCode } from "./errors.js";
export { bufferIO, type CommandIO, processIO } from "./io.js";
export { main, mainHelp } from "./main.js";
export { type Progress, progressBar } from "./progress.js";
export { commands } from "./registry.js";
