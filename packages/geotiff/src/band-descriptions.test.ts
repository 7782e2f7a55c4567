import { DataArray } from "@geoml/grid";
import { expect, it } from "vitest";
import { encodeGeotiff, readGeotiff } from "./index.js";

const cube = new DataArray({
  name: "coef",
  dims: ["term", "y", "x"],
  shape: [2, 2, 3],
  data: Float64Array.from({ length: 12 }, (_, i) => i),
  coords: {
    y: { dims: ["y"], values: Float64Array.of(10, 0), attrs: {} },
    x: { dims: ["x"], values: Float64Array.of(0, 1, 2), attrs: {} },
  },
  attrs: { long_name: "coefficients" },
});

it("writes one description per band, read back as each band's long_name", async () => {
  const bytes = await encodeGeotiff(cube, { bandDescriptions: ["Intercept", "t"] });
  expect((await readGeotiff(bytes, { band: 1 })).attrs.long_name).toBe("Intercept");
  expect((await readGeotiff(bytes, { band: 2 })).attrs.long_name).toBe("t");
  expect((await readGeotiff(await encodeGeotiff(cube), { band: 2 })).attrs.long_name).toBe(
    "coefficients",
  );
  await expect(encodeGeotiff(cube, { bandDescriptions: ["one"] })).rejects.toThrow(
    /bandDescriptions must be 2 string\(s\), one per band/,
  );
});
