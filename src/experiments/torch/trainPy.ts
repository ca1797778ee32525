/**
 * train.py of the PyTorch export (`resnet-lab export --format torch`), as text: plain PyTorch
 * with the lab's architecture, names, optimizer, schedule, batch order and data (read from the
 * files beside it), on one process or many under torchrun (DistributedDataParallel). Kept here
 * as a string so that the CLI (tsx) and the page's worker both carry it without a file loader;
 * tests/unit/export-torch.test.ts runs it.
 */
export const TRAIN_PY = String.raw`#!/usr/bin/env python3
"""One ResNet Lab run in plain PyTorch, exported by 'resnet-lab export --format torch'.

The network, its initial weights, the optimizer, the learning-rate schedule, the order of the
mini-batches and the data are the lab's own (run.json and the .bin files beside this script), so
'python3 train.py' retraces the lab's run up to float32 rounding. 'torchrun --nproc_per_node N
train.py' trains the same run with DistributedDataParallel: every step's global batch is split
into N equal slices, one per process, and the gradients are averaged (gloo on CPU, nccl on GPUs).
'--width', '--depth' and '--steps' scale it up; see README.md.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
BN_EPS = 1e-5
BN_MOMENTUM = 0.1
RUN_SCHEMA = "resnet-lab/run@1"


def read_bin(name, dtype, shape):
    """A little-endian array written by the lab (float32 or int32)."""
    with open(os.path.join(HERE, name), "rb") as f:
        data = bytearray(f.read())
    if sys.byteorder != "little":
        raise SystemExit("train.py: the exported .bin files are little-endian")
    return torch.frombuffer(data, dtype=dtype).reshape(shape).clone()


# ---------------------------------------------------------------- the network (the lab's builder)


def init_std(kind, fan_in, fan_out):
    """He: sqrt(2/fan_in); Glorot: sqrt(2/(fan_in + fan_out)); naive: 0.01 (the lab's rules)."""
    if kind == "he":
        return math.sqrt(2 / fan_in)
    if kind == "glorot":
        return math.sqrt(2 / (fan_in + fan_out))
    return 0.01


class Scale(nn.Module):
    """The learnable per-feature scale that ends every residual branch (y = x * alpha)."""

    def __init__(self, dim, value):
        super().__init__()
        self.weight = nn.Parameter(torch.full((dim,), float(value)))

    def forward(self, x):
        return x * self.weight


class GroupedLinear(nn.Module):
    """ResNeXt's grouped layer: block-diagonal, group g maps its in/G features to its out/G."""

    def __init__(self, n_in, n_out, groups, bias):
        super().__init__()
        self.groups = groups
        self.weight = nn.Parameter(torch.empty(groups, n_in // groups, n_out // groups))
        self.bias = nn.Parameter(torch.zeros(n_out)) if bias else None

    def forward(self, x):
        n = x.shape[0]
        y = torch.bmm(x.reshape(n, self.groups, -1).transpose(0, 1), self.weight)
        y = y.transpose(0, 1).reshape(n, -1)
        return y if self.bias is None else y + self.bias


class Builder:
    """Makes the layers with the lab's names, and lists each parameter under its lab name."""

    def __init__(self, c):
        self.c = c
        self.use_norm = c["norm"] == "batch"
        # (lab name, parameter, how the lab stores it: 'T' = transposed Linear weight)
        self.params = []

    def linear(self, n_in, n_out, name, bias=None, bias_init=0.0, groups=1, fixed_act=None):
        with_bias = (not self.use_norm) if bias is None else bias
        std = init_std(self.c["init"], n_in // groups, n_out // groups)
        if groups > 1:
            layer = GroupedLinear(n_in, n_out, groups, with_bias)
            self.params.append((name + ".W", layer.weight, ""))
        else:
            layer = nn.Linear(n_in, n_out, bias=with_bias)
            self.params.append((name + ".W", layer.weight, "T"))
        with torch.no_grad():
            layer.weight.normal_(0.0, std)
            if with_bias:
                layer.bias.fill_(bias_init)
        if with_bias:
            self.params.append((name + ".b", layer.bias, ""))
        return layer

    def norm(self, dim, name):
        if not self.use_norm:
            return nn.Identity()
        bn = nn.BatchNorm1d(dim, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.params.append((name + ".bn.gamma", bn.weight, ""))
        self.params.append((name + ".bn.beta", bn.bias, ""))
        return bn

    def act(self):
        return {
            "relu": nn.ReLU(),
            "tanh": nn.Tanh(),
            "sigmoid": nn.Sigmoid(),
            "identity": nn.Identity(),
        }[self.c["activation"]]

    def scale(self, dim, name, skip):
        # zero: every residual block starts as the identity; the plain twin's scale starts at 1
        value = 0.0 if skip and self.c["residualInit"] == "zero" else 1.0
        layer = Scale(dim, value)
        self.params.append((name + ".scale", layer.weight, ""))
        return layer


class BasicBlock(nn.Module):
    """resnet / plain: x -> dense -> BN -> act -> dense -> BN -> *alpha -> (+ x) -> act."""

    def __init__(self, b, w, name, skip):
        super().__init__()
        self.skip = skip
        self.fc1, self.bn1, self.act1 = b.linear(w, w, name + ".1"), b.norm(w, name + ".1"), b.act()
        self.fc2, self.bn2 = b.linear(w, w, name + ".2"), b.norm(w, name + ".2")
        self.alpha, self.act = b.scale(w, name, skip), b.act()

    def forward(self, x):
        h = self.alpha(self.bn2(self.fc2(self.act1(self.bn1(self.fc1(x))))))
        return self.act(x + h if self.skip else h)


class PreActBlock(nn.Module):
    """preact: x -> BN -> act -> dense -> BN -> act -> dense -> *alpha -> (+ x)."""

    def __init__(self, b, w, name, skip):
        super().__init__()
        self.skip = skip
        self.bn1, self.act1, self.fc1 = b.norm(w, name + ".1"), b.act(), b.linear(w, w, name + ".1")
        self.bn2, self.act2, self.fc2 = b.norm(w, name + ".2"), b.act(), b.linear(w, w, name + ".2")
        self.alpha = b.scale(w, name, skip)

    def forward(self, x):
        h = self.fc1(self.act1(self.bn1(x)))
        h = self.alpha(self.fc2(self.act2(self.bn2(h))))
        return x + h if self.skip else h


class BottleneckBlock(nn.Module):
    """bottleneck (inner w/4) and resnext (inner w/2, the middle layer in C groups)."""

    def __init__(self, b, w, name, skip, inner, groups):
        super().__init__()
        self.skip = skip
        self.fc1, self.bn1, self.act1 = b.linear(w, inner, name + ".1"), b.norm(inner, name + ".1"), b.act()
        self.fc2 = b.linear(inner, inner, name + ".2", groups=groups)
        self.bn2, self.act2 = b.norm(inner, name + ".2"), b.act()
        self.fc3, self.bn3 = b.linear(inner, w, name + ".3"), b.norm(w, name + ".3")
        self.alpha, self.act = b.scale(w, name, skip), b.act()

    def forward(self, x):
        h = self.act1(self.bn1(self.fc1(x)))
        h = self.act2(self.bn2(self.fc2(h)))
        h = self.alpha(self.bn3(self.fc3(h)))
        return self.act(x + h if self.skip else h)


class HighwayBlock(nn.Module):
    """highway: y = H(x)*T(x) + x*(1 - T(x)), H = act(BN(dense)), T = sigmoid(dense + gate bias)."""

    def __init__(self, b, w, name, skip):
        super().__init__()
        self.carry = skip
        self.fcH, self.bnH, self.actH = b.linear(w, w, name + ".H"), b.norm(w, name + ".H"), b.act()
        self.fcT = b.linear(w, w, name + ".T", bias=True, bias_init=b.c["gateBias"])

    def forward(self, x):
        h = self.actH(self.bnH(self.fcH(x)))
        t = torch.sigmoid(self.fcT(x))
        return h * t + x * (1 - t) if self.carry else h * t


class DenseBlock(nn.Module):
    """densenet: two densely connected layers of k features, then a transition back to w.
    In the plain twin the skipped features enter the concatenations as zeros."""

    def __init__(self, b, w, name, skip):
        super().__init__()
        k = b.c["growthRate"]
        self.skip = skip
        self.bn1, self.act1, self.fc1 = b.norm(w, name + ".1"), b.act(), b.linear(w, k, name + ".1")
        self.bn2, self.act2, self.fc2 = b.norm(w + k, name + ".2"), b.act(), b.linear(w + k, k, name + ".2")
        self.bnt, self.actt = b.norm(w + 2 * k, name + ".t"), b.act()
        self.transition = b.linear(w + 2 * k, w, name + ".transition")

    def forward(self, x):
        cut = (lambda t: t) if self.skip else torch.zeros_like
        l1 = self.fc1(self.act1(self.bn1(x)))
        l2 = self.fc2(self.act2(self.bn2(torch.cat([cut(x), l1], 1))))
        c2 = torch.cat([cut(x), cut(l1), l2], 1)
        return self.transition(self.actt(self.bnt(c2)))


LAYERS_PER_BLOCK = {"plain": 2, "resnet": 2, "preact": 2, "bottleneck": 3, "resnext": 3, "densenet": 3, "highway": 1}


def blocks_for_depth(arch, depth):
    per = LAYERS_PER_BLOCK[arch]
    blocks = (depth - 2) / per
    if blocks < 1 or blocks != int(blocks):
        valid = ", ".join(str(2 + per * n) for n in range(1, 6))
        raise SystemExit(f"train.py: --depth {depth} does not fit {arch} blocks ({valid}, ...: 2 + {per}*blocks)")
    return int(blocks)


class Net(nn.Module):
    """stem -> blocks -> head, as the lab builds it (pre-activation nets end with BN -> act)."""

    def __init__(self, c, input_dim, outputs):
        super().__init__()
        b = Builder(c)
        w, arch = c["width"], c["arch"]
        skip = c["shortcut"] and arch != "plain"
        pre = arch in ("preact", "densenet")
        self.stem = b.linear(input_dim, w, "stem", bias=not b.use_norm)
        self.stem_post = nn.Identity() if pre else nn.Sequential(b.norm(w, "stem"), b.act())
        blocks = []
        for i in range(blocks_for_depth(arch, c["depth"])):
            name = f"block{i + 1}"
            if arch in ("plain", "resnet"):
                blocks.append(BasicBlock(b, w, name, skip))
            elif arch == "preact":
                blocks.append(PreActBlock(b, w, name, skip))
            elif arch in ("bottleneck", "resnext"):
                nxt = arch == "resnext"
                inner = w // 2 if nxt else w // 4
                blocks.append(BottleneckBlock(b, w, name, skip, inner, c["cardinality"] if nxt else 1))
            elif arch == "highway":
                blocks.append(HighwayBlock(b, w, name, skip))
            elif arch == "densenet":
                blocks.append(DenseBlock(b, w, name, skip))
            else:
                raise SystemExit(f"train.py: unknown block type {arch}")
        self.blocks = nn.ModuleList(blocks)
        self.final = nn.Sequential(b.norm(w, "final"), b.act()) if pre else nn.Identity()
        self.head = b.linear(w, outputs, "head", bias=True)
        self.lab_params = b.params

    def forward(self, x):
        h = self.stem_post(self.stem(x))
        for block in self.blocks:
            h = block(h)
        return self.head(self.final(h))

    def load_lab_weights(self, manifest, flat):
        """Copies the lab's initial weights (weights.bin, listed in run.json) into the layers."""
        entries = {p["name"]: p for p in manifest}
        if len(entries) != len(self.lab_params):
            raise SystemExit("train.py: the network does not match run.json's parameter list")
        with torch.no_grad():
            for name, param, how in self.lab_params:
                p = entries[name]
                value = flat[p["offset"]: p["offset"] + p["size"]].reshape(p["shape"])
                param.copy_(value.t() if how == "T" else value)


# ---------------------------------------------------------------- loss, schedule, optimizer


def loss_and_correct(z, y, loss_kind):
    """Mean loss over the rows and the number predicted right (the lab's two losses)."""
    if loss_kind == "softmax":
        return F.cross_entropy(z, y), (z.argmax(1) == y).sum()
    if z.shape[1] == 1:
        loss = F.binary_cross_entropy_with_logits(z[:, 0], y.to(z.dtype))
        return loss, ((z[:, 0] > 0).long() == y).sum()
    target = F.one_hot(y, z.shape[1]).to(z.dtype)
    loss = F.binary_cross_entropy_with_logits(z, target, reduction="sum") / z.shape[0]
    return loss, (z.argmax(1) == y).sum()


def learning_rate(schedule, base, step, total, warmup):
    """Linear warm-up, then constant, step (/10 at 50% and 75%) or cosine decay to zero."""
    if step < warmup:
        return base * (step + 1) / warmup
    if schedule == "constant":
        return base
    if schedule == "step":
        f = step / total
        return base if f < 0.5 else base * 0.1 if f < 0.75 else base * 0.01
    span = max(1, total - warmup)
    progress = min(1, (step - warmup) / span)
    return 0.5 * base * (1 + math.cos(math.pi * progress))


def make_optimizer(c, net):
    """The lab's optimizer; L2 weight decay on weights only (not biases, norms or scales)."""
    decayed = {id(p) for name, p, _ in net.lab_params if name.endswith(".W")}
    groups = [
        {"params": [p for _, p, _ in net.lab_params if id(p) in decayed], "weight_decay": c["weightDecay"]},
        {"params": [p for _, p, _ in net.lab_params if id(p) not in decayed], "weight_decay": 0.0},
    ]
    if c["optimizer"] == "sgd":
        return torch.optim.SGD(groups, lr=c["lr"], momentum=0.0)
    if c["optimizer"] == "momentum":
        return torch.optim.SGD(groups, lr=c["lr"], momentum=c["momentum"])
    return torch.optim.Adam(groups, lr=c["lr"], betas=(c["momentum"], 0.999), eps=1e-8)


# ---------------------------------------------------------------- the run


def evaluate(net, x, y, count, loss_kind):
    """Loss and accuracy in evaluation mode (running BN statistics) on the first 'count' rows."""
    if count == 0:
        return None, None
    was = net.training
    net.train(False)  # evaluation mode: running BN statistics
    with torch.no_grad():
        loss, correct = loss_and_correct(net(x[:count]), y[:count], loss_kind)
    net.train(was)
    loss = float(loss)
    if not math.isfinite(loss):
        return None, None
    return loss, int(correct) / count


def metrics(net, data, limit, loss_kind):
    tr = evaluate(net, data["train_x"], data["train_y"], min(limit, data["train_x"].shape[0]), loss_kind)
    te = evaluate(net, data["test_x"], data["test_y"], min(limit, data["test_x"].shape[0]), loss_kind)
    return {"trainLoss": tr[0], "trainAccuracy": tr[1], "testLoss": te[0], "testAccuracy": te[1]}


class BatchOrder:
    """Row indices of each step's global batch: the lab's order (batches.bin) while it lasts,
    then seeded torch permutations of the training rows, one after another (a longer run)."""

    def __init__(self, recorded, n_train, rows, seed):
        self.recorded, self.n_train, self.rows = recorded, n_train, rows
        self.generator = torch.Generator().manual_seed(seed)
        self.pending = torch.empty(0, dtype=torch.long)

    def at(self, step):
        if step < self.recorded.shape[0]:
            return self.recorded[step]
        while self.pending.numel() < self.rows:
            self.pending = torch.cat([self.pending, torch.randperm(self.n_train, generator=self.generator)])
        batch, self.pending = self.pending[: self.rows], self.pending[self.rows:]
        return batch


def main():
    parser = argparse.ArgumentParser(description="One ResNet Lab run in PyTorch (see README.md).")
    parser.add_argument("--width", type=int, help="units per hidden layer (default: the lab's)")
    parser.add_argument("--depth", type=int, help="weight layers (default: the lab's)")
    parser.add_argument("--steps", type=int, help="training steps (default: the lab's)")
    parser.add_argument("--out", default="summary.json", help="where rank 0 writes the run summary")
    parser.add_argument("--losses", help="also write every step's training loss (JSON list) here")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads per process (0: torch's choice)")
    args = parser.parse_args()

    with open(os.path.join(HERE, "run.json")) as f:
        run = json.load(f)
    c = dict(run["config"])
    if c.get("model", "mlp") != "mlp":
        raise SystemExit("train.py: builds the lab's dense networks; this run's is " + str(c["model"]))
    for key in ("width", "depth", "steps"):
        value = getattr(args, key)
        if value is not None:
            if value < 1:
                raise SystemExit(f"train.py: --{key} must be at least 1, got {value}")
            c[key] = value
    scaled = c["width"] != run["config"]["width"] or c["depth"] != run["config"]["depth"]
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    distributed = world > 1
    cuda = torch.cuda.is_available()
    device = torch.device("cpu")
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
    if cuda:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)

    ds = run["dataset"]
    dim, n_train, n_test = ds["inputDim"], ds["train"], ds["test"]
    data = {
        "train_x": read_bin("train_x.bin", torch.float32, (n_train, dim)).to(device),
        "train_y": read_bin("train_y.bin", torch.int32, (n_train,)).long().to(device),
        "test_x": read_bin("test_x.bin", torch.float32, (n_test, dim)).to(device),
        "test_y": read_bin("test_y.bin", torch.int32, (n_test,)).long().to(device),
    }
    rows = min(c["batch"], n_train)
    recorded = read_bin("batches.bin", torch.int32, (run["batchSteps"], rows)).long()
    order = BatchOrder(recorded, n_train, rows, c["seed"])
    if distributed and rows % world != 0:
        raise SystemExit(f"train.py: the global batch of {rows} rows does not split into {world} equal slices")

    torch.manual_seed(c["seed"])
    outputs = run["model"]["outputs"]
    net = Net(c, dim, outputs)
    if not scaled:
        net.load_lab_weights(run["params"], read_bin("weights.bin", torch.float32, (-1,)))
    elif rank == 0:
        print("train.py: a new width or depth: initial weights drawn by torch (the lab's rule, another RNG)")
    net.to(device)
    model = nn.parallel.DistributedDataParallel(net) if distributed else net
    optimizer = make_optimizer(c, net)
    loss_kind = c["loss"]

    history, train_points, losses = [], [], []
    diverged = None
    if rank == 0:
        history.append({"step": 0, **metrics(net, data, c["evalSamples"], loss_kind)})
    loss_sum, correct_sum, seen = 0.0, 0, 0
    epoch_rows = 0
    share = rows // world
    for step in range(c["steps"]):
        lr = learning_rate(c["schedule"], c["lr"], step, c["steps"], c["warmup"])
        for group in optimizer.param_groups:
            group["lr"] = lr
        idx = order.at(step).to(device)
        mine = idx[rank * share: (rank + 1) * share]
        optimizer.zero_grad(set_to_none=True)
        loss, correct = loss_and_correct(model(data["train_x"][mine]), data["train_y"][mine], loss_kind)
        loss.backward()
        stats = torch.stack([loss.detach() * share, correct.to(loss.dtype)]).double()
        if distributed:
            dist.all_reduce(stats)
        step_loss, step_correct = float(stats[0]) / rows, int(round(float(stats[1])))
        done = step + 1
        if not math.isfinite(step_loss):
            diverged = {"step": done}
            break
        optimizer.step()
        losses.append(step_loss)
        loss_sum += step_loss * rows
        correct_sum += step_correct
        seen += rows
        epoch_rows += rows
        last = done == c["steps"]
        if done % c["logEvery"] == 0 or last:
            train_points.append({
                "step": done,
                "epoch": epoch_rows // n_train,
                "lr": lr,
                "loss": loss_sum / seen,
                "accuracy": correct_sum / seen,
            })
            loss_sum, correct_sum, seen = 0.0, 0, 0
        if rank == 0 and (done % c["evalEvery"] == 0 or last):
            history.append({"step": done, **metrics(net, data, c["evalSamples"], loss_kind)})

    steps_done = diverged["step"] if diverged else c["steps"]
    if rank == 0:
        final = {**metrics(net, data, float("inf"), loss_kind), "steps": steps_done}
        summary = {
            "schema": RUN_SCHEMA,
            "config": c,
            "model": run["model"] if not scaled else {
                **run["model"],
                "depth": c["depth"],
                "blocks": len(net.blocks),
                "weightLayers": sum(1 for name, _, _ in net.lab_params if name.endswith(".W")),
                "params": sum(p.numel() for _, p, _ in net.lab_params),
            },
            "dataset": ds,
            "history": history,
            "train": train_points,
            "final": final,
            "diverged": diverged,
            "pytorch": {
                "version": torch.__version__,
                "processes": world,
                "backend": dist.get_backend() if distributed else None,
                "device": str(device),
            },
        }
        with open(args.out, "w") as f:
            json.dump(summary, f, indent=2)
            f.write("\n")
        if args.losses:
            with open(args.losses, "w") as f:
                json.dump(losses, f)
        last = final
        print(f"train.py: {steps_done} steps on {world} process(es); final train loss {last['trainLoss']}, "
              f"test accuracy {last['testAccuracy']}; summary in {args.out}")
    if distributed:
        dist.destroy_process_group()
    return 3 if diverged else 0


if __name__ == "__main__":
    sys.exit(main())
`;
