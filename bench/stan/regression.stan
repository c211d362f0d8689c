// Linear regression y ~ normal(X * coef, sigma) with a prior per coefficient given as data, for the
// posteriordb regressions (kidiq, mesquite, earnings, arK, nes, kilpisjarvi, ...). X is the design matrix
// that the posteriordb program builds in its transformed data (or its loop, for arK), computed by
// packages/tfjs-probability/test/fixtures/generate_posteriordb.py; the posterior is the same as the
// posteriordb program's. Prior codes: 0 flat, 1 normal(loc, scale), 2 cauchy(loc, scale),
// 3 student_t(df, loc, scale); sigma > 0 takes one prior of the same kinds.
data {
  int<lower=0> N;
  int<lower=1> K;
  matrix[N, K] X;
  vector[N] y;
  int prior_kind[K];
  vector[K] prior_loc;
  vector[K] prior_scale;
  vector[K] prior_df;
  int sigma_kind;
  real sigma_loc;
  real sigma_scale;
  real sigma_df;
}
parameters {
  vector[K] coef;
  real<lower=0> sigma;
}
model {
  for (k in 1:K) {
    if (prior_kind[k] == 1) coef[k] ~ normal(prior_loc[k], prior_scale[k]);
    if (prior_kind[k] == 2) coef[k] ~ cauchy(prior_loc[k], prior_scale[k]);
    if (prior_kind[k] == 3) coef[k] ~ student_t(prior_df[k], prior_loc[k], prior_scale[k]);
  }
  if (sigma_kind == 1) sigma ~ normal(sigma_loc, sigma_scale);
  if (sigma_kind == 2) sigma ~ cauchy(sigma_loc, sigma_scale);
  if (sigma_kind == 3) sigma ~ student_t(sigma_df, sigma_loc, sigma_scale);
  y ~ normal(X * coef, sigma);
}
