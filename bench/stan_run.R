# Runs one posteriordb model with rstan at Stan's defaults (4 chains x (1000 warm-up + 1000 draws), one core,
# chains one after another) and prints JSON: compile seconds, warm-up and sampling seconds (Stan's own
# per-chain timers, summed), total leapfrog steps, bulk ESS per parameter.
# Usage: Rscript bench/stan_run.R model.stan data.json seed
suppressMessages(library(rstan))
suppressMessages(library(jsonlite))
args <- commandArgs(trailingOnly = TRUE)
data <- fromJSON(args[2], simplifyVector = TRUE)
t0 <- Sys.time()
m <- stan_model(args[1], auto_write = FALSE)
compile <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
t1 <- Sys.time()
fit <- sampling(m, data = data, chains = 4, iter = 2000, warmup = 1000, cores = 1, seed = as.integer(args[3]), refresh = 0)
wall <- as.numeric(difftime(Sys.time(), t1, units = "secs"))
el <- get_elapsed_time(fit)
sims <- as.array(fit)
pars <- setdiff(dimnames(sims)$parameters, "lp__")
ess <- sapply(pars, function(p) ess_bulk(sims[, , p]))
sp <- get_sampler_params(fit, inc_warmup = TRUE)
leap_warm <- sum(sapply(sp, function(s) sum(s[1:1000, "n_leapfrog__"])))
leap_samp <- sum(sapply(sp, function(s) sum(s[1001:2000, "n_leapfrog__"])))
cat(toJSON(list(compile = compile, warmup = sum(el[, "warmup"]), sampling = sum(el[, "sample"]), wall = wall,
                leapfrogWarmup = leap_warm, leapfrogSampling = leap_samp, ess = as.list(ess),
                rstan = as.character(packageVersion("rstan"))), auto_unbox = TRUE, digits = 8))
