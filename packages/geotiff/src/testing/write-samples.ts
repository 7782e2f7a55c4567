/**
 * Write the writer fixtures (see `samples.ts` and `cog-samples.ts`):
 *
 *     npx tsx packages/geotiff/src/testing/write-samples.ts
 */
import { mkdir } from "node:fs/promises";
import { writeGeotiff } from "../write.js";
import { cogSamples } from "./cog-samples.js";
import { fixturePath, writtenSamples } from "./samples.js";

await mkdir(fixturePath("written"), { recursive: true });
for (const s of await writtenSamples()) {
  await writeGeotiff(fixturePath(`written/${s.file}`), s.array, s.options);
  console.log("wrote", s.file);
}

await mkdir(fixturePath("cog"), { recursive: true });
for (const s of cogSamples()) {
  await writeGeotiff(fixturePath(`cog/${s.file}`), s.array, s.options);
  console.log("wrote", s.file);
}
