/**
 * The generated tables of docs/benchmarks.md. A benchmark prints each table between a
 * line `<!-- bench:ID -->` and a line `<!-- /bench:ID -->`; the document holds the same
 * two lines around the table, and {@link replaceBlocks} puts the printed text between
 * them, so a run of `pnpm bench` rewrites the tables and leaves the prose alone.
 */

const BLOCK = /^<!-- bench:([\w./@-]+) -->\n([\s\S]*?)^<!-- \/bench:\1 -->$/gm;

/** The blocks a benchmark printed, by id (the last one wins when an id repeats). */
export function printedBlocks(output: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const m of output.replace(/\r\n/g, "\n").matchAll(BLOCK)) blocks.set(m[1], m[2]);
  return blocks;
}

/** What {@link replaceBlocks} did. */
export interface Replacement {
  /** The document with the printed blocks in place. */
  doc: string;
  /** Ids whose text was replaced. */
  replaced: string[];
  /** Ids the document holds that the output did not print. */
  notPrinted: string[];
  /** Ids the output printed that the document has no place for. */
  noPlace: string[];
}

/** Replaces every block of `doc` whose id `printed` holds by the printed text. */
export function replaceBlocks(doc: string, printed: ReadonlyMap<string, string>): Replacement {
  const replaced: string[] = [];
  const notPrinted: string[] = [];
  const seen = new Set<string>();
  const out = doc.replace(BLOCK, (whole, id: string) => {
    seen.add(id);
    const text = printed.get(id);
    if (text === undefined) {
      notPrinted.push(id);
      return whole;
    }
    replaced.push(id);
    return `<!-- bench:${id} -->\n${text}<!-- /bench:${id} -->`;
  });
  const noPlace = [...printed.keys()].filter((id) => !seen.has(id));
  return { doc: out, replaced, notPrinted, noPlace };
}
