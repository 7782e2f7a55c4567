#!/usr/bin/env Rscript
# Reference GAM fits from R's mgcv for @geoml/models' gam().
#
# Writes packages/models/src/gam/__fixtures__/gam_mgcv.json: one shared data set, then per
# case the formula, family, method and mgcv's answers (fitted values, deviance, edf, sp,
# gcv.ubre score, scale, R²adj, summary table, predictions with standard errors on new data).
# Deterministic; rerun from the repository root with
#     Rscript tools/oracles/gam_mgcv.R
suppressMessages(library(mgcv))

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
out <- file.path(here, "..", "..", "packages", "models", "src", "gam", "__fixtures__", "gam_mgcv.json")

set.seed(16)
n <- 240
d <- data.frame(
  x = runif(n), x2 = runif(n), x3 = rnorm(n),
  lon = runif(n, -10, 10), lat = runif(n, 40, 60),
  doy = sample(1:365, n, replace = TRUE),
  zone = sample(c("north", "south", "west"), n, replace = TRUE),
  stringsAsFactors = TRUE
)
f0 <- sin(2 * pi * d$x) + 0.6 * d$x2^2 + 0.3 * cos(2 * pi * d$doy / 365) +
  0.4 * sin(d$lon / 4) * cos((d$lat - 50) / 5) +
  ifelse(d$zone == "north", 0.5 * d$x, ifelse(d$zone == "south", -0.5 * d$x, 0))
d$y <- f0 + rnorm(n) * 0.3
d$yb <- rbinom(n, 1, binomial()$linkinv(1.5 * f0 - 0.3))
d$yp <- rpois(n, exp(0.5 + 0.6 * f0))
d$expo <- runif(n, 0.5, 2)
d$yc <- rpois(n, d$expo * exp(0.3 + 0.6 * f0))
# three classes (0 the reference): class 1 follows sin(2πx), class 2 rises with x2
e1 <- 2 * sin(2 * pi * d$x)
e2 <- 3 * d$x2 - 1.5
p0 <- 1 / (1 + exp(e1) + exp(e2))
u3 <- runif(n)
# a factor that is a function of a smooth's covariate (hemisphere-like), for by= smooths
d$half <- factor(ifelse(d$lat < 50, "south", "north"))
d$y3 <- ifelse(u3 < p0, 0, ifelse(u3 < p0 * (1 + exp(e1)), 1, 2))

nd <- data.frame(
  x = c(0.05, 0.3, 0.5, 0.77, 0.95, 1.02), x2 = c(0.1, 0.9, 0.5, 0.33, 0.6, 0.2),
  x3 = c(-1, 0, 1, 0.5, -0.3, 2), lon = c(-9, -4, 0, 3.3, 8, 9.5),
  lat = c(41, 45, 50, 55, 58, 52), doy = c(3, 80, 170, 250, 340, 365),
  expo = c(1, 0.5, 2, 1.5, 0.8, 1.2),
  zone = factor(c("north", "south", "west", "north", "west", "south"), levels = levels(d$zone))
)
nd$half <- factor(ifelse(nd$lat < 50, "south", "north"), levels = levels(d$half))

cases <- list(
  list(name = "gaussian_tp", formula = "y ~ s(x) + s(x2)", family = "gaussian", method = "REML"),
  list(name = "gaussian_cr", formula = "y ~ s(x, bs=\"cr\") + s(x2, bs=\"cr\", k=15)", family = "gaussian", method = "REML"),
  list(name = "gaussian_ps", formula = "y ~ s(x, bs=\"ps\", k=20) + s(x2, bs=\"ps\")", family = "gaussian", method = "REML"),
  list(name = "gaussian_cc", formula = "y ~ s(doy, bs=\"cc\", k=12) + s(x, bs=\"cr\")", family = "gaussian", method = "REML"),
  list(name = "gaussian_te", formula = "y ~ te(lon, lat) + s(x, bs=\"cr\")", family = "gaussian", method = "REML"),
  list(name = "gaussian_te_k", formula = "y ~ te(lon, lat, k=c(6,4)) + x3", family = "gaussian", method = "REML"),
  list(name = "gaussian_tp2d", formula = "y ~ s(lon, lat, k=20)", family = "gaussian", method = "REML"),
  list(name = "gaussian_side", formula = "y ~ s(lat, bs=\"cr\") + te(lon, lat)", family = "gaussian", method = "REML"),
  list(name = "gaussian_side_tp", formula = "y ~ s(lat) + s(doy, bs=\"cc\") + te(lon, lat)", family = "gaussian", method = "REML"),
  list(name = "gaussian_side_by", formula = "y ~ s(lat) + s(doy, bs=\"cc\") + te(lon, lat) + s(doy, by=half)", family = "gaussian", method = "REML"),
  list(name = "gaussian_by", formula = "y ~ zone + s(x, by=zone, bs=\"cr\")", family = "gaussian", method = "REML"),
  list(name = "gaussian_gcv", formula = "y ~ s(x, bs=\"cr\") + s(x2) + x3", family = "gaussian", method = "GCV"),
  list(name = "gaussian_ml", formula = "y ~ s(x, bs=\"cr\") + s(x2, bs=\"ps\")", family = "gaussian", method = "ML"),
  list(name = "binomial_reml", formula = "yb ~ s(x) + s(x2, bs=\"cr\")", family = "binomial", method = "REML"),
  list(name = "binomial_ubre", formula = "yb ~ s(x, bs=\"cr\") + s(x2, bs=\"cr\")", family = "binomial", method = "UBRE"),
  list(name = "poisson_reml", formula = "yp ~ s(x, bs=\"cr\") + te(lon, lat)", family = "poisson", method = "REML"),
  list(name = "poisson_ubre", formula = "yp ~ s(x) + s(x2, bs=\"ps\")", family = "poisson", method = "UBRE"),
  list(name = "poisson_offset", formula = "yc ~ s(x, bs=\"cr\") + s(doy, bs=\"cc\", k=8) + offset(log(expo))", family = "poisson", method = "REML"),
  list(name = "poisson_ml", formula = "yp ~ s(x, bs=\"cr\") + s(doy, bs=\"cc\")", family = "poisson", method = "ML")
)

num <- function(v) paste0("[", paste(sprintf("%.17g", as.numeric(v)), collapse = ","), "]")
str <- function(v) paste0("[", paste0("\"", gsub("\"", "\\\\\"", v), "\"", collapse = ","), "]")
obj <- function(v) paste0("{", paste0("\"", gsub("\"", "\\\\\"", names(v)), "\":", sprintf("%.17g", as.numeric(v)), collapse = ","), "}")

parts <- character(0)
for (cs in cases) {
  fam <- switch(cs$family, gaussian = gaussian(), binomial = binomial(), poisson = poisson())
  m <- switch(cs$method, REML = "REML", ML = "ML", GCV = "GCV.Cp", UBRE = "GCV.Cp")
  b <- gam(as.formula(cs$formula), data = d, family = fam, method = m)
  s <- summary(b)
  pl <- predict(b, nd, type = "link", se.fit = TRUE)
  pr <- predict(b, nd, type = "response", se.fit = TRUE)
  edf <- sapply(b$smooth, function(sm) sum(b$edf[sm$first.para:sm$last.para]))
  names(edf) <- sapply(b$smooth, function(sm) sm$label)
  st <- s$s.table
  parts <- c(parts, paste0(
    "{\"name\":\"", cs$name, "\",\"formula\":\"", gsub("\"", "\\\\\"", cs$formula), "\",",
    "\"family\":\"", cs$family, "\",\"method\":\"", cs$method, "\",",
    "\"score\":", sprintf("%.17g", b$gcv.ubre), ",",
    "\"scale\":", sprintf("%.17g", b$sig2), ",",
    "\"deviance\":", sprintf("%.17g", deviance(b)), ",",
    "\"nullDeviance\":", sprintf("%.17g", b$null.deviance), ",",
    "\"devianceExplained\":", sprintf("%.17g", s$dev.expl), ",",
    "\"rSquaredAdj\":", sprintf("%.17g", s$r.sq), ",",
    "\"edfTotal\":", sprintf("%.17g", sum(b$edf)), ",",
    "\"edf\":", obj(edf), ",",
    "\"sp\":", obj(b$sp), ",",
    "\"coefficientNames\":", str(names(coef(b))), ",",
    "\"fitted\":", num(fitted(b)), ",",
    "\"smoothTable\":{\"labels\":", str(rownames(st)), ",\"edf\":", num(st[, 1]), ",\"refDf\":", num(st[, 2]),
    ",\"statistic\":", num(st[, 3]), ",\"pValue\":", num(st[, 4]), "},",
    "\"predictLink\":", num(pl$fit), ",\"seLink\":", num(pl$se.fit), ",",
    "\"predictResponse\":", num(pr$fit), ",\"seResponse\":", num(pr$se.fit), "}"
  ))
}

mcases <- list(
  list(name = "multinom_reml", formula = "y3 ~ s(x, bs=\"cr\") + s(x2, bs=\"cr\")",
       mgcv = list(y3 ~ s(x, bs = "cr") + s(x2, bs = "cr"), ~ s(x, bs = "cr") + s(x2, bs = "cr")))
)
mparts <- character(0)
for (cs in mcases) {
  b <- gam(cs$mgcv, data = d, family = multinom(K = 2), method = "REML")
  edf <- unlist(lapply(b$smooth, function(sm) sum(b$edf[sm$first.para:sm$last.para])))
  names(edf) <- sapply(b$smooth, function(sm) sm$label)
  pr <- predict(b, nd, type = "response")
  mparts <- c(mparts, paste0(
    "{\"name\":\"", cs$name, "\",\"formula\":\"", gsub("\"", "\\\\\"", cs$formula), "\",",
    "\"score\":", sprintf("%.17g", b$gcv.ubre), ",",
    "\"edfTotal\":", sprintf("%.17g", sum(b$edf)), ",",
    "\"edf\":", obj(edf), ",\"sp\":", obj(b$sp), ",",
    "\"coefficientNames\":", str(names(coef(b))), ",",
    "\"fitted\":", num(t(predict(b, type = "response"))), ",",
    "\"predict\":", num(t(pr)), "}"
  ))
}

col <- function(v) if (is.factor(v)) str(as.character(v)) else num(v)
json <- paste0(
  "{\"mgcv\":\"", as.character(packageVersion("mgcv")), "\",",
  "\"data\":{", paste0("\"", names(d), "\":", sapply(d, col), collapse = ","), "},",
  "\"newdata\":{", paste0("\"", names(nd), "\":", sapply(nd, col), collapse = ","), "},",
  "\"cases\":[", paste(parts, collapse = ",\n"), "],\n",
  "\"multinom\":[", paste(mparts, collapse = ",\n"), "]}\n"
)
writeLines(json, out, sep = "")
cat("wrote", out, "\n")
