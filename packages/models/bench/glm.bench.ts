/**
 * GLM benchmark: logistic and Poisson regression on 1,000,000 rows × 20 features,
 * fitted to convergence by geoml (IRLS), statsmodels GLM (IRLS) and scikit-learn
 * (lbfgs, no penalty), each in its own process so peak memory is comparable.
 * statsmodels and scikit-learn run with Debian's OpenBLAS (pthread) and, for
 * reference, with the reference BLAS.
 *
 * geoml and scikit-learn, a few seconds each, run REPEATS times (default 5) in turns,
 * so that a busy spell on a shared machine falls on every contender alike; the table
 * gives their median and range. statsmodels (~10 s a fit) runs once.
 *
 *   npx tsx bench/glm.bench.ts [rows]      (default 1000000; REPEATS=5)
 */
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeProblem } from "./glm/data.js";

const here = dirname(fileURLToPath(import.meta.url));
const n = Number(process.argv[2] ?? 1_000_000);
const prefix = join(tmpdir(), `geoml-glm-bench-${n}`);
writeProblem(prefix, n);

interface Run {
  seconds: number;
  cpuSeconds: number;
  peakMiB: number;
  iterations: number;
  params: number[];
  blas?: string[];
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const out = execFileSync(cmd, args, { env, encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop()!) as Run;
}

// the peers' own command only: the machine-wide OpenBLAS tuning variables are unset
const peerEnv = { ...process.env };
delete peerEnv.OPENBLAS_CORETYPE;
delete peerEnv.OPENBLAS_L2_SIZE;
const referenceBlasEnv = { ...peerEnv, LD_LIBRARY_PATH: "/usr/lib/x86_64-linux-gnu/blas" };

const repeats = Math.max(1, Number(process.env.REPEATS ?? 5));
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spread = (v: number[]) =>
  v.length > 1
    ? `${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})`
    : v[0].toFixed(2);

const rows: string[][] = [];
for (const which of ["logit", "poisson"] as const) {
  const ours = () =>
    run(process.execPath, [
      "--import",
      "tsx",
      join(here, "glm", "fit.ts"),
      prefix,
      String(n),
      which,
    ]);
  const peer = (tool: string, env: NodeJS.ProcessEnv) => () =>
    run("/usr/bin/python3", [join(here, "glm", "peers.py"), prefix, String(n), which, tool], env);
  const contenders: [name: string, fit: () => Run, times: number][] = [
    ["geoml IRLS", ours, repeats],
    ["statsmodels GLM (OpenBLAS)", peer("statsmodels", peerEnv), 1],
    ["scikit-learn lbfgs (OpenBLAS)", peer("sklearn", peerEnv), repeats],
    ["statsmodels GLM (reference BLAS)", peer("statsmodels", referenceBlasEnv), 1],
    ["scikit-learn lbfgs (reference BLAS)", peer("sklearn", referenceBlasEnv), repeats],
  ];
  const runs: Run[][] = contenders.map(() => []);
  for (let r = 0; r < repeats; r++)
    contenders.forEach(([, fit, times], c) => {
      if (r < times) runs[c].push(fit());
    });
  const sm = runs[1][0].params;
  const oursWall = median(runs[0].map((r) => r.seconds));
  const oursPeak = median(runs[0].map((r) => r.peakMiB));
  contenders.forEach(([name], c) => {
    const rs = runs[c];
    const r = rs[0];
    const wall = rs.map((x) => x.seconds);
    const peak = median(rs.map((x) => x.peakMiB));
    const diff = Math.max(...r.params.map((v, j) => Math.abs(v - sm[j])));
    rows.push([
      which,
      name,
      spread(wall),
      spread(rs.map((x) => x.cpuSeconds)),
      (median(wall) / oursWall).toFixed(2),
      peak.toFixed(0),
      (peak / oursPeak).toFixed(2),
      String(r.iterations),
      diff.toExponential(1),
    ]);
    if (r.blas) console.error(`${which} ${name}: ${r.blas.join("; ")}`);
  });
}
const head = [
  "model",
  "fitter",
  "wall s: median (range)",
  "cpu s",
  "time ÷ geoml",
  "peak MiB",
  "memory ÷ geoml",
  "iterations",
  "max |β − β_statsmodels|",
];
const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j])).join(" | ")} |`;
console.log(
  `GLM, ${n} rows × 20 features (+ intercept); ${repeats} run${repeats === 1 ? "" : "s"} of geoml and scikit-learn\n`,
);
console.log(line(head));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
