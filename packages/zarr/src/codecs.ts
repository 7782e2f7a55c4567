import { ZarrError } from "./errors.js";

/** Byte compressors the writer offers. `zlib` is v2-only, `gzip` is the v3 spec's. */
export type Compressor = "none" | "zlib" | "gzip" | "blosc";

/** A compressor ready to run, with the metadata entry describing it. */
export interface ChunkEncoder {
  encode(bytes: Uint8Array): Promise<Uint8Array>;
  /** v2 `compressor` object, or v3 codec entry. */
  readonly meta: Record<string, unknown> | null;
}

interface NumcodecsCodec {
  encode(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Build the encoder for `compressor` in Zarr `format`, with the element size for Blosc's shuffle. */
export async function chunkEncoder(
  compressor: Compressor,
  format: 2 | 3,
  typesize: number,
  level: number | undefined,
): Promise<ChunkEncoder> {
  if (compressor === "none") return { encode: async (b) => b, meta: null };
  if (compressor === "zlib") {
    if (format === 3) {
      throw new ZarrError(
        "INVALID_ARGUMENT",
        'compressor "zlib" is not a Zarr v3 codec; use "gzip" or "blosc"',
      );
    }
    const { default: Zlib } = await import("numcodecs/zlib");
    const clevel = level ?? 5;
    const codec = Zlib.fromConfig({ id: "zlib", level: clevel }) as NumcodecsCodec;
    return { encode: async (b) => codec.encode(b), meta: { id: "zlib", level: clevel } };
  }
  if (compressor === "gzip") {
    // The package ships a misnamed .d.ts for gzip; the module itself is fine.
    const { default: Gzip } = (await import("numcodecs/gzip" as string)) as {
      default: { fromConfig(c: { id: string; level: number }): NumcodecsCodec };
    };
    const clevel = level ?? 5;
    const codec = Gzip.fromConfig({ id: "gzip", level: clevel }) as NumcodecsCodec;
    const meta =
      format === 2
        ? { id: "gzip", level: clevel }
        : { name: "gzip", configuration: { level: clevel } };
    // The gzip header's MTIME field (bytes 4–7) holds the time of writing; zero it ("no
    // time", RFC 1952) so the same data always give the same chunk bytes.
    const encode = async (b: Uint8Array) => {
      const out = await codec.encode(b);
      out.fill(0, 4, 8);
      return out;
    };
    return { encode, meta };
  }
  if (compressor === "blosc") {
    const { default: Blosc } = await import("numcodecs/blosc");
    const clevel = level ?? 5;
    const codec = Blosc.fromConfig({
      id: "blosc",
      cname: "lz4",
      clevel,
      shuffle: 1,
    }) as NumcodecsCodec;
    const meta =
      format === 2
        ? { id: "blosc", cname: "lz4", clevel, shuffle: 1, blocksize: 0 }
        : {
            name: "blosc",
            configuration: { cname: "lz4", clevel, shuffle: "shuffle", typesize, blocksize: 0 },
          };
    return { encode: async (b) => codec.encode(b), meta };
  }
  throw new ZarrError(
    "INVALID_ARGUMENT",
    `compressor must be "none", "zlib", "gzip" or "blosc", got ${JSON.stringify(compressor)}`,
  );
}
