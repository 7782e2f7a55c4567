import { expect, it } from "vitest";
import { concatSources, DataArray, Dataset, isGridError } from "./index.js";

const piece = (t0: number, nt: number, file: string, lat = [10, 20]) =>
  Object.assign(
    Dataset.fromDataArrays([
      new DataArray({
        name: "v",
        dims: ["time", "lat"],
        shape: [nt, lat.length],
        data: Float64Array.from({ length: nt * lat.length }, (_, i) => t0 * 10 + i),
        coords: {
          time: {
            dims: ["time"],
            values: Float64Array.from({ length: nt }, (_, i) => t0 + i),
            attrs: {},
          },
          lat: { dims: ["lat"], values: Float64Array.from(lat), attrs: {} },
        },
      }),
    ]).source,
    { path: file },
  );

it("joins sources lazily along a dimension, reading across the seams", async () => {
  const ds = new Dataset(concatSources([piece(0, 2, "a"), piece(2, 3, "b")], "time"));
  expect(ds.dims).toEqual({ time: 5, lat: 2 });
  const all = await ds.read("v");
  expect([...all.data]).toEqual([0, 1, 2, 3, 20, 21, 22, 23, 24, 25]);
  const mid = await ds.read("v", { isel: { time: { start: 1, stop: 4 }, lat: 1 } });
  expect([...mid.data]).toEqual([3, 21, 23]);
  expect([...(mid.coords.time.values as Float64Array)]).toEqual([1, 2, 3]);
  expect([...(await ds.variable("lat").read())]).toEqual([10, 20]);
});

it("names the source whose shape or variables differ", () => {
  const odd = piece(2, 3, "odd.nc", [10, 20, 30]);
  const e = (() => {
    try {
      concatSources([piece(0, 2, "a.nc"), odd], "time");
    } catch (error) {
      return error;
    }
  })();
  expect(isGridError(e, "SHAPE_MISMATCH")).toBe(true);
  expect((e as Error).message).toMatch(/^odd\.nc: dimension 'lat' has length 3, expected 2/);
  expect(() => concatSources([piece(0, 2, "a.nc")], "depth")).toThrow(/no dimension 'depth'/);
  expect(() => concatSources([], "time")).toThrow(/no sources/);
});
