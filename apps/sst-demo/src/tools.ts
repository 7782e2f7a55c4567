import { execFileSync } from "node:child_process";

/**
 * Whether a Debian command-line tool used as a reference is installed. Under CI a missing
 * tool fails the test (CI installs it); elsewhere the test is skipped with a notice.
 */
export function hasTool(command: string, debianPackage: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    const message = `${command} not found (Debian package '${debianPackage}')`;
    if (process.env.CI) throw new Error(`${message}: CI must run this check`);
    console.warn(`skipping: ${message}`);
    return false;
  }
}

/** Runs a tool and returns its standard output. */
export function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8", maxBuffer: 64 << 20 });
}
