import { describe, expect, it } from "vitest";
import { isGlmError } from "../glm/errors.js";
import { buildDesign } from "./design.js";
import { parseFormula } from "./parse.js";

// a small deterministic generator: the same cases on every run
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = [
  "y",
  "x1",
  "x2",
  "zone",
  "~",
  "+",
  "-",
  "*",
  ":",
  "(",
  ")",
  "0",
  "1",
  "C(",
  "I(",
  "log(",
  "offset(",
  "cbind(",
  ",",
  "^",
  "/",
  " ",
  "`",
  "2.5",
  "nope",
  "@",
];
const data = {
  y: [1, 0, 1, 0, 1, 1],
  x1: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
  x2: [3, 2, 1, 0, -1, -2],
  zone: ["a", "b", "a", "c", "b", "a"],
};

describe("formula fuzzing", () => {
  it("random formulas parse and build, or throw a typed error — never anything else", () => {
    const rand = lcg(2026);
    let parsed = 0;
    for (let k = 0; k < 3000; k++) {
      const len = 1 + Math.floor(rand() * 12);
      let text = "";
      for (let i = 0; i < len; i++) text += PIECES[Math.floor(rand() * PIECES.length)];
      try {
        parseFormula(text);
        buildDesign(text, data);
        parsed++;
      } catch (e) {
        if (!isGlmError(e)) throw new Error(`formula ${JSON.stringify(text)} threw ${String(e)}`);
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });

  it("refuses a factor that would expand to too many columns", () => {
    const n = 200_001;
    const id = Array.from({ length: n }, (_, i) => i);
    expect(() => buildDesign("y ~ C(id)", { y: id, id })).toThrow(/expands to 200000 columns/);
  });
});
