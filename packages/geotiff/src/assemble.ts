/**
 * Copying decoded blocks into a window. geotiff.js reads every pixel through a DataView
 * call, which dominates a large read; for little-endian files on a little-endian machine
 * (GDAL's default, and every x86/ARM host) rows are copied as typed-array slices instead.
 * Blocks are still fetched and decoded by geotiff.js (`getTileOrStrip`).
 */
import { allocate, type DType, type TypedArray } from "@geoml/grid";
import { type GeoTIFFImage, getDecoder } from "geotiff";
import { GeotiffError } from "./errors.js";
import type { ImageInfo } from "./image.js";

/** A pixel window: columns `[x, x + width)` and rows `[y, y + height)`. */
export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** True on little-endian hosts, where typed arrays can view little-endian file data directly. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Blocks decoded at once: bounds memory on a large window while keeping reads overlapped. */
const BATCH = 32;

/**
 * Read bands (1-based) over a window from decoded blocks.
 *
 * @throws GeotiffError `CORRUPT` when a block decodes to fewer bytes than it must hold
 */
export async function readWindow(
  image: GeoTIFFImage,
  info: ImageInfo,
  bands: readonly number[],
  w: PixelWindow,
  file: string,
): Promise<TypedArray[]> {
  const dtype = info.dtype as Exclude<DType, "string" | "char">;
  const outs = bands.map(() => allocate(dtype, w.width * w.height));
  const bw = info.blockWidth;
  const bh = info.blockHeight;
  const spp = info.planar === 1 ? info.bands : 1;
  const decoder = await getDecoder(info.compression, {
    tileWidth: bw,
    tileHeight: bh,
    planarConfiguration: info.planar,
    bitsPerSample: new Array(info.bands).fill(info.bytes * 8),
    predictor: info.predictor,
  } as never);

  type Job = { tx: number; ty: number; sample: number; targets: Array<[number, TypedArray]> };
  const jobs: Job[] = [];
  for (let ty = Math.floor(w.y / bh); ty * bh < w.y + w.height; ty++) {
    for (let tx = Math.floor(w.x / bw); tx * bw < w.x + w.width; tx++) {
      if (info.planar === 1) {
        jobs.push({ tx, ty, sample: 0, targets: bands.map((b, i) => [b - 1, outs[i]]) });
      } else {
        bands.forEach((b, i) => {
          jobs.push({ tx, ty, sample: b - 1, targets: [[0, outs[i]]] });
        });
      }
    }
  }
  for (let j = 0; j < jobs.length; j += BATCH) {
    const batch = jobs.slice(j, j + BATCH);
    const tiles = await Promise.all(
      batch.map((job) => image.getTileOrStrip(job.tx, job.ty, job.sample, decoder as never)),
    );
    tiles.forEach((tile, k) => {
      const job = batch[k];
      const x0 = job.tx * bw;
      const y0 = job.ty * bh;
      const r0 = Math.max(0, w.y - y0);
      const r1 = Math.min(bh, w.y + w.height - y0, info.height - y0);
      const c0 = Math.max(0, w.x - x0);
      const c1 = Math.min(bw, w.x + w.width - x0, info.width - x0);
      const needed = ((r1 - 1) * bw + c1) * spp;
      const buffer = tile.data as ArrayBuffer;
      if (buffer.byteLength < needed * info.bytes) {
        throw new GeotiffError(
          "CORRUPT",
          `image ${info.index}: block (${job.tx}, ${job.ty}) decodes to ${buffer.byteLength} bytes, needs ${needed * info.bytes}`,
          { file },
        );
      }
      const view = viewOf(dtype, buffer, needed);
      for (const [s, out] of job.targets) {
        for (let r = r0; r < r1; r++) {
          const dst = (y0 + r - w.y) * w.width + (x0 + c0 - w.x);
          if (spp === 1) {
            out.set(view.subarray(r * bw + c0, r * bw + c1) as never, dst);
          } else {
            const src = (r * bw + c0) * spp + s;
            for (let c = 0; c < c1 - c0; c++) out[dst + c] = view[src + c * spp];
          }
        }
      }
    });
  }
  return outs;
}

function viewOf(
  dtype: Exclude<DType, "string" | "char">,
  buffer: ArrayBuffer,
  n: number,
): TypedArray {
  switch (dtype) {
    case "int8":
      return new Int8Array(buffer, 0, n);
    case "uint8":
      return new Uint8Array(buffer, 0, n);
    case "int16":
      return new Int16Array(buffer, 0, n);
    case "uint16":
      return new Uint16Array(buffer, 0, n);
    case "int32":
      return new Int32Array(buffer, 0, n);
    case "uint32":
      return new Uint32Array(buffer, 0, n);
    case "float64":
      return new Float64Array(buffer, 0, n);
    default:
      return new Float32Array(buffer, 0, n);
  }
}
