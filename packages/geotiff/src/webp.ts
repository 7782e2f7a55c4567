/**
 * WebP blocks (TIFF compression 50001, 8-bit RGB or RGBA as GDAL writes them), decoded
 * with libwebp compiled to WebAssembly, so they read in Node too (geotiff.js's WebP path
 * needs a browser canvas). The image size in the WebP header is checked first.
 */
import decodeWebp, { init } from "@jsquash/webp/decode.js";

let ready: Promise<void> | undefined;

/** Load the wasm decoder once: from disk under Node, by URL (the bundler's job) elsewhere. */
function load(): Promise<void> {
  ready ??= (async () => {
    if (typeof process !== "undefined" && process.versions?.node !== undefined) {
      const { createRequire } = await import("node:module");
      const { readFile } = await import("node:fs/promises");
      const path = createRequire(import.meta.url).resolve("@jsquash/webp/codec/dec/webp_dec.wasm");
      // The wasm is compiled from disk: emscripten's own loader would fetch a file:// URL.
      const wasm = (
        globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<never> } }
      ).WebAssembly;
      await init(await wasm.compile(await readFile(path)));
    } else {
      await init();
    }
  })();
  return ready;
}

/** Width and height from a WebP header (lossy VP8, lossless VP8L or extended VP8X). */
function webpSize(b: Uint8Array): { width: number; height: number } {
  const tag = (i: number) => String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3]);
  if (b.length < 30 || tag(0) !== "RIFF" || tag(8) !== "WEBP") throw new Error("not a WebP image");
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const chunk = tag(12);
  if (chunk === "VP8L") {
    const bits = v.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") {
    const w = b[24] | (b[25] << 8) | (b[26] << 16);
    const h = b[27] | (b[28] << 8) | (b[29] << 16);
    return { width: w + 1, height: h + 1 };
  }
  if (chunk === "VP8 ") {
    return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
  }
  throw new Error(`unknown WebP chunk "${chunk}"`);
}

/**
 * Decode one WebP block into `samples` (3 or 4) bytes per pixel.
 *
 * @throws Error on a damaged image or one larger than the block
 */
export async function decodeWebpBlock(
  input: Uint8Array,
  width: number,
  height: number,
  samples: number,
): Promise<Uint8Array> {
  if (samples !== 3 && samples !== 4) {
    throw new Error(`WebP holds 3 or 4 samples per pixel, not ${samples}`);
  }
  const size = webpSize(input);
  if (size.width !== width || size.height > height) {
    throw new Error(`WebP image is ${size.width}×${size.height}, block is ${width}×${height}`);
  }
  await load();
  const image = await decodeWebp(input.slice().buffer);
  const rgba = image.data; // always RGBA
  if (samples === 4) return new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length);
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i * 3] = rgba[i * 4];
    out[i * 3 + 1] = rgba[i * 4 + 1];
    out[i * 3 + 2] = rgba[i * 4 + 2];
  }
  return out;
}
