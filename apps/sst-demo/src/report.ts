import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DataArray } from "@geoml/grid";
import type { GlmResults } from "@geoml/models";
import { lineChart } from "./plot/chart.js";
import { blueWhiteRed, type Colormap, cssGradient, viridis } from "./plot/colormap.js";
import { renderMap } from "./plot/map.js";
import { type DemoSummary, FREEZING_SST } from "./summary.js";

interface ReportInput {
  out: string;
  /** `sst`, `sst_glm`, `sst_mlp`, `warm_pool_probability`, all `time, latitude, longitude`. */
  grids: DataArray[];
  ocean: DataArray;
  summary: DemoSummary;
  sstGlm: GlmResults;
  warmGlm: GlmResults;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function escapeHtml(s: string): string {
  return s.replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!);
}

/** One month of a `time, latitude, longitude` grid, NaN off the ocean. */
function monthOf(grid: DataArray, month: number, ocean: DataArray): Float64Array {
  const cells = grid.shape[1] * grid.shape[2];
  const out = Float64Array.from(grid.data as ArrayLike<number> as Float64Array).subarray(
    month * cells,
    (month + 1) * cells,
  );
  for (let i = 0; i < cells; i++) if (!ocean.data[i]) out[i] = Number.NaN;
  return out;
}

/** Writes `report.html` (maps inline, no file beside it) into `out`; returns the files written. */
export async function writeReport(input: ReportInput): Promise<string[]> {
  const { out, ocean, summary } = input;
  const byName = new Map(input.grids.map((g) => [g.name, g]));
  const lat = byName.get("sst")!.coords.latitude.values as Float64Array;
  const lon = byName.get("sst")!.coords.longitude.values as Float64Array;
  const files: string[] = [];
  const figures: string[] = [];

  const map = async (
    file: string,
    values: Float64Array,
    colormap: Colormap,
    vmin: number,
    vmax: number,
    caption: string,
  ) => {
    // Inline, so the report can be mailed or moved on its own.
    const png = renderMap({ values, lat, lon, colormap, vmin, vmax, scale: 3 });
    const src = `data:image/png;base64,${Buffer.from(png).toString("base64")}`;
    figures.push(
      `<figure id="${file.replace(/\.png$/, "")}"><img src="${src}" alt="${escapeHtml(caption)}"><figcaption>${escapeHtml(caption)}` +
        `<div class="bar" style="background:${cssGradient(colormap)}"></div>` +
        `<div class="range"><span>${vmin}</span><span>${vmax}</span></div></figcaption></figure>`,
    );
  };

  for (const month of [0, 7]) {
    const observed = monthOf(byName.get("sst")!, month, ocean);
    const glm = monthOf(byName.get("sst_glm")!, month, ocean);
    const mlp = monthOf(byName.get("sst_mlp")!, month, ocean);
    const name = MONTHS[month];
    await map(`sst_observed_${name}.png`, observed, viridis, -2, 32, `${name}: observed SST (°C)`);
    await map(`sst_glm_${name}.png`, glm, viridis, -2, 32, `${name}: Gaussian GLM (°C)`);
    await map(`sst_mlp_${name}.png`, mlp, viridis, -2, 32, `${name}: MLP 32-32 tanh (°C)`);
    const residual = mlp.map((v, i) => v - observed[i]);
    await map(
      `sst_mlp_residual_${name}.png`,
      residual,
      blueWhiteRed,
      -4,
      4,
      `${name}: MLP − observed (°C)`,
    );
  }
  for (const month of [2, 8]) {
    const p = monthOf(byName.get("warm_pool_probability")!, month, ocean);
    await map(
      `warm_pool_${MONTHS[month]}.png`,
      p,
      viridis,
      0,
      1,
      `${MONTHS[month]}: P(SST ≥ 26.5 °C), Bernoulli GLM`,
    );
  }

  // Where the GLM goes below freezing: months per cell with SST < −1.8 °C.
  const glmGrid = byName.get("sst_glm")!.data as ArrayLike<number>;
  const cells = lat.length * lon.length;
  const frozenMonths = new Float64Array(cells).fill(Number.NaN);
  for (let c = 0; c < cells; c++) {
    if (!ocean.data[c]) continue;
    let n = 0;
    for (let m = 0; m < 12; m++) if (glmGrid[m * cells + c] < FREEZING_SST) n++;
    frozenMonths[c] = n;
  }
  await map(
    "glm_below_freezing.png",
    frozenMonths,
    viridis,
    0,
    12,
    "Gaussian GLM: months predicted below −1.8 °C (physically impossible)",
  );

  const curve = lineChart({
    series: [
      {
        name: "training",
        points: summary.mlpHistory.loss.map((v, i) => [i + 1, v] as const),
        color: "#1f77b4",
      },
      {
        name: "validation",
        points: summary.mlpHistory.validationLoss.map((v, i) => [i + 1, v] as const),
        color: "#d62728",
      },
    ],
    xLabel: "epoch",
    yLabel: "Gaussian NLL (weighted mean)",
    logY: true,
  });

  const row = (name: string, m: { rmse: number; mae: number; r2: number }) =>
    `<tr><td>${name}</td><td>${m.rmse.toFixed(3)}</td><td>${m.mae.toFixed(3)}</td><td>${m.r2.toFixed(4)}</td></tr>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>geoml — SST demo</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
figure{display:inline-block;margin:0 12px 16px 0}figcaption{font-size:13px}
.bar{height:8px;width:100%;margin-top:4px}.range{display:flex;justify-content:space-between;font-size:11px}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}
</style></head><body>
<h1>Sea-surface temperature: GLM and MLP on one family</h1>
<p>Data: STR SST climatology (1950–1979, 2° grid, 12 months; NCL example data), ocean cells from the
1° NCAR land–sea mask. ${summary.rows.train} training rows, ${summary.rows.test} held-out rows
(a seeded random fifth). Scores are area-weighted (cos latitude) on the held-out rows.</p>
<h2>Held-out scores</h2>
<table><tr><th>model</th><th>RMSE °C</th><th>MAE °C</th><th>R²</th></tr>
${row("Gaussian GLM (IRLS)", summary.sst.glm)}
${row("MLP 6→32→32→1 tanh (Adam)", summary.sst.mlp)}
</table>
<p>Warm pool (SST ≥ 26.5 °C), Bernoulli GLM with logit link: held-out accuracy
${(summary.warmPool.testAccuracy * 100).toFixed(1)}%, Brier score ${summary.warmPool.testBrier.toFixed(4)}.</p>
<h2>Physically impossible predictions</h2>
<p>Sea water freezes near ${FREEZING_SST} °C. Ocean rows (cell × month) predicted colder than that:
Gaussian GLM ${summary.impossible.glm} of ${summary.rows.train + summary.rows.test},
MLP ${summary.impossible.mlp}. The GLM's polynomial in latitude overshoots in polar winters;
the map below shows where (months per cell).</p>
<h2>Maps</h2>
${figures.join("\n")}
<h2>MLP learning curve</h2>
${curve}
<p>Best epoch: ${summary.mlpHistory.bestEpoch} (weights restored from it).</p>
<h2>Gaussian GLM</h2>
<pre>${escapeHtml(input.sstGlm.summary())}</pre>
<h2>Bernoulli GLM (warm pool)</h2>
<pre>${escapeHtml(input.warmGlm.summary())}</pre>
</body></html>
`;
  const htmlPath = join(out, "report.html");
  await writeFile(htmlPath, html);
  files.push(htmlPath);
  return files;
}
