"""PyTorch side of bench/mdn.ts: a long-lived child so tfjs and torch repetitions
interleave in one run on the same (shared) machine.

The network is the recipe's mixture density network: Linear(1,128) ReLU
Linear(128,128) ReLU, MDN head Linear(128, 60) -> [mu (20), sigma = elu+1+1e-7 (20),
logits (20)], loss = mean over the batch of -log sum_k softmax(logits)_k N(y; mu_k, sigma_k),
Adam(lr=1e-3), batch 128.

Protocol: one JSON object per line on stdin, one JSON line back on stdout.
  {"cmd": "setup", "n": N, "batch": B, "seed": S}  -> {"ok": true}
  {"cmd": "run", "steps": T}                        -> {"ms": total milliseconds for T steps, "loss": last}
  {"cmd": "epoch"}                                  -> {"ms": one pass over all N points in a random order, batches of B
                                                        (the last one partial, as model.fit), "loss": last,
                                                        "cpu_ms": process CPU time of that pass}
  {"cmd": "matmul", "m": M, "k": K, "n": N}        -> {"cpu_us": median process CPU microseconds of one float32
                                                        torch.mm [M, K] x [K, N] (7 rounds of 200)}
  {"cmd": "quit"}

Run with the project's baseline environment:
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=1 \
    /usr/bin/python3 bench/torch_mdn.py
"""
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)
K = 20
state = {}


class MDN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = torch.nn.Linear(1, 128)
        self.l2 = torch.nn.Linear(128, 128)
        self.head = torch.nn.Linear(128, 3 * K)

    def forward(self, x):
        h = F.relu(self.l2(F.relu(self.l1(x))))
        z = self.head(h)
        mu, s, logits = z[:, :K], z[:, K:2 * K], z[:, 2 * K:]
        return mu, F.elu(s) + 1 + 1e-7, logits


def nll(mu, sigma, logits, y):
    comp = -0.5 * ((y - mu) / sigma) ** 2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)
    return -torch.logsumexp(F.log_softmax(logits, -1) + comp, -1).mean()


def spiral(n, rng):
    angle = rng.uniform(0, 4 * np.pi, n)
    xy = np.stack([angle * np.cos(angle), angle * np.sin(angle)], 1) + rng.normal(0, 0.2, (n, 2))
    xy = 5 * (xy - xy.min()) / (xy.max() - xy.min())
    return xy[:, :1].astype(np.float32), xy[:, 1:].astype(np.float32)


def setup(msg):
    rng = np.random.default_rng(msg.get("seed", 0))
    x, y = spiral(msg["n"], rng)
    model = MDN()
    state.update(model=model, opt=torch.optim.Adam(model.parameters(), lr=1e-3),
                 x=torch.from_numpy(x), y=torch.from_numpy(y), batch=msg["batch"], pos=0)


def epoch():
    model, opt, x, y, b = state["model"], state["opt"], state["x"], state["y"], state["batch"]
    loss = None
    t0 = time.perf_counter()
    c0 = time.process_time()
    perm = torch.randperm(x.shape[0])
    for i in range(0, x.shape[0], b):
        idx = perm[i:i + b]
        opt.zero_grad()
        loss = nll(*model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    return (time.perf_counter() - t0) * 1000, float(loss), (time.process_time() - c0) * 1000


def matmul(m, k, n):
    a, b = torch.randn(m, k), torch.randn(k, n)
    times = []
    for _ in range(7):
        c0 = time.process_time()
        for _ in range(200):
            torch.mm(a, b)
        times.append((time.process_time() - c0) / 200 * 1e6)
    return sorted(times)[3]


def run(steps):
    model, opt, x, y, b = state["model"], state["opt"], state["x"], state["y"], state["batch"]
    n = x.shape[0]
    loss = None
    t0 = time.perf_counter()
    for _ in range(steps):
        i = state["pos"]
        state["pos"] = (i + b) % (n - n % b)
        xb, yb = x[i:i + b], y[i:i + b]
        opt.zero_grad()
        loss = nll(*model(xb), yb)
        loss.backward()
        opt.step()
    ms = (time.perf_counter() - t0) * 1000
    return ms, float(loss)


for line in sys.stdin:
    msg = json.loads(line)
    try:
        if msg["cmd"] == "setup":
            setup(msg)
            out = {"ok": True}
        elif msg["cmd"] == "run":
            ms, loss = run(msg["steps"])
            out = {"ms": ms, "loss": loss}
        elif msg["cmd"] == "epoch":
            ms, loss, cpu_ms = epoch()
            out = {"ms": ms, "loss": loss, "cpu_ms": cpu_ms}
        elif msg["cmd"] == "matmul":
            out = {"cpu_us": matmul(msg["m"], msg["k"], msg["n"])}
        elif msg["cmd"] == "quit":
            break
        else:
            out = {"error": "unknown cmd %r" % msg["cmd"]}
    except Exception as e:  # report to the parent instead of dying silently
        out = {"error": repr(e)}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
