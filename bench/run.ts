/**
 * `npm run bench [-- --json] [-- --task R56] [-- --engine resnet-lab-wasm,tfjs-wasm] [-- --conv]`:
 * median milliseconds per training step on the reference tasks (R: MLPs on the spiral; C: the
 * CIFAR-style conv nets on the digits; `--conv` runs only C20 and C56, without the whole-lab
 * figures) — this engine on both kernel paths
 * (resnet-lab-wasm: WebAssembly SIMD; resnet-lab-ts: the TypeScript reference) against
 * TensorFlow.js (wasm and cpu backends) and PyTorch (bench/torch_reference.py, when python3 can
 * import torch) — all measured in one run, cell after cell, so that ratios hold on a noisy
 * shared machine; then the whole-lab figures. A benchmark, never a test: nothing here asserts a
 * speed.
 *
 * Each cell reports the median wall-clock time of a step and, beside it, the median CPU time
 * (process.cpuUsage around the step), which a busy machine inflates less; the load average is
 * printed with the table. The whole matrix of cells runs `--passes` times (2 by default), and each
 * cell keeps its fastest pass: on a shared 2-vCPU machine a neighbour's burst can slow one cell by
 * 1.5–2×, and the best of two passes, cell by cell, is what the reference figures use too.
 *
 * The WebAssembly SIMD128 ceiling (register-only f32x4 multiply-then-add, bench/ceiling.ts) is
 * measured before and after the cells, and the conv rows give the wasm path's share of it.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { KernelPath } from '../src/engine/backend.ts';
import { type TrainEvent, train } from '../src/experiments/train.ts';
import { DEFAULT_SWEEP_FILE, defaultSweepCommand } from '../src/ui/convergence/preset.ts';
import { BATCH_INTERVAL_MS } from '../src/worker/api.ts';
import { packBatch } from '../src/worker/wire.ts';
import { simdCeiling } from './ceiling.ts';
import { engineTask, TASKS, type Task, type TaskArch, taskBatch, taskFlops } from './tasks.ts';
import { tfjsTask, useBackend } from './tfjs-task.ts';

type EngineName = 'resnet-lab-wasm' | 'resnet-lab-ts' | 'tfjs-wasm' | 'tfjs-cpu' | 'pytorch';
const ENGINES: readonly EngineName[] = [
  'resnet-lab-wasm',
  'resnet-lab-ts',
  'tfjs-wasm',
  'tfjs-cpu',
  'pytorch',
];
const ARCHES: readonly TaskArch[] = ['plain', 'resnet'];

interface Result {
  task: string;
  arch: TaskArch;
  engine: EngineName;
  msPerStep: number;
  gflops: number;
  /** median CPU milliseconds of a step (user + system) */
  cpuMsPerStep: number;
  steps: number;
  /** training loss after the timed steps, a sanity check that the step really trains */
  loss: number;
}

interface Measured {
  ms: number[];
  cpuMs: number[];
  loss: number;
}

/** Warm-up, then timed steps until both the minimum count and a time budget are reached. */
function measure(
  step: () => number,
  opts: { minSteps: number; maxSeconds: number; strict?: boolean },
): Measured {
  const warmEnd = performance.now() + Math.min(1000, opts.maxSeconds * 100);
  let loss = step();
  for (let i = 0; i < 5 && performance.now() < warmEnd; i++) loss = step();
  const ms: number[] = [];
  const cpuMs: number[] = [];
  const deadline = performance.now() + opts.maxSeconds * 1000;
  while (ms.length < opts.minSteps || (performance.now() < deadline && ms.length < 400)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    loss = step();
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
    // a very slow engine stops early — unless the task's rules ask for all of minSteps
    if (!opts.strict && ms.length >= 3 && performance.now() > deadline + opts.maxSeconds * 4000)
      break;
  }
  return { ms, cpuMs, loss };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

interface Options {
  json: boolean;
  tasks: Task[];
  engines: EngineName[];
  seconds: number;
  /** kernel paths for the whole-lab figures; empty: none */
  lab: KernelPath[];
  passes: number;
}

function parseArgs(argv: string[]): Options {
  let json = false;
  let tasks = [...TASKS];
  let engines = [...ENGINES];
  let seconds = 2;
  let lab: KernelPath[] = ['wasm', 'ts'];
  let passes = 2;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--task') {
      const names = (argv[++i] ?? '').split(',');
      tasks = TASKS.filter((t) => names.includes(t.name));
      if (!tasks.length)
        fail(`--task: expected one or more of ${TASKS.map((t) => t.name).join(', ')}`);
    } else if (a === '--conv') {
      tasks = TASKS.filter((t) => t.family === 'conv');
      lab = [];
    } else if (a === '--engine') {
      const names = (argv[++i] ?? '').split(',');
      engines = ENGINES.filter((e) => names.includes(e));
      if (!engines.length) fail(`--engine: expected one or more of ${ENGINES.join(', ')}`);
    } else if (a === '--seconds') {
      seconds = Number(argv[++i]);
      if (!(seconds > 0)) fail('--seconds: expected a positive number');
    } else if (a === '--passes') {
      passes = Number(argv[++i]);
      if (!(Number.isInteger(passes) && passes >= 1)) fail('--passes: expected a positive integer');
    } else if (a === '--lab') {
      const names = (argv[++i] ?? '').split(',').filter((s) => s !== 'none' && s !== '');
      if (names.some((n) => n !== 'wasm' && n !== 'ts'))
        fail('--lab: expected wasm, ts, wasm,ts or none');
      lab = names as KernelPath[];
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(
        `npm run bench [-- --json] [--task ${TASKS.map((t) => t.name).join(',')}] [--conv] [--engine ${ENGINES.join(',')}] [--seconds 2] [--passes 2] [--lab wasm,ts|none]\n` +
          '  --conv: only the conv tasks (C20, C56), no whole-lab figures (about 6 minutes with every engine and 2 passes)\n',
      );
      process.exit(0);
    } else fail(`unknown flag ${a} (try --help)`);
  }
  return { json, tasks, engines, seconds, lab, passes };
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

/**
 * Prints torch's version and, after one matrix product, the BLAS libraries the process mapped —
 * Debian's reference BLAS (`blas/libblas.so.3`) runs these tasks ≈ 15× slower than OpenBLAS
 * (`apt-get install libopenblas0-pthread`), so the bench says which one it measured.
 */
const TORCH_PROBE = [
  'import torch',
  'torch.ones(64, 64) @ torch.ones(64, 64)',
  "libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower()})",
  "print(torch.__version__ + ', BLAS ' + (', '.join(libs) or 'unknown'))",
].join('; ');

/** The PyTorch reference as a child process answering one JSON line per request. */
class Torch {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /**
   * null, with the reason, when no Python can import torch. Tries $PYTHON, then `python3` on the
   * PATH, then Debian's /usr/bin/python3 (where `apt-get install python3-torch` puts torch, and
   * which a pyenv or venv `python3` earlier on the PATH hides).
   */
  static start(): { torch: Torch; version: string } | { torch: null; reason: string } {
    const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(
      (c): c is string => !!c,
    );
    const reasons: string[] = [];
    for (const python of new Set(candidates)) {
      const probe = spawnSync(python, ['-c', TORCH_PROBE], { encoding: 'utf8' });
      if (probe.error || probe.status !== 0) {
        const why = probe.error
          ? probe.error.message
          : (probe.stderr.trim().split('\n').pop() ?? 'failed');
        reasons.push(`${python}: ${why}`);
        continue;
      }
      const script = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
      // one thread, whichever BLAS torch links (OpenBLAS starts a thread per core otherwise)
      const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
      const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'], env });
      child.stderr.on('data', (d: Buffer) => process.stderr.write(`  [pytorch] ${d.toString()}`));
      return { torch: new Torch(child), version: probe.stdout.trim() };
    }
    return { torch: null, reason: `no Python here can import torch (${reasons.join('; ')})` };
  }

  async run(task: Task, arch: TaskArch, seconds: number, minSteps: number) {
    const { x, y } = taskBatch(task);
    const request = { task: task.name, arch, ...task, seconds, minSteps, x: [...x], y: [...y] };
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error('the PyTorch reference exited');
    const answer = JSON.parse(next.value) as {
      error?: string;
      msPerStep: number;
      cpuMsPerStep: number;
      steps: number;
      /** null when the loss was not finite (JSON has no NaN) */
      loss: number | null;
    };
    if (answer.error) throw new Error(`PyTorch reference: ${answer.error}`);
    return { ...answer, loss: answer.loss ?? Number.NaN };
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** why some cells are missing (printed as notes) */
const skipped = new Set<string>();

async function runOne(
  engine: EngineName,
  task: Task,
  arch: TaskArch,
  seconds: number,
  torch: Torch | null,
): Promise<Result | null> {
  // The slowest cells (TensorFlow.js cpu on R56w128, ~3 s a step) get fewer steps.
  // (the conv tasks keep 50: the reporting rules ask for at least 50 steps)
  const heavy =
    task.family === 'mlp' &&
    taskFlops(task) > 1e8 &&
    (engine === 'tfjs-cpu' || engine === 'resnet-lab-ts');
  // TensorFlow.js's cpu backend takes 10–50 s a step on the conv tasks (its convolution
  // gradients are plain JavaScript loops): 3 steps, in the first pass only (see main)
  const crawling = task.family === 'conv' && engine === 'tfjs-cpu';
  const opts = {
    minSteps: crawling ? 3 : heavy ? 5 : 50,
    maxSeconds: seconds,
    // the conv tasks' reporting rules: the median of at least 50 steps after the warm-up
    strict: task.family === 'conv' && !crawling,
  };
  let msPerStep: number;
  let cpuMsPerStep: number;
  let steps: number;
  let loss: number;
  if (engine === 'pytorch') {
    if (!torch) return null;
    ({ msPerStep, cpuMsPerStep, steps, loss } = await torch.run(
      task,
      arch,
      seconds,
      opts.minSteps,
    ));
  } else {
    let measured: Measured;
    if (engine === 'resnet-lab-wasm' || engine === 'resnet-lab-ts') {
      const kernels = engine === 'resnet-lab-wasm' ? 'wasm' : 'ts';
      let t: ReturnType<typeof engineTask>;
      try {
        t = engineTask(task, arch, kernels);
      } catch (e) {
        if (task.family !== 'conv') throw e;
        skipped.add(`${engine} on the conv tasks: ${(e as Error).message}`);
        return null;
      }
      if (t.model.kernels !== kernels) throw new Error(`${engine}: this host has no ${kernels}`);
      measured = measure(t.step, opts);
    } else {
      await useBackend(engine === 'tfjs-wasm' ? 'wasm' : 'cpu');
      const t = tfjsTask(task, arch);
      measured = measure(t.step, opts);
      t.dispose();
    }
    msPerStep = median(measured.ms);
    cpuMsPerStep = median(measured.cpuMs);
    steps = measured.ms.length;
    loss = measured.loss;
  }
  return {
    task: task.name,
    arch,
    engine,
    msPerStep,
    gflops: taskFlops(task) / (msPerStep * 1e6),
    cpuMsPerStep,
    steps,
    loss,
  };
}

// ---------------------------------------------------------------------------------------------
// Whole-lab figures
// ---------------------------------------------------------------------------------------------

/** The Training Dynamics pair: the page's default config at depth 56 on the spiral, plain twin
 * (shortcut off) and ResNet, to 2,000 steps each — here one after the other on one thread (the
 * page runs them in two workers at once). */
function dynamicsPair(kernels: KernelPath) {
  const seconds: number[] = [];
  for (const shortcut of [false, true]) {
    const s0 = performance.now();
    for (const _e of train({ depth: 56, dataset: 'spiral', steps: 2000, shortcut, kernels }));
    seconds.push((performance.now() - s0) / 1000);
  }
  const [plain, resnet] = seconds as [number, number];
  return {
    kernels,
    wallSeconds: plain + resnet,
    plainSeconds: plain,
    resnetSeconds: resnet,
    plainStepsPerSecond: 2000 / plain,
    resnetStepsPerSecond: 2000 / resnet,
  };
}

/**
 * The cost of batch norm, introspection and message traffic over the bare step: depth-56 ResNet
 * (width 16, batch 64, spiral), evaluation only at the end. Bare: no batch norm, no layer
 * statistics, no events sent. Full: batch norm, layer statistics every 10 steps, and the events
 * packed (src/worker/wire.ts) and structured-cloned as the worker posts them: in batches, at most one per
 * BATCH_INTERVAL_MS (src/worker/api.ts).
 *
 * The two runs advance in alternating chunks of 20 steps, each chunk timed, so that both see the
 * same machine load; the figures are the medians over the chunks.
 */
function overhead(kernels: KernelPath) {
  const steps = 2000;
  const chunk = 20;
  const base = { depth: 56, dataset: 'spiral', steps, evalEvery: steps, kernels };
  const runs = [
    { run: train({ ...base, norm: 'none', layerStatsEvery: 0 }), send: false },
    { run: train({ ...base, norm: 'batch', layerStatsEvery: 10 }), send: true },
  ];
  const wall: number[][] = [[], []];
  const cpu: number[][] = [[], []];
  for (const r of runs) r.run.advance(); // start + step-0 evaluation, not timed
  let pending: TrainEvent[] = [];
  let lastSent = performance.now();
  for (let done = 0; done + chunk < steps; done += chunk) {
    runs.forEach(({ run, send }, i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let s = 0; s < chunk; s++) {
        const events = run.advance();
        if (!send) continue;
        for (const e of events) pending.push(e);
        const now = performance.now();
        if (now - lastSent >= BATCH_INTERVAL_MS) {
          // what the worker posts: the batch packed as it travels (src/worker/wire.ts)
          structuredClone(
            packBatch({ events: pending, step: run.step, time: now, activeMs: 0, paused: false }),
          );
          pending = [];
          lastSent = now;
        }
      }
      const c = process.cpuUsage(c0);
      wall[i]!.push((performance.now() - t0) / chunk);
      cpu[i]!.push((c.user + c.system) / 1000 / chunk);
    });
  }
  const bare = { msPerStep: median(wall[0]!), cpuMsPerStep: median(cpu[0]!) };
  const full = { msPerStep: median(wall[1]!), cpuMsPerStep: median(cpu[1]!) };
  return {
    kernels,
    bare,
    full,
    overheadWall: full.msPerStep / bare.msPerStep - 1,
    overheadCpu: full.cpuMsPerStep / bare.cpuMsPerStep - 1,
  };
}

// ---------------------------------------------------------------------------------------------

function table(results: Result[], engines: EngineName[], ceilingGflops: number | null): string {
  const lines: string[] = [];
  const ours: EngineName = engines.includes('resnet-lab-wasm') ? 'resnet-lab-wasm' : engines[0]!;
  const others = engines.filter((e) => e !== ours);
  const header = [
    'task',
    'arch',
    ...engines.map((e) => `${e} ms (cpu)`),
    ...engines.filter((e) => e.startsWith('resnet-lab')).map((e) => `${e} GFLOP/s`),
    ...(ceilingGflops ? [`${ours} % of SIMD ceiling (cpu)`] : []),
    ...others.map((e) => `${ours} × vs ${e}`),
  ];
  lines.push(`| ${header.join(' | ')} |`);
  lines.push(`|${header.map(() => '---').join('|')}|`);
  const keys = [...new Set(results.map((r) => `${r.task}/${r.arch}`))];
  for (const key of keys) {
    const [task, arch] = key.split('/');
    const cell = (e: EngineName) =>
      results.find((r) => r.task === task && r.arch === arch && r.engine === e);
    const row = [task!, arch!];
    for (const e of engines) {
      const c = cell(e);
      row.push(c ? `${fmt(c.msPerStep)} (${fmt(c.cpuMsPerStep)})` : '–');
    }
    for (const e of engines.filter((e) => e.startsWith('resnet-lab')))
      row.push(cell(e) ? cell(e)!.gflops.toFixed(2) : '–');
    const mine = cell(ours);
    if (ceilingGflops)
      // wall clock, then CPU time (the ceiling itself is timed in CPU time)
      row.push(
        mine
          ? `${((100 * mine.gflops) / ceilingGflops).toFixed(0)} % (${((100 * taskFlops(TASKS.find((t) => t.name === mine.task)!)) / (mine.cpuMsPerStep * 1e6 * ceilingGflops)).toFixed(0)} %)`
          : '–',
      );
    for (const e of others) {
      const other = cell(e);
      row.push(mine && other ? `${(other.msPerStep / mine.msPerStep).toFixed(1)}×` : '–');
    }
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/**
 * The page's default sweep (Convergence Speed Analysis) through the CLI, `--jobs 1` and
 * `--jobs 2`: wall seconds of the whole command (Node's start included), and whether it wrote the
 * bundled file's bytes.
 */
function convergenceSweep(jobs: number): {
  jobs: number;
  wallSeconds: number;
  sameAsBundled: boolean;
  loadBefore: string;
  loadAfter: string;
} {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const work = mkdtempSync(join(tmpdir(), 'resnet-lab-bench-sweep-'));
  try {
    const argv = defaultSweepCommand()
      .replace(/^npx resnet-lab /, '')
      .split(' ');
    const file = join(work, 'sweep.json');
    argv[argv.indexOf('--out') + 1] = file;
    const loadBefore = load();
    const started = performance.now();
    const r = spawnSync(
      process.execPath,
      [join(root, 'bin/resnet-lab.mjs'), ...argv, '--jobs', String(jobs), '--quiet'],
      {
        encoding: 'utf8',
      },
    );
    const wallSeconds = (performance.now() - started) / 1000;
    if (r.status !== 0) throw new Error(`the default sweep failed (exit ${r.status}): ${r.stderr}`);
    const sameAsBundled =
      readFileSync(file, 'utf8') === readFileSync(join(root, DEFAULT_SWEEP_FILE), 'utf8');
    return { jobs, wallSeconds, sameAsBundled, loadBefore, loadAfter: load() };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const { json, tasks, engines, seconds, lab, passes } = parseArgs(process.argv.slice(2));
  const notes: string[] = [];
  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    passes,
    loadBefore: load(),
    loadAfter: '',
  };
  let torch: Torch | null = null;
  if (engines.includes('pytorch')) {
    const started = Torch.start();
    if (started.torch) {
      torch = started.torch;
      notes.push(`pytorch: torch ${started.version}, one thread (bench/torch_reference.py)`);
    } else {
      notes.push(
        `pytorch: skipped — ${started.reason}; install Debian's python3-torch (and libopenblas0-pthread) to include it`,
      );
    }
    process.stderr.write(`  ${notes.at(-1)}\n`);
  }
  const results: Result[] = [];
  // the ceiling the conv goals are measured against, around the cells (the better of the two)
  const ceilings: number[] = [];
  const withCeiling = tasks.some((t) => t.family === 'conv') && engines.includes('resnet-lab-wasm');
  if (withCeiling) ceilings.push(simdCeiling().gflops);
  try {
    for (let pass = 1; pass <= passes; pass++) {
      for (const task of tasks) {
        for (const arch of ARCHES) {
          for (const engine of engines) {
            if (pass > 1 && task.family === 'conv' && engine === 'tfjs-cpu') continue;
            const r = await runOne(engine, task, arch, seconds, torch);
            if (!r) continue;
            if (!json)
              process.stderr.write(
                `  pass ${pass}: ${r.task} ${r.arch} ${r.engine}: ${fmt(r.msPerStep)} ms/step, cpu ${fmt(r.cpuMsPerStep)} (${r.steps} steps, load ${load()})\n`,
              );
            const i = results.findIndex(
              (q) => q.task === r.task && q.arch === r.arch && q.engine === r.engine,
            );
            if (i < 0) results.push(r);
            else if (r.msPerStep < results[i]!.msPerStep) results[i] = r;
          }
        }
      }
    }
  } finally {
    torch?.close();
  }
  if (withCeiling) ceilings.push(simdCeiling().gflops);
  const ceiling = ceilings.length ? Math.max(...ceilings) : null;
  if (ceiling)
    notes.push(
      `SIMD128 ceiling (register-only f32x4 mul+add, 12 chains, bench/ceiling.ts; CPU time): ${ceilings.map((g) => g.toFixed(1)).join(' before, ')} after the cells; the % column uses ${ceiling.toFixed(1)} GFLOP/s`,
    );
  for (const why of skipped) notes.push(`skipped: ${why}`);

  const labFigures: Record<string, unknown> = {};
  if (lab.includes('wasm')) {
    // the CLI's default kernels, as the page's workers use
    labFigures.convergenceSweep = [1, 2].map((jobs) => {
      if (!json) process.stderr.write(`  default convergence sweep, --jobs ${jobs}…\n`);
      return convergenceSweep(jobs);
    });
  }
  if (lab.length) {
    labFigures.dynamicsPair = lab.map((k) => {
      if (!json) process.stderr.write(`  Training Dynamics pair, depth 56, ${k} kernels…\n`);
      return dynamicsPair(k);
    });
    labFigures.overhead = lab.map((k) => {
      if (!json) process.stderr.write(`  batch norm + layer stats + events overhead, ${k}…\n`);
      return overhead(k);
    });
  }
  machine.loadAfter = load();

  if (json) {
    process.stdout.write(
      `${JSON.stringify({ tasks: results, lab: labFigures, machine, simdCeilingGflops: ceilings, notes }, null, 2)}\n`,
    );
    return;
  }
  const out: string[] = [];
  out.push(
    `Median ms per training step (forward + backward + SGD update), one thread, Node ${machine.node}, ${machine.cores} × ${machine.cpu}`,
  );
  out.push(`load average (1, 5, 15 min): ${machine.loadBefore} before, ${machine.loadAfter} after`);
  out.push(
    `wall-clock median, CPU-time median in parentheses; each cell the faster of ${passes} pass${passes > 1 ? 'es' : ''}\n`,
  );
  out.push(table(results, engines, ceiling));
  for (const n of notes) out.push(`\n- ${n}`);
  if (lab.length) out.push('\nWhole-lab figures');
  for (const p of (labFigures.dynamicsPair ?? []) as ReturnType<typeof dynamicsPair>[])
    out.push(
      `- Training Dynamics pair (plain + ResNet, depth 56, spiral) to 2,000 steps, ${p.kernels}: ${p.wallSeconds.toFixed(1)} s wall (one thread, one after the other; ${p.plainStepsPerSecond.toFixed(0)} and ${p.resnetStepsPerSecond.toFixed(0)} steps/s)`,
    );
  for (const o of (labFigures.overhead ?? []) as ReturnType<typeof overhead>[])
    out.push(
      `- batch norm + layer stats every 10 + events, over the bare step (depth-56 ResNet), ${o.kernels}: ${fmt(o.bare.msPerStep)} → ${fmt(o.full.msPerStep)} ms/step, +${(100 * o.overheadWall).toFixed(0)}% wall (cpu ${fmt(o.bare.cpuMsPerStep)} → ${fmt(o.full.cpuMsPerStep)}, +${(100 * o.overheadCpu).toFixed(0)}%)`,
    );
  for (const c of (labFigures.convergenceSweep ?? []) as ReturnType<typeof convergenceSweep>[])
    out.push(
      `- the page's default convergence sweep (18 runs, ${DEFAULT_SWEEP_FILE}) through the CLI, --jobs ${c.jobs}: ${c.wallSeconds.toFixed(1)} s wall, load ${c.loadBefore} → ${c.loadAfter}; ${c.sameAsBundled ? 'the bundled file’s bytes' : 'NOT the bundled file’s bytes'}`,
    );
  if (lab.length)
    out.push(
      "- the page's pool on the default sweep: `npm run bench:page` (Chromium; Recompute live in Convergence Speed Analysis)",
    );
  process.stdout.write(`\n${out.join('\n')}\n`);
}

await main();
