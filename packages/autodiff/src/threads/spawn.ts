/**
 * Starting one worker of the pool on this platform: a Node worker thread (reached
 * lazily through `process.getBuiltinModule`, Node ≥ 20.16) or, in a browser, a
 * module Web Worker. Nothing here is imported or started before a pass needs it,
 * and no `node:` module is imported statically, so this file loads in a browser.
 */
import type * as NodeModule from "node:module";
import type * as NodeUrl from "node:url";
import type * as NodeWorkers from "node:worker_threads";

/** A Node built-in module, or undefined outside Node (or before Node 20.16). */
export function builtin<T>(name: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(name) as T | undefined;
}

/** The slice of the browser's `Worker` used here (the project's type libs have no DOM). */
interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: string, listener: (e: { data?: unknown }) => void): void;
}
type WebWorkerClass = new (url: URL, options: { type: "module"; name?: string }) => WebWorker;

function nodeWorkers(): typeof NodeWorkers | undefined {
  return builtin<typeof NodeWorkers>("node:worker_threads");
}

function webWorkerClass(): WebWorkerClass | undefined {
  const w = (globalThis as { Worker?: unknown }).Worker;
  return typeof w === "function" ? (w as WebWorkerClass) : undefined;
}

/** Which kind of worker this platform starts: Node's when both exist (Deno, Bun). */
export function platform(): "node" | "web" | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: unknown } }).process;
  if (typeof proc?.getBuiltinModule === "function") return "node";
  return webWorkerClass() ? "web" : null;
}

/**
 * Set when a worker's script failed to load before it became ready (say, a bundled
 * page where `web-worker.js` is not served beside this module): it would fail
 * again, so no more workers are started and every pass stays on one thread.
 */
let entryFailed = false;

/** One worker of the pool. */
export interface PoolWorker {
  /** Hands the worker a task. */
  post(message: unknown): void;
  /** Ends the worker. */
  terminate(): Promise<unknown> | undefined;
  /** Set to 1 (in shared memory) by the worker once its script has loaded. */
  readonly ready: Int32Array;
  /** Settles once the worker has loaded, failed to load or exited. */
  readonly loaded: Promise<void>;
  /** A pass has already waited for this worker to load (later passes do not wait). */
  waited: boolean;
  /** The worker failed to load or exited. */
  dead: boolean;
  /**
   * The control words of the row session this worker may be serving (it then waits
   * on them, not on its message port, until asked to leave); null when none.
   */
  session: Int32Array | null;
  /**
   * A blocked calling thread may wait for this worker to load. False for a Web
   * Worker: a browser starts it only once the thread that created it returns to
   * its event loop, so a blocked caller would wait in vain.
   */
  readonly canWaitForLoad: boolean;
}

/**
 * What a Node worker thread runs: `worker.js` beside this file. Run from the
 * TypeScript sources (tests, benchmarks), it is `worker.ts`, loaded through tsx
 * from a small bootstrap module; null when neither works, and the passes stay on
 * one thread.
 */
let nodeEntry: URL | null | undefined;

function nodeEntryUrl(): URL | null {
  if (nodeEntry !== undefined) return nodeEntry;
  nodeEntry = null;
  const here = import.meta.url;
  if (!here.endsWith(".ts")) nodeEntry = new URL("./worker.js", here);
  else {
    const mod = builtin<typeof NodeModule>("node:module");
    const url = builtin<typeof NodeUrl>("node:url");
    try {
      const pkg = mod?.createRequire(here).resolve("tsx/package.json");
      if (pkg && url) {
        // tsx's ES-module API (its "require" entry cannot register ESM hooks)
        const tsx = new URL("dist/esm/api/index.mjs", url.pathToFileURL(pkg)).href;
        const main = new URL("./worker.ts", here).href;
        const boot = `import { register } from ${JSON.stringify(tsx)};
          register();
          await import(${JSON.stringify(main)});`;
        nodeEntry = new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
      }
    } catch {
      // no tsx: one thread
    }
  }
  return nodeEntry;
}

/**
 * What a Web Worker runs: `web-worker.js` beside this file (`web-worker.ts` when the
 * page is served from the TypeScript sources by a dev server that compiles them).
 */
function webEntryUrl(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith(".ts") ? "./web-worker.ts" : "./web-worker.js", here);
}

/** Longest a loading Node worker keeps the process alive. */
const LOAD_MS = 30_000;

function nodeWorker(wt: typeof NodeWorkers, url: URL): PoolWorker {
  const ready = new Int32Array(new SharedArrayBuffer(4));
  const worker = new wt.Worker(url, { workerData: { ready: ready.buffer } });
  let settle = () => {};
  const loaded = new Promise<void>((resolve) => {
    settle = () => {
      // once loaded (or gone), an idle worker must not keep the process alive;
      // until then it does, so that `await startWorkers()` can finish
      worker.unref();
      resolve();
    };
  });
  const w: PoolWorker = {
    post: (m) => worker.postMessage(m),
    terminate: () => worker.terminate(),
    ready,
    loaded,
    waited: false,
    dead: false,
    session: null,
    canWaitForLoad: true,
  };
  worker.on("message", (m) => {
    if (m === "ready") settle();
  });
  // a worker that neither loads nor fails must not keep the process alive forever
  setTimeout(settle, LOAD_MS).unref();
  // a worker that fails or exits has its rows run on the calling thread, and the
  // pool is rebuilt for the next pass; one whose script failed to load is not
  const gone = () => {
    w.dead = true;
    settle();
  };
  worker.on("error", () => {
    if (Atomics.load(ready, 0) !== 1) entryFailed = true;
    gone();
  });
  worker.on("exit", gone);
  return w;
}

function webWorker(Worker: WebWorkerClass): PoolWorker {
  const ready = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(webEntryUrl(), { type: "module", name: "geoml pool worker" });
  let settle = () => {};
  const loaded = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const w: PoolWorker = {
    post: (m) => worker.postMessage(m),
    terminate: () => {
      worker.terminate();
      w.dead = true;
      settle();
      return undefined;
    },
    ready,
    loaded,
    waited: false,
    dead: false,
    session: null,
    canWaitForLoad: false,
  };
  worker.addEventListener("message", (e) => {
    if (e.data === "ready") settle();
  });
  // a script that cannot load (a 404, a syntax error) or fails at start
  worker.addEventListener("error", () => {
    if (Atomics.load(ready, 0) !== 1) entryFailed = true;
    w.dead = true;
    settle();
  });
  worker.postMessage({ ready: ready.buffer });
  return w;
}

/**
 * True where the pool can start workers: Node ≥ 20.16 or a browser with Web
 * Workers, and no worker script has failed to load.
 */
export function workersPossible(): boolean {
  return !entryFailed && platform() !== null;
}

/** Starts one worker of the pool; null where this platform cannot. */
export function spawnWorker(): PoolWorker | null {
  if (entryFailed) return null;
  const kind = platform();
  if (kind === "node") {
    const wt = nodeWorkers();
    const url = nodeEntryUrl();
    return wt && url ? nodeWorker(wt, url) : null;
  }
  const Worker = webWorkerClass();
  if (kind === "web" && Worker) {
    try {
      return webWorker(Worker);
    } catch {
      // e.g. a Content-Security-Policy that forbids workers: it would throw again
      entryFailed = true;
      return null;
    }
  }
  return null;
}
