// Worker-thread entry of the batch pool: runs chunk jobs (plain data) and returns part
// bytes. A published package runs the compiled `job.js`; in the repository, where only the
// TypeScript sources exist, they run through tsx.
import { existsSync } from "node:fs";

const compiled = new URL("./job.js", import.meta.url);
let jobs;
if (existsSync(compiled)) {
  jobs = await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  jobs = await import(new URL("./job.ts", import.meta.url).href);
}

export default function run(job) {
  return jobs.runJob(job);
}
