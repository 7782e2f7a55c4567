/**
 * A small CSV reader for `geoml fit` and `geoml predict`: a header row, fields
 * separated by commas, RFC 4180 quoting ("a, b" and "" for a quote), CRLF or LF.
 * A column whose non-empty values all parse as numbers becomes a Float64Array
 * (empty, NA and NaN become NaN); any other column stays strings.
 */
import { readFileSync } from "node:fs";

/** Codes of {@link CsvError}. */
export type CsvErrorCode = "CSV_SYNTAX" | "CSV_SHAPE" | "CSV_IO";

/** A malformed CSV file; names the file, the 1-based line and the column when known. */
export class CsvError extends Error {
  /** Machine-readable tag. */
  readonly code: CsvErrorCode;
  /** File name (or "<text>"). */
  readonly file: string;
  /** 1-based line of the problem, when known. */
  readonly line: number | undefined;

  /** @param code tag; @param file file name; @param message detail; @param line 1-based line. */
  constructor(code: CsvErrorCode, file: string, message: string, line?: number) {
    super(`${file}${line !== undefined ? `:${line}` : ""}: ${message}`);
    this.name = "CsvError";
    this.code = code;
    this.file = file;
    this.line = line;
  }
}

/** Columns read from a CSV file, by header name, in file order. */
export interface CsvTable {
  /** Header names in order. */
  names: string[];
  /** Numeric columns as Float64Array, others as strings. */
  columns: Record<string, Float64Array | string[]>;
  /** Number of data rows. */
  rows: number;
}

const MISSING = new Set(["", "NA", "NaN", "nan", "null", "NULL"]);

/** Splits CSV text into records of fields, with the line each record starts on. */
function records(text: string, file: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let start = 1;
  let i = 0;
  let quoted = false;
  let any = false;
  const n = text.length;
  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    // skip blank lines
    if (!(fields.length === 1 && fields[0] === "")) out.push({ fields, line: start });
    fields = [];
    any = false;
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        if (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r")
          throw new CsvError(
            "CSV_SYNTAX",
            file,
            `unexpected "${text[i]}" after a closing quote`,
            line,
          );
        continue;
      }
      if (c === "\n") line++;
      field += c;
      i++;
      continue;
    }
    if (!any) {
      start = line;
      any = true;
    }
    if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      endField();
      i++;
    } else if (c === "\n" || c === "\r") {
      endRecord();
      if (c === "\r" && text[i + 1] === "\n") i++;
      i++;
      line++;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new CsvError("CSV_SYNTAX", file, "a quoted field is never closed", start);
  if (any || field !== "" || fields.length) endRecord();
  return out;
}

/** Parses CSV text; `file` names the source in error messages. */
export function parseCsv(text: string, file = "<text>"): CsvTable {
  const recs = records(text, file);
  if (recs.length === 0)
    throw new CsvError("CSV_SHAPE", file, "the file is empty; expected a header row");
  const names = recs[0].fields.map((s) => s.trim());
  const seen = new Set<string>();
  names.forEach((name, j) => {
    if (name === "")
      throw new CsvError("CSV_SHAPE", file, `header column ${j + 1} has no name`, recs[0].line);
    if (seen.has(name))
      throw new CsvError("CSV_SHAPE", file, `header column "${name}" appears twice`, recs[0].line);
    seen.add(name);
  });
  const rows = recs.length - 1;
  const raw = names.map(() => new Array<string>(rows));
  for (let r = 0; r < rows; r++) {
    const { fields, line } = recs[r + 1];
    if (fields.length !== names.length)
      throw new CsvError(
        "CSV_SHAPE",
        file,
        `row ${r + 1} has ${fields.length} fields, the header has ${names.length} (${names.join(", ")})`,
        line,
      );
    for (let j = 0; j < names.length; j++) raw[j][r] = fields[j];
  }
  const columns: Record<string, Float64Array | string[]> = {};
  names.forEach((name, j) => {
    const values = raw[j];
    const nums = new Float64Array(rows);
    let numeric = true;
    for (let r = 0; r < rows && numeric; r++) {
      const s = values[r].trim();
      if (MISSING.has(s)) nums[r] = Number.NaN;
      else {
        const v = Number(s);
        if (Number.isNaN(v) || s === "") numeric = false;
        else nums[r] = v;
      }
    }
    columns[name] = numeric ? nums : values;
  });
  return { names, columns, rows };
}

/** Reads and parses a CSV file. */
export function readCsv(path: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CsvError("CSV_IO", path, `cannot read the file (${(e as Error).message})`);
  }
  return parseCsv(text, path);
}

/** Formats one CSV field, quoting when needed. */
function field(v: string | number): string {
  const s = typeof v === "number" ? (Number.isNaN(v) ? "NA" : String(v)) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes columns as CSV text with a header row. */
export function formatCsv(
  names: readonly string[],
  columns: readonly ArrayLike<string | number>[],
): string {
  const n = columns.length ? columns[0].length : 0;
  const lines = [names.map(field).join(",")];
  for (let r = 0; r < n; r++) lines.push(columns.map((c) => field(c[r])).join(","));
  return `${lines.join("\n")}\n`;
}
