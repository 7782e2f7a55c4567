import { open, stat } from "node:fs/promises";
import { isTiffMagic, openGeotiff } from "@geoml/geotiff";
import { Dataset } from "@geoml/grid";
import { detectNetcdf, openNetcdf } from "@geoml/netcdf";
import { openZarr } from "@geoml/zarr";
import { CliError } from "./errors.js";

/**
 * Open a gridded file by what its bytes say, not its name: TIFF/BigTIFF magic → GeoTIFF
 * (bands become variables `band1`, `band2`, …), `CDF` or the HDF5 signature → NetCDF; a
 * directory is opened as a Zarr (v2 or v3) store.
 *
 * @throws CliError `IO_ERROR` when unreadable, `UNKNOWN_FORMAT` for anything else; loader errors pass through
 */
export async function openAny(path: string): Promise<Dataset> {
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
