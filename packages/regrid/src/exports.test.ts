import { expect, it } from "vitest";
import * as regrid from "./index.js";

// The public surface, so an API change shows up in review.
it("exports", () => {
  expect(Object.keys(regrid).sort()).toMatchInlineSnapshot(`
    [
      "PointIndex",
      "RegridError",
      "Regridder",
      "applyWeights",
      "axisBounds",
      "bilinearWeights",
      "cellAreas",
      "cellCenter",
      "computeWeights",
      "conservativeWeights",
      "curvilinearCorners",
      "curvilinearGrid",
      "findLatLon",
      "fromScrip",
      "globalGrid",
      "gridOf",
      "gridSize",
      "nearestWeights",
      "readGrid",
      "rectilinearGrid",
      "regrid",
      "toScrip",
    ]
  `);
});
