import { describe, expect, it } from "vitest";
import { printedBlocks, replaceBlocks } from "./blocks.js";

const doc = `# Benchmarks

Prose stays.

<!-- bench:models/glm -->
| old | table |
<!-- /bench:models/glm -->

More prose.

<!-- bench:grid -->
| grid | old |
<!-- /bench:grid -->
`;

describe("the generated tables of docs/benchmarks.md", () => {
  it("replace the blocks a run printed and leave the rest as it was", () => {
    const output = [
      "progress line",
      "<!-- bench:models/glm -->",
      "| new | table |",
      "| --- | --- |",
      "<!-- /bench:models/glm -->",
      "<!-- bench:unknown -->",
      "x",
      "<!-- /bench:unknown -->",
      "",
    ].join("\r\n");
    const r = replaceBlocks(doc, printedBlocks(output));
    expect(r.replaced).toEqual(["models/glm"]);
    expect(r.notPrinted).toEqual(["grid"]);
    expect(r.noPlace).toEqual(["unknown"]);
    expect(r.doc).toContain(
      "<!-- bench:models/glm -->\n| new | table |\n| --- | --- |\n<!-- /bench:models/glm -->",
    );
    expect(r.doc).toContain("| grid | old |");
    expect(r.doc).not.toContain("| old | table |");
    expect(r.doc).toContain("Prose stays.");
    // running it again changes nothing
    expect(replaceBlocks(r.doc, printedBlocks(output)).doc).toBe(r.doc);
  });

  it("needs the closing line with the same id: an unclosed block is not a block", () => {
    const r = printedBlocks("<!-- bench:a -->\n| t |\n<!-- /bench:b -->\n");
    expect(r.size).toBe(0);
  });
});
