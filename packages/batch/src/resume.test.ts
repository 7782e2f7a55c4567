import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { batchFit } from "./index.js";
import { cellsReference, referenceArray, storeFiles, writeArchive } from "./testing.js";

const ref = cellsReference();
const dir = mkdtempSync(join(tmpdir(), "geoml-resume-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A child process runs the fit and SIGKILLs itself after `kill` parts, as a crash would.
const child = (out: string, kill: number, format: 2 | 3 = 3) => `
import { batchFit } from ${JSON.stringify(join(import.meta.dirname, "index.ts"))};
await batchFit({
  files: ${JSON.stringify(join(dir, "part_*.nc"))},
  formula: ${JSON.stringify(ref.poisson_formula)},
  family: "poisson",
  out: ${JSON.stringify(out)},
  chunkCells: 8,
  zarrFormat: ${format},
  onProgress: (p) => { if (p.done - p.resumed >= ${kill}) process.kill(process.pid, "SIGKILL"); },
});
`;

it("finishes a run killed with SIGKILL, redoing only unfinished chunks, with identical output", async () => {
  await writeArchive(dir, referenceArray(ref, "count"), 5);
  const whole = join(dir, "whole.nc");
  await batchFit({
    files: join(dir, "part_*.nc"),
    formula: ref.poisson_formula,
    family: "poisson",
    out: whole,
    chunkCells: 8,
  });
  const out = join(dir, "resumed.nc");
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", child(out, 2)],
    {
      cwd: import.meta.dirname,
      encoding: "utf8",
    },
  );
  expect(r.signal).toBe("SIGKILL");
  expect(existsSync(out)).toBe(false);
  const parts = readdirSync(`${out}.parts`).filter((f) => f.endsWith(".part"));
  expect(parts.length).toBe(2);
  const report = await batchFit({
    files: join(dir, "part_*.nc"),
    formula: ref.poisson_formula,
    family: "poisson",
    out,
    chunkCells: 8,
  });
  expect(report.resumed).toBe(2);
  expect(report.chunks).toBe(6);
  expect(readFileSync(out).equals(readFileSync(whole))).toBe(true);
  expect(existsSync(`${out}.parts`)).toBe(false);
});

it("resumes a killed run that writes a Zarr store, to the same bytes as an uninterrupted one", async () => {
  const files = join(dir, "part_*.nc");
  if (readdirSync(dir).length === 0) await writeArchive(dir, referenceArray(ref, "count"), 5);
  const spec = { files, formula: ref.poisson_formula, family: "poisson", chunkCells: 8 };
  const whole = join(dir, "whole.zarr");
  await batchFit({ ...spec, out: whole });
  const out = join(dir, "resumed.zarr");
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", child(out, 3)],
    { cwd: import.meta.dirname, encoding: "utf8" },
  );
  expect(r.signal).toBe("SIGKILL");
  expect(existsSync(out)).toBe(false);
  const report = await batchFit({ ...spec, out });
  expect(report.resumed).toBe(3);
  const a = storeFiles(whole);
  const b = storeFiles(out);
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
  expect(readdirSync(dir).filter((f) => f.includes("tmp"))).toEqual([]);
});
