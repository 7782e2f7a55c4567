import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSetup, type ReadmeBlock, readmeBlocks, readmeFiles } from "./readme-blocks.js";

// Every code block of every README is run here, so the READMEs cannot drift from the code.
const root = resolve(import.meta.dirname, "..");
const scratch = join(import.meta.dirname, ".readme");
const tsx = join(root, "node_modules/.bin/tsx");
const tsc = join(root, "node_modules/.bin/tsc");
const blocks = readmeFiles(root).flatMap((f) => readmeBlocks(root, f));
const fileOf = (b: ReadmeBlock) => join(scratch, `${b.readme.replace(/[/.]/g, "_")}_L${b.line}.ts`);

function failure(error: unknown): string {
  const e = error as { stdout?: string; stderr?: string; message?: string };
  return `${e.message ?? error}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`.slice(0, 4000);
}

describe("README code blocks", () => {
  const tsBlocks = blocks.filter((b) => b.kind === "ts");
  // The blocks run with TMPDIR set to a folder of this test, so what they write to the
  // temporary folder (`tmpdir()`, `mktemp`) is removed with it at the end.
  let tmp = "";
  const env = () => ({
    ...process.env,
    TMPDIR: tmp,
    PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}`,
  });

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "geoml-readme-blocks-"));
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    writeFileSync(
      join(scratch, "tsconfig.json"),
      JSON.stringify({
        extends: "../../tsconfig.base.json",
        compilerOptions: { rootDir: ".", noEmit: true, declaration: false, declarationMap: false },
        include: ["*.ts"],
      }),
    );
    for (const b of tsBlocks) writeFileSync(fileOf(b), `${b.code}\nexport {};\n`);
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
  });

  it("finds the blocks", () => {
    expect(tsBlocks.length).toBeGreaterThan(5);
  });

  it("type-checks every TypeScript block", () => {
    try {
      execFileSync(tsc, ["--noEmit", "-p", join(scratch, "tsconfig.json")], {
        cwd: root,
        encoding: "utf8",
      });
    } catch (error) {
      expect.fail(`README TypeScript does not compile:\n${failure(error)}`);
    }
  }, 120_000);

  for (const b of tsBlocks) {
    it(`runs ${b.readme}:${b.line} (TypeScript)`, () => {
      try {
        execFileSync(tsx, [fileOf(b)], {
          cwd: root,
          encoding: "utf8",
          timeout: 60_000,
          env: env(),
        });
      } catch (error) {
        expect.fail(`${b.readme}:${b.line} failed:\n${failure(error)}`);
      }
    }, 90_000);
  }

  for (const b of blocks.filter((b) => b.kind === "sh")) {
    it(`${b.readme}:${b.line} (shell) is set-up or runs`, () => {
      if (isSetup(b.code)) return;
      expect(
        b.runnable,
        `${b.readme}:${b.line}: mark the block \`\`\`sh runnable (it will run here) or make it set-up only`,
      ).toBe(true);
      // A scratch copy: the repository's entries linked in, so what the block writes
      // (out/, new files) lands in the copy, never in the repository.
      const copy = mkdtempSync(join(tmp, "copy-"));
      try {
        for (const entry of readdirSync(root)) {
          if (entry === ".git" || entry === "out") continue;
          symlinkSync(join(root, entry), join(copy, entry));
        }
        execFileSync("bash", ["-euo", "pipefail", "-c", b.code], {
          cwd: copy,
          encoding: "utf8",
          timeout: 120_000,
          env: env(),
        });
      } catch (error) {
        expect.fail(`${b.readme}:${b.line} failed:\n${failure(error)}`);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    }, 180_000);
  }
});
