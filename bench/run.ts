/**
 * `npm run bench [-- --json] [-- --task R56] [-- --engine resnet-lab-ts]`: median milliseconds
 * per training step on the reference tasks, this engine against TensorFlow.js (wasm and cpu
 * backends), all measured in one run so that ratios hold on a noisy shared machine.
 * A benchmark, never a test: nothing here asserts a speed.
 */
import { engineTask, TASKS, type Task, type TaskArch, taskFlops } from './tasks.ts';
import { tfjsTask, useBackend } from './tfjs-task.ts';

type EngineName = 'resnet-lab-ts' | 'tfjs-wasm' | 'tfjs-cpu';
const ENGINES: readonly EngineName[] = ['resnet-lab-ts', 'tfjs-wasm', 'tfjs-cpu'];
const ARCHES: readonly TaskArch[] = ['plain', 'resnet'];

interface Result {
  task: string;
  arch: TaskArch;
  engine: EngineName;
  msPerStep: number;
  gflops: number;
  steps: number;
  /** training loss after the timed steps, a sanity check that the step really trains */
  loss: number;
}

/** Warm-up, then timed steps until both the minimum count and a time budget are reached. */
function measure(
  step: () => number,
  opts: { minSteps: number; maxSeconds: number },
): { ms: number[]; loss: number } {
  const warmEnd = performance.now() + Math.min(1000, opts.maxSeconds * 100);
  let loss = step();
  for (let i = 0; i < 5 && performance.now() < warmEnd; i++) loss = step();
  const ms: number[] = [];
  const deadline = performance.now() + opts.maxSeconds * 1000;
  while (ms.length < opts.minSteps || (performance.now() < deadline && ms.length < 400)) {
    const t0 = performance.now();
    loss = step();
    ms.push(performance.now() - t0);
    if (ms.length >= 3 && performance.now() > deadline + opts.maxSeconds * 4000) break; // very slow engine
  }
  return { ms, loss };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function parseArgs(argv: string[]): {
  json: boolean;
  tasks: Task[];
  engines: EngineName[];
  seconds: number;
} {
  let json = false;
  let tasks = [...TASKS];
  let engines = [...ENGINES];
  let seconds = 2;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--task') {
      const names = (argv[++i] ?? '').split(',');
      tasks = TASKS.filter((t) => names.includes(t.name));
      if (!tasks.length)
        fail(`--task: expected one or more of ${TASKS.map((t) => t.name).join(', ')}`);
    } else if (a === '--engine') {
      const names = (argv[++i] ?? '').split(',');
      engines = ENGINES.filter((e) => names.includes(e));
      if (!engines.length) fail(`--engine: expected one or more of ${ENGINES.join(', ')}`);
    } else if (a === '--seconds') {
      seconds = Number(argv[++i]);
      if (!(seconds > 0)) fail('--seconds: expected a positive number');
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'npm run bench [-- --json] [--task R20,R56,R56w128] [--engine resnet-lab-ts,tfjs-wasm,tfjs-cpu] [--seconds 2]\n',
      );
      process.exit(0);
    } else fail(`unknown flag ${a} (try --help)`);
  }
  return { json, tasks, engines, seconds };
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

async function runOne(
  engine: EngineName,
  task: Task,
  arch: TaskArch,
  seconds: number,
): Promise<Result> {
  // The slowest cells (TensorFlow.js cpu on R56w128, ~3 s a step) get fewer steps.
  const heavy = taskFlops(task) > 1e8 && engine === 'tfjs-cpu';
  const opts = { minSteps: heavy ? 5 : 50, maxSeconds: seconds };
  let measured: { ms: number[]; loss: number };
  if (engine === 'resnet-lab-ts') {
    measured = measure(engineTask(task, arch).step, opts);
  } else {
    await useBackend(engine === 'tfjs-wasm' ? 'wasm' : 'cpu');
    const t = tfjsTask(task, arch);
    measured = measure(t.step, opts);
    t.dispose();
  }
  const msPerStep = median(measured.ms);
  return {
    task: task.name,
    arch,
    engine,
    msPerStep,
    gflops: taskFlops(task) / (msPerStep * 1e6),
    steps: measured.ms.length,
    loss: measured.loss,
  };
}

function table(results: Result[], engines: EngineName[]): string {
  const lines: string[] = [];
  const header = [
    'task',
    'arch',
    ...engines.map((e) => `${e} ms`),
    'GFLOP/s (ours)',
    ...engines.filter((e) => e !== 'resnet-lab-ts').map((e) => `× vs ${e}`),
  ];
  lines.push(`| ${header.join(' | ')} |`);
  lines.push(`|${header.map(() => '---').join('|')}|`);
  const keys = [...new Set(results.map((r) => `${r.task}/${r.arch}`))];
  for (const key of keys) {
    const [task, arch] = key.split('/');
    const cell = (e: EngineName) =>
      results.find((r) => r.task === task && r.arch === arch && r.engine === e);
    const ours = cell('resnet-lab-ts');
    const row = [task, arch];
    for (const e of engines) row.push(cell(e) ? fmt(cell(e)!.msPerStep) : '–');
    row.push(ours ? ours.gflops.toFixed(2) : '–');
    for (const e of engines.filter((e) => e !== 'resnet-lab-ts')) {
      const other = cell(e);
      row.push(ours && other ? `${(other.msPerStep / ours.msPerStep).toFixed(1)}×` : '–');
    }
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

async function main(): Promise<void> {
  const { json, tasks, engines, seconds } = parseArgs(process.argv.slice(2));
  const results: Result[] = [];
  for (const task of tasks) {
    for (const arch of ARCHES) {
      for (const engine of engines) {
        const r = await runOne(engine, task, arch, seconds);
        results.push(r);
        if (!json)
          process.stderr.write(
            `  ${r.task} ${r.arch} ${r.engine}: ${fmt(r.msPerStep)} ms/step (${r.steps} steps)\n`,
          );
      }
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ tasks: results }, null, 2)}\n`);
  } else {
    process.stdout.write(
      `\nMedian ms per training step (forward + backward + SGD update), one thread, Node ${process.version}\n\n${table(results, engines)}\n`,
    );
  }
}

await main();
