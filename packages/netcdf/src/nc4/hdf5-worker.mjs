// The HDF5 side of the NetCDF-4 reader. It runs in a worker thread so that a corrupted
// file sending the HDF5 library into an endless loop can be stopped: the main thread
// times the request out and terminates this worker (see reader.ts).
//
// Protocol (messages from the main thread, each answered once with the same id):
//   { id, op: "open", path, group }                 -> { dims, unlimited, attrs, variables, fileId }
//   { id, op: "read", fileId, name, start, count }  -> { data } (typed array, transferred)
//   { id, op: "close", fileId }                     -> null
//   { id, op: "write", path, dims, vars, attrs }    -> null (writes a NetCDF-4 file)
// Failures answer { id, ok: false, message, code? }.
import { fileURLToPath } from "node:url";
import { parentPort } from "node:worker_threads";

const h5 = await import("h5wasm/node");
const Module = await h5.ready;
// Turn HDF5's stderr error stacks into exceptions we can report.
Module.activate_throwing_error_handler();

/** Bytes of one hyperslab piece requested from HDF5; bounds the wasm heap during reads. */
const SLAB_BYTES = 64 * 1024 * 1024;
/** Bytes read first to check a read larger than the file can plausibly hold. */
const VERIFY_SLAB_BYTES = 4 * 1024 * 1024;
/** Most chunks that check may touch. */
const MAX_PROBE_CHUNKS = 1024;

/** Attributes that carry HDF5/NetCDF-4 bookkeeping, not user metadata. */
const HIDDEN_ATTRS = new Set([
  "CLASS",
  "NAME",
  "REFERENCE_LIST",
  "DIMENSION_LIST",
  "_Netcdf4Dimid",
  "_Netcdf4Coordinates",
  "_NCProperties",
  "_nc3_strict",
  "_SuperblockVersion",
  "_IsNetcdf4",
]);

const ARRAYS = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** Open files by id: the h5wasm File and its datasets by variable name. */
const files = new Map();
let nextFileId = 1;

class WorkerError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

parentPort.on("message", (msg) => {
  try {
    const { result, transfer } = handle(msg);
    parentPort.postMessage({ id: msg.id, ok: true, result }, transfer ?? []);
  } catch (e) {
    parentPort.postMessage({
      id: msg.id,
      ok: false,
      message: String(e?.message ?? e),
      code: e instanceof WorkerError ? e.code : undefined,
    });
  }
});
/**
 * Run the code paths of a NetCDF-4 read once before the first request. V8 compiles a wasm
 * function when it is first called, runs it in a quick but slow tier and optimises it only
 * once hot — and one long inflate call cannot switch tiers mid-way — so without this the
 * first file opened pays for compiling HDF5's metadata code and for running zlib
 * unoptimised (several times xarray's time for one time step). `warmup.nc` is a small file
 * made by netCDF-C (source: warmup.cdl) with the features real files use; it is opened and
 * every variable read a few times.
 */
function warmUp() {
  try {
    const path = fileURLToPath(new URL("./warmup.nc", import.meta.url));
    for (let round = 0; round < 3; round++) {
      const { fileId, variables } = open(path, "/");
      for (const v of variables) {
        read({ fileId, name: v.name, start: v.shape.map(() => 0), count: v.shape });
      }
      handle({ op: "close", fileId });
    }
  } catch {
    // Warming up is an optimisation only (e.g. the file was not shipped).
  }
}

function handle(msg) {
  if (msg.op === "open") return { result: open(msg.path, msg.group) };
  if (msg.op === "read") return read(msg);
  if (msg.op === "write") return { result: write(msg) };
  if (msg.op === "close") {
    const f = files.get(msg.fileId);
    if (f !== undefined) {
      files.delete(msg.fileId);
      f.file.close();
    }
    return { result: null };
  }
  throw new WorkerError("UNSUPPORTED", `unknown request '${msg.op}'`);
}

/** Deepest group nesting followed, and most objects listed: a hostile file cannot make
 * the listing unbounded (hard links may even form cycles). */
const MAX_DEPTH = 32;
const MAX_OBJECTS = 100_000;

function open(path, groupPath) {
  const file = new h5.File(path, "r");
  try {
    const base = groupPath === "/" ? file : file.get(groupPath);
    if (!(base instanceof h5.Group))
      throw new WorkerError("UNSUPPORTED", `no group '${groupPath}'`);
    const basePath = base.path === "/" ? "" : base.path;
    const dims = {};
    const unlimited = [];
    const variables = [];
    const unsupported = [];
    const groups = [];
    const datasets = new Map();
    let objects = 0;
    // Names relative to the opened group: "T" at its top, "grp1/sub/T" below. A dimension
    // or coordinate defined in an enclosing group is seen by its plain name (netCDF scoping).
    const relative = (full) =>
      full.startsWith(`${basePath}/`) ? full.slice(basePath.length + 1) : full.split("/").at(-1);

    const visit = (group, depth) => {
      const prefix = group.path === base.path ? "" : `${relative(group.path)}/`;
      const subgroups = [];
      const groupDims = [];
      for (const key of group.keys()) {
        if (++objects > MAX_OBJECTS) {
          throw new WorkerError("CORRUPT_HEADER", `more than ${MAX_OBJECTS} objects in the file`);
        }
        const entity = group.get(key);
        if (entity instanceof h5.Group) {
          subgroups.push(entity);
          continue;
        }
        if (!(entity instanceof h5.Dataset)) continue;
        const name = prefix + key;
        const meta = entity.metadata;
        const shape = (entity.shape ?? []).map(Number);
        const rawAttrs = attrNames(entity);
        const isScale = attrText(entity, rawAttrs, "CLASS") === "DIMENSION_SCALE";
        if (isScale) {
          dims[name] = shape[0] ?? 0;
          groupDims.push(name);
          if (meta.maxshape?.[0] !== undefined && meta.maxshape[0] > 2 ** 53) unlimited.push(name);
          // Dimensions without a coordinate variable are scales carrying this NAME.
          if (
            attrText(entity, rawAttrs, "NAME")?.startsWith(
              "This is a netCDF dimension but not a netCDF variable",
            )
          ) {
            continue;
          }
        }
        const kind = dtypeOfMetadata(meta);
        const members = kind.dtype === undefined ? compoundMembers(meta) : undefined;
        if (kind.dtype === undefined && members === undefined) {
          unsupported.push({ name, reason: kind.reason });
          continue;
        }
        const vdims = shape.map((n, i) => {
          if (isScale && i === 0) return name;
          const scales = entity.get_attached_scales(i);
          if (scales.length > 0) return relative(scales[0]);
          const phony = `${prefix}phony_dim_${i}_${n}`;
          dims[phony] ??= n;
          return phony;
        });
        for (let i = 0; i < vdims.length; i++) dims[vdims[i]] ??= shape[i];
        if (members !== undefined) {
          // A compound of numbers is read as one variable per member, "name.member".
          const attrs = readAttrs(entity, rawAttrs);
          for (const m of members) {
            datasets.set(`${name}.${m.name}`, { entity, meta, dtype: m.dtype, shape, member: m });
            variables.push({
              name: `${name}.${m.name}`,
              dims: vdims,
              shape,
              dtype: m.dtype,
              attrs: { ...attrs },
              chunks: meta.chunks ? meta.chunks.map(Number) : undefined,
            });
          }
          continue;
        }
        const dtype = kind.dtype;
        datasets.set(name, { entity, meta, dtype, shape });
        const attrs = readAttrs(entity, rawAttrs);
        // An enumeration is read as its integer codes; CF's flag attributes name them.
        if (meta.type === 8 && meta.enum_type && attrs.flag_values === undefined) {
          const members = Object.entries(meta.enum_type.members).sort((a, b) => a[1] - b[1]);
          attrs.flag_values = members.map((m) => Number(m[1]));
          attrs.flag_meanings = members.map((m) => m[0]).join(" ");
        }
        variables.push({
          name,
          dims: vdims,
          shape,
          dtype,
          attrs,
          chunks: meta.chunks ? meta.chunks.map(Number) : undefined,
        });
      }
      if (prefix !== "") {
        groups.push({
          path: prefix.slice(0, -1),
          dims: groupDims,
          attrs: readAttrs(group, attrNames(group)),
        });
      }
      if (subgroups.length > 0 && depth >= MAX_DEPTH) {
        throw new WorkerError("CORRUPT_HEADER", `groups nested deeper than ${MAX_DEPTH} levels`);
      }
      for (const g of subgroups) visit(g, depth + 1);
    };
    visit(base, 0);
    const fileId = nextFileId++;
    files.set(fileId, { file, datasets });
    return {
      fileId,
      dims,
      unlimited,
      attrs: readAttrs(base, attrNames(base)),
      variables,
      groups,
      unsupported,
    };
  } catch (e) {
    file.close();
    throw e;
  }
}

function read({ fileId, name, start, count, verifyBeyond, stringLimit }) {
  const f = files.get(fileId);
  const d = f?.datasets.get(name);
  if (d === undefined) throw new WorkerError("CLOSED", "file is closed");
  const n = count.reduce((a, b) => a * b, 1);
  if (d.dtype === "string") {
    if (n === 0) return { result: { data: [] } };
    // Each string costs at least its stored reference (variable length) or its fixed size.
    const each = Math.max(16, d.meta.vlen ? 16 : d.meta.size);
    if (n * each > (stringLimit ?? Number.POSITIVE_INFINITY)) {
      throw new WorkerError(
        "TOO_LARGE",
        `${n} strings are more than this file can plausibly hold; read a hyperslab or set maxReadBytes`,
      );
    }
    const ranges = start.map((s, i) => [s, s + count[i]]);
    const value = d.shape.length === 0 ? d.entity.value : d.entity.slice(ranges);
    const list = Array.isArray(value) ? value : [value];
    return { result: { data: list.map((x) => String(x ?? "")) } };
  }
  const Ctor = ARRAYS[d.dtype];
  if (
    n > 0 &&
    d.shape.length > 0 &&
    n * Ctor.BYTES_PER_ELEMENT > (verifyBeyond ?? Number.POSITIVE_INFINITY)
  ) {
    probeTail(d, start, count, Ctor, n);
  }
  let out;
  try {
    out = new Ctor(n);
  } catch {
    throw new WorkerError("TOO_LARGE", `cannot allocate ${n} ${d.dtype} values`);
  }
  if (n > 0 && d.member !== undefined) readMember(d, start, count, out);
  else if (n > 0) readNumeric(d, start, count, out);
  return { result: { data: out }, transfer: [out.buffer] };
}

/** True when every element of `a` equals its first (a slab HDF5 filled with one value). */
function constant(a) {
  const first = a[0];
  for (let i = 1; i < a.length; i++) if (!Object.is(a[i], first) && a[i] !== first) return false;
  return true;
}

/**
 * How to read a hyperslab in slabs of at most `limit` bytes: split along `axis`, the
 * outermost whose inner block fits, `per` indices at a time (aligned to the chunk shape so no
 * chunk is decompressed twice), one index at a time along the axes before it. Each slab is a
 * contiguous run of the output.
 */
function slabPlan(d, count, size, total, limit) {
  const rank = count.length;
  let axis = 0;
  let inner = total / Math.max(1, count[0]);
  while (axis < rank - 1 && inner * size > limit) {
    axis++;
    inner /= count[axis];
  }
  const chunk = d.meta.chunks?.[axis] ?? 1;
  let per = Math.max(1, Math.floor(limit / Math.max(1, inner * size)));
  if (per > chunk) per -= per % chunk;
  per = Math.min(per, count[axis]);
  const outer = count.slice(0, axis);
  return { axis, inner, per, outer, nOuter: outer.reduce((a, b) => a * b, 1) };
}

/** How many chunks the hyperslab `slab` overlaps (1 for contiguous data). */
function chunksTouched(d, slab) {
  const chunks = d.meta.chunks;
  if (!chunks) return 1;
  let n = 1;
  slab.offset.forEach((o, i) => {
    const first = Math.floor(Number(o) / chunks[i]);
    const last = Math.floor((Number(o) + Number(slab.cnt[i]) - 1) / chunks[i]);
    n *= last - first + 1;
  });
  return n;
}

/** File offset and count of slab `r` (along the split axis) at outer position `o`. */
function slabAt(plan, start, count, o, r) {
  const { axis, outer, per } = plan;
  const idx = new Array(axis);
  for (let i = axis - 1, rem = o; i >= 0; i--) {
    idx[i] = rem % outer[i];
    rem = Math.floor(rem / outer[i]);
  }
  const k = Math.min(per, count[axis] - r);
  return {
    k,
    offset: start.map((x, i) => BigInt(x + (i < axis ? idx[i] : i === axis ? r : 0))),
    cnt: count.map((x, i) => BigInt(i < axis ? 1 : i === axis ? k : x)),
  };
}

/**
 * Before a read larger than the file can plausibly hold (`verifyBeyond` bytes), read its last
 * few MB: one repeated value there is chunks that do not exist — a shape larger than the
 * data, as a corrupted or hostile header claims — and the read stops before its output is
 * allocated.
 */
function probeTail(d, start, count, Ctor, total) {
  const size = Ctor.BYTES_PER_ELEMENT;
  // The last few MB, over at most MAX_PROBE_CHUNKS chunks (HDF5's memory grows with the
  // number of chunks a read touches, and a hostile file may declare tiny chunks).
  let limit = VERIFY_SLAB_BYTES;
  let plan;
  let slab;
  for (;;) {
    plan = slabPlan(d, count, size, total, limit);
    const lastR = Math.floor((count[plan.axis] - 1) / plan.per) * plan.per;
    slab = slabAt(plan, start, count, plan.nOuter - 1, lastR);
    if (chunksTouched(d, slab) <= MAX_PROBE_CHUNKS || limit <= size) break;
    limit = Math.floor(limit / 2);
  }
  const n = slab.k * plan.inner;
  const ptr = Module._malloc(n * size);
  if (ptr === 0)
    throw new WorkerError("UNSUPPORTED", `cannot allocate ${n * size} bytes in the HDF5 heap`);
  try {
    const strides = count.map(() => 1n);
    Module.get_dataset_data(
      d.entity.file_id,
      d.entity.path,
      slab.cnt,
      slab.offset,
      strides,
      BigInt(ptr),
    );
    if (constant(new Ctor(Module.HEAPU8.buffer, ptr, n))) {
      throw new WorkerError(
        "TOO_LARGE",
        `the last ${n * size} bytes of this ${total * size}-byte read are one repeated value (chunks that do not exist): the shape is probably corrupted; read a hyperslab or set maxReadBytes`,
      );
    }
  } finally {
    Module._free(ptr);
  }
}

/**
 * HDF5 writes each slab into one reusable wasm buffer (bounding the wasm heap); we copy it
 * once into the output.
 */
function readNumeric(d, start, count, out) {
  if (d.shape.length === 0) {
    const v = d.entity.value;
    out[0] = typeof out[0] === "bigint" ? BigInt(v) : Number(v);
    return;
  }
  const size = out.BYTES_PER_ELEMENT;
  const outBytes = new Uint8Array(out.buffer);
  const strides = count.map(() => 1n);
  const get = (slab, ptr) =>
    Module.get_dataset_data(
      d.entity.file_id,
      d.entity.path,
      slab.cnt,
      slab.offset,
      strides,
      BigInt(ptr),
    );
  const plan = slabPlan(d, count, size, out.length, SLAB_BYTES);
  const slabBytes = plan.per * plan.inner * size;
  const ptr = Module._malloc(slabBytes);
  if (ptr === 0)
    throw new WorkerError("UNSUPPORTED", `cannot allocate ${slabBytes} bytes in the HDF5 heap`);
  let done = 0;
  try {
    for (let o = 0; o < plan.nOuter; o++) {
      for (let r = 0; r < count[plan.axis]; r += plan.per) {
        const slab = slabAt(plan, start, count, o, r);
        get(slab, ptr);
        const nbytes = slab.k * plan.inner * size;
        // HEAPU8 is re-created when the wasm memory grows, so fetch it after the read.
        outBytes.set(Module.HEAPU8.subarray(ptr, ptr + nbytes), done);
        done += nbytes;
      }
    }
  } finally {
    Module._free(ptr);
  }
  // No byte swap here: h5wasm asks HDF5 for little-endian memory whatever the file's byte
  // order (H5Tset_order on the memory type), so HDF5 has already converted big-endian data.
}

/**
 * The members of a compound type made only of scalar numbers (e.g. netCDF-4 user types
 * `compound obs_t { int i; float f; }`), or undefined when it holds anything else.
 */
function compoundMembers(meta) {
  if (meta.type !== 6 || !meta.compound_type) return undefined;
  const out = [];
  for (const m of meta.compound_type.members) {
    const kind = dtypeOfMetadata(m);
    if (kind.dtype === undefined || kind.dtype === "string" || (m.shape && m.shape.length > 0)) {
      return undefined;
    }
    out.push({ name: m.name, dtype: kind.dtype, offset: m.offset, size: m.size });
  }
  return out.length > 0 ? out : undefined;
}

/**
 * Read one member of a compound variable: whole records in slabs into the wasm heap (HDF5
 * converts them to little-endian), then the member's bytes copied out of each record.
 */
function readMember(d, start, count, out) {
  const record = d.meta.size;
  const { offset, size } = d.member;
  const outBytes = new Uint8Array(out.buffer);
  const strides = count.map(() => 1n);
  const total = out.length;
  const plan = slabPlan(d, count, record, total, SLAB_BYTES);
  const ptr = Module._malloc(plan.per * plan.inner * record);
  if (ptr === 0) throw new WorkerError("UNSUPPORTED", "cannot allocate the HDF5 read buffer");
  let done = 0;
  try {
    for (let o = 0; o < plan.nOuter; o++) {
      for (let r = 0; r < count[plan.axis]; r += plan.per) {
        const slab = slabAt(plan, start, count, o, r);
        Module.get_dataset_data(
          d.entity.file_id,
          d.entity.path,
          slab.cnt,
          slab.offset,
          strides,
          BigInt(ptr),
        );
        const n = slab.k * plan.inner;
        const heap = Module.HEAPU8;
        for (let i = 0; i < n; i++) {
          const from = ptr + i * record + offset;
          outBytes.set(heap.subarray(from, from + size), (done + i) * size);
        }
        done += n;
      }
    }
  } finally {
    Module._free(ptr);
  }
}

/** HDF5 type classes (H5T_class_t). */
const CLASS_NAMES = {
  2: "time",
  4: "bitfield",
  5: "opaque",
  6: "compound",
  7: "reference",
  9: "variable-length",
  10: "array",
};

/** The grid dtype of an HDF5 type, or why it has none. */
function dtypeOfMetadata(meta) {
  // Integer (0) and enumeration (8, read as its integer codes).
  if (meta.type === 0 || (meta.type === 8 && meta.enum_type?.type === 0)) {
    if (![1, 2, 4, 8].includes(meta.size))
      return { reason: `${meta.size}-byte integers are not supported` };
    return { dtype: `${meta.signed ? "int" : "uint"}${meta.size * 8}` };
  }
  if (meta.type === 1) {
    if (meta.size === 4) return { dtype: "float32" };
    if (meta.size === 8) return { dtype: "float64" };
    return { reason: `${meta.size}-byte floats are not supported` };
  }
  if (meta.type === 3) return { dtype: "string" };
  if (meta.type === 9 && meta.vlen_type?.type === 3) return { dtype: "string" };
  const what = CLASS_NAMES[meta.type] ?? `class ${meta.type}`;
  const detail =
    meta.type === 6 && meta.compound_type
      ? ` {${meta.compound_type.members.map((m) => m.name).join(", ")}}`
      : "";
  return {
    reason: `its HDF5 ${what} type${detail} has no labelled-array equivalent (numbers and strings only)`,
  };
}

/** Attribute names of an object, without reading their (possibly costly) metadata. */
function attrNames(entity) {
  return Module.get_attribute_names(entity.file_id, entity.path);
}

function attrText(entity, names, key) {
  if (!names.includes(key)) return undefined;
  try {
    const v = entity.get_attribute(key, false);
    if (typeof v === "string") return v;
    if (Array.isArray(v) && typeof v[0] === "string") return v[0];
  } catch {
    return undefined;
  }
  return undefined;
}

/** User attributes; bookkeeping ones (dimension-scale references, …) are not even read. */
function readAttrs(entity, names) {
  const out = {};
  for (const key of names) {
    if (HIDDEN_ATTRS.has(key)) continue;
    let v;
    try {
      v = entity.get_attribute(key, false);
    } catch {
      continue; // references, compound attributes: not CF metadata
    }
    const value = attrValue(v);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function attrValue(v) {
  if (typeof v === "string" || typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (ArrayBuffer.isView(v)) {
    const arr = Array.from(v, Number);
    return arr.length === 1 ? arr[0] : arr;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "string")) return v.length === 1 ? v[0] : v;
    if (v.every((x) => typeof x === "number" || typeof x === "bigint")) {
      const arr = v.map(Number);
      return arr.length === 1 ? arr[0] : arr;
    }
  }
  return undefined;
}

// ---- Writing NetCDF-4 -------------------------------------------------------------------

const DTYPE_CODES = {
  int8: "<b",
  uint8: "<B",
  int16: "<h",
  uint16: "<H",
  int32: "<i",
  uint32: "<I",
  int64: "<q",
  uint64: "<Q",
  float32: "<f",
  float64: "<d",
};

/** Attributes CF wants in the variable's own type; the packing ones in the unpacked type. */
const OWN_TYPE_ATTRS = new Set([
  "_FillValue",
  "missing_value",
  "valid_min",
  "valid_max",
  "valid_range",
]);

/** netCDF-C's NAME for a dimension that has no coordinate variable. */
function placeholderName(length) {
  return `This is a netCDF dimension but not a netCDF variable.${String(length).padStart(10)}`;
}

/** Create the groups of a path such as "grp1/sub/T"; returns the HDF5 path "/grp1/sub/T". */
function ensureGroups(file, name) {
  const parts = name.split("/");
  let path = "";
  for (const g of parts.slice(0, -1)) {
    path += `/${g}`;
    if (file.get(path) === null) file.create_group(path.slice(1), true);
  }
  return `/${name}`;
}

function write({ path, dims, vars, attrs }) {
  const file = new h5.File(path, "w", { track_order: true });
  try {
    for (const [k, v] of Object.entries(attrs)) putAttr(file, k, v, undefined);
    const coordinate = new Set(
      vars.filter((v) => v.dims.length === 1 && v.dims[0] === v.name).map((v) => v.name),
    );
    const byName = new Map(dims.map((d) => [d.name, d]));
    const createVariable = (v) => {
      const maxshape = v.dims.map((d, i) => (byName.get(d)?.unlimited ? null : v.shape[i]));
      ensureGroups(file, v.name);
      file.create_dataset({
        name: v.name,
        data: v.data,
        shape: v.shape,
        dtype: DTYPE_CODES[v.dtype],
        maxshape,
        ...(v.chunks ? { chunks: v.chunks } : {}),
        ...(v.deflate > 0 ? { compression: "gzip", compression_opts: v.deflate } : {}),
        track_order: true,
      });
      const full = `/${v.name}`;
      if (coordinate.has(v.name)) Module.set_scale(file.file_id, full, v.name.split("/").at(-1));
      const ds = file.get(full);
      for (const [k, a] of Object.entries(v.attrs)) putAttr(ds, k, a, v.dtype);
    };
    // Dimensions first, in order (netCDF-C numbers them as it meets them): a coordinate
    // variable is its dimension's scale; other dimensions get netCDF-C's placeholder scale.
    for (const d of dims) {
      const c = vars.find((v) => v.name === d.name && coordinate.has(v.name));
      if (c !== undefined) {
        createVariable(c);
        continue;
      }
      ensureGroups(file, d.name);
      file.create_dataset({
        name: d.name,
        data: new Float32Array(d.length),
        shape: [d.length],
        dtype: "<f",
        maxshape: [d.unlimited ? null : d.length],
        ...(d.unlimited ? { chunks: [Math.max(1, Math.min(d.length, 1024))] } : {}),
        track_order: true,
      });
      Module.set_scale(file.file_id, `/${d.name}`, placeholderName(d.length));
    }
    for (const v of vars) if (!coordinate.has(v.name)) createVariable(v);
    for (const v of vars) {
      if (coordinate.has(v.name)) continue;
      v.dims.forEach((d, i) => {
        Module.attach_scale(file.file_id, `/${v.name}`, `/${d}`, i);
      });
    }
  } finally {
    file.close();
  }
  return null;
}

/** One attribute, typed as CF expects; text as fixed-length strings (netCDF's NC_CHAR). */
function putAttr(target, key, value, dtype) {
  if (typeof value === "string") {
    const n = Math.max(1, Buffer.byteLength(value, "utf8"));
    target.create_attribute(key, value, null, `A${n}`);
    return;
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return;
  if (list.every((x) => typeof x === "string")) {
    target.create_attribute(key, list, [list.length], "S");
    return;
  }
  let code;
  if (dtype !== undefined && OWN_TYPE_ATTRS.has(key)) code = DTYPE_CODES[dtype];
  else if (list.every((x) => typeof x === "bigint")) code = "<q";
  else if (list.every((x) => Number.isInteger(x) && Math.abs(x) <= 2147483647)) code = "<i";
  else code = "<d";
  const Ctor = ARRAYS[Object.entries(DTYPE_CODES).find(([, c]) => c === code)[0]];
  const big = Ctor === BigInt64Array || Ctor === BigUint64Array;
  const data = Ctor.from(list, (x) => (big ? BigInt(x) : Number(x)));
  target.create_attribute(key, data, [data.length], code);
}

// Last, once every declaration above is initialised.
warmUp();
parentPort.postMessage({ ready: true });
