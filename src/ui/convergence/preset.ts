/**
 * The page's default depth sweeps — one of stacks of dense layers, one of convolutional networks —
 * their settings (the flags of `resnet-lab sweep`), the commands that produce the bundled results,
 * and the command for any other sweep. Each bundled result (defaultSweep.json,
 * defaultConvSweep.json) is exactly what its command writes; tests/unit/convergence.test.ts
 * regenerates the first byte for byte and runs of the second (the whole takes minutes).
 *
 * Why these settings (docs/experiments.md): on the noise-free two spirals with batch norm,
 * 1,500 steps of momentum SGD separate the depths clearly over three seeds — Plain-56 stays at
 * the loss of guessing while Plain-8 and every ResNet train to near zero — and the 18 runs are
 * recomputed in the page's one worker on a 2-core machine in well under a minute.
 */
import { fieldOptions } from '../../cli/args.ts';
import { SWEEP_FIELDS, type SweepConfig, validateSweepConfig } from '../../experiments/sweep.ts';

/** The default sweep's flags, as typed on the command line (without --out). */
export const DEFAULT_SWEEP_FLAGS: Readonly<Record<string, string>> = {
  archs: 'plain,resnet',
  depths: '8,20,56',
  seeds: '3',
  dataset: 'spiral',
  noise: '0',
  width: '32',
  norm: 'batch',
  steps: '1500',
  'target-accuracy': '0.95',
};

/** Where the bundled result lives in the repository (the command's --out). */
export const DEFAULT_SWEEP_FILE = 'src/ui/convergence/defaultSweep.json';

/**
 * The convolutional sweep (issue 15): He et al.'s CIFAR networks with 8, 16 and 32 channels on
 * 3,000 of the 14×14 digits, the paper's initialisation, 600 steps of batch 32 — the setup the
 * PyTorch reference runs of docs/experiments.md used. Plain-56 stays near the loss of guessing
 * while every other network trains; too long to recompute on a first visit (minutes), so the page
 * shows it precomputed.
 */
export const DEFAULT_CONV_SWEEP_FLAGS: Readonly<Record<string, string>> = {
  model: 'conv',
  archs: 'plain,resnet',
  depths: '8,20,56',
  seeds: '3',
  dataset: 'digits',
  samples: '3000',
  width: '8',
  batch: '32',
  norm: 'batch',
  'residual-init': 'one',
  steps: '600',
  'target-accuracy': '0.95',
};

export const DEFAULT_CONV_SWEEP_FILE = 'src/ui/convergence/defaultConvSweep.json';

/** The network families the section sweeps. */
export type SweepFamily = 'mlp' | 'conv';

const PRESETS: Record<SweepFamily, { flags: Readonly<Record<string, string>>; file: string }> = {
  mlp: { flags: DEFAULT_SWEEP_FLAGS, file: DEFAULT_SWEEP_FILE },
  conv: { flags: DEFAULT_CONV_SWEEP_FLAGS, file: DEFAULT_CONV_SWEEP_FILE },
};

const OPTIONS = fieldOptions(SWEEP_FIELDS);
const KEY_OF_FLAG = new Map(OPTIONS.map((o) => [o.name, o.key]));
const FLAG_OF_KEY = new Map(OPTIONS.map((o) => [o.key, o.name]));

/** The default sweep's config (the same values `resnet-lab sweep` parses from the flags). */
export function defaultSweepConfig(family: SweepFamily = 'mlp'): SweepConfig {
  const input: Record<string, unknown> = {};
  for (const [flag, raw] of Object.entries(PRESETS[family].flags)) {
    const key = KEY_OF_FLAG.get(flag)!;
    const field = SWEEP_FIELDS[key as keyof typeof SWEEP_FIELDS];
    input[key] =
      field.kind === 'ints'
        ? raw.split(',').map(Number)
        : field.kind === 'enums'
          ? raw.split(',')
          : field.kind === 'int' || field.kind === 'number'
            ? Number(raw)
            : raw;
  }
  const checked = validateSweepConfig(input);
  if (!checked.ok)
    throw new Error(`the default sweep is invalid: ${JSON.stringify(checked.errors)}`);
  return checked.value;
}

/** The default sweep's command, as the page prints it. */
export function defaultSweepCommand(family: SweepFamily = 'mlp'): string {
  const { flags, file } = PRESETS[family];
  const args = Object.entries(flags).map(([f, v]) => `--${f} ${v}`);
  return ['npx resnet-lab sweep', ...args, `--out ${file}`].join(' ');
}

function flagValue(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * The command that reproduces a sweep of `config`: the sweep's own settings always, and every
 * training setting that differs from the CLI's defaults.
 */
export function sweepCommand(config: SweepConfig, out = 'sweep.json'): string {
  const parts = ['npx resnet-lab sweep'];
  const own = ['archs', 'depths', 'seeds', 'targetAccuracy', 'steps'];
  for (const [key, field] of Object.entries(SWEEP_FIELDS)) {
    const value = config[key as keyof SweepConfig];
    const same = flagValue(value) === flagValue(field.default);
    if (same && !own.includes(key)) continue;
    const flag = FLAG_OF_KEY.get(key) ?? key;
    if (typeof value === 'boolean') parts.push(value ? `--${flag}` : `--no-${flag}`);
    else parts.push(`--${flag} ${flagValue(value)}`);
  }
  parts.push(`--out ${out}`);
  return parts.join(' ');
}
