"""Rebuild a tfjs layers model (model.json + weights) in numpy and check its log densities with scipy.

For Python users of models saved by tfjs-probability (`tfp.io.saveModel`) or converted from Keras
(`tensorflowjs_converter`), and for this repository's round-trip check. Needs json + numpy (and
scipy for the reference densities); no TensorFlow.

The heads follow TFP 0.25 (tensorflow_probability/python/layers/distribution_layer.py): each head's
`new(params, ...)` transform, written in numpy, then scipy's log density of the distribution.

Usage:
  python3 check_saved_model.py DIR [DIR ...]
Each DIR holds model.json, its weight files and cases.json = {"x": [[...]], "y": [...], "logProb": [...]}
(the log densities tfjs computed); the script prints the largest relative error per model, checks
that the head configs carry TFP's class names and keys, and exits 1 if any check fails.

As a library: `model = load_model(dir)`; `params = model.params(x)`; `model.log_prob(x, y)`.
"""
import json
import os
import sys

import numpy as np
from scipy import special, stats

TFP_HEADS = {
    # class name -> keys TFP's constructor needs from the config
    'IndependentNormal': ['event_shape'],
    'IndependentLogistic': ['event_shape'],
    'IndependentBernoulli': ['event_shape'],
    'IndependentPoisson': ['event_shape'],
    'MultivariateNormalTriL': ['event_size'],
    'OneHotCategorical': ['event_size'],
    'CategoricalMixtureOfOneHotCategorical': ['event_size', 'num_components'],
    'MixtureNormal': ['num_components', 'event_shape'],
    'MixtureLogistic': ['num_components', 'event_shape'],
    'MixtureSameFamily': ['num_components', 'component_layer'],
}
LAMBDA_KEYS = ['function', 'function_type', 'output_shape', 'output_shape_type', 'arguments']


def softplus(x):
    return np.logaddexp(0.0, x)


def fill_triangular(x):
    """tfp.math.fill_triangular (lower): concat(x[n:], reverse(x)) reshaped to [n, n], lower triangle kept."""
    m = x.shape[-1]
    n = int(round((np.sqrt(8 * m + 1) - 1) / 2))
    assert n * (n + 1) // 2 == m, m
    seq = np.concatenate([x[..., n:], x[..., ::-1]], axis=-1)
    return np.tril(seq.reshape(x.shape[:-1] + (n, n)))


def fill_scale_tril(x, diag_shift=1e-5):
    """tfb.FillScaleTriL(diag_shift=1e-5): fill_triangular with the diagonal mapped to softplus(d) + shift."""
    lower = fill_triangular(x)
    n = lower.shape[-1]
    d = np.arange(n)
    lower[..., d, d] = softplus(lower[..., d, d]) + diag_shift
    return lower


def event_shape_of(cfg):
    v = cfg.get('event_shape', [])
    return [v] if isinstance(v, int) else list(v or [])


def _independent(event_shape, params, y, k, logpdf):
    """Independent heads: `k` blocks of prod(event_shape) params, scipy log density summed over the event."""
    ev = list(event_shape)
    parts = np.split(params, k, axis=-1) if k > 1 else [params]
    parts = [p.reshape(p.shape[:-1] + tuple(ev)) for p in parts]
    lp = logpdf(np.asarray(y, dtype=np.float64), *parts)
    return lp.reshape(lp.shape[:lp.ndim - len(ev)] + (-1,)).sum(-1)


def _mvn_tril(n, params, y):
    loc = params[..., :n]
    scale = fill_scale_tril(params[..., n:].copy())
    y = np.broadcast_to(np.asarray(y, dtype=np.float64), loc.shape)
    flat_loc, flat_l, flat_y = loc.reshape(-1, n), scale.reshape(-1, n, n), y.reshape(-1, n)
    out = [stats.multivariate_normal(flat_loc[i], flat_l[i] @ flat_l[i].T).logpdf(flat_y[i]) for i in range(len(flat_y))]
    return np.array(out).reshape(loc.shape[:-1])


def _one_hot(params, y):
    y = np.broadcast_to(np.asarray(y, dtype=np.float64), params.shape)
    probs = special.softmax(params, axis=-1)
    flat_p, flat_y = probs.reshape(-1, params.shape[-1]), y.reshape(-1, params.shape[-1])
    return np.array([stats.multinomial(1, flat_p[i]).logpmf(flat_y[i]) for i in range(len(flat_y))]).reshape(params.shape[:-1])


def _mixture(num_components, component_log_prob, params, y, event_rank):
    """TFP's MixtureSameFamily.new layout: logits (K), then K blocks of component params."""
    k = num_components
    logits = params[..., :k]
    blocks = params[..., k:].reshape(params.shape[:-1] + (k, -1))
    y = np.asarray(y, dtype=np.float64)
    y = np.expand_dims(y, y.ndim - event_rank)
    return special.logsumexp(special.log_softmax(logits, axis=-1) + component_log_prob(blocks, y), axis=-1)


def head_log_prob(class_name, cfg, params, y):
    """Log density of `y` under the distribution a TFP head (or tfjs-probability's MixtureDensity) makes from `params`."""
    normal = lambda y_, loc, raw: stats.norm.logpdf(y_, loc, softplus(raw))
    logistic = lambda y_, loc, raw: stats.logistic.logpdf(y_, loc, softplus(raw))
    if class_name == 'IndependentNormal':
        return _independent(event_shape_of(cfg), params, y, 2, normal)
    if class_name == 'IndependentLogistic':
        return _independent(event_shape_of(cfg), params, y, 2, logistic)
    if class_name == 'IndependentBernoulli':
        return _independent(event_shape_of(cfg), params, y, 1, lambda y_, l: stats.bernoulli.logpmf(y_, special.expit(l)))
    if class_name == 'IndependentPoisson':
        return _independent(event_shape_of(cfg), params, y, 1, lambda y_, l: stats.poisson.logpmf(y_, np.exp(l)))
    if class_name == 'MultivariateNormalTriL':
        return _mvn_tril(cfg['event_size'], params, y)
    if class_name == 'OneHotCategorical':
        return _one_hot(params, y)
    if class_name == 'CategoricalMixtureOfOneHotCategorical':
        return _mixture(cfg['num_components'], _one_hot, params, y, 1)
    if class_name in ('MixtureNormal', 'MixtureLogistic'):
        ev = event_shape_of(cfg)
        comp = 'IndependentNormal' if class_name == 'MixtureNormal' else 'IndependentLogistic'
        return _mixture(cfg['num_components'], lambda p, y_: head_log_prob(comp, {'event_shape': ev}, p, y_), params, y, len(ev))
    if class_name == 'MixtureSameFamily':
        comp = cfg['component_layer']
        rank = len(event_shape_of(comp['config'])) if 'event_shape' in comp['config'] else 1
        return _mixture(cfg['num_components'], lambda p, y_: head_log_prob(comp['class_name'], comp['config'], p, y_), params, y, rank)
    if class_name == 'MixtureDensity':
        # tfjs-probability's MDN layer (the Keras recipe): params [mu (K n), sigma (K n), logits (K)].
        k, n = cfg['num_components'], cfg['event_size']
        mu = params[..., :k * n].reshape(params.shape[:-1] + (k, n))
        sigma = params[..., k * n:2 * k * n].reshape(params.shape[:-1] + (k, n))
        y = np.expand_dims(np.asarray(y, dtype=np.float64), -2)
        comp = stats.norm.logpdf(y, mu, sigma).sum(-1)
        return special.logsumexp(special.log_softmax(params[..., 2 * k * n:], axis=-1) + comp, axis=-1)
    raise ValueError(f'head {class_name} cannot be rebuilt in numpy (a DistributionLambda is a function, not a config)')


ACTIVATIONS = {
    'linear': lambda z: z, None: lambda z: z, 'relu': lambda z: np.maximum(z, 0), 'tanh': np.tanh,
    'sigmoid': special.expit, 'softplus': softplus, 'elu': lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
}


class Model:
    """A tfjs layers model rebuilt in numpy (float64): Dense / Activation / Dropout layers, DenseFlipout and
    DenseReparameterization at their posterior mean, and one head."""

    def __init__(self, topology, weights):
        cfg = topology.get('model_config', topology)
        self.class_name = cfg['class_name']
        inner = cfg['config']
        self.layers = inner if isinstance(inner, list) else inner['layers']
        self.weights = weights
        self.head = next(l for l in reversed(self.layers) if l['class_name'] in TFP_HEADS or l['class_name'] in ('MixtureDensity', 'DistributionLambda'))

    @staticmethod
    def name_of(layer):
        return layer.get('name') or layer['config']['name']

    def _weight(self, layer, w):
        name = self.name_of(layer)
        hits = [k for k in self.weights if k == f'{name}/{w}' or k.endswith(f'/{name}/{w}')]
        if not hits:
            raise KeyError(f'weight {name}/{w} not in the manifest (have {sorted(self.weights)})')
        return self.weights[hits[0]].astype(np.float64)

    def _apply(self, layer, h):
        cls, cfg = layer['class_name'], layer['config']
        if cls in ('InputLayer', 'Dropout') or layer is self.head and cls != 'MixtureDensity':
            return h
        if cls == 'Dense':
            z = h @ self._weight(layer, 'kernel')
            if cfg.get('use_bias', True):
                z = z + self._weight(layer, 'bias')
            return ACTIVATIONS[cfg.get('activation')](z)
        if cls in ('DenseFlipout', 'DenseReparameterization'):
            # Bayesian layers: the network at the kernel posterior's loc (its mean), TFP's weight names.
            z = h @ self._weight(layer, 'kernel_posterior_loc')
            if any(k.endswith(f'{self.name_of(layer)}/bias_posterior_loc') for k in self.weights):
                z = z + self._weight(layer, 'bias_posterior_loc')
            return ACTIVATIONS[cfg.get('activation')](z)
        if cls == 'Activation':
            return ACTIVATIONS[cfg['activation']](h)
        if cls == 'MixtureDensity':
            z = h @ self._weight(layer, 'kernel') + self._weight(layer, 'bias')
            k, n = cfg['num_components'], cfg['event_size']
            z[..., k * n:2 * k * n] = ACTIVATIONS['elu'](z[..., k * n:2 * k * n]) + 1 + 1e-7
            return z
        raise ValueError(f'layer class {cls} is not supported by this numpy rebuild')

    def params(self, x):
        """The head's raw parameters for inputs `x` [N, d] (the head's input)."""
        h = np.asarray(x, dtype=np.float64)
        if self.class_name == 'Sequential':
            for layer in self.layers:
                h = self._apply(layer, h)
                if layer is self.head:
                    return h
        # Functional: follow the first inbound edge of each layer, from the head back to the input.
        by_name = {self.name_of(l): l for l in self.layers}
        chain, layer = [], self.head
        while layer['class_name'] != 'InputLayer':
            chain.append(layer)
            layer = by_name[layer['inbound_nodes'][0][0][0]]
        for layer in reversed(chain):
            h = self._apply(layer, h)
        return h

    def log_prob(self, x, y):
        return head_log_prob(self.head['class_name'], self.head['config'], self.params(x), y)


def load_model(path):
    """Reads model.json and the weight files its manifest lists (float32 / int32)."""
    model_json = path if path.endswith('.json') else os.path.join(path, 'model.json')
    root = os.path.dirname(model_json)
    with open(model_json) as f:
        mj = json.load(f)
    weights = {}
    for group in mj['weightsManifest']:
        buf = b''.join(open(os.path.join(root, p), 'rb').read() for p in group['paths'])
        offset = 0
        for spec in group['weights']:
            dtype = {'float32': np.float32, 'int32': np.int32}[spec['dtype']]
            count = int(np.prod(spec['shape'], dtype=np.int64))
            weights[spec['name']] = np.frombuffer(buf, dtype=dtype, count=count, offset=offset).reshape(spec['shape'])
            offset += count * 4
    return Model(mj['modelTopology'], weights)


def check_config(model):
    """TFP can rebuild the head: TFP's class name, its keys explicit, the Lambda keys tf_keras' from_config reads."""
    cls, cfg = model.head['class_name'], model.head['config']
    problems = []
    if cls not in TFP_HEADS:
        return [f'{cls} is not a TFP layer class (rebuild it from this script, not from TFP)'] if cls != 'MixtureDensity' else []
    problems += [f'{cls}: key {k} missing' for k in TFP_HEADS[cls] if k not in cfg]
    problems += [f'{cls}: Lambda key {k} missing' for k in LAMBDA_KEYS if k not in cfg]
    if cfg.get('function_type') not in (None, 'raw'):
        problems.append(f'{cls}: function_type {cfg.get("function_type")!r} is not "raw"')
    return problems


def main(dirs):
    ok = True
    for d in dirs:
        model = load_model(d)
        with open(os.path.join(d, 'cases.json')) as f:
            cases = json.load(f)
        ref = model.log_prob(cases['x'], cases['y'])
        js = np.asarray(cases['logProb'], dtype=np.float64)
        rel = np.max(np.abs(js - ref) / np.maximum(1.0, np.abs(ref)))
        problems = check_config(model)
        passed = rel < 1e-4 and not problems
        ok &= passed
        print(f"{'ok  ' if passed else 'FAIL'} {os.path.basename(os.path.normpath(d))}: {model.head['class_name']}, "
              f'{len(js)} rows, max rel. error of tfjs vs scipy {rel:.2e}' + ''.join(f'\n     {p}' for p in problems))
    return 0 if ok else 1


if __name__ == '__main__':
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
