import { ZarrError } from "./errors.js";
import type { ZarrStore } from "./store.js";

/** Options of {@link HttpStore}. */
export interface HttpStoreOptions {
  /** The `fetch` to use (default the global one); lets callers add auth headers or caching. */
  fetch?: typeof fetch;
  /** Extra request options (headers, credentials) for every request. */
  init?: RequestInit;
}

/**
 * A read-only Zarr store over HTTP(S): one GET per key, HTTP range requests for shard
 * indexes and inner chunks, so a window costs only the chunks it touches.
 */
export class HttpStore implements ZarrStore {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;

  /** @param url - the store's root URL (`https://host/data.zarr`) */
  constructor(
    url: string | URL,
    private readonly options: HttpStoreOptions = {},
  ) {
    this.base = String(url).replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  private async request(key: string, range?: string): Promise<Uint8Array | undefined> {
    const url = this.base + key;
    const headers = new Headers(this.options.init?.headers);
    if (range !== undefined) headers.set("Range", range);
    let res: Response;
    try {
      res = await this.fetchFn(url, { ...this.options.init, headers });
    } catch (e) {
      throw new ZarrError("IO_ERROR", `cannot fetch '${key}': ${(e as Error).message}`, {
        file: this.base,
      });
    }
    if (res.status === 404 || res.status === 403) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ZarrError("IO_ERROR", `GET '${key}' answered HTTP ${res.status}`, {
        file: this.base,
      });
    }
    if (range !== undefined && res.status !== 206) {
      await res.body?.cancel();
      throw new ZarrError(
        "IO_ERROR",
        `GET '${key}' ignored the range request (HTTP ${res.status}); the server must support ranges`,
        { file: this.base },
      );
    }
    return new Uint8Array(await res.arrayBuffer());
  }

  get(key: `/${string}`): Promise<Uint8Array | undefined> {
    return this.request(key);
  }

  getRange(
    key: `/${string}`,
    range: { offset: number; length: number } | { suffixLength: number },
  ): Promise<Uint8Array | undefined> {
    const spec =
      "suffixLength" in range
        ? `bytes=-${range.suffixLength}`
        : `bytes=${range.offset}-${range.offset + range.length - 1}`;
    return this.request(key, spec);
  }
}
