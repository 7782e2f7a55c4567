import { DataArray } from "@geoml/grid";
import { lineSvg, mapSvg } from "./index.js";

/** The README example, run by `readme.test.ts` so the documentation cannot go stale. */
export function readmeExample() {
  // A 5° field with a missing patch, its long_name and units drawn from the attributes.
  const lat = Float64Array.from({ length: 36 }, (_, j) => -87.5 + 5 * j);
  const lon = Float64Array.from({ length: 72 }, (_, i) => 2.5 + 5 * i);
  const data = Float64Array.from({ length: 36 * 72 }, (_, k) => {
    const la = lat[Math.floor(k / 72)];
    const lo = lon[k % 72];
    return lo > 100 && lo < 140 && Math.abs(la) < 20
      ? Number.NaN
      : 30 * Math.cos((la * Math.PI) / 180) - 2;
  });
  const sst = new DataArray({
    name: "sst",
    dims: ["lat", "lon"],
    shape: [36, 72],
    data,
    coords: {
      lat: { dims: ["lat"], values: lat, attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: lon, attrs: { units: "degrees_east" } },
    },
    attrs: { long_name: "Sea surface temperature", units: "°C" },
  });

  // SVG anywhere (browser or Node); in Node, svgToPng from "@geoml/plot/png" makes a PNG.
  const map = mapSvg(sst, { projection: "robinson" });
  const anomalies = mapSvg(sst, { projection: "north-polar", center: 10 });

  // A time series with a shaded band (e.g. a trend and its confidence interval).
  const years = [2000, 2001, 2002, 2003, 2004];
  const trend = lineSvg(
    {
      x: years,
      y: [14.1, 14.2, 14.2, 14.4, 14.5],
      band: { lower: [14.0, 14.1, 14.1, 14.3, 14.3], upper: [14.2, 14.3, 14.3, 14.5, 14.7] },
      label: "global mean",
    },
    { title: "Global mean temperature", ylabel: "°C" },
  );

  return { map, anomalies, trend };
}
