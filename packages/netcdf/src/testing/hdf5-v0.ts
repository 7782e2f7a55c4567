// A small NetCDF-4-style file in the oldest HDF5 layout (superblock 0, version-1 object
// headers), which has no checksums: unlike the files netCDF-C writes today, a corrupted
// dataspace (shape) in it reaches the reader instead of failing HDF5's checksum. Used to
// test the size checks made before allocating.
import * as h5 from "h5wasm/node";

/** Shape of the contiguous float32 `T(y, x)` and the chunked, deflated int16 `U(y, x)`. */
export const V0_SHAPE = [30, 40] as const;

/** Write the file at `path`. */
export async function writeHdf5V0(path: string): Promise<void> {
  const Module = await h5.ready;
  const [ny, nx] = V0_SHAPE;
  const f = new h5.File(path, "w", { libver: ["earliest", "v108"] });
  try {
    f.create_dataset({
      name: "y",
      data: Float64Array.from({ length: ny }, (_, i) => i),
      shape: [ny],
    });
    f.create_dataset({
      name: "x",
      data: Float64Array.from({ length: nx }, (_, i) => i * 2),
      shape: [nx],
    });
    Module.set_scale(f.file_id, "/y", "y");
    Module.set_scale(f.file_id, "/x", "x");
    const t = Float32Array.from({ length: ny * nx }, (_, i) => Math.sin(i) * 10);
    f.create_dataset({ name: "T", data: t, shape: [ny, nx] });
    const u = Int16Array.from({ length: ny * nx }, (_, i) => (i * 37) % 1000);
    f.create_dataset({
      name: "U",
      data: u,
      shape: [ny, nx],
      chunks: [7, 9],
      compression: "gzip",
      compression_opts: 4,
    });
    (f.get("U") as h5.Dataset).create_attribute("scale_factor", new Float64Array([0.1]), [1], "<d");
    for (const v of ["T", "U"]) {
      Module.attach_scale(f.file_id, `/${v}`, "/y", 0);
      Module.attach_scale(f.file_id, `/${v}`, "/x", 1);
    }
  } finally {
    f.close();
  }
}
