// NetCDF read benchmark: @geoml/netcdf vs xarray (decoded) and netCDF4-python (raw) on the
// same generated files, each measurement in its own process (time of open + read, peak RSS).
// Inputs come from /usr/bin/python3 tools/gen_big_netcdf.py (run here if they are missing).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
const files = {
  "NetCDF-3": `${root}datasets/generated/big_nc3.nc`,
  "NetCDF-4 deflate": `${root}datasets/generated/big_nc4_deflate.nc`,
};
const reps = Number(process.env.BENCH_REPS ?? 3);

// Measure the library as users run it (plain Node on JavaScript), not through the tsx
// loader, which re-transforms h5wasm's 4 MB module on every start. esbuild is tsx's own
// dependency; h5wasm stays external and resolves from this package's node_modules.
const caseBundle = fileURLToPath(
  new URL("../node_modules/.cache/geoml-bench/case.mjs", import.meta.url),
);
const esbuild = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"))(
  "esbuild",
);
await esbuild.build({
  entryPoints: [`${here}case.ts`],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: caseBundle,
  external: ["h5wasm", "h5wasm/*"],
  logLevel: "error",
});
// The HDF5 worker is loaded by URL next to the reader: put it next to the bundle.
copyFileSync(
  fileURLToPath(new URL("../src/nc4/hdf5-worker.mjs", import.meta.url)),
  join(dirname(caseBundle), "hdf5-worker.mjs"),
);

interface Run {
  seconds: number;
  warmSeconds?: number;
  rssMB: number;
  bytes: number;
  sum: number;
}

function run(cmd: string, args: string[]): Run {
  const out = execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Run;
}

function best(f: () => Run): Run {
  const runs = Array.from({ length: reps }, f);
  const warm = runs.map((r) => r.warmSeconds ?? Number.POSITIVE_INFINITY);
  runs.sort((a, b) => a.seconds - b.seconds);
  return {
    ...runs[0],
    warmSeconds: Math.min(...warm),
    rssMB: Math.max(...runs.map((r) => r.rssMB)),
  };
}

const rows: string[] = [];
for (const [kind, path] of Object.entries(files)) {
  if (!existsSync(path)) {
    console.error(`${path} missing: generating it with tools/gen_big_netcdf.py (about 1 GB)`);
    execFileSync("/usr/bin/python3", [`${root}tools/gen_big_netcdf.py`], { stdio: "inherit" });
  }
  execFileSync("cat", [path], { stdio: ["ignore", "ignore", "inherit"], maxBuffer: 1 << 30 }); // warm the page cache
  for (const mode of ["full", "step"] as const) {
    const ours = best(() => run(process.execPath, [caseBundle, path, mode]));
    const xa = best(() => run("/usr/bin/python3", [`${here}peers.py`, "xarray", path, mode]));
    const nc = best(() => run("/usr/bin/python3", [`${here}peers.py`, "netcdf4", path, mode]));
    if (Math.abs(ours.sum - xa.sum) > 1e-6 * Math.abs(xa.sum)) {
      throw new Error(`${kind} ${mode}: checksum ${ours.sum} differs from xarray's ${xa.sum}`);
    }
    const mb = ours.bytes / 1e6;
    const what = mode === "full" ? "full variable" : "one time step";
    rows.push(
      `| ${kind} | ${what} | ${ours.seconds.toFixed(3)} s (${(mb / ours.seconds).toFixed(0)} MB/s), ${ours.rssMB.toFixed(0)} MB | ` +
        `${xa.seconds.toFixed(3)} s, ${xa.rssMB.toFixed(0)} MB | ${nc.seconds.toFixed(3)} s, ${nc.rssMB.toFixed(0)} MB | ` +
        `${(xa.seconds / ours.seconds).toFixed(2)}× | ${(ours.rssMB / xa.rssMB).toFixed(2)} |`,
    );
    if (mode === "step") {
      const o = ours.warmSeconds!;
      const x = xa.warmSeconds!;
      const n = nc.warmSeconds!;
      rows.push(
        `| ${kind} | next time step, same process | ${o.toFixed(3)} s (${(mb / o).toFixed(0)} MB/s) | ${x.toFixed(3)} s | ${n.toFixed(3)} s | ${(x / o).toFixed(2)}× | |`,
      );
    }
  }
}
const size = (p: string) => `${(statSync(p).size / 1e6).toFixed(0)} MB`;
console.log(
  `files: ${Object.values(files).map(size).join(", ")}; best of ${reps} runs, fresh process each`,
);
console.log(
  "| file | read | @geoml/netcdf decoded (time, throughput, peak RSS) | xarray decoded | netCDF4-python raw | speed vs xarray | RSS / xarray RSS |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);
