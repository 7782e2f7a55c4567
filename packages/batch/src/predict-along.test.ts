import { fitMlp, glm, loadModel } from "@geoml/models";
import { expect, it } from "vitest";
import { gridRows, predictAlong } from "./index.js";
import { cellsReference, referenceArray } from "./testing.js";

const ref = cellsReference();

it("applies a saved GLM to every cell and step, with the columns geoml fit --grid uses", async () => {
  const sst = referenceArray(ref, "sst");
  const rows = gridRows(sst);
  const formula = "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12) + lat";
  const fit = glm({ family: "gaussian" }).fit({ formula, data: rows.columns });
  const saved = JSON.stringify(fit);
  const pred = await predictAlong(saved, sst, { chunkCells: 10 });
  expect(pred.dims).toEqual(["time", "lat", "lon"]);
  expect(pred.coords.time.attrs.units).toBe(ref.time_units);
  // At every valid cell the grid prediction is the table prediction of the same row.
  const want = fit.predict(rows.columns).fit;
  let worst = 0;
  rows.positions.forEach((pos, i) => {
    worst = Math.max(worst, Math.abs((pred.data[pos] as number) - want[i]) / Math.abs(want[i]));
  });
  expect(worst).toBeLessThan(1e-6); // float32 output
  // Inputs (time, coordinates) exist on land too: predicted there as well.
  expect(Number.isFinite(pred.data[0] as number)).toBe(true);
  const link = await predictAlong(saved, sst, { type: "link" });
  expect(link.data).toEqual(pred.data);
});

it("applies any model kind loadModel knows: an MLP fitted from a formula", async () => {
  const sst = referenceArray(ref, "sst");
  const rows = gridRows(sst);
  const net = fitMlp(
    { hidden: [4], seed: 1 },
    { formula: "sst ~ t + month + lat + lon", data: rows.columns },
    { epochs: 2, batchSize: 256 },
  );
  const saved = JSON.stringify(net);
  const pred = await predictAlong(saved, sst, { chunkCells: 7 });
  const want = loadModel(saved).predict(rows.columns).fit;
  let worst = 0;
  rows.positions.forEach((pos, i) => {
    worst = Math.max(worst, Math.abs((pred.data[pos] as number) - want[i]) / Math.abs(want[i]));
  });
  expect(worst).toBeLessThan(1e-6);
});

it("names a model it cannot apply per cell", async () => {
  const sst = referenceArray(ref, "sst");
  await expect(predictAlong("{}", sst)).rejects.toThrow(/no "kind" field/);
  await expect(predictAlong("not json", sst)).rejects.toThrow(/model is not JSON/);
});
