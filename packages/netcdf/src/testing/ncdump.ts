/**
 * The data section of `ncdump` output, per variable path (`"T"`, `"grp1/sub/V"`): the value
 * tokens as printed: numbers, `_` for fill values, and strings, which keep their opening
 * quote (`"abc` for `"abc"`) so that a string `_` differs from a fill.
 */
export function parseNcdumpData(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const groups: string[] = [];
  let inData = false;
  let current: { name: string; tokens: string[] } | undefined;
  for (const line of text.split("\n")) {
    if (current === undefined) {
      const g = /^\s*group: (\S+) \{\s*$/.exec(line);
      if (g !== null) {
        groups.push(g[1]);
        inData = false;
        continue;
      }
      if (/^\s*\} \/\/ group/.test(line)) {
        groups.pop();
        inData = false;
        continue;
      }
      if (/^\s*data:\s*$/.test(line)) {
        inData = true;
        continue;
      }
      if (!inData) continue;
      const start = /^\s*(\S+) =(.*)$/.exec(line);
      if (start === null) continue;
      current = { name: [...groups, start[1]].join("/"), tokens: [] };
      if (tokenize(start[2], current.tokens)) {
        out.set(current.name, current.tokens);
        current = undefined;
      }
    } else if (tokenize(line, current.tokens)) {
      out.set(current.name, current.tokens);
      current = undefined;
    }
  }
  return out;
}

/** Append the tokens of one line; true when the statement's closing `;` was reached. */
function tokenize(line: string, tokens: string[]): boolean {
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === " " || c === "\t" || c === ",") {
      i++;
    } else if (c === ";") {
      return true;
    } else if (c === '"') {
      let s = "";
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length) {
          const e = line[i + 1];
          s += e === "n" ? "\n" : e === "t" ? "\t" : e;
          i += 2;
        } else {
          s += line[i++];
        }
      }
      i++;
      tokens.push(`"${s}`);
    } else {
      let j = i;
      while (j < line.length && !" \t,;".includes(line[j])) j++;
      tokens.push(line.slice(i, j));
      i = j;
    }
  }
  return false;
}
