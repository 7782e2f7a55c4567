import { spawnSync } from "node:child_process";

/**
 * Whether the command-line tools a test compares against (ncdump, ncgen, nccopy) are
 * installed. Under CI (`CI=true`) a missing tool is an error, so the comparison can never be
 * skipped silently there; elsewhere the test is skipped with a printed notice.
 */
export function haveTools(...names: string[]): boolean {
  const missing = names.filter((n) => spawnSync("which", [n]).status !== 0);
  if (missing.length === 0) return true;
  const message = `missing command-line tools: ${missing.join(", ")} (Debian netcdf-bin)`;
  if (process.env.CI === "true") throw new Error(`${message}; CI must install them`);
  console.warn(`skipping: ${message}`);
  return false;
}

/** Run a tool and return its standard output; throws with its standard error on failure. */
export function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.error}`);
  }
  return r.stdout;
}
