// Writes packages/zarr/src/__fixtures__/geoml_v2.zarr, read by tools/oracles/zarr_python.py.
import { FIXTURE_OPTIONS, fixtureArrays } from "../src/fixture-data.js";
import { writeZarr } from "../src/index.js";

const out = new URL("../src/__fixtures__/geoml_v2.zarr", import.meta.url).pathname;
await writeZarr(out, fixtureArrays(), { ...FIXTURE_OPTIONS, overwrite: true });
console.log(`wrote ${out}`);
