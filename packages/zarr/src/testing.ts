import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MemoryStore } from "./store.js";

/** Absolute path of a fixture store under `src/__fixtures__/` (tests and benches). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
}

/** Every file of a store directory as a {@link MemoryStore} (keys relative to the store). */
export async function loadStore(dir: string): Promise<MemoryStore> {
  const store = new MemoryStore();
  const walk = async (d: string, prefix: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name), `${prefix}${e.name}/`);
      else store.map.set(`/${prefix}${e.name}`, new Uint8Array(await readFile(join(d, e.name))));
    }
  };
  await walk(dir, "");
  return store;
}
