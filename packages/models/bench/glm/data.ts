/**
 * The benchmark problem: n rows × 20 standard-normal features with a known
 * coefficient vector, Bernoulli-logit and Poisson-log responses. The numbers
 * come from a fixed xorshift generator, written once to a binary file that the
 * Python peers read with `numpy.fromfile`, so every contender fits the same data.
 */

import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from "node:fs";

/** Features per row (an intercept is added by each fitter). */
export const FEATURES = 20;

function* normals(seed: number): Generator<number> {
  let s = BigInt(seed) | 1n;
  const mask = (1n << 64n) - 1n;
  const next = () => {
    s ^= (s << 13n) & mask;
    s ^= s >> 7n;
    s ^= (s << 17n) & mask;
    return Number(s >> 11n) / 2 ** 53;
  };
  for (;;) {
    const u = next() || 1e-300;
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    yield r * Math.cos(2 * Math.PI * v);
    yield r * Math.sin(2 * Math.PI * v);
  }
}

/** True coefficients: intercept then one per feature. */
export function trueBeta(scale: number): Float64Array {
  return Float64Array.from({ length: FEATURES + 1 }, (_, j) =>
    j === 0 ? 0.2 : scale * Math.sin(j * 1.3),
  );
}

/**
 * Writes `<prefix>.x.f64` (row-major n×20), `<prefix>.logit.f64` and
 * `<prefix>.poisson.f64` unless they exist. Uniform draws for the responses come
 * from the same generator stream (a second seed). Returns a function that removes the
 * files written here (nothing when they were there already).
 */
export function writeProblem(prefix: string, n: number): () => void {
  if (existsSync(`${prefix}.poisson.f64`)) return () => {};
  const gx = normals(20261124);
  const gu = normals(777);
  const bl = trueBeta(0.3);
  const bp = trueBeta(0.15);
  const fx = openSync(`${prefix}.x.f64`, "w");
  const fl = openSync(`${prefix}.logit.f64`, "w");
  const fp = openSync(`${prefix}.poisson.f64`, "w");
  const CHUNK = 8192;
  const row = new Float64Array(FEATURES * CHUNK);
  const yl = new Float64Array(CHUNK);
  const yp = new Float64Array(CHUNK);
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const len = Math.min(CHUNK, n - r0);
    for (let i = 0; i < len; i++) {
      let el = bl[0];
      let ep = bp[0];
      for (let j = 0; j < FEATURES; j++) {
        const v = gx.next().value as number;
        row[i * FEATURES + j] = v;
        el += bl[j + 1] * v;
        ep += bp[j + 1] * v;
      }
      // uniform from a normal draw through Φ would be slow; use the fractional part of a scaled draw
      const u = Math.abs((gu.next().value as number) * 9973.123) % 1;
      yl[i] = u < 1 / (1 + Math.exp(-el)) ? 1 : 0;
      // Poisson by inversion of the cdf with the same kind of uniform
      const lam = Math.exp(ep);
      const u2 = Math.abs((gu.next().value as number) * 7919.77) % 1;
      let k = 0;
      let pk = Math.exp(-lam);
      let cdf = pk;
      while (u2 > cdf && k < 1000) {
        k++;
        pk *= lam / k;
        cdf += pk;
      }
      yp[i] = k;
    }
    writeSync(fx, new Uint8Array(row.buffer, 0, len * FEATURES * 8));
    writeSync(fl, new Uint8Array(yl.buffer, 0, len * 8));
    writeSync(fp, new Uint8Array(yp.buffer, 0, len * 8));
  }
  closeSync(fx);
  closeSync(fl);
  closeSync(fp);
  return () => {
    for (const part of ["x", "logit", "poisson"]) rmSync(`${prefix}.${part}.f64`, { force: true });
  };
}

/** Reads the features as one column per feature (`x1` … `x20`), as a user's table holds them. */
export function readColumns(prefix: string, n: number): Record<string, Float64Array> {
  const columns = Array.from({ length: FEATURES }, () => new Float64Array(n));
  const fd = openSync(`${prefix}.x.f64`, "r");
  const CHUNK = 8192;
  const buf = new Float64Array(CHUNK * FEATURES);
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const len = Math.min(CHUNK, n - r0);
    readSync(
      fd,
      new Uint8Array(buf.buffer, 0, len * FEATURES * 8),
      0,
      len * FEATURES * 8,
      r0 * FEATURES * 8,
    );
    for (let i = 0; i < len; i++)
      for (let j = 0; j < FEATURES; j++) columns[j][r0 + i] = buf[i * FEATURES + j];
  }
  closeSync(fd);
  return Object.fromEntries(columns.map((c, j) => [`x${j + 1}`, c]));
}

/** Reads a response vector. */
export function readResponse(prefix: string, which: "logit" | "poisson", n: number): Float64Array {
  const y = new Float64Array(n);
  const fd = openSync(`${prefix}.${which}.f64`, "r");
  readSync(fd, new Uint8Array(y.buffer), 0, n * 8, 0);
  closeSync(fd);
  return y;
}

/**
 * The process's anonymous memory in transparent huge pages, MiB (`AnonHugePages` of
 * /proc/self/smaps_rollup); NaN where the system does not tell.
 */
export function hugePagesMiB(): number {
  try {
    const m = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync("/proc/self/smaps_rollup", "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
