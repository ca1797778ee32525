/** README.md of the PyTorch export: what the folder holds and the two ways to run it. */
import type { TrainConfig } from '../config.ts';

export function torchReadme(options: {
  command: string;
  config: TrainConfig;
  params: number;
  train: number;
  test: number;
  batchRows: number;
}): string {
  const { command, config: c, params, train, test, batchRows } = options;
  const net = `${c.arch}${c.shortcut || c.arch === 'plain' ? '' : ' (plain twin: no shortcuts)'}, depth ${c.depth}, width ${c.width}`;
  return `# ResNet Lab run in PyTorch

Exported by ResNet Lab:

    ${command}

The network (${net}, ${params.toLocaleString('en')} parameters), its initial weights, the
optimizer (${c.optimizer}, learning rate ${c.lr}, ${c.schedule} schedule, ${c.warmup} warm-up steps),
the order of the mini-batches (${batchRows} rows a step, ${c.steps.toLocaleString('en')} steps) and the data
(${c.dataset}: ${train.toLocaleString('en')} training and ${test.toLocaleString('en')} test examples) are the lab's
own, so the training loss follows the lab's run up to float32 rounding.

## Run it

One process (CPU, or the first GPU):

    python3 train.py

Several processes with DistributedDataParallel — each takes an equal slice of every step's
global batch of ${batchRows} rows, and the gradients are averaged (gloo on CPU, nccl on GPUs):

    torchrun --nproc_per_node N train.py

N must divide ${batchRows}. (torch 1.13, as Debian 12 ships it, has a launcher bug under
Python 3.11 — \`AttributeError: 'NoneType' object has no attribute 'get'\` — that
\`torchrun --redirects 1 --tee 1 --nproc_per_node N train.py\` avoids.) Batch norm uses each process's slice for its statistics (as
DistributedDataParallel does), so with N > 1 the numbers differ slightly from the lab's.

Both write \`summary.json\` (\`--out FILE\` for another name): the fields of the lab's run record
(\`resnet-lab/run@1\`: config, model, dataset, history, train, final, diverged) plus \`pytorch\`
(version, processes, backend, device). \`--losses FILE\` also writes every step's training loss.

## Scale it up

    python3 train.py --width 256 --depth 110 --steps 20000

A new width or depth builds the same kind of network at that size, with initial weights drawn by
torch (the lab's initialisation rule, another random generator). More steps than the lab's
${c.steps.toLocaleString('en')} continue with seeded torch permutations of the training rows after the
lab's batch order. Another data set: replace the .bin files (and run.json's \`dataset\`).

## Files

- \`train.py\` — the network, the optimizer, the schedule and the loop, in plain PyTorch
- \`run.json\` — the lab's config, the model and data summary, every parameter's name, shape and
  offset in \`weights.bin\`
- \`weights.bin\` — the initial weights, float32 little-endian, in the lab's layout (a dense
  weight is [in, out]; train.py transposes it into nn.Linear)
- \`train_x.bin\`, \`test_x.bin\` (float32) and \`train_y.bin\`, \`test_y.bin\` (int32) — the data
- \`batches.bin\` — int32, the training rows of each step's batch, ${c.steps.toLocaleString('en')} × ${batchRows}
`;
}
