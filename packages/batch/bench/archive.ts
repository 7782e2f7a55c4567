/**
 * A per-cell fit over an archive larger than the memory budget: N yearly files of daily
 * 0.25° SST (1.5 GB each, generated into the temp folder by make_archive.py and removed
 * afterwards), trend + two harmonics per cell with `batchFit` in a fresh process (peak RSS
 * measured), beside reading the same files with xarray + dask.
 *
 *     FILES=3 npx tsx packages/batch/bench/archive.ts
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";

const FILES = Number(process.env.FILES ?? 3);
const CHUNK = Number(process.env.CHUNK_CELLS ?? 11520);
const THREADS = Number(process.env.WORKERS ?? 1);
const dir = mkdtempSync(join(tmpdir(), "geoml-archive-"));
try {
  console.log(
    `# ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  let r = spawnSync(
    "/usr/bin/python3",
    [join(import.meta.dirname, "make_archive.py"), dir, `${FILES}`],
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
  r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child], {
    cwd: import.meta.dirname,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  const ours = JSON.parse(r.stdout.trim().split("\n").pop()!);
  r = spawnSync(
    "/usr/bin/python3",
    [
      join(import.meta.dirname, "read_peer.py"),
      join(dir, "sst_*.nc"),
      `${Math.max(1, Math.floor(CHUNK / 1440))}`,
      `${THREADS}`,
    ],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  const peer = JSON.parse(r.stdout);
  console.log(
    `archive: ${FILES} files, ${(mb / 1000).toFixed(2)} GB; chunks of ${CHUNK} cells; ${THREADS} thread(s)`,
  );
  console.log("| case | seconds | MB/s | peak RSS |");
  console.log("| --- | ---: | ---: | ---: |");
  console.log(
    `| geoml batchFit (read + fit + write) | ${ours.seconds.toFixed(1)} | ${(mb / ours.seconds).toFixed(0)} | ${(ours.rss / 2 ** 20).toFixed(0)} MiB |`,
  );
  console.log(
    `| xarray + dask ${peer.dask} (read + count only) | ${peer.seconds.toFixed(1)} | ${(mb / peer.seconds).toFixed(0)} | ${(peer.rss / 2 ** 20).toFixed(0)} MiB |`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
