import type { Command } from "./command.js";
import { batch } from "./commands/batch.js";
import { fit } from "./commands/fit.js";
import { info } from "./commands/info.js";
import { plot } from "./commands/plot.js";
import { predict } from "./commands/predict.js";
import { regrid } from "./commands/regrid.js";
import { worker } from "./commands/worker.js";

/** Every `geoml` command, in the order `geoml --help` lists them. Add a command here. */
export const commands: readonly Command[] = [info, fit, predict, regrid, plot, batch, worker];
