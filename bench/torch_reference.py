#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: the reference tasks of
../shared/reference/benchmarks.md (the R tasks' MLPs and the C tasks' CIFAR-style conv nets)
on one CPU thread.

bench/run.ts starts this script once (when `python3 -c "import torch"` works) and sends one
JSON request per line on stdin; the script answers each with one JSON line on stdout, so
PyTorch's cells are measured in the same run, interleaved with the other engines'.

Request:  {"task": "R56", "arch": "plain" | "resnet", "layers": 56, "width": 32,
           "batch": 64, "seconds": 2, "minSteps": 50, "x": [...], "y": [...]}
Answer:   {"task": ..., "arch": ..., "msPerStep": median wall ms, "cpuMsPerStep": median
           CPU ms, "steps": n, "loss": last loss, "torch": version}

The network: stem Linear(2, width) + ReLU, `layers` hidden Linear(width, width) + ReLU (residual:
h = h + relu(W h + b)), head Linear(width, 1), sigmoid cross-entropy, plain SGD (lr 0.01),
float32, He-normal weights, zero biases.

Conv requests ("family": "conv", with "depth", "width", "batch", "image": [h, w, c] and the x of
one batch of digits, NHWC) build the C tasks' net: a 3x3 stem, three stages of n = (depth - 2) / 6
basic blocks at width, 2 width, 4 width (stride 2 first in stages 2 and 3), batch norm after every
conv, option A shortcuts in the residual nets (subsample, zero-pad channels), global average
pooling, Linear(4 width, 10), cross-entropy, SGD lr 0.05 momentum 0.9. PyTorch runs NCHW, its
default layout.

Run alone: `python3 bench/torch_reference.py --selftest`.
"""

import json
import math
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:  # already set
    pass

LEARNING_RATE = 0.01


class Mlp(torch.nn.Module):
    def __init__(self, layers, width, residual):
        super().__init__()
        self.residual = residual
        self.stem = torch.nn.Linear(2, width)
        self.hidden = torch.nn.ModuleList(torch.nn.Linear(width, width) for _ in range(layers))
        self.head = torch.nn.Linear(width, 1)
        for layer in [self.stem, *self.hidden, self.head]:
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        h = torch.relu(self.stem(x))
        for layer in self.hidden:
            out = torch.relu(layer(h))
            h = h + out if self.residual else out
        return self.head(h)


class BasicBlock(torch.nn.Module):
    def __init__(self, cin, cout, stride, residual):
        super().__init__()
        self.residual = residual
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(cout)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.stride = stride
        self.side = (cout - cin) // 2

    def forward(self, x):
        out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        if not self.residual:
            return torch.relu(out)
        shortcut = x
        if self.stride != 1 or self.side:
            # option A: every other pixel, the new channels zero on both sides
            shortcut = torch.nn.functional.pad(
                x[:, :, :: self.stride, :: self.stride], (0, 0, 0, 0, self.side, self.side)
            )
        return torch.relu(out + shortcut)


class CifarNet(torch.nn.Module):
    def __init__(self, depth, width, channels, residual):
        super().__init__()
        n = (depth - 2) // 6
        self.stem = torch.nn.Conv2d(channels, width, 3, 1, 1, bias=False)
        self.bn = torch.nn.BatchNorm2d(width)
        blocks = []
        cin = width
        for stage in range(3):
            cout = width << stage
            for b in range(n):
                stride = 2 if stage > 0 and b == 0 else 1
                blocks.append(BasicBlock(cin, cout, stride, residual))
                cin = cout
        self.blocks = torch.nn.Sequential(*blocks)
        self.head = torch.nn.Linear(cin, 10)
        for m in self.modules():
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        torch.nn.init.zeros_(self.head.bias)

    def forward(self, x):
        h = self.blocks(torch.relu(self.bn(self.stem(x))))
        return self.head(h.mean(dim=(2, 3)))


def build(request):
    """The model, one batch (x, y), the optimizer and the loss of a request."""
    batch = request["batch"]
    if request.get("family") == "conv":
        h, w, c = request["image"]
        model = CifarNet(request["depth"], request["width"], c, request["arch"] == "resnet")
        # the batch arrives NHWC; PyTorch's convolutions take NCHW
        x = torch.tensor(request["x"], dtype=torch.float32).reshape(batch, h, w, c)
        x = x.permute(0, 3, 1, 2).contiguous()
        y = torch.tensor(request["y"], dtype=torch.long)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        return model, x, y, optimizer, torch.nn.CrossEntropyLoss()
    model = Mlp(request["layers"], request["width"], request["arch"] == "resnet")
    x = torch.tensor(request["x"], dtype=torch.float32).reshape(batch, 2)
    y = torch.tensor(request["y"], dtype=torch.float32).reshape(batch, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    return model, x, y, optimizer, torch.nn.BCEWithLogitsLoss()


def measure(request):
    torch.manual_seed(1)
    model, x, y, optimizer, loss_fn = build(request)

    def step():
        optimizer.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    seconds = request["seconds"]
    warm_end = time.perf_counter() + min(1.0, seconds * 0.1)
    loss = step()
    for _ in range(5):
        if time.perf_counter() >= warm_end:
            break
        loss = step()
    wall, cpu = [], []
    deadline = time.perf_counter() + seconds
    while len(wall) < request["minSteps"] or (time.perf_counter() < deadline and len(wall) < 400):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = step()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        # a very slow cell stops early, except where the task asks for all of minSteps (conv)
        if (not request.get("family") == "conv" and len(wall) >= 3
                and time.perf_counter() > deadline + seconds * 4):
            break
    return {
        "task": request["task"],
        "arch": request["arch"],
        "msPerStep": statistics.median(wall),
        "cpuMsPerStep": statistics.median(cpu),
        "steps": len(wall),
        # the residual tasks overflow to NaN within a few steps (He init, no normalisation), as
        # in every engine; JSON has no NaN, so a non-finite loss travels as null
        "loss": loss if math.isfinite(loss) else None,
        "torch": torch.__version__,
    }


def main():
    if "--selftest" in sys.argv:
        request = {"task": "R20", "arch": "plain", "layers": 20, "width": 16, "batch": 64,
                   "seconds": 0.5, "minSteps": 10,
                   "x": [0.1 * (i % 7) for i in range(128)], "y": [i % 2 for i in range(64)]}
        print(json.dumps(measure(request)))
        conv = {"task": "C20", "arch": "resnet", "family": "conv", "depth": 20, "width": 8,
                "batch": 32, "image": [14, 14, 1], "seconds": 0.5, "minSteps": 10,
                "x": [0.01 * (i % 97) for i in range(32 * 196)], "y": [i % 10 for i in range(32)]}
        print(json.dumps(measure(conv)))
        return
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = measure(json.loads(line))
        except Exception as error:  # reported to bench/run.ts, which prints it
            answer = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
