import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { formatCsv, parseCsv } from "../csv.js";
import { bufferIO } from "../io.js";
import { main } from "../main.js";
import { type FitJson, fit } from "./fit.js";
import { predict } from "./predict.js";

interface Case {
  name: string;
  formula: string;
  family: string;
  link: string;
  offset: string | null;
  data: Record<string, number[] | string[]>;
  expected: {
    names: string[];
    params: number[];
    bse: number[];
    deviance: number;
    llf: number;
    predict_link: number[];
  };
}
const fixture = JSON.parse(
  readFileSync(
    fileURLToPath(
      new URL("../../../models/src/glm/__fixtures__/glm_statsmodels.json", import.meta.url),
    ),
    "utf8",
  ),
) as { glm: Case[] };

const dir = mkdtempSync(join(tmpdir(), "geoml-fit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function csvOf(c: Case): string {
  const names = Object.keys(c.data);
  const path = join(dir, `${c.name}.csv`);
  writeFileSync(
    path,
    formatCsv(
      names,
      names.map((n) => c.data[n]),
    ),
  );
  return path;
}

async function run(...argv: string[]) {
  const io = bufferIO();
  const status = await main(argv, io, [fit, predict]);
  return { status, stdout: io.stdout, stderr: io.stderr };
}

describe("geoml fit / predict", () => {
  it("prints statsmodels' estimates as JSON for a probit model", async () => {
    const c = fixture.glm.find((x) => x.name === "binomial_probit")!;
    const file = csvOf(c);
    const r = await run(
      "fit",
      "--data",
      file,
      "--formula",
      "y ~ x1 + x2",
      "--family",
      "binomial",
      "--link",
      "probit",
      "--json",
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as FitJson;
    c.expected.names.forEach((name, k) => {
      expect(Math.abs(out.coefficients[name]! - c.expected.params[k])).toBeLessThan(
        1e-6 * Math.abs(c.expected.params[k]) + 1e-12,
      );
      expect(Math.abs(out.stdErrors[name]! - c.expected.bse[k])).toBeLessThan(
        1e-6 * c.expected.bse[k],
      );
    });
    expect(out.deviance).toBeCloseTo(c.expected.deviance, 6);
    expect(out.logLik).toBeCloseTo(c.expected.llf, 6);
    expect(out.nObs).toBe(240);
    expect(out.converged).toBe(true);
    for (const key of ["nullDeviance", "aic", "bic", "dispersion", "iterations"])
      expect(out).toHaveProperty(key);
  });

  it("saves a model and predicts with it, offset included", async () => {
    const c = fixture.glm.find((x) => x.name === "poisson_offset")!;
    const file = csvOf(c);
    const model = join(dir, "model.json");
    const r = await run(
      "fit",
      "--data",
      file,
      "--formula",
      "y ~ x1 + x2 + C(zone)",
      "--family",
      "poisson",
      "--offset",
      "log_exposure",
      "--save",
      model,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Generalized Linear Model Regression Results");
    const p = await run("predict", "--model", model, "--data", file, "--type", "link", "--se");
    expect(p.status).toBe(0);
    const t = parseCsv(p.stdout);
    expect(t.names).toEqual(["row", "prediction", "se_link"]);
    // row: the 0-based index of the row in the data file
    expect(Array.from(t.columns.row as Float64Array).slice(0, 3)).toEqual([0, 1, 2]);
    const pred = t.columns.prediction as Float64Array;
    c.expected.predict_link.forEach((v, i) => {
      expect(Math.abs(pred[i] - v)).toBeLessThan(1e-6 * Math.abs(v));
    });
  });

  it("fits and predicts a multinomial model", async () => {
    const m = (
      fixture as unknown as {
        multinomial: { data: Record<string, number[] | string[]>; expected: { llf: number } };
      }
    ).multinomial;
    const names = Object.keys(m.data);
    const file = join(dir, "multi.csv");
    writeFileSync(
      file,
      formatCsv(
        names,
        names.map((n) => m.data[n]),
      ),
    );
    const model = join(dir, "multi.json");
    const r = await run(
      "fit",
      "--data",
      file,
      "--formula",
      "y ~ x1 + x2",
      "--family",
      "multinomial",
      "--json",
      "--save",
      model,
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { logLik: number; classes: string[] };
    expect(out.logLik).toBeCloseTo(m.expected.llf, 8);
    expect(out.classes).toEqual(["0", "1", "2"]);
    const p = await run("predict", "--model", model, "--data", file);
    expect(p.status).toBe(0);
    expect(parseCsv(p.stdout).names).toEqual(["row", "class", "prob_0", "prob_1", "prob_2"]);
  });

  it("fits a lasso from the command line", async () => {
    const c = fixture.glm.find((x) => x.name === "gaussian_identity")!;
    const file = csvOf(c);
    const r = await run(
      "fit",
      "--data",
      file,
      "--formula",
      "y ~ x1 + x2 + x3",
      "--lambda",
      "0.3",
      "--json",
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as FitJson;
    expect(out.coefficients.x3).toBe(0);
    expect(out.stdErrors.x1).toBeNull();
  });

  it("fits and predicts with --model mlp", async () => {
    const c = fixture.glm.find((x) => x.name === "poisson_offset")!;
    const file = csvOf(c);
    const model = join(dir, "mlp.json");
    const r = await run(
      "fit",
      "--model",
      "mlp",
      "--data",
      file,
      "--formula",
      "y ~ x1 + x2",
      "--family",
      "poisson",
      "--hidden",
      "4",
      "--epochs",
      "3",
      "--seed",
      "1",
      "--json",
      "--save",
      model,
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toBeTypeOf("object");
    const p = await run("predict", "--model", model, "--data", file);
    expect(p.status).toBe(0);
    const t = parseCsv(p.stdout);
    expect(t.names).toEqual(["row", "prediction"]);
    expect(t.rows).toBe(240);
    const usage = await run("fit", "--data", file, "--formula", "y ~ x1", "--hidden", "4");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("--hidden needs --model mlp");
    const badFlag = await run(
      "fit",
      "--data",
      file,
      "--formula",
      "y ~ x1",
      "--model",
      "mlp",
      "--hidden",
      "4,x",
    );
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toContain("--hidden: expected comma-separated layer widths");
  });

  it("sends errors to stderr with a non-zero status", async () => {
    const c = fixture.glm.find((x) => x.name === "poisson_offset")!;
    const file = csvOf(c);
    const bad = await run("fit", "--data", file, "--formula", "y ~ nope", "--family", "poisson");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('no column "nope"');
    const family = await run("fit", "--data", file, "--formula", "y ~ x1", "--family", "weibull");
    expect(family.status).toBe(1);
    expect(family.stderr).toContain("weibull");
    const domain = await run("fit", "--data", file, "--formula", "x1 ~ x2", "--family", "poisson");
    expect(domain.status).toBe(1);
    expect(domain.stderr).toMatch(/poisson: y\[\d+\]/);
    const usage = await run("fit", "--data", file);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("--formula");
    const noFile = await run("fit", "--data", join(dir, "absent.csv"), "--formula", "y ~ x1");
    expect(noFile.status).toBe(1);
    expect(noFile.stderr).toContain("absent.csv");
    const noModel = await run("predict", "--model", join(dir, "absent.json"), "--data", file);
    expect(noModel.status).toBe(1);
  });
});
