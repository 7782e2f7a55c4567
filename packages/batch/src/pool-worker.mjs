// Worker-thread entry of the batch pool: runs chunk jobs (plain data: file paths, chunk
// bounds, formula text) or in-memory chunks, and returns their results. A published
// package runs the compiled modules; in the repository, where only the TypeScript sources
// exist, they run through tsx.
import { existsSync } from "node:fs";

let jobs;
let blocks;
if (existsSync(new URL("./job.js", import.meta.url))) {
  jobs = await import(new URL("./job.js", import.meta.url).href);
  blocks = await import(new URL("./block-task.js", import.meta.url).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  jobs = await import(new URL("./job.ts", import.meta.url).href);
  blocks = await import(new URL("./block-task.ts", import.meta.url).href);
}

export default function run(task) {
  return task?.kind === "block" ? blocks.runBlock(task) : jobs.runJob(task);
}
