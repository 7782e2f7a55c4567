/**
 * Finds the code blocks of the repository's README files, so a test can run every one of
 * them: TypeScript blocks are type-checked and run, shell blocks marked ```` ```sh runnable ````
 * run in a scratch copy of the repository. The set-up commands (install, the demo, the test
 * command itself, regenerating reference fixtures) are exempt: running the tests from inside the tests would never end.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One fenced block of a README. */
export interface ReadmeBlock {
  /** README path relative to the repository root. */
  readme: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** `ts` for TypeScript, `sh` for shell. */
  kind: "ts" | "sh";
  /** Whether a shell block is marked `runnable`. */
  runnable: boolean;
  code: string;
}

const TS = new Set(["ts", "typescript"]);
const SH = new Set(["sh", "bash", "shell", "console"]);

/** The README files tracked by git. */
export function readmeFiles(root: string): string[] {
  return execFileSync("git", ["ls-files", "*README.md", "README.md"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f.endsWith("README.md"))
    .filter((f, i, all) => all.indexOf(f) === i);
}

/** The TypeScript and shell blocks of one README. */
export function readmeBlocks(root: string, readme: string): ReadmeBlock[] {
  const lines = readFileSync(join(root, readme), "utf8").split("\n");
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*([\w-]*)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].startsWith(`${indent}${fence}`); j++) {
      body.push(lines[j].slice(indent.length));
    }
    const kind = TS.has(lang) ? "ts" : SH.has(lang) ? "sh" : undefined;
    if (kind) {
      blocks.push({
        readme,
        line: i + 1,
        kind,
        runnable: /\brunnable\b/.test(rest),
        code: body.join("\n"),
      });
    }
    i = j;
  }
  return blocks;
}

/** Commands a README may show without the test running them: set-up and the test itself. */
export const SETUP_COMMANDS = [
  /pnpm@[\d.]+ install/,
  /pnpm@[\d.]+ (test|demo)\b/,
  /^\s*(npx -y )?pnpm( @?[\d.]+)? (test|bench|build|changeset|install|demo)\b/m,
  /^\s*(npm (install|i)|pnpm add|npx -y pnpm@[\d.]+ add) /m,
  // Maintainers' scripts that regenerate fixtures from the reference tools.
  /^\s*(\/usr\/bin\/python3|Rscript) tools\//m,
  /^\s*apt-get /m,
];

/** Whether a shell block only sets up or tests the repository (exempt from running). */
export function isSetup(code: string): boolean {
  const commands = code
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  return commands.length > 0 && commands.every((c) => SETUP_COMMANDS.some((r) => r.test(c)));
}
