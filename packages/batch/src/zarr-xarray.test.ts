import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatCFDatetime } from "@geoml/grid";
import { glm } from "@geoml/models";
import { afterAll, expect, it } from "vitest";
import { fitAlong, gridRows, predictAlong } from "./index.js";
import {
  cellsReference,
  FIXTURES,
  referenceArray,
  storeFiles,
  writeZarrFixtures,
  ZARR_FIXTURE_FORMULA,
} from "./testing.js";

// What xarray 2023 + zarr-python 2.13 read from the v2 fixtures (tools/oracles/batch_zarr_xarray.py).
const xr = JSON.parse(readFileSync(join(FIXTURES, "zarr_xarray.json"), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "geoml-zarr-xarray-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const nulls = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));

it("writes today exactly the v2 stores xarray was checked on", async () => {
  const { fit, pred } = await writeZarrFixtures(dir);
  for (const [mine, committed] of [
    [fit, join(FIXTURES, "fit_v2.zarr")],
    [pred, join(FIXTURES, "pred_v2.zarr")],
  ]) {
    const a = storeFiles(mine);
    const b = storeFiles(committed);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
  }
});

it("xarray reads the fit's terms as strings, its grid, and every value exactly", async () => {
  const sst = referenceArray(cellsReference(), "sst");
  const res = await fitAlong(sst, { formula: ZARR_FIXTURE_FORMULA, along: "time" });
  expect(xr.fit.term).toEqual(res.coef.coords.term.values);
  expect(xr.fit.term_dtype_kind).toBe("U");
  expect(xr.fit.coords).toEqual(["lat", "lon", "term"]);
  expect(xr.fit.data_vars).toEqual(["coef", "deviance", "nobs", "scale", "se"]);
  expect(xr.fit.coef_dims).toEqual(["term", "lat", "lon"]);
  expect(xr.fit.lat).toEqual(Array.from(sst.coords.lat.values as Float64Array));
  expect(xr.fit.lat_attrs).toEqual({ units: "degrees_north" });
  expect(xr.fit.attrs.Conventions).toBe("CF-1.8");
  for (const name of ["coef", "se", "nobs", "deviance", "scale"] as const) {
    expect(xr.fit[name], name).toEqual(nulls(res[name].data as Float64Array));
  }
  const cells = sst.shape[1] * sst.shape[2];
  expect(xr.fit.coef_t_sel).toEqual(nulls((res.coef.data as Float64Array).slice(cells, 2 * cells)));
});

it("xarray reads the predictions with their CF times decoded", async () => {
  const sst = referenceArray(cellsReference(), "sst");
  const model = glm({ family: "gaussian" }).fit({
    formula: `${ZARR_FIXTURE_FORMULA} + lat`,
    data: gridRows(sst).columns,
  });
  const pred = await predictAlong(model.toJSON(), sst);
  expect(xr.pred.dims).toEqual(["time", "lat", "lon"]);
  expect(xr.pred.time).toEqual(sst.coords.time.times!.map((t) => formatCFDatetime(t)));
  expect(xr.pred.time_dtype).toBe("datetime64[ns]");
  expect(xr.pred.prediction_dtype).toBe("float32");
  expect(xr.pred.prediction).toEqual(nulls(pred.data as Float32Array));
});
