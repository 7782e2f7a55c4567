/**
 * One timed geoml fit through the public API, run in its own process so its peak memory
 * is its own: `tsx fit.ts <prefix> <n> <logit|poisson>` prints one JSON line.
 *
 * The columns are built from the binary file before the clock starts (as the peers load
 * theirs with numpy before theirs), and a warm-up fit on the first 200,000 rows runs
 * before it too (as the peers' does); the clock covers what a user calls,
 * `glm({ family }).fit({ formula, data })`: design matrix from the formula, then IRLS.
 * A second fit of the same data follows on its own clock (`nextSeconds`): what a user
 * fitting more than one model of that size waits for each after the first (it reuses
 * the first fit's design memory; the peers time theirs alike).
 * GEOML_THREADS pins the number of threads (read by @geoml/models itself; the peers get
 * the same count).
 * Last, off every clock, `fresh` times fresh memory of the design matrix's size: a new
 * shared WebAssembly memory (where the design lives) filled once, and how much of it the
 * system backed with transparent huge pages (peers.py does the same with numpy).
 */
import { newMemory, newSharedMemory } from "@geoml/autodiff/wasm";
import { glm } from "../../src/index.js";
import { FEATURES, hugePagesMiB, readColumns, readResponse } from "./data.js";

const [prefix, nText, which] = process.argv.slice(2);
const n = Number(nText);
const data: Record<string, Float64Array> = {
  ...readColumns(prefix, n),
  y: readResponse(prefix, which as "logit" | "poisson", n),
};
const formula = `y ~ ${Array.from({ length: FEATURES }, (_, j) => `x${j + 1}`).join(" + ")}`;
const model = glm({ family: which === "logit" ? "binomial" : "poisson" });

// warm-up outside the clock, as peers.py does: a fit of the first 200,000 rows
// compiles the code paths of a large fit and starts the worker threads (from the
// TypeScript sources, each worker first compiles them: ~0.35 s of CPU)
const head = Object.fromEntries(
  Object.entries(data).map(([k, v]) => [k, v.subarray(0, Math.min(n, 200_000))]),
);
model.fit({ formula, data: head });

// resident memory with the data loaded: the fit's own peak is peakMiB above this
const baseMiB = process.memoryUsage().rss / 2 ** 20;
const t0 = performance.now();
const c0 = process.cpuUsage();
const fit = model.fit({ formula, data });
const seconds = (performance.now() - t0) / 1000;
// process-wide: includes the worker threads of the cross-product
const cpu = process.cpuUsage(c0);
// the peak of the first fit: garbage it leaves may still be around during the next one
const peakMiB = process.resourceUsage().maxRSS / 1024;
const t1 = performance.now();
model.fit({ formula, data });
const nextSeconds = (performance.now() - t1) / 1000;
const bytes = n * (FEATURES + 1) * 8;
const huge0 = hugePagesMiB();
const t2 = performance.now();
// the kind of memory a large design lives in (see `designMatrix`), filled by this thread
const pages = Math.ceil(bytes / 65536);
const memory = newSharedMemory(pages) ?? newMemory(pages);
if (!memory) throw new Error("fit.ts: no WebAssembly memory");
new Float64Array(memory.buffer, 0, bytes / 8).fill(1);
const freshMs = performance.now() - t2;
// NaN (null in the JSON) where the system does not tell
const fresh = { ms: freshMs, hugeMiB: hugePagesMiB() - huge0 };
console.log(
  JSON.stringify({
    seconds,
    nextSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakMiB,
    baseMiB,
    iterations: fit.iterations,
    deviance: fit.deviance,
    params: Array.from(fit.params),
    fresh,
  }),
);
