/**
 * Runs the example of README.md exactly as written (its TypeScript is transpiled and
 * its import bound to this package) and checks what it prints.
 */
import { readFileSync } from "node:fs";
import ts from "typescript";
import { expect, it } from "vitest";
import * as ad from "./index.js";

function exampleSource(heading: string): string {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf(heading));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`README example block under ${heading} not found`);
  return match[1];
}

// top-level await: an example runs as the body of an async function
const AsyncFunction = (async () => {}).constructor as new (
  ...a: string[]
) => (...v: unknown[]) => Promise<void>;

/**
 * Runs the README's `ts` block under `heading`, its import bound to this package, and
 * returns the arguments of each `console.log` call it made.
 */
async function runExample(heading = "## Example"): Promise<unknown[][]> {
  const src = exampleSource(heading).replace(/import \{[\s\S]*?\} from "@geoml\/autodiff";/, "");
  const js = ts.transpileModule(src, {
    compilerOptions: { target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const calls: unknown[][] = [];
  const names = Object.keys(ad);
  await new AsyncFunction(...names, "console", js)(
    ...names.map((k) => (ad as Record<string, unknown>)[k]),
    { log: (...a: unknown[]) => calls.push(a) },
  );
  return calls;
}

/** Each logged line as `console.log` would print strings and numbers. */
const printed = (calls: unknown[][]) => calls.map((a) => a.map(String).join(" "));

it("README example runs: the loss falls and the Newton step reaches a stationary point", async () => {
  const lines = (await runExample()).map((a) =>
    a.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" "),
  );
  const losses = lines.filter((l) => l.startsWith("step ")).map((l) => Number(l.split("loss ")[1]));
  expect(losses.length).toBe(5);
  for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
  const before = Number(lines.find((l) => l.startsWith("loss before"))!.split(":")[1]);
  const after = Number(lines.find((l) => l.startsWith("loss after"))!.split(":")[1]);
  expect(after).toBeLessThan(before);
  const gnorm = Number(lines.find((l) => l.startsWith("gradient norm"))!.split(":")[1]);
  expect(gnorm).toBeLessThan(1e-3);
});

it("README threads example runs a product on two threads", async () => {
  const before = ad.getThreads();
  const lines = printed(await runExample("## Threads"));
  expect(lines).toEqual(["threads 2 c[0] = 512"]);
  expect(ad.lastPass.threads).toBe(2);
  ad.setThreads(before);
}, 30_000);
it("README example of passes of one's own runs and sums", async () => {
  expect(printed(await runExample("### Passes of your own"))).toEqual([
    "pass 500000",
    "run 1000000",
    "run 2000000",
  ]);
});

it("README WebAssembly example runs: both paths agree and the switch reads back", async () => {
  const lines = await runExample("## WebAssembly kernels");
  expect(lines).toEqual([[false, true]]);
  expect(ad.simdEnabled()).toBe(true);
});

it("README buffer-pool example runs and reuses buffers", async () => {
  const lines = printed(await runExample("## Reusing buffers across steps"));
  expect(lines).toEqual(["step 0 true 8x4", "step 1 true 8x4", "step 2 true 8x4", "reused true"]);
});

it("README fused multiply-add example says they are in use", async () => {
  expect(printed(await runExample("fused multiply-adds"))).toEqual(["true"]);
});
