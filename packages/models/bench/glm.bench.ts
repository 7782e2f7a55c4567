/**
 * GLM benchmark: logistic and Poisson regression on 1,000,000 rows × 20 features,
 * fitted to convergence by geoml (IRLS), statsmodels GLM (IRLS) and scikit-learn
 * (lbfgs, no penalty), each in its own process so peak memory is comparable.
 * statsmodels and scikit-learn run with Debian's OpenBLAS (pthread) and, for
 * reference, with the reference BLAS.
 *
 *   npx tsx bench/glm.bench.ts [rows]      (default 1000000)
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

const rows: string[][] = [];
for (const which of ["logit", "poisson"] as const) {
  const ours = run(process.execPath, [
    "--import",
    "tsx",
    join(here, "glm", "fit.ts"),
    prefix,
    String(n),
    which,
  ]);
  const peer = (tool: string, env: NodeJS.ProcessEnv) =>
    run("/usr/bin/python3", [join(here, "glm", "peers.py"), prefix, String(n), which, tool], env);
  const contenders: [string, Run][] = [
    ["geoml IRLS", ours],
    ["statsmodels GLM (OpenBLAS)", peer("statsmodels", peerEnv)],
    ["scikit-learn lbfgs (OpenBLAS)", peer("sklearn", peerEnv)],
    ["statsmodels GLM (reference BLAS)", peer("statsmodels", referenceBlasEnv)],
    ["scikit-learn lbfgs (reference BLAS)", peer("sklearn", referenceBlasEnv)],
  ];
  const sm = contenders[1][1].params;
  for (const [name, r] of contenders) {
    const diff = Math.max(...r.params.map((v, j) => Math.abs(v - sm[j])));
    rows.push([
      which,
      name,
      r.seconds.toFixed(2),
      r.cpuSeconds.toFixed(2),
      (r.seconds / ours.seconds).toFixed(2),
      r.peakMiB.toFixed(0),
      (r.peakMiB / ours.peakMiB).toFixed(2),
      String(r.iterations),
      diff.toExponential(1),
    ]);
    if (r.blas) console.error(`${which} ${name}: ${r.blas.join("; ")}`);
  }
}
const head = [
  "model",
  "fitter",
  "wall s",
  "cpu s",
  "time ÷ geoml",
  "peak MiB",
  "memory ÷ geoml",
  "iterations",
  "max |β − β_statsmodels|",
];
const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j])).join(" | ")} |`;
console.log(`GLM, ${n} rows × 20 features (+ intercept)\n`);
console.log(line(head));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
