/**
 * Parse metadata JSON as Python writes it: `json.dumps` emits bare `NaN`, `Infinity` and
 * `-Infinity` (zarr-python 2 does so in `.zattrs`), which `JSON.parse` rejects. Those
 * tokens, outside strings only, become the numbers they name.
 *
 * @throws SyntaxError when the text is not JSON even with those tokens allowed
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    if (!/NaN|Infinity/.test(text)) throw first;
  }
  const MARK = "\u0000geoml:";
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") {
        out += text[i + 1] ?? "";
        i++;
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const rest = text.slice(i, i + 9);
    const token = ["-Infinity", "Infinity", "NaN"].find((t) => rest.startsWith(t));
    if (token !== undefined) {
      out += JSON.stringify(MARK + token);
      i += token.length - 1;
      continue;
    }
    out += c;
  }
  return JSON.parse(out, (_k, v) => {
    if (typeof v === "string" && v.startsWith(MARK)) return Number(v.slice(MARK.length));
    return v;
  });
}

/** Decode bytes as UTF-8 JSON (see {@link parseJson}). */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  return parseJson(new TextDecoder().decode(bytes));
}

/** Encode a value as UTF-8 JSON; non-finite numbers become `"NaN"`/`"Infinity"` strings as the Zarr specs ask. */
export function jsonBytes(value: unknown): Uint8Array {
  const text = JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === "number" && !Number.isFinite(v)) return String(v);
      if (typeof v === "bigint") return Number(v);
      return v;
    },
    2,
  );
  return new TextEncoder().encode(text);
}
