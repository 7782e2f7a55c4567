import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

/**
 * Every package must run under a strict Content-Security-Policy (no 'unsafe-eval'):
 * no code is built from strings anywhere in the shipped sources of the packages.
 * Tests are not shipped and may do as they like.
 */
const packages = fileURLToPath(new URL("../../", import.meta.url));

function sources(dir: string): string[] {
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "dist") continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) files.push(...sources(path));
    else if (/\.(ts|js|mjs|cjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) files.push(path);
  }
  return files;
}

const forbidden = [
  /\bnew\s+Function\s*\(/,
  /(^|[^.$\w])eval\s*\(/,
  // worker threads started from source text
  /\beval\s*:\s*true\b/,
  // strings run as code by timers
  /\bset(Timeout|Interval)\s*\(\s*["'`]/,
];

it("no package builds code from strings (new Function, eval)", () => {
  const files = readdirSync(packages).flatMap((p) => {
    try {
      return sources(join(packages, p, "src"));
    } catch {
      return [];
    }
  });
  expect(files.length).toBeGreaterThan(50);
  const hits: string[] = [];
  for (const file of files) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (forbidden.some((re) => re.test(line)))
          hits.push(`${relative(packages, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(hits).toEqual([]);
});

it("recognises the forms it forbids", () => {
  const caught = (s: string) => forbidden.some((re) => re.test(s));
  expect(caught('new Function("x", "return x")')).toBe(true);
  expect(caught("const f = eval(src);")).toBe(true);
  expect(caught("new Worker(src, { eval: true })")).toBe(true);
  expect(caught('setTimeout("run()", 5)')).toBe(true);
  expect(caught("await page.$$eval('img', f); retrieval(x); node.eval (x)")).toBe(false);
});
