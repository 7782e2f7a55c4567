import { add, log, mul, sqrt, square, sum, type Tensor, tensor } from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { NonFiniteError } from "./errors.js";
import { lbfgsFlat } from "./lbfgs.js";
import { minimize } from "./minimize.js";
import { loadFixture, type ScipyFixture } from "./test-support/fixtures.js";
import { logisticLoss, rosenbrock } from "./test-support/problems.js";

const fx = loadFixture<ScipyFixture>("optim_scipy.json");

function objective(p: ScipyFixture["problems"][number]): (b: Tensor) => Tensor {
  if (p.name === "logistic") {
    const x = tensor(p.data!.x);
    const y = tensor(p.data!.y);
    return (b) => logisticLoss(b, x, y);
  }
  return rosenbrock;
}

describe("L-BFGS against the known minima and scipy's L-BFGS-B", () => {
  for (const p of fx.problems) {
    it(`${p.name}: reaches the minimiser to 1e-8 in a comparable number of evaluations`, () => {
      const r = minimize(objective(p), tensor(p.x0), { method: "lbfgs", ...fx.tight });
      const x = r.x.data;
      const err = Math.max(...p.xstar.map((v, i) => Math.abs(x[i] - v)));
      expect(r.converged).toBe(true);
      expect(err).toBeLessThanOrEqual(1e-8);
      expect(Math.abs(r.fun - p.fstar)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(p.fstar)));
      expect(r.nfev).toBeLessThanOrEqual(Math.ceil(1.5 * p.scipyTight.nfev));
      expect(r.ngev).toBe(r.nfev);
      expect(r.losses.length).toBe(r.nit + 1);
    });
  }
});

describe("L-BFGS stopping and failure", () => {
  it("stops on the relative reduction of f with scipy's default tolerances", () => {
    const p = fx.problems.find((q) => q.name === "rosenbrock2")!;
    const r = minimize(rosenbrock, tensor(p.x0));
    expect(r.converged).toBe(true);
    expect(r.fun).toBeLessThan(1e-9);
    // Same order of work as scipy with its defaults.
    expect(r.nfev).toBeLessThanOrEqual(2 * p.scipyDefault.nfev);
  });

  it("respects maxIter and maxFev and says so", () => {
    const x0 = tensor([-1.2, 1]);
    const a = minimize(rosenbrock, x0, { maxIter: 3 });
    expect(a.nit).toBe(3);
    expect(a.converged).toBe(false);
    expect(a.message).toMatch(/iterations/);
    const b = minimize(rosenbrock, x0, { maxFev: 10 });
    expect(b.nfev).toBeLessThanOrEqual(10);
    expect(b.converged).toBe(false);
  });

  it("returns at once when the start is already stationary", () => {
    const r = lbfgsFlat(
      (x) => ({ f: x[0] * x[0], g: Float64Array.of(2 * x[0]) }),
      Float64Array.of(0),
    );
    expect(r).toMatchObject({ nit: 0, nfev: 1, converged: true });
  });

  it("throws NonFiniteError naming the iteration when the loss turns NaN", () => {
    // log(x) of a trial point at or below zero makes the loss NaN on the first step.
    const f = (x: Tensor) => add(sum(square(add(x, 3))), sum(mul(0, log(x))));
    let err: unknown;
    try {
      minimize(f, tensor([1]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NonFiniteError);
    expect(err).toMatchObject({ code: "NON_FINITE", step: 1, kind: "loss" });
    expect((err as Error).message).toMatch(/step 1/);
  });

  it("throws NonFiniteError at step 0 for a NaN at the starting point", () => {
    expect(() => minimize((x: Tensor) => sum(sqrt(x)), tensor([-1, 2]))).toThrow(/step 0/);
  });

  it("names the parameter of a non-finite gradient by its path in the tree", () => {
    // d/dx sqrt(x) is infinite at 0 while the value stays finite.
    const f = (p: { a: Tensor; b: Tensor }) => add(sum(square(p.a)), sum(sqrt(p.b)));
    expect(() => minimize(f, { a: tensor([1, 2]), b: tensor([4, 0, 1]) })).toThrow(
      /gradient of 'b'\[1\] is -?Infinity at step 0/,
    );
  });

  it("keeps float32 parameters float32 while optimising in float64", () => {
    const r = minimize(rosenbrock, tensor([-1.2, 1], { dtype: "float32" }), { gtol: 1e-3 });
    expect(r.x.dtype).toBe("float32");
    expect(r.converged).toBe(true);
    expect(Math.abs(r.x.data[0] - 1)).toBeLessThan(1e-2);
  });

  it("rejects bad options", () => {
    expect(() => minimize(rosenbrock, tensor([0, 0]), { history: 0 })).toThrow(/history/);
    expect(() => minimize(rosenbrock, tensor([0, 0]), { method: "newton" as "lbfgs" })).toThrow(
      /method/,
    );
  });
});
