/**
 * Writing results as a Zarr store, atomically: the whole store is written into a `tmp`
 * directory beside the output and renamed into place, so a reader (or a run killed while
 * writing) never leaves half a store at the output's name.
 */
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type Attrs, type DataArray, GridError } from "@geoml/grid";
import { writeZarr } from "@geoml/zarr";
import { BatchError } from "./errors.js";

/** Zarr format of an output store: 3 (default) or 2 (what xarray 2023 and zarr-python 2 read). */
export type ZarrFormat = 2 | 3;

/** The Zarr format from an option (default 3). */
export function zarrFormatOf(format: unknown): ZarrFormat {
  if (format === undefined) return 3;
  if (format === 2 || format === 3) return format;
  throw new BatchError("INVALID_ARGUMENT", `zarrFormat must be 2 or 3, got ${String(format)}`);
}

const ZARR_MARKERS = ["zarr.json", ".zgroup", ".zarray"];

/**
 * Check that `out` can become a Zarr store: nothing there yet, or a Zarr store (which the
 * finished run replaces). A file or a directory holding something else is refused, before
 * any work starts, so a run never deletes data that is not its own output.
 *
 * @throws BatchError `INVALID_ARGUMENT` naming `out`
 */
export async function checkZarrTarget(out: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await lstat(out)).isDirectory();
  } catch {
    return; // nothing there
  }
  const entries = isDir ? await readdir(out) : [];
  if (!isDir || (entries.length > 0 && !entries.some((e) => ZARR_MARKERS.includes(e)))) {
    throw new BatchError(
      "INVALID_ARGUMENT",
      `exists and is not a Zarr store; the output would replace it (remove it or choose another name)`,
      { file: out },
    );
  }
}

/** Text labels as a one-dimensional string array (see {@link writeZarrOutput}). */
export interface ZarrLabels {
  /** Variable (and dimension) name, e.g. `term`. */
  name: string;
  values: readonly string[];
  attrs?: Attrs;
}

/**
 * Write `arrays` (with their numeric coordinates) and optional text `labels` to the Zarr
 * store `out`, atomically. Labels are a coordinate xarray and zarrita read as strings: in
 * v2 a fixed-width unicode array (`<U{n}`, NumPy's `str`), in v3 the `string` data type
 * with the `vlen-utf8` codec. Same inputs, same bytes.
 *
 * @throws BatchError `IO_ERROR` naming `out`; Zarr writer errors pass through
 */
export async function writeZarrOutput(
  out: string,
  arrays: readonly DataArray[],
  options: { format: ZarrFormat; attrs: Attrs; labels?: ZarrLabels },
): Promise<void> {
  await checkZarrTarget(out);
  const tmp = `${out}.tmp-${process.pid}`;
  const old = `${out}.old-${process.pid}`;
  let replaced = false;
  try {
    await rm(tmp, { recursive: true, force: true });
    await writeZarr(tmp, arrays, { format: options.format, attrs: options.attrs });
    if (options.labels !== undefined) await addLabels(tmp, options.format, options.labels);
    // rename() cannot replace a non-empty directory: move the old store aside first.
    try {
      await rename(out, old);
      replaced = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    await rename(tmp, out);
    if (replaced) {
      replaced = false;
      await rm(old, { recursive: true, force: true });
    }
    await removeStale(out);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    // Failed between moving the earlier store aside and renaming the new one in: put it back.
    if (replaced) await rename(old, out).catch(() => undefined);
    if (error instanceof GridError) throw error; // Zarr writer errors name the store already
    throw new BatchError("IO_ERROR", `cannot write: ${(error as Error).message}`, { file: out });
  }
}

/**
 * Remove what runs killed while writing `out` left beside it: `<out>.tmp-<pid>` and
 * `<out>.old-<pid>` directories that hold a Zarr store.
 */
async function removeStale(out: string): Promise<void> {
  const parent = dirname(out);
  const prefix = `${basename(out)}.`;
  for (const e of await readdir(parent).catch(() => [] as string[])) {
    if (!e.startsWith(prefix) || !/^(tmp|old)-\d+$/.test(e.slice(prefix.length))) continue;
    const path = join(parent, e);
    const entries = await readdir(path).catch(() => [] as string[]);
    if (entries.some((x) => ZARR_MARKERS.includes(x)) || entries.length === 0) {
      await rm(path, { recursive: true, force: true });
    }
  }
}

/** Encode as JSON the way the Zarr writer does (two-space indent). */
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}`;

/** Add a string array to a closed store and to its consolidated metadata. */
async function addLabels(store: string, format: ZarrFormat, labels: ZarrLabels): Promise<void> {
  const { name, values } = labels;
  const attrs = { ...(labels.attrs ?? {}) };
  await mkdir(join(store, name), { recursive: true });
  if (format === 2) {
    // NumPy `<U{w}`: w UTF-32LE code units per label, zero-padded; one uncompressed chunk.
    const points = values.map((v) => Array.from(v, (c) => c.codePointAt(0) as number));
    const width = Math.max(1, ...points.map((p) => p.length));
    const bytes = Buffer.alloc(values.length * width * 4);
    points.forEach((p, i) => {
      p.forEach((c, k) => {
        bytes.writeUInt32LE(c, (i * width + k) * 4);
      });
    });
    const zarray = {
      zarr_format: 2,
      shape: [values.length],
      chunks: [Math.max(1, values.length)],
      dtype: `<U${width}`,
      compressor: null,
      fill_value: null,
      order: "C",
      filters: null,
      dimension_separator: ".",
    };
    const zattrs = { ...attrs, _ARRAY_DIMENSIONS: [name] };
    await writeFile(join(store, name, ".zarray"), json(zarray));
    await writeFile(join(store, name, ".zattrs"), json(zattrs));
    if (values.length > 0) await writeFile(join(store, name, "0"), bytes);
    const path = join(store, ".zmetadata");
    const meta = JSON.parse(await readFile(path, "utf8"));
    meta.metadata = {
      ...meta.metadata,
      [`${name}/.zarray`]: zarray,
      [`${name}/.zattrs`]: zattrs,
    };
    await writeFile(path, json(meta));
    return;
  }
  // v3 `vlen-utf8`: a uint32 count, then each label as a uint32 byte length and its UTF-8.
  const encoded = values.map((v) => Buffer.from(v, "utf8"));
  const chunk = Buffer.alloc(4 + encoded.reduce((n, b) => n + 4 + b.length, 0));
  chunk.writeUInt32LE(values.length, 0);
  let at = 4;
  for (const b of encoded) {
    chunk.writeUInt32LE(b.length, at);
    b.copy(chunk, at + 4);
    at += 4 + b.length;
  }
  const meta = {
    zarr_format: 3,
    node_type: "array",
    shape: [values.length],
    data_type: "string",
    chunk_grid: { name: "regular", configuration: { chunk_shape: [Math.max(1, values.length)] } },
    chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
    fill_value: "",
    codecs: [{ name: "vlen-utf8", configuration: {} }],
    attributes: attrs,
    dimension_names: [name],
  };
  await writeFile(join(store, name, "zarr.json"), json(meta));
  if (values.length > 0) {
    await mkdir(join(store, name, "c"), { recursive: true });
    await writeFile(join(store, name, "c", "0"), chunk);
  }
  const path = join(store, "zarr.json");
  const root = JSON.parse(await readFile(path, "utf8"));
  if (root.consolidated_metadata !== undefined) {
    root.consolidated_metadata.metadata = { ...root.consolidated_metadata.metadata, [name]: meta };
  }
  await writeFile(path, json(root));
}
