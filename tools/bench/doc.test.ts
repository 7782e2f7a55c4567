import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { replaceBlocks } from "./blocks.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Ids of the blocks a package's benchmark sources print, with the file printing each. */
function printedIds(): Map<string, string> {
  const ids = new Map<string, string>();
  for (const pkg of readdirSync(join(root, "packages"))) {
    const dir = join(root, "packages", pkg, "bench");
    let files: string[];
    try {
      files = readdirSync(dir, { recursive: true, encoding: "utf8" });
    } catch {
      continue;
    }
    for (const f of files.filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(join(dir, f), "utf8");
      for (const m of text.matchAll(/<!-- bench:([\w./@-]+) -->/g)) {
        // a benchmark that opens a block must close it too
        expect(text, `packages/${pkg}/bench/${f}`).toContain(`<!-- /bench:${m[1]} -->`);
        ids.set(m[1], `packages/${pkg}/bench/${f}`);
      }
    }
  }
  return ids;
}

describe("docs/benchmarks.md and the benchmarks", () => {
  const doc = readFileSync(join(root, "docs", "benchmarks.md"), "utf8");
  const inDoc = replaceBlocks(doc, new Map()).notPrinted;
  const printed = printedIds();

  it("every generated table of the page is printed by a package's benchmark", () => {
    expect(inDoc.filter((id) => !printed.has(id))).toEqual([]);
  });

  it("every table a benchmark prints has its place in the page, once", () => {
    expect([...printed.keys()].filter((id) => !inDoc.includes(id))).toEqual([]);
    expect(inDoc.filter((id, i) => inDoc.indexOf(id) !== i)).toEqual([]);
  });
});
