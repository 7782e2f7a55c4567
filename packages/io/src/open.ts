import { open as openFile, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { isTiffMagic, openGeotiff } from "@geoml/geotiff";
import { Dataset } from "@geoml/grid";
import { detectNetcdf, openNetcdf } from "@geoml/netcdf";
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
  // Zarr (a directory with `zarr.json`, `.zgroup` or `.zarray`) goes here once its loader exists.
];

/**
 * Open a gridded file by what its bytes say, not its name: TIFF/BigTIFF magic → GeoTIFF
 * (bands become variables `band1`, `band2`, …), `CDF` or the HDF5 signature → NetCDF.
 * Only metadata is read; `ds.read(name, { isel })` reads values.
 *
 * @param pathOrUrl - a local path or a `file:` URL
 * @throws IoError `IO_ERROR` when unreadable, `UNKNOWN_FORMAT` for anything else (including
 *   `http(s):` URLs, which no loader reads yet); loader errors pass through
 */
export async function open(pathOrUrl: string | URL): Promise<Dataset> {
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
    `not a ${FORMATS.map((f) => f.name).join(" or ")} file (no matching signature)`,
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
