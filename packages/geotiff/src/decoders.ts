/**
 * Bounded block decoders registered with geotiff.js. Every TIFF block (tile or strip)
 * has a known decoded size; these decode into at most that capacity and reject a block
 * of the wrong size. geotiff.js's stock decoders trust the stream: on damaged data its
 * LZW can chase a cyclic table and its zstd falls into a streaming loop, either growing
 * memory until the process dies. Added here beyond geotiff.js: LZMA, WebP in Node, and
 * LERC with its validity mask.
 */
import { addDecoder, BaseDecoder, getDecoder } from "geotiff";
import { ZSTDDecoder } from "zstddec";
import { packbitsDecode, zstdBound, zstdContentSize } from "./bounds.js";
import { inflate, loadInflate } from "./inflate.js";
import { jpegFrame } from "./jpeg.js";
import { decodeLerc } from "./lerc.js";
import { lzwDecode } from "./lzw.js";
import { undoPredictor } from "./predictor.js";
import { decodeWebpBlock } from "./webp.js";
import { decodeXz } from "./xz.js";

const zstd = new ZSTDDecoder();
let ready: Promise<void> | undefined;
/** What a decoder is told about the blocks it decodes. */
export interface BlockParameters {
  tileWidth: number;
  tileHeight: number;
  planarConfiguration: number;
  bitsPerSample: number | number[] | Uint16Array;
  predictor: number;
  /** JPEG tables shared by every block (TIFF tag 347). */
  JPEGTables?: Uint8Array;
  /** LERC version and additional compression (TIFF tag 50674). */
  LercParameters?: ArrayLike<number>;
  /** The band's nodata, written into cells a LERC mask marks invalid. */
  nodata?: number;
}

/** Bytes of a full block and of one of its rows, and the samples per pixel. */
function blockSize(p: BlockParameters): { capacity: number; row: number; samples: number } {
  const bits =
    typeof p.bitsPerSample === "number" ? [p.bitsPerSample] : Array.from(p.bitsPerSample);
  const samples = p.planarConfiguration === 2 ? 1 : bits.length;
  const row = (p.tileWidth * samples * bits[0]) / 8;
  return { capacity: row * p.tileHeight, row, samples };
}

/** Base of the bounded decoders: size the output, decode, check whole rows came out. */
abstract class BoundedDecoder extends BaseDecoder {
  protected abstract codec: string;
  protected abstract decodeInto(
    input: Uint8Array,
    capacity: number,
    p: BlockParameters,
  ): Uint8Array | Promise<Uint8Array>;

  protected get params(): BlockParameters {
    return (this as unknown as { parameters: BlockParameters }).parameters;
  }

  override async decodeBlock(buffer: ArrayBuffer): Promise<ArrayBuffer> {
    const p = this.params;
    const { capacity, row } = blockSize(p);
    const out = await this.decodeInto(new Uint8Array(buffer), capacity, p);
    // A strip at the bottom of the image may hold fewer rows, never a partial row.
    if (out.byteLength === 0 || out.byteLength > capacity || out.byteLength % row !== 0) {
      throw new Error(
        `${this.codec} block decodes to ${out.byteLength} bytes, expected ${capacity}`,
      );
    }
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
  }

  override async decode(buffer: ArrayBuffer): Promise<ArrayBuffer> {
    const block = await this.decodeBlock(buffer);
    const p = this.params;
    const bits =
      typeof p.bitsPerSample === "number" ? [p.bitsPerSample] : Array.from(p.bitsPerSample);
    const stride = p.planarConfiguration === 2 ? 1 : bits.length;
    undoPredictor(block, p.predictor ?? 1, p.tileWidth * stride, stride, bits[0] / 8);
    return block;
  }
}

class LzwDecoder extends BoundedDecoder {
  protected codec = "LZW";
  protected decodeInto(input: Uint8Array, capacity: number): Uint8Array {
    return lzwDecode(input, capacity);
  }
}

class DeflateDecoder extends BoundedDecoder {
  protected codec = "deflate";
  protected decodeInto(input: Uint8Array, capacity: number): Uint8Array {
    return inflate(input, capacity);
  }
}

class ZstdDecoder extends BoundedDecoder {
  protected codec = "zstd";
  protected decodeInto(input: Uint8Array, capacity: number): Uint8Array {
    // With a size given, zstddec decodes in one call into that much wasm memory, which
    // never shrinks again: size it from the frame header, never beyond the block.
    const declared = zstdContentSize(input);
    if (declared !== undefined && declared > capacity) {
      throw new Error(`zstd frame declares ${declared} bytes, the block holds ${capacity}`);
    }
    return zstd.decode(input, declared ?? Math.min(capacity, zstdBound(input.length)));
  }
}

class PackbitsDecoder extends BoundedDecoder {
  protected codec = "PackBits";
  protected decodeInto(input: Uint8Array, capacity: number): Uint8Array {
    return packbitsDecode(input, capacity);
  }
}

class LzmaDecoder extends BoundedDecoder {
  protected codec = "LZMA";
  protected decodeInto(input: Uint8Array, capacity: number): Promise<Uint8Array> {
    return decodeXz(input, capacity);
  }
}

class LercDecoder extends BoundedDecoder {
  protected codec = "LERC";
  protected decodeInto(input: Uint8Array, _capacity: number, p: BlockParameters): Uint8Array {
    const { samples } = blockSize(p);
    const bits = typeof p.bitsPerSample === "number" ? p.bitsPerSample : p.bitsPerSample[0];
    return decodeLerc(
      input,
      {
        width: p.tileWidth,
        height: p.tileHeight,
        depth: samples,
        bytes: bits / 8,
        ...(p.LercParameters === undefined ? {} : { parameters: p.LercParameters }),
        ...(p.nodata === undefined ? {} : { nodata: p.nodata }),
      },
      zstd,
    );
  }
}

class WebpDecoder extends BoundedDecoder {
  protected codec = "WebP";
  protected decodeInto(input: Uint8Array, _capacity: number, p: BlockParameters) {
    return decodeWebpBlock(input, p.tileWidth, p.tileHeight, blockSize(p).samples);
  }
}

/** geotiff.js's JPEG decoder class, taken from its registry before ours replaces it. */
let JpegBase:
  | (new (
      p: BlockParameters,
    ) => { decodeBlock(b: ArrayBuffer): ArrayBuffer })
  | undefined;

class JpegDecoder extends BoundedDecoder {
  protected codec = "JPEG";
  private inner?: { decodeBlock(b: ArrayBuffer): ArrayBuffer };
  protected decodeInto(input: Uint8Array, _capacity: number, p: BlockParameters): Uint8Array {
    const frame = jpegFrame(input);
    const { samples } = blockSize(p);
    if (
      frame.width !== p.tileWidth ||
      frame.height > p.tileHeight ||
      frame.components !== samples
    ) {
      throw new Error(
        `JPEG frame is ${frame.width}×${frame.height}×${frame.components}, block is ${p.tileWidth}×${p.tileHeight}×${samples}`,
      );
    }
    this.inner ??= new JpegBase!(p);
    return new Uint8Array(this.inner.decodeBlock(input.slice().buffer));
  }
}

type FileDirectory = { loadValue(name: string): Promise<unknown> };

/** Parameters geotiff.js passes on its own read path (big-endian files). */
async function parametersOf(fd: FileDirectory): Promise<BlockParameters> {
  const get = (name: string) => fd.loadValue(name) as Promise<never>;
  const tileWidth: number | undefined = await get("TileWidth");
  const p: BlockParameters = {
    tileWidth: tileWidth ?? (await get("ImageWidth")),
    tileHeight:
      tileWidth !== undefined
        ? await get("TileLength")
        : ((await get("RowsPerStrip")) ?? (await get("ImageLength"))),
    planarConfiguration: (await get("PlanarConfiguration")) ?? 1,
    bitsPerSample: await get("BitsPerSample"),
    predictor: (await get("Predictor")) ?? 1,
  };
  const tables: Uint8Array | undefined = await get("JPEGTables");
  const lerc: number[] | undefined = await get("LercParameters");
  if (tables !== undefined) p.JPEGTables = tables;
  if (lerc !== undefined) p.LercParameters = lerc;
  return p;
}

/** Register the bounded decoders with geotiff.js (once). */
export function registerDecoders(): Promise<void> {
  ready ??= (async () => {
    await Promise.all([zstd.init(), loadInflate()]);
    const jpeg = await getDecoder(7, {
      tileWidth: 1,
      tileHeight: 1,
      planarConfiguration: 1,
      bitsPerSample: [8],
      predictor: 1,
    } as never);
    JpegBase = jpeg.constructor as typeof JpegBase;
    const own = (cases: number | number[], decoder: typeof BaseDecoder) => {
      addDecoder(cases, async () => decoder, parametersOf as never, false);
    };
    own(5, LzwDecoder);
    own(7, JpegDecoder);
    own([8, 32946], DeflateDecoder);
    own(32773, PackbitsDecoder);
    own(34887, LercDecoder);
    own(34925, LzmaDecoder);
    own(50000, ZstdDecoder);
    own(50001, WebpDecoder);
  })();
  return ready;
}
