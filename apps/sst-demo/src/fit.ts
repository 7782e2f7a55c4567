import { tensor } from "@geoml/autodiff";
import { binomial, categorical, gaussian } from "@geoml/losses";
import {
  type GamResults,
  type GlmResults,
  gam,
  glm,
  type MultinomGamResults,
  mlp,
  multinomial,
} from "@geoml/models";
import { adam } from "@geoml/optim";
import { designMatrix, MLP_FEATURES, subset, thin } from "./features.js";
import type { ModelName } from "./summary.js";
import { ZONES } from "./summary.js";

/** The three tasks of the demo. */
export type TaskName = "regression" | "binary" | "multinomial";

/** Right-hand side for mean SST: a cubic in sin(latitude), the seasonal cycle of opposite sign in each hemisphere, longitude harmonics. */
export const SST_FORMULA =
  "sinlat + sinlat2 + sinlat3 + coslat + msin + mcos + msin:sinlat + mcos:sinlat + lon_sin + lon_cos + lon_sin:coslat + lon_cos:coslat";

/** Warm water (SST ≥ 26.5 °C) and thermal zones: the same predictors, quadratic in sin(latitude). */
export const CLASS_PREDICTORS =
  "sinlat + sinlat2 + coslat + msin:sinlat + mcos:sinlat + lon_sin + lon_cos + lon_sin:coslat + lon_cos:coslat";

/** The GAM's smooths, as mgcv writes them. */
export const GAM_SMOOTHS = 's(lat) + s(month, bs="cc", k=12) + te(lon, lat)';

/** The multinomial GAM's smooths (see {@link fitTask} for why no te(lon, lat)). */
export const MULTINOM_GAM_SMOOTHS = 's(lat) + s(month, bs="cc", k=12)';

/** Drops the seasonal terms from a formula: data holding fewer than 12 months cannot fit a cycle. */
function withoutSeason(f: string): string {
  return f
    .split(" + ")
    .filter((t) => !/msin|mcos|month/.test(t))
    .join(" + ")
    .replace("~ + ", "~ ");
}

/** The formulas of the demo, with or without the seasonal cycle. */
export function formulas(seasonal: boolean) {
  const f = (x: string) => (seasonal ? x : withoutSeason(x));
  return {
    sst: f(SST_FORMULA),
    classes: f(CLASS_PREDICTORS),
    gam: f(GAM_SMOOTHS),
    multinomGam: f(MULTINOM_GAM_SMOOTHS),
  };
}

/** Options of the fits, so tests can keep them small. */
export interface FitSettings {
  seed: number;
  epochs: number;
  /** At most this many training rows for the Gaussian and binary GAMs. */
  gamRows: number;
  /** At most this many training rows for the multinomial GAM. */
  multinomGamRows: number;
  /** Whether the data hold all 12 months (else the seasonal terms are dropped). */
  seasonal: boolean;
  log: (line: string) => void;
  /** Called after every MLP epoch (progress bars). */
  onEpoch?: (task: TaskName, epoch: number, epochs: number, loss: number) => void;
}

/** What one model gives back: k values per ocean row (probabilities or SST) and extras. */
export interface ModelOutput {
  model: ModelName;
  label: string;
  /** `width` values per row of all ocean rows (row-major). */
  values: Float64Array;
  width: number;
  trainRows: number;
  seconds: number;
}

/** Everything fitted for one task. */
export interface TaskFit {
  task: TaskName;
  outputs: ModelOutput[];
  glm: GlmResults | null;
  gam: GamResults | MultinomGamResults;
  history: { loss: number[]; validationLoss: number[]; bestEpoch: number };
}

const TARGET: Record<TaskName, string> = {
  regression: "sst",
  binary: "warm",
  multinomial: "zone",
};

/** Classes per row of the task's output (1 for the SST itself). */
export const WIDTH: Record<TaskName, number> = { regression: 1, binary: 2, multinomial: 4 };

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const value = f();
  return [value, (performance.now() - t0) / 1000];
}

/** p of class 1 → [1 − p, p] per row. */
function twoClasses(p: ArrayLike<number>): Float64Array {
  const out = new Float64Array(2 * p.length);
  for (let i = 0; i < p.length; i++) {
    out[2 * i] = 1 - p[i];
    out[2 * i + 1] = p[i];
  }
  return out;
}

/**
 * Probabilities of the GLM/GAM (classes labelled "0"…"3" by the formula layer) put in the
 * zone order 0…3 by their labels, never by position alone.
 */
function byClassLabel(fit: Float64Array, classes: readonly string[], k: number): Float64Array {
  const n = fit.length / classes.length;
  const out = new Float64Array(n * k);
  classes.forEach((label, j) => {
    const c = Number(label);
    if (!Number.isInteger(c) || c < 0 || c >= k) {
      throw new Error(`thermal zones: unexpected class label ${JSON.stringify(label)}`);
    }
    for (let i = 0; i < n; i++) out[i * k + c] = fit[i * classes.length + j];
  });
  return out;
}

/**
 * Baseline: for SST the zonal climatology of the training rows (mean over training cells
 * at the same latitude and month, else the month's mean); for classes the area-weighted
 * class frequencies of the training rows, so the majority class is always predicted.
 */
function baseline(
  task: TaskName,
  all: Record<string, Float64Array>,
  train: Int32Array,
): Float64Array {
  const n = all.lat.length;
  const w = all.weight;
  if (task === "regression") {
    const key = (i: number) => `${all.lat[i]}|${all.month[i]}`;
    const sums = new Map<string, [number, number]>();
    const months = new Map<number, [number, number]>();
    for (const r of train) {
      for (const [m, k] of [
        [sums, key(r)],
        [months, all.month[r]],
      ] as const) {
        const s = (m as Map<string | number, [number, number]>).get(k) ?? [0, 0];
        s[0] += w[r] * all.sst[r];
        s[1] += w[r];
        (m as Map<string | number, [number, number]>).set(k, s);
      }
    }
    return Float64Array.from({ length: n }, (_, i) => {
      const s = sums.get(key(i)) ?? months.get(all.month[i])!;
      return s[0] / s[1];
    });
  }
  const k = WIDTH[task];
  const freq = new Float64Array(k);
  const y = all[TARGET[task]];
  let sw = 0;
  for (const r of train) {
    freq[y[r]] += w[r];
    sw += w[r];
  }
  for (let c = 0; c < k; c++) freq[c] /= sw;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) out.set(freq, i * k);
  return out;
}

/**
 * Fits the baseline, GLM, GAM and MLP of one task on the training rows and predicts every
 * ocean row. The GAMs are fitted on a spread-out subsample of the training rows (REML on
 * 100 k rows would take minutes); all choose their smoothing parameters by REML. The
 * multinomial GAM (mgcv's multinom) leaves out te(lon, lat), which would give it 9–12
 * smoothing parameters: 8 s on the CMIP5 file's 2,000 rows and 24 s on the STR
 * climatology's, but over 2 minutes on the few hundred rows of the tests (nearly separated
 * classes), so it uses {@link MULTINOM_GAM_SMOOTHS}.
 */
export function fitTask(
  task: TaskName,
  all: Record<string, Float64Array>,
  trainRows: Int32Array,
  settings: FitSettings,
): TaskFit {
  const { log } = settings;
  const train = subset(all, trainRows);
  const y = TARGET[task];
  const k = WIDTH[task];
  const outputs: ModelOutput[] = [];
  const F = formulas(settings.seasonal);

  const [base, baseSeconds] = timed(() => baseline(task, all, trainRows));
  outputs.push({
    model: "baseline",
    label: task === "regression" ? "zonal climatology (lat × month)" : "majority class",
    values: base,
    width: k,
    trainRows: trainRows.length,
    seconds: baseSeconds,
  });

  // GLM: IRLS for SST and warm water, Newton for the multinomial logit.
  let glmFit: GlmResults | null = null;
  const [glmValues, glmSeconds] = timed(() => {
    if (task === "multinomial") {
      const fit = multinomial().fit({
        formula: `zone ~ ${F.classes}`,
        data: train,
        weights: "weight",
      });
      const p = fit.predict(all);
      return byClassLabel(p.fit, p.classes ?? fit.classes, k);
    }
    glmFit =
      task === "regression"
        ? glm({ family: "gaussian" }).fit({
            formula: `sst ~ ${F.sst}`,
            data: train,
            weights: "weight",
          })
        : glm({ family: "binomial", link: "logit" }).fit({
            formula: `warm ~ ${F.classes}`,
            data: train,
            weights: "weight",
          });
    const fit = glmFit.predict(all).fit;
    return task === "binary" ? twoClasses(fit) : Float64Array.from(fit);
  });
  outputs.push({
    model: "glm",
    label: task === "multinomial" ? "multinomial logit (Newton)" : "GLM (IRLS)",
    values: glmValues,
    width: k,
    trainRows: trainRows.length,
    seconds: glmSeconds,
  });
  log(`${task}: GLM fitted in ${glmSeconds.toFixed(1)} s`);

  // GAM through the public API of @geoml/models, on a subsample of the training rows.
  const gamRows = thin(
    trainRows,
    task === "multinomial" ? settings.multinomGamRows : settings.gamRows,
  );
  const gamData = subset(all, gamRows);
  let gamFit: GamResults | MultinomGamResults | undefined;
  const [gamValues, gamSeconds] = timed(() => {
    if (task === "multinomial") {
      const fit = gam(`zone ~ ${F.multinomGam}`, gamData, {
        family: categorical(4) as ReturnType<typeof categorical> & { name: "categorical" },
        weights: "weight",
      });
      gamFit = fit;
      const p = fit.predict(all);
      return byClassLabel(p.fit, fit.classes, k);
    }
    const fit =
      task === "regression"
        ? gam(`sst ~ ${F.gam}`, gamData, { family: gaussian(), weights: "weight" })
        : gam(`warm ~ ${F.gam}`, gamData, {
            family: binomial(),
            weights: "weight",
          });
    gamFit = fit;
    const mu = fit.predict(all).fit;
    return task === "binary" ? twoClasses(mu) : Float64Array.from(mu);
  });
  outputs.push({
    model: "gam",
    label: task === "multinomial" ? `multinom GAM ${F.multinomGam}` : `GAM ${F.gam}`,
    values: gamValues,
    width: k,
    trainRows: gamRows.length,
    seconds: gamSeconds,
  });
  log(`${task}: GAM fitted on ${gamRows.length} rows in ${gamSeconds.toFixed(1)} s`);

  // MLP with the task's family on the periodic inputs.
  const family =
    task === "regression" ? "gaussian" : task === "binary" ? "binomial" : "categorical";
  const net = mlp({
    hidden: [32, 32],
    activation: "tanh",
    family,
    ...(task === "multinomial" ? { classes: 4 } : {}),
    seed: settings.seed,
  });
  const p = MLP_FEATURES.length;
  const [history, mlpSeconds] = timed(() =>
    net.fit(tensor(designMatrix(train), { shape: [trainRows.length, p] }), train[y], {
      epochs: settings.epochs,
      // Small data sets (another file, one month) still get a few hundred steps per epoch.
      batchSize: Math.max(64, Math.min(512, Math.round(trainRows.length / 200))),
      optimizer: adam({ lr: 5e-3 }),
      weights: train.weight,
      validationSplit: 0.1,
      patience: 8,
      onEpoch: ({ epoch, loss }) => {
        settings.onEpoch?.(task, epoch, settings.epochs, loss);
        return undefined;
      },
    }),
  );
  const out = net.predict(tensor(designMatrix(all), { shape: [all.lat.length, p] })).data;
  outputs.push({
    model: "mlp",
    label: `MLP ${p}→32→32→${task === "multinomial" ? 4 : 1} tanh (Adam)`,
    values: task === "binary" ? twoClasses(out) : Float64Array.from(out),
    width: k,
    trainRows: trainRows.length,
    seconds: mlpSeconds,
  });
  log(`${task}: MLP trained ${history.loss.length} epochs in ${mlpSeconds.toFixed(1)} s`);
  return {
    task,
    outputs,
    glm: glmFit,
    gam: gamFit!,
    history: {
      loss: history.loss,
      validationLoss: history.validationLoss,
      bestEpoch: history.bestEpoch,
    },
  };
}

export { ZONES };
