import { fileURLToPath } from "node:url";

/** Absolute path of a file in the repository's `datasets/netcdf/` corpus (used by tests and benches). */
export function corpusPath(name: string): string {
  return fileURLToPath(new URL(`../../../datasets/netcdf/${name}`, import.meta.url));
}
