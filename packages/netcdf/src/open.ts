import { open as openFile } from "node:fs/promises";
import { NetcdfDataset } from "./dataset.js";
import { NetcdfError } from "./errors.js";
import { openNetcdf3 } from "./nc3/reader.js";
import { type Netcdf4Options, openNetcdf4 } from "./nc4/reader.js";
import { type NetcdfInput, openNetcdfFrom } from "./remote.js";

/** NetCDF flavour, from the file's magic bytes. */
export type NetcdfKind = "netcdf3" | "netcdf4" | "unknown";

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Identify a file by its magic bytes: `CDF\x01|\x02|\x05` is NetCDF-3, the HDF5
 * signature (at 0, 512, 1024, … as HDF5 allows a user block) is NetCDF-4.
 *
 * @throws NetcdfError `IO_ERROR` when the file cannot be read
 */
export async function detectNetcdf(path: string): Promise<NetcdfKind> {
  let fh: Awaited<ReturnType<typeof openFile>>;
  try {
    fh = await openFile(path, "r");
  } catch (e) {
    throw new NetcdfError("IO_ERROR", `cannot open: ${(e as Error).message}`, { file: path });
  }
  try {
    const size = (await fh.stat()).size;
    const head = new Uint8Array(8);
    await fh.read(head, 0, Math.min(8, size), 0);
    if (head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46 && [1, 2, 5].includes(head[3])) {
      return "netcdf3";
    }
    for (let at = 0; at + 8 <= size && at <= 1 << 20; at = at === 0 ? 512 : at * 2) {
      await fh.read(head, 0, 8, at);
      if (HDF5_MAGIC.every((b, i) => head[i] === b)) return "netcdf4";
    }
    return "unknown";
  } finally {
    await fh.close();
  }
}

/**
 * Open a NetCDF file of any kind — NetCDF-3 classic, 64-bit offset, CDF-5, or NetCDF-4/HDF5
 * — as a lazy {@link NetcdfDataset}: only metadata is read now; `ds.read(name, { isel })` reads a
 * variable or hyperslab and CF-decodes it. A NetCDF-4 file lists the variables of every group,
 * named by path (`"grp1/sub/T"`; `ds.read("/grp1/sub/T")` works too); `{ group }` opens one
 * group as the root instead. Close it with `ds.close()`.
 * NetCDF-3 also opens from an `http(s)://` URL (range requests), bytes or a `Blob` (see
 * {@link openNetcdfFrom}).
 *
 * @example
 * ```ts
 * const ds = await openNetcdf("sst.nc");
 * const january = await ds.read("sst", { isel: { time: 0 } });
 * await ds.close();
 * ```
 * @throws NetcdfError `BAD_MAGIC` for anything else, `TRUNCATED`, `CORRUPT_HEADER`, `IO_ERROR`
 */
export async function openNetcdf(
  path: NetcdfInput,
  options: Netcdf4Options = {},
): Promise<NetcdfDataset> {
  // URLs, bytes and Blobs go through positioned reads instead of the file system.
  if (typeof path !== "string" || /^https?:\/\//i.test(path)) return openNetcdfFrom(path);
  const kind = await detectNetcdf(path);
  if (kind === "netcdf3") return new NetcdfDataset(await openNetcdf3(path));
  if (kind === "netcdf4") {
    const group = options.group ?? "/";
    return new NetcdfDataset(
      await openNetcdf4(path, options),
      group.startsWith("/") ? group : `/${group}`,
    );
  }
  throw new NetcdfError("BAD_MAGIC", "not a NetCDF file (neither 'CDF' nor HDF5 signature)", {
    file: path,
  });
}
