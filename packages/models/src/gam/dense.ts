/**
 * Small dense linear algebra for the GAM (matrices of a few hundred rows at most,
 * row-major Float64Array): symmetric eigen-decomposition, Cholesky, inverse and
 * products. The big n-row passes use `../linalg` instead.
 */

/** Row-major product C = A·B of an r×m and an m×c matrix. */
export function matmul(a: Float64Array, b: Float64Array, r: number, m: number, c: number) {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++)
    for (let k = 0; k < m; k++) {
      const v = a[i * m + k];
      if (v === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j] += v * b[k * c + j];
    }
  return out;
}

/** Transpose of a row-major r×c matrix. */
export function transpose(a: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}

/** Symmetric eigen-decomposition: values in decreasing order, vectors as columns (row-major n×n). */
export function symEigen(
  a: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  // Householder tridiagonalisation then the implicit QL algorithm (tred2/tql2)
  const V = new Array<Float64Array>(n);
  for (let i = 0; i < n; i++) V[i] = Float64Array.from(a.subarray(i * n, i * n + n));
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) d[j] = V[n - 1][j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[i - 1][j];
        V[i][j] = 0;
        V[j][i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j][i] = f;
        g = e[j] + V[j][j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k][j] * d[k];
          e[k] += V[k][j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k][j] -= f * e[k] + g * d[k];
        d[j] = V[i - 1][j];
        V[i][j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[n - 1][i] = V[i][i];
    V[i][i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k][i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k][i + 1] * V[k][j];
        for (let k = 0; k <= i; k++) V[k][j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k][i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[n - 1][j];
    V[n - 1][j] = 0;
  }
  if (n > 0) V[n - 1][n - 1] = 1;
  e[0] = 0;
  // tql2
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error("symEigen: no convergence");
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            h = V[k][i + 1];
            V[k][i + 1] = s * V[k][i] + c * h;
            V[k][i] = c * V[k][i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y] - d[x]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    values[j] = d[order[j]];
    for (let i = 0; i < n; i++) vectors[i * n + j] = V[i][order[j]];
  }
  return { values, vectors };
}

/** Cholesky factor L (row-major lower) of a symmetric positive definite matrix, or null if it is not. */
export function cholLower(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    for (let k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
    if (!(s > 0)) return null;
    const ljj = Math.sqrt(s);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j];
      for (let k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = t / ljj;
    }
  }
  return l;
}

/** Solves L Lᵀ x = b. */
export function cholSolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * y[k];
    y[i] = s / l[i * n + i];
  }
  return y;
}

/** (L Lᵀ)⁻¹ from the Cholesky factor. */
export function cholInverse(l: Float64Array, n: number): Float64Array {
  // invert L, then form L⁻ᵀ L⁻¹
  const li = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    li[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k] * li[k * n + j];
      li[i * n + j] = s / l[i * n + i];
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i] * li[k * n + j];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  return out;
}

/** Inverse of a general square matrix by Gauss–Jordan with partial pivoting; null if singular. */
export function inverse(a: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) piv = r;
    const pv = m[piv * n + c];
    if (pv === 0 || !Number.isFinite(pv)) return null;
    if (piv !== c)
      for (let j = 0; j < n; j++) {
        let t = m[c * n + j];
        m[c * n + j] = m[piv * n + j];
        m[piv * n + j] = t;
        t = inv[c * n + j];
        inv[c * n + j] = inv[piv * n + j];
        inv[piv * n + j] = t;
      }
    for (let j = 0; j < n; j++) {
      m[c * n + j] /= pv;
      inv[c * n + j] /= pv;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        m[r * n + j] -= f * m[c * n + j];
        inv[r * n + j] -= f * inv[c * n + j];
      }
    }
  }
  return inv;
}

/** One-norm (largest absolute column sum), R's `norm(S)`. */
export function oneNorm(a: Float64Array, r: number, c: number): number {
  let best = 0;
  for (let j = 0; j < c; j++) {
    let s = 0;
    for (let i = 0; i < r; i++) s += Math.abs(a[i * c + j]);
    best = Math.max(best, s);
  }
  return best;
}

/**
 * The k eigenpairs of largest magnitude of a symmetric n×n matrix given by its
 * product with a vector: Lanczos with full reorthogonalisation (mgcv's `Rlanczos`
 * does the same for thin-plate bases), stopped when every wanted Ritz pair's
 * residual is below 1e-11 of the largest magnitude. Values in decreasing order,
 * vectors as columns (row-major n×k).
 */
export function lanczosTopK(
  matvec: (v: Float64Array) => Float64Array,
  n: number,
  k: number,
): { values: Float64Array; vectors: Float64Array } {
  const Q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = Float64Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(i + 1));
  let norm = Math.hypot(...q);
  q = q.map((v) => v / norm);
  const maxSteps = n;
  let pick: { values: Float64Array; S: Float64Array; m: number; idx: number[] } | null = null;
  for (let j = 0; j < maxSteps; j++) {
    Q.push(q);
    const w = matvec(q);
    const a = dotVec(q, w);
    alpha.push(a);
    // full reorthogonalisation, twice
    for (let pass = 0; pass < 2; pass++)
      for (const p of Q) {
        const c = dotVec(p, w);
        for (let i = 0; i < n; i++) w[i] -= c * p[i];
      }
    norm = Math.sqrt(dotVec(w, w));
    const m = j + 1;
    const check = m >= k && (m % 5 === 0 || m === maxSteps || norm === 0);
    if (check) {
      const T = new Float64Array(m * m);
      for (let i = 0; i < m; i++) {
        T[i * m + i] = alpha[i];
        if (i + 1 < m) {
          T[i * m + i + 1] = beta[i];
          T[(i + 1) * m + i] = beta[i];
        }
      }
      const e = symEigen(T, m);
      const idx = Array.from({ length: m }, (_, i) => i)
        .sort((x, y) => Math.abs(e.values[y]) - Math.abs(e.values[x]))
        .slice(0, k);
      const top = Math.abs(e.values[idx[0]]);
      const done =
        norm === 0 || idx.every((c) => Math.abs(norm * e.vectors[(m - 1) * m + c]) <= 1e-11 * top);
      pick = { values: e.values, S: e.vectors, m, idx };
      if (done) break;
    }
    if (norm === 0) break;
    beta.push(norm);
    q = w.map((v) => v / norm);
  }
  if (!pick) throw new Error("lanczosTopK: k exceeds n");
  const { S, m } = pick;
  const idx = [...pick.idx].sort((x, y) => pick!.values[y] - pick!.values[x]);
  const values = Float64Array.from(idx, (c) => pick!.values[c]);
  const vectors = new Float64Array(n * k);
  idx.forEach((c, j) => {
    for (let t = 0; t < m; t++) {
      const s = S[t * m + c];
      const qt = Q[t];
      for (let i = 0; i < n; i++) vectors[i * k + j] += s * qt[i];
    }
  });
  return { values, vectors };
}

function dotVec(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Cholesky factor of D H D with D = diag(H)^-1/2: the equilibration keeps the factor
 * accurate when smoothing parameters scale blocks of H by many orders of magnitude
 * (a penalised-away smooth next to a wiggly one).
 */
export interface ScaledCholesky {
  readonly n: number;
  /** Factor of the equilibrated matrix (row-major lower). */
  readonly l: Float64Array;
  /** diag(H)^-1/2. */
  readonly d: Float64Array;
}

/** Equilibrated Cholesky of a symmetric positive definite H; null if it is not. */
export function scaledCholesky(H: Float64Array, n: number): ScaledCholesky | null {
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = H[i * n + i];
    if (!(h > 0)) return null;
    d[i] = 1 / Math.sqrt(h);
  }
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = d[i] * H[i * n + j] * d[j];
  const l = cholLower(A, n);
  return l ? { n, l, d } : null;
}

/** Solves H x = b. */
export function scaledSolve(f: ScaledCholesky, b: Float64Array): Float64Array {
  const x = cholSolve(
    f.l,
    f.n,
    b.map((v, i) => v * f.d[i]),
  );
  for (let i = 0; i < f.n; i++) x[i] *= f.d[i];
  return x;
}

/** log |H|. */
export function scaledLogDet(f: ScaledCholesky): number {
  let s = 0;
  for (let i = 0; i < f.n; i++) s += 2 * Math.log(f.l[i * f.n + i]) - 2 * Math.log(f.d[i]);
  return s;
}

/** H⁻¹. */
export function scaledInverse(f: ScaledCholesky): Float64Array {
  const inv = cholInverse(f.l, f.n);
  for (let i = 0; i < f.n; i++) for (let j = 0; j < f.n; j++) inv[i * f.n + j] *= f.d[i] * f.d[j];
  return inv;
}
