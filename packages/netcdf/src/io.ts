import { NetcdfError } from "./errors.js";

/**
 * Positioned reads, as `node:fs/promises` `FileHandle` offers them; the NetCDF-3 reader reads
 * through this, so HTTP range requests or in-memory bytes can stand in for a file.
 */
export interface ByteHandle {
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Largest single `read` issued; Node caps one read at 2 GiB and smaller pieces overlap better. */
const PIECE = 32 * 1024 * 1024;
/** Pieces of one large run read concurrently (libuv's default pool has 4 threads). */
const IN_FLIGHT = 4;

/**
 * Read exactly `length` bytes at `position` into `target` (at `targetOffset`), in pieces
 * with a few in flight; fails with `TRUNCATED` if the file ends early. `onPiece` is called
 * with each completed piece (offset relative to `targetOffset`).
 */
export async function readExact(
  fh: ByteHandle,
  target: Uint8Array,
  targetOffset: number,
  length: number,
  position: number,
  file: string,
  onPiece?: (offset: number, length: number) => void,
): Promise<void> {
  const pieces: Array<[number, number]> = [];
  for (let done = 0; done < length; done += PIECE)
    pieces.push([done, Math.min(PIECE, length - done)]);
  let next = 0;
  const worker = async () => {
    while (next < pieces.length) {
      const [at, len] = pieces[next++];
      let got = 0;
      while (got < len) {
        const { bytesRead } = await fh.read(
          target,
          targetOffset + at + got,
          len - got,
          position + at + got,
        );
        if (bytesRead === 0) {
          throw new NetcdfError(
            "TRUNCATED",
            `unexpected end of file at byte ${position + at + got} (wanted ${length} bytes from ${position})`,
            { file },
          );
        }
        got += bytesRead;
      }
      // Hand the piece over while the other reads are still in flight.
      onPiece?.(at, len);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, pieces.length) }, worker));
}
