"""PyTorch side of bench/mvn.ts: a long-lived child process so that tfjs and
torch repetitions are interleaved in one run on the same (shared) machine.

Protocol: one JSON object per line on stdin, one JSON line back on stdout.
  {"cmd": "setup", "workload": NAME, "n": N, "d": D, "samples": S, "shared": false}  -> {"ok": true}
      (shared: one scaleTril [D, D] for all rows instead of one per row)
  {"cmd": "run", "workload": NAME}                                  -> {"ms": elapsed, "cpu_ms": process CPU time}
  {"cmd": "quit"}
Workloads (same shapes and parameter recipe as the tfjs side):
  logprob       MultivariateNormal(loc, scale_tril=L, validate_args=False).log_prob(x)
  logprob_grad  the same, then .sum().backward() w.r.t. loc and L
  sample        MultivariateNormal(loc, scale_tril=L, validate_args=False).rsample((S,))
  randn         torch.randn(S, N, D) alone (the standard normals inside sample)

Run with the project's baseline environment:
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=1 \
    /usr/bin/python3 bench/torch_mvn.py
"""
import json
import sys
import time

import torch
from torch.distributions import MultivariateNormal

torch.set_num_threads(2)
torch.manual_seed(0)

state = {}


def make_params(n, d, shared=False):
    """loc [N, D], lower-triangular L [N, D, D] (or one [D, D] when shared) with diagonal in [0.5, 1.5], x [N, D]."""
    loc = torch.randn(n, d)
    m = 1 if shared else n
    L = torch.tril(0.3 * torch.randn(m, d, d), -1) + torch.diag_embed(0.5 + torch.rand(m, d))
    if shared:
        L = L[0]
    x = loc + torch.randn(n, d)
    return loc, L, x


def setup(msg):
    w = msg["workload"]
    loc, L, x = make_params(msg["n"], msg["d"], msg.get("shared", False))
    if w == "logprob_grad":
        loc.requires_grad_(True)
        L.requires_grad_(True)
    state.clear()
    state.update(workload=w, loc=loc, L=L, x=x, samples=msg.get("samples", 1))


def run():
    w = state["workload"]
    loc, L, x = state["loc"], state["L"], state["x"]
    t0 = time.perf_counter()
    c0 = time.process_time()
    if w == "logprob":
        with torch.no_grad():
            out = MultivariateNormal(loc, scale_tril=L, validate_args=False).log_prob(x)
    elif w == "logprob_grad":
        loc.grad = None
        L.grad = None
        out = MultivariateNormal(loc, scale_tril=L, validate_args=False).log_prob(x)
        out.sum().backward()
    elif w == "randn":
        out = torch.randn(state["samples"], loc.shape[0], loc.shape[1])
    elif w == "sample":
        with torch.no_grad():
            out = MultivariateNormal(loc, scale_tril=L, validate_args=False).rsample((state["samples"],))
    else:
        raise ValueError(f"unknown workload {w}")
    ms = (time.perf_counter() - t0) * 1000
    cpu_ms = (time.process_time() - c0) * 1000
    del out
    return ms, cpu_ms


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        cmd = msg["cmd"]
        try:
            if cmd == "setup":
                setup(msg)
                reply = {"ok": True, "torch": torch.__version__, "threads": torch.get_num_threads()}
            elif cmd == "run":
                ms, cpu_ms = run()
                reply = {"ms": ms, "cpu_ms": cpu_ms}
            elif cmd == "quit":
                break
            else:
                reply = {"error": f"unknown cmd {cmd}"}
        except Exception as e:  # report, keep serving
            reply = {"error": repr(e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
