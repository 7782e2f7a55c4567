import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DataArray } from "@geoml/grid";
import type { GamResults } from "@geoml/models";
import { lineSvg, mapSvg } from "@geoml/plot";
import { svgToPng } from "@geoml/plot/png";
import type { TaskMaps } from "./demo.js";
import { GAM_SMOOTHS, type TaskFit, type TaskName } from "./fit.js";
import { type DemoSummary, FREEZING_SST, MODELS, type ModelName, ZONES } from "./summary.js";
import { scoreTables, type Table } from "./tables.js";

interface ReportInput {
  out: string;
  ocean: DataArray;
  lat: Float64Array;
  lon: Float64Array;
  maps: TaskMaps[];
  fits: TaskFit[];
  summary: DemoSummary;
  /** Months (1–12) offered by the month selector, with their index on the time axis. */
  months: { month: number; index: number }[];
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const MODEL_TITLE: Record<ModelName, string> = {
  baseline: "Baseline",
  glm: "GLM",
  gam: "GAM",
  mlp: "MLP",
};

/** How each task's maps are coloured and what its residual means. */
const STYLE: Record<
  TaskName,
  {
    title: string;
    units: string;
    range: [number, number];
    cmap: "viridis" | "coolwarm";
    residual: string;
    residualRange: number;
  }
> = {
  regression: {
    title: "SST",
    units: "°C",
    range: [-2, 32],
    cmap: "viridis",
    residual: "prediction − observed (°C)",
    residualRange: 4,
  },
  binary: {
    title: "Warm water (SST ≥ 26.5 °C)",
    units: "probability",
    range: [0, 1],
    cmap: "viridis",
    residual: "P(warm) − observed (0/1)",
    residualRange: 1,
  },
  multinomial: {
    title: "Thermal zones",
    units: `zone: ${ZONES.map((z, i) => `${i} ${z}`).join(", ")}`,
    range: [0, 3],
    cmap: "viridis",
    residual: "predicted − observed zone",
    residualRange: 3,
  },
};

function escapeHtml(s: string): string {
  return s.replace(
    /[<>&"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!,
  );
}

/** One month of a `time, latitude, longitude` grid, NaN off the ocean. */
function monthOf(grid: DataArray, month: number, ocean: DataArray): Float64Array {
  const cells = grid.shape[1] * grid.shape[2];
  const out = Float64Array.from(
    (grid.data as Float64Array).subarray(month * cells, (month + 1) * cells),
  );
  for (let i = 0; i < cells; i++) if (!ocean.data[i]) out[i] = Number.NaN;
  return out;
}

function htmlTable(t: Table): string {
  const head = t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = t.rows
    .map(
      (r) =>
        `<tr>${r.map((c, j) => (j === 0 ? `<td class="l">${escapeHtml(c)}</td>` : `<td>${c}</td>`)).join("")}</tr>`,
    )
    .join("\n");
  return `<h3>${escapeHtml(t.title)}</h3><table><tr>${head}</tr>\n${body}</table>`;
}

/** Writes `report.html` (every image inline, no file beside it) into `out`. */
export async function writeReport(input: ReportInput): Promise<string[]> {
  const { out, ocean, lat, lon, summary } = input;

  const map = (
    id: string,
    values: Float64Array,
    cmap: "viridis" | "coolwarm",
    vmin: number,
    vmax: number,
    caption: string,
    units: string,
  ) => {
    const field = new DataArray({
      name: "field",
      dims: ["latitude", "longitude"],
      shape: [lat.length, lon.length],
      data: values,
      coords: {
        latitude: { dims: ["latitude"], values: lat, attrs: { units: "degrees_north" } },
        longitude: { dims: ["longitude"], values: lon, attrs: { units: "degrees_east" } },
      },
      attrs: { long_name: caption, units },
    });
    // Inline PNG, so the report can be mailed or moved on its own.
    const png = svgToPng(mapSvg(field, { cmap, vmin, vmax, width: 400 }));
    const src = `data:image/png;base64,${Buffer.from(png).toString("base64")}`;
    return `<figure id="${id}"><img src="${src}" alt="${escapeHtml(caption)}" width="400"></figure>`;
  };

  // Maps: per month, per task, the truth then prediction and residual of every model.
  const monthSections: string[] = [];
  for (const [i, { month: m, index: t }] of input.months.entries()) {
    const name = MONTHS[m - 1];
    const parts: string[] = [];
    for (const tm of input.maps) {
      const st = STYLE[tm.task];
      const truth = monthOf(tm.truth, t, ocean);
      const figures = [
        map(
          `${tm.task}_truth_${name}`,
          truth,
          st.cmap,
          st.range[0],
          st.range[1],
          `${name}: observed ${st.title}`,
          st.units,
        ),
      ];
      for (const model of MODELS) {
        const pred = monthOf(tm.predictions[model], t, ocean);
        figures.push(
          map(
            `${tm.task}_${model}_${name}`,
            pred,
            st.cmap,
            st.range[0],
            st.range[1],
            `${name}: ${MODEL_TITLE[model]}`,
            st.units,
          ),
          map(
            `${tm.task}_${model}_residual_${name}`,
            pred.map((v, c) => v - truth[c]),
            "coolwarm",
            -st.residualRange,
            st.residualRange,
            `${name}: ${MODEL_TITLE[model]}, ${st.residual}`,
            st.units,
          ),
        );
      }
      parts.push(`<h3>${escapeHtml(st.title)}</h3>\n${figures.join("\n")}`);
    }
    monthSections.push(
      `<section class="month" data-month="${m}"${i === 0 ? "" : " hidden"}>\n${parts.join("\n")}\n</section>`,
    );
  }
  const options = input.months
    .map(({ month: m }) => `<option value="${m}">${MONTHS[m - 1]}</option>`)
    .join("");

  // Where the GLM goes below freezing: months per cell with SST < −1.8 °C.
  const glmGrid = input.maps[0].predictions.glm.data as Float64Array;
  const nt = input.maps[0].truth.shape[0];
  const cells = lat.length * lon.length;
  const frozenMonths = new Float64Array(cells).fill(Number.NaN);
  for (let c = 0; c < cells; c++) {
    if (!ocean.data[c]) continue;
    let n = 0;
    for (let m = 0; m < nt; m++) if (glmGrid[m * cells + c] < FREEZING_SST) n++;
    frozenMonths[c] = n;
  }
  const frozenMap = map(
    "glm_below_freezing",
    frozenMonths,
    "viridis",
    0,
    nt,
    "GLM: months predicted below −1.8 °C (physically impossible)",
    "months",
  );

  // GAM partial effects with 95% bands (Gaussian and binary GAMs).
  const partials: string[] = [];
  for (const fit of input.fits.slice(0, 2)) {
    const g = fit.gam as GamResults;
    for (const label of ["s(lat)", "s(month)"]) {
      if (!g.smooths.some((sm) => sm.label === label)) continue;
      const pe = g.partialEffect(label, { points: 100 });
      const v = pe.vars[0];
      partials.push(
        `<figure id="partial_${fit.task}_${v}">${lineSvg(
          [
            {
              x: pe.x[v],
              y: pe.fit,
              band: { lower: pe.lower, upper: pe.upper },
              label: `${label}, 95% band`,
            },
          ],
          {
            title: `${STYLE[fit.task].title}: ${label}`,
            xlabel: v === "lat" ? "latitude (°N)" : "month",
            ylabel: fit.task === "regression" ? "effect on SST (°C)" : "effect on logit P(warm)",
            width: 420,
            height: 280,
          },
        )}</figure>`,
      );
    }
  }

  // MLP learning curves.
  const curves = (["regression", "binary", "multinomial"] as const).map((task) => {
    const h = summary.mlpHistory[task];
    const epochs = h.loss.map((_, i) => i + 1);
    return `<figure id="mlp_curve_${task}">${lineSvg(
      [
        { x: epochs, y: h.loss, label: "training", color: "#1f77b4" },
        { x: epochs, y: h.validationLoss, label: "validation", color: "#d62728" },
      ],
      {
        title: `MLP, ${STYLE[task].title}`,
        xlabel: "epoch",
        ylabel: task === "regression" ? "Gaussian NLL" : "log-loss",
        width: 420,
        height: 280,
      },
    )}<figcaption>best epoch ${h.bestEpoch}</figcaption></figure>`;
  });

  const tables = scoreTables(summary).map(htmlTable).join("\n");
  const reg = Object.fromEntries(summary.regression.map((r) => [r.model, r.scores]));
  const bin = Object.fromEntries(summary.binary.map((r) => [r.model, r.scores]));
  const mul = Object.fromEntries(summary.multinomial.map((r) => [r.model, r.scores]));
  const best = (rows: { model: string; value: number }[], lower: boolean) =>
    rows.reduce((a, b) => ((lower ? b.value < a.value : b.value > a.value) ? b : a)).model;
  const bestReg = best(
    summary.regression.map((r) => ({ model: r.model, value: r.scores.rmse })),
    true,
  );
  const bestZone = best(
    summary.multinomial.map((r) => ({ model: r.model, value: r.scores.logLoss })),
    true,
  );

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>geoml — SST demo</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1300px;margin:2em auto;padding:0 1em;color:#222}
figure{display:inline-block;margin:0 10px 14px 0;vertical-align:top}figcaption{font-size:13px}
table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td.l{text-align:left}ul.notes{font-size:14px}
</style></head><body>
<h1>Sea-surface temperature: three tasks, four models, one family each</h1>
<p>Data: ${escapeHtml(summary.source)}. Three tasks on the same rows (ocean cell × month): the SST itself
(Gaussian), warm water SST ≥ 26.5 °C (Bernoulli), and four thermal zones — polar &lt; 5 °C,
temperate 5–18 °C, subtropical 18–26.5 °C, tropical ≥ 26.5 °C (Categorical). Each is fitted by a
baseline, a GLM with harmonic and polynomial features, a GAM (${escapeHtml(GAM_SMOOTHS)}) and an MLP.</p>
<p><b>Held-out scheme.</b> The globe is cut into ${summary.split.blockDegrees}°×${summary.split.blockDegrees}°
blocks; in every latitude band a seeded fifth of the blocks is held out with all its months
(${summary.split.heldBlocks} of ${summary.split.blocks} blocks, ${summary.rows.test} rows; ${summary.rows.train} training rows).
Whole blocks, because neighbouring 2° cells have nearly the same SST: a random split of cells
would score interpolation between neighbours and flatter the most flexible models. Scores are
area-weighted (cos latitude).</p>
<h2>Held-out scores</h2>
${tables}
<ul class="notes">${summary.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>
<h2>What it shows</h2>
<p>For SST the best held-out RMSE is the ${MODEL_TITLE[bestReg as ModelName]}'s
(${reg[bestReg].rmse.toFixed(2)} °C, against ${reg.baseline.rmse.toFixed(2)} °C for the zonal
climatology of the training blocks, ${reg.glm.rmse.toFixed(2)} °C for the GLM and
${reg.gam.rmse.toFixed(2)} °C for the GAM). The GAM's smooths are additive: s(lat) + s(month)
gives every latitude the same seasonal cycle, so it cannot reverse the seasons between the
hemispheres, which the GLM's month × sin(latitude) terms and the MLP can. For warm water the
GLM reaches ${(bin.glm.accuracy * 100).toFixed(1)}% and the MLP ${(bin.mlp.accuracy * 100).toFixed(1)}%,
against ${(bin.baseline.accuracy * 100).toFixed(1)}% for always answering the majority class. For
thermal zones the lowest log-loss is the ${MODEL_TITLE[bestZone as ModelName]}'s
(${mul[bestZone].logLoss.toFixed(3)}, majority class ${mul.baseline.logLoss.toFixed(3)}). The residual
maps show where each model errs in the month chosen.</p>
<h2>Physically impossible predictions</h2>
<p>Sea water freezes near ${FREEZING_SST} °C. Ocean rows (cell × month) predicted colder than that, of
${summary.rows.train + summary.rows.test}: ${MODELS.map((m) => `${MODEL_TITLE[m]} ${summary.impossible[m]}`).join(", ")}.
The map shows where the GLM does it (months per cell): its polynomial in latitude overshoots in polar winters.</p>
${frozenMap}
<h2>Maps</h2>
<p>Observed field, then each model's prediction and residual. Month:
<select id="month-select">${options}</select></p>
${monthSections.join("\n")}
<h2>GAM partial effects</h2>
<p>Centred smooths with pointwise 95% bands (Bayesian posterior covariance, as mgcv's
<code>plot.gam</code>). Smoothing parameters are chosen by REML.
te(lon, lat) contains functions of latitude alone too; as mgcv's <code>gam.side</code> does,
the overlap with s(lat) is removed from te(lon, lat) before fitting.</p>
${partials.join("\n")}
<h2>MLP training curves</h2>
${curves.join("\n")}
<script>
document.getElementById("month-select").addEventListener("change", function (e) {
  for (const s of document.querySelectorAll("section.month")) s.hidden = s.dataset.month !== e.target.value;
});
</script>
</body></html>
`;
  const htmlPath = join(out, "report.html");
  await writeFile(htmlPath, html);
  return [htmlPath];
}
