import { fileURLToPath } from "node:url";
import { openMfDataset } from "@geoml/io";
import { expect, it } from "vitest";
import { fitAlong } from "./index.js";

// Paths in the README are relative to the repository root.
const root = fileURLToPath(new URL("../../../", import.meta.url));

it("README example runs", async () => {
  const ds = await openMfDataset(`${root}packages/io/src/__fixtures__/archive/*.nc`);
  const fit = await fitAlong(ds, {
    formula: "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12)",
    along: "time",
  });
  expect(fit.coef.dims).toEqual(["term", "lat", "lon"]);
  expect(fit.coef.coords.term.values).toEqual([
    "Intercept",
    "t",
    "cos(((2 * pi) * month) / 12)",
    "sin(((2 * pi) * month) / 12)",
  ]);
  expect(fit.nobs.get(1, 2)).toBeGreaterThan(30);
  await ds.close();
});
