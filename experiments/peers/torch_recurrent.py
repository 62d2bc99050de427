"""Peer of `pomdp bench nn`'s memory-core rows: the same training steps in PyTorch (CPU).

nn.LSTM / nn.GRU / nn.RNN (tanh) with 64 units over time-major [T 16, B 32, F 4], a Linear(64, 1)
on every step's output, mse against fixed targets, one Adam step: what lstmTrainMs, gruTrainMs and
rnnTrainMs measure in src/nn/bench.ts. Median of 50 steps after 5 of warm-up.

  ../shared/peers/run ../../pomdp-workbench/experiments/peers/torch_recurrent.py [threads]
or with any Python that has torch:  python3 experiments/peers/torch_recurrent.py [threads]
Prints one JSON line: milliseconds per step, torch's version and thread count.
"""
import json, statistics, sys, time
import torch, torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
x = torch.randn(16, 32, 4)
y = torch.randn(16, 32, 1)


class Seq(nn.Module):
    def __init__(self, core):
        super().__init__()
        self.core = core
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        return self.head(self.core(x)[0])


def median_ms(model, warmup=5, reps=50):
    opt = torch.optim.Adam(model.parameters(), 1e-3)

    def step():
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


res = {
    "lstmTrainMs": median_ms(Seq(nn.LSTM(4, 64))),
    "gruTrainMs": median_ms(Seq(nn.GRU(4, 64))),
    "rnnTrainMs": median_ms(Seq(nn.RNN(4, 64, nonlinearity="tanh"))),
}
print(json.dumps({**{k: round(v, 3) for k, v in res.items()}, "torch": torch.__version__, "threads": threads}))
