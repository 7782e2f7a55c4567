import { type Attrs, DTYPE_BYTES } from "@geoml/grid";
import { type Compressor, chunkEncoder } from "./codecs.js";
import { ZarrError } from "./errors.js";
import type { ArrayMeta } from "./metadata.js";
import type { WritableZarrStore } from "./store.js";
import { resolveTarget, type ZarrCreateOptions, type ZarrWriteDType, ZarrWriter } from "./write.js";
/**
 * Reopen a store made by {@link createZarr} (or any store whose arrays use the same
 * layouts: C order, little-endian, no filters, zlib/gzip/Blosc or no compressor) to write
 * more regions — e.g. one batch worker per tile, each writing its own chunk-aligned
 * regions; one process calls `close()` at the end to refresh the consolidated metadata.
 *
 * @throws ZarrError `NOT_ZARR` when there is no store, `INVALID_WRITE` for arrays laid out otherwise
 */
export async function openZarrWriter(
  target: string | WritableZarrStore,
  options: ZarrCreateOptions = {},
): Promise<ZarrWriter> {
  const [store, name] = await resolveTarget(target, false, true);
  const { discoverStore } = await import("./open.js");
  const found = await discoverStore(store, name);
  const attrs = { ...(found.attrs as Attrs), ...(options.attrs ?? {}) };
  const w = new ZarrWriter(store, name, found.format, { ...options, attrs });
  for (const a of found.arrays) {
    try {
      await adoptArray(w, a, name);
    } catch (e) {
      if (!(e instanceof ZarrError)) throw e;
      // Arrays laid out otherwise stay readable; writing to them reports why it cannot.
      w.adopt(a.path.split("/").pop() ?? a.path, { error: e, meta: a.raw, attrs: a.attributes });
    }
  }
  return w;
}

async function adoptArray(w: ZarrWriter, a: ArrayMeta, name: string): Promise<void> {
  const vname = a.path.split("/").pop() ?? a.path;
  const fail = (why: string) =>
    new ZarrError("INVALID_WRITE", `cannot write to this array: ${why}`, {
      file: name,
      variable: vname,
    });
  if (a.dtype === "string" || a.zarrDtype === "bool") throw fail(`data type ${a.zarrDtype}`);
  const raw = a.raw as Record<string, unknown>;
  let compressor: Compressor = "none";
  let level: number | undefined;
  if (a.format === 2) {
    if (raw.order !== "C" || (raw.filters !== null && raw.filters !== undefined))
      throw fail("Fortran order or filters");
    if (typeof raw.dtype !== "string" || raw.dtype.startsWith(">"))
      throw fail(`dtype ${String(raw.dtype)}`);
    const c = raw.compressor as Record<string, unknown> | null;
    if (c !== null && c !== undefined) {
      if (c.id !== "zlib" && c.id !== "gzip" && c.id !== "blosc")
        throw fail(`compressor ${String(c.id)}`);
      compressor = c.id;
      level = (c.level ?? c.clevel) as number | undefined;
    }
  } else {
    const codecs = raw.codecs as Array<{ name: string; configuration?: Record<string, unknown> }>;
    const [bytes, ...rest] = codecs;
    if (
      bytes?.name !== "bytes" ||
      (bytes.configuration?.endian ?? "little") !== "little" ||
      rest.length > 1
    ) {
      throw fail(`codecs ${codecs.map((c) => c.name).join(", ")}`);
    }
    if (rest.length === 1) {
      if (rest[0].name !== "gzip" && rest[0].name !== "blosc") throw fail(`codec ${rest[0].name}`);
      compressor = rest[0].name;
      level = (rest[0].configuration?.level ?? rest[0].configuration?.clevel) as number | undefined;
    }
  }
  const dtype = a.dtype as ZarrWriteDType;
  const encoder = await chunkEncoder(compressor, a.format, DTYPE_BYTES[dtype], level);
  const fill =
    typeof a.fillValue === "number" ? a.fillValue : a.fillValue === "NaN" ? Number.NaN : null;
  const dims = a.dimensionNames ?? a.shape.map((_, i) => `${vname}_dim_${i}`);
  w.adopt(vname, {
    spec: { dims, shape: a.shape, dtype },
    chunks: a.chunks,
    fill,
    encoder,
    meta: raw,
    attrs: a.attributes,
  });
}
