import * as ad from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import {
  FamilyDomainError,
  FamilyParameterError,
  isLossesError,
  LinkError,
  LossShapeError,
  UnknownFamilyError,
} from "./errors.js";
import { binomial } from "./families/binomial.js";
import { categorical } from "./families/categorical.js";
import { gamma } from "./families/gamma.js";
import { gaussian } from "./families/gaussian.js";
import { inverseGaussian } from "./families/inverse-gaussian.js";
import { negativeBinomial } from "./families/negative-binomial.js";
import { poisson } from "./families/poisson.js";
import { tweedie } from "./families/tweedie.js";
import { family } from "./registry.js";

const t = (v: number[]) => ad.tensor(v);

/** Runs fn and returns the FamilyDomainError it throws. */
function domainError(fn: () => unknown): FamilyDomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FamilyDomainError);
    return e as FamilyDomainError;
  }
  throw new Error("expected a FamilyDomainError");
}

describe("domain of y", () => {
  it("Poisson: names the first negative count", () => {
    const e = domainError(() => poisson().loss(t([0, 1]), t([1, -2])));
    expect(e.family).toBe("poisson");
    expect(e.index).toBe(1);
    expect(e.value).toBe(-2);
    expect(e.code).toBe("FAMILY_DOMAIN");
    expect(e.message).toBe("poisson: y[1] = -2 is outside the domain; expected a count ≥ 0");
  });

  it("Bernoulli: y must be 0 or 1 without weights; proportions need trials as weights", () => {
    const e = domainError(() => binomial().validate(Float64Array.from([0, 1, 0.5, 2])));
    expect([e.index, e.value]).toEqual([2, 0.5]);
    expect(e.message).toMatch(/0 or 1/);
    expect(() =>
      binomial().validate(Float64Array.from([0.5]), Float64Array.from([2])),
    ).not.toThrow();
    const p = domainError(() =>
      binomial().validate(Float64Array.from([0.5, 1.5]), Float64Array.from([2, 2])),
    );
    expect([p.index, p.value]).toEqual([1, 1.5]);
  });

  it("Gamma and Inverse Gaussian: y must be > 0", () => {
    expect(domainError(() => gamma().nll(t([1, 0]), t([1, 1]))).index).toBe(1);
    expect(domainError(() => inverseGaussian().deviance(t([-1]), t([1]))).value).toBe(-1);
  });

  it("Negative Binomial and Tweedie: y must be ≥ 0", () => {
    expect(
      domainError(() => negativeBinomial({ theta: 2 }).validate(Float64Array.from([-1]))).family,
    ).toBe("negative_binomial");
    expect(() => tweedie({ power: 1.5 }).validate(Float64Array.from([0, 2.5]))).not.toThrow();
    expect(
      domainError(() => tweedie({ power: 1.5 }).validate(Float64Array.from([0, -2.5]))).index,
    ).toBe(1);
  });

  it("takes the ends of each range as documented: the smallest y > 0, −0, ±∞ and NaN", () => {
    const tiny = Number.MIN_VALUE;
    const big = Number.MAX_VALUE;
    const cases: [
      string,
      () => { validate(y: Float64Array, w?: Float64Array): void },
      number[],
      number[],
    ][] = [
      ["gaussian", () => gaussian(), [-big, big, -0], [Infinity, -Infinity, NaN]],
      ["poisson", () => poisson(), [0, -0, tiny, big], [-tiny, Infinity, NaN]],
      ["gamma", () => gamma(), [tiny, big], [0, -0, Infinity, NaN]],
      ["inverse_gaussian", () => inverseGaussian(), [tiny, big], [0, -tiny, Infinity, NaN]],
      ["negative_binomial", () => negativeBinomial({ theta: 2 }), [0, big], [-tiny, Infinity]],
      ["tweedie", () => tweedie({ power: 1.5 }), [0, big], [-tiny, Infinity]],
    ];
    for (const [name, make, ok, bad] of cases) {
      expect(() => make().validate(Float64Array.from([1, ...ok])), name).not.toThrow();
      for (const v of bad) {
        const e = domainError(() => make().validate(Float64Array.from([1, 1, v])));
        expect([e.family, e.index, e.value], `${name} ${v}`).toEqual([name, 2, v]);
      }
    }
    // proportions with trials as weights: [0, 1] closed
    const w = Float64Array.from([2, 2, 2]);
    expect(() => binomial().validate(Float64Array.from([0, 1, 0.5]), w)).not.toThrow();
    for (const v of [-tiny, 1 + 2 ** -52, NaN])
      expect(domainError(() => binomial().validate(Float64Array.from([0, 1, v]), w)).index).toBe(2);
  });

  it("Categorical: class indices must be integers in 0…K−1", () => {
    expect(domainError(() => categorical(3).validate(Float64Array.from([0, 2, 3]))).value).toBe(3);
    expect(domainError(() => categorical(3).validate(Float64Array.from([1.5]))).index).toBe(0);
  });

  it("NaN anywhere in y or the weights is an error, for every family", () => {
    const fams = [gaussian(), binomial(), poisson(), gamma(), inverseGaussian()];
    fams.push(negativeBinomial({ theta: 1 }), tweedie({ power: 1.3 }));
    for (const f of fams) {
      const e = domainError(() => f.validate(Float64Array.from([1, Number.NaN])));
      expect([e.index, Number.isNaN(e.value)]).toEqual([1, true]);
      const w = domainError(() =>
        f.loss(t([0.5, 0.5]), t([1, 1]), { weights: t([1, Number.NaN]) }),
      );
      expect(w.message).toMatch(/weights\[1\] = NaN/);
    }
    expect(domainError(() => categorical(2).validate(Float64Array.from([Number.NaN]))).index).toBe(
      0,
    );
    expect(
      domainError(() => gaussian().validate(Float64Array.from([Number.POSITIVE_INFINITY]))).index,
    ).toBe(0);
  });

  it("negative or infinite weights are errors", () => {
    const e = domainError(() =>
      poisson().logLikelihood(t([1, 2]), t([1, 2]), { weights: t([1, -1]) }),
    );
    expect(e.message).toBe(
      "poisson: weights[1] = -1 is outside the domain; expected finite weights ≥ 0",
    );
    domainError(() =>
      gaussian().startingMu(Float64Array.from([1]), Float64Array.from([Number.POSITIVE_INFINITY])),
    );
  });
});

describe("shapes", () => {
  it("η and y must have the same shape (no silent broadcast of [n, 1] against [n])", () => {
    const eta = ad.tensor(Float64Array.from([0, 1]), { shape: [2, 1] });
    expect(() => poisson().loss(eta, t([1, 2]))).toThrow(LossShapeError);
    expect(() => poisson().loss(eta, t([1, 2]))).toThrow(
      /eta has shape \[2, 1\] but y has shape \[2\]/,
    );
    expect(() => gaussian().deviance(t([1, 2]), t([1]))).toThrow(LossShapeError);
  });
  it("weights must broadcast to y's shape", () => {
    expect(() => poisson().loss(t([0, 0]), t([1, 2]), { weights: t([1, 2, 3]) })).toThrow(
      /weights of shape \[3\] do not broadcast to y's shape \[2\]/,
    );
    expect(() => poisson().validate(Float64Array.from([1, 2]), Float64Array.from([1]))).toThrow(
      LossShapeError,
    );
  });
  it("categorical η must be [...y.shape, K]", () => {
    expect(() => categorical(3).loss(ad.zeros([2, 4]), t([0, 1]))).toThrow(/expected \[2, 3\]/);
  });
});

describe("parameters and names", () => {
  it("rejects bad family parameters with FamilyParameterError", () => {
    expect(() => negativeBinomial({ theta: 0 })).toThrow(FamilyParameterError);
    expect(() => negativeBinomial({ theta: Number.POSITIVE_INFINITY })).toThrow(/alpha = 1\/theta/);
    expect(() => tweedie({ power: 2 })).toThrow(/1 < p < 2/);
    expect(() => tweedie({ power: 1 })).toThrow(FamilyParameterError);
    expect(() => categorical(1)).toThrow(/integer ≥ 2/);
    expect(() => gaussian().nll(t([1]), t([1]), { scale: 0 })).toThrow(/scale/);
    expect(() => poisson().loss(t([0]), t([1]), { reduction: "avg" as "mean" })).toThrow(
      /reduction/,
    );
    expect(() => poisson().loss(t([0]), t([1]), { weights: t([0]) })).toThrow(/sum to 0/);
  });

  it("looks families up by R and statsmodels names", () => {
    expect(family("binomial", { link: "probit" }).link.name).toBe("probit");
    expect(family("Gamma").canonicalLink).toBe("inverse");
    expect(family("inverse.gaussian").link.name).toBe("inverse_squared");
    expect(family("inverse_gaussian", { link: "log" }).link.name).toBe("log");
    expect(family("negative_binomial", { theta: 3 }).name).toBe("negative_binomial");
    expect(negativeBinomial({ theta: 3 }).theta).toBe(3);
    expect(tweedie({ power: 1.6 }).power).toBe(1.6);
    expect(family("tweedie", { power: 1.5, link: "power", linkPower: -0.5 }).link.name).toBe(
      "power",
    );
    expect(family("multinomial", { k: 4 }).name).toBe("categorical");
    expect(family("bernoulli").name).toBe("binomial");
    expect(() => family("weibull")).toThrow(UnknownFamilyError);
    expect(() => family("negative_binomial")).toThrow(/needs \{ theta \}/);
    expect(() => family("tweedie")).toThrow(/needs \{ power \}/);
    expect(() => family("multinomial")).toThrow(/needs \{ k \}/);
  });

  it("keeps the softmax link for categorical only", () => {
    expect(() => gaussian("softmax")).toThrow(LinkError);
    expect(() => family("multinomial", { k: 3, link: "logit" })).toThrow(LinkError);
    expect(() => family("binomial", { link: "loglog" })).toThrow(/unknown link/);
  });

  it("tags every error with a code", () => {
    try {
      family("weibull");
    } catch (e) {
      expect(isLossesError(e, "UNKNOWN_FAMILY")).toBe(true);
      expect(isLossesError(e, "LINK")).toBe(false);
    }
  });
});
