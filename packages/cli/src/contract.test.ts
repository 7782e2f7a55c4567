/**
 * The model contract from the command line: a model kind registered outside
 * `@geoml/models` and `@geoml/cli` is saved, loaded and predicted through
 * `loadModel` and `geoml predict`; files of the previous release still load.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isModelError, loadModel, modelKinds } from "@geoml/models";
import { afterAll, describe, expect, it } from "vitest";
import { groupMean } from "./__fixtures__/external-kind/group-mean.js";
import { fit as fitCommand } from "./commands/fit.js";
import { predict } from "./commands/predict.js";
import { formatCsv, parseCsv } from "./csv.js";
import { bufferIO } from "./io.js";
import { main } from "./main.js";

const dir = mkdtempSync(join(tmpdir(), "geoml-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const io = bufferIO();
  const status = await main(argv, io, [fitCommand, predict]);
  return { status, stdout: io.stdout, stderr: io.stderr };
}

describe("a model kind registered from outside @geoml/models", () => {
  const data = { zone: ["a", "b", "a", "b", "a", "c"], y: [1, 4, 3, 6, 2, 10] };
  const fit = groupMean({ by: "zone" }).fit({ data, response: "y" });
  const file = join(dir, "group-mean.json");
  writeFileSync(file, JSON.stringify(fit));
  const csv = join(dir, "zones.csv");
  writeFileSync(csv, formatCsv(["zone"], [["b", "a", "c"]]));

  it("is listed and read back by loadModel", () => {
    expect(modelKinds()).toEqual(["glm", "multinomial", "mlp", "gam", "group-mean"]);
    const back = loadModel(readFileSync(file, "utf8"));
    expect(back.kind).toBe("group-mean");
    const p = back.predict({ zone: ["b", "a"] }, { se: true, interval: "confidence", level: 0.9 });
    expect(Array.from(p.fit)).toEqual([5, 2]);
    // b: mean 5, sd √2, se 1; z(0.95) = 1.6448536269514722
    expect(p.lower![0]).toBeCloseTo(5 - 1.6448536269514722, 14);
    expect(p.upper![0]).toBeCloseTo(5 + 1.6448536269514722, 14);
  });

  it("predicts through geoml predict with the contract's columns", async () => {
    const r = await run(
      "predict",
      "--model",
      file,
      "--data",
      csv,
      "--se",
      "--interval",
      "confidence",
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const t = parseCsv(r.stdout);
    expect(t.names).toEqual(["row", "prediction", "se_link", "lower", "upper"]);
    expect(Array.from(t.columns.row as Float64Array)).toEqual([0, 1, 2]);
    expect(Array.from(t.columns.prediction as Float64Array)).toEqual([5, 2, 10]);
    expect((t.columns.upper as Float64Array)[0]).toBeCloseTo(5 + 1.959963984540054, 12);
  });

  it("reports an unknown kind and a version from the future as model file errors", async () => {
    const unknown = join(dir, "unknown.json");
    writeFileSync(unknown, '{"kind":"weibull-tree","formatVersion":1}');
    const r = await run("predict", "--model", unknown, "--data", csv);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no model kind "weibull-tree" is registered/);
    expect(() => loadModel({ ...fit.toJSON(), formatVersion: 2 })).toThrow(/version 2 is newer/);
    try {
      loadModel("{}");
    } catch (e) {
      expect(isModelError(e, "BAD_MODEL_FILE")).toBe(true);
    }
  });
});

describe("files saved by the previous release", () => {
  const legacy = (name: string) =>
    fileURLToPath(new URL(`./__fixtures__/legacy/${name}`, import.meta.url));
  const expected = JSON.parse(readFileSync(legacy("predictions.json"), "utf8")) as {
    newdata: { x: number[]; zone: string[] };
    glm: number[];
    glmSe: number[];
    multinomial: number[];
    classes: string[];
    mlp: number[];
    mlpCategorical: number[];
  };
  const csv = join(dir, "legacy.csv");
  writeFileSync(csv, formatCsv(["x", "zone"], [expected.newdata.x, expected.newdata.zone]));

  it("load and predict as they did (geoml-glm, geoml-multinomial, geoml.mlp)", () => {
    const read = (name: string) => loadModel(readFileSync(legacy(name), "utf8"));
    const g = read("glm.json").predict(expected.newdata, { se: true });
    expect(Array.from(g.fit)).toEqual(expected.glm);
    expect(Array.from(g.seLink!)).toEqual(expected.glmSe);
    const m = read("multinomial.json").predict(expected.newdata);
    expect(Array.from(m.fit)).toEqual(expected.multinomial);
    expect(m.classes).toEqual(expected.classes);
    // MLP predictions run tanh/exp kernels that may change in the last bits between
    // releases (WebAssembly SIMD, within 3 ulp of Math.*): equal to 1e-13 relative
    const close = (got: ArrayLike<number>, want: number[]) => {
      expect(got.length).toBe(want.length);
      want.forEach((w, i) => {
        expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(w)));
      });
    };
    close(read("mlp.json").predict(expected.newdata).fit, expected.mlp);
    const c = read("mlp-categorical.json").predict(expected.newdata);
    close(c.fit, expected.mlpCategorical);
    expect(c.classes).toEqual(expected.classes);
  });

  it("predict from the command line", async () => {
    for (const name of ["glm.json", "multinomial.json", "mlp.json", "mlp-categorical.json"]) {
      const r = await run("predict", "--model", legacy(name), "--data", csv);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
    const r = await run("predict", "--model", legacy("multinomial.json"), "--data", csv);
    expect(parseCsv(r.stdout).names).toEqual([
      "row",
      "class",
      "prob_cold",
      "prob_mild",
      "prob_warm",
    ]);
  });
});

describe("geoml fit of a Binomial proportion with --weights", () => {
  it("I(wet / trials) ~ x --weights trials gives R's glm", async () => {
    const r = JSON.parse(
      readFileSync(
        fileURLToPath(
          new URL("../../models/src/formula/__fixtures__/formula_r.json", import.meta.url),
        ),
        "utf8",
      ),
    ) as {
      data: Record<string, number[]>;
      proportion: { params: number[]; bse: number[]; deviance: number[] };
    };
    const csv = join(dir, "wet.csv");
    const names = Object.keys(r.data);
    writeFileSync(
      csv,
      formatCsv(
        names,
        names.map((n) => r.data[n]),
      ),
    );
    const out = await run(
      "fit",
      "--data",
      csv,
      "--formula",
      "I(wet / trials) ~ x",
      "--family",
      "binomial",
      "--weights",
      "trials",
      "--json",
    );
    expect(out.stderr).toBe("");
    const j = JSON.parse(out.stdout) as {
      coefficients: Record<string, number>;
      stdErrors: Record<string, number>;
      deviance: number;
    };
    const got = [j.coefficients.Intercept, j.coefficients.x];
    const se = [j.stdErrors.Intercept, j.stdErrors.x];
    for (let k = 0; k < 2; k++) {
      expect(Math.abs(got[k] - r.proportion.params[k])).toBeLessThan(1e-9);
      expect(Math.abs(se[k] - r.proportion.bse[k])).toBeLessThan(1e-9);
    }
    expect(Math.abs(j.deviance - r.proportion.deviance[0])).toBeLessThan(1e-8);
  });
});

describe("geoml fit --save and geoml predict --interval", () => {
  const fixture = JSON.parse(
    readFileSync(
      fileURLToPath(
        new URL("../../models/src/glm/__fixtures__/intervals_statsmodels.json", import.meta.url),
      ),
      "utf8",
    ),
  ) as {
    cases: {
      name: string;
      formula: string;
      data: Record<string, number[] | string[]>;
      new: Record<string, number[] | string[]>;
      levels: Record<string, { obs_ci_lower: number[]; obs_ci_upper: number[]; mean: number[] }>;
    }[];
  };
  const c = fixture.cases.find((x) => x.name === "gaussian_identity")!;
  const data = join(dir, "gauss.csv");
  const names = Object.keys(c.data);
  writeFileSync(
    data,
    formatCsv(
      names,
      names.map((n) => c.data[n]),
    ),
  );
  const fresh = join(dir, "gauss-new.csv");
  const newNames = Object.keys(c.new);
  writeFileSync(
    fresh,
    formatCsv(
      newNames,
      newNames.map((n) => c.new[n]),
    ),
  );

  it("saves every kind with kind and formatVersion at the top", async () => {
    for (const [kind, extra] of [
      ["glm", []],
      ["mlp", ["--model", "mlp", "--hidden", "3", "--epochs", "2"]],
    ] as const) {
      const file = join(dir, `saved-${kind}.json`);
      const r = await run("fit", "--data", data, "--formula", c.formula, ...extra, "--save", file);
      expect(r.stderr).toBe("");
      const saved = JSON.parse(readFileSync(file, "utf8"));
      expect([saved.kind, saved.formatVersion]).toEqual([kind, 1]);
    }
  });

  it("writes statsmodels' prediction interval (OLS obs_ci) for a Gaussian GLM", async () => {
    const file = join(dir, "gauss.json");
    expect((await run("fit", "--data", data, "--formula", c.formula, "--save", file)).status).toBe(
      0,
    );
    const r = await run(
      "predict",
      "--model",
      file,
      "--data",
      fresh,
      "--interval",
      "prediction",
      "--level",
      "0.8",
    );
    expect(r.stderr).toBe("");
    const t = parseCsv(r.stdout);
    expect(t.names).toEqual(["row", "prediction", "lower", "upper"]);
    const e = c.levels["0.8"];
    const lower = t.columns.lower as Float64Array;
    const upper = t.columns.upper as Float64Array;
    // the CSV holds the shortest exact decimal of each double; both sides fit to 1e-6 relative
    e.obs_ci_lower.forEach((v, i) => {
      expect(Math.abs(lower[i] - v)).toBeLessThan(1e-6 * Math.max(1, Math.abs(v)));
      expect(Math.abs(upper[i] - e.obs_ci_upper[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(v)));
    });
    const usage = await run("predict", "--model", file, "--data", fresh, "--level", "0.8");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("--level needs --interval");
  });
});
