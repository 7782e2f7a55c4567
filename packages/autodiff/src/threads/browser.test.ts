import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tensor } from "../ops/creation.js";
import { matmul } from "../ops/linalg.js";
import { getThreads, setThreads } from "./pool.js";

// The pool in headless Debian Chromium. The package's sources, compiled file by file
// (not bundled: a worker imports each task's module by its own URL), are served by a
// local server twice: under /coi/ with the headers that make a page cross-origin
// isolated, under /plain/ without them, and bundled (as an application ships it)
// under /coi/bundle/. On each page a dedicated Worker multiplies 512×512 matrices
// (above the threshold for threads) on 1 and 2 threads, and so does the page's main
// thread; every result must be identical to Node's, bit for bit.
// GEOML_DEBUG_BROWSER=1 prints the requests, Chromium's console and the reports.

function chromiumAvailable(): boolean {
  try {
    execFileSync("chromium", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.CI === "true")
      throw new Error("chromium is required under CI but was not found");
    console.warn("chromium not found: skipping the browser test of the worker pool");
    return false;
  }
}

const N = 512;

/** The test matrices: values that are not short binary fractions, so rounding shows. */
const fill = `(arr, seed) => { for (let i = 0; i < arr.length; i++) arr[i] = ((i * seed) % 1000) / 997 - 0.5; return arr; }`;
/** FNV-1a over the bytes of a typed array: equal only for identical bits. */
const hash = `(arr) => { const b = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength); let h = 0x811c9dc5; for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 16777619); return (h >>> 0).toString(16); }`;

/** What runs in the page's dedicated Worker, and on its main thread (`main`). */
const driver = `
import * as ad from "./src/index.js";
const fill = ${fill};
const hash = ${hash};
const N = ${N};
export async function run(where) {
  const out = { where, isolated: globalThis.crossOriginIsolated === true };
  out.shared = ad.sharedMemoryAvailable();
  for (const dtype of ["float64", "float32"]) {
    const Arr = dtype === "float64" ? Float64Array : Float32Array;
    const a = ad.tensor(fill(new Arr(N * N), 7919), { shape: [N, N] });
    const b = ad.tensor(fill(new Arr(N * N), 104729), { shape: [N, N] });
    const r = {};
    ad.setThreads(1);
    const one = ad.matmul(a, b).data;
    r.one = hash(one);
    ad.setThreads(2);
    // a pass before the workers have loaded does not wait for them
    let t0 = performance.now();
    r.cold = { hash: hash(ad.matmul(a, b).data), threads: ad.lastPass.threads, ms: performance.now() - t0 };
    r.loaded = await ad.startWorkers(N * N * N);
    t0 = performance.now();
    r.two = { hash: hash(ad.matmul(a, b).data), threads: ad.lastPass.threads, ms: performance.now() - t0 };
    r.running = ad.runningWorkers();
    out[dtype] = r;
  }
  await ad.stopWorkers();
  return out;
}`;

const page = `<!doctype html><meta charset="utf-8"><script type="module">
const report = (name, value) => fetch("./result/" + name, { method: "POST", body: JSON.stringify(value) });
const fail = (e) => ({ error: String(e && e.stack || e) });
try {
  const { run } = await import("./driver.js");
  await report("main", await run("main"));
} catch (e) { await report("main", fail(e)); }
const w = new Worker("./worker.js", { type: "module" });
w.onmessage = (e) => report("worker", e.data);
w.onerror = (e) => report("worker", fail(e.message));
</script>`;

const workerScript = `import { run } from "./driver.js";
run("worker").then(postMessage, (e) => postMessage({ error: String(e && e.stack || e) }));`;

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };

type Results = Record<string, Record<string, unknown>>;

describe.skipIf(!chromiumAvailable())("the worker pool in a browser", () => {
  let dir: string;
  let server: Server;
  let base: string;
  const waiting = new Map<string, (v: unknown) => void>();
  /** The reports received so far, for the message of a timeout. */
  const received: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "geoml-pool-browser-"));
    const src = fileURLToPath(new URL("../", import.meta.url));
    const { readdirSync } = await import("node:fs");
    const files = (readdirSync(src, { recursive: true }) as string[])
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.includes("__fixtures__"))
      .map((f) => join(src, f));
    const require = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"));
    const esbuild = require("esbuild") as {
      build(options: Record<string, unknown>): Promise<unknown>;
    };
    // one .js per .ts, imports left as written (they already name the .js files)
    await esbuild.build({
      entryPoints: files,
      outdir: join(dir, "src"),
      outbase: src,
      bundle: false,
      format: "esm",
      platform: "browser",
      target: "es2022",
      logLevel: "error",
    });
    writeFileSync(join(dir, "driver.js"), driver);
    writeFileSync(join(dir, "worker.js"), workerScript);
    writeFileSync(join(dir, "index.html"), page);
    // the same page bundled (one file per entry), as an application would ship it
    await esbuild.build({
      entryPoints: [join(dir, "driver.js"), join(dir, "worker.js")],
      outdir: join(dir, "bundle"),
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      logLevel: "error",
    });
    writeFileSync(join(dir, "bundle", "index.html"), page);
    server = createServer((req, res) => {
      const url = req.url ?? "/";
      if (process.env.GEOML_DEBUG_BROWSER) console.log(req.method, url);
      const post = /^\/((?:coi|plain)(?:\/bundle)?)\/result\/(\w+)$/.exec(url);
      if (req.method === "POST" && post) {
        let body = "";
        req.on("data", (d) => (body += d));
        req.on("end", () => {
          received.push(`${post[1]}/${post[2]}`);
          waiting.get(`${post[1]}/${post[2]}`)?.(JSON.parse(body));
          res.end();
        });
        return;
      }
      const m = /^\/(coi|plain)(\/[\w./-]*)$/.exec(url);
      const path = m ? normalize(join(dir, m[2])) : "";
      if (!m || !path.startsWith(dir)) {
        res.writeHead(404).end();
        return;
      }
      let body: Buffer;
      try {
        body = readFileSync(path);
      } catch {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = {
        "Content-Type": TYPES[extname(path)] ?? "application/octet-stream",
      };
      if (m[1] === "coi") {
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Embedder-Policy"] = "require-corp";
      }
      res.writeHead(200, headers).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 30_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens `/<kind>/index.html` in headless Chromium and collects both reports. */
  async function openPage(kind: "coi" | "plain" | "coi/bundle"): Promise<Results> {
    const reports = ["main", "worker"].map(
      (name) =>
        new Promise<[string, Record<string, unknown>]>((resolve) =>
          waiting.set(`${kind}/${name}`, (v) => resolve([name, v as Record<string, unknown>])),
        ),
    );
    const profile = join(dir, `profile-${kind.replace("/", "-")}`);
    const chrome: ChildProcess = spawn(
      "chromium",
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        ...(process.env.GEOML_DEBUG_BROWSER ? ["--enable-logging=stderr", "--v=0"] : []),
        `--user-data-dir=${profile}`,
        `${base}/${kind}/index.html`,
      ],
      { stdio: ["ignore", "ignore", process.env.GEOML_DEBUG_BROWSER ? "inherit" : "ignore"] },
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `the ${kind} page did not report in 40 s (received: ${received.join(", ") || "nothing"})`,
              ),
            ),
          40_000,
        );
      });
      return Object.fromEntries(await Promise.race([Promise.all(reports), timeout]));
    } finally {
      clearTimeout(timer);
      // wait for it to end before its profile folder is removed
      if (chrome.exitCode === null && chrome.signalCode === null) {
        const exited = new Promise((resolve) => chrome.once("exit", resolve));
        chrome.kill();
        await exited;
      }
    }
  }

  /** The products in Node, on one thread: what every browser result must equal. */
  function expectedHashes(): Record<string, string> {
    const before = getThreads();
    setThreads(1);
    const f = new Function(`return ${fill}`)() as (
      a: Float64Array | Float32Array,
      s: number,
    ) => void;
    const h = new Function(`return ${hash}`)() as (a: ArrayBufferView) => string;
    const out: Record<string, string> = {};
    for (const dtype of ["float64", "float32"] as const) {
      const Arr = dtype === "float64" ? Float64Array : Float32Array;
      const a = new Arr(N * N);
      const b = new Arr(N * N);
      f(a, 7919);
      f(b, 104729);
      out[dtype] = h(matmul(tensor(a, { shape: [N, N] }), tensor(b, { shape: [N, N] })).data);
    }
    setThreads(before);
    return out;
  }

  it("runs a large product on 2 Web Workers' threads in an isolated page's worker, with Node's result", async () => {
    const [coi, plain, bundled] = await Promise.all([
      openPage("coi"),
      openPage("plain"),
      openPage("coi/bundle"),
    ]);
    const node = expectedHashes();
    if (process.env.GEOML_DEBUG_BROWSER)
      console.log(JSON.stringify({ node, coi, plain, bundled }, null, 1));
    for (const page of [coi, plain, bundled])
      for (const r of [page.main, page.worker]) expect(r.error).toBeUndefined();

    // isolated page, dedicated worker: the pool's own Web Worker computes half the rows
    expect(coi.worker).toMatchObject({ isolated: true, shared: true });
    for (const dtype of ["float64", "float32"]) {
      const r = coi.worker[dtype] as Record<string, Record<string, number | string> | number>;
      expect(r.one).toBe(node[dtype]);
      expect(r.two).toMatchObject({ hash: node[dtype], threads: 2 });
      expect(r.running).toBe(1);
      // a pass before the worker had loaded ran here alone, without waiting for it
      expect(r.cold).toMatchObject({ hash: node[dtype] });
      expect((r.cold as Record<string, number>).ms).toBeLessThan(2000);
    }
    expect((coi.worker.float64 as Record<string, unknown>).loaded).toBe(1);
    // where a pass stays on one thread, startWorkers starts nothing and resolves at once
    for (const r of [coi.main, plain.main, plain.worker])
      expect((r.float64 as Record<string, unknown>).loaded).toBe(0);

    // the isolated page's main thread may not block: one thread, same numbers, no error
    expect(coi.main).toMatchObject({ isolated: true, shared: false });
    // not isolated: no SharedArrayBuffer, one thread everywhere
    expect(plain.main).toMatchObject({ isolated: false, shared: false });
    expect(plain.worker).toMatchObject({ isolated: false, shared: false });
    // bundled: the pool's worker script is not served beside the bundle, so its one
    // failed load turns the pool off (isolated or not): one thread, same numbers
    expect(bundled.worker).toMatchObject({ isolated: true, shared: true });
    expect((bundled.worker.float64 as Record<string, unknown>).loaded).toBe(0);
    for (const r of [coi.main, plain.main, plain.worker, bundled.main, bundled.worker])
      for (const dtype of ["float64", "float32"]) {
        const d = r[dtype] as Record<string, Record<string, number | string> | number>;
        expect(d.one).toBe(node[dtype]);
        expect(d.cold).toMatchObject({ hash: node[dtype], threads: 1 });
        expect(d.two).toMatchObject({ hash: node[dtype], threads: 1 });
        expect(d.running).toBe(0);
      }
  }, 90_000);
});
