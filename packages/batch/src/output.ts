/** Writing per-cell results: CF NetCDF, Zarr or GeoTIFF, atomically (a `tmp` name, then renamed). */
import { rename, rm } from "node:fs/promises";
import { encodeGeotiff } from "@geoml/geotiff";
import { type Attrs, DataArray, formatCFDatetime } from "@geoml/grid";
import { writeNetcdf } from "@geoml/netcdf";
import { BatchError } from "./errors.js";
import type { FitAlongResult } from "./fit-along.js";
import { atomicWrite } from "./parts.js";
import { writeZarrOutput, type ZarrFormat, zarrFormatOf } from "./zarr-output.js";

/** Output formats, from the file name. */
export type OutputFormat = "netcdf" | "zarr" | "geotiff";

/** How an output is written. */
export interface OutputOptions {
  /** Zarr format of a `.zarr` output: 3 (default) or 2 (what xarray 2023 and zarr-python 2 read). */
  zarrFormat?: ZarrFormat;
}

/**
 * The output format of `out` from its extension: `.nc` → NetCDF, `.zarr` → a Zarr store
 * (a directory), `.tif`/`.tiff` → GeoTIFF.
 *
 * @throws BatchError `INVALID_ARGUMENT` for anything else
 */
export function outputFormat(out: string): OutputFormat {
  if (typeof out !== "string" || out === "") {
    throw new BatchError("INVALID_ARGUMENT", "an output path is needed");
  }
  if (/\.nc4?$/i.test(out)) return "netcdf";
  if (/\.zarr$/i.test(out)) return "zarr";
  if (/\.tiff?$/i.test(out)) return "geotiff";
  throw new BatchError(
    "INVALID_ARGUMENT",
    "output must end in .nc (NetCDF), .zarr (Zarr store) or .tif (GeoTIFF)",
    { file: out },
  );
}

/** Text labels as a NetCDF char array `(n, nchar)` that xarray decodes back to strings. */
function charArray(name: string, dim: string, labels: readonly string[]): DataArray {
  const bytes = labels.map((l) => Buffer.from(l, "utf8"));
  const width = Math.max(1, ...bytes.map((b) => b.length));
  const data = new Uint8Array(labels.length * width);
  bytes.forEach((b, i) => {
    data.set(b, i * width);
  });
  return new DataArray({
    name,
    dims: [dim, `${name}_nchar`],
    shape: [labels.length, width],
    data,
    attrs: { long_name: "model term", _Encoding: "utf-8" },
  });
}

function withoutTerm(a: DataArray): DataArray {
  const coords = { ...a.coords };
  delete coords.term;
  return new DataArray({
    name: a.name,
    dims: [...a.dims],
    shape: [...a.shape],
    data: a.data,
    coords,
    attrs: a.attrs,
  });
}

/**
 * Write per-cell results to `out` (format from the extension). NetCDF and Zarr hold `coef`
 * and `se` `(term, …cells)`, `nobs`, `deviance` and `scale`, the grid coordinates with their
 * attributes, and `term` holding the column labels (NetCDF: a char array; Zarr v2: a
 * fixed-width unicode array; Zarr v3: the `string` data type), which xarray reads as
 * strings. GeoTIFF holds `coef`, one band per term, each described by its label.
 *
 * @throws BatchError / loader errors naming the file
 */
export async function writeFitOutput(
  out: string,
  res: FitAlongResult,
  attrs: Attrs = {},
  options: OutputOptions = {},
): Promise<void> {
  const format = outputFormat(out);
  const zarrFormat = zarrFormatOf(options.zarrFormat);
  const terms = res.coef.coords.term.values as string[];
  if (format === "zarr") {
    await writeZarrOutput(
      out,
      [withoutTerm(res.coef), withoutTerm(res.se), res.nobs, res.deviance, res.scale],
      {
        format: zarrFormat,
        attrs: { Conventions: "CF-1.8", ...attrs },
        labels: { name: "term", values: terms, attrs: { long_name: "model term" } },
      },
    );
    return;
  }
  if (format === "geotiff") {
    if (res.coef.ndim !== 3) {
      throw new BatchError(
        "INVALID_ARGUMENT",
        `a GeoTIFF needs two grid dims, the results have (${res.coef.dims.slice(1).join(", ")})`,
        { file: out },
      );
    }
    const bytes = await encodeGeotiff(withoutTerm(res.coef), { bandDescriptions: terms }, out);
    await atomicWrite(out, bytes);
    return;
  }
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await writeNetcdf(
      tmp,
      [
        charArray("term", "term", terms),
        withoutTerm(res.coef),
        withoutTerm(res.se),
        res.nobs,
        res.deviance,
        res.scale,
      ],
      {
        attrs: { Conventions: "CF-1.8", ...attrs },
        encoding: { term: { dtype: "char" } },
        format: "64bit-offset",
      },
    );
    await rename(tmp, out);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Write predictions to `out`: NetCDF or Zarr (`prediction` on the input's grid with its CF
 * time coordinate) or GeoTIFF (dims `(time, y, x)`: one band per step, described by its date).
 */
export async function writePredictionOutput(
  out: string,
  prediction: DataArray,
  attrs: Attrs = {},
  options: OutputOptions = {},
): Promise<void> {
  const format = outputFormat(out);
  const zarrFormat = zarrFormatOf(options.zarrFormat);
  if (format === "zarr") {
    await writeZarrOutput(out, [prediction], {
      format: zarrFormat,
      attrs: { Conventions: "CF-1.8", ...attrs },
    });
    return;
  }
  if (format === "geotiff") {
    const along = prediction.dims[0];
    const times = prediction.coord(along)?.times;
    if (prediction.ndim !== 3 || times === undefined) {
      throw new BatchError(
        "INVALID_ARGUMENT",
        `a GeoTIFF of predictions needs dims (time, y, x), not (${prediction.dims.join(", ")})`,
        { file: out },
      );
    }
    const coords = { ...prediction.coords };
    delete coords[along];
    const bands = new DataArray({
      name: prediction.name,
      dims: [...prediction.dims],
      shape: [...prediction.shape],
      data: prediction.data,
      coords,
      attrs: prediction.attrs,
    });
    const descriptions = times.map((t) => formatCFDatetime(t));
    await atomicWrite(out, await encodeGeotiff(bands, { bandDescriptions: descriptions }, out));
    return;
  }
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await writeNetcdf(tmp, [prediction], {
      attrs: { Conventions: "CF-1.8", ...attrs },
      format: "64bit-offset",
    });
    await rename(tmp, out);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
