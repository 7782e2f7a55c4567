import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import {
  compressPart,
  decodePart,
  decompressPart,
  encodePart,
  fitArrays,
  fitResult,
  PartStore,
} from "./parts.js";

const dir = mkdtempSync(join(tmpdir(), "geoml-parts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const result = {
  C: 2,
  p: 2,
  coef: Float64Array.of(1, Number.NaN, 3, 4),
  se: Float64Array.of(0.1, Number.NaN, 0.3, 0.4),
  nobs: Float64Array.of(10, 0),
  deviance: Float64Array.of(5, Number.NaN),
  scale: Float64Array.of(0.5, Number.NaN),
};
const header = { run: "abc", chunk: 3, start: 6, stop: 8 };

it("round-trips a part, also compressed, and detects damage", () => {
  const bytes = encodePart(header, fitArrays(result));
  const back = decodePart(decompressPart(compressPart(bytes)));
  expect(back.header).toEqual(header);
  expect(fitResult(back.arrays, 2, 2)).toEqual(result);
  expect(() => fitResult(back.arrays, 3, 2)).toThrow(/does not hold a fit chunk/);
  const damaged = Uint8Array.from(bytes);
  damaged[60] ^= 1;
  expect(() => decodePart(damaged, "x.part")).toThrow(/x\.part: checksum mismatch/);
  expect(() => decodePart(bytes.subarray(0, 40), "y.part")).toThrow(/not a part file/);
});

it("keeps whole parts of the same run and drops tmp files, damaged parts and other runs' parts", async () => {
  const store = new PartStore(join(dir, "out.nc"));
  expect([...(await store.open("abc"))]).toEqual([]);
  await store.write(3, encodePart(header, fitArrays(result)));
  await store.write(4, encodePart({ ...header, chunk: 4 }, fitArrays(result)));
  writeFileSync(store.path(4), Buffer.from("truncated"));
  writeFileSync(join(store.dir, "5.part.tmp-1-0"), "half");
  expect([...(await store.open("abc"))]).toEqual([3]);
  expect(readdirSync(store.dir).sort()).toEqual(["3.part", "run.json"]);
  expect([...(await store.open("other"))]).toEqual([]);
  expect(readdirSync(store.dir)).toEqual(["run.json"]);
});
