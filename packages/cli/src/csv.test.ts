import { describe, expect, it } from "vitest";
import { CsvError, formatCsv, parseCsv } from "./csv.js";

describe("CSV reader", () => {
  it("reads numeric and string columns, quotes, CRLF and missing values", () => {
    const t = parseCsv(
      'y,x,zone,note\r\n1,0.5,north,"a, b"\r\n0,NA,"south","say ""hi"""\r\n1,-2e-3,north,\r\n',
    );
    expect(t.names).toEqual(["y", "x", "zone", "note"]);
    expect(t.rows).toBe(3);
    expect(Array.from(t.columns.y as Float64Array)).toEqual([1, 0, 1]);
    const x = t.columns.x as Float64Array;
    expect(x[0]).toBe(0.5);
    expect(Number.isNaN(x[1])).toBe(true);
    expect(x[2]).toBe(-0.002);
    expect(t.columns.zone).toEqual(["north", "south", "north"]);
    expect(t.columns.note).toEqual(["a, b", 'say "hi"', ""]);
  });

  it("keeps newlines inside quotes and skips blank lines", () => {
    const t = parseCsv('a,b\n"line1\nline2",2\n\n3,4\n');
    expect(t.columns.a).toEqual(["line1\nline2", "3"]);
    expect(Array.from(t.columns.b as Float64Array)).toEqual([2, 4]);
  });

  it("names the line and counts of a ragged row", () => {
    try {
      parseCsv("a,b\n1,2\n3\n", "data.csv");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CsvError);
      expect((e as Error).message).toBe("data.csv:3: row 2 has 1 fields, the header has 2 (a, b)");
    }
  });

  it("rejects unclosed quotes, duplicate and empty headers", () => {
    expect(() => parseCsv('a,b\n"1,2\n')).toThrow(/never closed/);
    expect(() => parseCsv("a,a\n1,2\n")).toThrow(/appears twice/);
    expect(() => parseCsv("a,,c\n1,2,3\n")).toThrow(/column 2 has no name/);
    expect(() => parseCsv("")).toThrow(/empty/);
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/after a closing quote/);
  });

  it("writes what it reads", () => {
    const text = formatCsv(
      ["name", "v"],
      [
        ["a,b", 'q"'],
        [1.5, Number.NaN],
      ],
    );
    const t = parseCsv(text);
    expect(t.columns.name).toEqual(["a,b", 'q"']);
    const v = t.columns.v as Float64Array;
    expect(v[0]).toBe(1.5);
    expect(Number.isNaN(v[1])).toBe(true);
  });

  it("random text parses or throws a CsvError — never anything else", () => {
    let s = 7;
    const rand = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const alphabet = ['"', ",", "\n", "\r", "a", "1", "2.5", "NA", " ", "x", "-"];
    for (let k = 0; k < 3000; k++) {
      let text = "";
      const len = Math.floor(rand() * 30);
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
      try {
        const t = parseCsv(text);
        for (const name of t.names) expect(t.columns[name].length).toBe(t.rows);
      } catch (e) {
        if (!(e instanceof CsvError)) throw new Error(`${JSON.stringify(text)} threw ${String(e)}`);
      }
    }
  });
});
