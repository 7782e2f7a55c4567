import type { Attrs, AttrValue, DType } from "@geoml/grid";
import { NetcdfError } from "../errors.js";
import { FORMAT_NAMES, NC_ATTRIBUTE, NC_DIMENSION, NC_TYPES, NC_VARIABLE } from "./types.js";

/** A dimension as declared in a NetCDF-3 header. */
export interface Nc3Dimension {
  name: string;
  /** Current length (the record count for the unlimited dimension). */
  length: number;
  unlimited: boolean;
}

/** A variable as declared in a NetCDF-3 header, with its data layout. */
export interface Nc3Variable {
  name: string;
  dims: string[];
  shape: number[];
  attrs: Attrs;
  ncType: number;
  dtype: DType;
  /** Bytes per element. */
  itemSize: number;
  /** File offset of the data (of record 0 for record variables). */
  begin: number;
  /** True when the first dimension is the unlimited one. */
  isRecord: boolean;
}

/** A parsed NetCDF-3 header. */
export interface Nc3Header {
  /** 1 classic, 2 64-bit offset, 5 CDF-5. */
  version: number;
  format: string;
  numrecs: number;
  dims: Nc3Dimension[];
  attrs: Attrs;
  variables: Nc3Variable[];
  /** Bytes between consecutive records. */
  recordSize: number;
}

/** Thrown internally when the header extends past the bytes read so far. */
export class NeedMoreBytes extends Error {}

const STREAMING = 0xffffffff;

/**
 * Parse a NetCDF-3 header (classic, 64-bit offset or CDF-5) from the first bytes of a file.
 * Every count is checked against the file size before anything is allocated, so a
 * corrupted header fails fast with a typed error instead of allocating or looping.
 *
 * @param bytes - the start of the file (the whole header must be inside, else `NeedMoreBytes`)
 * @param fileSize - total file size in bytes
 * @param file - path for messages
 * @throws NetcdfError `BAD_MAGIC`, `CORRUPT_HEADER`, `TRUNCATED`, `UNSUPPORTED`
 */
export function parseHeader(bytes: Uint8Array, fileSize: number, file: string): Nc3Header {
  const ctx = { file };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const complete = bytes.length >= fileSize;
  const need = (n: number) => {
    if (pos + n > bytes.length) {
      if (complete || pos + n > fileSize) {
        throw new NetcdfError(
          "TRUNCATED",
          `header ends at byte ${fileSize} but needs ${pos + n} bytes; the file is truncated`,
          ctx,
        );
      }
      throw new NeedMoreBytes();
    }
  };
  const corrupt = (what: string) => new NetcdfError("CORRUPT_HEADER", what, ctx);

  need(4);
  if (bytes[0] !== 0x43 || bytes[1] !== 0x44 || bytes[2] !== 0x46) {
    throw new NetcdfError("BAD_MAGIC", "not a NetCDF-3 file (no 'CDF' magic)", ctx);
  }
  const version = bytes[3];
  if (FORMAT_NAMES[version] === undefined) {
    throw new NetcdfError("UNSUPPORTED", `NetCDF-3 format version ${version} is unknown`, ctx);
  }
  pos = 4;
  const wide = version === 5;
  const u32 = () => {
    need(4);
    const v = view.getUint32(pos);
    pos += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw corrupt(`count ${v} at byte ${pos - 8} is impossible`);
    return Number(v);
  };
  const count = () => (wide ? u64() : u32());
  const offset = () => (version === 1 ? u32() : u64());
  const text = (n: number) => {
    need(n);
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + n));
    pos += n + pad4(n);
    return s;
  };
  // Every list item takes at least `minBytes`, so a count larger than the file could
  // hold is corruption, caught before any loop or allocation.
  const listCount = (minBytes: number, what: string) => {
    const n = count();
    if (n * minBytes > fileSize - pos) throw corrupt(`${what} count ${n} cannot fit in the file`);
    return n;
  };
  const name = (what: string) => {
    const n = count();
    if (n > fileSize - pos || n > 65536) throw corrupt(`${what} name length ${n} is impossible`);
    return text(n);
  };
  const tag = (expected: number, what: string) => {
    const t = u32();
    const n = t === 0 ? count() : -1;
    if (t === 0 && n === 0) return false;
    if (t !== expected)
      throw corrupt(`expected ${what} list tag ${expected} or ABSENT, found ${t}`);
    return true;
  };
  const attrList = (): Attrs => {
    const attrs: Attrs = {};
    if (!tag(NC_ATTRIBUTE, "attribute")) return attrs;
    const n = listCount(12, "attribute");
    for (let i = 0; i < n; i++) {
      const key = name("attribute");
      const type = u32();
      const t = NC_TYPES[type];
      if (t === undefined || (!wide && type > 6))
        throw corrupt(`attribute '${key}' has unknown type ${type}`);
      const len = count();
      if (len * t.size > fileSize - pos) throw corrupt(`attribute '${key}' claims ${len} values`);
      attrs[key] = attrValue(type, len);
    }
    return attrs;
  };
  const attrValue = (type: number, n: number): AttrValue => {
    const t = NC_TYPES[type];
    const nbytes = n * t.size;
    need(nbytes);
    if (type === 2) {
      const s = new TextDecoder().decode(bytes.subarray(pos, pos + nbytes)).replace(/\0+$/, "");
      pos += nbytes + pad4(nbytes);
      return s;
    }
    const values = new Array<number>(n);
    for (let i = 0; i < n; i++) values[i] = readNumber(view, pos + i * t.size, type);
    pos += nbytes + pad4(nbytes);
    return n === 1 ? values[0] : values;
  };

  let numrecs: number;
  let streaming: boolean;
  if (wide) {
    need(8);
    const r = view.getBigUint64(pos);
    pos += 8;
    streaming = r === 0xffffffffffffffffn;
    if (!streaming && r > BigInt(Number.MAX_SAFE_INTEGER))
      throw corrupt(`record count ${r} is impossible`);
    numrecs = streaming ? 0 : Number(r);
  } else {
    numrecs = u32();
    streaming = numrecs === STREAMING;
  }

  const dims: Nc3Dimension[] = [];
  if (tag(NC_DIMENSION, "dimension")) {
    const n = listCount(8, "dimension");
    for (let i = 0; i < n; i++) {
      const dname = name("dimension");
      const length = count();
      dims.push({ name: dname, length, unlimited: length === 0 });
    }
  }
  const attrs = attrList();
  const variables: Nc3Variable[] = [];
  if (tag(NC_VARIABLE, "variable")) {
    const n = listCount(16, "variable");
    for (let i = 0; i < n; i++) {
      const vname = name("variable");
      const rank = listCount(4, `rank of '${vname}'`);
      const dimIds: number[] = [];
      for (let k = 0; k < rank; k++) {
        const id = count();
        if (id >= dims.length)
          throw corrupt(`variable '${vname}' uses dimension id ${id} of ${dims.length}`);
        dimIds.push(id);
      }
      const vattrs = attrList();
      const type = u32();
      const t = NC_TYPES[type];
      if (t === undefined || (!wide && type > 6))
        throw corrupt(`variable '${vname}' has unknown type ${type}`);
      count(); // vsize: recomputed from the shape, since it overflows for >4 GiB variables
      const begin = offset();
      const vdims = dimIds.map((id) => dims[id]);
      const isRecord = vdims.length > 0 && vdims[0].unlimited;
      if (vdims.slice(1).some((d) => d.unlimited)) {
        throw corrupt(`variable '${vname}' uses the unlimited dimension other than first`);
      }
      variables.push({
        name: vname,
        dims: vdims.map((d) => d.name),
        shape: vdims.map((d) => d.length),
        attrs: vattrs,
        ncType: type,
        dtype: t.dtype,
        itemSize: t.size,
        begin,
        isRecord,
      });
    }
  }

  const recordVars = variables.filter((v) => v.isRecord);
  let recordSize = 0;
  for (const v of recordVars) {
    const inner = product(v.shape.slice(1)) * v.itemSize;
    // A lone record variable is stored without padding between records.
    recordSize += recordVars.length === 1 ? inner : inner + pad4(inner);
  }
  if (streaming) {
    const first = Math.min(...recordVars.map((v) => v.begin), fileSize);
    numrecs = recordSize > 0 ? Math.floor((fileSize - first) / recordSize) : 0;
  }
  for (const d of dims) if (d.unlimited) d.length = numrecs;
  for (const v of variables) {
    if (v.isRecord) v.shape[0] = numrecs;
    checkExtent(v, numrecs, recordSize, fileSize, file);
  }
  return { version, format: FORMAT_NAMES[version], numrecs, dims, attrs, variables, recordSize };
}

function checkExtent(
  v: Nc3Variable,
  numrecs: number,
  recordSize: number,
  fileSize: number,
  file: string,
): void {
  const inner = product(v.isRecord ? v.shape.slice(1) : v.shape) * v.itemSize;
  const end = v.isRecord
    ? numrecs === 0
      ? v.begin
      : v.begin + (numrecs - 1) * recordSize + inner
    : v.begin + inner;
  if (!Number.isFinite(end) || end > fileSize) {
    throw new NetcdfError(
      "TRUNCATED",
      `data of shape [${v.shape.join(", ")}] end at byte ${end} but the file has ${fileSize} bytes`,
      { file, variable: v.name },
    );
  }
}

function product(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function readNumber(view: DataView, at: number, type: number): number {
  switch (type) {
    case 1:
      return view.getInt8(at);
    case 3:
      return view.getInt16(at);
    case 4:
      return view.getInt32(at);
    case 5:
      return view.getFloat32(at);
    case 6:
      return view.getFloat64(at);
    case 7:
      return view.getUint8(at);
    case 8:
      return view.getUint16(at);
    case 9:
      return view.getUint32(at);
    case 10:
      return Number(view.getBigInt64(at));
    case 11:
      return Number(view.getBigUint64(at));
    default:
      return view.getUint8(at);
  }
}
