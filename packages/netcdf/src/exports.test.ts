import { expect, it } from "vitest";
import * as netcdf from "./index.js";

// The public surface, so an API change shows up in review.
it("exports", () => {
  expect(Object.keys(netcdf).sort()).toEqual([
    "NetcdfError",
    "detectNetcdf",
    "openNetcdf",
    "openNetcdf3",
    "openNetcdf4",
    "openNetcdfFrom",
    "preloadNetcdf4",
    "writeDataset",
    "writeNetcdf",
  ]);
});
