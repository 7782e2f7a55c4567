/**
 * GDAL's private TIFF tags: GDAL_NODATA (42113, the nodata value as text) and
 * GDAL_METADATA (42112, an XML list of items — per-band scale, offset, unit type and
 * description, plus free-form dataset metadata).
 */
import type { Attrs, ErrorContext } from "@geoml/grid";
import { GeotiffError } from "./errors.js";

/** One `<Item>` of GDAL_METADATA. */
export interface GdalItem {
  name: string;
  /** Zero-based band the item belongs to; undefined for dataset-level items. */
  sample?: number;
  /** `scale`, `offset`, `unittype`, `description` or undefined for plain metadata. */
  role?: string;
  value: string;
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&apos;": "'",
};

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (m) => ENTITIES[m]);
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => Object.keys(ENTITIES).find((k) => ENTITIES[k] === c)!);
}

/** Parse the GDAL_METADATA XML. Unknown markup is ignored. */
export function parseGdalMetadata(xml: string): GdalItem[] {
  const items: GdalItem[] = [];
  for (const m of xml.matchAll(/<Item\b([^>]*)>([^<]*)<\/Item>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/(\w+)\s*=\s*"([^"]*)"/g)) attrs[a[1]] = unescapeXml(a[2]);
    if (attrs.name === undefined) continue;
    const item: GdalItem = { name: attrs.name, value: unescapeXml(m[2]) };
    if (attrs.sample !== undefined && /^\d+$/.test(attrs.sample))
      item.sample = Number(attrs.sample);
    if (attrs.role !== undefined) item.role = attrs.role;
    items.push(item);
  }
  return items;
}

/** Write GDAL_METADATA XML for `items`. */
export function formatGdalMetadata(items: readonly GdalItem[]): string {
  const lines = items.map((it) => {
    const sample = it.sample === undefined ? "" : ` sample="${it.sample}"`;
    const role = it.role === undefined ? "" : ` role="${escapeXml(it.role)}"`;
    return `  <Item name="${escapeXml(it.name)}"${sample}${role}>${escapeXml(it.value)}</Item>`;
  });
  return `<GDALMetadata>\n${lines.join("\n")}\n</GDALMetadata>\n`;
}

/**
 * Parse GDAL_NODATA text: a decimal number, `nan`, `inf` or `-inf`. Anything else is
 * not a nodata value (undefined), so a damaged tag never masks real data by accident.
 */
export function parseNodata(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === "nan" || t === "-nan") return Number.NaN;
  if (t === "inf" || t === "+inf") return Number.POSITIVE_INFINITY;
  if (t === "-inf") return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Format a nodata value the way GDAL writes it. */
export function formatNodata(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Number.POSITIVE_INFINITY) return "inf";
  if (value === Number.NEGATIVE_INFINITY) return "-inf";
  return String(value);
}

/**
 * CF packing attributes that GDAL copies verbatim, as text, from a NetCDF source into
 * GDAL_METADATA. GDAL itself applies only GDAL_NODATA and its own scale/offset items;
 * these copies are kept for reference as `source_<name>` and never applied (after
 * `gdal_translate -unscale` they would unpack twice).
 */
const COPIED_PACKING = new Set([
  "_FillValue",
  "missing_value",
  "scale_factor",
  "add_offset",
  "valid_min",
  "valid_max",
  "valid_range",
  "_Unsigned",
]);

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A decimal number written as text (`" 0.01 "`, `"-32767"`, `"1e+20"`), else undefined. */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : undefined;
}

/** Numbers in text like `"0 100"`, `"{0,100}"` or `"-999"`, else the text itself. */
function numericOrText(text: string): number | number[] | string {
  const parts = text
    .replace(/^[{[(]|[}\])]$/g, "")
    .split(/[\s,]+/)
    .filter((p) => p !== "");
  const nums = parts.map(parseNodata);
  if (parts.length === 0 || nums.some((n) => n === undefined)) return text;
  return nums.length === 1 ? nums[0]! : (nums as number[]);
}

/**
 * CF attributes of band `sample` (zero-based) from GDAL metadata and nodata, the way
 * GDAL reads them: `_FillValue` from GDAL_NODATA (the only nodata GDAL applies),
 * `scale_factor`/`add_offset` from GDAL's own scale and offset items, `units`,
 * `long_name`, plus the band's other metadata items. CF decoding then gives GDAL's
 * values (nodata compared on the stored value, then `raw * scale + offset`).
 *
 * @param nodataText - the GDAL_NODATA text, if the file has the tag
 * @param context - file and band, for errors
 * @throws GeotiffError `CORRUPT` when GDAL_NODATA or a scale/offset item is not a number
 */
export function bandAttrs(
  items: readonly GdalItem[],
  sample: number,
  nodataText: string | undefined,
  context: ErrorContext,
): Attrs {
  const attrs: Attrs = {};
  if (nodataText !== undefined) {
    const nodata = parseNodata(nodataText);
    if (nodata === undefined) {
      throw new GeotiffError(
        "CORRUPT",
        `GDAL_NODATA "${nodataText}" is not a number (expected a decimal, nan or inf)`,
        context,
      );
    }
    // Kept as GDAL reports it; CF decoding compares it in the stored type, as GDAL does
    // (a "1e+20" on float32 data matches cells holding 1.0000000200408773e+20).
    attrs._FillValue = nodata;
  }
  for (const it of items) {
    if (it.sample !== sample) continue;
    const role = it.role?.toLowerCase();
    if (role === "scale" || role === "offset") {
      const n = parseDecimal(it.value);
      if (n === undefined || !Number.isFinite(n)) {
        throw new GeotiffError(
          "CORRUPT",
          `GDAL_METADATA ${role} "${it.value}" is not a number`,
          context,
        );
      }
      attrs[role === "scale" ? "scale_factor" : "add_offset"] = n;
    } else if (role === "unittype") attrs.units = it.value;
    else if (role === "description") attrs.long_name = it.value;
    else if (COPIED_PACKING.has(it.name)) {
      attrs[`source${it.name.startsWith("_") ? "" : "_"}${it.name}`] = numericOrText(it.value);
    } else attrs[it.name] = it.value;
  }
  // An identity scale/offset is no packing at all; leaving it out keeps float32 data float32.
  if (attrs.scale_factor === 1 && (attrs.add_offset === undefined || attrs.add_offset === 0)) {
    delete attrs.scale_factor;
    delete attrs.add_offset;
  }
  return attrs;
}
