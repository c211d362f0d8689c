/** Names of tfjs-probability's own kernels (registered for the cpu and wasm backends by register_all.ts). */
export const CHOLESKY = 'TfpCholesky';
export const TRIANGULAR_SOLVE = 'TfpTriangularSolve';
export const MVN_TRIL_LOG_PROB = 'TfpMvnTrilLogProb';
export const MVN_TRIL_LOG_PROB_GRAD = 'TfpMvnTrilLogProbGrad';
export const MVN_TRIL_SAMPLE = 'TfpMvnTrilSample';
export const MVN_TRIL_SAMPLE_GRAD = 'TfpMvnTrilSampleGrad';
export const ADAM_UPDATE = 'TfpAdamUpdate';
export const ADAM_UPDATE_TF = 'TfpAdamUpdateTf';
export const DENSE = 'TfpDense';
export const RELU_MASK = 'TfpReluMask';
export const MDN_ACTIVATION = 'TfpMdnActivation';
export const MDN_ACTIVATION_GRAD = 'TfpMdnActivationGrad';
export const MIXTURE_NORMAL_LOGPROB = 'TfpMixtureNormalLogProb';
export const MIXTURE_NORMAL_LOGPROB_GRAD = 'TfpMixtureNormalLogProbGrad';
/**
 * `[-(1/B) Σ log p, ∂/∂params, ∂/∂y]` in one pass (the NLL loss: its gradient costs no more
 * than its value, so the forward launch computes both and the backward pass only scales).
 */
export const MIXTURE_NORMAL_NLL = 'TfpMixtureNormalNll';
export const INDEPENDENT_NORMAL_NLL = 'TfpIndependentNormalNll';
export const MVN_TRIL_NLL = 'TfpMvnTrilNll';
export const SPECIAL_HOST = 'TfpSpecialHost';
/** Poisson(rate) draws: inversion below rate 10, PTRS above. */
export const RANDOM_POISSON = 'TfpRandomPoisson';
/** Binomial(totalCount, probs) draws (inputs p0 = totalCount, p1 = probs): inversion below n·min(p, 1-p) = 10, BTRS above. */
export const RANDOM_BINOMIAL = 'TfpRandomBinomial';
/** Gamma(concentration, 1) draws, or their logs (attr flag 1); Marsaglia–Tsang in float64. */
export const RANDOM_GAMMA = 'TfpRandomGamma';
/** Beta(concentration1, concentration0) draws from two gamma draws, kept inside (0, 1). */
export const RANDOM_BETA = 'TfpRandomBeta';
/** NegativeBinomial(totalCount, logits) draws as Poisson(G e^logits), G ~ Gamma(totalCount). */
export const RANDOM_NEGATIVE_BINOMIAL = 'TfpRandomNegativeBinomial';
/** TruncatedNormal(loc, scale, low, high) draws by rejection matched to each window. */
export const RANDOM_TRUNCATED_NORMAL = 'TfpRandomTruncatedNormal';
/** Standard StudentT(df) draws: z / √(2G/df). */
export const RANDOM_STUDENT_T = 'TfpRandomStudentT';
