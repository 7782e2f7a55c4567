/**
 * Opening a GeoTIFF as a lazy back-end: the header, IFDs and georeferencing are read
 * and checked up front; pixels are decoded by geotiff.js only for the window asked for.
 */
import {
  type ArrayData,
  type Attrs,
  allocate,
  type DatasetSource,
  type DType,
  resolveHyperslab,
  sizeOf,
  type TypedArray,
  type VariableSource,
} from "@geoml/grid";
import { GeoTIFF } from "geotiff";
import { blockDecoder, checkWindowBlocks, HOST_LITTLE_ENDIAN, readWindow } from "./assemble.js";
import { type ByteSource, bufferSource, fileSource, geotiffJsSource } from "./byte-source.js";
import { registerDecoders } from "./decoders.js";
import { asGeotiffError, GeotiffError } from "./errors.js";
import {
  epsgOf,
  GEOKEY,
  type GeoKeys,
  type GeoTransform,
  geoTransformOf,
  isNorthUp,
  isPixelIsPoint,
  parseGeoKeys,
  pixelCentres,
  scaleGeoTransform,
} from "./georef.js";
import {
  COMPRESSION_NAMES,
  checkBlocks,
  describeImage,
  type ImageInfo,
  type PixelWindow,
} from "./image.js";
import { bandAttrs, type GdalItem, parseGdalMetadata, parseNodata } from "./metadata.js";
import { blobSource, httpSource } from "./remote.js";
import {
  type Ifd,
  readStructure,
  readTagNumbers,
  readTagText,
  TAG,
  type TiffStructure,
} from "./structure.js";

/** Most bytes one read may return (all bands together): 4 GiB. */
const MAX_READ_BYTES = 2 ** 32;

export type { PixelWindow } from "./image.js";

/** Options of {@link openGeotiff}. */
export interface OpenGeotiffOptions {
  /**
   * Resolution level: 0 is the full-resolution image, 1 the first overview (reduced
   * resolution image), and so on. Default 0. See {@link overviewForSize} to pick one.
   */
  overview?: number;
}

/** Size of one resolution level. */
export interface LevelSize {
  width: number;
  height: number;
}

/**
 * An open GeoTIFF: a {@link DatasetSource} whose variables are the bands (`band1`,
 * `band2`, …, dims `["y", "x"]`) followed by the pixel-centre coordinates `x` and `y`
 * when the file is georeferenced north-up. Band attributes carry GDAL's nodata as
 * `_FillValue` and its scale/offset as `scale_factor`/`add_offset`, so the grid's CF
 * `decode` gives the same values GDAL does.
 */
export interface GeotiffSource extends DatasetSource {
  readonly format: "geotiff";
  readonly path: string;
  /** The resolution level opened (0 = full resolution). */
  readonly level: number;
  /** Width and height of every resolution level, full resolution first. */
  readonly levels: readonly LevelSize[];
  /** Facts about the opened image (compression, blocks, interleave). */
  readonly image: Readonly<ImageInfo>;
  /** GDAL geotransform of the opened level, if georeferenced. */
  readonly geoTransform?: GeoTransform;
  /** EPSG code of the CRS, if it has one. */
  readonly epsg?: number;
  /** Number of bands. */
  readonly bandCount: number;
  /**
   * Raw (undecoded) values of bands (1-based) over a window, one typed array per band,
   * row-major. Only the tiles or strips under the window are read.
   *
   * @throws GeotiffError `OUT_OF_RANGE` for bands or a window outside the image
   */
  readBands(bands: readonly number[], window?: PixelWindow): Promise<TypedArray[]>;
  /** Release the file handle. */
  close(): Promise<void>;
}

/**
 * The coarsest resolution level whose width and height are still at least the given
 * size — the level to read for a picture or a quick look of that size.
 */
export function overviewForSize(levels: readonly LevelSize[], width: number, height = 0): number {
  let best = 0;
  levels.forEach((l, i) => {
    if (l.width >= width && l.height >= height && l.width <= levels[best].width) best = i;
  });
  return best;
}

/**
 * Open a GeoTIFF (classic or BigTIFF, striped or tiled, COG) from a path or bytes.
 * Reads metadata only; the format is recognised by its magic bytes, not its name.
 *
 * @param input - file path, `http(s)://` URL (range requests: a window costs its tiles), the
 *   file's bytes, a `Blob`, or any {@link ByteSource}
 * @param options - resolution level
 * @throws GeotiffError `IO_ERROR`, `BAD_MAGIC`, `TRUNCATED`, `CORRUPT`, `UNSUPPORTED`,
 *   or `OUT_OF_RANGE` for a missing overview level
 */
export async function openGeotiff(
  input: string | URL | Uint8Array | Blob | ByteSource,
  options: OpenGeotiffOptions = {},
): Promise<GeotiffSource> {
  const src =
    typeof input === "string" && !/^https?:\/\//i.test(input)
      ? await fileSource(input)
      : typeof input === "string" || input instanceof URL
        ? await httpSource(input)
        : input instanceof Uint8Array
          ? bufferSource(input)
          : typeof Blob !== "undefined" && input instanceof Blob
            ? blobSource(input)
            : (input as ByteSource);
  try {
    return await openFrom(src, options);
  } catch (error) {
    await src.close();
    throw asGeotiffError(error, { file: src.name }, "cannot read the TIFF structure");
  }
}

async function openFrom(src: ByteSource, options: OpenGeotiffOptions): Promise<GeotiffSource> {
  const file = src.name;
  const structure = await readStructure(src);
  const main = structure.ifds[0];
  const mainInfo = await describeImage(src, structure, main);
  // Overviews: reduced-resolution images that are not transparency masks (TIFF NewSubfileType).
  const levelIfds: Array<{ ifd: Ifd; info: ImageInfo }> = [{ ifd: main, info: mainInfo }];
  for (const ifd of structure.ifds.slice(1)) {
    const sub = ifd.tags.get(TAG.NewSubfileType);
    if (sub === undefined) continue;
    const type = (await readTagNumbers(src, structure, sub))[0];
    if ((type & 1) === 0 || (type & 4) !== 0) continue;
    levelIfds.push({ ifd, info: await describeImage(src, structure, ifd) });
  }
  const level = options.overview ?? 0;
  if (!Number.isInteger(level) || level < 0 || level >= levelIfds.length) {
    throw new GeotiffError(
      "OUT_OF_RANGE",
      `overview level ${level} does not exist (levels 0..${levelIfds.length - 1})`,
      { file },
    );
  }
  const { ifd, info } = levelIfds[level];

  const geo = await readGeoreferencing(src, structure, main);
  const gt =
    geo.geoTransform === undefined
      ? undefined
      : scaleGeoTransform(
          geo.geoTransform,
          mainInfo.width,
          mainInfo.height,
          info.width,
          info.height,
        );
  // GDAL writes nodata and metadata on the full-resolution image only.
  const nodataEntry = main.tags.get(TAG.GdalNodata);
  const nodataText = nodataEntry === undefined ? undefined : await readTagText(src, nodataEntry);
  const nodata = nodataText === undefined ? undefined : parseNodata(nodataText);
  const metaEntry = main.tags.get(TAG.GdalMetadata);
  const items = metaEntry === undefined ? [] : parseGdalMetadata(await readTagText(src, metaEntry));

  const attrs = globalAttrs(info, structure, geo.keys, gt, geo.epsg, items, levelIfds.length);
  let tiff: GeoTIFF | undefined;
  let byteCounts: number[] | undefined;
  let closed = false;
  const ctx = { file };

  const readBands = async (
    bands: readonly number[],
    window?: PixelWindow,
  ): Promise<TypedArray[]> => {
    if (closed) throw new GeotiffError("CLOSED", "read after close", ctx);
    for (const b of bands) {
      if (!Number.isInteger(b) || b < 1 || b > info.bands) {
        throw new GeotiffError(
          "OUT_OF_RANGE",
          `band ${b} does not exist (bands 1..${info.bands})`,
          ctx,
        );
      }
    }
    const w = window ?? { x: 0, y: 0, width: info.width, height: info.height };
    resolveHyperslab([info.height, info.width], [w.y, w.x], [w.height, w.width], ctx);
    // One typed array per band; beyond 4 GiB in all the allocation itself would fail.
    const bytes = sizeOf([bands.length, w.height, w.width]) * info.bytes;
    if (bytes > MAX_READ_BYTES) {
      throw new GeotiffError(
        "TOO_LARGE",
        `${bands.length} band(s) of ${w.width}×${w.height} ${info.dtype} need ${bytes} bytes (limit ${MAX_READ_BYTES}); read smaller windows`,
        ctx,
      );
    }
    if (bands.length === 0 || w.width === 0 || w.height === 0) {
      return bands.map(() => allocate(info.dtype as Exclude<DType, "string">, 0));
    }
    try {
      byteCounts ??= await checkBlocks(src, structure, ifd, info);
      checkWindowBlocks(info, bands, w, byteCounts, file);
      await registerDecoders();
      tiff ??= await GeoTIFF.fromSource(geotiffJsSource(src) as never);
      const image = await tiff.getImage(info.index);
      if (structure.littleEndian && HOST_LITTLE_ENDIAN) {
        return await readWindow(image, info, bands, w, file, byteCounts, nodata);
      }
      // geotiff.js allocates the window itself: first decode one block under it, so a
      // header that does not match the blocks fails before that allocation.
      const bw = info.blockWidth;
      const bh = info.blockHeight;
      const first = info.planar === 2 ? bands[0] - 1 : 0;
      await image.getTileOrStrip(
        Math.floor(w.x / bw),
        Math.floor(w.y / bh),
        first,
        (await blockDecoder(info, nodata)) as never,
      );
      const rasters = await image.readRasters({
        window: [w.x, w.y, w.x + w.width, w.y + w.height],
        samples: bands.map((b) => b - 1),
        interleave: false,
      });
      return Array.from(rasters as unknown as TypedArray[]);
    } catch (error) {
      throw asGeotiffError(error, ctx, `cannot decode image ${info.index}`);
    }
  };

  const variables: VariableSource[] = [];
  for (let b = 1; b <= info.bands; b++) {
    const name = `band${b}`;
    variables.push({
      name,
      dims: ["y", "x"],
      shape: [info.height, info.width],
      dtype: info.dtype,
      attrs: bandAttrs(items, b - 1, nodataText, { file, variable: name }),
      chunks: [info.blockHeight, info.blockWidth],
      async read(start, count): Promise<ArrayData> {
        const [s, c] = resolveHyperslab([info.height, info.width], start, count, {
          file,
          variable: name,
        });
        const [data] = await readBands([b], { y: s[0], x: s[1], height: c[0], width: c[1] });
        return data;
      },
    });
  }
  if (gt !== undefined && isNorthUp(gt)) {
    const { x, y } = pixelCentres(gt, 0, info.width, 0, info.height);
    const geographic =
      geo.modelType === 2 || (geo.epsg !== undefined && geo.epsg >= 4000 && geo.epsg < 5000);
    variables.push(memoryCoordinate("x", x, coordAttrs("x", geographic, geo.keys)));
    variables.push(memoryCoordinate("y", y, coordAttrs("y", geographic, geo.keys)));
  }
  return {
    format: "geotiff",
    path: file,
    dims: { y: info.height, x: info.width },
    attrs,
    variables,
    level,
    levels: levelIfds.map(({ info: l }) => ({ width: l.width, height: l.height })),
    image: info,
    ...(gt === undefined ? {} : { geoTransform: gt }),
    ...(geo.epsg === undefined ? {} : { epsg: geo.epsg }),
    bandCount: info.bands,
    readBands,
    async close() {
      closed = true;
      await src.close();
    },
  };
}

interface Georeferencing {
  keys: GeoKeys;
  geoTransform?: GeoTransform;
  epsg?: number;
  modelType?: number;
}

async function readGeoreferencing(
  src: ByteSource,
  structure: TiffStructure,
  ifd: Ifd,
): Promise<Georeferencing> {
  const nums = async (tag: number) => {
    const e = ifd.tags.get(tag);
    return e === undefined ? undefined : readTagNumbers(src, structure, e);
  };
  const directory = await nums(TAG.GeoKeyDirectory);
  const asciiEntry = ifd.tags.get(TAG.GeoAsciiParams);
  const keys = parseGeoKeys(
    directory ?? [],
    (await nums(TAG.GeoDoubleParams)) ?? [],
    asciiEntry === undefined ? "" : await readTagText(src, asciiEntry),
  );
  const gt = geoTransformOf(
    await nums(TAG.ModelTiepoint),
    await nums(TAG.ModelPixelScale),
    await nums(TAG.ModelTransformation),
    isPixelIsPoint(keys),
  );
  const epsg = epsgOf(keys);
  const modelType = keys.get(GEOKEY.GTModelType);
  return {
    keys,
    ...(gt === undefined ? {} : { geoTransform: gt }),
    ...(epsg === undefined ? {} : { epsg }),
    ...(typeof modelType === "number" ? { modelType } : {}),
  };
}

function globalAttrs(
  info: ImageInfo,
  structure: TiffStructure,
  keys: GeoKeys,
  gt: GeoTransform | undefined,
  epsg: number | undefined,
  items: readonly GdalItem[],
  levels: number,
): Attrs {
  const attrs: Attrs = {};
  for (const it of items) if (it.sample === undefined) attrs[it.name] = it.value;
  if (epsg !== undefined) {
    attrs.crs = `EPSG:${epsg}`;
    attrs.epsg = epsg;
  }
  const citation = keys.get(GEOKEY.GTCitation);
  if (typeof citation === "string" && citation !== "") attrs.crs_citation = citation;
  if (gt !== undefined) attrs.geotransform = [...gt];
  attrs.raster_type = keys.get(GEOKEY.GTRasterType) === 2 ? "PixelIsPoint" : "PixelIsArea";
  attrs.compression = COMPRESSION_NAMES[info.compression];
  // GDAL names LERC by its additional compression too.
  const extra = info.lercParameters?.[1];
  if (extra === 1 || extra === 2) attrs.compression = extra === 1 ? "LERC_DEFLATE" : "LERC_ZSTD";
  if (info.predictor !== 1) attrs.predictor = info.predictor;
  attrs.interleave = info.planar === 1 && info.bands > 1 ? "pixel" : "band";
  attrs.layout = info.tiled
    ? `tiled ${info.blockWidth}x${info.blockHeight}`
    : `striped ${info.blockHeight} rows`;
  if (structure.bigTiff) attrs.bigtiff = "yes";
  if (levels > 1) attrs.overviews = levels - 1;
  return attrs;
}

function coordAttrs(axis: "x" | "y", geographic: boolean, keys: GeoKeys): Attrs {
  if (geographic) {
    return axis === "x"
      ? { standard_name: "longitude", units: "degrees_east" }
      : { standard_name: "latitude", units: "degrees_north" };
  }
  const attrs: Attrs = {
    standard_name: axis === "x" ? "projection_x_coordinate" : "projection_y_coordinate",
  };
  // ProjLinearUnitsGeoKey 9001 is the metre; projected EPSG CRSs nearly all use it.
  const unit = keys.get(3076);
  if (unit === undefined || unit === 9001) attrs.units = "m";
  return attrs;
}

function memoryCoordinate(name: string, values: Float64Array, attrs: Attrs): VariableSource {
  return {
    name,
    dims: [name],
    shape: [values.length],
    dtype: "float64",
    attrs,
    async read(start, count) {
      const [s, c] = resolveHyperslab([values.length], start, count, { variable: name });
      return values.slice(s[0], s[0] + c[0]);
    },
  };
}
