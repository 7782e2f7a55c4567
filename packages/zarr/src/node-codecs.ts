import { registry } from "zarrita";

const ITEM_BYTES: Record<string, number> = {
  int8: 1,
  uint8: 1,
  bool: 1,
  int16: 2,
  uint16: 2,
  float16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  uint64: 8,
  float64: 8,
};

let installed = false;

/**
 * In Node, decode zlib and gzip chunks with Node's zlib instead of zarrita's default
 * (`DecompressionStream`): several times faster, and capped at the chunk's decoded size so a
 * damaged stream cannot inflate past it. The decoded bytes are the same. zarrita keeps one
 * codec registry per process, so this replaces its zlib/gzip entries once, on first open.
 */
export async function useNodeZlib(): Promise<void> {
  if (installed || typeof process === "undefined" || process.versions?.node === undefined) return;
  installed = true;
  const zlib = await import("node:zlib");
  const make = (gzip: boolean) =>
    class NodeInflate {
      readonly kind = "bytes_to_bytes";
      constructor(private readonly max: number) {}
      static fromConfig(_config: unknown, meta?: { shape?: number[]; data_type?: string }) {
        const item = ITEM_BYTES[meta?.data_type ?? ""];
        const n = (meta?.shape ?? []).reduce((a, b) => a * b, 1);
        // Unknown sizes (strings, objects) fall back to Node's own cap.
        return new NodeInflate(item === undefined ? 2 ** 31 - 1 : Math.max(1, n * item));
      }
      encode(bytes: Uint8Array): Uint8Array {
        return gzip ? zlib.gzipSync(bytes) : zlib.deflateSync(bytes);
      }
      decode(bytes: Uint8Array): Uint8Array {
        const out = gzip
          ? zlib.gunzipSync(bytes, { maxOutputLength: this.max })
          : zlib.inflateSync(bytes, { maxOutputLength: this.max });
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      }
    };
  const Zlib = make(false);
  const Gzip = make(true);
  for (const name of ["zlib", "numcodecs.zlib"]) registry.set(name, () => Zlib as never);
  for (const name of ["gzip", "numcodecs.gzip"]) registry.set(name, () => Gzip as never);
}
