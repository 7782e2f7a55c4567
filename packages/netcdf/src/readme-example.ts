import { areaWeights, computeStats, mean, sel } from "@geoml/grid";
import { corpusPath } from "./corpus.js";
import { openNetcdf, writeNetcdf } from "./index.js";

/** The README example, run by `readme.test.ts` so the documentation cannot go stale. */
export async function readmeExample(outPath: string) {
  // Opening reads the header only; nothing else is loaded.
  const ds = await openNetcdf(corpusPath("sst_packed.nc"));
  console.log(ds.format, ds.dims, ds.dataVariableNames);

  // One time step: only that hyperslab is read, then unpacked (int16 → °C, fill → NaN).
  const march = await ds.read("sst", { isel: { time: 2 } });
  const when = march.coords.time.times?.[0];

  // Statistics streamed over hyperslabs, memory bounded whatever the file size.
  const stats = await computeStats(ds.variable("sst"));

  // Tropical Pacific box by label, area-weighted mean.
  const box = sel(march, { lat: { from: -10, to: 10 }, lon: { from: 160, to: 280 } });
  const boxMean = mean(box, ["lat", "lon"], areaWeights(box));

  // Write a result back with CF attributes (readable by ncdump and xarray).
  const anomaly = march.withData(
    (march.data as Float64Array).map((v) => v - stats.mean),
    { name: "sst_anomaly", attrs: { units: "degC", long_name: "SST minus its overall mean" } },
  );
  await writeNetcdf(outPath, [anomaly], { attrs: { Conventions: "CF-1.8" } });
  await ds.close();

  return { march, when, stats, boxMean };
}

/** The NetCDF-4 README example (writing, reading back by path), run by `readme.test.ts`. */
export async function readmeExampleNetcdf4(outPath: string) {
  // NetCDF-4 output: int16-packed, chunked one step at a time, deflated, time unlimited.
  const src = await openNetcdf(corpusPath("sst_packed.nc"));
  const spring = await src.read("sst", { isel: { time: { start: 2, stop: 5 } } });
  await src.close();
  await writeNetcdf(outPath, [spring], {
    format: "netcdf4",
    unlimited: "time",
    deflate: 4,
    encoding: {
      sst: { chunks: [1, 91, 181], dtype: "int16", scale_factor: 0.001, add_offset: 15 },
    },
    attrs: { Conventions: "CF-1.8", title: "SST, March to May" },
  });

  // Read it back; variables are addressed by path ("/sst", or "grp1/sub/T" inside groups).
  const ds = await openNetcdf(outPath);
  const april = await ds.read("/sst", { isel: { time: 1 } });
  const chunks = ds.variable("sst").chunks;
  await ds.close();

  return { spring, april, chunks };
}
