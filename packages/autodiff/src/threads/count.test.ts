import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { getThreads, isAutodiffError, setThreads } from "../index.js";

const parallel = fileURLToPath(new URL("./pool.ts", import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** getThreads() in a fresh process with GEOML_THREADS set to `value`, or its error. */
function threadsWith(value: string): string {
  const script = `import(${JSON.stringify(pathToFileURL(parallel).href)}).then(
    (m) => console.log(m.getThreads()),
    (e) => console.log(e.code + ": " + e.message),
  );`;
  return execFileSync(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], {
    env: { ...process.env, GEOML_THREADS: value },
    encoding: "utf8",
  }).trim();
}

describe("thread count", () => {
  const before = getThreads();
  afterAll(() => setThreads(before));

  it("is pinned by setThreads and read back by getThreads", () => {
    setThreads(1);
    expect(getThreads()).toBe(1);
    setThreads(3);
    expect(getThreads()).toBe(3);
  });

  it("rejects a count that is not a positive integer, naming the argument", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, "2" as unknown as number]) {
      let caught: unknown;
      try {
        setThreads(bad);
      } catch (e) {
        caught = e;
      }
      expect(isAutodiffError(caught, "INVALID_ARGUMENT")).toBe(true);
      expect((caught as Error).message).toMatch(/setThreads\(count\)/);
    }
  });

  it("comes from GEOML_THREADS when it is set", () => {
    expect(threadsWith("3")).toBe("3");
    expect(threadsWith(" 1 ")).toBe("1");
    expect(threadsWith("two")).toMatch(/^INVALID_ARGUMENT: GEOML_THREADS="two"/);
    expect(threadsWith("0")).toMatch(/^INVALID_ARGUMENT: GEOML_THREADS="0"/);
  }, 20_000);
});
