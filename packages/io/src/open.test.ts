import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isGridError } from "@geoml/grid";
import { afterAll, expect, it } from "vitest";
import { open } from "./index.js";

const FIX = join(import.meta.dirname, "__fixtures__");
const dir = mkdtempSync(join(tmpdir(), "geoml-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("opens NetCDF by its bytes, from a path or a file URL", async () => {
  const path = join(FIX, "archive", "a_2001.nc");
  for (const p of [path, pathToFileURL(path)]) {
    const ds = await open(p);
    expect(ds.format).toBe("netcdf3-64bit-offset");
    expect(ds.dataVariableNames).toEqual(["sst", "count"]);
    await ds.close();
  }
});

it("names the file it cannot read or recognise", async () => {
  const junk = join(dir, "junk.dat");
  writeFileSync(junk, "not a grid");
  const unknown = await open(junk).catch((e) => e);
  expect(isGridError(unknown, "UNKNOWN_FORMAT")).toBe(true);
  expect(unknown.message).toContain(junk);
  const missing = await open(join(FIX, "missing.nc")).catch((e) => e);
  expect(isGridError(missing, "IO_ERROR")).toBe(true);
  // Nothing listens on port 1 of the loopback address: the fetch fails, named.
  const http = await open("http://127.0.0.1:1/sst.nc").catch((e) => e);
  expect(isGridError(http, "IO_ERROR")).toBe(true);
  expect(http.message).toMatch(/http:\/\/127\.0\.0\.1:1\/sst\.nc: cannot fetch/);
});
