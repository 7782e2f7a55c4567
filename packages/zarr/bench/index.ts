// Zarr read benchmark: @geoml/zarr vs xarray (decoded) and zarr-python (raw) on the same
// in-memory v2 stores, interleaved in one run, medians of BENCH_REPS (default 7).
// The stores (packed int16 SST, 120×180×360, chunks 10×90×180, Blosc-lz4 and Zlib) are
// written by our writer into a temporary directory; both sides load them into memory
// before timing. Times cover open (consolidated metadata) + read + CF decoding.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { DataArray } from "@geoml/grid";
import { openZarr, writeZarr } from "../src/index.js";
import { loadStore } from "../src/testing.js";

const reps = Number(process.env.BENCH_REPS ?? 7);
const [NT, NY, NX] = [120, 180, 360];

function sstField(): DataArray {
  const data = new Float32Array(NT * NY * NX);
  for (let t = 0; t < NT; t++)
    for (let y = 0; y < NY; y++)
      for (let x = 0; x < NX; x++) {
        const lat = -89.5 + y;
        const land = Math.sin(x / 23) * Math.cos(y / 17) > 0.6;
        data[(t * NY + y) * NX + x] = land
          ? Number.NaN
          : 28 * Math.cos((lat * Math.PI) / 180) - 1 + Math.sin(t / 1.9 + x / 40);
      }
  const axis = (n: number, f: (i: number) => number) =>
    Float64Array.from({ length: n }, (_, i) => f(i));
  return new DataArray({
    name: "sst",
    dims: ["time", "lat", "lon"],
    shape: [NT, NY, NX],
    data,
    coords: {
      time: {
        dims: ["time"],
        values: axis(NT, (i) => i * 30),
        attrs: { units: "days since 2000-01-01" },
      },
      lat: { dims: ["lat"], values: axis(NY, (i) => -89.5 + i), attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: axis(NX, (i) => 0.5 + i), attrs: { units: "degrees_east" } },
    },
    attrs: { units: "degC" },
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "geoml-zarr-bench-"));
  try {
    const sst = sstField();
    const enc = {
      sst: {
        dtype: "int16" as const,
        scale_factor: 0.01,
        add_offset: 0,
        _FillValue: -32767,
        chunks: [10, 90, 180],
      },
    };
    for (const compressor of ["blosc", "zlib"] as const) {
      await writeZarr(join(dir, `${compressor}.zarr`), [sst], {
        format: 2,
        compressor,
        encoding: enc,
      });
    }
    const mem = {
      blosc: await loadStore(join(dir, "blosc.zarr")),
      zlib: await loadStore(join(dir, "zlib.zarr")),
    };
    const py = spawn(
      "/usr/bin/python3",
      [fileURLToPath(new URL("./peers.py", import.meta.url)), dir],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const lines = createInterface({ input: py.stdout! })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string);
    const env = await next();
    const ask = async (cmd: object) => {
      py.stdin!.write(`${JSON.stringify(cmd)}\n`);
      return (await next()) as { seconds: number; check: number };
    };
    const ours = async (store: "blosc" | "zlib", kase: string) => {
      const t0 = performance.now();
      const ds = await openZarr(mem[store]);
      let data: ArrayLike<number> = [];
      // xarray decodes packed int16 to float32; ask for the same.
      const decode = { output: "float32" as const };
      if (kase === "full") data = (await ds.read("sst", { decode })).data as Float32Array;
      else if (kase === "step")
        data = (await ds.read("sst", { decode, isel: { time: 7 } })).data as Float32Array;
      else if (kase === "window")
        data = (
          await ds.read("sst", {
            decode,
            isel: { time: 7, lat: { start: 40, stop: 56 }, lon: { start: 100, stop: 116 } },
          })
        ).data as Float32Array;
      const seconds = (performance.now() - t0) / 1000;
      let check = 0;
      for (let i = 0; i < data.length; i++) if (!Number.isNaN(data[i])) check += data[i];
      return { seconds, check };
    };
    // from here to the end marker, as docs/benchmarks.md shows it (`pnpm bench` puts it there)
    console.log("<!-- bench:zarr -->");
    console.log(
      `# node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    console.log(
      `# zarr-python ${env.zarr}, xarray ${env.xarray}, numpy ${env.numpy}; ${reps} interleaved repetitions, medians`,
    );
    console.log("");
    console.log(
      "| store | read | @geoml/zarr decoded | xarray decoded | zarr-python raw | speed vs xarray | speed vs zarr-python |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    for (const store of ["blosc", "zlib"] as const) {
      for (const kase of ["open", "window", "step", "full"]) {
        await ours(store, kase); // warm-up: codec modules, JIT
        await ask({ store: `${store}.zarr`, peer: "xarray", case: kase });
        const t: Record<string, number[]> = { ours: [], xarray: [], zarr: [] };
        for (let r = 0; r < reps; r++) {
          const a = await ours(store, kase);
          const b = await ask({ store: `${store}.zarr`, peer: "xarray", case: kase });
          const c = await ask({ store: `${store}.zarr`, peer: "zarr", case: kase });
          // Same decoded values as xarray (sums agree to float32 accumulation precision).
          if (Math.abs(a.check - b.check) > 1e-5 * Math.max(1, Math.abs(b.check))) {
            throw new Error(
              `${store} ${kase}: checksum ${a.check} differs from xarray's ${b.check}`,
            );
          }
          t.ours.push(a.seconds);
          t.xarray.push(b.seconds);
          t.zarr.push(c.seconds);
        }
        const [o, x, z] = [median(t.ours), median(t.xarray), median(t.zarr)];
        const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
        const label = {
          open: "open (metadata)",
          window: "16×16 window",
          step: "one time step",
          full: "full variable (31 MB decoded)",
        }[kase];
        console.log(
          `| ${store} | ${label} | ${ms(o)} | ${ms(x)} | ${ms(z)} | ${(x / o).toFixed(2)}× | ${(z / o).toFixed(2)}× |`,
        );
      }
    }
    console.log("<!-- /bench:zarr -->");
    py.stdin!.end();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
