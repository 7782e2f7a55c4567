import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readmeExample } from "./readme-example.js";

// The main entry must run in a browser: bundle the README example for the browser
// platform (a Node built-in would fail the bundle) and run it in headless Chromium, which
// must produce exactly the SVG Node produces.

function chromiumAvailable(): boolean {
  try {
    execFileSync("chromium", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.CI === "true")
      throw new Error("chromium is required under CI but was not found");
    console.warn("chromium not found: skipping the browser test");
    return false;
  }
}

/** A short checksum of a string, the same in Node and the browser. */
const checksum = `(s) => { let h = 0; for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0; return h >>> 0; }`;

describe.skipIf(!chromiumAvailable())("in a browser", () => {
  // The bundle, the page and Chromium's profile: removed once Chromium has exited (the
  // synchronous run below returns only then), also when the test fails.
  let dir: string | undefined;
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("renders the same SVG as in Node", async () => {
    dir = mkdtempSync(join(tmpdir(), "geoml-plot-browser-"));
    const entry = join(dir, "entry.ts");
    const example = fileURLToPath(new URL("./readme-example.ts", import.meta.url));
    writeFileSync(
      entry,
      `import { readmeExample } from ${JSON.stringify(example)};
const sum = ${checksum};
const { map, trend } = readmeExample();
document.title = "svg " + map.length + " " + sum(map) + " " + sum(trend);
document.body.textContent = map.slice(0, 200);`,
    );
    const require = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"));
    const esbuild = require("esbuild") as {
      build(options: Record<string, unknown>): Promise<unknown>;
    };
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: "browser",
      format: "iife",
      outfile: join(dir, "bundle.js"),
      logLevel: "error",
    });
    writeFileSync(
      join(dir, "page.html"),
      '<!doctype html><html><head><meta charset="utf-8"></head><body><script src="bundle.js"></script></body></html>',
    );
    const dom = execFileSync(
      "chromium",
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        `--user-data-dir=${join(dir, "profile")}`,
        "--dump-dom",
        `file://${join(dir, "page.html")}`,
      ],
      {
        encoding: "utf8",
        timeout: 60_000,
        maxBuffer: 16 << 20,
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    const sum = new Function(`return ${checksum}`)() as (s: string) => number;
    const { map, trend } = readmeExample();
    expect(dom).toContain(`<title>svg ${map.length} ${sum(map)} ${sum(trend)}</title>`);
    expect(dom).toContain("&lt;svg");
  }, 60_000);
});
