import { open, stat } from "node:fs/promises";
import { isTiffMagic, openGeotiff } from "@geoml/geotiff";
import { Dataset } from "@geoml/grid";
import { detectNetcdf, openNetcdf } from "@geoml/netcdf";
import { openZarr } from "@geoml/zarr";
import { CliError } from "./errors.js";

/**
 * Open a gridded file by what its bytes say, not its name: TIFF/BigTIFF magic → GeoTIFF
 * (bands become variables `band1`, `band2`, …), `CDF` or the HDF5 signature → NetCDF; a
 * directory is opened as a Zarr (v2 or v3) store. An `http(s)://` URL is read with range
 * requests (COG, NetCDF-3, or a Zarr store with consolidated metadata).
 *
 * @throws CliError `IO_ERROR` when unreadable, `UNKNOWN_FORMAT` for anything else; loader errors pass through
 */
export async function openAny(path: string): Promise<Dataset> {
  if (/^https?:\/\//i.test(path)) return openUrl(path);
  // A Zarr store is a directory of metadata and chunk files, not a file with magic bytes.
  if ((await stat(path).catch(() => undefined))?.isDirectory()) return openZarr(path);
  const head = new Uint8Array(8);
  try {
    const fh = await open(path, "r");
    try {
      await fh.read(head, 0, 8, 0);
    } finally {
      await fh.close();
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CliError("IO_ERROR", `cannot open: ${detail}`, { file: path });
  }
  if (isTiffMagic(head)) return new Dataset(await openGeotiff(path));
  if ((await detectNetcdf(path)) !== "unknown") return openNetcdf(path);
  throw new CliError(
    "UNKNOWN_FORMAT",
    "not a GeoTIFF or NetCDF file (no TIFF, CDF or HDF5 signature)",
    { file: path },
  );
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
    throw new CliError("IO_ERROR", `cannot fetch: ${detail}`, { file: url });
  }
  if (head.length >= 8 && isTiffMagic(head)) return new Dataset(await openGeotiff(url));
  const cdf = head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46;
  if (cdf || head[0] === 0x89) return openNetcdf(url);
  return openZarr(url);
}
