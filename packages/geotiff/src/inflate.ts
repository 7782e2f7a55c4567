/**
 * Bounded zlib inflate for the block decoders: Node's zlib where there is Node, fflate in a
 * browser. Loaded lazily so the package imports without Node built-ins at module top level.
 */
let impl: ((input: Uint8Array, capacity: number) => Uint8Array) | undefined;

/** Loads the implementation (once); call before {@link inflate}. */
export async function loadInflate(): Promise<void> {
  if (impl !== undefined) return;
  if (typeof process !== "undefined" && process.versions?.node !== undefined) {
    const { inflateSync } = await import("node:zlib");
    impl = (input, capacity) => inflateSync(input, { maxOutputLength: Math.max(1, capacity) });
    return;
  }
  const { unzlibSync } = await import("fflate");
  // A fixed output buffer: fflate never grows it, so a damaged stream cannot allocate more.
  impl = (input, capacity) => unzlibSync(input, { out: new Uint8Array(Math.max(1, capacity)) });
}

/** Inflates `input` into at most `capacity` bytes; throws past it or on a damaged stream. */
export function inflate(input: Uint8Array, capacity: number): Uint8Array {
  if (impl === undefined) throw new Error("inflate used before loadInflate()");
  return impl(input, capacity);
}
