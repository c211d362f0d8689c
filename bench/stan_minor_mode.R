# Stan from one starting point in the minor mode of posteriordb's low_dim_gauss_mix (both mixture components
# on the left cluster): the initial values that windowedAdaptiveNuts draws for chain 1 with seed 1
# (uniform(-2, 2) on the unconstrained scale), for 12 chains with rstan's defaults, then 12 chains from rstan's
# own random initial values. Prints per chain whether it ever reached the main mode (lp__ > -2200; the main
# mode's lp__ is about -2107, the minor mode's about -2540: Stan's lp__ keeps the normal constants).
# Usage: Rscript bench/stan_minor_mode.R   (needs r-cran-rstan; see bench/stan.ts for the BH headers)
suppressMessages(library(rstan)); suppressMessages(library(jsonlite))
fixture <- fromJSON("packages/tfjs-probability/test/fixtures/posteriordb/low_dim_gauss_mix-low_dim_gauss_mix.json")
data <- list(N = length(fixture$data$y), y = fixture$data$y)
init1 <- list(mu = c(-1.8985126386396587, -1.3542956894021556), sigma = c(3.109670787719866, 0.22075803082558443),
              theta = 0.13711200722311714)
m <- stan_model("bench/stan/low_dim_gauss_mix.stan", auto_write = FALSE)
report <- function(fit, label) {
  lp <- rstan::get_logposterior(fit, inc_warmup = TRUE)
  stuck <- 0
  for (ch in seq_along(lp)) {
    l <- lp[[ch]]
    if (mean(l[1001:2000]) < -2200) stuck <- stuck + 1
    cat(sprintf("%s chain %d: first iteration in the main mode %s; mean lp__ of the draws %.1f\n", label, ch,
                ifelse(is.na(which(l > -2200)[1]), "never", which(l > -2200)[1]), mean(l[1001:2000])))
  }
  cat(sprintf("%s: %d of %d chains in the minor mode for all their draws\n", label, stuck, length(lp)))
}
K <- 12
report(sampling(m, data = data, chains = K, iter = 2000, warmup = 1000, cores = 1, seed = 11, refresh = 0,
                init = rep(list(init1), K)), "from chain 1's initial values")
report(sampling(m, data = data, chains = K, iter = 2000, warmup = 1000, cores = 1, seed = 12, refresh = 0),
       "from random initial values")
