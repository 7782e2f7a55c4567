// Runs every bench/*.bench.ts of @geoml/models, one process each, in name order.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts") && (only === undefined || f.includes(only)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n# ${file}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, file)], {
    stdio: "inherit",
  });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
