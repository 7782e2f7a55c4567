import type { ClassScores, Metrics } from "./metrics.js";
import type { DemoSummary, ModelRow } from "./summary.js";

/** Column headers and cells of the three tables, shared by the terminal and the report. */
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
}

function regression(rows: ModelRow<Metrics>[]): string[][] {
  return rows.map((r) => [
    r.label,
    r.scores.rmse.toFixed(3),
    r.scores.mae.toFixed(3),
    r.scores.r2.toFixed(4),
  ]);
}

function classes(rows: ModelRow<ClassScores>[]): string[][] {
  return rows.map((r) => [
    r.label,
    `${(r.scores.accuracy * 100).toFixed(1)}%`,
    r.scores.logLoss.toFixed(4),
    r.scores.brier.toFixed(4),
  ]);
}

/** The three tables of held-out, area-weighted scores. */
export function scoreTables(s: DemoSummary): Table[] {
  const cls = ["model", "accuracy", "log-loss", "Brier"];
  return [
    {
      title: "SST regression (Gaussian), °C",
      header: ["model", "RMSE", "MAE", "R²"],
      rows: regression(s.regression),
    },
    { title: "Warm water ≥ 26.5 °C (Bernoulli)", header: cls, rows: classes(s.binary) },
    {
      title: "Thermal zones (Categorical: polar, temperate, subtropical, tropical)",
      header: cls,
      rows: classes(s.multinomial),
    },
  ];
}

/** A table as aligned plain text (first column left, numbers right). */
export function formatTable(t: Table): string {
  const all = [t.header, ...t.rows];
  const widths = t.header.map((_, j) => Math.max(...all.map((r) => r[j].length)));
  const line = (r: string[]) =>
    r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ");
  return [t.title, line(t.header), ...t.rows.map(line)].join("\n");
}
