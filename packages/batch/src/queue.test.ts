import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchFit, parseJob, queueExecutor } from "./index.js";
import {
  cellsReference,
  haveTool,
  referenceArray,
  startRedis,
  storeFiles,
  writeArchive,
} from "./testing.js";

const ref = cellsReference();
const hasRedis = await haveTool("redis-server");
const dir = mkdtempSync(join(tmpdir(), "geoml-queue-"));
let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (hasRedis) redis = await startRedis(["--requirepass", "s3cret"]);
  await writeArchive(dir, referenceArray(ref, "sst"), 6);
});
afterAll(async () => {
  // Stop the workers and Redis, and wait for them to exit, before removing their folder.
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const exited = alive.map((c) => new Promise((resolve) => c.once("exit", resolve)));
  for (const c of alive) c.kill("SIGTERM");
  await Promise.all(exited);
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// A `geoml worker` in its own process; with `dieOnFirst` it SIGKILLs itself as soon as it has
// taken a chunk, holding the chunk's lock like a machine that died.
function worker(url: string, dieOnFirst: boolean): ChildProcess {
  const code = `
import { serveQueue } from ${JSON.stringify(join(import.meta.dirname, "index.ts"))};
await serveQueue(${JSON.stringify(url)}, {
  lockDuration: 1500,
  stalledInterval: 500,
  log: (l) => console.log(l),
  onJobStart: () => { if (${dieOnFirst}) process.kill(process.pid, "SIGKILL"); },
});`;
  const c = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: import.meta.dirname,
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(c);
  return c;
}

describe.skipIf(!hasRedis)("batch fits through BullMQ", () => {
  it("gives the local run's output when a worker is killed mid-job (password in the URL)", async () => {
    const url = `redis://:s3cret@127.0.0.1:${redis!.port}`;
    const common = {
      files: join(dir, "part_*.nc"),
      formula: ref.gaussian_formula,
      chunkCells: 8,
    };
    const local = join(dir, "local.nc");
    await batchFit({ ...common, out: local });
    const doomed = worker(url, true);
    const died = new Promise<string | null>((r) => doomed.on("exit", (_c, s) => r(s)));
    const events: string[] = [];
    const out = join(dir, "queued.nc");
    const run = batchFit({
      ...common,
      out,
      executor: queueExecutor(url, { onEvent: (e, chunk) => events.push(`${e}:${chunk}`) }),
    });
    expect(await died).toBe("SIGKILL");
    // The second worker starts after the first died holding a chunk: the stalled chunk
    // must come back to it.
    worker(url, false);
    await run;
    expect(readFileSync(out).equals(readFileSync(local))).toBe(true);
    expect(events.filter((e) => e.startsWith("completed")).length).toBe(6);
    expect(events.some((e) => e.startsWith("stalled"))).toBe(true);
  }, 30_000);

  it("reads Zarr stores and writes a Zarr store as a local run does", async () => {
    const url = `redis://:s3cret@127.0.0.1:${redis!.port}`;
    const sub = join(dir, "zarr");
    mkdirSync(sub);
    await writeArchive(sub, referenceArray(ref, "sst"), 3, [], "part", "zarr3");
    const common = {
      files: join(sub, "part_*.zarr"),
      formula: ref.gaussian_formula,
      chunkCells: 16,
    };
    const local = join(dir, "local.zarr");
    await batchFit({ ...common, out: local });
    worker(url, false);
    const out = join(dir, "queued.zarr");
    await batchFit({ ...common, out, executor: queueExecutor(url) });
    const a = storeFiles(local);
    const b = storeFiles(out);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
  }, 30_000);

  it("reports an unreachable or wrong-password Redis in one line", async () => {
    const common = { files: join(dir, "part_*.nc"), formula: ref.gaussian_formula };
    const bad = `redis://:wrong@127.0.0.1:${redis!.port}`;
    const e = await batchFit({
      ...common,
      out: join(dir, "x.nc"),
      executor: queueExecutor(bad),
    }).catch((x) => x);
    expect(e.message).toMatch(/cannot reach Redis at redis:\/\/\*\*\*@127\.0\.0\.1/);
  });
});

it("refuses jobs of an unknown format version or with anything but data", () => {
  const job = {
    version: 1,
    run: "r",
    files: ["a.nc"],
    variable: "sst",
    along: "time",
    spec: { formula: "sst ~ t" },
    chunk: 0,
    start: 0,
    stop: 1,
  };
  expect(parseJob(job)).toEqual(job);
  expect(() => parseJob({ ...job, version: 2 })).toThrow(/version 2 is not the version 1/);
  expect(() => parseJob({ ...job, spec: { formula: () => 1 } })).toThrow(/malformed job/);
  expect(() => parseJob({ ...job, files: [] })).toThrow(/malformed job/);
});
