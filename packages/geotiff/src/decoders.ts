/**
 * Bounded block decoders registered with geotiff.js for LZW, deflate and Zstandard.
 * Every TIFF block (tile or strip) has a known decoded size; these decode into exactly
 * that capacity and reject a block of the wrong size. geotiff.js's stock decoders trust
 * the stream: on damaged data its LZW can chase a cyclic table and its zstd falls into
 * a streaming loop, either growing memory until the process dies.
 */
import { addDecoder, BaseDecoder } from "geotiff";
import { ZSTDDecoder } from "zstddec";
import { lzwDecode } from "./lzw.js";
import { undoPredictor } from "./predictor.js";

const zstd = new ZSTDDecoder();
let ready: Promise<void> | undefined;
/** Inflate into at most `capacity` bytes: Node's zlib, or fflate where there is no Node (browsers). */
let inflate: (input: Uint8Array, capacity: number) => Uint8Array;

async function loadInflate(): Promise<void> {
  if (typeof process !== "undefined" && process.versions?.node !== undefined) {
    const { inflateSync } = await import("node:zlib");
    inflate = (input, capacity) => inflateSync(input, { maxOutputLength: Math.max(1, capacity) });
    return;
  }
  const { unzlibSync } = await import("fflate");
  // A fixed output buffer: fflate never grows it, so a damaged stream cannot allocate more.
  inflate = (input, capacity) => unzlibSync(input, { out: new Uint8Array(Math.max(1, capacity)) });
}

interface BlockParameters {
  tileWidth: number;
  tileHeight: number;
  planarConfiguration: number;
  bitsPerSample: number | number[] | Uint16Array;
  predictor: number;
}

/** Bytes of a full block and of one of its rows. */
function blockSize(p: BlockParameters): { capacity: number; row: number } {
  const bits =
    typeof p.bitsPerSample === "number" ? [p.bitsPerSample] : Array.from(p.bitsPerSample);
  const perPixel = p.planarConfiguration === 2 ? bits[0] / 8 : bits.reduce((a, b) => a + b, 0) / 8;
  const row = p.tileWidth * perPixel;
  return { capacity: row * p.tileHeight, row };
}

/** Base of the bounded decoders: size the output, decode, check whole rows came out. */
abstract class BoundedDecoder extends BaseDecoder {
  protected abstract codec: string;
  protected abstract decodeInto(input: Uint8Array, capacity: number): Uint8Array;

  override decodeBlock(buffer: ArrayBuffer): ArrayBuffer {
    const params = (this as unknown as { parameters: BlockParameters }).parameters;
    const { capacity, row } = blockSize(params);
    const out = this.decodeInto(new Uint8Array(buffer), capacity);
    // A strip at the bottom of the image may hold fewer rows, never a partial row.
    if (out.byteLength === 0 || out.byteLength > capacity || out.byteLength % row !== 0) {
      throw new Error(
        `${this.codec} block decodes to ${out.byteLength} bytes, expected ${capacity}`,
      );
    }
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
  }

  override async decode(buffer: ArrayBuffer): Promise<ArrayBuffer> {
    const block = this.decodeBlock(buffer);
    const p = (this as unknown as { parameters: BlockParameters }).parameters;
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
    // With a size given, zstddec decodes in one call into that capacity.
    return zstd.decode(input, capacity);
  }
}

/** Register the bounded decoders with geotiff.js (once). */
export function registerDecoders(): Promise<void> {
  ready ??= Promise.all([zstd.init(), loadInflate()]).then(() => {
    addDecoder(5, async () => LzwDecoder, undefined, false);
    addDecoder([8, 32946], async () => DeflateDecoder, undefined, false);
    addDecoder(50000, async () => ZstdDecoder, undefined, false);
  });
  return ready;
}
