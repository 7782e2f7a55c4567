import {
  add,
  concat,
  div,
  mul,
  reshape,
  slice,
  softmax,
  softplus,
  square,
  sum,
  type Tensor,
} from "@geoml/autodiff";
import { type Family, gaussian } from "@geoml/losses";

/**
 * What sits on top of the network: either a family from @geoml/losses (its inverse
 * link turns η into μ, its negative log-likelihood is the loss), or a Gaussian head
 * that predicts both μ and σ per row (heteroscedastic regression).
 */
export type Head =
  | { kind: "family"; family: Family; outputs: number }
  | { kind: "gaussian-variance"; outputs: 2 };

/** Floor added to σ of the heteroscedastic head so that its log-likelihood stays finite. */
export const MIN_STD = 1e-6;
/** The Gaussian family of the heteroscedastic head: its scale φ = σ² is a tensor, one per row. */
const GAUSSIAN = gaussian();

function column(out: Tensor, j: number): Tensor {
  const n = out.shape[0];
  return reshape(slice(out, [0, j], [n, 1]), [n]);
}

/** σ = softplus(s) + {@link MIN_STD}, from the second output column. */
function stdFrom(out: Tensor): Tensor {
  return add(softplus(column(out, 1)), MIN_STD);
}

/**
 * Per-row or reduced loss of `out` ([rows, outputs]) against `y` ([rows]).
 * "mean" is Σ wᵢ lᵢ / Σ wᵢ, as in @geoml/losses.
 */
export function headLoss(
  head: Head,
  out: Tensor,
  y: Tensor,
  weights: Tensor | undefined,
  reduction: "mean" | "sum",
): Tensor {
  if (head.kind === "family") {
    const eta = head.outputs === 1 ? reshape(out, [out.shape[0]]) : out;
    return head.family.loss(eta, y, { weights, reduction });
  }
  // The Gaussian family's negative log-likelihood with φ = σ² per row, constants kept;
  // weights count rows (frequency weights), so they multiply the per-row loss.
  const std = stdFrom(out);
  let nll = GAUSSIAN.nll(y, column(out, 0), { scale: square(std) });
  if (weights !== undefined) nll = mul(nll, weights);
  const total = sum(nll);
  if (reduction === "sum") return total;
  const denom = weights === undefined ? y.shape[0] : sum(weights).item();
  return div(total, denom);
}

/**
 * The prediction on the response scale: μ of shape [rows] for univariate families,
 * class probabilities [rows, K] for Categorical, and [rows, 2] = (μ, σ) for the
 * heteroscedastic head.
 */
export function headResponse(head: Head, out: Tensor): Tensor {
  if (head.kind === "gaussian-variance") {
    const n = out.shape[0];
    const mu = reshape(column(out, 0), [n, 1]);
    const std = reshape(stdFrom(out), [n, 1]);
    return concat([mu, std], 1);
  }
  if (head.outputs === 1) return head.family.link.inverse(reshape(out, [out.shape[0]]));
  return softmax(out, -1);
}
