import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { areaWeights, DataArray, reduce } from "@geoml/grid";
import { openNetcdf } from "@geoml/netcdf";
import { readGrid } from "@geoml/regrid";
import { beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "./__fixtures__/png-decode.js";
import { lineSvg, type MapProjection, mapSvg, renderMap, timeSeriesSvg } from "./index.js";
import { svgToPixels, svgToPng } from "./png.js";

const DATA = new URL("../../../datasets/netcdf/", import.meta.url);
const REFS = new URL("./__fixtures__/", import.meta.url);

// Each plot kind is rendered to PNG and compared with a committed reference image: at most
// 1 % of pixels may differ by more than 10/255 in any channel. After an intended change,
// regenerate with UPDATE_PLOT_REFERENCES=1 and look at the new images in review.
function compareWithReference(name: string, svg: string): void {
  const file = new URL(`ref-${name}.png`, REFS);
  if (process.env.UPDATE_PLOT_REFERENCES === "1" || !existsSync(file)) {
    writeFileSync(file, svgToPng(svg));
    if (process.env.UPDATE_PLOT_REFERENCES !== "1")
      throw new Error(`wrote missing reference ${file.pathname}`);
  }
  const ref = decodePng(readFileSync(file));
  const now = svgToPixels(svg);
  expect([now.width, now.height]).toEqual([ref.width, ref.height]);
  let differing = 0;
  for (let i = 0; i < now.pixels.length; i += 4) {
    let d = 0;
    for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(now.pixels[i + c] - ref.pixels[i + c]));
    if (d > 10) differing++;
  }
  expect(differing / (now.width * now.height)).toBeLessThanOrEqual(0.01);
}

let sst: DataArray;
let sstSeries: DataArray;
let tos: DataArray;
beforeAll(async () => {
  const ds = await openNetcdf(new URL("sstdata_netcdf.nc", DATA).pathname);
  sst = (await readGrid(ds, "sst", { isel: { time: 6 } })).data;
  const all = (await readGrid(ds, "sst")).data;
  sstSeries = reduce(all, ["latitude", "longitude"], "mean", { weights: areaWeights(all) });
  await ds.close();
  const ds2 = await openNetcdf(new URL("tos_bipolar_nc4.nc", DATA).pathname);
  tos = (await readGrid(ds2, "tos", { isel: { time: 0 } })).data;
  await ds2.close();
});

describe("plots match their reference images", () => {
  it("map, plate carrée, rectilinear grid", () => {
    compareWithReference(
      "map-platecarree",
      mapSvg(sst, { width: 480, title: "STR SST climatology, July" }),
    );
  });
  it("map, Robinson, curvilinear grid with land missing", () => {
    compareWithReference(
      "map-robinson-curvilinear",
      mapSvg(tos, { projection: "robinson", width: 480 }),
    );
  });
  it("map, south polar stereographic, diverging colour map centred on zero", () => {
    const anomaly = tos.withData(
      tos.toFloat64().map((v) => v - 285),
      {
        attrs: { long_name: "SST minus 285 K", units: "K" },
      },
    );
    compareWithReference(
      "map-south-polar",
      mapSvg(anomaly, { projection: "south-polar", width: 480, center: 0 }),
    );
  });
  it("line plot of a time series with a band", () => {
    const y = sstSeries.toFloat64();
    const svg = timeSeriesSvg(sstSeries, {
      width: 480,
      height: 300,
      title: "Global mean SST (area-weighted)",
      band: {
        lower: sstSeries.withData(y.map((v) => v - 0.3)),
        upper: sstSeries.withData(y.map((v) => v + 0.3)),
      },
      label: "mean ± 0.3",
    });
    compareWithReference("line", svg);
  });
});

describe("coastlines are where the projection puts the coast", () => {
  const empty = () =>
    new DataArray({
      name: "empty",
      dims: ["lat", "lon"],
      shape: [18, 36],
      data: new Float64Array(18 * 36).fill(Number.NaN),
      coords: {
        lat: {
          dims: ["lat"],
          values: Float64Array.from({ length: 18 }, (_, j) => -85 + 10 * j),
          attrs: { units: "degrees_north" },
        },
        lon: {
          dims: ["lon"],
          values: Float64Array.from({ length: 36 }, (_, i) => 5 + 10 * i),
          attrs: { units: "degrees_east" },
        },
      },
    });
  const points: Array<[string, number, number]> = [
    ["Gibraltar (Europa Point)", -5.345, 36.11],
    ["Cape Horn", -67.27, -55.98],
    ["Cape of Good Hope", 18.474, -34.357],
  ];
  for (const projection of ["platecarree", "robinson", "south-polar"] as MapProjection[]) {
    it(projection, () => {
      const map = renderMap(empty(), {
        projection,
        width: 800,
        boundingLat: projection === "south-polar" ? -30 : undefined,
      });
      const img = svgToPixels(map.svg);
      const darkest = (x: number, y: number, r: number) => {
        let min = 255;
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const px = Math.round(x + dx);
            const py = Math.round(y + dy);
            const i = 4 * (py * img.width + px);
            min = Math.min(
              min,
              0.299 * img.pixels[i] + 0.587 * img.pixels[i + 1] + 0.114 * img.pixels[i + 2],
            );
          }
        }
        return min;
      };
      let checked = 0;
      for (const [name, lon, lat] of points) {
        const p = map.project(lon, lat);
        if (p === undefined) continue; // not on this map (Gibraltar on a south polar map)
        checked++;
        // A coastline pixel (drawn in near-black) within 2 px of the projected cape.
        expect(darkest(p[0], p[1], 2), name).toBeLessThan(110);
      }
      expect(checked).toBeGreaterThanOrEqual(2);
      // Open ocean far from any coast or grid line has none.
      const sea = map.project(-140, -15);
      if (sea) expect(darkest(sea[0], sea[1], 2)).toBeGreaterThan(150);
    });
  }
});

describe("options and errors", () => {
  it("titles, units and sizes come from attributes and options", () => {
    const svg = mapSvg(tos, { width: 400 });
    expect(svg).toContain(">Sea Surface Temperature</text>");
    expect(svg).toContain(">K</text>");
    expect(svg).toContain(">no data</text>");
    expect(svg).toMatch(/^<svg[^>]* width="400"/);
  });

  it("a logarithmic y axis labels powers of ten and skips values ≤ 0", () => {
    const svg = lineSvg(
      { x: [1, 2, 3, 4, 5], y: [100, 10, 0, 1, 0.1], label: "loss" },
      { logY: true, xlabel: "epoch" },
    );
    for (const label of [">100<", ">10<", ">1<", ">0.1<"]) expect(svg).toContain(label);
    // 0 has no logarithm: the line breaks into two pieces there.
    expect(svg.match(/<polyline /g)?.length).toBe(2);
  });

  it("rejects what it cannot draw, naming it", () => {
    expect(() => mapSvg(tos, { projection: "mercator" as never })).toThrow(
      /projection must be one of/,
    );
    expect(() => mapSvg(tos, { width: 100 })).toThrow(/width must be 400–8000/);
    expect(() => mapSvg(tos, { cmap: "jet" })).toThrow(/unknown colour map 'jet'/);
    const threeD = new DataArray({
      name: "x",
      dims: ["t", "lat", "lon"],
      shape: [1, 1, 1],
      data: new Float64Array(1),
    });
    expect(() => mapSvg(threeD)).toThrow(/variable 'x': a map needs a 2-D field.*isel/);
    expect(() => lineSvg({ x: [1, 2], y: [1] })).toThrow(/2 x values but 1 y values/);
    expect(() => lineSvg({ x: [1], y: [Number.NaN] })).toThrow(/no finite points/);
  });
});
