/** Writing per-cell results: CF NetCDF or GeoTIFF, atomically (a `tmp` name, then renamed). */
import { rename, rm } from "node:fs/promises";
import { encodeGeotiff } from "@geoml/geotiff";
import { type Attrs, DataArray, formatCFDatetime } from "@geoml/grid";
import { writeNetcdf } from "@geoml/netcdf";
import { BatchError } from "./errors.js";
import type { FitAlongResult } from "./fit-along.js";
import { atomicWrite } from "./parts.js";

/** Output formats, from the file name. */
export type OutputFormat = "netcdf" | "geotiff";

/**
 * The output format of `out` from its extension: `.nc` → NetCDF, `.tif`/`.tiff` → GeoTIFF.
 *
 * @throws BatchError `INVALID_ARGUMENT` for anything else
 */
export function outputFormat(out: string): OutputFormat {
  if (typeof out !== "string" || out === "") {
    throw new BatchError("INVALID_ARGUMENT", "an output path is needed");
  }
  if (/\.nc4?$/i.test(out)) return "netcdf";
  if (/\.tiff?$/i.test(out)) return "geotiff";
  throw new BatchError(
    "INVALID_ARGUMENT",
    "output must end in .nc (NetCDF) or .tif (GeoTIFF, coefficients only)",
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
 * Write per-cell results to `out` (format from the extension). NetCDF holds `coef` and
 * `se` `(term, …cells)`, `nobs`, `deviance` and `scale`, the grid coordinates with their
 * attributes, and `term` as a char array of the column labels. GeoTIFF holds `coef`, one
 * band per term, each described by its label.
 *
 * @throws BatchError / loader errors naming the file
 */
export async function writeFitOutput(
  out: string,
  res: FitAlongResult,
  attrs: Attrs = {},
): Promise<void> {
  const format = outputFormat(out);
  const terms = res.coef.coords.term.values as string[];
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
 * Write predictions to `out`: NetCDF (`prediction` on the input's grid with its time
 * coordinate) or GeoTIFF (dims `(time, y, x)`: one band per step, described by its date).
 */
export async function writePredictionOutput(
  out: string,
  prediction: DataArray,
  attrs: Attrs = {},
): Promise<void> {
  const format = outputFormat(out);
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
