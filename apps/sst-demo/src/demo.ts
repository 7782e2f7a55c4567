import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { type DataArray, fromTable, toTable } from "@geoml/grid";
import { loadSst } from "./data.js";
import { addFeatures, BLOCK_DEGREES, blockSplit } from "./features.js";
import { fitTask, formulas, type TaskFit, type TaskName, WIDTH } from "./fit.js";
import { type ClassScores, classScores, type Metrics, metrics } from "./metrics.js";
import { writeOutputs } from "./outputs.js";
import { writeReport } from "./report.js";
import { type DemoSummary, FREEZING_SST, type ModelName, type ModelRow } from "./summary.js";
import { loadUserSst } from "./userdata.js";

export { CLASS_PREDICTORS, GAM_SMOOTHS, SST_FORMULA } from "./fit.js";
export {
  type DemoSummary,
  FREEZING_SST,
  MODELS,
  WARM_POOL_SST,
  ZONE_EDGES,
  ZONES,
} from "./summary.js";
export { formatTable, scoreTables } from "./tables.js";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Folder holding `netcdf/sstdata_netcdf.nc` and `netcdf/landsea.nc`. */
  datasets: string;
  /** Folder for the report, maps and predictions. */
  out: string;
  /** Another gridded SST to run on instead of the shipped climatology (`--data`, `--var`). */
  data?: { file: string; variable: string };
  /** MLP training epochs (default 25). */
  epochs?: number;
  /** Seed for the held-out blocks and the networks. */
  seed?: number;
  /** At most this many training rows for the Gaussian and binary GAMs (default 20000). */
  gamRows?: number;
  /** At most this many training rows for the multinomial GAM (default 2000). */
  multinomGamRows?: number;
  /** Months (1–12) offered by the report's month selector (default 1, 4, 7, 10). */
  reportMonths?: number[];
  /** Progress messages (one line each). */
  log?: (line: string) => void;
  /** Called after every MLP epoch (progress bars). */
  onEpoch?: (task: TaskName, epoch: number, epochs: number, loss: number) => void;
}

/** Per-row truth of a task (SST, 0/1, zone 0…3) and each model's map value for it. */
export interface TaskMaps {
  task: TaskName;
  truth: DataArray;
  /** SST, P(warm) or the most probable zone, by model. */
  predictions: Record<ModelName, DataArray>;
}

/** Map value per row: the SST, the probability of class 1, or the most probable class. */
function mapValue(values: Float64Array, width: number): Float64Array {
  if (width === 1) return values;
  const n = values.length / width;
  if (width === 2) return Float64Array.from({ length: n }, (_, i) => values[2 * i + 1]);
  return Float64Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let c = 1; c < width; c++) if (values[i * width + c] > values[i * width + best]) best = c;
    return best;
  });
}

/** Months of the selector that the data hold (else the first month held), as time indices. */
function pickMonths(wanted: number[], held: number[]): { month: number; index: number }[] {
  const out = wanted
    .filter((m) => held.includes(m))
    .map((m) => ({ month: m, index: held.indexOf(m) }));
  return out.length > 0 ? out : [{ month: held[0], index: 0 }];
}

/**
 * The sample application: on a real SST climatology, three tasks — SST (Gaussian), warm
 * water ≥ 26.5 °C (Bernoulli) and thermal zones (Categorical) — each fitted by a baseline,
 * a GLM, a GAM and an MLP, scored on whole held-out spatial blocks (area-weighted), with
 * predictions written as CF NetCDF and GeoTIFF and a self-contained HTML report.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 2024;
  const user = options.data
    ? await loadUserSst(options.data.file, options.data.variable)
    : undefined;
  const { sst, ocean } =
    user ??
    (await loadSst(
      join(options.datasets, "netcdf/sstdata_netcdf.nc"),
      join(options.datasets, "netcdf/landsea.nc"),
    ));
  const months = Array.from(sst.coords.time.values as ArrayLike<number>, Number);
  const seasonal = months.length === 12;
  const axis = { months, years: user?.years ?? ([1950, 1979] as [number, number]) };
  const source = options.data
    ? `${options.data.variable} from ${basename(options.data.file)}, months ${months.join(", ")} of ${axis.years.join("–")}, conservatively remapped onto a regular 2° grid`
    : "STR SST climatology (1950–1979, 2° grid, 12 months; NCL example data), ocean cells from the 1° NCAR land–sea mask";
  const table = toTable(sst, {
    coords: ["time", "latitude", "longitude"],
    features: ["lon_sin", "lon_cos"],
    mask: ocean,
  });
  const all = addFeatures(table);
  log(`read ${sst.shape.join("×")} SST grid: ${table.nrows} ocean cells × months`);

  const split = blockSplit(all.lat, all.lon, seed);
  log(
    `held out ${split.heldBlocks} of ${split.blocks} ${BLOCK_DEGREES}°×${BLOCK_DEGREES}° blocks: ${split.train.length} training rows, ${split.test.length} held-out rows`,
  );
  const settings = {
    seed,
    epochs: options.epochs ?? 25,
    gamRows: options.gamRows ?? 20_000,
    multinomGamRows: options.multinomGamRows ?? 2000,
    seasonal,
    log,
    onEpoch: options.onEpoch,
  };
  const F = formulas(seasonal);
  const fits: TaskFit[] = (["regression", "binary", "multinomial"] as const).map((task) =>
    fitTask(task, all, split.train, settings),
  );

  const pick = (values: ArrayLike<number>, width: number) => {
    const out = new Float64Array(split.test.length * width);
    split.test.forEach((r, i) => {
      for (let c = 0; c < width; c++) out[i * width + c] = values[r * width + c];
    });
    return out;
  };
  const wTest = pick(all.weight, 1);
  const rowsOf = <S>(fit: TaskFit, score: (v: Float64Array) => S): ModelRow<S>[] =>
    fit.outputs.map((o) => ({
      model: o.model,
      label: o.label,
      scores: score(pick(o.values, o.width)),
      trainRows: o.trainRows,
      seconds: o.seconds,
    }));
  const regression: ModelRow<Metrics>[] = rowsOf(fits[0], (v) =>
    metrics(pick(all.sst, 1), v, wTest),
  );
  const binary: ModelRow<ClassScores>[] = rowsOf(fits[1], (v) =>
    classScores(pick(all.warm, 1), v, 2, wTest),
  );
  const multinomial: ModelRow<ClassScores>[] = rowsOf(fits[2], (v) =>
    classScores(pick(all.zone, 1), v, 4, wTest),
  );

  // Sea water freezes near −1.8 °C: a prediction below it is physically impossible.
  const impossible = Object.fromEntries(
    fits[0].outputs.map((o) => [o.model, o.values.filter((v) => v < FREEZING_SST).length]),
  ) as Record<ModelName, number>;

  const grid = (values: Float64Array, name: string, attrs: Record<string, string> = {}) =>
    fromTable(values, table.index, { name, attrs });
  const maps: TaskMaps[] = fits.map((fit) => ({
    task: fit.task,
    truth: grid(all[{ regression: "sst", binary: "warm", multinomial: "zone" }[fit.task]], "truth"),
    predictions: Object.fromEntries(
      fit.outputs.map((o) => [o.model, grid(mapValue(o.values, WIDTH[fit.task]), o.model)]),
    ) as Record<ModelName, DataArray>,
  }));

  await mkdir(options.out, { recursive: true });
  const sstAttrs = { standard_name: "sea_surface_temperature", units: "degC" };
  const [reg, bin] = maps;
  const outputFiles = await writeOutputs(
    options.out,
    sst.coords.latitude.values as Float64Array,
    sst.coords.longitude.values as Float64Array,
    [
      ...(["glm", "gam", "mlp"] as const).map((m) => ({
        name: `sst_${m}`,
        values: reg.predictions[m].data as Float64Array,
        attrs: {
          ...sstAttrs,
          long_name: `sea surface temperature from the ${m.toUpperCase()}`,
        },
      })),
      {
        name: "warm_pool_probability",
        values: bin.predictions.glm.data as Float64Array,
        attrs: {
          units: "1",
          long_name: "probability that SST >= 26.5 degC (Bernoulli GLM)",
        },
      },
    ],
    {
      title: "geoml sst-demo predictions",
      source: `${source.replace(/–/g, "-")}; models fitted by geoml`,
    },
    axis,
  );

  const summary: DemoSummary = {
    rows: { train: split.train.length, test: split.test.length },
    split: { blockDegrees: BLOCK_DEGREES, heldBlocks: split.heldBlocks, blocks: split.blocks },
    regression,
    binary,
    multinomial,
    mlpHistory: {
      regression: fits[0].history,
      binary: fits[1].history,
      multinomial: fits[2].history,
    },
    impossible,
    source,
    notes: [
      ...(seasonal
        ? []
        : [
            `The data hold ${months.length} calendar month(s), not 12: every model is fitted without the seasonal terms.`,
          ]),
      `Multinomial GAM (mgcv's multinom): ${F.multinomGam} only, on at most ${settings.multinomGamRows} training rows; with te(lon, lat) its REML fit is too slow for the demo.`,
    ],
    files: outputFiles,
  };
  const reportFiles = await writeReport({
    out: options.out,
    ocean,
    lat: sst.coords.latitude.values as Float64Array,
    lon: sst.coords.longitude.values as Float64Array,
    maps,
    fits,
    summary,
    months: pickMonths(options.reportMonths ?? [1, 4, 7, 10], months),
  });
  summary.files.push(...reportFiles);
  await writeFile(join(options.out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  summary.files.push(join(options.out, "summary.json"));
  return summary;
}
