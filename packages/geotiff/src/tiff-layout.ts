/**
 * Laying out a little-endian classic TIFF from finished pieces: image file directories
 * (tags sorted by number) and their compressed blocks. Two layouts:
 *
 * - plain: header, the IFD, its tag values, then the blocks;
 * - cloud-optimized (GDAL's COG layout): header, GDAL's structural-metadata "ghost"
 *   text, every IFD with its values (full resolution first, then overviews), then the
 *   blocks from the smallest overview to the full image, each block framed by its size
 *   before it and its last four bytes repeated after it, as GDAL's COG driver writes.
 */
import { GeotiffError } from "./errors.js";

/** One tag to write. */
export interface TagValue {
  tag: number;
  /** TIFF field type: 2 ASCII, 3 SHORT, 4 LONG, 12 DOUBLE. */
  type: 2 | 3 | 4 | 12;
  values?: number[];
  text?: string;
}

/** One image: its tags and blocks, and which tags list the blocks' offsets and sizes. */
export interface ImageSpec {
  tags: TagValue[];
  blocks: Uint8Array[];
  offsetsTag: number;
  countsTag: number;
}

const SIZE = { 2: 1, 3: 2, 4: 4, 12: 8 } as const;

/** GDAL's description of the COG layout, read by GDAL to report `LAYOUT=COG`. */
const GHOST =
  "LAYOUT=IFDS_BEFORE_DATA\nBLOCK_ORDER=ROW_MAJOR\nBLOCK_LEADER=SIZE_AS_UINT4\n" +
  "BLOCK_TRAILER=LAST_4_BYTES_REPEATED\nKNOWN_INCOMPATIBLE_EDITION=NO\n ";

/**
 * Write `images` (full resolution first) as one TIFF.
 *
 * @throws GeotiffError `TOO_LARGE` beyond the 4 GiB of a classic TIFF
 */
export function writeTiff(
  images: ImageSpec[],
  cog: boolean,
  ctx: { file: string; variable?: string },
): Uint8Array {
  const encoder = new TextEncoder();
  const ghost = cog
    ? encoder.encode(
        `GDAL_STRUCTURAL_METADATA_SIZE=${String(GHOST.length).padStart(6, "0")} bytes\n${GHOST}`,
      )
    : new Uint8Array(0);
  let cursor = 8 + ghost.length;
  cursor += cursor % 2;

  // Directories and their values.
  const placed = images.map((image) => {
    image.tags.sort((a, b) => a.tag - b.tag);
    // sized now, filled once the blocks are placed
    for (const tag of [image.offsetsTag, image.countsTag]) {
      image.tags.find((t) => t.tag === tag)!.values = new Array(image.blocks.length).fill(0);
    }
    const payloads = image.tags.map((t) =>
      t.text !== undefined ? encoder.encode(`${t.text}\0`) : undefined,
    );
    const counts = image.tags.map((t, i) => payloads[i]?.length ?? t.values!.length);
    const at = cursor;
    cursor += 2 + image.tags.length * 12 + 4;
    const valueOffsets = image.tags.map((t, i) => {
      const bytes = counts[i] * SIZE[t.type];
      if (bytes <= 4) return -1;
      cursor += cursor % 2; // word alignment
      const o = cursor;
      cursor += bytes;
      return o;
    });
    return { image, payloads, counts, at, valueOffsets };
  });

  // Blocks: plain files in image order; COGs smallest overview first, framed.
  const frame = cog ? 4 : 0;
  const order = cog ? [...placed].reverse() : placed;
  for (const p of order) {
    const offsets: number[] = [];
    for (const b of p.image.blocks) {
      offsets.push(cursor + frame);
      cursor += b.length + 2 * frame;
    }
    p.image.tags.find((t) => t.tag === p.image.offsetsTag)!.values = offsets;
    p.image.tags.find((t) => t.tag === p.image.countsTag)!.values = p.image.blocks.map(
      (b) => b.length,
    );
  }
  if (cursor > 2 ** 32 - 1) {
    throw new GeotiffError("TOO_LARGE", `${cursor} bytes exceed the 4 GiB of a classic TIFF`, ctx);
  }

  const out = new Uint8Array(cursor);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, placed[0].at, true);
  out.set(ghost, 8);
  placed.forEach((p, k) => {
    const { tags } = p.image;
    v.setUint16(p.at, tags.length, true);
    tags.forEach((t, i) => {
      const e = p.at + 2 + i * 12;
      v.setUint16(e, t.tag, true);
      v.setUint16(e + 2, t.type, true);
      v.setUint32(e + 4, p.counts[i], true);
      const at = p.valueOffsets[i] < 0 ? e + 8 : p.valueOffsets[i];
      if (p.valueOffsets[i] >= 0) v.setUint32(e + 8, at, true);
      const payload = p.payloads[i];
      if (payload !== undefined) out.set(payload, at);
      else {
        t.values!.forEach((x, j) => {
          const q = at + j * SIZE[t.type];
          if (t.type === 3) v.setUint16(q, x, true);
          else if (t.type === 4) v.setUint32(q, x, true);
          else v.setFloat64(q, x, true);
        });
      }
    });
    const next = k + 1 < placed.length ? placed[k + 1].at : 0;
    v.setUint32(p.at + 2 + tags.length * 12, next, true);
  });
  for (const p of placed) {
    const offsets = p.image.tags.find((t) => t.tag === p.image.offsetsTag)!.values!;
    p.image.blocks.forEach((b, i) => {
      const at = offsets[i];
      out.set(b, at);
      if (cog) {
        v.setUint32(at - 4, b.length, true);
        out.set(b.subarray(Math.max(0, b.length - 4)), at + b.length);
      }
    });
  }
  return out;
}
