/** A colour map: a value in [0, 1] to an RGB triple (0–255). */
export type Colormap = (t: number) => [number, number, number];

function interpolate(stops: readonly (readonly [number, number, number])[]): Colormap {
  return (t) => {
    const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x));
    const f = x - i;
    const a = stops[i];
    const b = stops[i + 1];
    return [
      Math.round(a[0] + (b[0] - a[0]) * f),
      Math.round(a[1] + (b[1] - a[1]) * f),
      Math.round(a[2] + (b[2] - a[2]) * f),
    ];
  };
}

/** Perceptually ordered sequential map (viridis, sampled at nine points). */
export const viridis: Colormap = interpolate([
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
]);

/** Diverging blue–white–red map for anomalies and residuals (ColorBrewer RdBu, reversed). */
export const blueWhiteRed: Colormap = interpolate([
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [247, 247, 247],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
]);

/** CSS `linear-gradient` that shows a colour map as a colour bar. */
export function cssGradient(map: Colormap, steps = 16): string {
  const parts: string[] = [];
  for (let i = 0; i <= steps; i++) {
    const [r, g, b] = map(i / steps);
    parts.push(`rgb(${r},${g},${b}) ${((i / steps) * 100).toFixed(1)}%`);
  }
  return `linear-gradient(to right, ${parts.join(", ")})`;
}
