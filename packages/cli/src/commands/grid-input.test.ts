import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { bufferIO } from "../io.js";
import { main } from "../main.js";

const root = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const file = root("packages/io/src/__fixtures__/archive/a_2001.nc");
// statsmodels OLS on the same rows (tools/oracles/io_mfdataset_xarray.py).
const ref = JSON.parse(
  readFileSync(root("packages/io/src/__fixtures__/mfdataset_xarray.json"), "utf8"),
).grid_rows_ols as { formula: string; nobs: number; params: number[]; bse: number[] };
const dir = mkdtempSync(join(tmpdir(), "geoml-cli-grid-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("geoml fit --grid FILE --var NAME fits the grid's rows as statsmodels does", async () => {
  const io = bufferIO();
  const model = join(dir, "m.json");
  const code = await main(
    ["fit", "--grid", file, "--var", "sst", "--formula", ref.formula, "--json", "--save", model],
    io,
  );
  expect(io.stderr).toBe("");
  expect(code).toBe(0);
  const out = JSON.parse(io.stdout);
  expect(out.nObs).toBe(ref.nobs);
  Object.values(out.coefficients as Record<string, number>).forEach((b, j) => {
    expect(Math.abs(b - ref.params[j]) / Math.abs(ref.params[j])).toBeLessThan(1e-8);
  });
  Object.values(out.stdErrors as Record<string, number>).forEach((s, j) => {
    expect(Math.abs(s - ref.bse[j]) / ref.bse[j]).toBeLessThan(1e-8);
  });
  const p = bufferIO();
  expect(await main(["predict", "--model", model, "--grid", file, "--var", "sst"], p)).toBe(0);
  expect(p.stdout.trim().split("\n")).toHaveLength(ref.nobs + 1);
});

it("needs --var with --grid, and not --data too", async () => {
  const io = bufferIO();
  expect(await main(["fit", "--grid", file, "--formula", "sst ~ t"], io)).toBe(2);
  expect(io.stderr).toContain("--grid needs --var NAME");
  expect(await main(["fit", "--grid", file, "--var", "x", "--formula", "sst ~ t"], io)).toBe(1);
  expect(io.stderr).toContain("a_2001.nc: no variable 'x'");
});
