import { open, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".json": "application/json",
};

/** One request the server answered: the file and the byte range sent (inclusive end). */
export interface Served {
  path: string;
  status: number;
  start: number;
  end: number;
}

/** A static file server on a free loopback port that honours `Range` and logs what it sent. */
export interface RangeServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Every answer, in order. */
  readonly log: Served[];
  /** Bytes sent for `path` (all files when omitted). */
  bytesSent(path?: string): number;
  close(): Promise<void>;
}

/**
 * Serve the files under `root` (test helper): `Range: bytes=a-b`, `bytes=a-` and `bytes=-n`
 * get 206 with `Content-Range`, no range gets the whole file, a missing file 404. To test
 * clients against bad servers, `ranges: false` ignores `Range` (200 with the whole file) and
 * `failWith: 500` answers every request with that status.
 */
export async function serveDirectory(
  root: string,
  options: { ranges?: boolean; failWith?: number } = {},
): Promise<RangeServer> {
  const log: Served[] = [];
  const server: Server = createServer(async (req, res) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Headers", "Range");
    res.setHeader("Access-Control-Expose-Headers", "Content-Range, Content-Length");
    if (req.method === "OPTIONS") {
      res.writeHead(204).end();
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (options.failWith !== undefined) {
      log.push({ path, status: options.failWith, start: 0, end: -1 });
      res.writeHead(options.failWith).end();
      return;
    }
    const file = join(root, normalize(path).replace(/^(\.\.[/\\])+/, ""));
    let size: number;
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new Error("not a file");
      size = st.size;
    } catch {
      log.push({ path, status: 404, start: 0, end: -1 });
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    let end = size - 1;
    let status = 200;
    const m = options.ranges === false ? null : /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    if (m !== null) {
      status = 206;
      if (m[1] === "") start = Math.max(0, size - Number(m[2]));
      else {
        start = Number(m[1]);
        if (m[2] !== "") end = Math.min(end, Number(m[2]));
      }
      if (start >= size) {
        log.push({ path, status: 416, start, end: -1 });
        res.writeHead(416, { "Content-Range": `bytes */${size}` }).end();
        return;
      }
    }
    const body = new Uint8Array(Math.max(0, end - start + 1));
    const fh = await open(file, "r");
    try {
      await fh.read(body, 0, body.length, start);
    } finally {
      await fh.close();
    }
    log.push({ path, status, start, end });
    const headers: Record<string, string | number> = {
      "Content-Length": body.length,
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Accept-Ranges": "bytes",
    };
    if (status === 206) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
    res.writeHead(status, headers).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    bytesSent(path?: string) {
      return log
        .filter((s) => path === undefined || s.path === path)
        .reduce((n, s) => n + Math.max(0, s.end - s.start + 1), 0);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
