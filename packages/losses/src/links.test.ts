import * as ad from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { isLossesError, LinkError } from "./errors.js";
import {
  cauchit,
  cloglog,
  identity,
  inverse,
  inverseSquared,
  link,
  log,
  logit,
  power,
  probit,
  softmax,
  sqrt,
} from "./links.js";
import { ndtri } from "./special.js";
import { expectAllClose, fixture } from "./test-utils.js";
import type { Link } from "./types.js";

interface LinkCase {
  link: string;
  power?: number;
  eta: number[];
  mu: number[];
  link_of_mu: number[];
  inverse: number[];
  derivative: number[];
}

interface SpecialTable {
  p: number[];
  ndtri: number[];
  x: number[];
  ndtr: number[];
  log_ndtr: number[];
}

const cases = fixture<LinkCase[]>("links.json");
const t = (v: number[]) => ad.tensor(v);

describe("links against statsmodels", () => {
  for (const c of cases) {
    const label = c.power === undefined ? c.link : `power(${c.power})`;
    const l = c.power === undefined ? link(c.link) : power(c.power);
    it(`${label}: g, g⁻¹ and dμ/dη`, () => {
      // 1e-10 relative with an absolute floor of 1e-13 for values crossing zero
      expectAllClose(l.link(t(c.mu)), c.link_of_mu, 1e-10, 1e-13, `${label} g(μ)`);
      expectAllClose(l.inverse(t(c.eta)), c.inverse, 1e-10, 1e-13, `${label} g⁻¹(η)`);
      expectAllClose(l.derivative(t(c.eta)), c.derivative, 1e-10, 1e-13, `${label} dμ/dη`);
    });
    it(`${label}: derivative is the gradient of the inverse link`, () => {
      const g = ad.grad((eta: ad.Tensor) => ad.sum(l.inverse(eta)))(t(c.eta));
      expectAllClose(g, c.derivative, 1e-10, 1e-13, `${label} ∂g⁻¹/∂η`);
    });
    it(`${label}: g(g⁻¹(η)) = η`, () => {
      expectAllClose(l.link(l.inverse(t(c.eta))), c.eta, 1e-9, 1e-12, `${label} round trip`);
    });
  }
});

describe("normal quantile", () => {
  const table = fixture<SpecialTable>("special.json");
  it("ndtri matches scipy.special.ndtri to 1e-14 relative", () => {
    expectAllClose(
      table.p.map((p) => ndtri(p)),
      table.ndtri,
      1e-14,
      0,
      "ndtri",
    );
  });
  it("probit inverse matches scipy.special.ndtr inside R's clamp", () => {
    const inside = table.x.map((x, i) => [x, table.ndtr[i]]).filter(([x]) => Math.abs(x) <= 8);
    const mu = probit().inverse(t(inside.map(([x]) => x)));
    expectAllClose(
      mu,
      inside.map(([, v]) => v),
      1e-13,
      0,
      "Φ",
    );
  });
  it("handles the ends of [0, 1]", () => {
    expect(ndtri(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(ndtri(1)).toBe(Number.POSITIVE_INFINITY);
    expect(ndtri(-0.1)).toBeNaN();
    expect(ndtri(Number.NaN)).toBeNaN();
  });
});

describe("clamping", () => {
  const EPS = 2.220446049250313e-16;
  const extreme = t([-800, -40, 40, 800]);
  const probabilityLinks: Link[] = [logit(), probit(), cloglog(), cauchit()];
  for (const l of probabilityLinks) {
    it(`${l.name}: g⁻¹ stays in [ε, 1 − ε] and dμ/dη ≥ ε for |η| up to 800`, () => {
      const mu = l.inverse(extreme).data;
      const d = l.derivative(extreme).data;
      for (let i = 0; i < mu.length; i++) {
        expect(mu[i]).toBeGreaterThanOrEqual(EPS);
        expect(mu[i]).toBeLessThanOrEqual(1 - EPS);
        expect(d[i]).toBeGreaterThanOrEqual(EPS);
        expect(Number.isFinite(l.link(l.inverse(extreme)).data[i])).toBe(true);
      }
    });
  }
  it("log: g⁻¹ is at least ε and g clamps μ at ε", () => {
    expect(
      log()
        .inverse(t([-800]))
        .item(),
    ).toBe(EPS);
    expect(
      log()
        .link(t([0]))
        .item(),
    ).toBeCloseTo(Math.log(EPS), 12);
  });
  it("logit: g clamps μ to [ε, 1 − ε]", () => {
    expect(logit().link(t([0, 1])).data[1]).toBeCloseTo(Math.log((1 - EPS) / EPS), 8);
  });
});

describe("second derivatives", () => {
  it("cauchit g⁻¹ has exact second derivatives", () => {
    // d²/dη² [½ + atan(η)/π] = −2η / (π(1 + η²)²)
    const eta = t([-3, -0.4, 0.2, 2.5]);
    const first = (e: ad.Tensor) => ad.sum(cauchit().inverse(e));
    const second = ad.grad((e: ad.Tensor) => ad.sum(ad.grad(first)(e)))(eta);
    expectAllClose(
      second,
      eta.data.map((v) => (-2 * v) / (Math.PI * (1 + v * v) ** 2)),
      1e-12,
      0,
      "cauchit″",
    );
  });
  it("logit g⁻¹ has exact second derivatives", () => {
    const eta = t([-3, 0.5, 4]);
    const second = ad.grad((e: ad.Tensor) =>
      ad.sum(ad.grad((x: ad.Tensor) => ad.sum(logit().inverse(x)))(e)),
    )(eta);
    const s = eta.data.map((v) => 1 / (1 + Math.exp(-v)));
    expectAllClose(
      second,
      s.map((v) => v * (1 - v) * (1 - 2 * v)),
      1e-12,
      0,
      "logit″",
    );
  });
});

describe("link lookup", () => {
  it("accepts R and statsmodels spellings", () => {
    expect(link("cauchy").name).toBe("cauchit");
    expect(link("inverse_power").name).toBe("inverse");
    expect(link("1/mu^2").name).toBe("inverse_squared");
    expect(link("power(0.25)").name).toBe("power");
    expect((link("mu^0.25") as ReturnType<typeof power> & { power: number }).power).toBe(0.25);
    expect(link("power", { power: 0 }).name).toBe("log");
    expect(link("power", { power: 1 }).name).toBe("identity");
    expect(link(" sqrt ").name).toBe("sqrt");
    expect(link("softmax").name).toBe("softmax");
  });
  it("names every factory's link", () => {
    const all = [identity(), log(), logit(), probit(), cloglog(), cauchit()];
    all.push(inverse(), inverseSquared(), sqrt(), softmax());
    expect(all.map((l) => l.name)).toEqual([
      "identity",
      "log",
      "logit",
      "probit",
      "cloglog",
      "cauchit",
      "inverse",
      "inverse_squared",
      "sqrt",
      "softmax",
    ]);
  });
  it("throws LinkError on unknown names and missing exponents", () => {
    expect(() => link("loglog")).toThrow(LinkError);
    expect(() => link("loglog")).toThrow(/unknown link "loglog"/);
    expect(() => link("power")).toThrow(/needs \{ power: p \}/);
    expect(() => link("power(abc)")).toThrow(LinkError);
    expect(() => power(Number.NaN)).toThrow(/finite/);
    try {
      link("nope");
    } catch (e) {
      expect(isLossesError(e, "LINK")).toBe(true);
    }
  });
});
