# Reference values for formulas in @geoml/models, computed with R's stats package.
#
# Run from the repository root:
#
#     Rscript tools/oracles/formula_r.R
#
# It writes packages/models/src/formula/__fixtures__/formula_r.json:
# - a binomial GLM of a proportion with the trials as prior weights,
#   glm(I(wet / n) ~ x, binomial, weights = n), and the same model written
#   glm(cbind(wet, n - wet) ~ x, binomial): coefficients, standard errors,
#   deviance, AIC (R counts the Gaussian scale as a parameter: statsmodels and
#   geoml do not, so their Gaussian AIC is 2 less); IRLS runs to epsilon 1e-14;
# - poly(x, 3): R's orthogonal polynomial columns on the fitting rows, its saved
#   coefficients, predict(poly, newx) on new values, and a Gaussian GLM
#   y ~ poly(x, 3) with predictions on the new values.
# Data come from a fixed seed; JSON numbers are written with 17 significant digits.

set.seed(20260612)
n <- 60
x <- round(runif(n, -2, 2), 3)
trials <- sample(5:30, n, replace = TRUE)
wet <- rbinom(n, trials, plogis(-0.3 + 0.9 * x))
y <- 1 + 0.5 * x - 0.8 * x^2 + 0.3 * x^3 + rnorm(n, 0, 0.4)
d <- data.frame(x = x, trials = trials, wet = wet, y = y)

ctl <- glm.control(epsilon = 1e-14, maxit = 100)
fit_prop <- glm(I(wet / trials) ~ x, family = binomial, weights = trials, data = d, control = ctl)
fit_cbind <- glm(cbind(wet, trials - wet) ~ x, family = binomial, data = d, control = ctl)
p3 <- poly(d$x, 3)
newx <- c(-1.5, 0, 0.25, 1.9)
fit_poly <- glm(y ~ poly(x, 3), family = gaussian, data = d, control = ctl)

num <- function(v) paste0("[", paste(trimws(formatC(as.numeric(v), digits = 17, format = "g")), collapse = ","), "]")
str <- function(v) paste0("[", paste0('"', v, '"', collapse = ","), "]")
glm_json <- function(f) paste0(
  '{"names":', str(names(coef(f))),
  ',"params":', num(coef(f)),
  ',"bse":', num(sqrt(diag(vcov(f)))),
  ',"deviance":', num(deviance(f)),
  ',"aic":', num(AIC(f)), "}")

cols <- paste0(
  '{"x":', num(d$x), ',"trials":', num(d$trials), ',"wet":', num(d$wet), ',"y":', num(d$y), "}")
json <- paste0(
  '{"data":', cols,
  ',"proportion":', glm_json(fit_prop),
  ',"cbind":', glm_json(fit_cbind),
  ',"poly":{"columns":[', paste(apply(p3, 2, num), collapse = ","), "]",
  ',"alpha":', num(attr(p3, "coefs")$alpha),
  ',"norm2":', num(attr(p3, "coefs")$norm2),
  ',"newx":', num(newx),
  ',"predict":[', paste(apply(predict(p3, newx), 2, num), collapse = ","), "]",
  ',"glm":', glm_json(fit_poly),
  ',"glm_predict":', num(predict(fit_poly, newdata = data.frame(x = newx))),
  "}}")
writeLines(json, "packages/models/src/formula/__fixtures__/formula_r.json")
