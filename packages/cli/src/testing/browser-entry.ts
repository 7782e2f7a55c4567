// Bundled for the browser by browser.test.ts: opens NetCDF-3, GeoTIFF and Zarr from a URL,
// from bytes and from a Blob with the packages' browser builds, and reports what it read.

import { openGeotiff } from "@geoml/geotiff";
import { type Dataset, Dataset as GridDataset, type IndexRange, mean } from "@geoml/grid";
import { openNetcdf } from "@geoml/netcdf";
import { MemoryStore, openZarr } from "@geoml/zarr";

interface Summary {
  count: number;
  sum: number;
  mean: number;
  shape: number[];
}

async function summarise(
  ds: Dataset,
  name: string,
  isel: Record<string, number | IndexRange>,
): Promise<Summary> {
  const a = await ds.read(name, { isel });
  let count = 0;
  let sum = 0;
  const data = a.data as ArrayLike<number>;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isNaN(v)) {
      count++;
      sum += v;
    }
  }
  return { count, sum, mean: mean(a, [...a.dims]).get(), shape: [...a.shape] };
}

async function run(base: string): Promise<Record<string, Summary | string>> {
  const out: Record<string, Summary | string> = {};
  const nc = `${base}/datasets/netcdf/hgt.nc`;
  const ncBytes = new Uint8Array(await (await fetch(nc)).arrayBuffer());
  const ncSel = { time: 5 };
  out.netcdfUrl = await summarise(await openNetcdf(nc), "HGT", ncSel);
  out.netcdfBytes = await summarise(await openNetcdf(ncBytes), "HGT", ncSel);
  out.netcdfBlob = await summarise(await openNetcdf(new Blob([ncBytes])), "HGT", ncSel);

  const tif = `${base}/datasets/geotiff/sst_f32_deflate_pred3_tiled.tif`;
  const tifBytes = new Uint8Array(await (await fetch(tif)).arrayBuffer());
  const tifSel = { y: { start: 10, stop: 60 }, x: { start: 20, stop: 150 } };
  out.geotiffUrl = await summarise(new GridDataset(await openGeotiff(tif)), "band1", tifSel);
  out.geotiffBytes = await summarise(new GridDataset(await openGeotiff(tifBytes)), "band1", tifSel);
  out.geotiffBlob = await summarise(
    new GridDataset(await openGeotiff(new Blob([tifBytes]))),
    "band1",
    tifSel,
  );
  const zstd = `${base}/datasets/geotiff/sst_f32_zstd.tif`;
  out.geotiffZstd = await summarise(new GridDataset(await openGeotiff(zstd)), "band1", {});

  for (const store of ["xr_packed_blosc.zarr", "xr_packed_zlib.zarr"]) {
    out[`zarrUrl:${store}`] = await summarise(await openZarr(`${base}/zarr/${store}`), "sst", {
      time: 2,
    });
  }
  // A store from bytes: every key fetched into memory.
  const keys = [
    "zarr.json",
    "sharded/zarr.json",
    "sharded/c/0/0",
    "temp/zarr.json",
    "counts/zarr.json",
  ];
  const entries: Array<[string, Uint8Array]> = [];
  for (const k of keys) {
    entries.push([
      k,
      new Uint8Array(await (await fetch(`${base}/zarr/v3_hand.zarr/${k}`)).arrayBuffer()),
    ]);
  }
  out.zarrMemory = await summarise(await openZarr(new MemoryStore(entries)), "sharded", {});
  // A zipped store, as a Blob (e.g. a file the user picked).
  const zip = await (await fetch(`${base}/zarr/xr_packed_blosc_deflate.zip`)).blob();
  out.zarrZipBlob = await summarise(await openZarr(zip), "sst", { time: 2 });
  out.userAgent = (
    globalThis as unknown as { navigator: { userAgent: string } }
  ).navigator.userAgent;
  return out;
}

(globalThis as unknown as { geomlRun: typeof run }).geomlRun = run;
