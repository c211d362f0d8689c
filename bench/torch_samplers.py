"""PyTorch side of bench/samplers.ts: one JSON command per line on stdin
({"case": name, "n": draws}), one JSON reply per line ({"wall_ms", "cpu_ms"}).
Single-threaded (torch.set_num_threads(1)); each case builds its parameter
tensors and draws n samples, as the tfjs side does.
"""
import json
import resource
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
D = torch.distributions


def full(n, v):
    return torch.full((n,), float(v))


CASES = {
    'Poisson rate 0.5': lambda n: torch.poisson(full(n, 0.5)),
    'Poisson rate 30': lambda n: torch.poisson(full(n, 30)),
    'Poisson rate 1e7': lambda n: torch.poisson(full(n, 1e7)),
    'Binomial n 1000 p 0.4': lambda n: torch.binomial(full(n, 1000), full(n, 0.4)),
    'Binomial n 1e6 p 1e-6': lambda n: torch.binomial(full(n, 1e6), full(n, 1e-6)),
    'NegativeBinomial r 2 logits 1': lambda n: D.NegativeBinomial(total_count=2.0, logits=torch.tensor(1.0)).sample((n,)),
    'Gamma a 0.5': lambda n: D.Gamma(0.5, 1.0).sample((n,)),
    'Gamma a 3': lambda n: D.Gamma(3.0, 1.0).sample((n,)),
    'Gamma a 1e6': lambda n: D.Gamma(1e6, 1.0).sample((n,)),
    'Beta 2, 5': lambda n: D.Beta(2.0, 5.0).sample((n,)),
    'StudentT df 5': lambda n: D.StudentT(5.0).sample((n,)),
    'TruncatedNormal [-1, 1]': lambda n: torch.nn.init.trunc_normal_(torch.empty(n), 0.0, 1.0, -1.0, 1.0),
    'TruncatedNormal [20, 21]': lambda n: torch.nn.init.trunc_normal_(torch.empty(n), 0.0, 1.0, 20.0, 21.0),
    'Normal (reference)': lambda n: torch.randn(n),
}


def cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


for line in sys.stdin:
    msg = json.loads(line)
    if msg.get('cmd') == 'quit':
        break
    try:
        f = CASES[msg['case']]
        t0, c0 = time.perf_counter(), cpu_s()
        x = f(int(msg['n']))
        float(x[-1])
        reply = dict(wall_ms=(time.perf_counter() - t0) * 1e3, cpu_ms=(cpu_s() - c0) * 1e3)
    except Exception as e:  # reported to the benchmark, which throws
        reply = dict(error=repr(e))
    print(json.dumps(reply), flush=True)
