/**
 * The GAM benchmark problem: n rows of three uniform covariates and a Gaussian
 * response y = sin(2πx₁) + exp(2x₂)/3 + 4x₃(1 − x₃) + 0.5ε, from a fixed xorshift
 * stream, written once as a row-major float64 file (x1, x2, x3, y) that R reads
 * with `readBin`, so every contender fits the same data.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";

function* uniforms(seed: number): Generator<number> {
  let s = BigInt(seed) | 1n;
  const mask = (1n << 64n) - 1n;
  for (;;) {
    s ^= (s << 13n) & mask;
    s ^= s >> 7n;
    s ^= (s << 17n) & mask;
    yield Number(s >> 11n) / 2 ** 53;
  }
}

/**
 * Writes `<prefix>.f64` unless it exists. Returns a function that removes the file written
 * here (nothing when it was there already).
 */
export function writeProblem(prefix: string, n: number): () => void {
  const file = `${prefix}.f64`;
  if (existsSync(file)) return () => {};
  const u = uniforms(20261206);
  const next = () => u.next().value as number;
  const out = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) {
    const x1 = next();
    const x2 = next();
    const x3 = next();
    const a = next() || 1e-300;
    const b = next();
    const e = Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * b);
    out.set(
      [x1, x2, x3, Math.sin(2 * Math.PI * x1) + Math.exp(2 * x2) / 3 + 4 * x3 * (1 - x3) + 0.5 * e],
      4 * i,
    );
  }
  const fd = openSync(file, "w");
  writeSync(fd, new Uint8Array(out.buffer));
  closeSync(fd);
  return () => rmSync(file, { force: true });
}

/** Reads the problem as columns. */
export function readProblem(
  prefix: string,
  n: number,
): Record<"x1" | "x2" | "x3" | "y", Float64Array> {
  const buf = readFileSync(`${prefix}.f64`);
  const all = new Float64Array(buf.buffer, buf.byteOffset, n * 4);
  const col = (j: number) => Float64Array.from({ length: n }, (_, i) => all[4 * i + j]);
  return { x1: col(0), x2: col(1), x3: col(2), y: col(3) };
}
