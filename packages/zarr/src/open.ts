import { type Attrs, Dataset, type DatasetSource, type VariableSource } from "@geoml/grid";
import { ZarrError } from "./errors.js";
import { GuardedStore } from "./guard.js";
import { HttpStore, type HttpStoreOptions } from "./http-store.js";
import { jsonBytes, parseJsonBytes } from "./json.js";
import { type ArrayMeta, arrayMetaV2, arrayMetaV3, toAttrs } from "./metadata.js";
import { useNodeZlib } from "./node-codecs.js";
import { type ReadLimits, ZarrVariable } from "./read.js";
import type { ZarrStore } from "./store.js";

/**
 * Where a store lives: a directory path (Node), an `http(s)://` URL, a zipped store as bytes
 * or a `Blob`, or any {@link ZarrStore}.
 */
export type ZarrLocation = string | URL | Uint8Array | Blob | ZarrStore;

/** Options of {@link openZarr}. */
export interface ZarrOpenOptions extends HttpStoreOptions {
  /** Group to open inside the store (`"run1/ocean"`); default the root. */
  group?: string;
  /**
   * Use consolidated metadata (`.zmetadata` for v2, `consolidated_metadata` in the v3
   * `zarr.json`) when present (default true). A remote store without it cannot be listed.
   */
  consolidated?: boolean;
  /** Largest decoded chunk in bytes a read may allocate (default 256 MiB). */
  maxChunkBytes?: number;
}

const DEFAULT_LIMITS: ReadLimits = { maxChunkBytes: 256 * 1024 * 1024 };
/** Metadata documents larger than this are refused rather than parsed. */
const MAX_METADATA_BYTES = 64 * 1024 * 1024;

/** Resolve a location to a store and a name for messages. */
export async function resolveStore(
  location: ZarrLocation,
  options: HttpStoreOptions & { maxChunkBytes?: number } = {},
): Promise<[ZarrStore, string]> {
  const isBlob = typeof Blob !== "undefined" && location instanceof Blob;
  if (location instanceof Uint8Array || isBlob) {
    const name = isBlob ? ((location as { name?: string }).name ?? "<blob>") : "<bytes>";
    const { ZipStore } = await import("./zip-store.js");
    const max = options.maxChunkBytes ?? DEFAULT_LIMITS.maxChunkBytes;
    return [await ZipStore.open(location as Uint8Array | Blob, name, max), name];
  }
  if (typeof location === "string" && /^https?:\/\//i.test(location)) {
    return [new HttpStore(location, options), location];
  }
  if (location instanceof URL) {
    if (location.protocol === "http:" || location.protocol === "https:") {
      return [new HttpStore(location, options), location.href];
    }
    if (location.protocol !== "file:") {
      throw new ZarrError("INVALID_ARGUMENT", `unsupported URL scheme '${location.protocol}'`, {
        file: location.href,
      });
    }
    const { fileURLToPath } = await import("node:url");
    return resolveStore(fileURLToPath(location), options);
  }
  if (typeof location === "string") {
    // Node-only, loaded on demand so the package imports in a browser.
    const { FileSystemStore } = await import("./fs-store.js");
    return [new FileSystemStore(location), location];
  }
  if (
    location !== null &&
    typeof location === "object" &&
    typeof (location as ZarrStore).get === "function"
  ) {
    return [location as ZarrStore, "(store)"];
  }
  throw new ZarrError(
    "INVALID_ARGUMENT",
    `location must be a directory path, an http(s) URL, zip bytes or Blob, or a store with get(key), got ${typeof location}`,
  );
}

/**
 * Open a Zarr v2 or v3 store as a lazy {@link Dataset}: only metadata is read now (one
 * request with consolidated metadata); `ds.read(name, { isel })` fetches exactly the chunks
 * the hyperslab touches and CF-decodes them (`scale_factor`/`add_offset`, `_FillValue` —
 * for v2 the `.zarray` `fill_value` serves as `_FillValue`, as xarray reads it — and CF times).
 * Dimension names come from `_ARRAY_DIMENSIONS` (v2, xarray's convention) or
 * `dimension_names` (v3).
 *
 * @param location - a store directory (`"era5.zarr"`), an `http(s)://` URL, a zipped store
 *   (`.zarr.zip`) as bytes or a `Blob`, or a store object
 * @example
 * ```ts
 * const ds = await openZarr("sst.zarr");
 * const first = await ds.read("sst", { isel: { time: 0 } });
 * ```
 * @throws ZarrError `NOT_ZARR`, `CORRUPT_METADATA`, `UNSUPPORTED`, `IO_ERROR`
 */
export async function openZarr(
  location: ZarrLocation,
  options: ZarrOpenOptions = {},
): Promise<Dataset> {
  return new Dataset(await openZarrSource(location, options));
}

/** The raw {@link DatasetSource} behind {@link openZarr} (no decoding). */
export async function openZarrSource(
  location: ZarrLocation,
  options: ZarrOpenOptions = {},
): Promise<DatasetSource> {
  const limits: ReadLimits = {
    maxChunkBytes: options.maxChunkBytes ?? DEFAULT_LIMITS.maxChunkBytes,
  };
  if (!(limits.maxChunkBytes > 0)) {
    throw new ZarrError(
      "INVALID_ARGUMENT",
      `maxChunkBytes must be a positive number of bytes, got ${options.maxChunkBytes}`,
    );
  }
  const [store, name] = await resolveStore(location, options);
  const group = (options.group ?? "").replace(/^\/+|\/+$/g, "");
  await useNodeZlib();
  const guarded = new GuardedStore(store, name);
  const found = await discover(guarded, group, name, options.consolidated ?? true);
  for (const a of found.arrays) guarded.track(a);
  return buildSource(found, guarded, name, limits);
}

/** What a store holds at a group: its format, attributes and arrays (checked metadata). */
export interface Discovered {
  format: 2 | 3;
  attrs: Record<string, unknown>;
  arrays: ArrayMeta[];
}

const ctxOf = (file: string) => ({ file });
const join = (group: string, child: string) => (group === "" ? child : `${group}/${child}`);

async function getJson(store: GuardedStore, key: `/${string}`, name: string): Promise<unknown> {
  const bytes = await store.store.get(key);
  if (bytes === undefined) return undefined;
  if (bytes.length > MAX_METADATA_BYTES) {
    throw new ZarrError(
      "TOO_LARGE",
      `'${key}' is ${bytes.length} bytes, larger than metadata can be`,
      { file: name },
    );
  }
  try {
    return parseJsonBytes(bytes);
  } catch (e) {
    throw new ZarrError("CORRUPT_METADATA", `'${key}' is not valid JSON: ${(e as Error).message}`, {
      file: name,
    });
  }
}

function asObject(v: unknown, what: string, name: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new ZarrError("CORRUPT_METADATA", `${what} is not a JSON object`, { file: name });
  }
  return v as Record<string, unknown>;
}

/** @internal the metadata walk behind {@link openZarrSource}, also used to reopen a store for writing */
export async function discoverStore(
  store: ZarrStore,
  name: string,
  group = "",
  consolidated = true,
): Promise<Discovered> {
  return discover(new GuardedStore(store, name), group, name, consolidated);
}

async function discover(
  store: GuardedStore,
  group: string,
  name: string,
  consolidated: boolean,
): Promise<Discovered> {
  const prefix = group === "" ? "" : `/${group}`;
  const v3 = await getJson(store, `${prefix}/zarr.json` as `/${string}`, name);
  if (v3 !== undefined)
    return discoverV3(store, group, asObject(v3, `${prefix}/zarr.json`, name), name, consolidated);
  return discoverV2(store, group, name, consolidated);
}

async function discoverV3(
  store: GuardedStore,
  group: string,
  root: Record<string, unknown>,
  name: string,
  consolidated: boolean,
): Promise<Discovered> {
  if (root.zarr_format !== 3) {
    throw new ZarrError(
      "CORRUPT_METADATA",
      `zarr.json zarr_format must be 3, got ${JSON.stringify(root.zarr_format)}`,
      {
        file: name,
      },
    );
  }
  const cache = (path: string, meta: Record<string, unknown>) =>
    store.cache.set(`/${path}/zarr.json`, jsonBytes(meta));
  if (root.node_type === "array") {
    const path = group === "" ? "" : group;
    const meta = arrayMetaV3(path, root, ctxOf(name));
    cache(path, root);
    return { format: 3, attrs: {}, arrays: [meta] };
  }
  if (root.node_type !== "group") {
    throw new ZarrError(
      "CORRUPT_METADATA",
      `node_type must be "array" or "group", got ${JSON.stringify(root.node_type)}`,
      {
        file: name,
      },
    );
  }
  const attrs =
    root.attributes === undefined ? {} : asObject(root.attributes, "group attributes", name);
  const arrays: ArrayMeta[] = [];
  const cm = root.consolidated_metadata;
  if (consolidated && cm !== undefined && cm !== null) {
    const entries = asObject(
      asObject(cm, "consolidated_metadata", name).metadata,
      "consolidated_metadata.metadata",
      name,
    );
    for (const [rel, m] of Object.entries(entries)) {
      if (rel.includes("/")) continue;
      const meta = asObject(m, `consolidated metadata of '${rel}'`, name);
      if (meta.node_type !== "array") continue;
      const path = join(group, rel);
      arrays.push(arrayMetaV3(path, meta, ctxOf(name)));
      cache(path, meta);
    }
    return { format: 3, attrs, arrays };
  }
  for (const child of await listChildren(store, group, name)) {
    const path = join(group, child);
    const m = await getJson(store, `/${path}/zarr.json`, name);
    if (m === undefined) continue;
    const meta = asObject(m, `/${path}/zarr.json`, name);
    if (meta.node_type !== "array") continue;
    arrays.push(arrayMetaV3(path, meta, ctxOf(name)));
    cache(path, meta);
  }
  return { format: 3, attrs, arrays };
}

async function listChildren(store: GuardedStore, group: string, name: string): Promise<string[]> {
  if (store.store.list === undefined) {
    throw new ZarrError(
      "UNSUPPORTED",
      "the store cannot be listed and has no consolidated metadata; consolidate it (zarr.consolidate_metadata) to open it remotely",
      { file: name },
    );
  }
  const entries = await store.store.list((group === "" ? "/" : `/${group}/`) as `/${string}`);
  return entries
    .filter((e) => e.endsWith("/"))
    .map((e) => e.slice(0, -1))
    .filter((e) => !e.startsWith("."));
}

async function discoverV2(
  store: GuardedStore,
  group: string,
  name: string,
  consolidated: boolean,
): Promise<Discovered> {
  const prefix = group === "" ? "" : `/${group}`;
  const zm = consolidated ? await getJson(store, "/.zmetadata", name) : undefined;
  let meta: Record<string, unknown> | undefined;
  if (zm !== undefined) {
    meta = asObject(asObject(zm, ".zmetadata", name).metadata, ".zmetadata metadata", name);
  }
  const doc = async (rel: string): Promise<unknown> => {
    if (meta !== undefined) return meta[rel];
    return getJson(store, `/${rel}` as `/${string}`, name);
  };
  const rel = (k: string) => (group === "" ? k : `${group}/${k}`);
  const rootArray = await doc(rel(".zarray"));
  if (rootArray !== undefined) {
    const a = arrayMetaV2(group, rootArray, await doc(rel(".zattrs")), ctxOf(name));
    cacheV2(store, a, meta !== undefined);
    return { format: 2, attrs: {}, arrays: [a] };
  }
  const zgroup = await doc(rel(".zgroup"));
  if (zgroup === undefined) {
    throw new ZarrError(
      "NOT_ZARR",
      `no zarr.json, .zgroup or .zarray at '${prefix || "/"}': not a Zarr store`,
      {
        file: name,
      },
    );
  }
  const gattrs = await doc(rel(".zattrs"));
  const attrs = gattrs === undefined ? {} : asObject(gattrs, ".zattrs", name);
  let children: string[];
  if (meta !== undefined) {
    const p = group === "" ? "" : `${group}/`;
    children = Object.keys(meta)
      .filter((k) => k.startsWith(p) && k.endsWith("/.zarray"))
      .map((k) => k.slice(p.length, -"/.zarray".length))
      .filter((c) => c.length > 0 && !c.includes("/"));
  } else {
    children = await listChildren(store, group, name);
  }
  const arrays: ArrayMeta[] = [];
  for (const child of children) {
    const path = join(group, child);
    const za = await doc(`${path}/.zarray`);
    if (za === undefined) continue;
    const a = arrayMetaV2(path, za, await doc(`${path}/.zattrs`), ctxOf(name));
    arrays.push(a);
    cacheV2(store, a, meta !== undefined);
  }
  return { format: 2, attrs, arrays };
}

function cacheV2(store: GuardedStore, a: ArrayMeta, consolidated: boolean): void {
  store.cache.set(`/${a.path}/.zarray`, jsonBytes(a.raw));
  const hasAttrs = Object.keys(a.attributes).length > 0;
  if (hasAttrs || consolidated)
    store.cache.set(`/${a.path}/.zattrs`, hasAttrs ? jsonBytes(a.attributes) : null);
}

function buildSource(
  found: Discovered,
  store: GuardedStore,
  name: string,
  limits: ReadLimits,
): DatasetSource {
  const dims: Record<string, number> = {};
  const owner: Record<string, string> = {};
  const variables: VariableSource[] = [];
  for (const a of found.arrays) {
    const vname = a.path.split("/").pop() || "data";
    const dnames = a.dimensionNames ?? a.shape.map((_, i) => `${vname}_dim_${i}`);
    if (new Set(dnames).size !== dnames.length) {
      throw new ZarrError(
        "CORRUPT_METADATA",
        `dimension names [${dnames.join(", ")}] repeat a name`,
        {
          file: name,
          variable: vname,
        },
      );
    }
    dnames.forEach((d, i) => {
      if (dims[d] !== undefined && dims[d] !== a.shape[i]) {
        throw new ZarrError(
          "CORRUPT_METADATA",
          `dimension '${d}' has length ${a.shape[i]} here but ${dims[d]} in '${owner[d]}'`,
          { file: name, variable: vname },
        );
      }
      dims[d] = a.shape[i];
      owner[d] = vname;
    });
    const attrs: Attrs = toAttrs(a.attributes, ["_ARRAY_DIMENSIONS"]);
    // xarray's convention for v2: the array's fill_value is its _FillValue.
    if (
      a.format === 2 &&
      attrs._FillValue === undefined &&
      a.fillValue !== null &&
      a.dtype !== "string"
    ) {
      const f = toAttrs({ _FillValue: a.fillValue })._FillValue;
      if (typeof f === "number") attrs._FillValue = f;
    }
    variables.push(new ZarrVariable(vname, a, dnames, attrs, store, limits));
  }
  return {
    format: found.format === 2 ? "zarr2" : "zarr3",
    path: name,
    dims,
    attrs: toAttrs(found.attrs),
    variables,
    async close() {
      store.closed = true;
    },
  };
}
