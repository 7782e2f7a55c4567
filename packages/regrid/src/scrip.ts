import { type Attrs, attrString, DataArray, type Dataset } from "@geoml/grid";
import { rectilinearAreas } from "./conservative.js";
import { RegridError } from "./errors.js";
import { cellCenter, curvilinearCorners, gridSize, type SphericalGrid } from "./grid.js";
import { GREAT_CIRCLE, polygonArea, RAD, toVec, type Vec3 } from "./sphere.js";
import {
  fromLinks,
  type RegridMethod,
  type RemapWeights,
  RULE_ALL,
  RULE_RENORMALIZE,
  RULE_SUM,
} from "./weights.js";

const MAP_METHOD: Record<RegridMethod, string> = {
  conservative: "Conservative remapping using clipping on sphere",
  bilinear: "Bilinear remapping",
  nearest: "Nearest neighbor",
};

/** Variables and global attributes of a SCRIP weight file, ready for a NetCDF writer. */
export interface ScripFile {
  /** Variables in SCRIP order. */
  variables: DataArray[];
  /** Global attributes (`title`, `normalization`, `map_method`, `conventions`, …). */
  attrs: Attrs;
}

/**
 * The weights as a SCRIP remapping file (the layout CDO's `gencon`/`genbil`/`gennn` write
 * and `cdo remap` reads), for a given source mask: SCRIP weights are final, so links to
 * missing source cells are dropped and conservative weights are normalised over the
 * valid overlap (`fracarea`) as CDO does. Write the result with a NetCDF writer, e.g.
 * `writeNetcdf(path, file.variables, { attrs: file.attrs })`.
 *
 * @param mask - 1 where the source is valid (default: all valid); e.g. from the first time step
 * @throws RegridError `GRID_MISMATCH` when sizes disagree
 */
export function toScrip(
  w: RemapWeights,
  source: SphericalGrid,
  target: SphericalGrid,
  mask?: ArrayLike<number>,
): ScripFile {
  const ns = gridSize(source);
  const nt = gridSize(target);
  if (w.sourceSize !== ns || w.targetSize !== nt) {
    throw new RegridError(
      "GRID_MISMATCH",
      `weights are ${w.sourceSize} → ${w.targetSize} cells but the grids have ${ns} → ${nt}`,
    );
  }
  if (mask !== undefined && mask.length !== ns) {
    throw new RegridError("GRID_MISMATCH", `mask has ${mask.length} cells, source has ${ns}`);
  }
  const valid = (s: number) => mask === undefined || mask[s] !== 0;
  const src: number[] = [];
  const dst: number[] = [];
  const wts: number[] = [];
  const dstFrac = new Float64Array(nt);
  for (let t = 0; t < nt; t++) {
    const a = w.rowStart[t];
    const b = w.rowStart[t + 1];
    let sw = 0;
    let bad = false;
    for (let k = a; k < b; k++) {
      if (valid(w.sources[k])) sw += w.weights[k];
      else if (w.weights[k] !== 0) bad = true;
    }
    const rule = w.rule[t];
    if (b === a || sw === 0 || (rule === RULE_ALL && bad)) continue;
    dstFrac[t] = w.method === "conservative" ? sw : 1;
    const scale = rule === RULE_RENORMALIZE ? 1 / sw : 1;
    for (let k = a; k < b; k++) {
      if (!valid(w.sources[k])) continue;
      src.push(w.sources[k] + 1);
      dst.push(t + 1);
      wts.push(w.weights[k] * scale);
    }
  }
  const imask = Int32Array.from({ length: ns }, (_, s) => (valid(s) ? 1 : 0));
  const variables: DataArray[] = [
    vec("src_grid_dims", "src_grid_rank", Int32Array.from([source.nx, source.ny])),
    vec("dst_grid_dims", "dst_grid_rank", Int32Array.from([target.nx, target.ny])),
    vec("src_grid_center_lat", "src_grid_size", centers(source, 0), "radians"),
    vec("dst_grid_center_lat", "dst_grid_size", centers(target, 0), "radians"),
    vec("src_grid_center_lon", "src_grid_size", centers(source, 1), "radians"),
    vec("dst_grid_center_lon", "dst_grid_size", centers(target, 1), "radians"),
    vec("src_grid_imask", "src_grid_size", imask, "unitless"),
    vec("dst_grid_imask", "dst_grid_size", new Int32Array(nt).fill(1), "unitless"),
  ];
  if (w.method === "conservative") {
    variables.push(
      vec("src_grid_area", "src_grid_size", cellAreas(source), "square radians"),
      vec("dst_grid_area", "dst_grid_size", cellAreas(target), "square radians"),
    );
  }
  variables.push(
    vec("src_grid_frac", "src_grid_size", Float64Array.from(imask), "unitless"),
    vec("dst_grid_frac", "dst_grid_size", dstFrac, "unitless"),
    vec("src_address", "num_links", Int32Array.from(src)),
    vec("dst_address", "num_links", Int32Array.from(dst)),
    new DataArray({
      name: "remap_matrix",
      dims: ["num_links", "num_wgts"],
      shape: [wts.length, 1],
      data: Float64Array.from(wts),
    }),
  );
  const normalization =
    w.method !== "conservative" ? "none" : w.rule[0] === RULE_SUM ? "destarea" : "fracarea";
  return {
    variables,
    attrs: {
      title: "geoml remapping",
      normalization,
      map_method: MAP_METHOD[w.method],
      conventions: "SCRIP",
      source_grid: source.kind === "rectilinear" ? "lonlat" : "curvilinear",
      dest_grid: target.kind === "rectilinear" ? "lonlat" : "curvilinear",
    },
  };
}

function vec(name: string, dim: string, data: Int32Array | Float64Array, units?: string) {
  return new DataArray({
    name,
    dims: [dim],
    data,
    attrs: units === undefined ? {} : { units },
  });
}

function centers(g: SphericalGrid, which: 0 | 1): Float64Array {
  const n = gridSize(g);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = cellCenter(g, k)[which] * RAD;
  return out;
}

/** Cell areas in steradians: exact for rectilinear cells, great-circle polygons for curvilinear ones (corners computed if the grid has none). */
export function cellAreas(g: SphericalGrid): Float64Array {
  if (g.kind === "rectilinear") return rectilinearAreas(g);
  const n = gridSize(g);
  const out = new Float64Array(n);
  const computed =
    g.latBounds === undefined || g.lonBounds === undefined ? curvilinearCorners(g) : undefined;
  const cLat = g.latBounds ?? computed!.lat;
  const cLon = g.lonBounds ?? computed!.lon;
  const nc = cLat.length / n;
  for (let s = 0; s < n; s++) {
    const pts: Vec3[] = [];
    for (let c = 0; c < nc; c++) pts.push(toVec(cLat[s * nc + c], cLon[s * nc + c]));
    const a = polygonArea(
      pts,
      pts.map(() => GREAT_CIRCLE),
    );
    out[s] = Number.isFinite(a) ? Math.abs(a) : 0;
  }
  return out;
}

/**
 * Weights from a SCRIP remapping file (written by CDO's `gencon`, `genbil`, `gennn`, by
 * ESMF in SCRIP layout, or by {@link toScrip}). The first weight column is used.
 *
 * @throws RegridError `INVALID_WEIGHTS` when a variable is missing or the method is not one of conservative, bilinear, nearest
 */
export async function fromScrip(ds: Dataset): Promise<{
  weights: RemapWeights;
  sourceDims: [number, number];
  targetDims: [number, number];
}> {
  const ctx = ds.path === undefined ? {} : { file: ds.path };
  for (const v of [
    "src_address",
    "dst_address",
    "remap_matrix",
    "src_grid_dims",
    "dst_grid_dims",
  ]) {
    if (!ds.has(v)) {
      throw new RegridError("INVALID_WEIGHTS", `not a SCRIP weight file: no variable '${v}'`, ctx);
    }
  }
  const mapMethod = attrString(ds.attrs, "map_method") ?? "";
  let method: RegridMethod;
  if (/conserv/i.test(mapMethod)) method = "conservative";
  else if (/bilinear/i.test(mapMethod)) method = "bilinear";
  else if (/nearest/i.test(mapMethod)) method = "nearest";
  else {
    throw new RegridError(
      "INVALID_WEIGHTS",
      `map_method '${mapMethod}' is not conservative, bilinear or nearest neighbour`,
      ctx,
    );
  }
  const read = async (name: string) => (await ds.read(name, { coords: false })).toFloat64();
  const [src, dst, matrix, sdims, ddims] = await Promise.all([
    read("src_address"),
    read("dst_address"),
    read("remap_matrix"),
    read("src_grid_dims"),
    read("dst_grid_dims"),
  ]);
  const nwgts = ds.variable("remap_matrix").shape[1] ?? 1;
  const n = src.length;
  if (dst.length !== n || matrix.length !== n * nwgts) {
    throw new RegridError(
      "INVALID_WEIGHTS",
      `src_address, dst_address and remap_matrix disagree in length (${n}, ${dst.length}, ${matrix.length / nwgts})`,
      ctx,
    );
  }
  const sourceDims: [number, number] = [sdims[1] ?? 1, sdims[0]];
  const targetDims: [number, number] = [ddims[1] ?? 1, ddims[0]];
  const ns = sourceDims[0] * sourceDims[1];
  const nt = targetDims[0] * targetDims[1];
  const target = new Int32Array(n);
  const source = new Int32Array(n);
  const weight = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    target[k] = dst[k] - 1;
    source[k] = src[k] - 1;
    weight[k] = matrix[k * nwgts];
  }
  const normalization = attrString(ds.attrs, "normalization") ?? "none";
  // SCRIP weights are final for the mask they were made with; renormalising conservative
  // ones over the valid sources of each step keeps that result and handles other masks.
  const rule =
    method === "conservative"
      ? normalization === "fracarea"
        ? RULE_RENORMALIZE
        : RULE_SUM
      : RULE_ALL;
  try {
    const weights = fromLinks(method, ns, nt, { target, source, weight }, rule);
    return { weights, sourceDims, targetDims };
  } catch (error) {
    if (error instanceof RegridError) throw new RegridError(error.code, error.message, ctx);
    throw error;
  }
}
