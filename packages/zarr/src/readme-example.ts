import { mean } from "@geoml/grid";
import { createZarr, openZarr, writeZarr } from "./index.js";
import { fixturePath } from "./testing.js";

/** The README example, run by `readme.test.ts` so the documentation cannot go stale. */
export async function readmeExample(outDir: string) {
  // Opening reads the (consolidated) metadata only.
  const ds = await openZarr(fixturePath("xr_packed_blosc.zarr"));
  console.log(ds.format, ds.dims, ds.dataVariableNames);

  // One time step: only the chunks it touches are read, then unpacked (int16 → °C, fill → NaN).
  const day3 = await ds.read("sst", { isel: { time: 2 } });
  const dayMean = mean(day3, ["lat", "lon"]);
  console.log("mean SST on day 3:", dayMean.get());

  // Write a result as Zarr v2 (what xarray and zarr-python 2 read), as int8 (missing → a fill value).
  const warm = day3.withData(
    (day3.data as Float64Array).map((v) => (Number.isNaN(v) ? v : v > 24 ? 1 : 0)),
    { name: "warm", attrs: { long_name: "SST above 24 degC" } },
  );
  await writeZarr(`${outDir}/warm.zarr`, [warm], {
    format: 2,
    encoding: { warm: { dtype: "int8" } },
  });

  // Or write tile by tile, as a batch job does (v3, chunk-aligned regions, consolidated on close).
  const w = await createZarr(`${outDir}/tiles.zarr`);
  await w.defineVariable("score", {
    dims: ["y", "x"],
    shape: [4, 6],
    dtype: "float32",
    chunks: [2, 3],
  });
  await w.write("score", new Float32Array(6).fill(0.5), [2, 3]); // the 2×3 tile at y=2, x=3
  await w.close();
  const tiles = await openZarr(`${outDir}/tiles.zarr`);
  const score = await tiles.read("score"); // never-written tiles read as NaN

  await ds.close();
  return { day3, dayMean, score };
}
