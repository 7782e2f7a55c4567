/**
 * The model contract from the command line: a model kind registered outside
 * `@geoml/models` and `@geoml/cli` is saved, loaded and predicted through
 * `loadModel` and `geoml predict`; files of the previous release still load.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isModelError, loadModel, modelKinds } from "@geoml/models";
import { describe, expect, it } from "vitest";
import { groupMean } from "./__fixtures__/external-kind/group-mean.js";
import { predict } from "./commands/predict.js";
import { formatCsv, parseCsv } from "./csv.js";
import { bufferIO } from "./io.js";
import { main } from "./main.js";

const dir = mkdtempSync(join(tmpdir(), "geoml-contract-"));

async function run(...argv: string[]) {
  const io = bufferIO();
  const status = await main(argv, io, [predict]);
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
    expect(Array.from(read("mlp.json").predict(expected.newdata).fit)).toEqual(expected.mlp);
    const c = read("mlp-categorical.json").predict(expected.newdata);
    expect(Array.from(c.fit)).toEqual(expected.mlpCategorical);
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
