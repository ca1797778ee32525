/**
 * The page's default depth sweep: its settings (the flags of `resnet-lab sweep`), the command that
 * produces the bundled result, and the command for any other sweep. The bundled result
 * (defaultSweep.json) is exactly what that command writes; tests/unit/convergence.test.ts
 * regenerates it and compares the bytes.
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

const OPTIONS = fieldOptions(SWEEP_FIELDS);
const KEY_OF_FLAG = new Map(OPTIONS.map((o) => [o.name, o.key]));
const FLAG_OF_KEY = new Map(OPTIONS.map((o) => [o.key, o.name]));

/** The default sweep's config (the same values `resnet-lab sweep` parses from the flags). */
export function defaultSweepConfig(): SweepConfig {
  const input: Record<string, unknown> = {};
  for (const [flag, raw] of Object.entries(DEFAULT_SWEEP_FLAGS)) {
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
export function defaultSweepCommand(): string {
  const flags = Object.entries(DEFAULT_SWEEP_FLAGS).map(([f, v]) => `--${f} ${v}`);
  return ['npx resnet-lab sweep', ...flags, `--out ${DEFAULT_SWEEP_FILE}`].join(' ');
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
