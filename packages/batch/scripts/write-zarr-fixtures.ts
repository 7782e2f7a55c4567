// Writes packages/batch/src/__fixtures__/{fit,pred}_v2.zarr, read by
// tools/oracles/batch_zarr_xarray.py. Run: npx tsx packages/batch/scripts/write-zarr-fixtures.ts
import { FIXTURES, writeZarrFixtures } from "../src/testing.js";

const { fit, pred } = await writeZarrFixtures(FIXTURES);
console.log(`wrote ${fit} and ${pred}`);
