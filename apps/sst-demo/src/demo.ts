import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Rng, tensor } from "@geoml/autodiff";
import { type DataArray, fromTable, type Table, toTable } from "@geoml/grid";
import { type GlmResults, glm, mlp } from "@geoml/models";
import { adam } from "@geoml/optim";
import { loadSst } from "./data.js";
import { metrics } from "./metrics.js";
import { writeOutputs } from "./outputs.js";
import { writeReport } from "./report.js";
import { type DemoSummary, FREEZING_SST, WARM_POOL_SST } from "./summary.js";

export { type DemoSummary, FREEZING_SST, WARM_POOL_SST } from "./summary.js";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Folder holding `netcdf/sstdata_netcdf.nc` and `netcdf/landsea.nc`. */
  datasets: string;
  /** Folder for the report, maps and predictions. */
  out: string;
  /** MLP training epochs. */
  epochs?: number;
  /** Seed for the train/test split and the network. */
  seed?: number;
  /** Progress messages (one line each). */
  log?: (line: string) => void;
}

const FEATURES = ["sinlat", "coslat", "lon_sin", "lon_cos", "msin", "mcos"] as const;

/** Adds the predictors the models use: latitude and the seasonal cycle as sines and cosines. */
function addFeatures(table: Table): Record<string, Float64Array> {
  const c = table.columns;
  const n = table.nrows;
  const col = () => new Float64Array(n);
  const out: Record<string, Float64Array> = { ...c };
  const [sinlat, coslat, sinlat2, msin, mcos, warm, weight] = [
    col(),
    col(),
    col(),
    col(),
    col(),
    col(),
    col(),
  ];
  for (let i = 0; i < n; i++) {
    const phi = (c.latitude[i] * Math.PI) / 180;
    sinlat[i] = Math.sin(phi);
    coslat[i] = Math.cos(phi);
    sinlat2[i] = sinlat[i] * sinlat[i];
    // Month m covers (m−1, m]: its middle is at (m − 0.5)/12 of the year.
    const angle = (2 * Math.PI * (c.time[i] - 0.5)) / 12;
    msin[i] = Math.sin(angle);
    mcos[i] = Math.cos(angle);
    warm[i] = c.sst[i] >= WARM_POOL_SST ? 1 : 0;
    weight[i] = Math.max(coslat[i], 1e-3); // area of a cell ∝ cos(latitude)
  }
  return Object.assign(out, { sinlat, coslat, sinlat2, msin, mcos, warm, weight });
}

function subset(
  columns: Record<string, Float64Array>,
  rows: Int32Array,
): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(columns)) {
    out[name] = Float64Array.from(rows, (r) => values[r]);
  }
  return out;
}

function designMatrix(columns: Record<string, Float64Array>): Float64Array {
  const n = columns.sinlat.length;
  const x = new Float64Array(n * FEATURES.length);
  FEATURES.forEach((f, j) => {
    const v = columns[f];
    for (let i = 0; i < n; i++) x[i * FEATURES.length + j] = v[i];
  });
  return x;
}

/** Mean SST: smooth in latitude, with a seasonal cycle of opposite sign in each hemisphere and a zonal pattern. */
export const SST_FORMULA =
  "sst ~ sinlat + sinlat2 + coslat + msin + mcos + msin:sinlat + mcos:sinlat + lon_sin + lon_cos + lon_sin:coslat + lon_cos:coslat";

/** Where the ocean is warmer than 26.5 °C: the same predictors, a Bernoulli family. */
export const WARM_FORMULA =
  "warm ~ sinlat + sinlat2 + coslat + msin:sinlat + mcos:sinlat + lon_sin + lon_cos + lon_sin:coslat + lon_cos:coslat";

/**
 * The sample application: fits a Gaussian GLM and an MLP to a real SST climatology and a
 * Bernoulli GLM to its warm pool, scores them on held-out ocean cells, writes the
 * predictions back to NetCDF and renders an HTML report with maps and learning curves.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 2024;
  const { sst, ocean } = await loadSst(
    join(options.datasets, "netcdf/sstdata_netcdf.nc"),
    join(options.datasets, "netcdf/landsea.nc"),
  );
  const table = toTable(sst, {
    coords: ["time", "latitude", "longitude"],
    features: ["lon_sin", "lon_cos"],
    mask: ocean,
  });
  const columns = addFeatures(table);
  log(`read ${sst.shape.join("×")} SST grid: ${table.nrows} ocean cells × months`);

  // Hold out a fifth of the rows, drawn with the seed.
  const order = new Rng(seed).permutation(table.nrows);
  const nTest = Math.round(table.nrows / 5);
  const testRows = order.slice(0, nTest).sort();
  const trainRows = order.slice(nTest).sort();
  const train = subset(columns, trainRows);
  const test = subset(columns, testRows);

  // 1. Gaussian GLM by IRLS, area-weighted.
  const sstGlm: GlmResults = glm({ family: "gaussian" }).fit({
    formula: SST_FORMULA,
    data: train,
    weights: "weight",
  });
  log(
    `Gaussian GLM: ${sstGlm.iterations} IRLS iteration(s), deviance ${sstGlm.deviance.toFixed(1)}`,
  );

  // 2. MLP with the same family, on the raw periodic inputs.
  const net = mlp({ hidden: [32, 32], activation: "tanh", family: "gaussian", seed });
  const history = net.fit(
    tensor(designMatrix(train), { shape: [trainRows.length, FEATURES.length] }),
    train.sst,
    {
      epochs: options.epochs ?? 25,
      batchSize: 512,
      optimizer: adam({ lr: 5e-3 }),
      weights: train.weight,
      validationSplit: 0.1,
      patience: 8,
      onEpoch: ({ epoch, loss, validationLoss, rowsPerSecond }) => {
        log(
          `MLP epoch ${String(epoch).padStart(3)}  loss ${loss.toFixed(4)}  validation ${validationLoss?.toFixed(4)}  ${Math.round(rowsPerSecond)} rows/s`,
        );
        return undefined;
      },
    },
  );

  // 3. Bernoulli GLM for the warm pool.
  const warmGlm = glm({ family: "binomial", link: "logit" }).fit({
    formula: WARM_FORMULA,
    data: train,
  });
  log(
    `Binomial GLM (warm pool ≥ ${WARM_POOL_SST} °C): deviance ${warmGlm.deviance.toFixed(1)}, AIC ${warmGlm.aic.toFixed(1)}`,
  );

  // Predictions on every ocean row, then back on the grid.
  const glmAll = sstGlm.predict(columns).fit;
  const mlpAll = net.predict(
    tensor(designMatrix(columns), { shape: [table.nrows, FEATURES.length] }),
  ).data;
  const warmAll = warmGlm.predict(columns).fit;
  const pick = (values: ArrayLike<number>, rows: Int32Array) =>
    Float64Array.from(rows, (r) => values[r]);
  const summaryMetrics = {
    glm: metrics(test.sst, pick(glmAll, testRows), test.weight),
    mlp: metrics(test.sst, pick(mlpAll, testRows), test.weight),
  };
  const warmTest = pick(warmAll, testRows);
  let correct = 0;
  let brier = 0;
  for (let i = 0; i < nTest; i++) {
    correct += (warmTest[i] >= 0.5 ? 1 : 0) === test.warm[i] ? 1 : 0;
    brier += (warmTest[i] - test.warm[i]) ** 2;
  }

  const units = { units: "degC" };
  const grids: DataArray[] = [
    sst,
    fromTable(glmAll, table.index, {
      name: "sst_glm",
      attrs: { ...units, long_name: "SST from the Gaussian GLM" },
    }),
    fromTable(mlpAll, table.index, {
      name: "sst_mlp",
      attrs: { ...units, long_name: "SST from the MLP" },
    }),
    fromTable(warmAll, table.index, {
      name: "warm_pool_probability",
      attrs: {
        units: "1",
        long_name: `probability that SST ≥ ${WARM_POOL_SST} °C (Bernoulli GLM)`,
      },
    }),
  ];
  await mkdir(options.out, { recursive: true });
  const sstAttrs = { standard_name: "sea_surface_temperature", units: "degC" };
  const outputFiles = await writeOutputs(
    options.out,
    sst.coords.latitude.values as Float64Array,
    sst.coords.longitude.values as Float64Array,
    [
      {
        name: "sst_glm",
        values: grids[1].data as Float64Array,
        attrs: { ...sstAttrs, long_name: "sea surface temperature from the Gaussian GLM" },
      },
      {
        name: "sst_mlp",
        values: grids[2].data as Float64Array,
        attrs: { ...sstAttrs, long_name: "sea surface temperature from the MLP" },
      },
      {
        name: "warm_pool_probability",
        values: grids[3].data as Float64Array,
        attrs: {
          units: "1",
          long_name: `probability that SST >= ${WARM_POOL_SST} degC (Bernoulli GLM)`,
        },
      },
    ],
    {
      title: "geoml sst-demo predictions",
      source: "STR SST climatology 1950-1979 (NCL example data), models fitted by geoml",
    },
  );

  // Sea water freezes near −1.8 °C: a prediction below it is physically impossible.
  const belowFreezing = (values: ArrayLike<number>) => {
    let n = 0;
    for (let i = 0; i < values.length; i++) if (values[i] < FREEZING_SST) n++;
    return n;
  };
  const impossible = { glm: belowFreezing(glmAll), mlp: belowFreezing(mlpAll) };

  const summary: DemoSummary = {
    rows: { train: trainRows.length, test: nTest },
    sst: summaryMetrics,
    warmPool: {
      deviance: warmGlm.deviance,
      testAccuracy: correct / nTest,
      testBrier: brier / nTest,
      aic: warmGlm.aic,
    },
    mlpHistory: {
      loss: history.loss,
      validationLoss: history.validationLoss,
      bestEpoch: history.bestEpoch,
    },
    impossible,
    files: outputFiles,
  };
  const reportFiles = await writeReport({
    out: options.out,
    grids,
    ocean,
    summary,
    sstGlm,
    warmGlm,
  });
  summary.files.push(...reportFiles);
  await writeFile(join(options.out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  summary.files.push(join(options.out, "summary.json"));
  return summary;
}
