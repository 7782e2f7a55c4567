#!/usr/bin/env Rscript
# Reference values of mgcv's psum.chisq (Davies' algorithm AS 155, accuracy 2e-5) and
# liu2 (Liu, Tang & Zhang's approximation) for @geoml/models' GAM summary p-values.
#
# Writes packages/models/src/gam/__fixtures__/davies_mgcv.json. Deterministic; rerun from
# the repository root with
#     Rscript tools/oracles/davies_mgcv.R
suppressMessages(library(mgcv))

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
out <- file.path(here, "..", "..", "packages", "models", "src", "gam", "__fixtures__", "davies_mgcv.json")

num <- function(v) paste0("[", paste(sprintf("%.17g", v), collapse = ","), "]")
cases <- list(
  # the mixtures summary.gam builds for fractional ranks: ones, then the two mixed weights
  list(q = 3.2, lb = c(1, 1.2, 0.8), df = c(1, 1, 1)),
  list(q = 12.5, lb = c(1, 1, 1, 1, 1.45, 0.55), df = rep(1, 6)),
  list(q = 0.3, lb = c(1.3, 0.7), df = c(1, 1)),
  list(q = 40, lb = c(rep(1, 8), 1.49, 0.51), df = rep(1, 10)),
  list(q = 1e-3, lb = c(1, 0.5), df = c(1, 1)),
  # estimated scale: P(sum w chi2_1 - (d/k) chi2_k > 0)
  list(q = 0, lb = c(1, 1, 1.2, 0.8, -7.1 / 200), df = c(1, 1, 1, 1, 200)),
  list(q = 0, lb = c(1, 1.4, 0.6, -2.5 / 37), df = c(1, 1, 1, 37)),
  list(q = 0, lb = c(rep(1, 5), 1.3, 0.7, -30 / 5000), df = c(rep(1, 7), 5000)),
  # reTest: eigenvalues between 0 and 1, some zero
  list(q = 4.7, lb = c(0.98, 0.9, 0.61, 0.2, 0.03, 0), df = rep(1, 6)),
  list(q = 0, lb = c(0.95, 0.7, 0.3, 0.05, -9 / 120), df = c(1, 1, 1, 1, 120)),
  # several degrees of freedom per weight, far tails
  list(q = 25, lb = c(2, 0.5), df = c(3, 5)),
  list(q = 0.05, lb = c(2, 0.5), df = c(3, 5)),
  list(q = 200, lb = c(1, 1, 1), df = c(1, 1, 1))
)
parts <- vapply(cases, function(cs) {
  p <- mgcv:::psum.chisq(cs$q, cs$lb, df = cs$df)
  liu <- if (all(cs$lb >= 0)) mgcv:::liu2(cs$q, cs$lb, h = cs$df) else NA
  paste0(
    "{\"q\":", sprintf("%.17g", cs$q), ",\"lambda\":", num(cs$lb), ",\"df\":", num(cs$df),
    ",\"upper\":", sprintf("%.17g", p),
    ",\"liu\":", if (is.na(liu)) "null" else sprintf("%.17g", liu), "}"
  )
}, "")
writeLines(paste0("{\"mgcv\":\"", packageVersion("mgcv"), "\",\"cases\":[", paste(parts, collapse = ","), "]}"), out)
