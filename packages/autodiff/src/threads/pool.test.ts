import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { isAutodiffError } from "../errors.js";
import {
  exitOnWorkers,
  failHere,
  failOnWorkers,
  hangOnWorkers,
  markStarts,
  nestedPass,
  sumRows,
  sumRowsOnce,
} from "./__fixtures__/tasks.js";
import {
  abandonedPasses,
  firstShare,
  getThreads,
  isShared,
  lastPass,
  openRows,
  runningWorkers,
  runRows,
  setThreadOptions,
  setThreads,
  sharedFloat64,
  sharedMemoryAvailable,
  startWorkers,
  stopWorkers,
} from "./pool.js";

const tasks = new URL("./__fixtures__/tasks.ts", import.meta.url).href;
const fns = {
  sumRows,
  sumRowsOnce,
  failOnWorkers,
  failHere,
  hangOnWorkers,
  exitOnWorkers,
  nestedPass,
};
type Name = keyof typeof fns;
const task = (name: Name, module: string | null = tasks) => ({
  run: { module: module ?? undefined, name, fn: fns[name] },
  lib: {},
});

describe("the worker pool", () => {
  const before = getThreads();
  afterAll(async () => {
    setThreads(before);
    setThreadOptions({ sharedMemory: true, timeoutMs: 10_000 });
    await stopWorkers();
  });
  const n = 100_000;
  const v = sharedFloat64(n);
  for (let i = 0; i < n; i++) v[i] = i % 7;
  let expected = 0;
  for (let i = 0; i < n; i++) expected += v[i];

  it("runs a pass on worker threads that import the task's module", () => {
    setThreads(3);
    const [sum, onWorkers] = runRows(task("sumRows"), { v }, n, 2, 1e9);
    expect(sum).toBe(expected);
    expect(onWorkers).toBe(2);
    expect(lastPass.threads).toBe(3);
    expect(runningWorkers()).toBe(2);
  }, 30_000);

  it("stops its workers, and starts them again when a pass needs them", async () => {
    setThreads(2);
    await stopWorkers();
    expect(runningWorkers()).toBe(0);
    const loaded = startWorkers(1e9);
    expect(runningWorkers()).toBe(1);
    // resolves once the worker has loaded
    expect(await loaded).toBe(1);
    const [sum, onWorkers] = runRows(task("sumRows"), { v }, n, 2, 1e9);
    expect(sum).toBe(expected);
    expect(onWorkers).toBe(1);
    // a lower count leaves the idle workers for later passes
    setThreads(1);
    expect(runningWorkers()).toBe(1);
    await stopWorkers();
    expect(runningWorkers()).toBe(0);
  }, 30_000);

  it("runs a pass nested in the calling thread's share there, not behind the busy workers", () => {
    setThreads(2);
    const [sum, nestedOnWorkers] = runRows(task("nestedPass"), { v }, n, 2, 1e9);
    expect(lastPass.threads).toBe(2);
    expect(sum).toBe(expected);
    // 1 from the worker's own nested pass; the calling thread's nested pass stayed home
    expect(nestedOnWorkers).toBe(1);
  }, 30_000);

  it("redoes on the calling thread the rows of a worker that failed", () => {
    setThreads(2);
    const abandoned = abandonedPasses();
    const [sum] = runRows(task("failOnWorkers"), { v }, n, 2, 1e9);
    expect(sum).toBe(expected);
    expect(lastPass.threads).toBe(1);
    // the worker stopped at its error: nothing of the pass runs on
    expect(abandonedPasses()).toBe(abandoned);
  }, 30_000);

  it("counts a pass whose calling thread's share threw while its workers ran", () => {
    setThreads(2);
    const abandoned = abandonedPasses();
    expect(() => runRows(task("failHere"), { v }, n, 2, 1e9)).toThrow(/share failed/);
    expect(abandonedPasses()).toBe(abandoned + 1);
  }, 30_000);

  it("redoes the rows of a task whose module lacks the export", () => {
    setThreads(2);
    const missing = { run: { module: tasks, name: "noSuchTask", fn: sumRows }, lib: {} };
    const [sum, onWorkers] = runRows(missing, { v }, n, 2, 1e9);
    expect(sum).toBe(expected);
    expect(onWorkers).toBe(0);
  }, 30_000);

  for (const name of ["hangOnWorkers", "exitOnWorkers"] as const) {
    it(`does not hang on a worker that ${name === "hangOnWorkers" ? "never finishes" : "exits mid-pass"}`, async () => {
      setThreads(2);
      setThreadOptions({ timeoutMs: 300 });
      const abandoned = abandonedPasses();
      const t0 = performance.now();
      const [sum, onWorkers] = runRows(task(name), { v }, n, 2, 1e9);
      expect(performance.now() - t0).toBeLessThan(5000);
      // a worker past the deadline may still write into the pass's memory
      if (name === "hangOnWorkers") expect(abandonedPasses()).toBe(abandoned + 1);
      expect(sum).toBe(expected);
      expect(onWorkers).toBe(0);
      expect(lastPass.threads).toBe(1);
      setThreadOptions({ timeoutMs: 10_000 });
      // the pool was replaced: the next pass uses a fresh worker
      expect(runRows(task("sumRows"), { v }, n, 2, 1e9)).toEqual(new Float64Array([expected, 1]));
      expect(lastPass.threads).toBe(2);
    }, 30_000);
  }

  it("stays on the calling thread for a task without a module, small work, or one thread", async () => {
    setThreads(2);
    expect(runRows(task("sumRows", null), { v }, n, 2, 1e9)[1]).toBe(0);
    expect(runRows(task("sumRows"), { v }, n, 2, 1e3)[1]).toBe(0);
    // and reports no worker loaded for a pass that would not use one
    expect(await startWorkers(1e3)).toBe(0);
    setThreads(1);
    expect(runRows(task("sumRows"), { v }, n, 2, 1e9)[1]).toBe(0);
    expect(lastPass.threads).toBe(1);
  });

  it("stays on the calling thread when a large argument is not shared", () => {
    setThreads(2);
    const plain = Float64Array.from(v);
    expect(runRows(task("sumRows"), { v: plain }, n, 2, 1e9)).toEqual(
      new Float64Array([expected, 0]),
    );
  });

  it("starts ranges at multiples of `align`, the last one short", () => {
    setThreads(2);
    const starts = sharedFloat64(10);
    const mark = { run: { module: tasks, name: "markStarts", fn: markStarts }, lib: {} };
    runRows(mark, { starts }, 10, 0, 1e9, { align: 4 });
    expect(lastPass.threads).toBe(2);
    expect([...starts]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 8, 8]);
  }, 30_000);

  it("runs this thread's ranges on `here`, the workers' on the shared arguments, and says which the workers did", () => {
    setThreads(3);
    const starts = sharedFloat64(12).fill(-1);
    const local = new Float64Array(12).fill(-1);
    const mark = { run: { module: tasks, name: "markStarts", fn: markStarts }, lib: {} };
    expect(firstShare(12, 4)).toBe(4);
    runRows(mark, { starts }, 12, 0, 1e9, { align: 4, here: { starts: local } });
    expect(lastPass.threads).toBe(3);
    expect(lastPass.workerRanges).toEqual([
      [4, 8],
      [8, 12],
    ]);
    expect([...local]).toEqual([0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1]);
    expect([...starts]).toEqual([-1, -1, -1, -1, 4, 4, 4, 4, 8, 8, 8, 8]);

    // a worker that fails has its rows redone here, on `here`
    setThreads(2);
    const twice = Float64Array.from(v, (x) => 2 * x);
    const [sum] = runRows(task("failOnWorkers"), { v }, n, 2, 1e9, { here: { v: twice } });
    expect(sum).toBe(2 * expected);
    expect(lastPass.workerRanges).toEqual([]);
  }, 30_000);

  it("falls back to one thread without shared memory (a page not cross-origin isolated)", () => {
    setThreads(2);
    setThreadOptions({ sharedMemory: false });
    try {
      expect(sharedMemoryAvailable()).toBe(false);
      const w = sharedFloat64(n);
      expect(isShared(w)).toBe(false);
      w.set(v);
      expect(runRows(task("sumRows"), { v: w }, n, 2, 1e9)).toEqual(
        new Float64Array([expected, 0]),
      );
      // even arrays already shared stay on this thread
      expect(runRows(task("sumRows"), { v }, n, 2, 1e9)[1]).toBe(0);
    } finally {
      setThreadOptions({ sharedMemory: true });
    }
    expect(sharedMemoryAvailable()).toBe(true);
  });

  describe("a row session", () => {
    const sums = (scale: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += scale * (i % 7);
      return s;
    };
    const scaled = (scale: number) => {
      for (let i = 0; i < n; i++) v[i] = scale * (i % 7);
    };
    afterEach(() => scaled(1));

    it("runs pass after pass on the workers, which get its arguments once and see the shared arrays change", () => {
      setThreads(2);
      const session = openRows(task("sumRowsOnce"), { v }, 3);
      let sent = 0;
      try {
        for (let r = 1; r <= 6; r++) {
          scaled(r);
          const [sum, onWorkers, firstSight] = session.run(n, 1e9);
          expect(sum).toBe(sums(r));
          // the same sums, in the same order, as a pass of its own
          expect(sum).toBe(runRows(task("sumRows"), { v }, n, 2, 1e9)[0]);
          expect(onWorkers).toBe(1);
          sent += firstSight;
        }
        // between session runs the pass above took the worker: it came back for each
        // run, and got the arguments again each time
        expect(sent).toBe(6);
        sent = 0;
        for (let r = 1; r <= 6; r++) {
          scaled(r);
          const [sum, onWorkers, firstSight] = session.run(n, 1e9);
          expect(sum).toBe(sums(r));
          expect(onWorkers).toBe(1);
          expect(lastPass.threads).toBe(2);
          sent += firstSight;
        }
        // back to back, the worker stayed in the session: its arguments went once
        expect(sent).toBe(1);
      } finally {
        session.close();
      }
      expect(() => session.run(n, 1e9)).toThrow(/closed/);
      // the worker left the session: a pass reaches it at once
      const t0 = performance.now();
      expect(runRows(task("sumRows"), { v }, n, 2, 1e9)[1]).toBe(1);
      expect(performance.now() - t0).toBeLessThan(1000);
    }, 30_000);

    it("stays on the calling thread for small work or one thread, and splits as runRows does", () => {
      setThreads(2);
      const session = openRows(task("sumRowsOnce"), { v }, 3);
      expect([...session.run(n, 1e3)]).toEqual([expected, 0, 0]);
      setThreads(1);
      expect([...session.run(n, 1e9)]).toEqual([expected, 0, 0]);
      setThreads(3);
      const [sum, onWorkers] = session.run(n, 1e9);
      expect(sum).toBe(expected);
      expect(onWorkers).toBe(2);
      expect(lastPass.workerRanges).toEqual([
        [33_334, 66_668],
        [66_668, 100_000],
      ]);
      session.close();
    }, 30_000);

    it("sends the arguments again to a worker that left it after waiting idle", async () => {
      setThreads(2);
      const session = openRows(task("sumRowsOnce"), { v }, 3);
      expect(session.run(n, 1e9)[2]).toBe(1);
      expect(session.run(n, 1e9)[2]).toBe(0);
      await new Promise((r) => setTimeout(r, 400));
      const [sum, onWorkers, firstSight] = session.run(n, 1e9);
      expect([sum, onWorkers, firstSight]).toEqual([expected, 1, 1]);
      session.close();
    }, 30_000);

    it("redoes a failed worker's rows here, and goes on", () => {
      setThreads(2);
      const abandoned = abandonedPasses();
      const session = openRows(task("failOnWorkers"), { v }, 2);
      for (let r = 0; r < 3; r++) {
        expect(session.run(n, 1e9)[0]).toBe(expected);
        expect(lastPass.threads).toBe(1);
      }
      session.close();
      expect(abandonedPasses()).toBe(abandoned);
      expect(runRows(task("sumRows"), { v }, n, 2, 1e9)[1]).toBe(1);
    }, 30_000);

    it("counts a run whose calling thread's share threw and closes the session; the next session gets the worker", () => {
      setThreads(2);
      const abandoned = abandonedPasses();
      const failing = openRows(task("failHere"), { v }, 2);
      expect(() => failing.run(n, 1e9)).toThrow(/share failed/);
      expect(abandonedPasses()).toBe(abandoned + 1);
      // the worker may still run that run's rows on the arguments: the session ended
      expect(() => failing.run(n, 1e9)).toThrow(/closed/);
      // another session gets the worker once it is done
      const session = openRows(task("sumRowsOnce"), { v }, 3);
      for (let r = 0; r < 3; r++)
        expect([...session.run(n, 1e9)].slice(0, 2)).toEqual([expected, 1]);
      session.close();
      failing.close();
    }, 30_000);

    it("does not hang on a worker that never finishes, and stops workers that listen", async () => {
      setThreads(2);
      setThreadOptions({ timeoutMs: 300 });
      const abandoned = abandonedPasses();
      const hanging = openRows(task("hangOnWorkers"), { v }, 2);
      const t0 = performance.now();
      expect([...hanging.run(n, 1e9)]).toEqual([expected, 0]);
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(abandonedPasses()).toBe(abandoned + 1);
      setThreadOptions({ timeoutMs: 10_000 });
      hanging.close();
      // a fresh worker, left listening in a session, then stopped
      const session = openRows(task("sumRowsOnce"), { v }, 3);
      expect(session.run(n, 1e9)[1]).toBe(1);
      const t1 = performance.now();
      await stopWorkers();
      expect(performance.now() - t1).toBeLessThan(2000);
      expect(runningWorkers()).toBe(0);
      // the session's next run starts a worker and sends it the arguments
      expect([...session.run(n, 1e9)]).toEqual([expected, 1, 1]);
      session.close();
    }, 30_000);
  });

  it("keeps every sum right through random interleavings of sessions, passes, thread counts and stops", async () => {
    // a fixed generator: the same sequence on every run
    let state = 12345;
    const next = (k: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % k;
    };
    let sessions = [openRows(task("sumRowsOnce"), { v }, 3), openRows(task("sumRows"), { v }, 2)];
    let onWorkers = 0;
    for (let step = 0; step < 120; step++) {
      const op = next(10);
      if (op < 4) {
        const s = sessions[op % 2];
        const out = s.run(n, 1e9);
        expect(out[0]).toBe(expected);
        onWorkers += out[1];
      } else if (op < 6) {
        const out = runRows(task("sumRows"), { v }, n, 2, 1e9);
        expect(out[0]).toBe(expected);
        onWorkers += out[1];
      } else if (op === 6) setThreads(1 + next(3));
      else if (op === 7) {
        const i = next(2);
        sessions[i].close();
        sessions = sessions.map((s, j) =>
          j === i ? openRows(task(i === 0 ? "sumRowsOnce" : "sumRows"), { v }, 3 - i) : s,
        );
      } else if (op === 8) await new Promise((r) => setTimeout(r, next(3) * 70));
      else if (next(4) === 0) await stopWorkers();
    }
    for (const s of sessions) s.close();
    // the workers did take part
    expect(onWorkers).toBeGreaterThan(10);
  }, 60_000);

  it("rejects bad options, naming them", () => {
    for (const bad of [{ sharedMemory: 1 }, { timeoutMs: -1 }, { timeoutMs: Number.NaN }, null]) {
      let caught: unknown;
      try {
        setThreadOptions(bad as never);
      } catch (e) {
        caught = e;
      }
      expect(isAutodiffError(caught, "INVALID_ARGUMENT")).toBe(true);
      expect((caught as Error).message).toMatch(/^setThreadOptions: /);
    }
  });
});

describe("importing @geoml/autodiff", () => {
  it("starts no worker and loads no worker_threads until a pass needs them", () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const index = new URL("../index.ts", import.meta.url).href;
    // record which built-in modules the package asks for, and when
    const script = `
      const asked = [];
      const get = process.getBuiltinModule;
      process.getBuiltinModule = (id) => (asked.push(id), get(id));
      const ad = await import(${JSON.stringify(index)});
      const small = ad.matmul(ad.ones([64, 64]), ad.ones([64, 64]));
      const afterImport = asked.includes("node:worker_threads");
      ad.setThreads(2);
      // awaited at top level: the loading worker keeps the process alive until then
      const loaded = await ad.startWorkers(1e12);
      console.log(JSON.stringify({ afterImport, later: asked.includes("node:worker_threads"), running: ad.runningWorkers(), loaded }));
      await ad.stopWorkers();`;
    const out = execFileSync(
      process.execPath,
      ["--import", tsx, "--input-type=module", "-e", script],
      { encoding: "utf8" },
    );
    expect(JSON.parse(out.trim())).toEqual({
      afterImport: false,
      later: true,
      running: 1,
      loaded: 1,
    });
  }, 30_000);

  it("lets a script end in `await stopWorkers()` after its workers have worked", () => {
    // idle workers are unref'd; the exit of the terminated ones must still settle the
    // promise before the process ends (else: an unsettled top-level await, exit code 13)
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const index = new URL("../index.ts", import.meta.url).href;
    const script = `
      const ad = await import(${JSON.stringify(index)});
      const a = ad.ones([1024, 1024], "float32");
      // the worker starts inside a pass (no startWorkers), as in a benchmark
      for (const t of [1, 2, 1, 2]) {
        ad.setThreads(t);
        ad.matmul(a, a);
      }
      const threads = ad.lastPass.threads;
      await ad.stopWorkers();
      console.log(JSON.stringify({ threads, running: ad.runningWorkers() }));`;
    const out = execFileSync(
      process.execPath,
      ["--import", tsx, "--input-type=module", "-e", script],
      { encoding: "utf8" },
    );
    expect(JSON.parse(out.trim())).toEqual({ threads: 2, running: 0 });
  }, 30_000);

  it("has no top-level import of a Node built-in in the code a browser loads", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const src = new URL("../", import.meta.url);
    const files = (readdirSync(src, { recursive: true }) as string[]).filter(
      (f) =>
        f.endsWith(".ts") &&
        !f.endsWith(".test.ts") &&
        !f.includes("__fixtures__") &&
        // the Node worker thread's own entry runs only in Node
        f !== "threads/worker.ts",
    );
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = readFileSync(new URL(f, src), "utf8");
      expect(text, f).not.toMatch(/^import (?!type )[^;]*from "node:/m);
    }
  });
});
