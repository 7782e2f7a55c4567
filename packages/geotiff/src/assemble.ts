/**
 * Copying decoded blocks into a window. geotiff.js reads every pixel through a DataView
 * call, which dominates a large read; for little-endian files on a little-endian machine
 * (GDAL's default, and every x86/ARM host) rows are copied as typed-array slices instead.
 * Blocks are still fetched and decoded by geotiff.js (`getTileOrStrip`).
 */
import { allocate, type DType, type TypedArray } from "@geoml/grid";
import { type GeoTIFFImage, getDecoder } from "geotiff";
import { maxDecoded } from "./bounds.js";
import type { BlockParameters } from "./decoders.js";
import { GeotiffError } from "./errors.js";
import { COMPRESSION_NAMES, type ImageInfo, type PixelWindow } from "./image.js";

/** True on little-endian hosts, where typed arrays can view little-endian file data directly. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Most decoded block bytes held at once: bounds memory while keeping reads overlapped. */
const BATCH_BYTES = 2 ** 26;
const BATCH_BLOCKS = 32;

/** One tile or strip to decode and where its samples go. */
interface Job {
  tx: number;
  ty: number;
  sample: number;
  /** (sample within the block, output index) pairs. */
  targets: Array<[number, number]>;
}

/** Where the blocks under window `w` are, and which output band each sample feeds. */
function jobsFor(info: ImageInfo, bands: readonly number[], w: PixelWindow): Job[] {
  const bw = info.blockWidth;
  const bh = info.blockHeight;
  const jobs: Job[] = [];
  for (let ty = Math.floor(w.y / bh); ty * bh < w.y + w.height; ty++) {
    for (let tx = Math.floor(w.x / bw); tx * bw < w.x + w.width; tx++) {
      if (info.planar === 1) {
        jobs.push({ tx, ty, sample: 0, targets: bands.map((b, i) => [b - 1, i]) });
      } else {
        bands.forEach((b, i) => {
          jobs.push({ tx, ty, sample: b - 1, targets: [[0, i]] });
        });
      }
    }
  }
  return jobs;
}

/** Position of a job's block in the TileOffsets/StripOffsets list. */
function blockIndex(info: ImageInfo, job: Job): number {
  const across = Math.ceil(info.width / info.blockWidth);
  const down = Math.ceil(info.height / info.blockHeight);
  return job.sample * across * down + job.ty * across + job.tx;
}

/**
 * A block GDAL left out (offset and size 0, `SPARSE_OK`): it reads as nodata, or 0 when
 * the band has none (or its nodata does not fit the type), as GDAL reads it.
 */
function sparseBlock(
  info: ImageInfo,
  dtype: Exclude<DType, "string" | "char">,
  nodata: number | undefined,
): ArrayBuffer {
  const spp = info.planar === 1 ? info.bands : 1;
  const block = allocate(dtype, info.blockWidth * info.blockHeight * spp) as Float64Array;
  const float = dtype === "float32" || dtype === "float64";
  if (nodata !== undefined && nodata !== 0) {
    block.fill(nodata);
    // an integer band's nodata that the type cannot hold
    if (!float && block[0] !== nodata) block.fill(0);
  }
  return block.buffer as ArrayBuffer;
}

/** Rows and columns of block (tx, ty) that fall in the window and the image. */
function overlap(info: ImageInfo, w: PixelWindow, tx: number, ty: number) {
  const x0 = tx * info.blockWidth;
  const y0 = ty * info.blockHeight;
  return {
    x0,
    y0,
    r0: Math.max(0, w.y - y0),
    r1: Math.min(info.blockHeight, w.y + w.height - y0, info.height - y0),
    c0: Math.max(0, w.x - x0),
    c1: Math.min(info.blockWidth, w.x + w.width - x0, info.width - x0),
  };
}

/**
 * Check that each block under the window can hold what the window needs of it, from
 * its stored size and the codec's densest possible expansion. A header claiming more
 * pixels than the file's blocks could hold fails here, before anything is allocated.
 *
 * @throws GeotiffError `CORRUPT` naming the first block that is too small
 */
export function checkWindowBlocks(
  info: ImageInfo,
  bands: readonly number[],
  w: PixelWindow,
  byteCounts: readonly number[],
  file: string,
): void {
  const spp = info.planar === 1 ? info.bands : 1;
  for (const job of jobsFor(info, bands, w)) {
    const { r1, c1 } = overlap(info, w, job.tx, job.ty);
    const needed = ((r1 - 1) * info.blockWidth + c1) * spp * info.bytes;
    const index = blockIndex(info, job);
    // a sparse block (size 0) holds no data and reads as nodata
    if (byteCounts[index] === 0) continue;
    const most = maxDecoded(info.compression, byteCounts[index] ?? 0);
    if (most < needed) {
      throw new GeotiffError(
        "CORRUPT",
        `image ${info.index}: block ${index} stores ${byteCounts[index]} bytes of ${COMPRESSION_NAMES[info.compression]}, which cannot hold the ${needed} bytes the header implies`,
        { file },
      );
    }
  }
}

/**
 * Read bands (1-based) over a window from decoded blocks. The window is allocated only
 * once the first blocks decoded to the size the header implies, so a damaged header
 * fails before a large allocation.
 *
 * @throws GeotiffError `CORRUPT` when a block decodes to fewer bytes than it must hold
 */
export async function readWindow(
  image: GeoTIFFImage,
  info: ImageInfo,
  bands: readonly number[],
  w: PixelWindow,
  file: string,
  byteCounts: readonly number[],
  nodata?: number,
): Promise<TypedArray[]> {
  const dtype = info.dtype as Exclude<DType, "string" | "char">;
  let outs: TypedArray[] | undefined;
  const bw = info.blockWidth;
  const spp = info.planar === 1 ? info.bands : 1;
  const decoder = await blockDecoder(info, nodata);
  const jobs = jobsFor(info, bands, w);
  const blockBytes = info.blockWidth * info.blockHeight * spp * info.bytes;
  const batchSize = Math.max(1, Math.min(BATCH_BLOCKS, Math.floor(BATCH_BYTES / blockBytes)));
  for (let j = 0; j < jobs.length; j += batchSize) {
    const batch = jobs.slice(j, j + batchSize);
    const tiles = await Promise.all(
      batch.map((job) =>
        byteCounts[blockIndex(info, job)] === 0
          ? { data: sparseBlock(info, dtype, nodata) }
          : image.getTileOrStrip(job.tx, job.ty, job.sample, decoder as never),
      ),
    );
    const views = tiles.map((tile, k) => {
      const job = batch[k];
      const { r1, c1 } = overlap(info, w, job.tx, job.ty);
      const needed = ((r1 - 1) * bw + c1) * spp;
      const buffer = tile.data as ArrayBuffer;
      if (buffer.byteLength < needed * info.bytes) {
        throw new GeotiffError(
          "CORRUPT",
          `image ${info.index}: block (${job.tx}, ${job.ty}) decodes to ${buffer.byteLength} bytes, needs ${needed * info.bytes}`,
          { file },
        );
      }
      return viewOf(dtype, buffer, needed);
    });
    outs ??= bands.map(() => allocate(dtype, w.width * w.height));
    const out = outs;
    views.forEach((view, k) => {
      const job = batch[k];
      const { x0, y0, r0, r1, c0, c1 } = overlap(info, w, job.tx, job.ty);
      for (const [s, i] of job.targets) {
        const target = out[i];
        for (let r = r0; r < r1; r++) {
          const dst = (y0 + r - w.y) * w.width + (x0 + c0 - w.x);
          if (spp === 1) {
            target.set(view.subarray(r * bw + c0, r * bw + c1) as never, dst);
          } else {
            const src = (r * bw + c0) * spp + s;
            for (let c = 0; c < c1 - c0; c++) target[dst + c] = view[src + c * spp];
          }
        }
      }
    });
  }
  return outs ?? bands.map(() => allocate(dtype, w.width * w.height));
}

/** A decoder for the image's blocks, with what its codec needs (JPEG tables, LERC mask fill). */
export async function blockDecoder(info: ImageInfo, nodata?: number) {
  return getDecoder(info.compression, {
    tileWidth: info.blockWidth,
    tileHeight: info.blockHeight,
    planarConfiguration: info.planar,
    bitsPerSample: new Array(info.bands).fill(info.bytes * 8),
    predictor: info.predictor,
    ...(info.jpegTables === undefined ? {} : { JPEGTables: info.jpegTables }),
    ...(info.lercParameters === undefined ? {} : { LercParameters: info.lercParameters }),
    ...(nodata === undefined ? {} : { nodata }),
  } satisfies BlockParameters as never);
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
