# One timed mgcv fit of the GAM benchmark problem: Rscript mgcv.R <prefix> <n> <gam|bam>
# Prints one JSON line. The clock covers the fit only (not R's start-up or reading data).
suppressMessages(library(mgcv))
a <- commandArgs(trailingOnly = TRUE)
n <- as.integer(a[2])
m <- matrix(readBin(paste0(a[1], ".f64"), "double", n = 4 * n), ncol = 4, byrow = TRUE)
d <- data.frame(x1 = m[, 1], x2 = m[, 2], x3 = m[, 3], y = m[, 4])
rm(m)
f <- y ~ s(x1, bs = "cr", k = 20) + s(x2, bs = "cr", k = 20) + s(x3, bs = "cr", k = 20)
fit <- function(d) if (a[3] == "gam") gam(f, data = d, method = "REML") else bam(f, data = d)
# warm-up outside the clock, as geoml's fit.ts: the same model on the first 5,000 rows
invisible(fit(d[seq_len(min(n, 5000L)), ]))
t0 <- proc.time()
b <- fit(d)
t1 <- proc.time() - t0
edf <- sapply(b$smooth, function(s) sum(b$edf[s$first.para:s$last.para]))
status <- readLines("/proc/self/status")
hwm <- as.numeric(sub("[^0-9]*([0-9]+).*", "\\1", status[grepl("^VmHWM", status)])) / 1024
cat(sprintf('{"seconds":%.4f,"cpuSeconds":%.4f,"peakMiB":%.1f,"edf":[%s],"score":%.10g}\n',
  t1[["elapsed"]], t1[["user.self"]] + t1[["sys.self"]], hwm,
  paste(sprintf("%.10g", edf), collapse = ","), b$gcv.ubre))
