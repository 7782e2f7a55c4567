/**
 * Seeded random numbers that are identical on every machine: xoshiro128** on 32-bit
 * integer arithmetic (Math.imul), seeded through splitmix32, 53-bit uniform doubles,
 * and Box–Muller normals. Only integer ops and the engine's (fdlibm-derived)
 * Math.log/Math.cos/Math.sin are used.
 */
import { alloc, checkDType, type DType } from "./dtype.js";
import { ArgumentError } from "./errors.js";
import { checkShape, shapeSize } from "./shape.js";
import { Tensor } from "./tensor.js";

/** Options of {@link Rng.uniform}. */
export interface UniformOptions {
  /** Lower bound (inclusive), default 0. */
  low?: number;
  /** Upper bound (exclusive), default 1. */
  high?: number;
  /** Element type, default float64. */
  dtype?: DType;
}

/** Options of {@link Rng.normal}. */
export interface NormalOptions {
  /** Mean, default 0. */
  mean?: number;
  /** Standard deviation, default 1. */
  std?: number;
  /** Element type, default float64. */
  dtype?: DType;
}

/** A seeded pseudo-random generator; the same seed gives the same numbers everywhere. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  /** @param seed any finite number; its integer part (mod 2³²) selects the stream. */
  constructor(seed: number) {
    if (!Number.isFinite(seed))
      throw new ArgumentError("Rng", `seed must be a finite number, got ${seed}`);
    let z = Math.trunc(seed) >>> 0;
    const next = (): number => {
      // splitmix32
      z = (z + 0x9e3779b9) | 0;
      let t = z ^ (z >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Next raw 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal draw (Box–Muller; pairs are used in order). */
  nextNormal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u1 = 1 - this.nextDouble(); // (0, 1]: log is finite
    const u2 = this.nextDouble();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Tensor of uniform values in [low, high). */
  uniform(shape: readonly number[], opts: UniformOptions = {}): Tensor {
    const s = checkShape(shape, "Rng.uniform");
    const dtype = checkDType(opts.dtype ?? "float64", "Rng.uniform");
    const low = opts.low ?? 0;
    const high = opts.high ?? 1;
    const out = alloc(dtype, shapeSize(s));
    for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * this.nextDouble();
    return new Tensor(out, s, dtype);
  }

  /** Tensor of normal values with the given mean and standard deviation. */
  normal(shape: readonly number[], opts: NormalOptions = {}): Tensor {
    const s = checkShape(shape, "Rng.normal");
    const dtype = checkDType(opts.dtype ?? "float64", "Rng.normal");
    const mean = opts.mean ?? 0;
    const std = opts.std ?? 1;
    const out = alloc(dtype, shapeSize(s));
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.nextNormal();
    return new Tensor(out, s, dtype);
  }

  /** Uniform integer in [0, n) without modulo bias. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32)
      throw new ArgumentError("Rng.nextInt", `n must be an integer in [1, 2^32], got ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  /** A random permutation of 0 … n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1)
      throw new ArgumentError("Rng.permutation", `n must be a non-negative integer, got ${n}`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
