import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { bufferIO } from "../io.js";
import { main } from "../main.js";

// `geoml batch fit --queue rediss://…` and `geoml worker` as separate processes, through a
// redis-server speaking TLS only, with a password: the output equals a local run's.
const root = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const bin = root("packages/cli/bin/geoml.js");
const files = join(root("packages/io/src/__fixtures__/archive"), "*.nc");
const formula = "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12)";
const need = ["redis-server"].filter(
  (t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0,
);
const run = need.length === 0 || process.env.CI === "true";
if (!run) console.warn(`skipping the TLS queue test: ${need.join(", ")} not installed`);
const dir = mkdtempSync(join(tmpdir(), "geoml-tls-"));
const procs: ChildProcess[] = [];
afterAll(async () => {
  // Stop Redis and the worker and wait for them to exit before removing the folder they use.
  const alive = procs.filter((p) => p.exitCode === null && p.signalCode === null);
  const exited = alive.map((p) => new Promise((resolve) => p.once("exit", resolve)));
  for (const p of alive) p.kill("SIGTERM");
  await Promise.all(exited);
  rmSync(dir, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

it.skipIf(!run)(
  "runs a batch fit through a TLS Redis with a password",
  async () => {
    // A committed self-signed certificate for 127.0.0.1 (see __fixtures__/tls/README.md).
    const cert = root("packages/cli/src/__fixtures__/tls/cert.pem");
    const key = root("packages/cli/src/__fixtures__/tls/key.pem");
    const port = await freePort();
    const redis = spawn("redis-server", [
      "--port",
      "0",
      "--tls-port",
      `${port}`,
      "--bind",
      "127.0.0.1",
      "--tls-cert-file",
      cert,
      "--tls-key-file",
      key,
      "--tls-ca-cert-file",
      cert,
      "--tls-auth-clients",
      "no",
      "--requirepass",
      "s3cret",
      "--save",
      "",
      "--appendonly",
      "no",
    ]);
    procs.push(redis);
    await new Promise<void>((resolve, reject) => {
      let out = "";
      redis.stdout.on("data", (d) => {
        out += String(d);
        if (out.includes("Ready to accept connections")) resolve();
      });
      redis.on("exit", () => reject(new Error(`redis-server failed: ${out}`)));
    });
    const url = `rediss://:s3cret@127.0.0.1:${port}`;
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: cert };
    const worker = spawn(process.execPath, [bin, "worker", "--queue", url], { env });
    procs.push(worker);
    const local = join(dir, "local.nc");
    expect(
      await main(
        [
          "batch",
          "fit",
          "--files",
          files,
          "--formula",
          formula,
          "--out",
          local,
          "--chunk-cells",
          "4",
        ],
        bufferIO(),
      ),
    ).toBe(0);
    const out = join(dir, "queued.nc");
    const coordinator = spawnSync(
      process.execPath,
      [
        bin,
        "batch",
        "fit",
        "--files",
        files,
        "--formula",
        formula,
        "--out",
        out,
        "--chunk-cells",
        "4",
        "--queue",
        url,
      ],
      { env, encoding: "utf8", timeout: 60_000 },
    );
    expect(coordinator.stderr).toContain("batch fit: 3/3 chunks done");
    expect(coordinator.status).toBe(0);
    expect(coordinator.stdout).toBe(`wrote ${out} (3 chunks)\n`);
    expect(existsSync(`${out}.parts`)).toBe(false);
    expect(readFileSync(out).equals(readFileSync(local))).toBe(true);
  },
  90_000,
);
