import { expect, it } from "vitest";
import * as netcdf from "./index.js";

// The public surface, so an API change shows up in review.
it("exports", () => {
  expect(Object.keys(netcdf).sort()).toEqual([
    "NetcdfDataset",
    "NetcdfError",
    "detectNetcdf",
    "numericAttributes",
    "openNetcdf",
    "openNetcdf3",
    "openNetcdf4",
    "openNetcdfFrom",
    "parseNumericText",
    "preloadNetcdf4",
    "writeDataset",
    "writeNetcdf",
  ]);
});
