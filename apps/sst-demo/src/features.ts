import { Rng } from "@geoml/autodiff";
import type { Table } from "@geoml/grid";
import { WARM_POOL_SST, ZONE_EDGES } from "./summary.js";

/** Inputs of the MLPs: latitude, longitude and season as sines and cosines. */
export const MLP_FEATURES = ["sinlat", "coslat", "lon_sin", "lon_cos", "msin", "mcos"] as const;

/** Thermal zone of an SST (°C): 0 polar, 1 temperate, 2 subtropical, 3 tropical. */
export function zoneOf(sst: number): number {
  let k = 0;
  while (k < ZONE_EDGES.length && sst >= ZONE_EDGES[k]) k++;
  return k;
}

/**
 * The columns every model reads, one value per ocean row (cell × month): the targets
 * (`sst`, `warm`, `zone`), the GAM's covariates (`lat`, `lon`, `month`), the GLM's
 * harmonic and polynomial features and the area weight cos(latitude).
 */
export function addFeatures(table: Table): Record<string, Float64Array> {
  const c = table.columns;
  const n = table.nrows;
  const names = [
    "lat",
    "lon",
    "month",
    "sinlat",
    "coslat",
    "sinlat2",
    "sinlat3",
    "msin",
    "mcos",
    "warm",
    "zone",
    "weight",
  ] as const;
  const out: Record<string, Float64Array> = { ...c };
  for (const name of names) out[name] = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const phi = (c.latitude[i] * Math.PI) / 180;
    const s = Math.sin(phi);
    out.lat[i] = c.latitude[i];
    out.lon[i] = c.longitude[i];
    out.month[i] = c.time[i];
    out.sinlat[i] = s;
    out.coslat[i] = Math.cos(phi);
    out.sinlat2[i] = s * s;
    out.sinlat3[i] = s * s * s;
    // Month m covers (m−1, m]: its middle is at (m − 0.5)/12 of the year.
    const angle = (2 * Math.PI * (c.time[i] - 0.5)) / 12;
    out.msin[i] = Math.sin(angle);
    out.mcos[i] = Math.cos(angle);
    out.warm[i] = c.sst[i] >= WARM_POOL_SST ? 1 : 0;
    out.zone[i] = zoneOf(c.sst[i]);
    out.weight[i] = Math.max(out.coslat[i], 1e-3); // area of a cell ∝ cos(latitude)
  }
  return out;
}

/** The rows of every column at `rows`. */
export function subset(
  columns: Record<string, Float64Array>,
  rows: Int32Array,
): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(columns)) {
    out[name] = Float64Array.from(rows, (r) => values[r]);
  }
  return out;
}

/** Row-major matrix of {@link MLP_FEATURES}. */
export function designMatrix(columns: Record<string, Float64Array>): Float64Array {
  const n = columns.sinlat.length;
  const p = MLP_FEATURES.length;
  const x = new Float64Array(n * p);
  MLP_FEATURES.forEach((f, j) => {
    const v = columns[f];
    for (let i = 0; i < n; i++) x[i * p + j] = v[i];
  });
  return x;
}

/** Side of the held-out blocks, in degrees. */
export const BLOCK_DEGREES = 20;

/**
 * Splits rows into training and held-out sets by whole spatial blocks of
 * {@link BLOCK_DEGREES}° × {@link BLOCK_DEGREES}°, every month of a block on the same side.
 * In each latitude band a seeded fifth of the blocks (at least one) is held out, so every
 * climate zone is tested. Why blocks: neighbouring 2° cells are nearly equal (SST varies
 * over hundreds to thousands of km), so a random split of cells would score interpolation
 * between neighbours and flatter the most flexible models.
 */
export function blockSplit(
  lat: Float64Array,
  lon: Float64Array,
  seed: number,
): { train: Int32Array; test: Int32Array; heldBlocks: number; blocks: number } {
  const nLon = Math.ceil(360 / BLOCK_DEGREES);
  const nLat = Math.ceil(180 / BLOCK_DEGREES) + 1;
  const blockOf = (i: number) => {
    const b = Math.min(nLat - 1, Math.floor((lat[i] + 90) / BLOCK_DEGREES));
    const l = Math.floor((((lon[i] % 360) + 360) % 360) / BLOCK_DEGREES) % nLon;
    return b * nLon + l;
  };
  const used = new Set<number>();
  for (let i = 0; i < lat.length; i++) used.add(blockOf(i));
  const held = new Set<number>();
  const rng = new Rng(seed);
  for (let b = 0; b < nLat; b++) {
    const inBand = [...used].filter((k) => Math.floor(k / nLon) === b).sort((x, y) => x - y);
    if (inBand.length < 2) continue;
    const order = rng.permutation(inBand.length);
    const take = Math.max(1, Math.round(inBand.length / 5));
    for (let j = 0; j < take; j++) held.add(inBand[order[j]]);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < lat.length; i++) (held.has(blockOf(i)) ? test : train).push(i);
  return {
    train: Int32Array.from(train),
    test: Int32Array.from(test),
    heldBlocks: held.size,
    blocks: used.size,
  };
}

/** Every `step`-th row of `rows` so that at most `max` remain (a spread-out subsample). */
export function thin(rows: Int32Array, max: number): Int32Array {
  if (rows.length <= max) return rows;
  const step = rows.length / max;
  return Int32Array.from({ length: max }, (_, i) => rows[Math.floor(i * step)]);
}
