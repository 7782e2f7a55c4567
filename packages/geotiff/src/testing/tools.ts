/**
 * Running the Debian command-line tools that serve as references (GDAL, netCDF-C) from
 * tests. Where a tool is missing the test is skipped with a notice, except under CI
 * (`CI=true`), where the tools are installed and a missing one is a failure.
 */
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** True when every tool answers; under CI a missing tool throws instead. */
export function toolsAvailable(...tools: string[]): boolean {
  const missing = tools.filter((t) => spawnSync(t, ["--version"]).error !== undefined);
  if (missing.length === 0) return true;
  const message = `missing reference tools: ${missing.join(", ")} (Debian gdal-bin, netcdf-bin)`;
  if (process.env.CI === "true") throw new Error(`${message}; CI must install them`);
  console.warn(`skipped: ${message}`);
  return false;
}

/** Run a tool and return its standard output; a non-zero exit throws with its stderr. */
export async function tool(name: string, args: string[]): Promise<string> {
  const { stdout } = await run(name, args, { maxBuffer: 64 * 2 ** 20 });
  return stdout;
}

/** Run `jobs` with at most `limit` at a time (the machines running tests have few cores). */
export async function limited<T>(jobs: Array<() => Promise<T>>, limit = 2): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}
