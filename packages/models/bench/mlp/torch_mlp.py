"""PyTorch CPU peer: 8 -> 64 -> 64 -> 1 tanh, float32, Adam, shuffled minibatches.

Usage: python3 torch_mlp.py ROWS BATCH EPOCHS THREADS
"""
import json
import sys
import time

import numpy as np
import torch

rows, batch, epochs, threads = (int(a) for a in sys.argv[1:5])
torch.set_num_threads(threads)
torch.manual_seed(0)
rng = np.random.default_rng(0)
x = rng.standard_normal((rows, 8)).astype(np.float32)
y = (np.sin(x[:, 0]) + 0.5 * x[:, 1] * x[:, 2] + 0.1 * rng.standard_normal(rows)).astype(np.float32)
X = torch.from_numpy(x)
Y = torch.from_numpy(y)
model = torch.nn.Sequential(
    torch.nn.Linear(8, 64), torch.nn.Tanh(),
    torch.nn.Linear(64, 64), torch.nn.Tanh(),
    torch.nn.Linear(64, 1),
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)


def epoch():
    perm = torch.randperm(rows)
    total = 0.0
    for start in range(0, rows, batch):
        idx = perm[start:start + batch]
        opt.zero_grad()
        loss = 0.5 * ((model(X[idx])[:, 0] - Y[idx]) ** 2).mean()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return total / rows


epoch()  # warm-up: one epoch over the data, as every runner does
times = []
for _ in range(epochs):
    t0 = time.perf_counter()
    last = epoch()
    times.append(time.perf_counter() - t0)
print(json.dumps({"epochSeconds": times, "finalLoss": last}))
