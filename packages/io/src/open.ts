import { open as openFile, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { isTiffMagic, openGeotiff } from "@geoml/geotiff";
import { Dataset } from "@geoml/grid";
import { detectNetcdf, openNetcdf } from "@geoml/netcdf";
import { openZarr } from "@geoml/zarr";
import { IoError } from "./errors.js";

/**
 * One format `open` knows: how to recognise it from a path (and its first bytes), and how
 * to open it. The table is tried in order; a new loader (Zarr stores, which are
 * directories, are next) adds one entry here and nothing else changes.
 */
export interface FormatEntry {
  /** Short name, for messages. */
  readonly name: string;
  /** True when `path` holds this format; `head` is its first 8 bytes (empty for a directory). */
  detect(path: string, head: Uint8Array, isDirectory: boolean): Promise<boolean>;
  /** Open it as a lazy dataset. */
  open(path: string): Promise<Dataset>;
}

/** The formats `open` tries, in order. */
export const FORMATS: readonly FormatEntry[] = [
  {
    name: "GeoTIFF",
    detect: async (_path, head, isDir) => !isDir && isTiffMagic(head),
    open: async (path) => new Dataset(await openGeotiff(path)),
  },
  {
    name: "NetCDF",
    detect: async (path, _head, isDir) => !isDir && (await detectNetcdf(path)) !== "unknown",
    open: (path) => openNetcdf(path),
  },
  {
    // A Zarr store is a directory of metadata and chunk files, not a file with magic bytes.
    name: "Zarr",
    detect: async (_path, _head, isDir) => isDir,
    open: (path) => openZarr(path),
  },
];

/**
 * Open a gridded file by what its bytes say, not its name: TIFF/BigTIFF magic → GeoTIFF
 * (bands become variables `band1`, `band2`, …), `CDF` or the HDF5 signature → NetCDF; a
 * directory is opened as a Zarr (v2 or v3) store. An `http(s)://` URL is read with range
 * requests (COG, NetCDF-3, or a Zarr store with consolidated metadata). Only metadata is
 * read; `ds.read(name, { isel })` reads values.
 *
 * @param pathOrUrl - a local path, a `file:` URL or an `http(s):` URL
 * @throws IoError `IO_ERROR` when unreadable, `UNKNOWN_FORMAT` for anything else; loader
 *   errors pass through
 */
export async function open(pathOrUrl: string | URL): Promise<Dataset> {
  const text = pathOrUrl instanceof URL ? pathOrUrl.href : pathOrUrl;
  if (typeof text === "string" && /^https?:\/\//i.test(text)) return openUrl(text);
  const path = toPath(pathOrUrl);
  let isDirectory = false;
  const head = new Uint8Array(8);
  try {
    isDirectory = (await stat(path)).isDirectory();
    if (!isDirectory) {
      const fh = await openFile(path, "r");
      try {
        await fh.read(head, 0, 8, 0);
      } finally {
        await fh.close();
      }
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new IoError("IO_ERROR", `cannot open: ${detail}`, { file: path });
  }
  for (const f of FORMATS) {
    if (await f.detect(path, isDirectory ? new Uint8Array(0) : head, isDirectory)) {
      return f.open(path);
    }
  }
  throw new IoError(
    "UNKNOWN_FORMAT",
    `not a ${FORMATS.slice(0, -1)
      .map((f) => f.name)
      .join(", ")} or ${FORMATS.at(-1)!.name} file (no matching signature)`,
    { file: path },
  );
}

function toPath(pathOrUrl: string | URL): string {
  if (pathOrUrl instanceof URL || /^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl)) {
    const url = pathOrUrl instanceof URL ? pathOrUrl : new URL(pathOrUrl);
    if (url.protocol !== "file:") {
      throw new IoError("UNKNOWN_FORMAT", `cannot open ${url.protocol} URLs: local files only`, {
        file: url.href,
      });
    }
    return fileURLToPath(url);
  }
  if (typeof pathOrUrl !== "string" || pathOrUrl === "") {
    throw new IoError("INVALID_ARGUMENT", `expected a path or URL, got ${String(pathOrUrl)}`);
  }
  return pathOrUrl;
}

// Over HTTP: the first bytes (one range request) say TIFF or NetCDF; anything else is tried
// as a Zarr store, whose metadata lives under the URL rather than at it.
async function openUrl(url: string): Promise<Dataset> {
  let head = new Uint8Array(0);
  try {
    const res = await fetch(url, { headers: { Range: "bytes=0-7" } });
    if (res.ok) head = new Uint8Array(await res.arrayBuffer()).subarray(0, 8);
    else await res.body?.cancel();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new IoError("IO_ERROR", `cannot fetch: ${detail}`, { file: url });
  }
  if (head.length >= 8 && isTiffMagic(head)) return new Dataset(await openGeotiff(url));
  const cdf = head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46;
  if (cdf || head[0] === 0x89) return openNetcdf(url);
  return openZarr(url);
}
