import type { Tensor } from "@geoml/autodiff";
import * as ad from "@geoml/autodiff";
import { FamilyParameterError, LossShapeError } from "../errors.js";
import { softmax } from "../links.js";
import type { Family, LikelihoodOptions } from "../types.js";
import {
  builtInFamily,
  checkDomain,
  checkFlatWeights,
  reduce,
  resolveWeights,
  valuesOf,
} from "./base.js";

/**
 * The Categorical family for K classes (multinomial with one trial): y holds
 * class indices 0…K−1 (shape [...]), μ and η have one more axis of length K.
 * Link softmax; the loss is −log softmax(η)[y] via log-sum-exp, so it is finite
 * for any finite η. Unit deviance −2 log μ[y] (the saturated model has
 * likelihood 1), dispersion fixed, `variance` the diagonal μₖ(1 − μₖ).
 * Starting μ is the average of each row's indicator and the class shares
 * (smoothed by ½), flattened row-major.
 */
export function categorical(k: number): Family {
  if (!Number.isInteger(k) || k < 2) {
    throw new FamilyParameterError(
      `categorical: number of classes k must be an integer ≥ 2, got ${k}`,
    );
  }
  const name = "categorical";
  const checkY = (y: ArrayLike<number>) =>
    checkDomain(
      name,
      y,
      (v) => Number.isInteger(v) && v >= 0 && v < k,
      `a class index in 0…${k - 1}`,
    );

  function checkPair(op: string, y: Tensor, probs: Tensor, what: string): void {
    const expected = [...y.shape, k];
    const ok = probs.ndim === expected.length && probs.shape.every((v, i) => v === expected[i]);
    if (!ok) {
      throw new LossShapeError(
        op,
        `${what} has shape [${probs.shape.join(", ")}]; expected [${expected.join(", ")}] for y of shape [${y.shape.join(", ")}] and k = ${k}`,
      );
    }
    checkY(valuesOf(y));
  }

  /** x[..., y]: the entry at the observed class (its gradient goes to that entry only). */
  function atObserved(x: Tensor, y: Tensor): Tensor {
    const picked = ad.takeAlongAxis(x, { data: y.data, shape: [...y.shape, 1] }, -1);
    return ad.reshape(picked, [...y.shape]);
  }

  /** log μ guarded against log 0 (which would turn 0·(−∞) into NaN at other classes). */
  const logProbs = (mu: Tensor) => ad.log(ad.maximum(mu, 1e-300));

  function weightedLogLik(y: Tensor, logp: Tensor, options: LikelihoodOptions, op: string) {
    const w = resolveWeights(name, op, y, options.weights);
    return { ll: ad.mul(atObserved(logp, y), w.raw), total: w.total };
  }

  return builtInFamily({
    name,
    link: softmax(),
    canonicalLink: "softmax",
    dispersion: "fixed",
    variance: (mu) => ad.mul(mu, ad.sub(1, mu)),
    unitDeviance: (y, mu) => {
      checkPair(`${name}.unitDeviance`, y, mu, "mu");
      return ad.mul(atObserved(logProbs(mu), y), -2);
    },
    deviance: (y, mu, weights) => {
      checkPair(`${name}.deviance`, y, mu, "mu");
      const { ll } = weightedLogLik(y, logProbs(mu), { weights }, `${name}.deviance`);
      return -2 * ad.sum(ll).item();
    },
    nll: (y, mu, options = {}) => {
      checkPair(`${name}.nll`, y, mu, "mu");
      return ad.neg(weightedLogLik(y, logProbs(mu), options, `${name}.nll`).ll);
    },
    logLikelihood: (y, mu, options = {}) => {
      checkPair(`${name}.logLikelihood`, y, mu, "mu");
      return ad.sum(weightedLogLik(y, logProbs(mu), options, `${name}.logLikelihood`).ll).item();
    },
    loss: (eta, y, options = {}) => {
      checkPair(`${name}.loss`, y, eta, "eta");
      const { ll, total } = weightedLogLik(y, ad.logSoftmax(eta, -1), options, `${name}.loss`);
      return reduce(name, ll, total, options.reduction);
    },
    validate: (y, weights) => {
      checkFlatWeights(name, y.length, weights);
      checkY(y);
    },
    startingMu: (y, weights) => {
      checkFlatWeights(name, y.length, weights);
      checkY(y);
      const share = new Float64Array(k).fill(0.5);
      let total = 0.5 * k;
      for (let i = 0; i < y.length; i++) {
        const w = weights?.[i] ?? 1;
        share[y[i]] += w;
        total += w;
      }
      const out = new Float64Array(y.length * k);
      for (let i = 0; i < y.length; i++) {
        for (let c = 0; c < k; c++)
          out[i * k + c] = 0.5 * (share[c] / total + (c === y[i] ? 1 : 0));
      }
      return out;
    },
  });
}
