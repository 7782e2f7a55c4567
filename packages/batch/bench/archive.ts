/**
 * A per-cell fit over an archive larger than the memory budget: N yearly files of daily
 * 0.25° SST (1.5 GB each, generated into the temp folder by make_archive.py outside the
 * clock and removed afterwards), trend + two harmonics per cell with `batchFit` in a fresh
 * process (peak RSS measured), beside reading the same files with xarray + dask in a fresh
 * process. ROUNDS rounds (default 3), which side goes first alternating; median and range.
 * The table is printed between `<!-- bench:batch/archive -->` lines for docs/benchmarks.md.
 *
 *     FILES=2 npx tsx packages/batch/bench/archive.ts
 *
 * FILES (default 2), CHUNK_CELLS (11520), WORKERS (1), ROUNDS (3); ARCHIVE_ROWS (720
 * latitude rows) makes smaller files for a quick run.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";

const FILES = Number(process.env.FILES ?? 2);
const CHUNK = Number(process.env.CHUNK_CELLS ?? 11520);
const THREADS = Number(process.env.WORKERS ?? 1);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const ROWS = Number(process.env.ARCHIVE_ROWS ?? 720);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const spread = (v: number[]) =>
  `${median(v).toFixed(1)} (${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)})`;
const dir = mkdtempSync(join(tmpdir(), "geoml-archive-"));
try {
  const r = spawnSync(
    "/usr/bin/python3",
    [join(import.meta.dirname, "make_archive.py"), dir, `${FILES}`, `${ROWS}`],
    {
      stdio: ["ignore", "inherit", "inherit"],
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error("archive generation failed");
  const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  const mb = bytes / 1e6;
  const child = `
import { batchFit } from ${JSON.stringify(join(import.meta.dirname, "..", "src", "index.ts"))};
const t = performance.now();
await batchFit({ files: ${JSON.stringify(join(dir, "sst_*.nc"))}, out: ${JSON.stringify(join(dir, "trend.nc"))},
  formula: "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12) + cos(4*pi*month/12) + sin(4*pi*month/12)",
  chunkCells: ${CHUNK}, workers: ${THREADS} });
console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000, rss: process.resourceUsage().maxRSS * 1024 }));`;
  const ours = () => {
    const c = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child], {
      cwd: import.meta.dirname,
      encoding: "utf8",
    });
    if (c.status !== 0) throw new Error(c.stderr);
    rmSync(join(dir, "trend.nc"), { force: true });
    return JSON.parse(c.stdout.trim().split("\n").pop()!) as { seconds: number; rss: number };
  };
  const peer = () => {
    const c = spawnSync(
      "/usr/bin/python3",
      [
        join(import.meta.dirname, "read_peer.py"),
        join(dir, "sst_*.nc"),
        `${Math.max(1, Math.floor(CHUNK / 1440))}`,
        `${THREADS}`,
      ],
      { encoding: "utf8" },
    );
    if (c.status !== 0) throw new Error(c.stderr);
    return JSON.parse(c.stdout) as { seconds: number; rss: number; dask: string };
  };
  const loadBefore = load();
  const o: { seconds: number; rss: number }[] = [];
  const p: { seconds: number; rss: number; dask: string }[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    if (k % 2 === 0) {
      o.push(ours());
      p.push(peer());
    } else {
      p.push(peer());
      o.push(ours());
    }
  }
  const row = (what: string, runs: { seconds: number; rss: number }[]) => {
    const s = runs.map((x) => x.seconds);
    const peak = Math.max(...runs.map((x) => x.rss)) / 2 ** 20;
    return `| ${what} | ${spread(s)} | ${(mb / median(s)).toFixed(0)} | ${peak.toFixed(0)} MiB |`;
  };
  // the table as docs/benchmarks.md shows it (`pnpm bench` puts it there)
  console.log("<!-- bench:batch/archive -->");
  console.log(
    `\`FILES=${FILES} npx tsx packages/batch/bench/archive.ts\`: ${FILES} files of 365 × ${ROWS} × 1440 float32, ${(mb / 1000).toFixed(2)} GB; ` +
      `chunks of ${CHUNK} cells, ${THREADS} thread(s) each side; node ${process.version}, dask ${p[0].dask}, ` +
      `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${loadBefore} before, ${load()} after; ` +
      `${ROUNDS} rounds in turns, fresh process each, median seconds (lowest–highest), MB/s of the median, largest peak RSS.\n`,
  );
  console.log("| case | seconds | MB/s | peak RSS |");
  console.log("| --- | ---: | ---: | ---: |");
  console.log(row("geoml `batchFit` (read + fit every ocean cell + write)", o));
  console.log(row("xarray + dask (read + count only, chunks of whole rows × all steps)", p));
  console.log("<!-- /bench:batch/archive -->");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
