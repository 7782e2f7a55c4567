import type { DType } from "@geoml/grid";

/** NetCDF-3 external type codes (`nc_type`), classic types 1–6 plus CDF-5's 7–11. */
export const NC_TYPES: Readonly<Record<number, { dtype: DType; size: number; name: string }>> = {
  1: { dtype: "int8", size: 1, name: "byte" },
  2: { dtype: "char", size: 1, name: "char" },
  3: { dtype: "int16", size: 2, name: "short" },
  4: { dtype: "int32", size: 4, name: "int" },
  5: { dtype: "float32", size: 4, name: "float" },
  6: { dtype: "float64", size: 8, name: "double" },
  7: { dtype: "uint8", size: 1, name: "ubyte" },
  8: { dtype: "uint16", size: 2, name: "ushort" },
  9: { dtype: "uint32", size: 4, name: "uint" },
  10: { dtype: "int64", size: 8, name: "int64" },
  11: { dtype: "uint64", size: 8, name: "uint64" },
};

/** The `nc_type` code of a dtype. */
export function ncTypeOf(dtype: DType): number {
  for (const [code, t] of Object.entries(NC_TYPES)) if (t.dtype === dtype) return Number(code);
  return 0;
}

/** Header tags. */
export const NC_DIMENSION = 0x0a;
export const NC_VARIABLE = 0x0b;
export const NC_ATTRIBUTE = 0x0c;

/** Format versions: classic, 64-bit offset, CDF-5 (64-bit data). */
export const FORMAT_NAMES: Readonly<Record<number, string>> = {
  1: "netcdf3-classic",
  2: "netcdf3-64bit-offset",
  5: "netcdf3-cdf5",
};
