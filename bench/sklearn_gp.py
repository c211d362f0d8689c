"""scikit-learn side of bench/gp.ts: one JSON command per line on stdin, one reply per line.

Commands: {"cmd": "data", "n": N, "seed": s} (makes the data set, also returned to the caller),
{"cmd": "lml", "n": N} (one log_marginal_likelihood with its gradient, timed),
{"cmd": "fit", "n": N} (a full GaussianProcessRegressor.fit with L-BFGS-B, no restarts, timed).
Kernel: ConstantKernel(1) * RBF(1) + WhiteKernel(0.1), alpha 1e-6 (TFP's default jitter).
"""
import json
import sys
import time

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

data = {}


def kernel():
    return ConstantKernel(1.0, (1e-3, 1e3)) * RBF(1.0, (1e-2, 1e2)) + WhiteKernel(0.1, (1e-5, 1e1))


for line in sys.stdin:
    msg = json.loads(line)
    cmd = msg['cmd']
    if cmd == 'quit':
        break
    try:
        if cmd == 'data':
            rng = np.random.default_rng(msg['seed'])
            n = msg['n']
            x = np.sort(rng.uniform(-5, 5, size=(n, 1)), axis=0)
            y = np.sin(1.5 * x[:, 0]) + 0.3 * rng.standard_normal(n)
            data[n] = (x, y, GaussianProcessRegressor(kernel=kernel(), alpha=1e-6, optimizer=None).fit(x, y))
            reply = {'x': x[:, 0].tolist(), 'y': y.tolist()}
        elif cmd == 'lml':
            x, y, gpr = data[msg['n']]
            theta = gpr.kernel_.theta
            t0 = time.perf_counter()
            lml, grad = gpr.log_marginal_likelihood(theta, eval_gradient=True)
            reply = {'ms': 1e3 * (time.perf_counter() - t0), 'lml': float(lml)}
        elif cmd == 'fit':
            x, y, _ = data[msg['n']]
            t0 = time.perf_counter()
            g = GaussianProcessRegressor(kernel=kernel(), alpha=1e-6, n_restarts_optimizer=0).fit(x, y)
            reply = {'ms': 1e3 * (time.perf_counter() - t0), 'lml': float(g.log_marginal_likelihood_value_)}
        else:
            reply = {'error': f'unknown command {cmd}'}
    except Exception as e:  # noqa: BLE001 - reported to the caller
        reply = {'error': repr(e)}
    sys.stdout.write(json.dumps(reply) + '\n')
    sys.stdout.flush()
