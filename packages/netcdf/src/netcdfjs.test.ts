import { readFile } from "node:fs/promises";
import { NetCDFReader } from "netcdfjs";
import { describe, expect, it } from "vitest";
import { corpusPath } from "./corpus.js";
import { openNetcdf } from "./index.js";

// netcdfjs parses a whole in-memory buffer (no positioned reads, no hyperslabs) and knows
// classic and 64-bit offset only, so the lazy reader here is our own; netcdfjs remains an
// independent second implementation to cross-check raw values against. (It is not used on
// sst_packed.nc: netcdfjs 4.0 returns the 2-byte padding of each record of a short record
// variable as an extra value — 197664 values instead of 12 × 91 × 181 = 197652.)
describe.each(["sstdata_netcdf.nc", "uv300_64bit.nc", "hgt.nc", "landsea.nc", "calendars.nc"])(
  "%s: raw values agree with netcdfjs",
  (name) => {
    it("every variable", async () => {
      const reader = new NetCDFReader(await readFile(corpusPath(name)));
      const ds = await openNetcdf(corpusPath(name));
      try {
        for (const v of reader.variables) {
          const ours = (await ds.read(v.name, { decode: false, coords: false })).data;
          const theirs = (reader.getDataVariable(v.name) as Array<number | number[]>).flat();
          expect(ours.length, v.name).toBe(theirs.length);
          for (let i = 0; i < theirs.length; i++) {
            if (Number(ours[i]) !== Number(theirs[i])) {
              expect(Number(ours[i]), `${v.name}[${i}]`).toBe(Number(theirs[i]));
            }
          }
        }
      } finally {
        await ds.close();
      }
    });
  },
);
