#!/usr/bin/env node
// The `geoml` command. A published package runs its compiled `dist/main.js`; in the
// repository, where only the TypeScript sources exist, they run through tsx.
import { existsSync } from "node:fs";

const dist = new URL("../dist/main.js", import.meta.url);
let entry;
if (existsSync(dist)) {
  entry = await import(dist.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  entry = await import(new URL("../src/main.ts", import.meta.url).href);
}
process.chdir(entry.userDirectory(process.env, process.cwd()));
process.exitCode = await entry.main(process.argv.slice(2));
