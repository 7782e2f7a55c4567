# One timed mgcv fit of the binomial REML problem of binomial.bench.ts: Rscript binomial-mgcv.R <csv> [formula] [weights]
# Prints one JSON line. The clock covers gam() only (not R's start-up or reading data).
suppressMessages(library(mgcv))
a <- commandArgs(trailingOnly = TRUE)
d <- read.csv(a[1])
f <- as.formula(if (length(a) > 1) a[2] else "warm ~ s(lat) + te(lon, lat)")
d$w <- d[[if (length(a) > 2) a[3] else "coslat"]]
fit <- function(d) gam(f, family = binomial(), data = d, weights = w, method = "REML")
# warm-up outside the clock, as geoml's binomial-fit.ts: the same model on every 4th row
invisible(fit(d[seq(1L, nrow(d), by = 4L), ]))
t0 <- proc.time()
b <- fit(d)
t1 <- proc.time() - t0
cat(sprintf('{"seconds":%.4f,"score":%.10g,"edfTotal":%.8g,"sp":[%s],"iterations":%d,"converged":%s}\n',
  t1[["elapsed"]], b$gcv.ubre, sum(b$edf), paste(sprintf("%.8g", b$sp), collapse = ","),
  as.integer(b$outer.info$iter), tolower(as.character(b$outer.info$conv == "full convergence"))))
