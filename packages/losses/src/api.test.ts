import * as ad from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import * as losses from "./index.js";
import { expectAllClose } from "./test-utils.js";

describe("public API", () => {
  it("exports exactly these names (a change here is an API change)", () => {
    expect(Object.keys(losses).sort()).toEqual([
      "FAMILY_NAMES",
      "FamilyDomainError",
      "FamilyParameterError",
      "LINK_NAMES",
      "LinkError",
      "LossShapeError",
      "LossesError",
      "UnknownFamilyError",
      "aic",
      "bic",
      "binomial",
      "builtInFamilyName",
      "builtInLinkName",
      "categorical",
      "cauchit",
      "checkDomain",
      "chisqUpper",
      "cloglog",
      "defineFamily",
      "estimateScale",
      "fUpper",
      "family",
      "familyNames",
      "gamma",
      "gaussian",
      "identity",
      "incompleteBeta",
      "inverse",
      "inverseGaussian",
      "inverseSquared",
      "isLossesError",
      "link",
      "linkNames",
      "log",
      "logit",
      "ndtri",
      "negativeBinomial",
      "pearsonChi2",
      "poisson",
      "power",
      "probit",
      "registerFamily",
      "registerLink",
      "softmax",
      "sqrt",
      "studentTCdf",
      "studentTQuantile",
      "tTwoSided",
      "tweedie",
    ]);
  });
});

describe("float32", () => {
  const cases: [string, losses.Family, number[]][] = [
    ["binomial", losses.binomial(), [1, 0, 1, 1]],
    ["poisson", losses.poisson(), [0, 2, 5, 1]],
    ["gamma", losses.gamma("log"), [0.5, 2, 1.5, 3]],
    ["gaussian", losses.gaussian(), [0.3, -1, 2, 0]],
    ["tweedie", losses.tweedie({ power: 1.5 }), [0, 1.2, 0, 3]],
  ];
  for (const [name, fam, yv] of cases) {
    it(`${name}: a float32 loss and gradient agree with float64 to float32 precision`, () => {
      const eta = ad.tensor([0.2, -0.7, 1.1, 0.4]);
      const y = ad.tensor(yv);
      const w = ad.tensor([1, 0.5, 2, 1]);
      const f = (e: ad.Tensor, yy: ad.Tensor, ww: ad.Tensor) => fam.loss(e, yy, { weights: ww });
      const [v64, g64] = ad.valueAndGrad((e: ad.Tensor) => f(e, y, w))(eta);
      const [v32, g32] = ad.valueAndGrad((e: ad.Tensor) =>
        f(e, y.astype("float32"), w.astype("float32")),
      )(eta.astype("float32"));
      expect(v32.dtype).toBe("float32");
      expect(g32.dtype).toBe("float32");
      expectAllClose(v32, v64.data, 1e-5, 1e-6, `${name} value`);
      expectAllClose(g32, g64.data, 1e-5, 1e-6, `${name} gradient`);
    });
  }
});
