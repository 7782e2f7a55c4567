import { describe, expect, it } from "vitest";
import { DemoUsageError, parseDemoArgs, userFolder } from "./args.js";

const defaults = { out: "/repo/out/sst-demo", datasets: "/repo/datasets" };

describe("parseDemoArgs", () => {
  it("takes the defaults and accepts the `--` that pnpm passes through", () => {
    expect(parseDemoArgs([], defaults, "/home/u")).toEqual({
      ...defaults,
      epochs: 25,
      seed: 2024,
      help: false,
    });
    expect(parseDemoArgs(["--", "--epochs", "3"], defaults, "/home/u").epochs).toBe(3);
  });

  it("resolves relative paths from the user's folder", () => {
    const a = parseDemoArgs(["--out", "report", "--datasets", "/data"], defaults, "/home/u");
    expect(a.out).toBe("/home/u/report");
    expect(a.datasets).toBe("/data");
  });

  it("names the flag and what it expects", () => {
    expect(() => parseDemoArgs(["--epochs", "notanumber"], defaults, "/")).toThrow(
      /--epochs expects a positive integer, got "notanumber"/,
    );
    expect(() => parseDemoArgs(["--epochs", "0"], defaults, "/")).toThrow(DemoUsageError);
    expect(() => parseDemoArgs(["--epochs", "2.5"], defaults, "/")).toThrow(/--epochs/);
    expect(() => parseDemoArgs(["--seed", "x"], defaults, "/")).toThrow(
      /--seed expects an integer/,
    );
    expect(() => parseDemoArgs(["--epoch", "3"], defaults, "/")).toThrow(/--epoch/);
    expect(() => parseDemoArgs(["stray"], defaults, "/")).toThrow(DemoUsageError);
  });
});

describe("--data and --var", () => {
  const defaults = { out: "/o", datasets: "/d" };
  it("go together, paths from the user's folder", () => {
    const a = parseDemoArgs(["--", "--data", "my/sst.nc", "--var", "tos"], defaults, "/home/u");
    expect(a.data).toEqual({ file: "/home/u/my/sst.nc", variable: "tos" });
    expect(() => parseDemoArgs(["--data", "x.nc"], defaults, "/")).toThrow(/--data needs --var/);
    expect(() => parseDemoArgs(["--var", "tos"], defaults, "/")).toThrow(/--var needs --data/);
    expect(() => parseDemoArgs(["--data", "x.nc", "--var", ""], defaults, "/")).toThrow(
      /--var expects a variable name/,
    );
  });
});

describe("userFolder", () => {
  it("takes INIT_CWD only when pnpm ran the script from the repository root", () => {
    expect(userFolder("/repo", "/repo", "/home/u/work")).toBe("/home/u/work");
    expect(userFolder("/repo", "/tmp/copy", "/repo")).toBe("/tmp/copy");
    expect(userFolder("/repo", "/repo", "")).toBe("/repo");
  });
});
