import { grad, tensor } from "@geoml/autodiff";
import { family, poisson } from "@geoml/losses";

// Rain (1) or no rain (0) on a 2 × 3 grid at latitudes 10°N and 60°N.
const y = tensor([
  [1, 0, 1],
  [0, 1, 0],
]);
// Linear predictor η from any model (GLM, GAM, MLP): here fixed numbers.
const eta = tensor([
  [0.2, -1.0, 1.5],
  [0.0, 0.4, -0.3],
]);
// Area weights cos(latitude), shape [2, 1], broadcast over longitude.
const coslat = tensor([[Math.cos((10 * Math.PI) / 180)], [Math.cos((60 * Math.PI) / 180)]]);

const bernoulli = family("binomial", { link: "logit" }); // as `--family binomial --link logit`
const loss = bernoulli.loss(eta, y, { weights: coslat }); // weighted mean NLL, from η
const dLoss = grad((e: typeof eta) => bernoulli.loss(e, y, { weights: coslat }))(eta);
console.log("loss", loss.item());
console.log("dLoss/dη", dLoss.toArray());

// The same numbers from μ: deviance and the full log-likelihood.
const mu = bernoulli.link.inverse(eta);
const w = tensor([
  [0.98, 0.98, 0.98],
  [0.5, 0.5, 0.5],
]);
console.log("deviance", bernoulli.deviance(y, mu, w));
console.log("logLik", bernoulli.logLikelihood(y, mu, { weights: w }));

// Counts with the Poisson family and its canonical log link.
const counts = tensor([0, 3, 7]);
console.log(
  "poisson nll",
  poisson()
    .loss(tensor([0.1, 1.2, 2.0]), counts, { reduction: "sum" })
    .item(),
);
