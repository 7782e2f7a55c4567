import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Debian's Chromium; the tests drive it through playwright-core, which downloads nothing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** What a headless Chromium saw when it opened a page. */
export interface PageCheck {
  consoleErrors: string[];
  failedRequests: string[];
  images: { id: string; naturalWidth: number }[];
  svgs: number;
}

/**
 * Opens a local HTML file (playwright gives the browser a fresh temporary profile) in headless Chromium with the network off, waits for it to load,
 * and reports console errors, requests that failed, and how every image decoded. Saves a
 * full-page screenshot to `screenshot` when given.
 */
export async function checkPage(file: string, screenshot?: string): Promise<PageCheck> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const context = await browser.newContext({
      offline: true,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const failedRequests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    page.on("requestfailed", (r) => failedRequests.push(r.url().slice(0, 200)));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const images = await page.$$eval("img", (imgs) =>
      imgs.map((img) => ({
        id: img.closest("figure")?.id ?? img.alt,
        naturalWidth: (img as unknown as { naturalWidth: number }).naturalWidth,
      })),
    );
    const svgs = await page.$$eval("svg", (s) => s.length);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return { consoleErrors, failedRequests, images, svgs };
  } finally {
    await browser.close();
  }
}

/**
 * Whether the browser test can run: under CI a missing Chromium is a failure (thrown),
 * elsewhere the test is skipped with a notice.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `Chromium not found at ${CHROMIUM} (Debian package 'chromium')`;
  if (process.env.CI) throw new Error(`${message}: CI must run the browser test`);
  console.warn(`skipping the browser test: ${message}`);
  return false;
}
