import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openNetcdf } from "@geoml/netcdf";
import { openZarr } from "@geoml/zarr";
import { afterAll, describe, expect, it } from "vitest";
import { bufferIO } from "../io.js";
import { main } from "../main.js";

const root = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const fixtures = root("packages/io/src/__fixtures__");
const dir = mkdtempSync(join(tmpdir(), "geoml-cli-batch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const formula = "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12)";

const gdalinfo = spawnSync("sh", ["-c", "command -v gdalinfo"]).status === 0;
if (!gdalinfo && process.env.CI !== "true")
  console.warn("skipping the gdalinfo check: not installed");

describe("geoml batch fit", () => {
  it("fits every cell of an archive, with progress on stderr and where the output is", async () => {
    const io = bufferIO();
    const out = join(dir, "trend.nc");
    const files = join(fixtures, "archive", "*.nc");
    const code = await main(
      [
        "batch",
        "fit",
        "--files",
        files,
        "--var",
        "sst",
        "--along",
        "time",
        "--formula",
        formula,
        "--out",
        out,
        "--chunk-cells",
        "4",
      ],
      io,
    );
    expect(io.stderr).toContain("batch fit: 3/3 chunks done");
    expect(code).toBe(0);
    expect(io.stdout).toBe(`wrote ${out} (3 chunks)\n`);
    const ds = await openNetcdf(out);
    const coef = await ds.read("coef");
    expect(coef.shape).toEqual([4, 3, 4]);
    const nobs = await ds.read("nobs");
    expect(Math.max(...(nobs.data as Int32Array))).toBeLessThanOrEqual(48);
    await ds.close();
  });

  it("writes a Zarr store, v3 by default and v2 with --zarr-format 2", async () => {
    const files = join(fixtures, "archive", "*.nc");
    for (const [flags, format] of [
      [[], "zarr3"],
      [["--zarr-format", "2"], "zarr2"],
    ] as const) {
      const io = bufferIO();
      const out = join(dir, `trend-${format}.zarr`);
      const args = ["batch", "fit", "--files", files, "--formula", formula, "--out", out];
      expect(await main([...args, ...flags], io)).toBe(0);
      expect(io.stdout).toBe(`wrote ${out} (1 chunk)\n`);
      const ds = await openZarr(out);
      expect(ds.format).toBe(format);
      const coef = await ds.read("coef");
      expect(coef.shape).toEqual([4, 3, 4]);
      expect(coef.coords.term.values).toEqual([
        "Intercept",
        "t",
        "cos(((2 * pi) * month) / 12)",
        "sin(((2 * pi) * month) / 12)",
      ]);
      await ds.close();
    }
    const io = bufferIO();
    const out = join(dir, "never.zarr");
    const args = ["batch", "fit", "--files", files, "--formula", formula, "--out", out];
    expect(await main([...args, "--zarr-format", "4"], io)).toBe(2);
    expect(io.stderr).toContain('--zarr-format: expected 2 or 3, got "4"');
    expect(existsSync(out)).toBe(false);
  });

  it("draws a progress bar on a terminal", async () => {
    const io = bufferIO({ tty: true });
    const out = join(dir, "bar.nc");
    const files = join(fixtures, "archive", "*.nc");
    const args = ["batch", "fit", "--files", files, "--formula", formula, "--out", out];
    expect(await main([...args, "--chunk-cells", "4"], io)).toBe(0);
    expect(io.stderr).toContain("batch fit [");
    expect(io.stderr).toContain("3/3 chunks");
    expect(io.stderr.endsWith("\r\x1b[K")).toBe(true);
  });

  it("writes a GeoTIFF with one band per term, described by its label", async () => {
    const io = bufferIO();
    const out = join(dir, "trend.tif");
    const files = join(fixtures, "archive", "*.nc");
    const code = await main(
      ["batch", "fit", "--files", files, "--formula", formula, "--out", out, "--workers", "2"],
      io,
    );
    expect(io.stderr).toBe("batch fit: 0/1 chunks done\nbatch fit: 1/1 chunks done\n");
    expect(code).toBe(0);
    if (!gdalinfo && process.env.CI !== "true") return;
    const info = JSON.parse(spawnSync("gdalinfo", ["-json", out], { encoding: "utf8" }).stdout);
    expect(info.bands.map((b: { description: string }) => b.description)).toEqual([
      "Intercept",
      "t",
      "cos(((2 * pi) * month) / 12)",
      "sin(((2 * pi) * month) / 12)",
    ]);
  });

  const bad: [string[], RegExp][] = [
    [["--files", join(dir, "none-*.nc")], /^geoml batch fit: no file matches '.*none-\*\.nc'\n$/],
    [
      ["--files", join(fixtures, "archive_bad_grid", "*.nc")],
      /y2001\.nc: coordinate 'lat' differs/,
    ],
    [
      ["--files", join(fixtures, "archive_bad_variable", "*.nc"), "--var", "count"],
      /y2001\.nc: no variable 'count'/,
    ],
    [
      ["--files", join(fixtures, "archive_bad_backwards", "*.nc")],
      /y2001\.nc: 'time' goes backwards/,
    ],
    [["--files", join(fixtures, "archive_bad_overlap", "*.nc")], /y2001\.nc: 'time' overlaps/],
  ];
  for (const [flags, message] of bad) {
    it(`reports ${flags[1].split("/").slice(-2).join("/")} in one line, before any output`, async () => {
      const io = bufferIO();
      const out = join(dir, "bad.nc");
      const code = await main(["batch", "fit", ...flags, "--formula", formula, "--out", out], io);
      expect(code).toBe(1);
      expect(io.stderr).toMatch(message);
      expect(io.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(out) || existsSync(`${out}.parts`)).toBe(false);
    });
  }

  it("applies a model saved by geoml fit --grid to every cell and step of the archive", async () => {
    const model = join(dir, "m.json");
    const grid = join(fixtures, "archive", "a_2001.nc");
    const f = "sst ~ cos(2*pi*month/12) + sin(2*pi*month/12) + lat";
    expect(
      await main(
        ["fit", "--grid", grid, "--var", "sst", "--formula", f, "--save", model],
        bufferIO(),
      ),
    ).toBe(0);
    const io = bufferIO();
    const out = join(dir, "pred.nc");
    const files = join(fixtures, "archive", "*.nc");
    const code = await main(
      ["batch", "predict", "--model", model, "--files", files, "--out", out],
      io,
    );
    expect(io.stderr).toBe("batch predict: 0/1 chunks done\nbatch predict: 1/1 chunks done\n");
    expect(code).toBe(0);
    const ds = await openNetcdf(out);
    const pred = await ds.read("prediction");
    expect(pred.shape).toEqual([48, 3, 4]);
    // No trend term: the same month of every year gets the same prediction.
    expect(pred.get(1, 2, 3)).toBeCloseTo(pred.get(37, 2, 3), 5);
    await ds.close();
  });

  it("a worker that cannot reach Redis says so in one line", async () => {
    const io = bufferIO();
    expect(await main(["worker", "--queue", "redis://127.0.0.1:1"], io)).toBe(1);
    expect(io.stderr).toMatch(/geoml worker: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });

  it("treats wrong flags as usage errors", async () => {
    const io = bufferIO();
    expect(await main(["batch", "fit", "--files", "x"], io)).toBe(2);
    expect(io.stderr).toContain("--formula is required");
    expect(
      await main(
        ["batch", "fit", "--files", "x", "--formula", formula, "--out", "o.nc", "--workers", "0"],
        io,
      ),
    ).toBe(2);
    expect(await main(["worker"], io)).toBe(2);
  });
});
