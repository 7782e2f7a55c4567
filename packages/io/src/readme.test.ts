import { expect, it } from "vitest";
import { openMfDataset } from "./index.js";

// The README example, run from the repository root's point of view.
it("README example runs", async () => {
  const ds = await openMfDataset(`${import.meta.dirname}/__fixtures__/archive/*.nc`);
  expect([ds.files.length, ds.dims]).toEqual([4, { time: 48, lat: 3, lon: 4 }]);
  const spring2001 = await ds.read("sst", { isel: { time: { start: 14, stop: 17 } } });
  expect(spring2001.shape).toEqual([3, 3, 4]);
  await ds.close();
});
