import { describe, expect, it } from "vitest";
import { GeotiffError } from "./errors.js";
import { bandAttrs, type GdalItem, parseGdalMetadata } from "./metadata.js";

// What gdal_translate writes for a packed NetCDF variable: its own scale/offset items
// plus the source's attributes copied as text.
const copied = parseGdalMetadata(`<GDALMetadata>
  <Item name="add_offset" sample="0">273.14999</Item>
  <Item name="missing_value" sample="0">-32767</Item>
  <Item name="NETCDF_VARNAME" sample="0">p</Item>
  <Item name="scale_factor" sample="0">0.0099999998</Item>
  <Item name="_FillValue" sample="0">-999</Item>
  <Item name="valid_range" sample="0">{-30000,30000}</Item>
  <Item name="OFFSET" sample="0" role="offset">273.149993896484</Item>
  <Item name="SCALE" sample="0" role="scale">0.00999999977648258</Item>
</GDALMetadata>`);
const ctx = { file: "x.tif", variable: "band1" };

describe("band attributes from GDAL metadata", () => {
  it("GDAL_NODATA is the nodata; copied CF attributes are kept aside, converted, never applied", () => {
    const a = bandAttrs(copied, 0, "-32767", ctx);
    expect(a._FillValue).toBe(-32767);
    expect(a.scale_factor).toBe(0.00999999977648258);
    expect(a.add_offset).toBe(273.149993896484);
    expect(a.missing_value).toBeUndefined();
    expect(a.source_FillValue).toBe(-999);
    expect(a.source_scale_factor).toBe(0.0099999998);
    expect(a.source_missing_value).toBe(-32767);
    expect(a.source_valid_range).toEqual([-30000, 30000]);
    expect(a.NETCDF_VARNAME).toBe("p");
    expect(bandAttrs(copied, 0, "nan", ctx)._FillValue).toBeNaN();
    // without GDAL_NODATA, GDAL masks nothing: neither do we
    expect(bandAttrs(copied, 0, undefined, ctx)._FillValue).toBeUndefined();
  });

  it("a nodata or scale that is not a number is a typed error naming file and band", () => {
    const bad: GdalItem[] = [{ name: "SCALE", sample: 0, role: "scale", value: "abc" }];
    expect(() => bandAttrs(bad, 0, undefined, ctx)).toThrow(GeotiffError);
    expect(() => bandAttrs(bad, 0, undefined, ctx)).toThrow(
      /x\.tif: variable 'band1': .*scale "abc"/,
    );
    expect(() => bandAttrs([], 0, "n/a", ctx)).toThrow(
      /x\.tif: variable 'band1': GDAL_NODATA "n\/a"/,
    );
    // other bands' items do not matter
    expect(bandAttrs(bad, 1, " 1e+20 ", ctx)._FillValue).toBe(1e20);
  });
});
