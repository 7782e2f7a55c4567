import { openNetcdf } from "./src/index.js";

for (const f of process.argv.slice(2)) {
  const ds = await openNetcdf(f);
  console.log(f, ds.format, ds.dims, ds.dataVariableNames, ds.coordNames);
  for (const name of ds.dataVariableNames) {
    const a = await ds.read(name);
    let s = 0,
      c = 0,
      mn = Infinity,
      mx = -Infinity;
    for (const x of a.data as Float32Array)
      if (!Number.isNaN(x)) {
        s += x;
        c++;
        mn = Math.min(mn, x);
        mx = Math.max(mx, x);
      }
    console.log(" ", name, a.dims, a.shape, a.dtype, c, s, mn, mx, Object.keys(a.coords));
  }
  await ds.close();
}
