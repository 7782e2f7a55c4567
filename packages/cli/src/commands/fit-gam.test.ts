/** `geoml fit --model gam` and `geoml predict` on a saved GAM, checked against mgcv's answers. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { formatCsv, parseCsv } from "../csv.js";
import { bufferIO } from "../io.js";
import { main } from "../main.js";
import { fit } from "./fit.js";
import { predict } from "./predict.js";

interface Case {
  name: string;
  formula: string;
  family: string;
  method: string;
  score: number;
  scale: number;
  deviance: number;
  devianceExplained: number;
  edfTotal: number;
  edf: Record<string, number>;
  sp: Record<string, number>;
  coefficientNames: string[];
  fitted: number[];
  predictLink: number[];
  seLink: number[];
}
const fx = JSON.parse(
  readFileSync(
    fileURLToPath(new URL("../../../models/src/gam/__fixtures__/gam_mgcv.json", import.meta.url)),
    "utf8",
  ),
) as {
  data: Record<string, (number | string)[]>;
  newdata: Record<string, (number | string)[]>;
  cases: Case[];
};

const dir = mkdtempSync(join(tmpdir(), "geoml-gam-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, cols: Record<string, (number | string)[]>) => {
  const path = join(dir, name);
  writeFileSync(path, formatCsv(Object.keys(cols), Object.values(cols)));
  return path;
};
const dataCsv = write("data.csv", fx.data);
const newCsv = write("new.csv", fx.newdata);

async function run(...argv: string[]) {
  const io = bufferIO();
  const status = await main(argv, io, [fit, predict]);
  return { status, stdout: io.stdout, stderr: io.stderr };
}
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("geoml fit --model gam", () => {
  for (const name of ["gaussian_te", "binomial_ubre", "poisson_offset"]) {
    it(`prints mgcv's answers as JSON and predicts from the saved model (${name})`, async () => {
      const c = fx.cases.find((x) => x.name === name) as Case;
      const saved = join(dir, `${name}.json`);
      const r = await run(
        "fit",
        "--model",
        "gam",
        "--data",
        dataCsv,
        "--formula",
        c.formula,
        "--family",
        c.family,
        "--method",
        c.method,
        "--json",
        "--fitted",
        "--save",
        saved,
      );
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.model).toBe("gam");
      expect(rel(j.edfTotal, c.edfTotal)).toBeLessThan(0.01);
      expect(Object.keys(j.edf)).toEqual(Object.keys(c.edf));
      for (const [k, v] of Object.entries(c.edf)) expect(rel(j.edf[k], v)).toBeLessThan(0.01);
      expect(Object.keys(j.sp)).toEqual(Object.keys(c.sp));
      expect(rel(j.score, c.score)).toBeLessThan(1e-4);
      expect(rel(j.deviance, c.deviance)).toBeLessThan(1e-4);
      expect(rel(j.devianceExplained, c.devianceExplained)).toBeLessThan(1e-4);
      expect(rel(j.scale, c.scale)).toBeLessThan(1e-4);
      expect(Object.keys(j.coefficients)).toEqual(c.coefficientNames);
      expect(j.fitted).toHaveLength(c.fitted.length);
      j.fitted.forEach((v: number, i: number) => {
        expect(Math.abs(v - c.fitted[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(c.fitted[i])));
      });

      const p = await run("predict", "--model", saved, "--data", newCsv, "--type", "link", "--se");
      expect(p.status).toBe(0);
      const table = parseCsv(p.stdout);
      expect(table.names).toEqual(["row", "prediction", "se_link"]);
      const pred = table.columns.prediction as Float64Array;
      const se = table.columns.se_link as Float64Array;
      c.predictLink.forEach((v, i) => {
        expect(Math.abs(pred[i] - v)).toBeLessThan(1e-3 * Math.max(1, Math.abs(v)));
      });
      c.seLink.forEach((v, i) => {
        expect(Math.abs(se[i] - v)).toBeLessThan(1e-3 * v);
      });
    }, 20_000);
  }

  it("--method is mgcv's method= for the GAM; wrong usage exits 2, model errors 1", async () => {
    let r = await run(
      "fit",
      "--model",
      "gam",
      "--data",
      dataCsv,
      "--formula",
      "y ~ s(x)",
      "--method",
      "irls",
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/REML, ML, GCV or UBRE/);
    r = await run("fit", "--model", "gam", "--data", dataCsv, "--formula", "y ~ s(x)", "--l2", "1");
    expect(r.status).toBe(2);
    r = await run("fit", "--data", dataCsv, "--formula", "y ~ x", "--fitted");
    expect(r.status).toBe(2);
    r = await run(
      "fit",
      "--model",
      "gam",
      "--data",
      dataCsv,
      "--formula",
      'y ~ s(x, by=x3, bs="cr")',
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/s\(x\):x3.*factor/);
    r = await run(
      "fit",
      "--model",
      "gam",
      "--data",
      dataCsv,
      "--formula",
      "y ~ s(x)",
      "--method",
      "UBRE",
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/UBRE needs a known scale/);
    // the GLM refuses smooth terms and names the GAM
    r = await run("fit", "--data", dataCsv, "--formula", "y ~ s(x)");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/needs a GAM/);
  });

  it("fits the multinomial GAM with --family multinomial", async () => {
    const r = await run(
      "fit",
      "--model",
      "gam",
      "--data",
      dataCsv,
      "--formula",
      'y3 ~ s(x, bs="cr", k=5)',
      "--family",
      "multinomial",
      "--json",
    );
    expect(r.stderr).toBe("");
    const j = JSON.parse(r.stdout);
    expect(j.classes).toEqual(["0", "1", "2"]);
    expect(Object.keys(j.sp)).toEqual(["s(x)", "s.1(x)"]);
  }, 30_000);
});
