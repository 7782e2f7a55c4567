import { expect, it } from "vitest";
import * as zarr from "./index.js";

// The public surface, so an API change shows up in review.
it("exports", () => {
  expect(Object.keys(zarr).sort()).toEqual([
    "HttpStore",
    "MemoryStore",
    "ZarrError",
    "ZarrWriter",
    "createZarr",
    "openZarr",
    "openZarrSource",
    "openZarrWriter",
    "writeZarr",
  ]);
});
